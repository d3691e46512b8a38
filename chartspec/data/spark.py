"""Charts of Spark tables: the M4 reduction runs in Spark, only the picked rows come back.

``spark_table`` only describes the table (a lazy DataFrame: its columns); :func:`fetch_remote`
then, knowing the chart, asks Spark for (1) the full data's row count, x extent and number of
series, (2) per series and pixel column of the x scale the rows with the first and last x and
the smallest and largest value of every y the layers draw (reduce.py's M4, with the same
columns, bucket formula and row tie-breaks, so the rows equal a DuckDB build's), and brings those
back through Arrow into the engine (engine.py), where the build continues as for a CSV already cut
to its pixels. At most 4 rows per pixel column, series and y come back; axis domains and legends
are the full data's because M4 keeps every column's extremes and every series.

A line layer's filters and drawn calculates run in Spark before the M4 where Spark means the same
as DuckDB (sparkexpr.py; tables beyond ``max_drawn_rows()`` only). EMA smoothing needs every row
in order: its rows are streamed back one partition at a time into the engine, which smooths and
cuts them. Where Spark cannot reduce otherwise (other transforms, a log x scale, point and bar
marks), every row comes back if there are at most ``max_drawn_rows()``; beyond that the spec
fails at the layer's position, with the hint to do the work in ``sql:``.
The training-log rules (repeated steps, holes; steps.py) then see only the reduced rows: they
are skipped on a reduced Spark table (deduplicate in ``sql:``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import DataError, JsonPath
from ..spec.model import ChartSpec, DataSource, Layer
from ..spec.source import SourceMap
from .connections import Connection, query_of, query_path, redact
from .reduce import LINE_MARKS, m4_columns, max_drawn_rows, too_large
from .remote import into_engine
from .sparkexpr import SparkPlan, column_kinds, engine_number, spark_plan
from .table import Table

__all__ = ["FETCHES", "SparkSource", "spark_table"]

#: one record per fetch from Spark (rows, series, M4 columns, rows in the full table): tests and
#: docs/databases.md read it to show what came back
FETCHES: list[dict[str, int]] = []
_sessions: dict[str, Any] = {}


@dataclass(frozen=True, eq=False)
class SparkSource:
    conn: Connection
    frame: Any  # a pyspark.sql.DataFrame, not yet run
    where: JsonPath

    def fetch(self, table: Table, layers: list[Layer], has_own: bool, model: ChartSpec, source: SourceMap,
              scale: float, others: list[Table], root: Path | None, used: frozenset[str] | None) -> Table:
        return _fetch(table, layers, has_own, model, source, scale, others, root, used)


def _session(conn: Connection) -> Any:
    from pyspark.sql import SparkSession

    master = str(conn.options.get("master", "local[2]"))
    if master not in _sessions:
        builder = SparkSession.builder.master(master).appName(str(conn.options.get("app_name", "chartspec")))
        for key, value in dict(conn.options.get("conf", {})).items():
            builder = builder.config(key, str(value))
        session = builder.config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false") \
            .getOrCreate()
        session.sparkContext.setLogLevel("ERROR")  # the build's stderr is for chartspec's messages
        _sessions[master] = session
    session = _sessions[master]
    for name, path in dict(conn.options.get("tables", {})).items():  # Parquet files as views (local mode)
        session.read.parquet(str(conn.base / str(path))).createOrReplaceTempView(name)
    return session


def spark_table(conn: Connection, source: DataSource, smap: SourceMap) -> Table:
    """The table a Spark connection's ``table``/``sql`` names, as a handle; positioned errors."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise DataError(smap.diagnostic(f"connection {conn.name!r} needs the pyspark package", source.json_path,
                                        hint="pip install 'chartspec[spark]' (and a Java 17 runtime)")) from None
    try:
        session = _session(conn)
    except Exception as err:  # no Java, a master that does not answer
        first = redact(str(err).strip().split("\n", 1)[0], conn)[:300]
        raise DataError(smap.diagnostic(f"cannot reach Spark for connection {conn.name!r}: {first}",
                                        source.json_path, hint="check master in chartspec.toml and that Java 17 "
                                        "is installed (java -version; JAVA_HOME)")) from None
    try:
        frame = session.sql(query_of(source, "`"))
        columns = tuple(frame.columns)
    except Exception as err:  # AnalysisException, ParseException: the engine's words
        first = redact(str(err).strip().split("\n", 1)[0], conn)[:300]
        raise DataError(smap.diagnostic(f"the query failed in {conn.name!r}: {first}", query_path(source),
                                        hint="check the table and column names (the query runs in Spark SQL)")) from None
    return Table(name=f"{conn.name}: {source.table or 'sql'}", columns=columns, rows=(),
                 remote=SparkSource(conn, frame, source.json_path))


def _reducible(layers: Sequence[Layer], model: ChartSpec, has_own: bool, kinds: dict[str, str]
               ) -> tuple[Layer | None, dict[int, SparkPlan]]:
    """The first layer Spark cannot reduce with M4 (None: all can), and each layer's plan: its
    filters and drawn calculates as Spark columns (sparkexpr.py), run before the M4."""
    plans: dict[int, SparkPlan] = {}
    for layer in layers:
        off = not (model.reduce if layer.reduce is None else layer.reduce)
        if (layer.mark not in LINE_MARKS or layer.smooth is not None or layer.heat is not None or off
                or (layer.band is not None and layer.band.extent is not None)
                or model.x.type not in ("quantitative", "temporal") or model.x.scale == "log"):
            return layer, plans
        plan = spark_plan(layer, model, has_own, kinds)
        if plan is None:
            return layer, plans
        plans[layer.index] = plan
    return None, plans


def _numeric(frame: Any, name: str) -> Any:
    """A column as doubles, times as epoch milliseconds, NaN as missing (the engine's reading)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, NumericType, TimestampType

    kind = frame.schema[name].dataType
    col = F.col(f"`{name}`")
    if isinstance(kind, (TimestampType, DateType)):
        return F.unix_millis(col.cast("timestamp")).cast("double")
    if not isinstance(kind, NumericType):
        return None
    return engine_number(name)  # NaN and ±Infinity missing, as the engine reads them


def _fetch(table: Table, layers: list[Layer], has_own: bool, model: ChartSpec, source: SourceMap, scale: float,
           others: list[Table], root: Path | None, used: frozenset[str] | None) -> Table:
    from pyspark.sql import functions as F

    remote: SparkSource = table.remote
    # row ids fixed once (persisted): the picks and the rows fetched must name the same rows
    frame = remote.frame.withColumn("__srow", F.monotonically_increasing_id()).persist()
    wanted = [c for c in table.columns if used is None or c in used] or list(table.columns[:1])
    x = _numeric(frame, model.x.field) if model.x.field in table.columns else None
    pushed: list[tuple[int, float, float, int]] = []
    culprit, plans = _reducible(layers, model, has_own, column_kinds(frame)) if x is not None else (
        layers[0] if layers else None, {})
    try:
        count, lo, hi = frame.agg(F.count(F.lit(1)), F.min(x if x is not None else F.lit(None)),
                                  F.max(x if x is not None else F.lit(None))).first()
        # a layer with transforms that fits under the drawing limit comes back whole, as before:
        # then the training-log rules (holes a filter leaves break the line) run on every row
        whole = count <= max_drawn_rows() and any(plan.signature != "()" for plan in plans.values())
        if culprit is None and layers and lo is not None and not whole:
            picked = _m4(frame, x, [plans[lyr.index] for lyr in layers], model, scale, others, (count, lo, hi), pushed)
        else:
            picked = None
        # EMA needs every row in order: streamed back per partition, the engine smooths and cuts them
        streamed = picked is None and culprit is not None and _streamable(layers, model, has_own, frame)
        if picked is None and count > max_drawn_rows() and not streamed:
            layer = culprit or model.layers[0]
            why = "this chart needs every row of a Spark table (EMA, a transform, a log x scale or this mark)"
            err = too_large(count, layer, why, source)
            raise DataError(replace(err.first, hint="filter, aggregate or sample in the connection's sql: query, "
                                    "or draw a line without smoothing, which Spark reduces"))
        # the picks are a few rows per pixel column: broadcast them rather than shuffle the table
        rows = (frame if picked is None else frame.join(F.broadcast(picked), "__srow", "left_semi")).select(
            "__srow", *wanted)
        arrows = _partitions(rows) if streamed else [rows.toArrow()]
        fetched = into_engine(table, arrows, root, pushed[0] if pushed else None)  # streamed: read here
    except DataError:
        raise
    except Exception as err:  # Spark's own failure at run time (a lost executor, a bad cast)
        first = redact(str(err).strip().split("\n", 1)[0], remote.conn)[:300]
        raise DataError(source.diagnostic(f"Spark failed on connection {remote.conn.name!r}: {first}",
                                          remote.where, hint="run the query in Spark itself to see the whole error"))
    FETCHES.append({"rows": fetched.relation.count, "full": count, "streamed": int(streamed)})
    return fetched


def _streamable(layers: list[Layer], model: ChartSpec, has_own: bool, frame: Any) -> bool:
    """Whether the layers Spark cannot cut are EMA-smoothed lines the engine cuts after smoothing
    (everything else Spark reduces): then every row is streamed back, whatever the count."""
    kinds = column_kinds(frame)
    return all(_reducible([lyr], model, has_own, kinds)[0] is None
               or (lyr.smooth is not None and _reducible([replace(lyr, smooth=None)], model, has_own, kinds)[0] is None)
               for lyr in layers)


def _partitions(rows: Any) -> Any:
    """The rows as Arrow tables, one Spark partition at a time, in partition order (``__srow``
    rises with it): the driver holds one partition, never the whole table nor Python objects."""
    from pyspark.sql import functions as F

    parts = rows.withColumn("__part", F.spark_partition_id()).persist()
    numbers = sorted(r[0] for r in parts.select("__part").distinct().collect())
    if not numbers:  # no rows: their columns still
        yield rows.limit(0).toArrow()
    for number in numbers:
        arrow = parts.where(F.col("__part") == number).drop("__part").toArrow()
        yield arrow
    parts.unpersist()


def _m4(frame: Any, x: Any, plans: list[SparkPlan], model: ChartSpec, scale: float, others: list[Table],
        extent: tuple[int, float, float], pushed: list[tuple[int, float, float, int]]) -> Any:
    """The ``__srow`` of every row M4 keeps (reduce.py's picks, m4sql.py's tie-breaks), or None
    when the table is small enough to come back whole (as reduce.py would draw it whole);
    ``pushed`` gains the reduction's count, x extent and columns, for reduce.py's second cut."""
    from pyspark.sql import functions as F

    count, lo, hi = extent
    if model.x.domain is not None:
        lo, hi = (float(v) for v in model.x.domain)
    found = [(min(v), max(v)) for t in others if (v := t.numbers(model.x.field))]
    lo, hi = min([lo, *(f[0] for f in found)]), max([hi, *(f[1] for f in found)])
    hi = hi if hi > lo else lo + 1
    # layers with the same series and transforms share one pass (as m4sql.py's do)
    groups: dict[tuple[tuple[str, ...], str], tuple[SparkPlan, list[str]]] = {}
    series = 0
    for plan in plans:
        # series counted over the whole table, before the filters, as reduce._series_count does
        n = frame.select(*(f"`{k}`" for k in plan.keys)).distinct().count() if plan.keys else 1
        series += max(1, n) * max(1, len(plan.values))
        _, group = groups.setdefault((plan.keys, plan.signature), (plan, []))
        group += [v for v in plan.values if v not in group]
    columns = m4_columns(model, scale, series)
    if count <= 4 * columns:
        return None
    pushed.append((count, lo, hi, columns))
    bucket = F.floor((x - F.lit(lo)) / F.lit(hi - lo) * F.lit(columns))
    picks = [_picks(_transformed(frame, plan), x, bucket, list(plan.keys), values) for plan, values in groups.values()]
    nulls = frame.where(x.isNull()).select("__srow").orderBy("__srow").limit(100)
    out = nulls
    for p in picks:
        out = out.unionByName(p)
    return out  # repeated ids are harmless: the semi-join keeps each row once


def _transformed(frame: Any, plan: SparkPlan) -> Any:
    """The rows a layer draws: its calculated columns added, then its filters (reduce.py's order:
    the WHERE reads the source with every calculate)."""
    for name, col in plan.calcs:
        frame = frame.withColumn(name, col)
    return frame if plan.where is None else frame.where(plan.where)


def _picks(frame: Any, x: Any, bucket: Any, keys: list[str], values: list[str]) -> Any:
    """Per series and column: the rows with the first and last x and each value's extremes.

    One aggregation, no join: the smallest (value, row) struct is the row with the smallest value,
    the first such row on ties, as m4sql.py picks; the largest x keeps the last row, the largest
    value the first (the row negated in its struct)."""
    from pyspark.sql import functions as F

    measured = [x, *(_numeric(frame, v) for v in values)]
    rows = frame.where(x.isNotNull()).select("__srow", *(F.col(f"`{k}`").alias(f"__k{i}") for i, k in enumerate(keys)),
                                             bucket.alias("__b"), *(m.alias(f"__m{i}") for i, m in enumerate(measured)))
    group = [f"__k{i}" for i in range(len(keys))] + ["__b"]
    row = F.col("__srow")
    ids = [F.min(F.struct("__m0", row))["__srow"], F.max(F.struct("__m0", row))["__srow"]]
    for i in range(1, len(measured)):
        value = F.col(f"__m{i}")
        ids += [F.min(F.when(value.isNotNull(), F.struct(value, row.alias("__srow"))))["__srow"],
                -F.max(F.when(value.isNotNull(), F.struct(value, (-row).alias("__srow"))))["__srow"]]
    grouped = rows.groupBy(*group).agg(F.array(*ids).alias("__ids"))
    return grouped.select(F.explode("__ids").alias("__srow")).where(F.col("__srow").isNotNull())
