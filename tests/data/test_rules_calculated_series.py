"""The training-log rules (data/steps.py) split a layer by a colour field its ``calculate`` makes.

``color: {field: name}`` with ``calculate: "'lr=' + datum.run"`` draws one line per name, so a
resumed run's repeated steps are repeats within that name's series, and a hole is a hole of that
series. The rules used to skip such a layer: both copies of the repeated steps were drawn (a line
doubling back, no note), and ``smooth`` failed with "x value occurs more than once". Both readers
(rows in Python, the engine's table) must draw the same rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.data.smoothing import draws, ema

# run a resumed at step 20 (20 and 30 logged again); run b logged once
LOG = ("step,loss,run,seed\n"
       "0,2.0,a,1\n10,1.6,a,1\n20,1.5,a,1\n30,1.7,a,1\n20,1.3,a,1\n30,1.1,a,1\n40,0.9,a,1\n"
       "0,3.0,b,2\n10,2.6,b,2\n20,2.5,b,2\n30,2.4,b,2\n40,2.3,b,2\n")


@pytest.fixture(params=["python", "engine"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "engine":
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0)
    return str(request.param)


def _load(tmp_path: Path, csv: str, calculate: str, layer: str = "") -> chartspec.Spec:
    write_tree(tmp_path, {"chartspec.toml": "", "m.csv": csv, "chart.yaml": (
        f'data: m.csv\ntransform: [{{calculate: "{calculate}", as: name}}]\nx: {{field: step}}\n'
        f"layers:\n  - y: {{field: loss}}\n    color: {{field: name}}\n{layer}")})
    return chartspec.load(tmp_path / "chart.yaml")


def _drawn(spec: chartspec.Spec, run: str) -> list[tuple[Any, Any]]:
    # a reduced table keeps the fields the spec reads: run, or seed (1 in run a, 2 in run b)
    rows = [r for r in spec.table.rows if draws(r, 0) and r.get("run", "ab"[int(r.get("seed", 0)) - 1]) == run]
    return sorted((r["step"], r["loss"]) for r in rows)


@pytest.mark.parametrize("calculate", [
    "'lr=' + datum.run",  # text: Python computes it per distinct run (the engine joins codes back)
    "datum.seed * 10",  # a number: the engine's SQL computes it
])
def test_a_resumed_run_coloured_by_a_calculated_field_draws_its_later_rows_with_a_note(
        tmp_path: Path, path_kind: str, calculate: str) -> None:
    spec = _load(tmp_path, LOG, calculate)
    assert _drawn(spec, "a") == [(0, 2.0), (10, 1.6), (20, 1.3), (30, 1.1), (40, 0.9)]
    assert _drawn(spec, "b") == [(0, 3.0), (10, 2.6), (20, 2.5), (30, 2.4), (40, 2.3)]
    [note] = spec.notes
    want = "'lr=a'" if "lr" in calculate else "10"
    assert note.message == ("2 rows of m.csv repeat an x value of series 'loss' (first at step 20, "
                            f"name {want}); the later rows are drawn")


def test_runs_a_calculate_merges_are_one_series(tmp_path: Path, path_kind: str) -> None:
    """'all' for every run: one line, so run b's steps repeat run a's (the later rows drawn)."""
    spec = _load(tmp_path, LOG, "'all'")
    rows = sorted((r["step"], r["loss"]) for r in spec.table.rows if draws(r, 0))
    assert rows == [(0, 3.0), (10, 2.6), (20, 2.5), (30, 2.4), (40, 2.3)]
    assert "7 rows of m.csv repeat" in spec.notes[0].message


def test_smoothing_a_resumed_run_by_a_calculated_colour_averages_the_drawn_rows(tmp_path: Path,
                                                                                path_kind: str) -> None:
    spec = _load(tmp_path, LOG, "'lr=' + datum.run", "    smooth: {ema: 0.5}\n")
    from chartspec.data.layerdata import layer_data

    rows = layer_data(spec).main.rows
    smoothed = {(r["run"], r["step"]): r["__smooth_0"] for r in rows if draws(r, 0)}
    for run in ("a", "b"):
        drawn = _drawn(spec, run)
        assert [smoothed[(run, s)] for s, _ in drawn] == pytest.approx(ema([v for _, v in drawn], 0.5))


def test_a_hole_breaks_only_the_series_of_the_calculated_field_holding_it(tmp_path: Path, path_kind: str) -> None:
    even = "".join(f"{s},{1 + s / 1000},a,1\n" for s in [*range(0, 100, 10), *range(500, 600, 10)])
    steady = "".join(f"{s},{2 + s / 1000},b,2\n" for s in range(0, 600, 10))
    spec = _load(tmp_path, "step,loss,run,seed\n" + even + steady, "'lr=' + datum.run")
    pieces = {(r["run"], r["__piece_0"]) for r in spec.table.rows if draws(r, 0)}
    assert len({p for run, p in pieces if run == "a"}) == 2  # broken at the hole from 90 to 500
    assert len({p for run, p in pieces if run == "b"}) == 1
