"""'reduce: false' on data too large to draw is an error at the 'reduce' key that turned the cut off:
the chart's, which was blamed on 'layer 1' at its mark, or the layer's own."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load_error, write_tree


def _rows(n: int) -> str:
    return "step,loss\n" + "".join(f"{i},{(i * 7919) % 1000 / 1000}\n" for i in range(n))


def test_a_chart_level_reduce_false_is_blamed_at_the_chart_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "5000")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": _rows(20_000)})
    err = load_error(tmp_path / "a.yaml", "data: run.csv\nreduce: false\nx: {field: step}\nlayers:\n"
                                          "  - {y: {field: loss}}\n  - {y: {field: loss}, name: b, mark: point}\n")
    [d] = err.diagnostics
    assert (d.line, d.column, d.path) == (2, 9, ("reduce",)), d
    assert d.message.startswith("the chart would hand 20,000 rows to Vega") and "'loss'" not in d.message, d.message
    assert "'reduce: false'" in d.message and "remove 'reduce: false'" in (d.hint or "")


def test_a_layer_level_reduce_false_is_blamed_at_the_layer_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "5000")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": _rows(20_000)})
    for spec in ("data: run.csv\nx: {field: step}\nlayers:\n  - {y: {field: loss}, reduce: false}\n",
                 "data: run.csv\nreduce: true\nx: {field: step}\nlayers:\n  - {y: {field: loss}}\n"
                 "  - {y: {field: loss}, name: b, reduce: false}\n"):
        err = load_error(tmp_path / "b.yaml", spec)
        [d] = err.diagnostics
        assert d.path[-1] == "reduce" and d.path[0] == "layers", d
        assert d.message.startswith("layer ") and "'reduce: false'" in d.message, d.message
