"""An EMA split by a series field a transform makes runs per series, read in Python or by the engine.

``color: {field: name}`` with ``calculate: "'lr=' + datum.run"`` (the README's calculated colour
field) and ``smooth``: smoothing runs on the rows before transforms, so the field is computed
for it (smoothkeys.py). Rows read in Python used to average every colour together (the field was
missing from each row), and the engine's SQL named a column that does not exist (a Binder
Error). Both reads must give each row the EMA of its own series, the same values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.data.layerdata import layer_data
from chartspec.data.smoothing import draws, ema

N = 300  # rows per run: few, so the Python read smooths them in Python


def _smoothed(path: Path, monkeypatch: pytest.MonkeyPatch, *, by_engine: bool) -> dict[tuple[Any, ...], float]:
    """(run, step) -> the EMA of the row, as the compiled chart embeds it."""
    with monkeypatch.context() as m:
        if by_engine:
            m.setattr(engine, "ENGINE_BYTES", 1000)  # these files are read by the engine
        rows = layer_data(chartspec.load(path)).main.rows
    return {(r.get("run"), r["step"]): r["__smooth_0"] for r in rows}


def _runs(tmp_path: Path) -> None:
    """Two runs; within each, even and odd steps far apart (an EMA mixing them is far off)."""
    for i, run in enumerate(("a", "b")):
        lines = ["step,loss"] + [f"{s},{(10.0 if s % 2 else 0.0) + i + s / N}" for s in range(N)]
        write_tree(tmp_path, {f"runs/{run}.csv": "\n".join(lines) + "\n"})


@pytest.mark.parametrize("calculate", [
    "datum.step % 2 == 0 ? 'even' : 'odd'",  # text: computed in Python per distinct step
    "datum.step % 2",  # a number: computed by the engine's SQL
    "'lr=' + datum.run + (datum.step % 2 ? ' odd' : '')",  # reads the glob's run field
])
def test_a_calculated_colour_field_splits_the_ema_alike_in_python_and_in_the_engine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, calculate: str) -> None:
    _runs(tmp_path)
    path = write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": (
        f'data: {{files: "runs/*.csv", as: run}}\ntransform: [{{calculate: "{calculate}", as: name}}]\n'
        "x: {field: step}\nlayers:\n  - y: {field: loss}\n    color: {field: name}\n    smooth: {ema: 0.9}\n")}) / "c.yaml"
    python = _smoothed(path, monkeypatch, by_engine=False)
    by_engine = _smoothed(path, monkeypatch, by_engine=True)
    assert by_engine == pytest.approx(python)
    for i, run in enumerate(("a", "b")):  # each run's even and odd steps are separate series
        for parity in (0, 1):
            steps = range(parity, N, 2)
            want = ema([(10.0 if parity else 0.0) + i + s / N for s in steps], 0.9)
            assert [python[(run, s)] for s in steps] == pytest.approx(want)


def test_repeated_steps_split_by_a_calculated_field_are_two_series(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """One file holding two seeds' runs (the same steps twice): coloured by a field made from the
    seed, each seed is a series of its own; a step repeated within one seed (a resumed run) is
    drawn once, the later row, with the note, as for a field of the data, read either way."""
    lines = ["seed,step,loss"] + [f"{seed},{s},{seed * 10 + s / N}" for seed in (1, 2) for s in range(N)]
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "\n".join(lines) + "\n"})
    spec = ("data: d.csv\ntransform: [{calculate: \"'seed ' + datum.seed\", as: name}]\nx: {field: step}\n"
            "layers:\n  - y: {field: loss}\n    color: {field: name}\n    smooth: {ema: 0.9}\n")
    path = write_tree(tmp_path, {"c.yaml": spec}) / "c.yaml"
    for by_engine in (False, True):
        with monkeypatch.context() as m:
            if by_engine:
                m.setattr(engine, "ENGINE_BYTES", 1000)
            rows = layer_data(chartspec.load(path)).main.rows
        got = [r["__smooth_0"] for r in rows if r["seed"] == 2]
        assert got == pytest.approx(ema([20 + s / N for s in range(N)], 0.9)), by_engine
    write_tree(tmp_path, {"d.csv": "\n".join([*lines, f"2,5,{20 + 5 / N}"]) + "\n"})
    for by_engine in (False, True):
        with monkeypatch.context() as m:
            if by_engine:
                m.setattr(engine, "ENGINE_BYTES", 1000)
            loaded = chartspec.load(path)
            rows = layer_data(loaded).main.rows
        [note] = loaded.notes
        assert note.message.startswith("1 row of d.csv repeats an x value of series 'loss' (first at step 5, "
                                       "name 'seed 2')"), by_engine
        got = [r["__smooth_0"] for r in sorted(rows, key=lambda r: r["step"]) if r["seed"] == 2 and draws(r, 0)]
        assert got == pytest.approx(ema([20 + s / N for s in range(N)], 0.9)), by_engine


def test_a_large_log_coloured_by_a_calculated_field_is_reduced_with_each_series_own_ema(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the M4's few rows per pixel column the layer is cut, not drawn whole (a calculated
    series field used to make it 'need every row': more than 250,000 rows failed), and the rows
    kept carry their own series' EMA."""
    n = 20_000
    lines = ["step,loss"] + [f"{s},{(10.0 if s % 2 else 0.0) + s / n}" for s in range(n)]
    path = write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "\n".join(lines) + "\n", "c.yaml": (
        "data: d.csv\nwidth: 100\ntransform: [{calculate: \"datum.step % 2 ? 'odd' : 'even'\", as: name}]\n"
        "x: {field: step}\nlayers:\n  - y: {field: loss}\n    color: {field: name}\n    smooth: {ema: 0.9}\n")}) / "c.yaml"
    monkeypatch.setattr(engine, "ENGINE_BYTES", 1000)
    data = layer_data(chartspec.load(path))
    assert data.main.reduced_from == n and len(data.main.rows) < n / 4
    want = {s: v for parity in (0, 1) for s, v in zip(range(parity, n, 2), ema(
        [(10.0 if parity else 0.0) + s / n for s in range(parity, n, 2)], 0.9))}
    assert {r["step"]: r["__smooth_0"] for r in data.main.rows} == pytest.approx({r["step"]: want[r["step"]]
                                                                                   for r in data.main.rows})


def test_a_fold_key_as_colour_does_not_split_the_ema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fold copies each row once per key: every key's series holds all the rows, so its EMA is the
    column's, read in Python or by the engine (the key is no column before transforms)."""
    lines = ["step,loss,acc"] + [f"{s},{s % 7},{s % 3}" for s in range(200)]
    path = write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "\n".join(lines) + "\n", "c.yaml": (
        "data: d.csv\ntransform: [{fold: [loss, acc], as: [metric, value]}]\nx: {field: step}\n"
        "layers:\n  - y: {field: loss}\n    color: {field: metric}\n    smooth: {ema: 0.9}\n")}) / "c.yaml"
    want = ema([s % 7 for s in range(200)], 0.9)
    for by_engine in (False, True):
        with monkeypatch.context() as m:
            if by_engine:
                m.setattr(engine, "ENGINE_BYTES", 1000)
            rows = layer_data(chartspec.load(path)).main.rows
        assert [r["__smooth_0"] for r in rows] == pytest.approx(want), by_engine
