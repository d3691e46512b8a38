"""Gallery specs of axes, series, legends and scales, checked in the Vega-Lite and in the SVG.

The SVG checks read positions back with svgchart: axis label boxes (text measured with a real
font) must not overlap on either side, tick heights of aligned axes must coincide, legend symbols
carry the dash of their series, a log axis places its ticks linearly in log10 of their labels.
"""

from __future__ import annotations

import csv
import json
import math
import random
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import SPECS, assert_valid_vega_lite, build_specs, built_vegalite, drawn_vegalite
from hypothesis import given, settings
from hypothesis import strategies as st
from svgchart import Axis, Chart, Item, glyph_parts, parse_color, parse_svg

import chartspec
from chartspec.compiler.axes import align_domains
from chartspec.errors import ChartspecError
from chartspec.spec.model import YAxis

GALLERY = ["axes_gpu_dashboard_four_axes.yaml", "axes_aligned_ticks_ppo.yaml", "series_lr_sweep_by_run.yaml",
           "series_dashed_eval_legend_bottom.yaml", "scales_log_pretraining_loss.yaml"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_specs(tmp_path_factory.mktemp("gallery_axes"), [SPECS / name for name in GALLERY], "svg,json", "-j", "0")


def _vl(built: Path, stem: str) -> dict[str, Any]:
    return built_vegalite(built, stem)


def _svg(built: Path, stem: str) -> Chart:
    return parse_svg(built / f"{stem}.svg")


def _rows(name: str) -> list[dict[str, str]]:
    with (SPECS / "data" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _inline(text: str, tmp_path: Path) -> chartspec.Spec:
    (tmp_path / "data").mkdir(exist_ok=True)
    (tmp_path / "data" / "m.csv").write_text(
        "step,loss,acc,gap,run\n0,2.0,0.1,-0.5,b\n1,1.0,0.5,0.2,a\n2,0.5,0.8,0.9,c\n", encoding="utf-8")
    (tmp_path / "spec.yaml").write_text(text, encoding="utf-8")
    return chartspec.load(tmp_path / "spec.yaml")


def _y_layers(vl: dict[str, Any]) -> list[dict[str, Any]]:
    """The first compiled layer of every y axis (one top-level layer per axis)."""
    return [entry["layer"][0] if "layer" in entry else entry for entry in vl["layer"]]


def _y_axes(chart: Chart) -> list[Axis]:
    return [a for a in chart.axes if a.domain and not a.is_horizontal]


# -- text extents, measured with a real font ----------------------------------------------------------

@cache
def _font(size: int):  # type: ignore[no-untyped-def]
    from PIL import ImageFont

    path = subprocess.run(["fc-match", "-f", "%{file}", "sans-serif"], capture_output=True, text=True).stdout
    return ImageFont.truetype(path, size)


def _text_width(item: Item) -> float:
    size = int(float(item.attrib.get("font-size", "10px").rstrip("px")))
    return _font(size).getlength(item.text)


def _horizontal_extent(axis: Axis) -> tuple[float, float]:
    """Leftmost and rightmost x of a vertical axis: labels, ticks, axis line and (rotated) title."""
    xs: list[float] = []
    for label in axis.labels:
        width = _text_width(label)
        anchor = label.attrib.get("text-anchor", "start")
        xs += [label.x - width, label.x] if anchor == "end" else [label.x, label.x + width]
    for line in axis.ticks + axis.domain:
        xs += [p[0] for p in line.line_ends()]
    for title in axis.titles:  # rotated by +-90 degrees: its height (~font size) is horizontal
        xs += [title.x - 11, title.x + 11]
    return min(xs), max(xs)


# -- 1 and 2: four axes, coloured, placed without overlap ---------------------------------------------

def test_four_axes_two_per_side_coloured_like_their_series(built: Path) -> None:
    vl = _vl(built, "axes_gpu_dashboard_four_axes")
    assert vl["resolve"] == {"scale": {"y": "independent"}}
    layers = _y_layers(vl)
    orients = [layer["encoding"]["y"]["axis"]["orient"] for layer in layers]
    assert orients == ["left", "right", "left", "right"]
    colours = [layer["encoding"]["color"]["scale"]["range"] for layer in layers][0]
    chart = _svg(built, "axes_gpu_dashboard_four_axes")
    titles = ["Utilisation (%)", "Memory (GB)", "Power (W)", "Temperature (°C)"]
    for title, colour in zip(titles, colours):
        axis = chart.axis(title)
        want = parse_color(colour)
        assert parse_color(axis.title_item.fill) == want, title
        assert {parse_color(label.fill) for label in axis.labels} == {want}, f"{title} labels"
        assert {parse_color(tick.stroke) for tick in axis.ticks} == {want}, f"{title} ticks"
        assert parse_color(axis.domain[0].stroke) == want, f"{title} axis line"
    x_axis = chart.axis("Minutes since launch")
    assert {parse_color(label.fill) for label in x_axis.labels} == {(0, 0, 0)}, "the x axis stays black"


def test_axes_on_one_side_do_not_overlap(built: Path) -> None:
    chart = _svg(built, "axes_gpu_dashboard_four_axes")
    plot = chart.plot
    sides: dict[str, list[tuple[float, float]]] = {"left": [], "right": []}
    for axis in _y_axes(chart):
        lo, hi = _horizontal_extent(axis)
        sides["left" if hi <= plot.left + 1 else "right"].append((lo, hi))
    assert len(sides["left"]) == 2 and len(sides["right"]) == 2, sides
    for side, extents in sides.items():
        extents.sort()
        for (_, first_hi), (second_lo, _) in zip(extents, extents[1:]):
            assert first_hi < second_lo, f"{side} axes overlap: {extents}"
    assert all(lo >= 0 for lo, _ in sides["left"]) and all(hi <= chart.width for _, hi in sides["right"])


def test_color_axis_false_and_shared_axes_stay_black(tmp_path: Path) -> None:
    vl = drawn_vegalite(_inline(
        "data: data/m.csv\nx: {field: step}\nlayers:\n  - y: {field: loss, color_axis: false}\n"
        "  - y: {field: acc, axis: unit}\n  - y: {field: gap, axis: unit}\n", tmp_path))
    assert_valid_vega_lite(vl)
    loss_axis = vl["layer"][0]["encoding"]["y"]["axis"]
    shared = vl["layer"][1]["layer"]
    assert not {"titleColor", "labelColor", "tickColor"} & set(loss_axis)
    assert len(vl["layer"]) == 2 and len(shared) == 2, "acc and gap share one axis"
    assert not {"titleColor", "labelColor"} & set(shared[0]["encoding"]["y"]["axis"])


# -- 3: aligned ticks -----------------------------------------------------------------------------------

def test_aligned_ticks_coincide_and_zero_lines_match(built: Path) -> None:
    vl = _vl(built, "axes_aligned_ticks_ppo")
    chart = _svg(built, "axes_aligned_ticks_ppo")
    axes = _y_axes(chart)
    assert len(axes) == 3
    heights = [sorted(round(t, 1) for t in axis.tick_positions()) for axis in axes]
    assert len({len(h) for h in heights}) == 1 and len(heights[0]) >= 4, heights
    for other in heights[1:]:
        assert other == pytest.approx(heights[0], abs=0.6)
    assert chart.plot.contains_rect(chart.legends[0].bbox()), "legend: {position: top-left} is inside the plot"
    zeros = [_label_y(chart.axis(title), "0") for title in ("Episode reward", "Value estimate")]
    assert zeros[0] == pytest.approx(zeros[1], abs=0.6), "the zero lines coincide"
    rows = _rows("ppo_value_reward.csv")
    for layer in _y_layers(vl):
        field = layer["encoding"]["y"]["field"]
        lo, hi = layer["encoding"]["y"]["scale"]["domain"]
        values = [float(r[field]) for r in rows]
        assert lo <= min(values) and max(values) <= hi, f"{field}: domain {lo, hi} cuts the data"
        assert (max(values) - min(values)) / (hi - lo) > 0.45, f"{field}: the domain wastes most of the axis"


def _label_y(axis: Axis, text: str) -> float:
    (label,) = [label for label in axis.labels if label.text == text]
    return label.y


def test_aligned_ticks_off_leaves_domains_to_vega(built: Path, tmp_path: Path) -> None:
    text = (SPECS / "axes_aligned_ticks_ppo.yaml").read_text(encoding="utf-8").replace("align_ticks: true",
                                                                                         "align_ticks: false")
    spec = chartspec.loads(text, path=SPECS / "unaligned.yaml", root=SPECS.parent)
    vl = drawn_vegalite(spec)
    assert all("domain" not in layer["encoding"]["y"]["scale"] for layer in _y_layers(vl))


# -- 4: merged legend with colour, shape and dash ------------------------------------------------------

def test_dashed_eval_in_one_legend_below_the_plot(built: Path) -> None:
    vl = _vl(built, "series_dashed_eval_legend_bottom")
    assert len(vl["layer"]) == 2, "accuracy and loss layers share one axis each"
    eval_layer = vl["layer"][0]["layer"][1]
    assert eval_layer["encoding"]["color"]["field"] == "__series" and eval_layer["mark"]["strokeDash"] == [6, 4]
    chart = _svg(built, "series_dashed_eval_legend_bottom")
    assert len(chart.legends) == 1
    legend = chart.legends[0]
    entries = dict(legend.entries)
    assert list(entries) == ["Train accuracy", "Eval accuracy", "Train loss", "Eval loss"]
    for name, symbol in entries.items():  # each glyph: the line cut into its dashes (legend glyphs)
        dashes = glyph_parts(symbol.attrib["d"]).dashes
        assert (len(dashes) > 1) == name.startswith("Eval"), f"{name}: legend glyph {symbol.attrib['d']}"
        assert dashes[0][0] == -12 and (dashes[0][1] - dashes[0][0] == 6 if len(dashes) > 1 else dashes[0][1] == 12)
    assert legend.bbox().top > chart.plot.bottom, "the legend is below the plot"
    dashed_lines = [items for items in chart.mark_groups("line").values()
                    if any(i.dasharray and any(v > 1 for v in i.dasharray[1::2]) for i in items)]
    assert len(dashed_lines) == 2, "the two eval lines are dashed in the plot"
    assert len(_y_axes(chart)) == 2


@pytest.mark.parametrize("position", ["top-left", "bottom-right", "top", "left", "none"])
def test_legend_positions(position: str, tmp_path: Path) -> None:
    vl = drawn_vegalite(_inline(
        f"data: data/m.csv\nx: {{field: step}}\nlegend: {{position: {position}}}\n"
        "layers:\n  - y: {field: loss}\n  - y: {field: acc}\n", tmp_path))
    assert_valid_vega_lite(vl)
    legend = vl["layer"][0]["encoding"]["color"]["legend"]
    assert legend is None if position == "none" else legend["orient"] == position


def test_axis_tags_name_the_axis_of_each_entry(built: Path, tmp_path: Path) -> None:
    chart = _svg(built, "axes_gpu_dashboard_four_axes")
    labels = chart.legends[0].labels
    assert [label.text for label in labels] == [
        "Utilisation (left axis: Utilisation (%))", "Memory (right axis: Memory (GB))",
        "Power (left axis: Power (W))", "Temperature (right axis: Temperature (°C))"]
    vl = drawn_vegalite(_inline(
        "data: data/m.csv\nx: {field: step}\nlegend: {axis_tags: true}\n"
        "layers:\n  - y: {field: loss}\n  - y: {field: acc}\n", tmp_path))
    assert vl["layer"][1]["encoding"]["color"]["scale"]["domain"] == ["loss (left axis)", "acc (right axis)"]


# -- 5: series from a field ---------------------------------------------------------------------------

def test_one_layer_draws_one_line_per_run(built: Path) -> None:
    vl = _vl(built, "series_lr_sweep_by_run")
    assert len(vl["layer"]) == 1
    runs = sorted({r["run"] for r in _rows("lr_sweep_loss.csv")})
    scale = vl["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == runs and len(set(scale["range"])) == len(runs)
    chart = _svg(built, "series_lr_sweep_by_run")
    lines = [item for items in chart.mark_groups("line").values() for item in items]
    assert len(lines) == len(runs)
    legend = chart.legends[0]
    assert [text for text, _ in legend.entries] == runs
    legend_colours = {parse_color(symbol.stroke) for _, symbol in legend.entries}
    assert {parse_color(line.stroke) for line in lines} == legend_colours


def test_run_colours_do_not_depend_on_row_order(tmp_path: Path) -> None:
    rows = _rows("lr_sweep_loss.csv")
    colours = []
    for seed in (1, 2):
        random.Random(seed).shuffle(rows)
        values = json.dumps([{"run": r["run"], "step": int(r["step"]), "loss": float(r["loss"])} for r in rows])
        spec = chartspec.loads(f"data: {{values: {values}}}\nx: {{field: step}}\n"
                               "layers:\n  - y: {field: loss}\n    color: {field: run}\n")
        scale = drawn_vegalite(spec)["layer"][0]["encoding"]["color"]["scale"]
        colours.append(dict(zip(scale["domain"], scale["range"])))
    assert colours[0] == colours[1]


def test_series_field_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ChartspecError) as err:
        _inline("data: data/m.csv\nx: {field: step}\nlayers:\n  - y: {field: loss}\n    color: {field: runn}\n",
                tmp_path)
    (diag,) = err.value.diagnostics
    assert (diag.line, diag.column) == (5, 20) and "'runn'" in diag.message and "'run'" in (diag.hint or "")


# -- 6: scales ----------------------------------------------------------------------------------------

def test_log_axes_place_ticks_by_their_logarithm(built: Path) -> None:
    vl = _vl(built, "scales_log_pretraining_loss")
    layer = vl["layer"][0]["encoding"]
    assert layer["y"]["scale"]["type"] == layer["x"]["scale"]["type"] == "log"
    assert layer["x"]["axis"]["labelAngle"] == -30
    chart = _svg(built, "scales_log_pretraining_loss")
    y = chart.axis("Loss")
    assert y.label_texts == ["0.05", "0.1", "0.2", "0.5", "1", "2"]
    logs = [math.log10(float(text)) for text in y.label_texts]
    pixels = y.tick_positions()
    slope = (pixels[-1] - pixels[0]) / (logs[-1] - logs[0])
    for value, pixel in zip(logs, pixels):
        assert pixels[0] + slope * (value - logs[0]) == pytest.approx(pixel, abs=0.6)
    x_labels = chart.axis("Step").labels
    assert all(label.direction != (1.0, 0.0) for label in x_labels), "x labels are slanted"


def test_log_scale_leaves_zero_out_with_a_note(tmp_path: Path) -> None:
    """Step 0 on a log x axis: a note at the scale (data/logscale.py), and the row made null in the
    Vega-Lite so Vega leaves it out instead of drawing it at the edge."""
    spec = _inline("data: data/m.csv\nx: {field: step, scale: log}\nlayers:\n  - y: {field: loss}\n", tmp_path)
    (note,) = spec.notes
    assert note.severity == "note" and (note.line, note.column) == (2, 25)
    assert note.message.startswith("1 value of 'step' in data/m.csv at or below zero (first: 0 at step 0)")
    assert "symlog" in (note.hint or "")
    (layer,) = drawn_vegalite(spec)["layer"]
    assert layer["transform"][-1] == {"calculate": 'isValid(datum["step"]) && datum["step"] > 0 ? datum["step"] : null',
                                      "as": "step"}


def test_scale_options_reach_vega_lite(tmp_path: Path) -> None:
    spec = _inline(
        "data: data/m.csv\nx: {field: step, nice: false, values: [0, 2], grid: false}\nlayers:\n"
        "  - y: {field: loss, scale: pow, exponent: 0.5, zero: true, reverse: true, clamp: true, label_angle: 0}\n"
        "  - y: {field: gap, scale: symlog, title: Gap}\n", tmp_path)
    vl = drawn_vegalite(spec)
    assert_valid_vega_lite(vl)
    first, second = (layer["encoding"] for layer in vl["layer"])
    assert first["y"]["scale"] == {"type": "pow", "zero": True, "exponent": 0.5, "reverse": True, "clamp": True}
    assert first["y"]["axis"]["labelAngle"] == 0
    assert first["x"]["scale"]["nice"] is False and first["x"]["axis"]["values"] == [0, 2]
    assert first["x"]["axis"]["grid"] is False
    assert second["y"]["scale"]["type"] == "symlog"


def test_reversed_axis_puts_large_values_at_the_bottom(tmp_path: Path) -> None:
    out = tmp_path / "rev.svg"
    chartspec.save(_inline("data: data/m.csv\nx: {field: step}\nlayers:\n  - y: {field: loss, reverse: true}\n",
                           tmp_path), out)
    y = parse_svg(out).axis("loss")
    assert y.scale().slope > 0, "values grow downward on a reversed y axis"


@pytest.mark.parametrize(("axis", "message"), [
    ("{field: loss, scale: band}", "a band scale draws categories, but this axis' type is quantitative (the default)"),
    ("{field: loss, type: quantitative, scale: band}", "a band scale cannot draw quantitative values"),
    ("{field: run, type: nominal, scale: log}", "a log scale cannot draw nominal values"),
    ("{field: loss, exponent: 2}", "'exponent' applies only to 'scale: pow'"),
    ("{field: loss, values: [1], tick_step: 1}", "give either 'values' or 'tick_step', not both"),
])
def test_scale_misuse_is_a_positioned_error(axis: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ChartspecError) as err:
        _inline(f"data: data/m.csv\nx: {{field: step}}\nlayers:\n  - y: {axis}\n", tmp_path)
    assert [d.message for d in err.value.diagnostics] == [message]
    assert err.value.diagnostics[0].line == 4


def test_temporal_and_band_scales(tmp_path: Path) -> None:
    spec = chartspec.loads(
        "data: {values: [{d: '2024-01-01', n: 3, k: a}, {d: '2024-01-02', n: 5, k: b}], parse: {d: '%Y-%m-%d'}}\n"
        "x: {field: d, type: temporal, scale: time, format: '%b %d'}\nlayers:\n  - y: {field: n}\n")
    enc = drawn_vegalite(spec)["layer"][0]["encoding"]
    assert enc["x"]["scale"]["type"] == "time" and enc["x"]["axis"]["format"] == "%b %d"
    spec = chartspec.loads("data: {values: [{n: 3, k: a}, {n: 5, k: b}]}\n"
                           "x: {field: k, type: nominal, scale: band}\nlayers:\n  - mark: bar\n    y: {field: n}\n")
    vl = drawn_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert vl["layer"][0]["encoding"]["x"]["scale"]["type"] == "band"


# -- the alignment itself, over many extents ----------------------------------------------------------

_extent = st.tuples(st.floats(-1e6, 1e6, allow_nan=False), st.floats(0.001, 1e6, allow_nan=False))


@settings(max_examples=200, deadline=None)
@given(st.lists(_extent, min_size=2, max_size=4))
def test_aligned_domains_share_ticks_cover_the_data_and_align_zero(extents: list[tuple[float, float]]) -> None:
    spans = {f"a{i}": (lo, lo + width) for i, (lo, width) in enumerate(extents)}
    owners = {name: YAxis(field=name, title=name, type="quantitative", scale="linear", domain=None, tick_step=None,
                          format=None, grid=None, json_path=(), axis=name) for name in spans}
    aligned = align_domains(owners, spans, 360, {})
    assert set(aligned) == set(spans)
    counts = set()
    zero_at = set()
    for name, y in aligned.items():
        assert y.domain is not None and y.tick_step is not None
        lo, hi = y.domain
        data_lo, data_hi = spans[name]
        assert lo <= data_lo + 1e-9 * abs(data_lo) and hi >= data_hi - 1e-9 * abs(data_hi)
        intervals = (hi - lo) / y.tick_step
        assert intervals == pytest.approx(round(intervals), abs=1e-6)
        counts.add(round(intervals))
        if lo < 0 < hi:
            zero_at.add(round(-lo / y.tick_step, 6))
    assert len(counts) == 1 and len(zero_at) <= 1


def test_a_shared_axis_spans_every_layer_on_it(tmp_path: Path) -> None:
    spec = _inline("data: data/m.csv\nx: {field: step}\nlayers:\n"
                   "  - y: {field: acc, axis: unit, tick_step: 0.5, title: Value}\n"
                   "  - y: {field: loss, axis: unit}\n"
                   "  - y: {field: gap, axis: unit, }\n", tmp_path)
    vl = drawn_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert len(vl["layer"]) == 1 and "resolve" not in vl, "one axis, one scale"
    (first, *others) = vl["layer"][0]["layer"]
    assert first["encoding"]["y"]["scale"]["domain"] == [-0.5, 2]  # acc, loss and gap all fit
    assert first["encoding"]["y"]["axis"]["values"] == [-0.5, 0.0, 0.5, 1.0, 1.5, 2.0]
    assert all(layer["encoding"]["y"]["scale"] == first["encoding"]["y"]["scale"] for layer in others)


def test_a_shared_axis_clips_every_layer_leaving_its_domain(tmp_path: Path) -> None:
    vl = drawn_vegalite(_inline("data: data/m.csv\nx: {field: step}\nlayers:\n"
                                       "  - y: {field: acc, axis: unit, domain: [0, 1]}\n"
                                       "  - y: {field: loss, axis: unit}\n", tmp_path))
    acc, loss = vl["layer"][0]["layer"]
    assert acc["mark"]["clip"] is False and loss["mark"]["clip"] is True  # loss reaches 2.0


def test_aligned_axes_follow_an_axis_with_domain_and_tick_step(tmp_path: Path) -> None:
    vl = drawn_vegalite(_inline(
        "data: data/m.csv\nalign_ticks: true\nx: {field: step}\nlayers:\n"
        "  - y: {field: acc, domain: [-0.5, 1], tick_step: 0.25}\n"  # 6 steps, zero at step 2
        "  - y: {field: gap}\n  - y: {field: loss}\n", tmp_path))
    assert_valid_vega_lite(vl)
    _, gap, loss = (layer["encoding"]["y"] for layer in vl["layer"])
    for y in (gap, loss):
        assert len(y["axis"]["values"]) == 7, y
    lo, hi = gap["scale"]["domain"]
    assert -lo / (hi - lo) == pytest.approx(2 / 6), "gap's zero sits on acc's zero line"


def test_six_axes_with_wide_labels_do_not_overlap(tmp_path: Path) -> None:
    rows = [{"t": t, "a": 1_000_000 + 37_000 * t, "b": 0.0001 * t, "c": -250.5 + 41.3 * t, "d": 3 + t,
             "e": 0.5 + 0.01 * t, "f": 12_345 * t} for t in range(10)]
    layers = "".join(f"  - y: {{field: {f}, title: Axis {f.upper()}{extra}}}\n" for f, extra in [
        ("a", ""), ("b", ", format: '.5f'"), ("c", ""), ("d", ", label_angle: -45"), ("e", ", format: '.1%'"),
        ("f", ", tick_step: 20000")])
    spec = chartspec.loads(f"data: {{values: {json.dumps(rows)}}}\nx: {{field: t}}\nlayers:\n{layers}")
    out = tmp_path / "six.svg"
    chartspec.save(spec, out)
    chart = parse_svg(out)
    sides: dict[str, list[tuple[float, float]]] = {"left": [], "right": []}
    for axis in _y_axes(chart):
        lo, hi = _horizontal_extent(axis)
        sides["left" if hi <= chart.plot.left + 1 else "right"].append((lo, hi))
    assert [len(v) for v in sides.values()] == [3, 3]
    for side, extents in sides.items():
        extents.sort()
        for (_, first_hi), (second_lo, _) in zip(extents, extents[1:]):
            assert first_hi < second_lo, f"{side} axes overlap: {extents}"
