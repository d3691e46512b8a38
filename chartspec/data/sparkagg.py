"""engineagg.py's aggregate run in Spark: a large layer's band extents or mean over seeds.

The layer's filters and calculates (sparkexpr.spark_rows), then one ``groupBy`` of x and the
series field with Vega's ops as engineagg.OPS computes them in DuckDB, then calculates, ordered as
the DuckDB table of aggregated rows is (x, then the series, missing last). The result is a lazy
DataFrame: spark.py's fetch then cuts it with M4 in Spark like any line, so only about 4 rows per
pixel column and series come back.

``median``/``q1``/``q3`` are DuckDB's ``quantile_cont`` to the bit: each group's valid values
sorted (``array_sort(collect_list(v))``, as Spark's ``percentile`` also holds a group's values), the
order statistics lo and hi around position (n - 1) * p, and the interpolation rounded as this
DuckDB build rounds it (engineagg.quantile_rounding): Spark's ``percentile`` rounds each product,
DuckDB's x86-64 wheel fuses one (an FMA), which Spark computes with Java's ``Math.fma``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..spec.model import ChartSpec, Layer
from .engineagg import NUMBERS, QUANTILES, Parts, quantile_rounding
from .layerdata import layer_dates
from .sparkexpr import column_kinds, engine_number, spark_rows

__all__ = ["SPARK_OPS", "spark_aggregate"]


def _ops() -> Mapping[str, Callable[[Any, Any], Any]]:
    """Each op over ``v`` (the valid values: neither missing nor NaN) or ``c`` (the column)."""
    from pyspark.sql import functions as F

    return {
        "count": lambda v, c: F.count(F.lit(1)),
        "valid": lambda v, c: F.count(v),
        "missing": lambda v, c: F.count(F.when(c.isNull(), 1)),
        "sum": lambda v, c: F.sum(v),
        "mean": lambda v, c: F.avg(v),
        "min": lambda v, c: F.min(v),
        "max": lambda v, c: F.max(v),
        "variance": lambda v, c: F.var_samp(v),
        "stdev": lambda v, c: F.stddev_samp(v),
        "stderr": lambda v, c: F.stddev_samp(v) / F.sqrt(F.count(v)),
        **{op: (lambda v, c, p=p: _quantile(v, p)) for op, p in QUANTILES.items()},
    }


def _quantile(v: Any, p: float) -> Any:
    """DuckDB's ``quantile_cont(v, p)`` over a group (module docstring); missing without a valid value."""
    from pyspark.sql import functions as F

    values = F.array_sort(F.collect_list(v))  # collect_list leaves the missing out
    pos = (F.size(values) - 1).cast("double") * p
    below, d = F.floor(pos), pos - F.floor(pos)
    lo, hi = F.get(values, below.cast("int")), F.get(values, F.ceil(pos).cast("int"))  # NULL when empty
    if quantile_rounding() == "fma":  # one rounding of (1 - d) * lo + (d * hi), as DuckDB's C++ is compiled
        mixed = F.reflect(F.lit("java.lang.Math"), F.lit("fma"), 1 - d, lo, d * hi).cast("double")
    else:
        mixed = (1 - d) * lo + d * hi
    # no valid value: missing (reflect must not see NULLs); on an order statistic: that value, as DuckDB returns it
    return F.when(F.size(values) == 0, F.lit(None)).when(d == 0, lo).otherwise(mixed)


#: the ops Spark runs (engineagg.OPS; the quantiles when it can round them as DuckDB does)
SPARK_OPS = frozenset({"count", "valid", "missing", "sum", "mean", "min", "max", "variance", "stdev", "stderr",
                       *QUANTILES})
_COUNTS = frozenset({"count", "valid", "missing"})


def spark_aggregate(frame: Any, layer: Layer, model: ChartSpec, parts: Parts) -> Any | None:
    """The aggregated rows as a lazy DataFrame, ordered; None when a step or op does not translate."""
    from pyspark.sql import functions as F

    if any(o.op not in SPARK_OPS or (o.op in QUANTILES and quantile_rounding() is None) for o in parts.agg.ops):
        return None
    raw = column_kinds(frame)
    done = spark_rows(frame, parts.before, raw, layer_dates(layer, model))
    if done is None:
        return None
    rows, kinds = done
    agg, x = parts.agg, model.x.field
    if any(g not in kinds for g in agg.groupby) or kinds[x] not in NUMBERS:
        return None
    ops, picks = _ops(), []
    for o in agg.ops:
        if o.field is not None and kinds.get(o.field) not in NUMBERS:
            return None
        # a raw column as the engine reads it (NaN, ±Infinity missing); a calculate's as DuckDB stores it
        c = (engine_number(o.field) if o.field in raw else F.col(f"`{o.field}`")) if o.field else F.lit(None)
        v = F.when(~F.isnan(c), c)
        picks.append(ops[o.op](v, c).cast("long" if o.op in _COUNTS else "double").alias(o.as_field))
    out = rows.groupBy(*(_key(rows, g, g in raw) for g in agg.groupby)).agg(*picks)
    # a missing aggregate is Vega's undefined (NaN in the calculates after it, engineagg.py)
    out_kinds = {**{g: kinds[g] for g in agg.groupby}, **{o.as_field: "number" if o.op in _COUNTS else "number|undefined" for o in agg.ops}}
    for step in parts.after:  # each reads the values before it as Vega holds them (NaN, ±Infinity)
        if (after := spark_rows(out, [step], out_kinds, {})) is None:
            return None
        out, out_kinds = after
    for name in dict.fromkeys(step.as_field for step in parts.after):
        out = out.withColumn(name, engine_number(name))  # as the marks see them: NaN, ±Infinity missing
    order = [x, *(g for g in agg.groupby if g != x)]
    return out.orderBy(*(F.col(f"`{g}`").asc_nulls_last() for g in order))


def _key(frame: Any, name: str, raw: bool) -> Any:
    """A group key as the engine reads it: whole numbers as they are (the engine keeps them whole),
    other numbers as doubles with NaN missing (one group with the missing ones, as in DuckDB)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import FractionalType

    if raw and isinstance(frame.schema[name].dataType, FractionalType):
        return engine_number(name).alias(name)
    return F.col(f"`{name}`")
