"""``median``, ``q1`` and ``q3`` run in Spark and Postgres as DuckDB's ``quantile_cont`` computes them, to the bit.

A table of 500 steps, each a group of 1 to 10 values (even and odd sizes), from a coarse grid (ties)
or not, with NaN and missing values here and there, larger than the (lowered) drawing limit: the
layer's aggregate runs where the data is (sparkagg.py, ibisagg.py) and its rows come back whole (500
steps fit in the M4's columns). Every aggregated value equals the DuckDB file's bit for bit (compared
by ``repr``), and the SVGs are equal. The data is checked to tell the roundings apart: Spark's
``percentile`` and Postgres's ``percentile_cont`` would each have failed here.
"""

from __future__ import annotations

import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from pgserver import PASSWORD
from remotes import connections, pair, store

from chartspec import ChartspecError, load, save
from chartspec.data import postgres as pg_module
from chartspec.data import spark as spark_module
from chartspec.data.engineagg import quantile_rounding

STEPS, LIMIT = 500, "2500"  # 2,750 rows: over the limit
SPEC = """data: {connection: NAME, table: quant}
width: 300
x: {field: step}
layers:
  - mark: line
    name: mid
    y: {field: med}
    transform:
      - {filter: "datum.step >= 3"}
      - {aggregate: [OPS{op: count, as: n}], groupby: [step]}
"""
QUARTILES = "{op: median, field: v, as: med}, {op: q1, field: v, as: lo}, {op: q3, field: v, as: hi}, "
MEDIAN = "{op: median, field: v, as: med}, "
def _rows() -> list[tuple[int, float | None]]:
    rng, rows = random.Random(16), []
    for step in range(STEPS):
        for _ in range(1 + step * 7 % 10):  # group sizes 1 to 10
            v = rng.choice([rng.randint(-5, 5) / 10, rng.uniform(-3, 3), 1e-3 * rng.random()])
            rows.append((step, float("nan") if len(rows) % 37 == 5 else None if len(rows) % 53 == 7 else v))
    return rows


def _table() -> Any:
    import pyarrow as pa

    step, v = zip(*_rows(), strict=True)
    return pa.table({"step": pa.array(step, pa.int64()), "v": pa.array(v, pa.float64())})


@pytest.fixture(scope="module")
def quant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("quant")
    store(_table(), root, "quant", duckdb="quant.duckdb", parquet=True)
    (root / "chartspec.toml").write_text(connections(duckdb="quant.duckdb", spark={"quant": "quant.parquet"}))
    return root


def _pair(root: Path, remote: str, ops: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", LIMIT)
    mine, theirs = pair(root, "quant", SPEC.replace("OPS", ops), remote)
    return load(mine), load(theirs)


def _same_values_and_svg(spec: Any, local: Any, columns: tuple[str, ...], tmp_path: Path) -> None:
    assert spec.model.layers[0].transform == () == local.model.layers[0].transform  # aggregated by the engines
    [mine], [theirs] = spec.layer_tables, local.layer_tables
    assert len(mine.rows) == len(theirs.rows) == STEPS - 3  # every group came back (fewer than the M4's columns)
    assert [[repr(r[c]) for c in columns] for r in mine.rows] == [[repr(r[c]) for c in columns] for r in theirs.rows]
    svg = save(spec, tmp_path / "remote.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "local.svg").read_bytes()


def test_the_data_tells_the_roundings_apart() -> None:
    # a group's lo and hi at fraction d: DuckDB (this build) rounds (1 - d) * lo + d * hi once for one
    # product (an FMA), Spark's percentile rounds both, Postgres's percentile_cont computes lo + d * (hi - lo)
    groups: dict[int, list[float]] = {}
    for step, v in _rows():
        if v is not None and v == v:
            groups.setdefault(step, []).append(v)
    fused = plain = lerp = 0
    for values in groups.values():
        s = sorted(values)
        for p in (0.25, 0.5, 0.75):
            pos = (len(s) - 1) * p
            lo, hi, d = s[int(pos)], s[-int(-pos // 1)], pos - int(pos)
            if d:
                exact = float(Fraction(1 - d) * Fraction(lo) + Fraction(d * hi))
                fused += exact != (1 - d) * lo + d * hi
                plain += d == 0.5 and lo + d * (hi - lo) != (1 - d) * lo + d * hi
                lerp += lo + d * (hi - lo) != exact
    assert fused and plain and lerp, (fused, plain, lerp)


def test_quartiles_run_in_spark_to_the_bit(quant: Path, tmp_path: Path, spark: object,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    spark_module.FETCHES.clear()
    spec, local = _pair(quant, "cluster", QUARTILES, monkeypatch)
    assert [f["full"] for f in spark_module.FETCHES[1:]] == [STEPS - 3]  # the aggregate ran in Spark
    _same_values_and_svg(spec, local, ("step", "med", "lo", "hi", "n"), tmp_path)


def test_the_median_runs_in_postgres_to_the_bit(quant: Path, tmp_path: Path, postgres: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    store(_table(), quant, "quant", duckdb="quant.duckdb", postgres=postgres)
    (quant / "chartspec.toml").write_text(connections(duckdb="quant.duckdb", spark={"quant": "quant.parquet"},
                                                   postgres=postgres.port))
    monkeypatch.setenv("CS_PGPASSWORD", PASSWORD)
    pg_module.FETCHES.clear()
    spec, local = _pair(quant, "db", MEDIAN, monkeypatch)
    assert [f["full"] for f in pg_module.FETCHES[1:]] == [STEPS - 3]  # the aggregate ran in Postgres
    _same_values_and_svg(spec, local, ("step", "med", "n"), tmp_path)
    if quantile_rounding() == "fma":  # Postgres cannot fuse q1's or q3's rounding: the DuckDB path, every row
        with pytest.raises(ChartspecError, match="needs every row of a Postgres table"):
            _pair(quant, "db", QUARTILES, monkeypatch)
