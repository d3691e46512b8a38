"""The default HTML tooltip: every series' value at the hovered x, whatever shape the series have.

Compiled hover tables are checked against the gallery's CSV files (one column per layer, one
series per run of a ``color`` field, a layer's own file, folded columns, EMA-smoothed values,
facet panels), then the tooltip a real Chromium shows when hovering the built HTML.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vl_convert as vlc
from conftest import SPECS, assert_valid_vega_lite, build_specs, chromium_path
from playwright import sync_api
from svgchart import parse_svg

import chartspec
from chartspec.compiler.interactive import AREA_NAME, LAYER_NAME, NO_VALUE, static_view
from chartspec.compiler.layout import PART_FIELD

BROWSER_SPECS = ["series_lr_sweep_by_run", "data_layer_override_baseline", "layout_facet_optimizers"]


def hover_group(vl: dict[str, Any]) -> dict[str, Any]:
    found = [layer for layer in (vl.get("spec", vl))["layer"] if layer.get("name") == LAYER_NAME]
    assert len(found) == 1
    return found[0]


def hover_layer(vl: dict[str, Any]) -> dict[str, Any]:
    """The hover group's table and transforms, with the encoding of its rects (they hold the tooltip)."""
    group = hover_group(vl)
    area = next(layer for layer in group["layer"] if layer["name"] == AREA_NAME)
    return {**group, "encoding": area["encoding"], "params": area.get("params", [])}


def tooltip_titles(layer: dict[str, Any]) -> list[str]:
    return [item["title"] for item in layer["encoding"]["tooltip"]]


def columns_by_title(layer: dict[str, Any]) -> dict[str, str]:
    """Tooltip title -> the hover table column holding that series' numbers."""
    return {item["title"]: item["field"].removesuffix("_text") for item in layer["encoding"]["tooltip"]
            if item["field"].endswith("_text")}


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def compiled(name: str) -> dict[str, Any]:
    vl = chartspec.to_vegalite(SPECS / f"{name}.yaml")
    assert_valid_vega_lite(vl)
    return vl


# -- the hover table --------------------------------------------------------------------------------

def test_a_color_field_layer_lists_every_run_at_each_step() -> None:
    layer = hover_layer(compiled("series_lr_sweep_by_run"))
    rows = read_csv(SPECS / "data" / "lr_sweep_loss.csv")
    runs = sorted({r["run"] for r in rows})
    assert tooltip_titles(layer) == ["Training step", *runs]  # legend order: runs sorted
    table = {row["step"]: row for row in layer["data"]["values"]}
    assert sorted(table) == sorted({int(r["step"]) for r in rows})
    column = columns_by_title(layer)
    for r in rows:
        assert table[int(r["step"])][column[r["run"]]] == pytest.approx(float(r["loss"]))


def test_a_layer_with_its_own_file_joins_the_others_by_x() -> None:
    layer = hover_layer(compiled("data_layer_override_baseline"))
    column = columns_by_title(layer)
    table = {row["step"]: row for row in layer["data"]["values"]}
    for title, path in (("Tuned (lr 1e-3)", "runs/lr_1e-3/metrics.csv"), ("Baseline (lr 1e-4)", "runs/lr_1e-4/metrics.csv")):
        for r in read_csv(SPECS / "data" / path):
            assert table[int(r["step"])][column[title]] == pytest.approx(float(r["loss"]))


def test_folded_columns_and_smoothed_values_are_what_the_lines_draw() -> None:
    fold = hover_layer(compiled("transform_fold_train_val_loss"))
    assert tooltip_titles(fold)[1:] == ["train_loss", "val_loss"]  # series made by the fold
    smoothed = compiled("data_ema_smoothed_reward")
    layer = hover_layer(smoothed)
    (title, column), = columns_by_title(layer).items()
    line = {row["episode"]: row["__smooth_0"] for row in smoothed["data"]["values"]}
    drawn = {row["episode"]: row[column] for row in layer["data"]["values"]}
    assert drawn == line and len(drawn) > 100  # the EMA, not the raw reward
    assert any(row["reward"] != line[row["episode"]] for row in smoothed["data"]["values"])


#: (CSV text, the EMA (weight 0.5) the line draws per step): a log with an empty cell, with a NaN,
#: with a metric logged on rows of its own (Lightning's CSVLogger), a resumed run's repeated steps
_GAPPED = {
    "empty": ("step,loss\n0,1\n1,3\n2,\n3,2\n4,5\n", {0: 1.0, 1: 7 / 3, 3: 15 / 7, 4: 11 / 3}),
    "nan": ("step,loss\n0,1\n1,3\n2,nan\n3,2\n4,5\n", {0: 1.0, 1: 7 / 3, 3: 15 / 7, 4: 11 / 3}),
    "sparse": ("step,loss,val\n0,1,\n1,3,\n1,,2.5\n3,2,\n4,5,\n", {0: 1.0, 1: 7 / 3, 3: 15 / 7, 4: 11 / 3}),
    "resumed": ("step,loss\n0,1\n1,2\n2,3\n1,20\n2,30\n3,40\n", {0: 1.0, 1: 41 / 3, 2: 23.0, 3: 481 / 15}),
}


@pytest.mark.parametrize("engine", [False, True], ids=["rows", "engine"])
@pytest.mark.parametrize("case", sorted(_GAPPED))
def test_a_smoothed_layer_hovers_its_ema_through_gaps_and_resumed_steps(tmp_path: Path, case: str,
                                                                         engine: bool) -> None:
    text, ema = _GAPPED[case]
    data = tmp_path / "log.csv"
    data.write_text(text, encoding="utf-8")
    if engine:  # Parquet: read by the data engine, smoothed there (smoothframe.py)
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        pq.write_table(pacsv.read_csv(data), data := tmp_path / "log.parquet")
    spec = tmp_path / "c.yaml"
    spec.write_text(f"data: {data.name}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}, smooth: {{ema: 0.5}}}}]\n",
                    encoding="utf-8")
    vl = compiled_file(spec)
    (_, column), = columns_by_title(hover_layer(vl)).items()
    hovered = {row["step"]: row[column] for row in hover_layer(vl)["data"]["values"] if column in row}
    line = {row["step"]: row["__smooth_0"] for row in vl["data"]["values"] if row.get("__smooth_0") is not None}
    assert hovered == pytest.approx(ema) and line == pytest.approx(ema)  # the EMA, not the raw loss


def compiled_file(path: Path) -> dict[str, Any]:
    vl = chartspec.to_vegalite(path)
    assert_valid_vega_lite(vl)
    return vl


def test_every_series_is_written_in_its_axis_format_and_a_gap_as_a_dash() -> None:
    vl = chartspec.to_vegalite(chartspec.loads(
        "data: {values: [{s: 0, a: 1, c: 1234567}, {s: 1, a: 2, c: 0.000123456789}, {s: 2, a: 3, c: 59.1382329255}]}\n"
        "x: {field: s}\nlayers:\n"
        "  - {name: A, y: {field: a, format: '.1f'}}\n"
        "  - {name: B, data: {values: [{s: 0, b: 0.5}, {s: 2, b: 0.25}]}, y: {field: b, format: '.0%'}}\n"
        "  - {name: C, y: {field: c}}\n"
        "  - {name: D, data: {values: [{s: 2, d: 7}]}, y: {field: d}}\n"))
    layer = hover_layer(vl)
    # run the tooltip's expressions in Vega itself: one text mark per tooltip column, a row per x
    texts = [t["as"] for t in layer["transform"]]
    probe = {"data": layer["data"], "transform": layer["transform"], "layer": [
        {"mark": "text", "encoding": {"y": {"field": "s", "type": "ordinal"}, "x": {"datum": name, "type": "nominal"},
                                      "text": {"field": name, "type": "nominal"}}} for name in texts]}
    written = parse_svg(vlc.vegalite_to_svg(probe)).texts("mark")
    assert sorted(written) == sorted(["1.0", "2.0", "3.0", "50%", "50% (at 0)", "25%",  # the axes' formats
                                      "1,234,567", "0.000123457", "59.1382",  # no format: 6 digits
                                      NO_VALUE, NO_VALUE, "7"])  # B at s=1: its nearest x (a tie: the earlier)


def test_labels_and_heatmaps_are_not_series_and_numbers_default_to_six_digits() -> None:
    bars = hover_layer(compiled("marks_bar_line_dual_axis"))
    marks = {layer.name: layer.mark for layer in chartspec.load(SPECS / "marks_bar_line_dual_axis.yaml").model.layers}
    listed = tooltip_titles(bars)[1:]
    assert listed and all(marks[name] != "text" for name in listed) and len(listed) == sum(
        mark != "text" for mark in marks.values())  # every series but the text labels
    heatmap = chartspec.to_vegalite(SPECS / "marks_heatmap_lr_batch.yaml")
    assert LAYER_NAME not in str(heatmap)  # cells keep their own tooltips
    smoothed = hover_layer(compiled("data_ema_smoothed_reward"))
    probe = {"data": smoothed["data"], "transform": smoothed["transform"], "mark": "text",
             "encoding": {"y": {"field": "episode", "type": "ordinal"}, "text": {"field": "__hover_0_text"}}}
    written = parse_svg(vlc.vegalite_to_svg(probe)).texts("mark")
    assert written and all(len(t.lstrip("\u2212-").replace(".", "").lstrip("0")) <= 6 for t in written)  # d3: U+2212
    assert any("." in t for t in written)  # not rounded to whole numbers either


def test_a_layer_drawn_through_a_vega_expression_is_shown_if_python_can_run_it_else_left_out() -> None:
    text = ("data: {values: [{s: 0, a: 1}, {s: 1, a: 2}]}\nx: {field: s}\nlayers:\n  - {name: A, y: {field: a}}\n"
            "  - {name: Doubled, transform: [{calculate: EXPR, as: d}], y: {field: d}}\n")
    known = hover_layer(chartspec.to_vegalite(chartspec.loads(text.replace("EXPR", "datum.a * 2"))))
    assert tooltip_titles(known) == ["s", "A", "Doubled"]
    column = columns_by_title(known)["Doubled"]
    assert [row[column] for row in known["data"]["values"]] == [2, 4]
    unknown = chartspec.to_vegalite(chartspec.loads(text.replace("EXPR", "'datum.a * 2'").replace(
        "datum.a * 2", "random() + datum.a")))  # random: no value to show ahead of time
    assert tooltip_titles(hover_layer(unknown)) == ["s", "A"]


def test_interactive_false_and_no_tooltip_leave_the_table_out() -> None:
    base = "data: {values: [{s: 0, a: 1}, {s: 1, a: 2}]}\nx: {field: s}\nlayers: [{y: {field: a}}]\n"
    assert LAYER_NAME not in str(chartspec.to_vegalite(chartspec.loads("interactive: false\n" + base)))
    layer = hover_layer(chartspec.to_vegalite(chartspec.loads("interactive: {tooltip: false}\n" + base)))
    assert "tooltip" not in layer["encoding"] and "transform" not in layer  # the hover rule only
    assert [p["name"] for p in layer["params"]] == ["chartspec_hover"]


# -- facets: the hover rows and a layer's own rows are split into panels ------------------------------

FACETED = ("data: {values: [{g: a, s: 0, v: 1}, {g: a, s: 1, v: 2}, {g: b, s: 0, v: 5}, {g: b, s: 1, v: 6}]}\n"
           "facet: {field: g}\nx: {field: s}\nlayers:\n  - {name: V, y: {field: v, axis: v}}\n"
           "  - {name: W, mark: point, y: {field: w, axis: v},\n"
           "     data: {values: [{g: a, s: 0, w: 1.5}, {g: b, s: 0, w: 5.5}, {g: b, s: 1, w: 6.5}]}}\n")


def test_facet_tooltip_names_the_panel_and_holds_only_its_rows() -> None:
    vl = chartspec.to_vegalite(chartspec.loads(FACETED))
    assert_valid_vega_lite(vl)
    layer = hover_layer(vl)
    assert tooltip_titles(layer) == ["g", "s", "V", "W"]
    assert "data" not in layer and f'"{LAYER_NAME}"' in layer["transform"][0]["filter"]
    rows = [r for r in vl["data"]["values"] if r.get(PART_FIELD) == LAYER_NAME]
    column = columns_by_title(layer)
    assert [(r["g"], r["s"], r[column["V"]], r.get(column["W"])) for r in rows] == [
        ("a", 0, 1, 1.5), ("a", 1, 2, None), ("b", 0, 5, 5.5), ("b", 1, 6, 6.5)]
    static = static_view(vl)
    assert all(PART_FIELD not in r or r[PART_FIELD] != LAYER_NAME for r in static["data"]["values"])


def test_a_layers_own_rows_are_drawn_in_their_panel_only() -> None:
    static = static_view(chartspec.to_vegalite(chartspec.loads(FACETED)))
    assert not [node for node in walk(static["spec"]) if "data" in node]  # everything is split by the facet
    chart = parse_svg(vlc.vegalite_to_svg(static))
    points = [p for p in chart.by_role("mark", "symbol") if "; W: " in p.attrib["aria-label"]]
    assert sorted(p.attrib["aria-label"].rsplit(" ", 1)[1] for p in points) == ["1.5", "5.5", "6.5"]  # not twice


def test_annotations_are_drawn_in_every_panel() -> None:
    text = FACETED + "annotations:\n  - {hline: 3, color: '#ff00aa'}\n  - {vline: 0.5, color: '#00aaff'}\n"
    svg = vlc.vegalite_to_svg(static_view(chartspec.to_vegalite(chartspec.loads(text))))
    assert svg.count('stroke="#ff00aa"') == 2 and svg.count('stroke="#00aaff"') == 2


# -- in the browser ----------------------------------------------------------------------------------

NOMINAL = """title: Categories on x
data: {values: [{m: a, v: 1, w: 3}, {m: b, v: 2, w: 1}, {m: c, v: 3, w: 2}]}
x: {field: m, type: nominal}
layers:
  - {name: V, y: {field: v}}
  - {name: W, mark: bar, y: {field: w}}
"""


def test_categories_on_x_are_caught_by_rules_a_category_wide() -> None:
    vl = chartspec.to_vegalite(chartspec.loads(NOMINAL))
    area = next(layer for layer in hover_group(vl)["layer"] if layer["name"] == AREA_NAME)
    assert area["mark"]["type"] == "rule" and area["mark"]["strokeWidth"] == 600 / 3  # the plot's share of one
    assert "x2" not in area["encoding"] and area["encoding"]["x"]["field"] == "m"


@pytest.fixture(scope="module")
def browser_tab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    extra = tmp_path_factory.mktemp("hover_specs") / "nominal_hover.yaml"
    extra.write_text(NOMINAL, encoding="utf-8")
    out = build_specs(tmp_path_factory.mktemp("hover"), [*(SPECS / f"{name}.yaml" for name in BROWSER_SPECS), extra],
                      "html")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                      else route.abort())
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        yield tab, out
        assert not errors, errors
        browser.close()


TOOLTIP_JS = """() => [...document.querySelectorAll('#vg-tooltip-element tr')]
  .map(tr => [tr.querySelector('.key').textContent.replace(/:$/, ''), tr.querySelector('.value').textContent])"""
HOVER_GROUPS_JS = """() => [...document.querySelectorAll('.chartspec-chart svg.marks g.role-mark')]
  .filter(g => g.getAttribute('class').split(' ').includes('""" + AREA_NAME + """_marks'))
  .map(g => { const b = g.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; })"""


def hover_tooltip(tab: Any, page: Path, at: float = 0.5) -> list[dict[str, str]]:
    """Open ``page``, hover each panel at ``at`` of its width; the tooltip's rows per panel."""
    tab.goto(page.as_uri())
    tab.wait_for_function("() => document.querySelector('figure.chartspec').getAttribute('data-chartspec')"
                          " === 'ready'", timeout=15_000)
    found = []
    for x, y, width, height in tab.evaluate(HOVER_GROUPS_JS):
        tab.mouse.move(1, 1)
        tab.wait_for_selector("#vg-tooltip-element.visible", state="hidden", timeout=5_000)
        tab.mouse.move(x + width * at, y + height / 2)
        tab.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
        found.append(dict(tab.evaluate(TOOLTIP_JS)))
    assert found, "no hover layer in the page"
    return found


def number(text: str) -> float:
    return float(text.replace(",", "").replace("\u2212", "-"))


def test_hovering_a_sweep_lists_every_run_at_that_step(browser_tab: tuple[Any, Path]) -> None:
    tab, out = browser_tab
    (shown,) = hover_tooltip(tab, out / "series_lr_sweep_by_run.html")
    rows = read_csv(SPECS / "data" / "lr_sweep_loss.csv")
    step = number(shown.pop("Training step"))
    assert sorted(shown) == sorted({r["run"] for r in rows})
    expected = {r["run"]: float(r["loss"]) for r in rows if float(r["step"]) == step}
    assert {run: number(value) for run, value in shown.items()} == pytest.approx(expected, abs=1e-9)


def test_hovering_two_files_shows_both_runs(browser_tab: tuple[Any, Path]) -> None:
    tab, out = browser_tab
    (shown,) = hover_tooltip(tab, out / "data_layer_override_baseline.html", at=0.3)
    step = number(shown["Step"])
    for title, path in (("Tuned (lr 1e-3)", "runs/lr_1e-3/metrics.csv"), ("Baseline (lr 1e-4)", "runs/lr_1e-4/metrics.csv")):
        value = next(float(r["loss"]) for r in read_csv(SPECS / "data" / path) if float(r["step"]) == step)
        assert math.isclose(number(shown[title]), value, rel_tol=1e-9)


def test_hovering_each_facet_panel_shows_that_panels_values(browser_tab: tuple[Any, Path]) -> None:
    tab, out = browser_tab
    shown = hover_tooltip(tab, out / "layout_facet_optimizers.html")
    rows = read_csv(SPECS / "data" / "optimizer_runs.csv")
    assert sorted(s["optimizer"] for s in shown) == sorted({r["optimizer"] for r in rows})
    for panel in shown:
        step = number(panel["Step"])
        row = next(r for r in rows if r["optimizer"] == panel["optimizer"] and float(r["step"]) == step)
        assert math.isclose(number(panel["Training loss"]), float(row["loss"]), rel_tol=1e-9)


def test_hovering_a_category_shows_its_values(browser_tab: tuple[Any, Path]) -> None:
    tab, out = browser_tab
    for at, expected in ((0.15, {"m": "a", "V": "1", "W": "3"}), (0.5, {"m": "b", "V": "2", "W": "1"}),
                         (0.85, {"m": "c", "V": "3", "W": "2"})):
        (shown,) = hover_tooltip(tab, out / "nominal_hover.html", at=at)
        assert shown == expected
