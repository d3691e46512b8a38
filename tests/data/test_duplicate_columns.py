"""A column named twice is an error at the file on both readers, in a CSV header or a Parquet schema.

Before: a Parquet file written with ``names=['step', 'loss', 'loss']`` drew the first 'loss' without
a word from 2 MB on (DuckDB reads the second as 'loss_1'); under 2 MB pyarrow's "Multiple matches for
FieldRef.Name(loss) in step: int64 ..." came out, with no position and the hint of a broken file.
CSV said "column 'loss' appears twice in the header" on both readers.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import chartspec
from chartspec.data import engine
from chartspec.errors import ChartspecError

_HINT = "give each column its own name where the file is written"


@pytest.fixture(params=["python", "engine"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if request.param == "engine" else 1 << 40)
    return str(request.param)


def _parquet(path: Path, names: list[str]) -> None:
    arrays = [pa.array(range(4)), pa.array([1.0, 2.0, 3.0, 4.0]), pa.array([9.0, 8.0, 7.0, 6.0])]
    pq.write_table(pa.Table.from_arrays(arrays, names=names), path)


def _error(tmp_path: Path, data: str) -> ChartspecError:
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "c.yaml").write_text(f"data: {data}\nx: {{field: step}}\nlayers:\n  - {{y: {{field: loss}}}}\n")
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(tmp_path / "c.yaml")
    return caught.value


def test_a_parquet_column_named_twice_fails_at_the_file(tmp_path: Path, reader: str) -> None:
    _parquet(tmp_path / "m.parquet", ["step", "loss", "loss"])
    first, note = _error(tmp_path, "m.parquet").diagnostics
    assert first.message == "column 'loss' appears twice in the file's columns"
    assert Path(first.file or "").name == "m.parquet" and first.hint == _HINT
    assert note.severity == "note" and note.message == "data file used here" and (note.line, note.column) == (1, 7)


def test_one_file_of_a_glob_with_a_column_named_twice_fails_at_that_file(tmp_path: Path, reader: str) -> None:
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
    _parquet(tmp_path / "a" / "m.parquet", ["step", "loss", "acc"])
    _parquet(tmp_path / "b" / "m.parquet", ["step", "loss", "loss"])
    first = _error(tmp_path, '{files: "*/m.parquet", as: run}').first
    assert first.message == "column 'loss' appears twice in the file's columns"
    assert Path(first.file or "").parts[-2:] == ("b", "m.parquet")


def test_a_csv_column_named_twice_says_the_same_on_both_readers(tmp_path: Path, reader: str) -> None:
    (tmp_path / "m.csv").write_text("step,loss,loss\n0,1,2\n1,2,3\n")
    first = _error(tmp_path, "m.csv").first
    assert (first.message, first.line, first.column, first.hint) == (
        "column 'loss' appears twice in the header", 1, 1, _HINT)
