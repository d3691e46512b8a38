"""Gallery specs of marks (text, tick, rule, rect, errorband, every point shape) and annotations.

Positions are read back from the rendered SVG with svgchart: each axis' scale is fitted from its
ticks and labels, then a reference line must sit at the pixel of its data value, a shaded range
must span its two x values, a band must run from the seeds' min to their max, and so on. The
expected values come from the data files, not from the program.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import SPECS, assert_valid_vega_lite, build_specs, built_vegalite
from svgchart import Chart, Item, LinearFit, apply, glyph_parts, parse_color, parse_svg, path_vertices, symbol_shape

import chartspec
from chartspec.compiler.interactive import static_view
from chartspec.compiler.vegalite import compile_vegalite
from chartspec.errors import ChartspecError

GALLERY = ["annotations_rl_peak.yaml", "annotations_reference_lines.yaml", "marks_errorband_seeds.yaml",
           "marks_bar_line_dual_axis.yaml", "marks_latency_ranges.yaml", "marks_point_shapes.yaml",
           "marks_errorband_ci_seeds.yaml", "marks_heatmap_lr_batch.yaml"]
TOL = 1.0  # px


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_specs(tmp_path_factory.mktemp("gallery_marks"), [SPECS / name for name in GALLERY], "svg,json", "-j", "0")


def _vl(built: Path, stem: str) -> dict[str, Any]:
    return built_vegalite(built, stem)


def _rows(name: str) -> list[dict[str, str]]:
    with (SPECS / "data" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _marks(chart: Chart, mark: str) -> list[Item]:
    return [i for i in chart.items if i.role == "mark" and i.mark == mark]


def _texts(chart: Chart) -> dict[str, Item]:
    return {i.text: i for i in _marks(chart, "text")}


def _x(chart: Chart, title: str) -> LinearFit:
    return chart.axis(title).scale()


def _legend(chart: Chart) -> dict[str, Item]:
    assert len(chart.legends) == 1, "one merged legend"
    return dict(chart.legends[0].entries)


def _leaves(node: Any) -> list[dict[str, Any]]:
    """Every unit layer (one with a mark) of a compiled chart."""
    if isinstance(node, dict):
        if "mark" in node:
            return [node]
        return [leaf for child in node.get("layer", []) for leaf in _leaves(child)]
    return []


def _hlines(chart: Chart) -> list[Item]:
    return [i for i in _marks(chart, "rule") if i.tag == "line" and i.is_horizontal]


def _vlines(chart: Chart) -> list[Item]:
    return [i for i in _marks(chart, "rule") if i.tag == "line" and i.is_vertical]


# -- the reference chart with the peak window and the peak ----------------------------------------------

def test_rl_peak_keeps_the_reference_chart_and_adds_only_annotations(built: Path) -> None:
    vl = _vl(built, "annotations_rl_peak")
    reference = static_view(compile_vegalite(chartspec.load(SPECS / "rl_training.yaml")))
    # annotations sit inside the axis groups, on one-row data; without them the chart is the reference
    stripped = json.loads(json.dumps(vl))
    for group in stripped["layer"]:
        group["layer"] = [sub for sub in group["layer"] if sub.get("data") != {"values": [{}]}]
        if len(group["layer"]) == 1:
            group.update(group.pop("layer")[0])
    stripped["description"] = reference["description"]
    assert stripped == reference
    annotation_layers = [s for g in vl["layer"] for s in g.get("layer", []) if s.get("data") == {"values": [{}]}]
    assert annotation_layers and all("__series" not in json.dumps(s) for s in annotation_layers)


def test_rl_peak_window_and_peak_point_in_the_svg(built: Path) -> None:
    chart = parse_svg(built / "annotations_rl_peak.svg")
    x = _x(chart, "RL Training Steps")
    rate = chart.axis("Reproduced Rate (%)").scale()
    (window,) = _marks(chart, "rect")
    box = window.bbox()
    assert abs(box.left - x.pixel(380)) < TOL and abs(box.right - x.pixel(420)) < TOL
    assert abs(box.top - chart.plot.top) < TOL and abs(box.bottom - chart.plot.bottom) < TOL  # full height
    texts = _texts(chart)
    assert {"peak window", "peak 35% at step 400"} <= set(texts)
    peak = [s for s in _marks(chart, "symbol") if "layer_1_layer_1_marks" in s.group_classes]
    assert len(peak) == 1
    assert abs(peak[0].x - x.pixel(400)) < TOL and abs(peak[0].y - rate.pixel(35)) < TOL
    label = texts["peak 35% at step 400"]
    assert abs(label.x - x.pixel(400)) < TOL and label.y < peak[0].y  # centred above the marker
    peak_row = max(_rows("rl_training.csv"), key=lambda r: float(r["reproduced_rate"]))
    assert (float(peak_row["step"]), float(peak_row["reproduced_rate"])) == (400, 35)  # the label tells the truth
    assert set(_legend(chart)) == {"Token Length", "Reproduced Rate (%)"}  # no legend entry for annotations


# -- reference lines and ranges on two independent y axes ------------------------------------------------

def test_reference_lines_sit_on_their_own_axis(built: Path) -> None:
    vl = _vl(built, "annotations_reference_lines")
    assert vl["resolve"] == {"scale": {"y": "independent"}}
    chart = parse_svg(built / "annotations_reference_lines.svg")
    x, loss, acc = _x(chart, "Epoch"), chart.axis("Train loss").scale(), chart.axis("Eval accuracy").scale()
    assert abs(loss.pixel(0.9) - acc.pixel(0.9)) > 50  # the two scales differ: the axis matters
    heights = {round(i.line_ends()[0][1], 1): i for i in _hlines(chart)}
    target = [i for y, i in heights.items() if abs(y - acc.pixel(0.9)) < TOL]
    floor = [i for y, i in heights.items() if abs(y - loss.pixel(0.25)) < TOL]
    assert len(target) == 1 and target[0].dasharray == [4, 2]
    assert len(floor) == 1 and floor[0].dasharray == [2, 2]
    xs = sorted(end[0] for end in target[0].line_ends())
    assert abs(xs[0] - chart.plot.left) < TOL and abs(xs[1] - chart.plot.right) < TOL  # across the plot
    (warmup,) = _vlines(chart)
    assert abs(warmup.line_ends()[0][0] - x.pixel(3)) < TOL
    rects = sorted((r.bbox() for r in _marks(chart, "rect")), key=lambda b: b.width)
    plateau, band = rects  # the x range is narrower than the full-width y range
    assert abs(plateau.left - x.pixel(12)) < TOL and abs(plateau.right - x.pixel(16)) < TOL
    assert abs(band.top - acc.pixel(0.95)) < TOL and abs(band.bottom - acc.pixel(0.85)) < TOL
    texts = _texts(chart)
    assert {"target 0.90", "loss floor", "warm-up ends", "plateau", "lr decay"} <= set(texts)
    decay = texts["lr decay"]
    assert abs(decay.x - x.pixel(8)) < TOL and abs(decay.y - loss.pixel(1.2)) < 6  # centred on (8, 1.2)
    assert set(_legend(chart)) == {"Train loss", "Eval accuracy"}


def test_arrow_points_at_its_data_point_from_its_offset(built: Path) -> None:
    chart = parse_svg(built / "annotations_reference_lines.svg")
    x, acc = _x(chart, "Epoch"), chart.axis("Eval accuracy").scale()
    target = (x.pixel(25), acc.pixel(0.8851))
    green = parse_color("#2ca02c")
    shafts = [i for i in _marks(chart, "rule") if parse_color(i.stroke) == green
              and not i.is_horizontal and not i.is_vertical]
    (shaft,) = shafts
    near, far = sorted(shaft.line_ends(), key=lambda end: math.dist(end, target))
    assert math.dist(far, (target[0] - 40, target[1] + 45)) < 1  # the tail: offset [-40, 45] px away
    (head,) = [s for s in _marks(chart, "symbol") if parse_color(s.fill) == green
               and symbol_shape(s.attrib["d"]) != "circle"]  # the markers of the series are circles
    assert head.attrib.get("opacity", "1") == "1"  # solid, not Vega-Lite's 0.7 for points
    tip = max((apply(head.matrix, *v) for v in path_vertices(head.attrib["d"])), key=lambda p: math.dist(p, far))
    assert 4 < math.dist(tip, target) < 6  # the tip stops just short of the marker, on the shaft's line
    direction = ((target[0] - far[0]) / math.dist(far, target), (target[1] - far[1]) / math.dist(far, target))
    expected = (target[0] - direction[0] * math.dist(tip, target), target[1] - direction[1] * math.dist(tip, target))
    assert math.dist(tip, expected) < 1
    assert math.dist(near, target) < math.dist(tip, far) - math.dist(tip, target)  # the shaft reaches the head
    label = _texts(chart)["best 0.885 at epoch 25"]
    assert label.attrib.get("text-anchor") == "end" and label.x < far[0]  # beside the tail, away from the head
    best = max(_rows("train_eval_curves.csv"), key=lambda r: float(r["eval_acc"]))
    assert (best["epoch"], best["eval_acc"]) == ("25", "0.8851")  # the label tells the truth


# -- error band: mean line over the min-max band of three seeds ------------------------------------------

def _rewards_by_step() -> dict[float, list[float]]:
    """The three seeds' rewards at each step of seed_rewards.csv."""
    by_step: dict[float, list[float]] = defaultdict(list)
    for row in _rows("seed_rewards.csv"):
        by_step[float(row["step"])].append(float(row["reward"]))
    return by_step


def _band_chart(built: Path, stem: str) -> tuple[Chart, LinearFit, LinearFit, list[tuple[float, float]]]:
    """A seeds chart's SVG, its x and reward scales, and the corners of its one band."""
    chart = parse_svg(built / f"{stem}.svg")
    (area,) = _marks(chart, "area")
    return chart, _x(chart, "Step (thousands)"), chart.axis("Episode reward").scale(), area.vertices()


def test_errorband_spans_min_to_max_of_the_seeds(built: Path) -> None:
    vl = _vl(built, "marks_errorband_seeds")
    band, line = _leaves(vl["layer"][0]["layer"][0])
    assert band["mark"]["type"] == "area" and band["encoding"]["y2"] == {"field": "max_reward"}
    assert line["mark"]["type"] == "line" and line["mark"]["interpolate"] == "monotone"
    seed = _leaves(vl["layer"][0]["layer"][1])[-1]
    assert seed["mark"]["interpolate"] == "step-after" and seed["mark"]["strokeDash"] == [5, 3]
    by_step = _rewards_by_step()
    chart, x, y, corners = _band_chart(built, "marks_errorband_seeds")
    mean_line = [i for i in _marks(chart, "line") if i.stroke == "#2ca02c"]
    assert len(mean_line) == 1
    for step, values in by_step.items():
        px = x.pixel(step)
        for value in (min(values), max(values)):
            assert any(abs(cx - px) < TOL and abs(cy - y.pixel(value)) < TOL for cx, cy in corners), (step, value)
        mean = sum(values) / len(values)
        assert any(abs(cx - px) < TOL and abs(cy - y.pixel(mean)) < TOL for cx, cy in mean_line[0].vertices())
    legend = _legend(chart)
    assert legend["Mean of 3 seeds (min-max band)"].shape == "rect"  # a band: a bar across the glyph
    seed_dashes = glyph_parts(legend["Seed 0"].attrib["d"]).dashes  # the seed's dash, cut into the glyph
    assert [round(b - a, 3) for a, b in seed_dashes[:2]] == [5, 5] and seed_dashes[1][0] - seed_dashes[0][1] == 3


def test_band_extents_are_computed_from_the_raw_rows(built: Path) -> None:
    by_step = _rewards_by_step()
    chart, x, y, corners = _band_chart(built, "marks_errorband_ci_seeds")
    (mean_line,) = _marks(chart, "line")
    assert not _marks(chart, "symbol")  # no legend squares drawn along the mean line
    bars = [i for i in _marks(chart, "rule") if parse_color(i.stroke) == parse_color("#ff7f0e")]
    assert len(bars) == len(by_step)
    for step, values in by_step.items():
        px = x.pixel(step)
        mean, stdev = statistics.fmean(values), statistics.stdev(values)
        half = 1.96 * stdev / math.sqrt(len(values))  # 95% CI, normal approximation
        for value in (mean - half, mean + half):
            assert any(abs(cx - px) < TOL and abs(cy - y.pixel(value)) < TOL for cx, cy in corners), (step, value)
        assert any(abs(cx - px) < TOL and abs(cy - y.pixel(mean)) < TOL for cx, cy in mean_line.vertices())
        (bar,) = [b for b in bars if abs(b.line_ends()[0][0] - px) < TOL]
        ends = sorted(end[1] for end in bar.line_ends())
        # rules are drawn on whole pixels: half a pixel more leeway than the area's corners
        assert abs(ends[0] - y.pixel(mean + stdev)) < TOL + 0.5 and abs(ends[1] - y.pixel(mean - stdev)) < TOL + 0.5
    vl = _vl(built, "marks_errorband_ci_seeds")
    aggregate = next(t for t in _leaves(vl)[0].get("transform", []) + vl["layer"][0]["layer"][0].get("transform", [])
                     if "aggregate" in t)
    assert aggregate["groupby"] == ["step"]  # one band point per x, over the seeds
    assert [t["title"] for t in _leaves(vl)[0]["encoding"]["tooltip"][-2:]] == ["95% CI low", "95% CI high"]


def test_a_band_takes_columns_or_an_extent_not_both(tmp_path: Path) -> None:
    with pytest.raises(ChartspecError) as caught:
        _load(tmp_path, "layers:\n  - {mark: errorband, y: {field: loss}, band: {lower: lo, upper: loss, extent: ci}}\n")
    first = caught.value.diagnostics[0]
    assert first.line == 4 and "has both 'lower' and 'extent'" in first.message
    with pytest.raises(ChartspecError) as caught:
        _load(tmp_path, "layers:\n  - {mark: errorband, y: {field: loss}, band: {extent: iqr}}\n")
    assert any('"iqr" is not a valid' in d.message and d.line == 4 and "ci, minmax, stderr, stdev" in (d.hint or "")
               for d in caught.value.diagnostics)


# -- heatmap: rect cells coloured by a number ----------------------------------------------------------

def _luminance(color: str) -> float:
    rgb = parse_color(color)
    assert rgb is not None, color
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]


def test_heatmap_cells_sit_on_their_grid_and_brighten_with_accuracy(built: Path) -> None:
    rows = _rows("lr_batch_grid.csv")
    chart = parse_svg(built / "marks_heatmap_lr_batch.svg")
    cells = _marks(chart, "rect")
    assert len(cells) == len(rows) == 20
    x_axis, y_axis = chart.axis("Learning rate"), chart.axis("Batch size")
    assert x_axis.label_texts == ["1e-4", "3e-4", "1e-3", "3e-3", "1e-2"]  # '.0e' on an ordinal axis of numbers
    x_at = {label.text: label.x for label in x_axis.labels}
    y_at = {label.text: label.y for label in y_axis.labels}
    assert sorted(y_at, key=y_at.__getitem__) == ["256", "128", "64", "32"]  # reverse: the largest on top
    by_cell = {}
    for cell in cells:
        box = cell.bbox()
        lr = next(t for t, x in x_at.items() if box.left < x < box.right)
        bs = next(t for t, y in y_at.items() if box.top < y < box.bottom)
        by_cell[(lr, bs)] = _luminance(cell.fill)
    assert len(by_cell) == 20  # one cell per grid point, none stacked
    lr_text = {"0.0001": "1e-4", "0.0003": "3e-4", "0.001": "1e-3", "0.003": "3e-3", "0.01": "1e-2"}
    labels = [t for t in _marks(chart, "text")]
    assert len(labels) == 20
    accuracy = {(lr_text[str(float(r["learning_rate"]))], r["batch_size"]): float(r["val_accuracy"]) for r in rows}
    for label in labels:  # each value written in the middle of its cell, in its text_format
        (box,) = [c.bbox() for c in cells if c.bbox().left < label.x < c.bbox().right
                  and c.bbox().top < label.y < c.bbox().bottom]
        lr = next(t for t, x in x_at.items() if box.left < x < box.right)
        bs = next(t for t, y in y_at.items() if box.top < y < box.bottom)
        assert label.text == f"{math.floor(accuracy[(lr, bs)] * 100 + 0.5)}%"  # d3 rounds halves up
        # Vega lowers a middle-baseline text by about a quarter of its size (3 px here); a label
        # above the middle (the bar-label placement) sits 5 px higher
        assert abs(label.y - (box.top + box.bottom) / 2) < 3.5 and abs(label.x - (box.left + box.right) / 2) < 2
    ranked = sorted(rows, key=lambda r: float(r["val_accuracy"]))
    shades = [by_cell[(lr_text[str(float(r["learning_rate"]))], r["batch_size"])] for r in ranked]
    assert shades == sorted(shades)  # viridis brightens with the value: colour follows accuracy
    (legend,) = chart.legends
    texts = [label.text for label in legend.labels]
    assert "Val. accuracy" in [i.text for i in chart.items if i.role == "legend-title"]
    assert texts and all(t.endswith("%") for t in texts)  # the colour field's format
    assert "Accuracy label" not in texts  # the text layer is no legend entry


@pytest.mark.parametrize("body, message, line, hint", [
    ("x: {field: step}\nlayers:\n  - {mark: rect, y: {field: loss, type: ordinal}, color: {field: loss, type: quantitative}}\n",
     "needs a x axis of type ordinal or nominal, not quantitative", 2, "type: ordinal"),
    ("x: {field: step, type: ordinal}\nlayers:\n  - {mark: rect, y: {field: loss, type: ordinal}, color: {field: name, type: quantitative}}\n",
     "colour field 'name' is read as numbers but row 1", 4, "drop 'type: quantitative'"),
    ("x: {field: name, type: ordinal, format: '.1f'}\nlayers:\n  - {y: {field: loss}}\n",
     "'format' writes numbers, but row 1", 2, "remove 'format'"),
    ("x: {field: step}\nlayers:\n  - {mark: text, text: name, text_format: '.1f', y: {field: loss}}\n",
     "'text_format' writes numbers, but row 1", 4, "remove 'text_format'"),
    ("x: {field: step}\nlayers:\n  - {mark: line, text_format: '.1f', y: {field: loss}}\n",
     "'text_format' is only used by mark 'text'", 4, "remove 'text_format'"),
])
def test_heatmap_mistakes_are_positioned(tmp_path: Path, body: str, message: str, line: int, hint: str) -> None:
    with pytest.raises(ChartspecError) as caught:
        _load(tmp_path, body, head=False)
    found = [d for d in caught.value.diagnostics if message in d.message]
    assert found, [d.message for d in caught.value.diagnostics]
    assert found[0].line == line and hint in (found[0].hint or "")


# -- bars and text labels on the left axis, a line on the right -----------------------------------------

def test_bar_labels_and_dual_axis(built: Path) -> None:
    vl = _vl(built, "marks_bar_line_dual_axis")
    marks = [leaf["mark"]["type"] for leaf in _leaves(vl)]
    assert marks == ["bar", "text", "line"]
    text_layer = _leaves(vl)[1]
    assert text_layer["encoding"]["text"]["field"] == "samples_per_sec"
    chart = parse_svg(built / "marks_bar_line_dual_axis.svg")
    rows = _rows("epoch_throughput.csv")
    left, right = chart.axis("Samples / s"), chart.axis("Validation loss")
    assert left.labels[0].x < chart.plot.left < chart.plot.right < right.labels[0].x
    bars = sorted((b.bbox() for b in _marks(chart, "rect")), key=lambda b: b.left)
    labels = sorted((t for t in _marks(chart, "text")), key=lambda t: t.x)
    assert [t.text for t in labels] == [r["samples_per_sec"] for r in rows]
    scale = left.scale()
    for bar, label, row in zip(bars, labels, rows):
        assert abs(bar.top - scale.pixel(float(row["samples_per_sec"]))) < TOL
        assert bar.left < label.x < bar.right and bar.top - 12 < label.y < bar.top  # just above its bar
    loss = right.scale()
    (curve,) = _marks(chart, "line")
    drawn = [loss.value(py) for _, py in curve.vertices()]
    assert drawn == pytest.approx([float(r["val_loss"]) for r in rows], abs=0.01)
    legend = _legend(chart)
    # a bar across the glyph; the line with its diamond marker on it
    assert legend["Throughput"].shape == "rect"
    loss_glyph = glyph_parts(legend["Validation loss"].attrib["d"])
    assert len(loss_glyph.dashes) == 1 and loss_glyph.marker == "other" and loss_glyph.marker_width >= 4


# -- rule, rect and tick: a box plot from quantiles ------------------------------------------------------

def test_rules_boxes_and_ticks_span_their_quantiles(built: Path) -> None:
    vl = _vl(built, "marks_latency_ranges")
    assert [leaf["mark"]["type"] for leaf in _leaves(vl)][:3] == ["rule", "bar", "tick"]
    chart = parse_svg(built / "marks_latency_ranges.svg")
    x, y = _x(chart, "Day"), chart.axis("Latency (ms)").scale()
    rows = {float(r["day"]): r for r in _rows("latency_quantiles.csv")}
    whiskers = _vlines(chart)
    groups = {key[-1]: items for key, items in chart.mark_groups("rect").items()}
    boxes = [b.bbox() for b in groups["layer_0_layer_1_marks"]]
    ticks = [t.bbox() for t in groups["layer_0_layer_2_marks"]]
    assert len(whiskers) == len(boxes) == len(ticks) == len(rows)
    assert _leaves(vl)[0]["mark"]["clip"] is True and y.pixel(float(rows[10.0]["p5_ms"])) > chart.plot.bottom
    for day, row in rows.items():
        px = x.pixel(day)
        (w,) = [w for w in whiskers if abs(w.line_ends()[0][0] - px) < TOL]
        ends = sorted(p[1] for p in w.line_ends())
        assert abs(ends[0] - y.pixel(float(row["p95_ms"]))) < TOL
        assert abs(ends[1] - y.pixel(float(row["p5_ms"]))) < TOL  # past the domain: cut by the clip path
        (box,) = [b for b in boxes if b.left < px < b.right]
        assert abs(box.top - y.pixel(float(row["p75_ms"]))) < TOL
        assert abs(box.bottom - y.pixel(float(row["p25_ms"]))) < TOL
        (tick,) = [t for t in ticks if t.left < px < t.right]
        assert abs((tick.top + tick.bottom) / 2 - y.pixel(float(row["p50_ms"]))) < TOL
        assert tick.width > 5 * tick.height  # a horizontal tick
    legend = _legend(chart)
    assert legend["p25 - p75"].shape == "rect"
    # strokes across the glyph, not circles: the median stroked 2 px wide, the thinner p5 - p95
    # rule (1.5 px) as a filled bar of its width (one stroke width per legend: marks.py)
    median, rule = glyph_parts(legend["median"].attrib["d"]), glyph_parts(legend["p5 - p95"].attrib["d"])
    assert median.dashes == rule.dashes == [(-12, 12)] and median.marker is rule.marker is None
    assert median.thickness == 0 and float(legend["median"].attrib["stroke-width"]) == 2
    assert rule.thickness == pytest.approx(1.5) and legend["p5 - p95"].dasharray == [0, 1000]
    (slo,) = _hlines(chart)
    assert abs(slo.line_ends()[0][1] - y.pixel(200)) < TOL and "SLO 200 ms" in _texts(chart)


# -- every Vega point shape -----------------------------------------------------------------------------

SHAPES = ["circle", "square", "cross", "diamond", "triangle-up", "triangle-down", "triangle-left",
          "triangle-right", "triangle", "wedge", "arrow", "stroke"]


def test_every_point_shape_is_drawn_and_in_the_legend(built: Path) -> None:
    """Twelve layers, one Vega shape each: every marker paints pixels in the chart and in the legend.
    A 'stroke' has no area, so it is drawn by its outline (unfilled, at the layer's stroke width)."""
    vl = _vl(built, "marks_point_shapes")
    assert [leaf["mark"]["shape"] for leaf in _leaves(vl)] == SHAPES
    chart = parse_svg(built / "marks_point_shapes.svg")
    by_layer: dict[tuple[str, ...], list[Item]] = chart.mark_groups("symbol")
    assert len(by_layer) == len(SHAPES) and all(len(items) == 6 for items in by_layer.values())
    drawn = [{item.attrib["d"] for item in items} for items in by_layer.values()]
    assert all(len(paths) == 1 for paths in drawn)  # one shape per layer
    assert len({next(iter(paths)) for paths in drawn}) == len(SHAPES)  # twelve different shapes
    for items in by_layer.values():
        assert all(_paints(item) for item in items), items[0].attrib
    legend = _legend(chart)
    assert list(legend) == [f"task {i}" for i in range(1, 13)]
    glyphs = {name: glyph_parts(symbol.attrib["d"]) for name, symbol in legend.items()}
    assert glyphs["task 1"].marker == "circle" and glyphs["task 2"].marker == "square"
    assert all(_paints(symbol) for symbol in legend.values())
    assert glyphs["task 12"].dashes and float(legend["task 12"].attrib["stroke-width"]) >= 1  # the stroke marker
    assert len({symbol.attrib["d"] for symbol in legend.values()}) == len(SHAPES)


def _paints(item: Item) -> bool:
    """Does a symbol put colour on the page: a fill over an area, or a stroke of some width?"""
    def coloured(value: str | None) -> bool:
        return value not in (None, "none", "transparent")

    d = item.attrib["d"]
    area = symbol_shape(d) == "circle" or len({(round(x, 3), round(y, 3)) for x, y in path_vertices(d)}) > 2
    stroked = coloured(item.stroke) and float(item.attrib.get("stroke-width", "1")) > 0
    return (coloured(item.fill) and area) or stroked


# -- errors -----------------------------------------------------------------------------------------------

def _load(tmp_path: Path, body: str, *, head: bool = True) -> chartspec.Spec:
    """``body`` after 'data: m.csv' (and 'x: {field: step}' unless not ``head``)."""
    (tmp_path / "m.csv").write_text("step,loss,lo,hi,name\n0,2.0,1.5,2.5,a\n1,1.0,0.8,1.2,b\n", encoding="utf-8")
    (tmp_path / "spec.yaml").write_text("data: m.csv\n" + ("x: {field: step}\n" if head else "") + body,
                                        encoding="utf-8")
    return chartspec.load(tmp_path / "spec.yaml")


@pytest.mark.parametrize(("body", "message", "line", "hint"), [
    ("layers:\n  - {mark: text, y: {field: loss}}\n", "mark 'text' needs a 'text' field", 4, "text: accuracy"),
    ("layers:\n  - {mark: errorband, y: {field: loss}}\n", "mark 'errorband' needs 'band", 4, "band: {lower"),
    ("layers:\n  - {mark: rule, y: {field: loss}, band: {lower: lo, upper: hii}}\n", "field 'hii' not in", 4,
     "did you mean 'hi'?"),
    ("layers:\n  - {mark: line, y: {field: loss}, band: {lower: lo, upper: hi}}\n", "'band' is only used by", 4,
     "mark: errorband"),
    ("layers:\n  - {mark: tick, point: square, y: {field: loss}}\n", "'point' markers are drawn on", 4,
     "mark: point"),
    ("layers:\n  - {y: {field: loss}}\n  - {y: {field: lo}}\nannotations:\n  - {hline: 1, axis: los}\n",
     "annotation axis 'los' is not an axis", 7, "did you mean 'loss'?"),
    ("layers:\n  - {y: {field: loss}}\nannotations:\n  - {x_range: [5, 1]}\n", "x_range [5, 1] runs backwards", 6,
     "[low, high]"),
    ("layers:\n  - {y: {field: loss}}\nannotations:\n  - {vline: 1, axis: loss}\n", "'axis' names a y axis", 6,
     "remove 'axis'"),
    ("layers:\n  - {y: {field: loss}}\nannotations:\n  - {point: [two, 1]}\n", "x 'two' is text", 6,
     "as a number"),
    ("layers:\n  - {y: {field: loss}}\nannotations:\n  - {hline: 1, shape: square}\n", "'shape' does not apply", 6,
     "'hline' takes: axis, color, dash, label, opacity"),
    ("layers:\n  - {y: {field: loss}}\nannotations:\n  - {arrow: [1, 1], offset: [0, 0]}\n", "has no length", 6,
     "e.g. [40, -30]"),
    ("layers:\n  - {y: {field: loss}}\nannotations:\n  - {point: [1, 1], offset: [9, 9]}\n", "'offset' does not apply",
     6, "'point' takes: axis, color, label, opacity, shape"),
])
def test_bad_marks_and_annotations_are_positioned(tmp_path: Path, body: str, message: str, line: int,
                                                   hint: str) -> None:
    with pytest.raises(ChartspecError) as caught:
        _load(tmp_path, body)
    found = [d for d in caught.value.diagnostics if message in d.message]
    assert found, [d.message for d in caught.value.diagnostics]
    assert found[0].line == line and hint in (found[0].hint or "")


def test_annotation_kind_typos_are_schema_errors(tmp_path: Path) -> None:
    with pytest.raises(ChartspecError) as caught:
        _load(tmp_path, "layers:\n  - {y: {field: loss}}\nannotations:\n  - {hlin: 1}\n")
    messages = {(d.line, d.message, d.hint) for d in caught.value.diagnostics}
    assert (6, "unknown key 'hlin'", "did you mean 'hline'?") in messages


def test_annotation_axis_by_layer_name_and_default(tmp_path: Path) -> None:
    spec = _load(tmp_path, "layers:\n  - {y: {field: loss}}\n  - {name: Upper, y: {field: hi}}\n"
                           "annotations:\n  - {hline: 1.1, axis: Upper}\n  - {hline: 1.9}\n")
    vl = static_view(compile_vegalite(spec))
    first, second = vl["layer"]
    data = {"values": [{}]}
    assert [s["encoding"]["y"]["datum"] for s in second["layer"] if s.get("data") == data] == [1.1]
    assert [s["encoding"]["y"]["datum"] for s in first["layer"] if s.get("data") == data] == [1.9]
    assert_valid_vega_lite(vl)


def test_annotations_on_a_temporal_x_parse_dates_like_the_data(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("day,users,latency\n2024-03-01,100,180\n2024-03-02,120,210\n"
                                    "2024-03-03,90,190\n", encoding="utf-8")
    (tmp_path / "spec.yaml").write_text(
        "data: {path: d.csv, parse: {day: '%Y-%m-%d'}}\nx: {field: day, type: temporal}\n"
        "layers:\n  - {y: {field: users}}\n  - {y: {field: latency}}\n"
        "annotations:\n  - {vline: '2024-03-02', label: launch}\n  - {hline: 200, axis: latency}\n",
        encoding="utf-8")
    vl = static_view(compile_vegalite(chartspec.load(tmp_path / "spec.yaml")))
    assert_valid_vega_lite(vl)
    users, latency = vl["layer"]
    rule = next(s for s in users["layer"] if s.get("data") == {"values": [{}]})
    # parsed in Python as the data's dates are (sources.written_date): UTC epoch ms, no Vega parsing
    assert rule["encoding"]["x"] == {"datum": 1709337600000, "type": "temporal"}
    assert [s["encoding"]["y"]["datum"] for s in latency["layer"] if s.get("data") == {"values": [{}]}] == [200]
    import vl_convert as vlc

    chart = parse_svg(vlc.vegalite_to_svg(vl))
    (vertical,) = _vlines(chart)
    (horizontal,) = _hlines(chart)
    lat = [a for a in chart.axes if a.title == "latency"][0].scale()
    assert abs(horizontal.line_ends()[0][1] - lat.pixel(200)) < TOL
    plot = chart.plot
    assert abs(vertical.line_ends()[0][0] - (plot.left + plot.right) / 2) < TOL  # the middle of three days


MARKS_WITH_FIELDS = {"line": "", "point": "", "area": "", "bar": "", "tick": "", "text": "text: name",
                     "rule": "band: {lower: lo, upper: hi}", "rect": "band: {lower: lo, upper: hi}",
                     "errorband": "band: {lower: lo, upper: hi}"}


@pytest.mark.parametrize("mark", sorted(MARKS_WITH_FIELDS))
def test_every_mark_on_a_second_axis_joins_the_merged_legend(tmp_path: Path, mark: str) -> None:
    extra = MARKS_WITH_FIELDS[mark]
    spec = _load(tmp_path, "layers:\n  - {name: Loss, y: {field: loss}}\n"
                           f"  - {{mark: {mark}, name: Range, y: {{field: hi}}{', ' + extra if extra else ''}}}\n"
                           "annotations:\n  - {hline: 1.1, axis: Range}\n")
    vl = compile_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert vl["resolve"] == {"scale": {"y": "independent"}}
    import vl_convert as vlc

    chart = parse_svg(vlc.vegalite_to_svg(vl))
    assert len([a for a in chart.axes if not a.is_horizontal]) == 2
    legend = _legend(chart)
    assert list(legend) == ["Loss", "Range"]  # the annotation is no entry
    symbol = legend["Range"]
    wants = {"square": "square", "circle": "circle", "stroke": "other", "rect": "rect"}[
        {"line": "stroke", "point": "circle", "area": "square", "bar": "square", "tick": "stroke", "text": "circle",
         "rule": "stroke", "rect": "rect", "errorband": "rect"}[mark]]  # spans: a legend of glyphs, bars wide
    assert symbol.shape == wants


def test_step_interpolation_draws_stairs(built: Path) -> None:
    chart = parse_svg(built / "marks_errorband_seeds.svg")
    (seed,) = [i for i in _marks(chart, "line") if i.stroke == "#555555"]
    points = seed.vertices()
    steps = list(zip(points, points[1:]))
    assert steps and all(abs(a[0] - b[0]) < 1e-6 or abs(a[1] - b[1]) < 1e-6 for a, b in steps)
