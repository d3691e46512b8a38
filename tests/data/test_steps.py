"""Training logs as they are (data/steps.py): resumed runs, metrics on alternating rows, holes.

Every test runs on both readers: the Python one (small files) and the engine (``ENGINE_BYTES``
lowered to 0, so DuckDB reads the same small file and the rules run on its table). What a
layer draws is read back from the loaded rows: the rows whose ``__layers`` bit is set.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.data.smoothing import draws
from chartspec.data.steps import decide, piece_column
from chartspec.errors import ChartspecError

RESUMED = "step,loss\n0,2.0\n10,1.6\n20,1.5\n30,1.7\n20,1.3\n30,1.1\n40,0.9\n"
ALTERNATING = "step,train_loss,val_loss\n10,1.9,\n20,1.7,\n20,,1.8\n30,1.5,\n40,1.3,\n40,,1.5\n50,1.2,\n60,1.1,\n60,,1.35\n"


@pytest.fixture(params=["python", "engine"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "engine":
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0)
    return str(request.param)


def _load(tmp_path: Path, csv: str, body: str) -> chartspec.Spec:
    write_tree(tmp_path, {"chartspec.toml": "", "m.csv": csv, "chart.yaml": "data: m.csv\nx: {field: step}\n" + body})
    return chartspec.load(tmp_path / "chart.yaml")


def _drawn(spec: chartspec.Spec, index: int, field: str, value: str | None = None) -> list[tuple[Any, Any]]:
    """(x, value) of the rows layer ``index`` draws, in x order (as Vega-Lite sorts a line)."""
    rows = [r for r in spec.table.rows if draws(r, index) and r.get(field) is not None]
    return sorted((r["step"], r[value or field]) for r in rows)


def test_resumed_run_draws_the_later_rows_with_a_note(tmp_path: Path, path_kind: str) -> None:
    spec = _load(tmp_path, RESUMED, "layers: [{y: {field: loss}}]\n")
    assert _drawn(spec, 0, "loss") == [(0, 2.0), (10, 1.6), (20, 1.3), (30, 1.1), (40, 0.9)]
    [note] = spec.notes
    assert note.severity == "note" and note.line == 3
    assert note.message == ("2 rows of m.csv repeat an x value of series 'loss' (first at step 20); "
                            "the later rows are drawn")


def test_the_hint_suggests_colouring_only_a_layer_not_yet_split_into_series(tmp_path: Path, path_kind: str) -> None:
    spec = _load(tmp_path, RESUMED, "layers: [{y: {field: loss}}]\n")
    assert "colour the layer by the field telling them apart" in spec.notes[0].hint
    runs = "step,loss,run\n" + "".join(f"{line},a\n" for line in RESUMED.splitlines()[1:])
    spec = _load(tmp_path, runs, "layers: [{y: {field: loss}, color: {field: run}}]\n")
    [note] = spec.notes
    assert "run 'a'" in note.message and "colour the layer" not in note.hint  # it already is


def test_duplicates_first_and_all(tmp_path: Path, path_kind: str) -> None:
    spec = _load(tmp_path, RESUMED, "duplicates: first\nlayers: [{y: {field: loss}}]\n")
    assert _drawn(spec, 0, "loss") == [(0, 2.0), (10, 1.6), (20, 1.5), (30, 1.7), (40, 0.9)]
    assert "the earlier rows are drawn" in spec.notes[0].message
    spec = _load(tmp_path, RESUMED, "layers: [{y: {field: loss}, duplicates: all}]\n")
    assert len(_drawn(spec, 0, "loss")) == 7 and spec.notes == ()


def test_smoothing_runs_on_the_rows_drawn(tmp_path: Path, path_kind: str) -> None:
    spec = _load(tmp_path, RESUMED, "layers: [{y: {field: loss}, smooth: {ema: 0.6}}]\n")
    from chartspec.data.layerdata import layer_data
    from chartspec.data.smoothing import ema

    main = layer_data(spec).main
    got = sorted((r["step"], r["__smooth_0"]) for r in main.rows if draws(r, 0))
    assert [v for _, v in got] == pytest.approx(ema([2.0, 1.6, 1.3, 1.1, 0.9], 0.6))
    with pytest.raises(ChartspecError) as err:
        _load(tmp_path, RESUMED, "duplicates: all\nlayers: [{y: {field: loss}, smooth: {ema: 0.6}}]\n")
    assert err.value.diagnostics[0].message == (
        "cannot smooth: x value 20 occurs more than once, and 'duplicates: all' keeps every row")


def test_alternating_rows_each_series_through_its_own_values(tmp_path: Path, path_kind: str) -> None:
    body = ("layers:\n  - {y: {field: train_loss, axis: loss}, smooth: {ema: 0.6}}\n"
            "  - {y: {field: val_loss, axis: loss}}\n")
    spec = _load(tmp_path, ALTERNATING, body)
    assert spec.notes == ()  # a row where a layer's y is empty is not a repeat
    assert _drawn(spec, 0, "train_loss") == [(10, 1.9), (20, 1.7), (30, 1.5), (40, 1.3), (50, 1.2), (60, 1.1)]
    assert _drawn(spec, 1, "val_loss") == [(20, 1.8), (40, 1.5), (60, 1.35)]
    # rows without the layer's y are not drawn by it: nothing breaks its line, no piece column
    assert all(r["train_loss"] is not None for r in spec.table.rows if draws(r, 0))
    assert piece_column(0) not in spec.table.columns and piece_column(1) not in spec.table.columns


def _hourly(missing: range, empty_cells: bool) -> str:
    lines = ["hour,cpu"]
    for h in range(48):
        if h in missing:
            if empty_cells:
                lines.append(f"{h},")
            continue
        lines.append(f"{h},{50 + (h * 7) % 13}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("empty_cells", [False, True], ids=["rows-missing", "cells-empty"])
def test_a_hole_in_hourly_data_breaks_the_line(tmp_path: Path, path_kind: str, empty_cells: bool) -> None:
    csv = _hourly(range(20, 26), empty_cells)
    write_tree(tmp_path, {"chartspec.toml": "", "m.csv": csv,
                          "chart.yaml": "data: m.csv\nx: {field: hour}\nlayers: [{y: {field: cpu}}]\n"})
    spec = chartspec.load(tmp_path / "chart.yaml")
    pieces = {r["hour"]: r[piece_column(0)] for r in spec.table.rows if draws(r, 0) and r["cpu"] is not None}
    assert sorted(set(pieces.values())) == [0, 1]
    assert {h for h, p in pieces.items() if p == 0} == set(range(20))
    (tmp_path / "chart.yaml").write_text("data: m.csv\nx: {field: hour}\nlayers: [{y: {field: cpu}, gaps: connect}]\n")
    assert piece_column(0) not in chartspec.load(tmp_path / "chart.yaml").table.columns


def test_gaps_break_keeps_empty_rows_in_the_line(tmp_path: Path, path_kind: str) -> None:
    spec = _load(tmp_path, ALTERNATING, "layers:\n  - {y: {field: train_loss}, gaps: break}\n")
    drawn = [r["step"] for r in spec.table.rows if draws(r, 0)]
    assert drawn == [10, 20, 20, 30, 40, 40, 50, 60, 60]  # the empty rows break the line, as Vega draws it


# -- the rule itself (numpy, shared by both paths) -------------------------------------------------

def _pieces(x: list[float], log: bool = False) -> list[int] | None:
    n = len(x)
    found = decide(np.zeros(n, dtype=np.int64), np.array(x, dtype=float), np.ones(n, dtype=bool), "last", "auto",
                   log=log)
    return None if found.piece is None else found.piece.tolist()


def test_the_hole_rule() -> None:
    assert _pieces([0, 1, 2, 3, 4, 5, 10, 11, 12, 13]) == [0] * 6 + [1] * 4  # step 5 > 4 x median 1 both sides
    assert _pieces([0, 1, 2, 3, 4, 5, 9, 10, 11, 12]) is None  # step 4 is not more than 4 x 1
    # a change of cadence is not a hole: every step, then every 100
    assert _pieces(list(range(100)) + [100 + 100 * k for k in range(50)]) is None
    # exponential spacing, drawn on a log x: no hole; a hole in log x is found
    assert _pieces([2.0**k for k in range(20)], log=True) is None
    assert _pieces([2.0**k for k in range(10)] + [2.0**k for k in range(20, 30)], log=True) == [0] * 10 + [1] * 10
    # a step at the end of a series has no side after it: never a hole
    assert _pieces([0, 1, 2, 3, 100]) is None
    # irregular sampling (event times, exponential spacing) is rarely cut at its long steps (6 % of
    # them exceed 4 x their neighbours' median: a median rule cut 2,000 points into ~100 pieces,
    # 0.1 % 4 x the second longest); an outage in it still is
    rng = np.random.default_rng(0)
    events = np.cumsum(rng.exponential(1.0, 2000))
    found = _pieces(events.tolist())
    assert found is not None and max(found) + 1 <= 10
    events[1000:] += 200.0
    found = _pieces(events.tolist())
    assert found is not None and found[1000] == found[999] + 1
    # outages a few steps apart each break the line (the longest step nearby is another outage)
    hours = [h for h in range(100) if not (50 <= h < 56 or 59 <= h < 65)]
    assert sorted(set(_pieces(hours) or [])) == [0, 1, 2]
    three = [h for h in range(200) if not (50 <= h < 80 or 85 <= h < 115 or 120 <= h < 150)]
    assert sorted(set(_pieces(three) or [])) == [0, 1, 2, 3]
    # a single dropped row a few steps before an outage does not hide it
    assert sorted(set(_pieces([h for h in range(100) if not (h == 45 or 50 <= h < 56)]) or [])) == [0, 1]
    # two series never share a step
    found = decide(np.array([0, 0, 0, 1, 1, 1]), np.array([0.0, 1, 2, 100, 101, 102]), np.ones(6, dtype=bool),
                   "last", "auto")
    assert found.piece is None


def test_rows_a_filter_tells_apart_never_replace_one_another(tmp_path: Path, path_kind: str) -> None:
    csv = "step,opt,loss\n0,adam,2.0\n0,sgd,2.5\n10,adam,1.0\n10,sgd,2.0\n"
    spec = _load(tmp_path, csv, "transform: [{filter: {field: opt, equal: adam}}]\nlayers: [{y: {field: loss}}]\n")
    assert spec.notes == () and _drawn(spec, 0, "loss") == [(0, 2.0), (0, 2.5), (10, 1.0), (10, 2.0)]


def test_rows_the_layer_filters_out_are_not_its_repeats(tmp_path: Path, path_kind: str) -> None:
    # three seeds of 'base' repeat every step; the layer draws 'tuned' only: no note, nothing replaced
    rows = [f"{s},base,{seed},{1 + seed / 10}" for s in (0, 10) for seed in range(3)]
    rows += [f"{s},tuned,0,{0.5 + s / 100}" for s in (0, 10)]
    spec = _load(tmp_path, "step,exp,seed,loss\n" + "\n".join(rows) + "\n",
                 "layers: [{y: {field: loss}, transform: [{filter: \"datum.exp == 'tuned'\"}]}]\n")
    assert spec.notes == ()
    spec = _load(tmp_path, "step,exp,seed,loss\n" + "\n".join(rows) + "\n",
                 "layers: [{y: {field: loss}, transform: [{filter: \"datum.exp == 'base'\"}]}]\n")
    assert [d.message.split(";")[0] for d in spec.notes] == [
        "4 rows of m.csv repeat an x value of series 'loss' (first at step 0)"]


@pytest.mark.parametrize(("csv", "layers", "needed"), [
    ("step,loss\n0,2\n10,1.5\n20,1.2\n30,1\n", "[{y: {field: loss}}]", False),  # an even log: nothing to do
    (RESUMED, "[{y: {field: loss}}]", True),  # a repeated step
    ("step,loss\n0,2\n1,1.9\n2,1.8\n3,1.7\n50,1\n51,0.9\n52,0.8\n53,0.7\n", "[{y: {field: loss}}]", True),  # a hole
    ("step,loss\n0,2\n1,1.9\n2,1.8\n3,1.7\n50,1\n51,0.9\n52,0.8\n53,0.7\n", "[{y: {field: loss}, gaps: connect}]",
     False),
    (ALTERNATING, "[{y: {field: train_loss}}]", True),  # rows without the layer's y
    ("step,loss,run\n0,2,a\n0,3,b\n10,1,a\n10,2,b\n", "[{y: {field: loss}, color: {field: run}}]", False),
    ("step,loss,run\n0,2,a\n0,3,b\n10,1,a\n10,2,b\n", "[{y: {field: loss}}]", True),  # two runs as one series
])
def test_small_tables_skip_the_rules_only_when_they_change_nothing(tmp_path: Path, csv: str, layers: str,
                                                                   needed: bool) -> None:
    from chartspec.data.steps import apply_to_rows
    from chartspec.data.stepsplain import needs_rules

    spec = _load(tmp_path, csv, f"layers: {layers}\n")
    model, table = spec.model, spec.table
    raw = replace(table, rows=tuple({k: v for k, v in r.items() if not k.startswith("__")} for r in table.rows))
    assert needs_rules(raw.rows, model.layers, model, False, raw.columns) is needed
    if not needed:  # the plain check agrees with the rules themselves
        assert apply_to_rows(raw, model.layers, model, False, spec.source) is raw


@pytest.mark.parametrize(("csv", "layers", "fast"), [
    ("step,loss\n0,2\n10,1.5\n20,1.2\n30,1\n", "[{y: {field: loss}}]", True),  # an even log
    (RESUMED, "[{y: {field: loss}}]", False),  # a repeated step
    ("step,loss\n0,2\n1,1.9\n2,1.8\n3,1.7\n50,1\n51,0.9\n52,0.8\n53,0.7\n", "[{y: {field: loss}}]", False),  # a hole
    ("step,loss\n0,2\n1,1.9\n2,1.8\n3,1.7\n50,1\n51,0.9\n52,0.8\n53,0.7\n", "[{y: {field: loss}, gaps: connect}]",
     True),
    ("step,loss\n0,2\n1,1.9\n2,1.8\n3,1.7\n5,1\n6,0.9\n7,0.8\n", "[{y: {field: loss}}]", True),  # a step of 2: no hole
    (ALTERNATING, "[{y: {field: train_loss}}]", False),  # rows without the layer's y
    ("step,loss,run\n0,2,a\n10,1,a\n0,3,b\n10,2,b\n", "[{y: {field: loss}, color: {field: run}}]", True),
    ("step,loss,run\n0,2,a\n0,3,b\n10,1,a\n10,2,b\n", "[{y: {field: loss}, color: {field: run}}]", False),  # interleaved
    ("step,loss,run\n0,2,a\n10,1,a\n0,3,b\n10,2,b\n", "[{y: {field: loss}}]", False),  # two runs as one series
    ("step,loss\n0,2\n10,1.5\n,1.2\n30,1\n", "[{y: {field: loss}}]", False),  # a row without x
    ("step,loss\n0,2\n10,1.5\n20,1.2\n30,1\n", "[{y: {field: loss}, transform: [{filter: 'datum.loss < 2'}]}]",
     False),  # a filter: the rows it drops make longer steps
    ("step,loss,acc\n0,2,1\n10,1.5,2\n20,1.2,3\n30,1,4\n", "[{y: {field: loss}}, {y: {field: acc}, mark: area}]", True),
])
def test_the_engine_check_keeps_every_row_only_when_the_rules_do(tmp_path: Path, csv: str, layers: str, fast: bool) -> None:
    from chartspec.data import steps
    from chartspec.data.layerfilters import filters_sql
    from chartspec.data.stepsplain import _todo
    from chartspec.data.stepssql import keeps_every_row

    spec = _load(tmp_path, csv, f"layers: {layers}\n")
    model, table = spec.model, spec.table
    columns = [c for c in table.columns if not c.startswith("__")]
    rel = engine.register_rows(engine.connect(None), [{c: r.get(c) for c in columns} for r in table.rows], columns)
    assert rel is not None
    todo = _todo(model.layers, model, False, rel.columns)
    filters = lambda layer: filters_sql(layer, model, False, rel)  # noqa: E731
    assert keeps_every_row(rel, todo, model, False, filters) is fast
    kept, notes, _ = steps.apply_to_relation(rel, model.layers, model, False, spec.source, "m.csv", filters)
    if fast:  # the rules themselves agree
        assert kept is rel and notes == ()
