"""What the tests of Spark and Postgres connections share: the config, the charts, the spec pairs.

Each remote test draws one chart twice, from a DuckDB file (connection ``warehouse``) and from the
engine (``cluster``: a local Spark over Parquet; ``db``: the run's Postgres server, tests/pgserver.py),
and compares the two. The charts are templates: ``NAME`` is the connection, and their constants
follow the size of the table they are drawn from.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pgserver import USER

__all__ = ["BANDS", "LINES", "check_bands", "connections", "layered", "pair", "split_files", "store"]

_SPARK = """
[connections.cluster]
backend = "pyspark"
master = "local[2]"
conf = {{"spark.sql.shuffle.partitions" = "2"}}
tables = {{{tables}}}
"""
_POSTGRES = """
[connections.db]
backend = "postgres"
host = "127.0.0.1"
port = {port}
dbname = "postgres"
user = "{user}"
password = "${{CS_PGPASSWORD}}"
connect_timeout = 5
"""


def connections(*, duckdb: str | None = "metrics.duckdb", spark: dict[str, str] | None = None,
                postgres: int | None = None) -> str:
    """A ``chartspec.toml``: the DuckDB file ``warehouse``, Spark ``cluster`` showing ``spark``'s
    Parquet files as tables, Postgres ``db`` on port ``postgres`` (password from CS_PGPASSWORD)."""
    text = f'[connections.warehouse]\nbackend = "duckdb"\npath = "{duckdb}"\n' if duckdb else ""
    if spark is not None:
        text += _SPARK.format(tables=", ".join(f'{k} = "{v}"' for k, v in spark.items()))
    if postgres is not None:
        text += _POSTGRES.format(port=postgres, user=USER)
    return text.lstrip("\n")


#: one line per run of table ``metrics``, 300 px wide
LINES = """data: {connection: NAME, table: metrics}
width: 300
x: {field: step}
layers:
  - y: {field: loss}
    color: {field: run}
"""


def layered(*, first: int, cut: int, below: int, also: str = "", offset: str = "0.5") -> str:
    """Two layers of the runs run0 and run1 (a field filter on the chart): ``loss`` from step
    ``first`` (run1 only up to ``cut``) by an expression filter, and a calculated y below step
    ``below`` (a field filter after it); ``also`` adds to the expression, ``offset`` ends the calculate."""
    return f"""data: {{connection: NAME, table: metrics}}
width: 300
x: {{field: step}}
transform:
  - filter: {{field: run, one_of: [run0, run1]}}
layers:
  - y: {{field: loss}}
    color: {{field: run}}
    transform:
      - filter: "datum.step >= {first} && !(datum.run === 'run1' && datum.step > {cut}){also}"
  - y: {{field: scaled}}
    color: {{field: run}}
    transform:
      - calculate: "datum.loss * 2 - abs(datum.loss) + {offset}"
        as: scaled
      - filter: {{field: step, lt: {below}}}
"""


#: a band of the runs' spread at each step, and a mean over runs made by the chart's own transforms
#: (a filter, a calculate before the aggregate, one after)
BANDS = """data: {connection: NAME, table: metrics}
width: 300
x: {field: step}
layers:
  - {mark: errorband, name: spread, y: {field: loss}, band: {extent: stdev}}
  - mark: line
    name: mean
    y: {field: twice}
    transform:
      - {filter: "datum.step >= 1000 && datum.run !== 'run7'"}
      - {calculate: "datum.loss * 3 - 1", as: l3}
      - {aggregate: [{op: mean, field: l3, as: mean_l3}, {op: count, as: n}, {op: valid, field: loss, as: v}],
         groupby: [step]}
      - {calculate: "datum.mean_l3 * 2 + datum.v", as: twice}
"""


def check_bands(spec: Any, local: Any, fetches: list[dict[str, int]], *, rows: int, steps: int, out: Path) -> None:
    """BANDS drawn from an engine's table of ``rows`` rows (``spec``; ``fetches``: its FETCHES) as from
    the DuckDB file (``local``): the chart's table, drawn by no layer now, came back as its first
    1,000 rows, only checked (as reduce.py keeps them); each layer's aggregated rows (``steps``; 1,000
    fewer after the mean's filter) were cut by M4 where they live, per M4 column and drawn value (the
    band's mean, lower, upper), not one per step; the SVGs are equal."""
    from chartspec import save
    from chartspec.data.reduce import m4_columns

    assert [(f["full"], f["rows"]) for f in fetches][0] == (rows, 1_000)
    assert [f["full"] for f in fetches[1:]] == [steps, steps - 1_000]
    for layer, fetched, values in zip(spec.model.layers, fetches[1:], (3, 1), strict=True):
        assert layer.transform == ()
        own = spec.layer_tables[layer.index]
        assert own is not None and own.reduced_from == local.layer_tables[layer.index].reduced_from
        assert fetched["rows"] <= 4 * m4_columns(spec.model, 1.0, values) * values, fetched
    svg = save(spec, out / "remote.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, out / "warehouse.svg").read_bytes()


def pair(root: Path, stem: str, spec: str, remote: str) -> tuple[Path, Path]:
    """``spec`` written as ``STEM_REMOTE.yaml`` and ``STEM_warehouse.yaml`` (NAME set): their paths."""
    paths = []
    for name in (remote, "warehouse"):
        paths.append(root / f"{stem}_{name}.yaml")
        paths[-1].write_text(spec.replace("NAME", name))
    return paths[0], paths[1]


def store(arrow: Any, root: Path, name: str, *, duckdb: str, parquet: bool = False, postgres: Any = None) -> None:
    """The same rows (a pyarrow table) as table ``name`` in the DuckDB file ``root/duckdb``, in
    ``root/NAME.parquet`` (for Spark) and in the Postgres server ``postgres``, as asked."""
    import duckdb as db

    con = db.connect(str(root / duckdb))
    con.register("given", arrow)
    con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM given")
    if parquet:
        con.execute(f"COPY {name} TO '{root / name}.parquet' (FORMAT parquet)")
    con.close()
    if postgres is not None:
        types = {"int64": "bigint", "double": "float8", "string": "text", "large_string": "text"}
        columns = ", ".join(f"{f.name} {types[str(f.type)]}" for f in arrow.schema)
        with postgres.connect() as pg:
            pg.execute(f"DROP TABLE IF EXISTS {name}")
            pg.execute(f"CREATE TABLE {name} ({columns})")
            with pg.cursor().copy(f"COPY {name} FROM STDIN") as copy:
                for row in zip(*(c.to_pylist() for c in arrow.columns), strict=True):
                    copy.write_row(row)


@contextmanager
def split_files(spark: Any, parquet: Path, *, split: int = 512 * 1024) -> Iterator[None]:
    """Spark splits files every ``split`` bytes inside the block: a test table of a few hundred
    thousand rows (a file of a few MB, a row group every 122,880 rows) is read in several
    partitions, as a table of millions is at the default split (128 MB, or a core's share of the
    bytes). Fails unless ``parquet`` then spans two partitions or more."""
    from pyspark.sql import functions as F

    key = "spark.sql.files.maxPartitionBytes"
    before = spark.conf.get(key)
    spark.conf.set(key, str(split))
    try:
        parts = spark.read.parquet(str(parquet)).select(F.spark_partition_id()).distinct().count()
        assert parts >= 2, f"{parquet.name} is read in {parts} partition(s): more rows, or a smaller split"
        yield
    finally:
        spark.conf.set(key, before)


def check_log_cut(remote: Any, local: Any, rename: tuple[str, str]) -> None:
    """A remote engine's cut of a log-y line equals DuckDB's: its note counts the values at or
    below zero in the full table (more than the kept rows hold), and each run keeps the same
    smallest value above zero. ``rename``: the remote table's name in a note, and the local one's."""
    notes = [[n.message.replace(*rename) for n in s.notes if "below zero" in n.message] for s in (remote, local)]
    assert notes[0] == notes[1] and len(notes[0]) == 1
    below = int(notes[0][0].split(" values")[0].replace(",", ""))
    assert below > sum(r["loss"] <= 0 for r in local.table.rows)  # more than the kept rows hold
    for run in ("run0", "run1"):
        lowest = [min(r["loss"] for r in t.rows if r["run"] == run and r["loss"] > 0) for t in (remote.table, local.table)]
        assert lowest[0] == lowest[1], run
