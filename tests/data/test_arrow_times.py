"""Every Arrow time type in a Parquet file reads as a time (breaker: timestamp[ns], pandas' default).

A ``timestamp[ns]`` column failed every build of its file, plotted or not: read in Python,
pyarrow's conversion needs pandas (``internal error ... Install pandas``); read by the engine,
DuckDB 2.0's ``epoch_ms`` fails on a Parquet TIMESTAMP_NS column ("Unimplemented type for cast
(INT64 -> INT64)"), and the hint ``reduce: false`` failed the same way. Both readers now take
every unit (s, ms, µs, ns; with or without a zone; date32, date64) as epoch ms (UTC) = epoch µs
/ 1000, ns floored to the microsecond, and agree value for value.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

BASE_NS = 1_704_067_200_000_000_000  # 2024-01-01T00:00Z
#: ns offsets: whole seconds, sub-millisecond, sub-microsecond, and before 1970 (floors)
OFFSETS = [0, 1_000_000_000, 1_234_567, 2_000_000_789]
LINE = "layers: [{mark: line, y: {field: loss}}]\n"


def _table(rows: int) -> Any:
    ns = [BASE_NS + OFFSETS[i % 4] + i * 10_000_000_000 for i in range(rows)]
    ns[0] = -1_500  # 1969-12-31T23:59:59.9999985: floors to -2 µs
    us = [v // 1000 for v in ns]
    return pa.table({
        "step": pa.array(range(rows), pa.int64()),
        "loss": pa.array([None if i % 7 == 3 else 1 / (i + 1) for i in range(rows)], pa.float64()),
        "ns": pa.array(ns, pa.timestamp("ns")),
        "ns_tz": pa.array(ns, pa.timestamp("ns", tz="Asia/Kolkata")),  # pandas' zoned times: DuckDB's TIMESTAMPTZ_NS
        "us_tz": pa.array(us, pa.timestamp("us", tz="Europe/Berlin")),
        "ms": pa.array([v // 1000 for v in us], pa.timestamp("ms", tz="UTC")),
        "s": pa.array([v // 1_000_000 for v in us], pa.timestamp("s")),
        "d32": pa.array([v // 86_400_000_000 for v in us], pa.date32()),
        "d64": pa.array([v // 86_400_000_000 * 86_400_000 for v in us], pa.date64())})


def _expected(table: Any, field: str) -> list[float]:
    """Epoch ms as a double: the µs (ns floored) / 1000, days * 86,400,000."""
    raw = table.column(field).cast(pa.int32() if field == "d32" else pa.int64()).to_pylist()
    per = {"ns": lambda v: (v // 1000) / 1000, "ns_tz": lambda v: (v // 1000) / 1000, "us_tz": lambda v: v / 1000, "ms": float, "s": lambda v: v * 1000.0,
           "d32": lambda v: v * 86_400_000.0, "d64": float}[field]
    return [per(v) for v in raw]


@pytest.mark.parametrize("rows", [40, 20_000])  # drawn whole; reduced by the engine's steps rules
@pytest.mark.parametrize("engine_read", [False, True])
@pytest.mark.parametrize("field", ["ns", "ns_tz", "us_tz", "ms", "s", "d32", "d64"])
def test_every_arrow_time_unit_reads_as_the_same_instant_on_both_paths(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int, engine_read: bool, field: str) -> None:
    table = _table(rows)
    write_tree(tmp_path, {"chartspec.toml": "", "s.yaml": f"data: d.parquet\nx: {{field: {field}, type: temporal}}\n"
                                                          + LINE + "reduce: false\n" * (rows < 100)})
    pq.write_table(table, tmp_path / "d.parquet")
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if engine_read else 1 << 40)
    vl = chartspec.to_vegalite(tmp_path / "s.yaml")
    drawn = [row[field] for row in vl["data"]["values"]]
    expected = _expected(table, field)
    if rows < 100:
        assert drawn == expected
    else:  # reduced: every kept row is one of the file's instants, exactly, the first and last among them
        assert set(drawn) <= set(expected) and (drawn[0], drawn[-1]) == (expected[0], expected[-1])


@pytest.mark.parametrize("engine_read", [False, True])
def test_a_nanosecond_column_not_plotted_does_not_fail_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                engine_read: bool) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "s.yaml": "data: d.parquet\nx: {field: step}\n" + LINE})
    pq.write_table(_table(20_000), tmp_path / "d.parquet")
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if engine_read else 1 << 40)
    vl = chartspec.to_vegalite(tmp_path / "s.yaml")
    assert vl["data"]["values"][0]["step"] == 0


def test_python_reader_needs_no_pandas_for_nanoseconds(tmp_path: Path) -> None:
    """pyarrow's own conversion of timestamp[ns] needs pandas: the reader must not use it."""
    write_tree(tmp_path, {"chartspec.toml": "", "s.yaml": "data: d.parquet\nx: {field: ns, type: temporal}\n"
                                                          + LINE + "reduce: false\n"})
    table = _table(40)
    ns = table.column("ns")
    # ns inside a list and a struct, a time of day and a duration in ns: read without pandas too
    table = table.append_column("hist", pa.array([[v] for v in ns.to_numpy()], pa.list_(pa.timestamp("ns"))))
    table = table.append_column("st", pa.StructArray.from_arrays([ns.combine_chunks()], ["at"]))
    table = table.append_column("tod", pa.array([i * 1_234_567 for i in range(40)], pa.time64("ns")))
    table = table.append_column("dur", pa.array([i * 1_234_567 for i in range(40)], pa.duration("ns")))
    pq.write_table(table, tmp_path / "d.parquet")
    code = textwrap.dedent(f"""
        import json, sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] == "pandas":
                    raise ModuleNotFoundError("No module named 'pandas'")
        sys.meta_path.insert(0, Block())
        import chartspec
        vl = chartspec.to_vegalite({str(tmp_path / "s.yaml")!r})
        print(json.dumps([row["ns"] for row in vl["data"]["values"]]))
        from pathlib import Path
        from chartspec.data.sources import read_parquet
        print(json.dumps(read_parquet(Path({str(tmp_path / "d.parquet")!r}), "d.parquet", None)[1]))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    import json

    drawn, row = map(json.loads, proc.stdout.splitlines())
    assert drawn == _expected(table, "ns")
    at = _expected(table, "ns")[1]
    assert (row["hist"], row["st"], row["tod"], row["dur"]) == ([at], {"at": at}, "00:00:00.001234", 0.001234567)


@pytest.mark.parametrize("engine_read", [False, True])
def test_lists_of_times_and_numbers_beside_the_drawn_columns_do_not_fail(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_read: bool) -> None:
    """The engine typed a TIMESTAMP_NS[] (or DOUBLE[]) column as a time (a number): its query failed."""
    table = _table(40)
    table = table.append_column("hist", pa.array([[v] for v in table.column("ns").to_numpy()],
                                                 pa.list_(pa.timestamp("ns"))))
    table = table.append_column("grads", pa.array([[0.5, float(i)] for i in range(40)], pa.list_(pa.float64())))
    write_tree(tmp_path, {"chartspec.toml": "", "s.yaml": "data: d.parquet\nx: {field: ns, type: temporal}\n"
                                                          + LINE + "reduce: false\n"})
    pq.write_table(table, tmp_path / "d.parquet")
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if engine_read else 1 << 40)
    vl = chartspec.to_vegalite(tmp_path / "s.yaml")
    assert [row["ns"] for row in vl["data"]["values"]] == _expected(table, "ns")


@pytest.mark.parametrize("engine_read", [False, True])
def test_a_time_of_day_on_a_time_axis_is_a_positioned_error_on_both_paths(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_read: bool) -> None:
    """A time32/time64 column is a time of day, no instant: the Python reader says 'not a date' at
    x; the engine failed with an internal error (trim(TIME, VARCHAR))."""
    rows = 20_000
    table = pa.table({"step": pa.array(range(rows), pa.int64()), "loss": pa.array([1.0] * rows),
                      "tod": pa.array([i * 1_000_000 for i in range(rows)], pa.time64("us"))})
    write_tree(tmp_path, {"chartspec.toml": "", "s.yaml": "data: d.parquet\nx: {field: tod, type: temporal}\n" + LINE})
    pq.write_table(table, tmp_path / "d.parquet")
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if engine_read else 1 << 40)
    with pytest.raises(chartspec.ChartspecError) as err:
        chartspec.load(tmp_path / "s.yaml")
    d = err.value.diagnostics[0]
    assert "not a date" in d.message and (d.line, d.column) == (2, 12), d


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_a_duration_reads_as_seconds_on_both_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unit: str) -> None:
    """Parquet keeps a duration as an integer of its unit: DuckDB read duration[ms] as 0..19,999,000
    where Python reads seconds, 0..19,999 (breaker16 #3). Both read seconds."""
    per = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[unit]
    values = [i * per + (1_234_567 % per) for i in range(40)]
    pq.write_table(pa.table({"step": pa.array(range(40), pa.int64()), "dur": pa.array(values, pa.duration(unit))}),
                   tmp_path / "d.parquet")
    write_tree(tmp_path, {"chartspec.toml": "", "s.yaml": "data: d.parquet\nx: {field: step}\n"
                                                          "layers: [{mark: line, y: {field: dur}}]\n"})
    drawn = []
    for engine_read in (False, True):
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if engine_read else 1 << 40)
        drawn.append([row["dur"] for row in chartspec.to_vegalite(tmp_path / "s.yaml")["data"]["values"]])
    assert drawn[0] == drawn[1]
    assert drawn[0][1] == pytest.approx(1 + (1_234_567 % per) / per, abs=1e-6)
