"""A refusal's hint says what to change (breaker: a line refused for its regex filter was told to
"draw it as a line or points", which it already was), and an engine failure's hint never suggests
'reduce: false' when that fails the same way (breaker: a Parquet timestamp[ns] column)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import load_error, write_tree

from chartspec.data import engine


def _rows(n: int) -> str:
    return "step,loss,run\n" + "".join(f"{i},{1 / (i + 1)},r{i % 3}\n" for i in range(n))


LAYER = "data: run.csv\nx: {field: step}\nlayers:\n  - mark: line\n    y: {field: loss}\n"


@pytest.mark.parametrize(("extra", "reason", "hint"), [
    ("    transform: [{filter: \"test(/^(a|b)+$/, 'ab') && datum.step % 2 == 0\"}]\n",
     "its filter \"test(/^(a|b)+$/, 'ab') && datum.step % 2 == 0\" cannot run in the engine",
     "rewrite that filter with what the engine runs"),
    ("    transform: [{rolling: {field: loss, window: 3, as: loss}}]\n", "its rolling transform needs every row",
     "remove that transform, or do it before charting"),
])
def test_a_line_refused_is_told_what_to_change_not_to_be_a_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, reason: str, hint: str) -> None:
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "5000")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": _rows(20_000)})
    err = load_error(tmp_path / "c.yaml", LAYER + extra)
    [d] = err.diagnostics
    assert d.message.endswith(reason), d.message
    assert (d.hint or "").startswith(hint) and "as a line" not in (d.hint or ""), d.hint
    assert d.line == (6 if "filter" in reason else 4), d  # at the layer's own filter, else its mark


def test_a_mark_the_engine_cannot_cut_is_still_told_to_be_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "5000")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": _rows(20_000)})
    err = load_error(tmp_path / "c.yaml", LAYER.replace("mark: line", "mark: bar"))
    assert (err.diagnostics[0].hint or "").startswith("draw it as an area or a line")  # reduceoff.too_many_bars


def _failing_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's reading of column 'loss' fails on every row, as epoch_ms on a Parquet
    TIMESTAMP_NS column did: the failure is in the data's reading, not in the reduction."""
    typed = engine.typed_exprs

    def broken(cols: Any, numeric: set[str], integer: set[str]) -> list[str]:
        return ["CAST('x' || CAST(\"loss\" AS VARCHAR) AS DOUBLE) AS \"loss\"" if c == "loss" else e
                for (c, _), e in zip(cols, typed(cols, numeric, integer))]

    monkeypatch.setattr(engine, "typed_exprs", broken)
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0)


@pytest.mark.parametrize("reduce", ["", "reduce: false\n"])
def test_an_engine_failure_never_suggests_reduce_false_when_that_fails_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reduce: str) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    write_tree(tmp_path, {"chartspec.toml": ""})
    n = 20_000
    pq.write_table(pa.table({"step": list(range(n)), "loss": [None if i % 7 == 0 else 1 / (i + 1) for i in range(n)]}),
                   tmp_path / "f.parquet")
    _failing_reads(monkeypatch)
    err = load_error(tmp_path / "c.yaml", "data: f.parquet\nx: {field: step}\n" + reduce
                     + "layers: [{mark: line, y: {field: loss}}]\n")
    [d] = err.diagnostics
    assert d.message.startswith("the data engine failed on this data: Conversion Error"), d.message
    assert "'reduce: false' draws" not in (d.hint or ""), d.hint
    assert "with or without 'reduce: false'" in (d.hint or ""), d.hint
