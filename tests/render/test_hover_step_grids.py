"""Runs logged on different step grids: the tooltip shows each run at its nearest logged step.

The rule (chartspec/data/nearest.py): nearest in x, a tie goes to the earlier step, and only within
the run's own logging interval (the median distance between its steps); the step is shown when it
is not the hovered one. Checked on the rule itself, on the HTML's embedded hover table (small and
reduced data), and in Chromium by hovering the built page.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import assert_valid_vega_lite, build_specs, write_tree

import chartspec
from chartspec.compiler.interactive import AREA_NAME, LAYER_NAME, NO_VALUE
from chartspec.data.nearest import nearest_logged

# -- the rule ---------------------------------------------------------------------------------------


def test_nearest_logged_step_ties_go_to_the_earlier_and_reach_is_one_interval() -> None:
    logged = [0, 25, 50, 75, 100]
    wanted = [0, 10, 12.5, 13, 110, 125, 125.1, -25, -26]
    assert nearest_logged(logged, wanted).tolist() == [0, 0, 0, 1, 4, 4, -1, 0, -1]


def test_a_hole_in_the_log_and_a_single_step_answer_only_near_what_was_logged() -> None:
    logged = [0, 10, 20, 30, 100, 110]  # an outage from 30 to 100; interval 10
    assert nearest_logged(logged, [40, 65, 90, 95]).tolist() == [3, -1, 4, 4]
    assert nearest_logged([50], [50, 50.5]).tolist() == [0, -1]
    assert nearest_logged([], [1.0]).tolist() == [-1]


def test_nearest_logged_is_vectorised_for_a_million_steps() -> None:
    logged = np.arange(0, 3_000_000, 3, dtype=float)  # 10^6 steps
    wanted = np.arange(0, 3_000_000, 2, dtype=float)  # 1.5 * 10^6 positions
    started = time.perf_counter()
    found = nearest_logged(logged, wanted)
    assert time.perf_counter() - started < 2.0  # numpy; a Python loop over the rows takes minutes
    assert found[:4].tolist() == [0, 1, 1, 2]  # 0 -> 0, 2 -> 3, 4 -> 3, 6 -> 6
    assert (found >= 0).all()


# -- the hover table a page embeds --------------------------------------------------------------------

RUNS_SPEC = """data: {files: "runs/*/metrics.tsv", as: run}
x: {field: step, title: Step}
layers:
  - y: {field: loss, title: Loss}
    color: {field: run}
"""


def loss(run: str, step: int) -> float:
    return round(2.0 * math.exp(-step / (100 if run == "a" else 150)), 4)


def runs_project(root: Path, *, a_to: int = 300, b_to: int = 200) -> Path:
    """Run a logged every 10 steps to ``a_to``, run b every 25 to ``b_to`` (TSV, one folder each)."""
    files = {"chartspec.toml": "", "grids.yaml": RUNS_SPEC}
    for run, every, last in (("a", 10, a_to), ("b", 25, b_to)):
        lines = [f"{s}\t{loss(run, s)}" for s in range(0, last + 1, every)]
        files[f"runs/{run}/metrics.tsv"] = "step\tloss\n" + "\n".join(lines) + "\n"
    return write_tree(root, files)


def hover_group(vl: dict[str, Any]) -> dict[str, Any]:
    (group,) = [layer for layer in vl["layer"] if layer.get("name") == LAYER_NAME]
    return group


def columns_by_title(group: dict[str, Any]) -> dict[str, str]:
    area = next(layer for layer in group["layer"] if layer["name"] == AREA_NAME)
    return {t["title"]: t["field"].removesuffix("_text") for t in area["encoding"]["tooltip"]
            if t["field"].endswith("_text")}


def expected_at(steps: list[int], hovered: float) -> int | None:
    """The rule, written out plainly: nearest step, ties to the earlier, within one interval."""
    interval = float(np.median(np.diff(steps)))
    best = min(steps, key=lambda s: (abs(s - hovered), s))
    return best if abs(best - hovered) <= interval else None


def test_every_run_is_shown_at_its_nearest_step_with_that_step(tmp_path: Path) -> None:
    root = runs_project(tmp_path)
    vl = chartspec.to_vegalite(root / "grids.yaml")
    assert_valid_vega_lite(vl)
    group = hover_group(vl)
    column = columns_by_title(group)
    assert sorted(column) == ["a", "b"]
    grids = {"a": list(range(0, 301, 10)), "b": list(range(0, 201, 25))}
    rows = group["data"]["values"]
    assert [r["step"] for r in rows] == sorted(set(grids["a"]) | set(grids["b"]))  # one row per logged step
    for row in rows:
        for run, steps in grids.items():
            at = expected_at(steps, row["step"])
            field = column[run]
            if at is None:
                assert field not in row and field + "_at" not in row, (run, row)
                continue
            assert row[field] == loss(run, at), (run, row)
            assert row.get(field + "_at") == (None if at == row["step"] else at), (run, row)
    by_step = {r["step"]: r for r in rows}
    assert by_step[25][column["a"] + "_at"] == 20  # 20 and 30 are as near: the earlier
    assert column["b"] not in by_step[230]  # b ended at 200: more than one interval (25) before


def test_the_tooltip_text_names_the_step_a_value_comes_from(tmp_path: Path) -> None:
    """The tooltip's texts, computed by Vega from the embedded table: a value from another step says
    which step; a value from the hovered step does not; a run that has ended shows a dash."""
    import vl_convert as vlc
    from svgchart import parse_svg

    group = hover_group(chartspec.to_vegalite(runs_project(tmp_path) / "grids.yaml"))
    column = columns_by_title(group)
    probe = {"data": group["data"], "transform": [*group["transform"], {"filter": "indexof([20, 25, 230], datum.step) >= 0"}],
             "layer": [{"mark": "text", "encoding": {
                 "y": {"field": "step", "type": "ordinal"}, "x": {"datum": run, "type": "nominal"},
                 "text": {"field": column[run] + "_text", "type": "nominal"}}} for run in ("a", "b")]}
    written = sorted(parse_svg(vlc.vegalite_to_svg(probe)).texts("mark"))
    assert written == sorted([f"{loss('a', 20)}", f"{loss('a', 20)} (at 20)", f"{loss('a', 230)}",
                              f"{loss('b', 25)} (at 25)", f"{loss('b', 25)}", NO_VALUE])


def test_reduced_runs_keep_one_hover_row_per_pixel_column_and_every_run_in_it(tmp_path: Path) -> None:
    """Large files are cut to what the pixels show (M4) and the hover table to one row per pixel
    column; each row still shows both runs, from their nearest drawn step."""
    lines = {"a": np.arange(0, 150_000, 1), "b": np.arange(0, 150_000, 7)}
    files = {"chartspec.toml": "", "grids.yaml": RUNS_SPEC}
    for run, steps in lines.items():
        values = np.round(np.exp(-steps / 50_000) + 0.01 * np.sin(steps / 40), 5)
        files[f"runs/{run}/metrics.tsv"] = "step\tloss\n" + "\n".join(
            f"{s}\t{v}" for s, v in zip(steps.tolist(), values.tolist())) + "\n"
    root = write_tree(tmp_path, files)
    vl = chartspec.to_vegalite(root / "grids.yaml")
    assert_valid_vega_lite(vl)
    drawn = vl["data"]["values"]
    assert len(drawn) < 30_000  # reduced: 150,000 + 21,429 rows in the files
    group = hover_group(vl)
    rows = group["data"]["values"]
    assert 300 <= len(rows) <= 601  # one per pixel column of the 600 px plot (and the last x)
    column = columns_by_title(group)
    drawn_at = {run: {r["step"]: r["loss"] for r in drawn if r["run"] == run} for run in lines}
    for row in rows:
        for run in lines:
            at = row.get(column[run] + "_at", row["step"])
            assert row[column[run]] == drawn_at[run][at]  # a value the line draws, at its step
            assert abs(at - row["step"]) <= 250  # near the hovered step (a pixel column is 250 steps)


def test_an_unreduced_chart_of_many_steps_keeps_one_hover_row_per_pixel_column(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'reduce: false' draws every row, but the tooltip, which the pointer reads one pixel column
    at a time, is cut like a reduced chart's: 6,000 steps of two series at 200 px were handed to
    Vega twice (the rows and a 6,000-row hover table), refused under a limit of 10,000 rows."""
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "10000")
    steps = np.arange(6_000)
    csv = "step,loss,reward\n" + "".join(f"{s},{1 + s % 7},{s % 5}\n" for s in steps.tolist())
    root = write_tree(tmp_path, {"chartspec.toml": "", "run.csv": csv, "big.yaml": (
        "data: run.csv\nwidth: 200\nreduce: false\nx: {field: step}\n"
        "layers:\n  - {name: L, y: {field: loss}}\n  - {name: R, y: {field: reward}}\n")})
    vl = chartspec.to_vegalite(root / "big.yaml")
    assert_valid_vega_lite(vl)
    assert len(vl["data"]["values"]) == 6_000  # every row drawn
    group = hover_group(vl)
    rows = group["data"]["values"]
    assert 100 <= len(rows) <= 201, len(rows)  # one per pixel column of the 200 px plot
    column = columns_by_title(group)
    for row in rows:  # the values drawn at each row's step
        assert row[column["L"]] == 1 + row["step"] % 7 and row[column["R"]] == row["step"] % 5


def test_a_log_x_measures_nearness_in_log_steps() -> None:
    vl = chartspec.to_vegalite(chartspec.loads(
        "data: {values: [{s: 1, a: 1}, {s: 20, a: 2}, {s: 100, a: 3}]}\nx: {field: s, scale: log}\nlayers:\n"
        "  - {name: A, y: {field: a}}\n"
        "  - {name: B, data: {values: [{s: 4, b: 5}, {s: 40, b: 6}]}, y: {field: b}}\n"))
    group = hover_group(vl)
    b = columns_by_title(group)["B"]
    by_step = {r["s"]: (r.get(b), r.get(b + "_at")) for r in group["data"]["values"]}
    # 20 is nearer 40 than 4 on the log scale (ratios 2 and 5), though nearer 4 in plain numbers
    assert by_step[20] == (6, 40) and by_step[1] == (5, 4) and by_step[100] == (6, 40)


def test_a_time_axis_shows_the_logged_time_in_utc() -> None:
    vl = chartspec.to_vegalite(chartspec.loads(
        "data: {values: [{t: '2024-01-01T00:00:00Z', a: 1}, {t: '2024-01-01T01:00:00Z', a: 2},"
        " {t: '2024-01-01T02:00:00Z', a: 3}]}\nx: {field: t, type: temporal}\nlayers:\n  - {name: A, y: {field: a}}\n"
        "  - {name: B, data: {values: [{t: '2024-01-01T00:10:00Z', b: 5}, {t: '2024-01-01T01:40:00Z', b: 6}]},"
        " y: {field: b}}\n"))
    group = hover_group(vl)
    b = columns_by_title(group)["B"]
    # the ISO text reaches Vega as UTC epoch milliseconds (data/dates.py): 02:00 UTC
    row = next(r for r in group["data"]["values"] if r["t"] == 1704074400000)
    assert row[b] == 6 and row[b + "_at"] == 1704073200000  # 01:40 UTC, in epoch milliseconds
    (text,) = [t["calculate"] for t in group["transform"] if t["as"] == b + "_text"]
    assert "utcFormat(" in text


# -- in the browser ------------------------------------------------------------------------------------

TOOLTIP_JS = """() => Object.fromEntries([...document.querySelectorAll('#vg-tooltip-element tr')]
  .map(tr => [tr.querySelector('.key').textContent.replace(/:$/, ''), tr.querySelector('.value').textContent]))"""
AREA_JS = """() => { const g = [...document.querySelectorAll('.chartspec-chart svg.marks g.role-mark')]
  .find(g => g.getAttribute('class').split(' ').includes('""" + AREA_NAME + """_marks'));
  const b = g.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; }"""


def test_hovering_runs_on_two_grids_shows_both_with_the_step_of_each(browser: Any, tmp_path: Path) -> None:
    root = runs_project(tmp_path / "project")
    out = build_specs(tmp_path / "out", [root / "grids.yaml"], "html")
    tab = browser.new_page(viewport={"width": 1000, "height": 700})
    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://") else route.abort())
    try:
        tab.goto((out / "grids.html").as_uri())
        tab.wait_for_function("() => document.querySelector('figure.chartspec').getAttribute('data-chartspec')"
                              " === 'ready'", timeout=15_000)
        x, y, width, height = tab.evaluate(AREA_JS)
        for step, shown in ((20, {"a": f"{loss('a', 20)}", "b": f"{loss('b', 25)} (at 25)"}),
                            (25, {"a": f"{loss('a', 20)} (at 20)", "b": f"{loss('b', 25)}"}),
                            (280, {"a": f"{loss('a', 280)}", "b": NO_VALUE})):
            tab.mouse.move(1, 1)
            tab.wait_for_selector("#vg-tooltip-element.visible", state="hidden", timeout=5_000)
            tab.mouse.move(x + width * step / 300, y + height / 2)
            tab.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
            assert tab.evaluate(TOOLTIP_JS) == {"Step": str(step), **shown}
    finally:
        tab.close()


def test_the_static_chart_is_unchanged_by_the_hover_table(tmp_path: Path) -> None:
    """The nearest values live in the hover layer only: what SVG and PNG draw has every run's own rows."""
    from conftest import drawn_vegalite

    static = drawn_vegalite(runs_project(tmp_path) / "grids.yaml")
    assert LAYER_NAME not in str(static)
    b_rows = [r for r in static["data"]["values"] if r["run"] == "b"]
    assert [r["step"] for r in b_rows] == list(range(0, 201, 25))
