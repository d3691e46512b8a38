"""Two metrics, one colour per run: layers sharing a ``color: {field: run}`` field (compiler/styles.py).

Checked in the rendered SVG (legend labels and symbols, each line's stroke colour and dash, axis
title colours), in the Vega-Lite (valid against its schema) and in the positioned errors.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import SPECS, assert_valid_vega_lite, drawn_vegalite
from svgchart import Chart, glyph_parts, parse_color, parse_svg

import chartspec
from chartspec.compiler.styles import AUTO_DASHES, STYLE_COLOR
from chartspec.errors import ChartspecError

SWEEP = SPECS / "series_sweep_loss_lr.yaml"
RUNS = ["lr_1e-3", "lr_1e-4", "lr_3e-4"]  # sorted, as the colour legend lists them
CATEGORY10 = ["#1f77b4", "#ff7f0e", "#2ca02c"]


def rendered(spec: Path | chartspec.Spec) -> Chart:
    vl = drawn_vegalite(spec)
    assert_valid_vega_lite(vl)
    return parse_svg(vlc.vegalite_to_svg(vl))


def lines_by_style(chart: Chart) -> dict[tuple[tuple[int, int, int] | None, tuple[float, ...]], int]:
    """(stroke colour, dash) of every drawn line -> how many lines are drawn so."""
    found: dict[tuple[tuple[int, int, int] | None, tuple[float, ...]], int] = {}
    for item in chart.by_role("mark", "line"):
        key = (parse_color(item.stroke), tuple(item.dasharray or ()))
        found[key] = found.get(key, 0) + 1
    return found


def test_the_sweep_chart_draws_one_colour_per_run_and_one_dash_per_metric() -> None:
    chart = rendered(SWEEP)
    solid, dashed = (0.0, 0.0), tuple(float(v) for v in AUTO_DASHES[1])  # solid is drawn [0, 0] (values.svg_dash)
    expected = {(parse_color(color), dash): 1 for color in CATEGORY10 for dash in (solid, dashed)}
    assert lines_by_style(chart) == expected  # 3 runs x 2 metrics, each its own path


def test_the_sweep_chart_has_a_run_legend_and_a_line_style_legend() -> None:
    chart = rendered(SWEEP)
    assert len(chart.legends) == 2
    runs, styles = sorted(chart.legends, key=lambda legend: len(legend.labels), reverse=True)
    assert [label for label, _ in runs.entries] == RUNS
    for (_, symbol), color in zip(runs.entries, CATEGORY10):
        assert parse_color(symbol.stroke) == parse_color(color) and symbol.dasharray in (None, [0.0, 0.0])
    assert [label for label, _ in styles.entries] == ["Training loss", "Learning rate"]
    (_, loss), (_, lr) = styles.entries
    assert {parse_color(loss.stroke), parse_color(lr.stroke)} == {parse_color(STYLE_COLOR)}  # no run's colour
    assert loss.dasharray in (None, [0.0, 0.0]) and lr.dasharray == [6.0, 3.0]
    title = [t.text for t in chart.by_role("legend-title") if t.tag == "text"]
    assert title == ["Peak learning rate"]  # the colour legend's; the style legend names itself


def test_axis_titles_stay_neutral_when_colour_means_run() -> None:
    chart = rendered(SWEEP)
    run_colors = {parse_color(c) for c in CATEGORY10}
    for title in ("Training loss", "Learning rate"):
        axis = chart.axis(title)
        assert parse_color(axis.title_item.fill) not in run_colors
        assert {parse_color(label.fill) for label in axis.labels}.isdisjoint(run_colors)


def test_each_line_is_its_runs_values_on_its_own_axis() -> None:
    chart = rendered(SWEEP)
    rows = []
    for run in RUNS:
        with (SPECS / "data" / "sweep" / run / "metrics.tsv").open(encoding="utf-8", newline="") as handle:
            rows += [{**r, "run": run} for r in csv.DictReader(handle, delimiter="\t")]
    x = chart.axis("Step").scale()
    axes = {"loss": chart.axis("Training loss").scale(), "lr": chart.axis("Learning rate").scale()}
    for item in chart.by_role("mark", "line"):
        run = RUNS[[parse_color(c) for c in CATEGORY10].index(parse_color(item.stroke))]
        field = "lr" if item.dasharray == [6.0, 3.0] else "loss"
        logged = [(float(r["step"]), float(r[field])) for r in rows if r["run"] == run]
        drawn = [(x.value(px), axes[field].value(py)) for px, py in item.vertices()]
        assert len(drawn) == len(logged)
        span = 2.8 - 0.4 if field == "loss" else 0.0012
        for (step, value), (at, read) in zip(logged, drawn):
            assert abs(at - step) < 5 and abs(read - value) < 0.01 * span, (run, field, step)


SHARED = """data: {{values: [{{s: 0, run: a, l: 2, r: 1}}, {{s: 1, run: a, l: 1, r: 2}},
                  {{s: 0, run: b, l: 3, r: 1}}, {{s: 1, run: b, l: 2, r: 3}}]}}
x: {{field: s}}
legend: {{position: right{legend}}}
layers:
  - {{name: loss, y: {{field: l}}, color: {{field: run}}{first}}}
  - {{name: {second_name}, y: {{field: r}}, color: {{field: run}}{second}}}
{extra}"""


def shared(*, first: str = "", second: str = "", second_name: str = "lr", extra: str = "", legend: str = "") -> str:
    return SHARED.format(first=first, second=second, second_name=second_name, extra=extra, legend=legend)


def _dash_lengths(glyph_d: str) -> list[float]:
    return [round(b - a, 3) for a, b in glyph_parts(glyph_d).dashes]


def test_explicit_dashes_and_markers_win_over_the_automatic_ones() -> None:
    chart = rendered(chartspec.loads(shared(first=", stroke_dash: [4, 1]", second=", stroke_dash: [1, 0], point: square")))
    styles = {tuple(d or ()) for (_, d) in lines_by_style(chart)}
    assert styles == {(4.0, 1.0), (0.0, 0.0)}  # [1, 0] is drawn [0, 0]: solid without a dash a pixel
    legend = next(legend for legend in chart.legends if [label for label, _ in legend.entries] == ["loss", "lr"])
    (_, loss), (_, lr) = legend.entries
    # each entry is its layer's glyph: the dash cut into a short stroke, the marker on it, filled
    # (the scale's dash falls on a transparent outline, so it cuts neither)
    assert set(_dash_lengths(loss.attrib["d"])[:-1]) == {4.0} and glyph_parts(loss.attrib["d"]).marker is None
    lr_glyph = glyph_parts(lr.attrib["d"])
    assert lr_glyph.marker == "square" and _dash_lengths(lr.attrib["d"]) == [24.0]
    assert parse_color(lr.fill) == parse_color(STYLE_COLOR) == parse_color(loss.fill)
    assert {loss.stroke, lr.stroke} <= {None, "transparent"}
    squares = [s for s in chart.by_role("mark", "symbol")]
    assert len(squares) == 4 and {s.shape for s in squares} == {"square"}  # lr's markers, one per row


@pytest.mark.parametrize(("mark", "shape"), [("point", "circle"), ("bar", "rect")])
def test_a_layer_without_lines_shows_its_mark_in_the_style_legend(mark: str, shape: str) -> None:
    """A point or bar layer has no line to dash: its style entry was a dashed stroke it never draws.
    A point shows its marker alone; a bar a bar across the glyph, as in the main legend."""
    chart = rendered(chartspec.loads(shared(second=f", mark: {mark}")))
    legend = next(legend for legend in chart.legends if [label for label, _ in legend.entries] == ["loss", "lr"])
    (_, loss), (_, lr) = legend.entries
    assert _dash_lengths(loss.attrib["d"]) == [24.0] and glyph_parts(loss.attrib["d"]).marker is None  # solid
    if mark == "point":
        assert glyph_parts(lr.attrib["d"]).marker == shape and not glyph_parts(lr.attrib["d"]).dashes
    else:
        assert glyph_parts(lr.attrib["d"]).thickness > 2  # a bar: thicker than the line's stroke
    assert parse_color(lr.fill) == parse_color(STYLE_COLOR)


@pytest.mark.parametrize("dash", [None, (6, 4)])
@pytest.mark.parametrize("marker", ["circle", "triangle-up", "square"])
def test_a_line_with_markers_shows_its_line_and_marker_in_the_style_legend(dash: tuple[int, int] | None,
                                                                           marker: str) -> None:
    """README: a dashed line with markers appears as a short dashed stroke with its marker. The
    style legend of layers sharing a colour field showed the marker alone."""
    second = f", point: {marker}" + (f", stroke_dash: [{dash[0]}, {dash[1]}]" if dash else "")
    chart = rendered(chartspec.loads(shared(second=second)))
    legend = next(legend for legend in chart.legends if [label for label, _ in legend.entries] == ["loss", "lr"])
    glyph = glyph_parts(legend.entries[1][1].attrib["d"])
    assert glyph.dashes, "no stroke in the legend entry of a line with markers"
    assert glyph.marker in ((marker,) if marker != "triangle-up" else ("other",))
    on, off = dash or AUTO_DASHES[1]  # the second sharing layer's automatic dash
    lengths = [round(b - a, 3) for a, b in glyph.dashes]
    gaps = [round(b[0] - a[1], 3) for a, b in zip(glyph.dashes, glyph.dashes[1:])]
    assert set(lengths[:-1]) == {on} and set(gaps) == {off}


def test_another_layer_keeps_its_own_colour_and_dash_in_the_run_legend() -> None:
    extra = "  - {name: target, y: {field: t, axis: l}, color: '#888888', stroke_dash: [8, 2],\n" \
            "     data: {values: [{s: 0, t: 1.5}, {s: 1, t: 1.5}]}}\n"
    chart = rendered(chartspec.loads(shared(extra=extra)))
    labels = sorted([label for label, _ in legend.entries] for legend in chart.legends)
    assert labels == [["a", "b", "target"], ["loss", "lr"]]
    assert lines_by_style(chart)[(parse_color("#888888"), (8.0, 2.0))] == 1


def test_axis_tags_name_the_axis_in_the_line_style_legend() -> None:
    chart = rendered(chartspec.loads(shared(legend=", axis_tags: true")))
    labels = sorted([label for label, _ in legend.entries] for legend in chart.legends)
    assert labels == [["a", "b"], ["loss (left axis)", "lr (right axis)"]]


def test_the_tooltip_names_run_and_metric() -> None:
    vl = chartspec.to_vegalite(chartspec.loads(shared()))
    assert_valid_vega_lite(vl)
    (group,) = [layer for layer in vl["layer"] if layer.get("name") == "chartspec_interactive"]
    titles = [t["title"] for t in group["layer"][0]["encoding"]["tooltip"]]
    assert titles == ["s", "a \u00b7 loss", "b \u00b7 loss", "a \u00b7 lr", "b \u00b7 lr"]


def test_sharing_layers_with_one_name_are_an_error_at_the_name() -> None:
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(shared(second_name="loss"))
    (problem,) = caught.value.diagnostics
    assert problem.line == 7 and problem.path[:2] == ("layers", 1)
    assert "share the legend name 'loss'" in problem.message and "'name'" in (problem.hint or "")


def test_a_run_named_like_another_layer_is_still_an_error() -> None:
    extra = "  - {name: a, y: {field: l}}\n"
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(shared(extra=extra))
    assert any("the series 'a' of field 'run' has the same legend name as layer 3" in d.message
               for d in caught.value.diagnostics)


def test_the_solid_layer_of_a_long_noisy_sweep_is_drawn_in_the_png(tmp_path: Path) -> None:
    """The solid layer was drawn with strokeDash [1, 0]: a dash a pixel, and resvg (the PNG) stops
    dashing past about 10^6 dashes and then draws nothing: a noisy loss whose path is millions of
    pixels long vanished from the PNG while its dashed learning rate stayed. Solid is [0, 0]."""
    import io

    import numpy as np
    from PIL import Image

    n = 12_000
    rng = np.random.default_rng(2)
    rows = [f"{s},{r},{rng.random():.4f},{1e-3 * (1 - s / n):.6f}" for r in ("a", "b") for s in range(n)]
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "runs.csv").write_text("step,run,loss,lr\n" + "\n".join(rows) + "\n")
    (tmp_path / "sweep.yaml").write_text(
        "reduce: false\ndata: runs.csv\nx: {field: step}\nheight: 400\nlayers:\n"
        "  - {mark: line, y: {field: loss}, color: {field: run}}\n"
        "  - {mark: line, y: {field: lr, axis: right}, color: {field: run}}\n")
    spec = chartspec.load(tmp_path / "sweep.yaml")
    dashes = chartspec.to_vegalite(spec)["layer"][0]["encoding"]["strokeDash"]["scale"]["range"]
    assert [0, 0] in dashes and [1, 0] not in dashes
    png = np.asarray(Image.open(io.BytesIO(chartspec.save(spec, tmp_path / "sweep.png").read_bytes())).convert("RGB"))
    orange = np.all(np.abs(png.astype(int) - [0xff, 0x7f, 0x0e]) < 40, axis=2)  # run b's loss (and its lr)
    assert orange.sum() > 20_000, orange.sum()  # the noisy loss covers most of the plot
