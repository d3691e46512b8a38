"""Integer x beyond 2**53 written as ns epoch integers (breaker: ``t = 1700000000000000000 +
i*100``, 100,000 rows: a note dropped 60,937 rows as a resumed run's repeated steps). Two such
values one double would merge are refused at x.field, in CSV and Parquet (int64 and text), read in
Python or by the engine, never handled as duplicate steps."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.errors import ChartspecError

BASE = 1_700_000_000_000_000_000


@pytest.mark.parametrize("rows", [1_000, 100_000])
@pytest.mark.parametrize("fmt", ["csv", "parquet", "parquet-text"])
def test_ns_integers_one_double_merges_are_refused_at_x(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         rows: int, fmt: str) -> None:
    steps = [BASE + i * 100 for i in range(rows)]
    name = "d.csv" if fmt == "csv" else "d.parquet"
    write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": f"data: {name}\nx: {{field: t}}\n"
                                                          "layers: [{mark: line, y: {field: loss}}]\n"})
    if fmt == "csv":
        (tmp_path / name).write_text("t,loss\n" + "".join(f"{t},{1 / (i + 1)}\n" for i, t in enumerate(steps)))
    else:
        pa = pytest.importorskip("pyarrow")
        pq = pytest.importorskip("pyarrow.parquet")
        column = pa.array([str(t) for t in steps]) if fmt == "parquet-text" else pa.array(steps, pa.int64())
        pq.write_table(pa.table({"t": column, "loss": [1 / (i + 1) for i in range(rows)]}), tmp_path / name)
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if rows > 10_000 else 1 << 40)
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(tmp_path / "c.yaml")
    [d] = caught.value.diagnostics
    assert (d.line, d.column) == (2, 12), d
    assert d.message.startswith(f"whole numbers of 't' beyond 2**53 cannot be told apart on a chart's axis: {BASE} "
                                f"(row 1 of {name}) and {BASE + 100} (row 2 of {name}) would be drawn at one x"), d.message
