"""Charts of Spark tables: the reduction runs in Spark, only the picked rows come back.

``spark_table`` only describes the table (a lazy DataFrame: its columns); remote.py's ``fetch_remote``
then, knowing the chart, asks Spark for (1) the full data's row count, x extent and number of
series, (2) the rows reduce.py's reduction keeps (sparkm4.py: M4 per series and pixel column for
lines, one row per pixel cell for points, on a linear or log x scale, with the same columns,
bucket formulas and row tie-breaks, so the rows equal a DuckDB build's), and brings those back
through Arrow into the engine (engine.py), where the build continues as for a CSV already cut to
its pixels. Axis domains and legends are the full data's: M4 keeps every column's extremes and
every series.

Before the reduction, Spark runs a layer's filters, drawn calculates and fold where Spark means
the same as DuckDB (sparkexpr.py), and the training-log rules (sparksteps.py: repeated steps,
missing values, holes and the pieces they cut a line into), whose per-layer bits come back in
``__draws``. EMA smoothing needs every row in order: the rows are streamed back one partition at
a time into the engine, which smooths and cuts them. Where Spark
cannot reduce otherwise (aggregates, rolling windows, band extents, bars: the DuckDB build draws
them whole too), every row comes back if there are at most ``max_drawn_rows()``; beyond that the
spec fails at the layer's position, with the hint to do the work in ``sql:``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import DataError, JsonPath
from ..spec.model import ChartSpec, DataSource, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Aggregate
from .connections import Connection, query_of, query_path, redact
from .engineagg import Parts
from .reduce import CHECKED_ROWS, LINE_MARKS, POINT_MARKS, max_drawn_rows, too_large
from .reduceoff import turned_off
from .remote import into_engine
from .rows import DRAWS
from .sparkconsole import reason, start_jvm
from .sparkexpr import SparkPlan, column_kinds, engine_number, spark_plan
from .sparkguard import SESSION_CONF, analysed_refusal, refusal
from .sparkm4 import Pushed, log_counts, m4_picks, x_extent
from .sparksteps import Rules, rules_in_spark
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
    #: the table's row count and x extent, asked once per chart: the aggregates' gate and the fetch share them
    counted: dict[tuple[str, bool], tuple[int, Any, Any]] = field(default_factory=dict, compare=False, repr=False)

    def fetch(self, table: Table, layers: list[Layer], has_own: bool, model: ChartSpec, source: SourceMap,
              scale: float, others: list[Table], root: Path | None, used: frozenset[str] | None) -> Table:
        return _fetch(table, layers, has_own, model, source, scale, others, root, used)

    def aggregate(self, table: Table, layer: Layer, model: ChartSpec, parts: Parts, limit: int,
                  source: SourceMap) -> Table | None:
        """The layer's aggregate run in Spark (sparkagg.py) as a new lazy table, when the table has
        more than ``limit`` rows (engineagg.py's gate); None: the layer goes the usual way."""
        from .sparkagg import spark_aggregate

        try:
            out = spark_aggregate(self.frame, layer, model, parts)
            if out is None or _counted(self, self.frame, model)[0] <= limit:
                return None
        except Exception as err:  # Spark's own failure at run time
            raise _failed(err, self.conn, self.where, source) from None
        return Table(name=table.name, columns=tuple(out.columns), rows=(), remote=SparkSource(self.conn, out, self.where))


#: Spark's logging while chartspec builds: errors only (its start-up warnings and notices were
#: printed on the build's stderr, between chartspec's messages)
SPARK_LOG_CONFIG = Path(__file__).parent / "spark-log4j2.properties"


def quiet_driver(conf: dict[str, Any]) -> dict[str, str]:
    """A connection's Spark settings with the driver's logging set to :data:`SPARK_LOG_CONFIG`,
    unless they configure log4j themselves."""
    out = {str(k): str(v) for k, v in conf.items()}
    options = out.get("spark.driver.extraJavaOptions", "")
    if "log4j" not in options:
        out["spark.driver.extraJavaOptions"] = f"{options} -Dlog4j2.configurationFile={SPARK_LOG_CONFIG.as_uri()}".strip()
    return out


def _session(conn: Connection) -> Any:
    import warnings

    from pyspark.sql import SparkSession

    # printed on every build's stderr by PySpark 4.1 when pandas 3 is installed, about features
    # chartspec does not use (it moves rows as Arrow): that message only
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)

    master = str(conn.options.get("master", "local[2]"))
    if master not in _sessions:
        settings = {"spark.master": master, "spark.app.name": str(conn.options.get("app_name", "chartspec")),
                    **quiet_driver(dict(conn.options.get("conf", {}))),
                    "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false"}
        start_jvm(settings)  # its console in a file: what log4j cannot quiet (sparkconsole.py)
        builder = SparkSession.builder
        for key, value in settings.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")  # the build's stderr is for chartspec's messages
        _sessions[master] = session
    session = _sessions[master]
    for key, value in SESSION_CONF.items():  # no ${env:...} in queries, no SQL on files (sparkguard.py)
        session.conf.set(key, value)
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
        said = reason()  # Spark's console is in a file: what it printed about this
        raise DataError(smap.diagnostic(f"cannot reach Spark for connection {conn.name!r}: {first}",
                                        source.json_path, hint=(f"Spark said: {redact(said, conn)}; " if said else "")
                                        + "check master in chartspec.toml and that Java 17 "
                                        "is installed (java -version; JAVA_HOME)")) from None
    def refused(why: str) -> DataError:
        return DataError(smap.diagnostic(f"the query is refused: {why}", query_path(source),
                                         hint="select from the connection's tables; commands, and Spark functions "
                                              "that reach Java, files or the machine, are refused"))

    if (why := refusal(session, query_of(source, "`"))) is not None:
        raise refused(why)
    try:
        frame = session.sql(query_of(source, "`"))
        columns = tuple(frame.columns)
    except Exception as err:  # AnalysisException, ParseException: the engine's words
        first = redact(str(err).strip().split("\n", 1)[0], conn)[:300]
        raise DataError(smap.diagnostic(f"the query failed in {conn.name!r}: {first}", query_path(source),
                                        hint="check the table and column names (the query runs in Spark SQL)")) from None
    if (why := analysed_refusal(frame)) is not None:  # names that became functions in analysis
        raise refused(why)
    return Table(name=f"{conn.name}: {source.table or 'sql'}", columns=columns, rows=(),
                 remote=SparkSource(conn, frame, source.json_path))


def _reducible(layers: Sequence[Layer], model: ChartSpec, has_own: bool, kinds: dict[str, str]
               ) -> tuple[Layer | None, dict[int, SparkPlan]]:
    """The first layer Spark cannot reduce with M4 (None: all can), and each layer's plan: its
    filters and drawn calculates as Spark columns (sparkexpr.py), run before the M4."""
    plans: dict[int, SparkPlan] = {}
    for layer in layers:
        off = not (model.reduce if layer.reduce is None else layer.reduce)
        if (layer.mark not in LINE_MARKS | POINT_MARKS or layer.smooth is not None or layer.heat is not None or off
                or (layer.band is not None and layer.band.extent is not None
                    and any(isinstance(t, Aggregate) for t in layer.transform))  # unless aggregated
                or model.x.type not in ("quantitative", "temporal")):
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
    held = [frame]  # every DataFrame this layer caches: unpersisted when its rows are here
    wanted = [c for c in table.columns if used is None or c in used] or list(table.columns[:1])
    x = _numeric(frame, model.x.field) if model.x.field in table.columns else None
    pushed: Pushed | None = None
    why = "this chart needs every row of a Spark table (EMA, an aggregate, rolling or band extent, or this mark)"
    culprit, plans = _reducible(layers, model, has_own, column_kinds(frame)) if x is not None else (
        layers[0] if layers else None, {})
    try:
        count, lo, hi = _counted(remote, frame, model)
        if not layers:  # drawn by no layer (each reads its own data, or an aggregate's): only checked, as reduce.py does
            first = frame.orderBy("__srow").limit(CHECKED_ROWS).select("__srow", *wanted)
            fetched = into_engine(table, [first.toArrow()], root, None)
            FETCHES.append({"rows": fetched.relation.count, "full": count, "streamed": 0})
            return fetched
        extent = x_extent(model, (lo, hi), others) if culprit is None and layers else None
        # the training-log rules first (sparksteps.py): the M4 picks from the rows each layer draws;
        # a step that may be a hole needs every row: they are streamed back, as for an EMA
        rules = None if extent is None else rules_in_spark(frame, x, layers, plans, model, has_own, source,
                                                           table.name, _integral(frame, model.x.field))
        if isinstance(rules, str):
            culprit, why = layers[0], rules
        ruled = frame if not isinstance(rules, Rules) or rules.frame is None else rules.frame
        if isinstance(rules, Rules):
            held += rules.held  # persisted when the rules took a window or numbered pieces (sparksteps.py)
        found = None if not isinstance(rules, Rules) or extent is None else m4_picks(
            ruled, x, [rules.plans[lyr.index] for lyr in layers], model, scale, count, extent)
        picked, pushed = found if found is not None else (None, None)
        # EMA needs every row in order: streamed back per partition, the engine smooths and cuts them
        streamed = picked is None and culprit is not None and _streamable(layers, model, has_own, frame)
        if picked is None and count > max_drawn_rows() and not streamed:
            layer = culprit or model.layers[0]
            if turned_off(layer, model):  # at the 'reduce: false' that did it
                raise too_large(count, layer, "the reduction is turned off", source)
            err = too_large(count, layer, why, source)
            raise DataError(replace(err.first, hint="filter, aggregate or sample in the connection's sql: query, "
                                    "or draw a line without smoothing, which Spark reduces"))
        # the picks are a few rows per pixel column: broadcast them rather than shuffle the table
        if picked is not None and ruled is not frame:  # the layers' bits come back with their rows
            frame, wanted = ruled, [*wanted, DRAWS, *(rules.pieces if isinstance(rules, Rules) else ())]
        rows = (frame if picked is None else frame.join(F.broadcast(picked), "__srow", "left_semi")).select(
            "__srow", *wanted)
        arrows = _partitions(rows) if streamed else [rows.toArrow()]
        fetched = into_engine(table, arrows, root, pushed)  # streamed: read here
        if picked is not None and isinstance(rules, Rules):
            fetched = replace(fetched, notes=fetched.notes + rules.notes, log_counts=log_counts(  # before the cut
                ruled, x, {lyr.index: rules.plans[lyr.index] for lyr in layers}, model))
    except DataError:
        raise
    except Exception as err:  # Spark's own failure at run time (a lost executor, a bad cast)
        raise _failed(err, remote.conn, remote.where, source) from None
    finally:  # the cache is the executors' memory: freed once the layer's rows are here (or on failure)
        for held_frame in held:
            held_frame.unpersist()
    FETCHES.append({"rows": fetched.relation.count, "full": count, "streamed": int(streamed)})
    return fetched


def _counted(remote: SparkSource, frame: Any, model: ChartSpec) -> tuple[int, Any, Any]:
    """The row count and the x scale's extent of ``remote``'s table (a log scale's: over the values
    above zero), one Spark job per chart and x scale however many layers ask (``frame``: the table,
    or it numbered)."""
    from pyspark.sql import functions as F

    key = (model.x.field, model.x.scale == "log")
    if key not in remote.counted:
        x = _numeric(frame, model.x.field) if model.x.field in frame.columns else None
        placed = F.lit(None) if x is None else x if model.x.scale != "log" else F.when(x > 0, x)
        count, lo, hi = frame.agg(F.count(F.lit(1)), F.min(placed), F.max(placed)).first()
        remote.counted[key] = (int(count), lo, hi)
    return remote.counted[key]


def _failed(err: Exception, conn: Connection, where: JsonPath, source: SourceMap) -> DataError:
    first = redact(str(err).strip().split("\n", 1)[0], conn)[:300]
    return DataError(source.diagnostic(f"Spark failed on connection {conn.name!r}: {first}", where,
                                       hint="run the query in Spark itself to see the whole error"))


def _integral(frame: Any, name: str) -> bool:
    from pyspark.sql.types import IntegralType

    return isinstance(frame.schema[name].dataType, IntegralType)


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
    try:
        numbers = sorted(r[0] for r in parts.select("__part").distinct().collect())
        if not numbers:  # no rows: their columns still
            yield rows.limit(0).toArrow()
        for number in numbers:
            yield parts.where(F.col("__part") == number).drop("__part").toArrow()
    finally:  # also when the engine stops reading (an error) or the generator is dropped
        parts.unpersist()
