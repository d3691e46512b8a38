"""The reduction (data/reduce.py, m4sql.py) on log scales: Vega leaves out a value at or below zero
(the compiler makes it null, compiler/logscale.py), so the extremes kept per sub-column are those
of the values above zero, a run of left-out values wide enough to see still breaks the line, and
the build's note counts the values left out in the full data, not in the kept rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import write_tree

import chartspec
from chartspec.data.reduce import SUBPIXELS

WIDTH = 200  # a narrow chart: a few thousand rows get reduced
N = 20_000


def _write(tmp_path: Path, columns: dict[str, np.ndarray], body: str) -> Path:
    names = list(columns)
    lines = [",".join(names), *(",".join(f"{v:.6g}" for v in row) for row in zip(*columns.values()))]
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "\n".join(lines) + "\n", "chart.yaml": body})
    return tmp_path / "chart.yaml"


def _walk(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.exp(np.cumsum(rng.standard_normal(N)) * 0.02)


def _log_y(tmp_path: Path, v: np.ndarray) -> chartspec.Spec:
    body = f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\nlayers:\n  - {{mark: line, y: {{field: v, scale: log}}}}\n"
    return chartspec.load(_write(tmp_path, {"step": np.arange(N), "v": v}, body))


def test_log_y_keeps_the_smallest_value_above_zero_of_every_sub_column(tmp_path: Path) -> None:
    v = _walk(1)
    v[::10] = np.where(np.arange(N // 10) % 2, 0.0, -0.5)  # every sub-column (14 rows) has one left out
    dips = np.random.default_rng(2).choice(np.flatnonzero(v > 0), 30, replace=False)
    v[dips] = 1e-4  # downward spikes: each the smallest drawn value of its sub-column
    spec = _log_y(tmp_path, v)
    assert spec.table.reduced_from == N
    kept = {r["step"] for r in spec.table.rows}
    assert {int(d) for d in dips} <= kept
    # and in general: per sub-column the extremes of the values above zero, per pixel the first
    # and last x of the rows drawn
    drawn = np.flatnonzero(v > 0)
    bucket = np.floor(np.arange(N) / (N - 1) * WIDTH * SUBPIXELS).astype(int)
    want = set()
    for b in np.unique(bucket[drawn]):
        idx = drawn[bucket[drawn] == b]
        want |= {int(idx[np.argmin(v[idx])]), int(idx[np.argmax(v[idx])])}
    for p in np.unique(bucket[drawn] // SUBPIXELS):
        idx = drawn[bucket[drawn] // SUBPIXELS == p]
        want |= {int(idx[0]), int(idx[-1])}
    assert want <= kept
    # the rows left out are not kept where they change nothing (each is 1/14 of a sub-column wide)
    assert not any(r["v"] <= 0 for r in spec.table.rows)


def test_a_wide_run_of_values_at_or_below_zero_still_breaks_the_line(tmp_path: Path) -> None:
    v = _walk(3)
    v[5037:5663] = 0.0  # about 6 pixels: the full chart's line has a visible gap there
    spec = _log_y(tmp_path, v)
    kept = {r["step"]: r["v"] for r in spec.table.rows}
    # the drawn rows bounding the gap, and a left-out row inside it (null in Vega: the path breaks)
    assert 5036 in kept and 5663 in kept
    assert any(kept.get(s) == 0 for s in range(5037, 5663))


def test_the_note_counts_the_values_left_out_in_the_full_data(tmp_path: Path) -> None:
    v = _walk(4)
    bad = np.random.default_rng(5).choice(np.arange(1, N), 747, replace=False)
    v[bad] = -1.0
    v[1] = 0.0
    spec = _log_y(tmp_path, v)
    assert spec.table.reduced_from == N
    notes = [n.message for n in spec.notes if "at or below zero" in n.message]
    assert len(notes) == 1
    assert notes[0].startswith(f"{int((v <= 0).sum()):,} values of 'v'")
    assert "(first: 0.0 at step 1)" in notes[0]  # the first in row order, as the engine reads it


def test_the_note_on_a_log_x_scale_counts_the_full_data(tmp_path: Path) -> None:
    x = np.arange(N) - 100
    body = (f"data: run.csv\nwidth: {WIDTH}\nx: {{field: x, scale: log}}\n"
            "layers:\n  - {mark: line, y: {field: v}}\n")
    spec = chartspec.load(_write(tmp_path, {"x": x, "v": _walk(6)}, body))
    assert spec.table.reduced_from == N
    notes = [n.message for n in spec.notes if "at or below zero" in n.message]
    assert len(notes) == 1
    assert notes[0].startswith("101 values of 'x'") and "(first: -100 at x -100)" in notes[0]
