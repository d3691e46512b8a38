"""Gallery specs of layout (facet, hconcat, vconcat) and plain Vega-Lite inputs.

Each gallery spec is built through the real CLI and checked twice: in its compiled Vega-Lite
(valid against the Vega-Lite schema, holding the layout it shows) and in its rendered SVG, read
back with svgchart: where the panels and their axes are, and which data each panel drew (a
line's first vertex mapped through the fitted axis scale must give that panel's first row).
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import SPECS, RunCli, assert_valid_vega_lite, build_specs, write_tree
from svgchart import Axis, Chart, parse_svg

import chartspec
from chartspec.builder.discover import discover
from chartspec.compiler.common import VEGA_LITE_VERSION
from chartspec.compiler.interactive import LAYER_NAME, static_view
from chartspec.errors import ChartspecError

GALLERY = ["layout_facet_optimizers.yaml", "layout_facet_grid_scaling.yaml", "layout_hconcat_training.yaml",
           "layout_vconcat_dashboard.yaml", "accuracy_heatmap.vl.yaml"]
OPTIMIZERS = ["adam", "adamw", "lion", "sgd"]


def _rows(name: str) -> list[dict[str, str]]:
    with (SPECS / "data" / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The gallery specs of this file, built once through the real CLI (SVG and Vega-Lite JSON)."""
    return build_specs(tmp_path_factory.mktemp("gallery_layout"), [SPECS / name for name in GALLERY], "svg,json", "-j", "0")


def _vl(built: Path, stem: str) -> dict:
    vl = json.loads((built / f"{stem}.vl.json").read_text(encoding="utf-8"))
    assert_valid_vega_lite(vl)
    return vl


def _svg(built: Path, stem: str) -> Chart:
    return parse_svg(built / f"{stem}.svg")


def _x(axis: Axis) -> float:
    """x of a vertical axis' domain line."""
    (x1, _), (x2, _) = axis.domain[0].line_ends()
    assert x1 == x2
    return x1


def _y_span(axis: Axis) -> tuple[float, float]:
    (_, y1), (_, y2) = axis.domain[0].line_ends()
    return (min(y1, y2), max(y1, y2))


def _numbers(axis: Axis) -> list[float]:
    return [float(t.replace(",", "").replace("%", "")) for t in axis.label_texts]


# -- facet ------------------------------------------------------------------------------------------

def test_facet_compiles_to_a_facet_of_the_layer_chart(built: Path) -> None:
    vl = _vl(built, "layout_facet_optimizers")
    assert vl["facet"] == {"field": "optimizer", "type": "nominal", "title": None, "sort": ["sgd", "adam", "adamw", "lion"]}
    assert vl["columns"] == 2
    panel = vl["spec"]
    assert (panel["width"], panel["height"]) == (300, 180)  # per panel, as written in the spec
    assert panel["layer"][-1]["name"] == LAYER_NAME  # the HTML's hover layer, split by panel too
    panel = static_view(vl)["spec"]
    assert len(panel["layer"]) == 2 and panel["resolve"] == {"scale": {"y": "independent"}}
    assert vl["resolve"] == {"scale": {"y": "independent"}}
    assert vl["padding"] == 12
    assert "width" not in vl and "layer" not in vl and "data" in vl  # data stays on top, faceted
    orients = [layer["encoding"]["y"]["axis"]["orient"] for layer in panel["layer"]]
    assert orients == ["left", "right"]


def test_every_facet_panel_has_both_y_axes_and_its_own_data(built: Path) -> None:
    chart = _svg(built, "layout_facet_optimizers")
    headers = {i.text: i for i in chart.items if i.tag == "text" and i.text in OPTIMIZERS}
    assert sorted(headers) == OPTIMIZERS
    losses = [a for a in chart.axes if a.title == "Loss"]
    rates = [a for a in chart.axes if a.title == "Learning rate"]
    assert len(losses) == len(rates) == 4
    rows = _rows("optimizer_runs.csv")
    for name, header in headers.items():
        # the panel under this header: its loss axis is the nearest one below and to the left
        loss = min((a for a in losses if _y_span(a)[0] > header.y and _x(a) < header.x),
                   key=lambda a: (_y_span(a)[0] - header.y, header.x - _x(a)))
        rate = next(a for a in rates if _y_span(a) == _y_span(loss) and abs(_x(a) - _x(loss) - 300) < 1)
        assert _x(loss) < header.x < _x(rate)  # header centred over the panel, axes on both sides
        assert rate.title_item.fill == "#ff7f0e" and loss.title_item.fill == "#1f77b4"
        # each panel's learning-rate axis spans that optimizer's rates only
        peak = max(float(r["lr"]) for r in rows if r["optimizer"] == name)
        top = max(_numbers(rate))
        assert peak / 2 < top <= peak * 1.25, (name, peak, rate.label_texts)  # nice()d upwards at most
    assert len(chart.legends) == 1
    assert [label for label, _ in chart.legends[0].entries] == ["Training loss", "Learning rate"]
    # panels in the order the spec's facet sort lists: reading order, row by row
    reading = sorted(headers.values(), key=lambda h: (round(h.y), h.x))
    assert [h.text for h in reading] == ["sgd", "adam", "adamw", "lion"]


def test_a_facet_sort_value_that_is_not_in_the_data_is_a_positioned_error(tmp_path: Path) -> None:
    text = (SPECS / "layout_facet_optimizers.yaml").read_text(encoding="utf-8").replace("sort: [sgd,", "sort: [sdg,")
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(text, path=SPECS / "x.yaml")
    (found,) = caught.value.diagnostics
    assert "facet sort names 'sdg', which is not a value of 'optimizer'" in found.message
    assert (found.line, found.column) == (6, 46) and found.hint == "did you mean 'sgd'?"
    descending = chartspec.to_vegalite(chartspec.loads(text.replace("[sdg, adam, adamw, lion]", "descending"),
                                                       path=SPECS / "x.yaml"))
    assert descending["facet"]["sort"] == "descending"


def test_facet_grid_has_a_row_per_model_and_a_column_per_optimizer(built: Path) -> None:
    vl = _vl(built, "layout_facet_grid_scaling")
    assert vl["facet"] == {"row": {"field": "model", "type": "nominal", "title": None},
                           "column": {"field": "optimizer", "type": "nominal", "title": None}}
    assert "columns" not in vl and (vl["spec"]["width"], vl["spec"]["height"]) == (260, 150)
    chart = _svg(built, "layout_facet_grid_scaling")
    losses = [a for a in chart.axes if a.title == "Loss"]
    norms = [a for a in chart.axes if a.title == "Grad norm"]
    assert len(losses) == len(norms) == 4
    assert len({_x(a) for a in losses}) == 2 and len({_y_span(a) for a in losses}) == 2  # a 2 x 2 grid
    for loss in losses:  # each panel: loss on its left edge, gradient norm on its right edge
        assert any(_y_span(n) == _y_span(loss) and _x(n) - _x(loss) == pytest.approx(260) for n in norms)
    texts = {i.text for i in chart.items if i.tag == "text"}
    assert {"S-125M", "XL-1.3B", "adamw", "sgd"} <= texts
    rows = _rows("scaling_runs.csv")
    # the lower-left panel (second row, first column) drew XL-1.3B with adamw: its first loss value
    lower_left = max((a for a in losses if _x(a) == min(map(_x, losses))), key=lambda a: _y_span(a)[0])
    run = [float(r["loss"]) for r in rows if (r["model"], r["optimizer"]) == ("XL-1.3B", "adamw")]
    first, last = run[0], run[-1]
    line = next(i for i in chart.by_role("mark", "line") if i.stroke == "#1f77b4"
                and _y_span(lower_left)[0] - 1 <= i.vertices()[0][1] <= _y_span(lower_left)[1] + 1
                and _x(lower_left) - 1 <= i.vertices()[0][0] <= _x(lower_left) + 1)
    scale = lower_left.scale()
    assert scale.value(line.vertices()[0][1]) == pytest.approx(first, abs=0.02)
    assert scale.value(line.vertices()[-1][1]) == pytest.approx(last, abs=0.02)


def test_facet_row_and_column_form() -> None:
    values = [{"step": s, "loss": 1 / (s + 1), "data": d, "opt": o}
              for s in range(3) for d in ("a", "b") for o in ("x", "y", "z")]
    spec = chartspec.loads(json.dumps({
        "data": {"values": values}, "facet": {"row": "data", "column": "opt", "title": "Optimizer"},
        "x": {"field": "step"}, "layers": [{"y": {"field": "loss"}}], "width": 120, "height": 80}))
    vl = chartspec.to_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert set(vl["facet"]) == {"row", "column"} and vl["facet"]["column"]["title"] == "Optimizer"
    assert "columns" not in vl and "resolve" not in vl  # one y axis: one y scale for all panels
    chart = parse_svg(vlc.vegalite_to_svg(vl, vl_version=VEGA_LITE_VERSION))
    assert len([a for a in chart.axes if a.title == "loss"]) == 2  # one per row
    assert {"x", "y", "z", "a", "b", "Optimizer"} <= {i.text for i in chart.items if i.tag == "text"}
    assert type(chartspec.compile(spec)).__name__ == "FacetChart"


FACET_BASE = """\
data: {values: [{step: 0, loss: 2.0, optimizer: adam}, {step: 1, loss: 1.5, optimizer: sgd}]}
x: {field: step}
layers: [{y: {field: loss}}]
"""


@pytest.mark.parametrize("facet, message, where, hint", [
    ("{field: optimiser, columns: 2}", "facet field 'optimiser' not in inline data", (4, 16),
     "did you mean 'optimizer'?"),
    ("{field: optimizer, row: step}", "'facet' takes either 'field' or 'row', not both", (4, 27), "grid"),
    ("{column: optimizer, columns: 2}", "'columns' applies to 'facet: {field: ...}' only", (4, 28), "grid"),
    ("{title: Optimizer}", "'facet' names no field", (4, 1), "field: COLUMN"),
])
def test_facet_errors_are_located(facet: str, message: str, where: tuple[int, int], hint: str) -> None:
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(FACET_BASE + f"facet: {facet}\n", file="f.yaml")
    [d] = caught.value.diagnostics
    assert (d.message, (d.line, d.column)) == (message, where)
    assert hint in (d.hint or "")


# -- concat -----------------------------------------------------------------------------------------

def _first_value(chart: Chart, axis: Axis, color: str, x_min: float, x_max: float) -> float:
    """The data value of the first vertex of the ``color`` line drawn between x_min and x_max."""
    lines = [i for i in chart.by_role("mark", "line") if i.stroke == color and x_min <= i.vertices()[0][0] <= x_max]
    assert len(lines) == 1, f"{len(lines)} {color} lines between x={x_min} and x={x_max}"
    return axis.scale().value(lines[0].vertices()[0][1])


def test_hconcat_places_two_whole_charts_side_by_side(built: Path) -> None:
    vl = _vl(built, "layout_hconcat_training")
    left, right = vl["hconcat"]
    assert "data" in vl and "data" not in left and "data" not in right  # the shared rows, written once
    for part, name in ((left, "Adam"), (right, "SGD")):
        assert (part["width"], part["height"]) == (320, 220)  # taken from the top level
        assert part["title"]["text"] == name
        assert part["layer"][0]["encoding"]["x"]["scale"]["domain"] == [0, 1000]  # so is x
    assert vl["title"] == {"text": "Adam against SGD", "subtitle": "same model, same data, 1,000 steps"}
    assert vl["padding"] == {"left": 8, "right": 8, "top": 8, "bottom": 8}
    assert vl["resolve"]["scale"]["color"] == "independent"

    chart = _svg(built, "layout_hconcat_training")
    losses = sorted((a for a in chart.axes if a.title == "Loss"), key=_x)
    accuracies = sorted((a for a in chart.axes if a.title == "Accuracy"), key=_x)
    assert len(losses) == len(accuracies) == 2
    assert _x(losses[0]) < _x(accuracies[0]) < _x(losses[1]) < _x(accuracies[1])  # side by side
    assert _y_span(losses[0]) == _y_span(losses[1])
    assert len(chart.legends) == 2  # each chart keeps its own merged legend
    rows = _rows("optimizer_runs.csv")
    for loss, name in zip(losses, ("adam", "sgd")):
        first = next(float(r["loss"]) for r in rows if r["optimizer"] == name and r["step"] == "0")
        drawn = _first_value(chart, loss, "#1f77b4", _x(loss) - 1, _x(loss) + 320)
        assert drawn == pytest.approx(first, abs=0.01), name  # each item drew its own filtered rows


def test_vconcat_stacks_charts_and_items_override_the_top_level(built: Path) -> None:
    vl = _vl(built, "layout_vconcat_dashboard")
    top, bottom = vl["vconcat"]
    assert (top["height"], bottom["height"]) == (160, 120)  # inherited, then overridden
    assert top["width"] == bottom["width"] == 640
    assert top["layer"][0]["mark"]["type"] == "bar"
    chart = _svg(built, "layout_vconcat_dashboard")
    requests, gpu = chart.axis("Requests / hour"), chart.axis("GPU (%)")
    assert _y_span(requests)[1] < _y_span(gpu)[0]  # stacked: the second chart starts below the first
    assert _y_span(requests)[1] - _y_span(requests)[0] == pytest.approx(160)
    assert _y_span(gpu)[1] - _y_span(gpu)[0] == pytest.approx(120)
    assert _x(requests) == pytest.approx(_x(gpu))
    assert len(chart.by_role("mark", "rect")) == len(_rows("serving_metrics.csv"))  # one bar an hour
    titles = {i.text for i in chart.items if i.role == "title-text"}
    assert {"Model serving, last 48 hours", "Traffic and latency", "Hardware and errors"} <= titles


CONCAT = """\
title: Two
data: {values: [{step: 0, loss: 2.0, acc: 0.1}, {step: 1, loss: 1.5, acc: 0.4}]}
hconcat:
  - x: {field: step}
    layers: [{y: {field: loss}}]
  - x: {field: step}
    layers:
      - y: {field: acuracy}
"""


def test_concat_item_errors_point_at_the_items_own_lines() -> None:
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(CONCAT, file="c.yaml")
    [d] = caught.value.diagnostics
    assert (d.line, d.column) == (8, 20)
    assert d.message == "field 'acuracy' not in inline data" and "did you mean 'acc'" in d.hint
    assert d.path == ("hconcat", 1, "layers", 0, "y", "field")


def test_concat_item_schema_errors_and_clashes_are_located() -> None:
    text = CONCAT.replace("acuracy", "acc").replace("  - x: {field: step}\n    layers: [{y: {field: loss}}]\n",
                                                    "  - x: {field: step}\n    layerz: [{y: {field: loss}}]\n")
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(text + "layers: [{y: {field: loss}}]\n", file="c.yaml")
    found = {(d.line, d.column, d.message) for d in caught.value.diagnostics}
    assert (5, 5, "unknown key 'layerz'") in found
    assert (4, 5, "'hconcat[0]' is missing the required key 'layers'") in found
    assert (9, 1, "'layers' cannot be used together with 'hconcat'") in found


def test_concat_items_need_data_somewhere() -> None:
    text = "vconcat:\n  - x: {field: a}\n    layers: [{y: {field: b}}]\n"
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(text, file="c.yaml")
    [d] = caught.value.diagnostics
    assert (d.line, d.column, d.message) == (2, 5, "'vconcat[0]' is missing the required key 'data'")
    with pytest.raises(ChartspecError) as single:
        chartspec.loads("x: {field: a}\nlayers: [{y: {field: b}}]\n", file="s.yaml")
    assert [d.message for d in single.value.diagnostics] == ["the spec is missing the required key 'data'"]


def test_concat_compiles_to_an_altair_concat_chart_and_takes_a_patch() -> None:
    spec = chartspec.loads(CONCAT.replace("acuracy", "acc") + "vega_lite: {config: {axis: {labelFontSize: 12}}}\n")
    assert type(chartspec.compile(spec)).__name__ == "HConcatChart"
    vl = chartspec.to_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert vl["config"]["axis"]["labelFontSize"] == 12 and vl["config"]["axis"]["gridColor"] == "#dddddd"
    bad = CONCAT.replace("acuracy", "acc") + "vega_lite: {hconcat: null, spacing: wide}\n"
    with pytest.raises(ChartspecError) as caught:
        chartspec.to_vegalite(chartspec.loads(bad, file="c.yaml"))
    assert any(d.line == 9 for d in caught.value.diagnostics)  # located in the patch


# -- plain Vega-Lite --------------------------------------------------------------------------------

def test_plain_vega_lite_yaml_is_validated_inlined_and_rendered(built: Path) -> None:
    vl = _vl(built, "accuracy_heatmap")
    rows = _rows("optimizer_runs.csv")
    assert "url" not in vl["data"] and len(vl["data"]["values"]) == len(rows)
    assert vl["data"]["values"][0] == rows[0]  # the cells as Vega reads the file: text, typed by format.parse
    assert vl["data"]["format"] == {"parse": {"step": "number", "val_accuracy": "number"}}
    assert vl["mark"] == {"type": "rect", "tooltip": True}  # the rest exactly as written
    chart = _svg(built, "accuracy_heatmap")
    assert len(chart.by_role("mark", "rect")) == len(rows)
    assert chart.axis("Optimizer").label_texts == OPTIMIZERS
    assert chart.axis("Step").label_texts == ["0", "200", "400", "600", "800", "1000"]  # parsed steps meet the axis values
    assert "Val. accuracy" in {i.text for i in chart.items if i.tag == "text"}
    assert not (built / "accuracy_heatmap.vl.vl.json").exists()  # outputs are named without '.vl'


PROJECT = {
    "chartspec.toml": "",
    "data/t.csv": "a,b\n1,2\n2,5\n3,4\n",
    "charts/line.vl.json": json.dumps({"data": {"url": "../data/t.csv"}, "mark": "line", "encoding": {
        "x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}}}),
    "charts/bars.yaml": "$schema: https://vega.github.io/schema/vega-lite/v6.json\n"
                        "data: {url: ../data/t.csv}\nmark: bar\nencoding: {x: {field: a}, y: {field: b}}\n",
}


def test_plain_vega_lite_json_and_schema_detected_yaml_build(tmp_path: Path, run_cli: RunCli) -> None:
    root = write_tree(tmp_path / "p", PROJECT)
    out = root / "charts" / "out"  # inside the folder being built: its *.vl.json are outputs
    proc = run_cli("build", "charts", "-o", out, "-f", "svg,json", "-j", "0", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert {p.name for p in out.glob("*.svg")} == {"line.svg", "bars.svg"}
    line = json.loads((out / "line.vl.json").read_text())
    assert line["data"] == {"values": [{"a": "1", "b": "2"}, {"a": "2", "b": "5"}, {"a": "3", "b": "4"}]}  # Vega's CSV
    assert parse_svg(out / "bars.svg").by_role("mark", "rect")
    # a second build elsewhere does not take the first build's outputs for inputs
    assert [t.spec.name for t in discover([root / "charts"], root / "elsewhere")] == ["bars.yaml", "line.vl.json"]
    # incremental: the data file is an input of the plain Vega-Lite charts
    again = run_cli("build", "charts", "-o", out, "-f", "svg,json", "-j", "0", "-v", cwd=root)
    assert "nothing to do" in again.stdout + again.stderr or "up to date" in again.stdout + again.stderr
    (root / "data" / "t.csv").write_text("a,b\n1,2\n2,6\n", encoding="utf-8")
    os.utime(root / "data" / "t.csv", (1, 1))
    third = run_cli("build", "charts", "-o", out, "-f", "svg,json", "-j", "0", cwd=root)
    assert third.returncode == 0 and "2 built" in third.stdout + third.stderr, third.stdout + third.stderr
    assert json.loads((out / "line.vl.json").read_text())["data"]["values"][-1] == {"a": "2", "b": "6"}


@pytest.mark.parametrize("text, message, where, hint", [
    ("mark: lien\nencoding: {x: {field: a, type: quantitative}}\n", "'lien' is not a valid value here", (2, 7),
     "did you mean 'line'?"),
    ("mark: line\nencodng: {x: {field: a}}\n", "unknown key 'encodng'", (3, 1), "did you mean 'encoding'?"),
    ("mark: line\nencoding: {x: {field: a, scale: {tpye: log}}}\n", "unknown key 'tpye'", (3, 34),
     "did you mean 'type'?"),
])
def test_plain_vega_lite_schema_errors_are_located(tmp_path: Path, text: str, message: str,
                                                   where: tuple[int, int], hint: str) -> None:
    spec = write_tree(tmp_path, {"chartspec.toml": "", "c.vl.yaml": "data: {values: [{a: 1}]}\n" + text})
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(spec / "c.vl.yaml")
    [d] = caught.value.diagnostics
    assert (d.message, (d.line, d.column), d.hint) == (message, where, hint)


@pytest.mark.parametrize("url, message", [
    ("https://example.com/t.csv", "data must be a local file, not a URL (https://example.com/t.csv)"),
    ("../outside.csv", "data path '../outside.csv' leads outside the project"),
    ("data/missing.csv", "data file 'data/missing.csv' not found"),
])
def test_plain_vega_lite_data_urls_stay_offline_and_inside(tmp_path: Path, url: str, message: str) -> None:
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "data/t.csv": "a\n1\n", "../outside.csv": "a\n1\n",
                                       "c.vl.yaml": f"layer:\n  - data: {{url: '{url}'}}\n    mark: point\n"})
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(root / "c.vl.yaml")
    [d] = caught.value.diagnostics
    assert d.message.startswith(message) and (d.line, d.column) == (2, 17)


def test_plain_vega_lite_is_not_taken_for_a_chartspec_spec() -> None:
    plain = chartspec.loads("$schema: https://vega.github.io/schema/vega-lite/v6.json\n"
                            "data: {values: [{a: 1}]}\nmark: point\nencoding: {x: {field: a}}\n")
    assert chartspec.to_vegalite(plain)["mark"] == "point"
    own = chartspec.loads("$schema: ../schemas/chartspec.schema.json\n" + FACET_BASE)
    assert "layer" in chartspec.to_vegalite(own)
    assert re.search(r"unknown key 'mark'", str(pytest.raises(ChartspecError, chartspec.loads,
                                                              FACET_BASE + "mark: point\n").value))


def test_padding_belongs_to_the_whole_layout() -> None:
    text = CONCAT.replace("acuracy", "acc").replace("  - x: {field: step}\n    layers: [{y",
                                                    "  - padding: 5\n    x: {field: step}\n    layers: [{y")
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(text, file="c.yaml")
    [d] = caught.value.diagnostics
    assert (d.line, d.column) == (4, 5) and "whole layout" in d.message
    vl = chartspec.to_vegalite(chartspec.loads(CONCAT.replace("acuracy", "acc") + "padding: {left: 3}\n"))
    assert vl["padding"] == {"left": 3} and all("padding" not in part for part in vl["hconcat"])


def test_theme_and_background_belong_to_the_whole_layout_and_an_items_grid_to_its_axes() -> None:
    valid = CONCAT.replace("acuracy", "acc")
    for key, value in (("theme", "dark"), ("background", "'#eeeeee'")):
        text = valid.replace("  - x: {field: step}\n    layers: [{y", f"  - {key}: {value}\n    x: {{field: step}}\n    layers: [{{y")
        with pytest.raises(ChartspecError) as caught:
            chartspec.loads(text, file="c.yaml")
        [d] = caught.value.diagnostics
        assert (d.line, d.column) == (4, 5) and f"'{key}' applies to the whole layout" in d.message
        assert d.hint == f"set '{key}' at the top level"
    own_grid = valid.replace("  - x: {field: step}\n    layers:\n", "  - grid: {color: '#ff0000'}\n    x: {field: step}\n"
                                                                   "    layers:\n")
    vl = chartspec.to_vegalite(chartspec.loads(own_grid))
    chart = parse_svg(vlc.vegalite_to_svg(vl, vl_version=VEGA_LITE_VERSION))
    middle = chart.width / 2
    left = {g.stroke for a in chart.axes_all if a.grid and a.grid[0].x < middle for g in a.grid}
    right = {g.stroke for a in chart.axes_all if a.grid and a.grid[0].x > middle for g in a.grid}
    assert left == {"#dddddd"} and right == {"#ff0000"}  # the first chart keeps the default


@pytest.mark.parametrize("text, expected", [
    ("hconcat: [5]\n", [(1, 11, "'hconcat[0]': expected a mapping, got whole number 5")]),
    ("hconcat: []\n", [(1, 10, "'hconcat' needs at least 1 item(s), got 0")]),
    ("data: {values: [{a: 1}]}\nhconcat: [{x: {field: a}, layers: [{y: {field: a}}]}]\nvconcat: []\n",
     [(3, 1, "'vconcat' cannot be used together with 'hconcat'"),
      (3, 10, "'vconcat' needs at least 1 item(s), got 0")]),
])
def test_malformed_layouts_give_one_located_error_each(text: str, expected: list[tuple[int, int, str]]) -> None:
    with pytest.raises(ChartspecError) as caught:
        chartspec.loads(text, file="c.yaml")
    assert [(d.line, d.column, d.message) for d in caught.value.diagnostics] == expected


def test_a_layout_inside_a_layout_is_a_positioned_error() -> None:
    # found by the schema fuzz test: the nested layout reached the compiler, which lays out charts
    text = ("data: {values: [{step: 1, loss: 2}]}\nhconcat:\n  - vconcat:\n"
            "      - {x: {field: step}, layers: [{y: {field: loss}}]}\n  - {x: {field: step}, layers: [{y: {field: loss}}]}\n")
    with pytest.raises(ChartspecError) as err:
        chartspec.loads(text, file="nested.yaml")
    (d,) = err.value.diagnostics
    assert (d.line, d.column, d.message) == (3, 5, "a chart of a layout cannot itself be a layout ('vconcat')")
    assert d.hint == "list its charts in the top-level 'hconcat', or use 'facet'"
