"""A filter that keeps no row draws an empty chart, whatever the data's size (breaker F5).

Rows read in Python are checked before any transform (the filter runs in Vega); a large table's
layers are filtered by the engine before the reduction or its aggregate, so the checks saw no
number in x or y and failed with "field 'step' has no numeric values" while the same spec over a
small file built. Both now ask the data the filters read (Table.numbers_in_data).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

import chartspec

LINE = "x: {field: step}\ntransform:\n  - {filter: \"datum.loss > 1000\"}\nlayers:\n  - {mark: line, y: {field: loss}}\n"
BAND = ("x: {field: step}\ntransform:\n  - {filter: \"datum.loss > 1000\"}\nlayers:\n"
        "  - {mark: errorband, y: {field: loss}, band: {extent: stdev}}\n")
#: a strict comparison with text keeps nothing in JavaScript (breaker F2)
STRICT = ("x: {field: step}\nlayers:\n  - mark: line\n    y: {field: loss}\n"
          "    transform:\n      - {filter: \"datum.seed === '1'\"}\n")


def _seeds(steps: int) -> str:
    return "step,seed,loss\n" + "".join(f"{i},{s},{1 + s + i * 1e-3:.4f}\n" for s in range(3) for i in range(steps))


@pytest.mark.parametrize("chart", [LINE, BAND, STRICT], ids=["line", "band", "strict"])
def test_a_filter_that_keeps_nothing_builds_large_as_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          run_cli: RunCli, chart: str) -> None:
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "10000")
    write_tree(tmp_path, {"chartspec.toml": "", "small.csv": _seeds(200), "large.csv": _seeds(8_000),
                          "small.yaml": "data: small.csv\n" + chart, "large.yaml": "data: large.csv\n" + chart})
    small, large = chartspec.load(tmp_path / "small.yaml"), chartspec.load(tmp_path / "large.yaml")
    drawn = [t for t in (large.table, *large.layer_tables) if t is not None]
    assert any(t.reduced_from or t.numbers_in_data for t in drawn)  # the engine's path, not the whole table
    assert not any(r for t in drawn if t.reduced_from or t.numbers_in_data for r in t.rows
                   if r.get("loss") is not None)  # nothing kept
    for spec in (small, large):
        chartspec.to_vegalite(spec)
    proc = run_cli("build", tmp_path / "large.yaml", "-o", tmp_path / "out", "-f", "json", cwd=tmp_path,
                   env={"CHARTSPEC_MAX_DRAWN_ROWS": "10000"})
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr
    # said as for a small file (compiler/emptylayers.py), also of a band the engine aggregated after
    # the filter (data/bandnotes.empty_aggregate_notes)
    assert "note: layer 'loss' draws nothing: its transforms keep no row of large.csv" in proc.stderr
