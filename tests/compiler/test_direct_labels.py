"""Direct labels (``label: end``, compiler/directlabels.py), read back from the rendered SVG.

Each series' name is written at the end of its line in its colour; labels of different series
(on any axis) never overlap; a leader line is drawn for exactly the labels that moved; the pinned
y domains are the ones Vega would choose (the lines are drawn where they are without labels).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
import vl_convert as vlc
import yaml
from conftest import SPECS, assert_valid_vega_lite, drawn_vegalite, write_tree
from svgchart import Chart, Item, parse_color, parse_svg

import chartspec
from chartspec.compiler.directlabels import LABEL_FONT_SIZE, LABEL_GAP, nudge
from chartspec.compiler.nicedomain import nice_domain
from chartspec.errors import CompileError

CATEGORY10 = ["#1f77b4", "#ff7f0e", "#2ca02c"]


def _runs_csv() -> str:
    """Three runs whose losses end close together and whose learning rates end at one value."""
    lines = ["run,step,loss,lr"]
    for run, k in (("baseline", 1.0), ("long", 0.7), ("warmup", 1.04)):
        for step in range(0, 1001, 50):
            loss = 2.5 * math.exp(-step / 300 * k) + 0.5
            lr = 3e-4 * min(1.0, step / 200 * k) * (1 - step / 1100)
            lines.append(f"{run},{step},{loss:.4f},{lr:.7f}")
    return "\n".join(lines) + "\n"


def render(folder: Path, spec: dict[str, Any]) -> tuple[Chart, dict[str, Any]]:
    write_tree(folder, {"runs.csv": _runs_csv(), "chart.yaml": yaml.safe_dump(spec)})
    vl = drawn_vegalite(folder / "chart.yaml")
    assert_valid_vega_lite(vl)
    return parse_svg(vlc.vegalite_to_svg(vl)), vl


def labels(chart: Chart) -> dict[str, Item]:
    """The direct labels: text marks drawn by the chart (role 'mark'), by their text."""
    found = {i.text: i for i in chart.by_role("mark", "text") if i.tag == "text"}
    return found


def unit_layers(vl: dict[str, Any]) -> list[dict[str, Any]]:
    """Every layer of ``vl`` that has a mark, nested layers flattened."""
    return [vl] if "mark" in vl else [unit for layer in vl.get("layer", []) for unit in unit_layers(layer)]


def leaders(chart: Chart) -> list[Item]:
    return [i for i in chart.by_role("mark", "rule") if i.tag == "line"]


def line_ends(chart: Chart) -> dict[str, tuple[float, float]]:
    """Stroke colour -> the last vertex (largest x) of that line."""
    ends = {}
    for item in chart.by_role("mark", "line"):
        vertices = item.vertices()
        ends[item.stroke or ""] = max(vertices)
    return ends


SWEEP = {
    "data": "runs.csv",
    "x": {"field": "step"},
    "layers": [
        {"y": {"field": "loss", "title": "Loss"}, "color": {"field": "run"}, "label": "end"},
        {"y": {"field": "lr", "title": "LR", "format": ".0e"}, "color": {"field": "run"}, "label": "end"},
    ],
}


def test_every_run_is_labelled_in_its_colour_without_overlaps(tmp_path: Path) -> None:
    chart, _ = render(tmp_path, SWEEP)
    found = labels(chart)
    expected = {f"{run} ({metric})": color for run, color in zip(["baseline", "long", "warmup"], CATEGORY10)
                for metric in ("Loss", "LR")}
    assert set(found) == set(expected)
    for text, color in expected.items():
        assert parse_color(found[text].fill) == parse_color(color), text
    # the labels share one column: their boxes (one font size tall) must be apart by the gap
    ys = sorted(item.y for item in found.values())
    assert all(b - a >= LABEL_FONT_SIZE + LABEL_GAP - 0.01 for a, b in zip(ys, ys[1:])), ys
    assert chart.legends == []  # every series is named at its line: no legend unless asked for
    plot = chart.plot
    assert all(plot.top <= item.y - LABEL_FONT_SIZE / 2 and item.y <= plot.bottom + LABEL_FONT_SIZE for item in found.values())


def test_leader_lines_join_exactly_the_moved_labels_to_their_lines(tmp_path: Path) -> None:
    # baseline and warmup end 2 px apart and must move; long ends well below them and stays
    chart, vl = render(tmp_path, dict(SWEEP, layers=SWEEP["layers"][:1]))
    found = labels(chart)
    texts = [layer for layer in unit_layers(vl) if layer["mark"]["type"] == "text"]
    moved = {t["encoding"]["text"]["value"] for t in texts if t["mark"]["dx"] > 6}
    assert moved == {"baseline", "warmup"} and set(found) == {"baseline", "long", "warmup"}
    drawn = leaders(chart)
    assert len(drawn) == len(moved)
    ends = line_ends(chart)
    for rule in drawn:
        (x1, y1), (x2, y2) = rule.line_ends()
        # from just right of a line's end in the same colour ...
        same = [end for color, end in ends.items() if parse_color(color) == parse_color(rule.stroke)]
        assert any(abs(x1 - ex) <= 4 and abs(y1 - ey) < 0.6 for ex, ey in same), (rule.line_ends(), same)
        # ... to the height of a moved label of that colour
        assert any(abs(y2 - found[t].y + 3) < 4 and parse_color(found[t].fill) == parse_color(rule.stroke)
                   for t in moved)


def test_labels_sit_at_their_line_ends_on_two_independent_axes(tmp_path: Path) -> None:
    spec = {"data": "runs.csv", "x": {"field": "step"},
            "transform": [{"filter": {"field": "run", "equal": "baseline"}}],
            "layers": [{"y": {"field": "loss", "title": "Loss"}, "label": "end", "color": "#1f77b4"},
                       {"y": {"field": "lr", "title": "LR"}, "label": "end", "color": "#d62728"}]}
    chart, _ = render(tmp_path, spec)
    found = labels(chart)
    ends = {parse_color(color): end for color, end in line_ends(chart).items()}
    for text, color in (("Loss", "#1f77b4"), ("LR", "#d62728")):
        label, (end_x, end_y) = found[text], ends[parse_color(color)]
        assert parse_color(label.fill) == parse_color(color)
        assert 4 <= label.x - end_x <= 20  # just right of its own line's end
        assert abs(label.y - 3 - end_y) < 3 or leaders(chart), (text, label.y, end_y)
    right = chart.axis("LR")
    assert min(lab.x for lab in right.labels) > max(item.x + 6 * len(item.text) for item in found.values())


@pytest.mark.parametrize("name", ["axes_gpu_dashboard_four_axes.yaml", "scales_log_pretraining_loss.yaml",
                                  "marks_errorband_seeds.yaml", "axes_aligned_ticks_ppo.yaml",
                                  "data_ema_smoothed_reward.yaml", "annotations_rl_peak.yaml"])
def test_labelled_lines_are_drawn_where_they_are_without_labels(name: str, tmp_path: Path) -> None:
    """The domain written for the labels is the one Vega chooses: no line or tick moves."""
    spec = SPECS / name
    raw = yaml.safe_load(spec.read_text(encoding="utf-8"))
    raw["layers"] = [dict(layer, label="end") if layer.get("mark", "line") in ("line", "area", "point", "errorband")
                     else layer for layer in raw["layers"]]
    labelled = spec.parent / f"_labelled_{tmp_path.name}_{name}"
    labelled.write_text(yaml.safe_dump(raw), encoding="utf-8")
    try:
        with_labels = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(labelled)))
    finally:
        labelled.unlink()
    plain = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(spec)))
    for mark in ("line", "symbol", "area"):
        assert sorted(i.attrib.get("d", "") for i in with_labels.by_role("mark", mark) if i.tag == "path") == \
            sorted(i.attrib.get("d", "") for i in plain.by_role("mark", mark) if i.tag == "path")
    assert [a.label_texts for a in with_labels.axes] == [a.label_texts for a in plain.axes]
    assert len(labels(with_labels)) >= 1


def test_nudge_keeps_order_and_spacing_and_moves_as_little_as_it_can() -> None:
    assert nudge([50.0, 200.0], 14, 5, 355) == [50.0, 200.0]  # apart already: untouched
    assert nudge([100.0, 100.0, 100.0], 14, 5, 355) == [86.0, 100.0, 114.0]  # spread around where they were
    placed = nudge([356.0, 350.0, 10.0], 14, 5.5, 354.5)
    assert placed[2] == 10.0 and placed[0] == 354.5 and placed[1] == 340.5  # kept inside the plot, in order
    again = nudge([356.0, 350.0, 10.0], 14, 5.5, 354.5)
    assert again == placed  # deterministic


def test_nice_domain_follows_d3() -> None:
    assert nice_domain(0.58, 3.0, "linear") == (0.4, 3.0)
    assert nice_domain(3050, 6420, "linear") == (3000, 6500)
    assert nice_domain(0.0023, 7.9, "log") == (0.001, 10.0)


def test_a_label_on_a_layer_chartspec_cannot_evaluate_is_a_positioned_error(tmp_path: Path) -> None:
    spec = dict(SWEEP, transform=[{"calculate": "datum.loss * random()", "as": "noisy"}],
                layers=[{"y": {"field": "noisy"}, "label": "end"}])
    write_tree(tmp_path, {"runs.csv": _runs_csv(), "chart.yaml": yaml.safe_dump(spec)})
    with pytest.raises(CompileError) as caught:
        chartspec.to_vegalite(tmp_path / "chart.yaml")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.path == ("layers", 0, "label") and "cannot place the label" in diagnostic.message


def test_a_legend_asked_for_stays_beside_the_labels(tmp_path: Path) -> None:
    chart, _ = render(tmp_path, dict(SWEEP, legend={"position": "bottom"}))
    assert chart.legends and len(labels(chart)) == 6
