"""The M4 picks of a Spark table, in Spark: m4sql.py's reduction written with the DataFrame API.

Per series and pixel column of the x scale, line layers keep the rows with the first and last x
and the smallest and largest value of every y they draw; point, tick and text layers keep one row
per occupied pixel cell (the first row of the cell). The bucket formulas, the x scale's extent
(log x: the natural logarithm of the values above zero, as xmap.x_map maps them) and the
tie-breaks are DuckDB's (m4sql.py), so the rows that come back are the rows a DuckDB build of the
whole table keeps; reduce.py then cuts them again with the same columns and picks the same rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..spec.model import ChartSpec
from .m4grid import columns_per_pixel, m4_columns, m4_group, m4_rows
from .sparkexpr import SparkPlan, engine_number
from .table import Table

__all__ = ["Pushed", "log_counts", "m4_picks", "x_extent"]

#: (rows in the whole table, the x scale's lo and hi (log x: their logarithms), M4 columns)
Pushed = tuple[int, float, float, int]
#: the bucket of x = 0 and of x < 0 on a log scale: DuckDB's ln gives -Infinity and NaN there
#: (each rows' group of its own), Spark's log NULL for both
_LOG_ZERO, _LOG_NEGATIVE = -(2**62), -(2**62) + 1


def x_extent(model: ChartSpec, full: tuple[float | None, float | None], others: Sequence[Table]
             ) -> tuple[float, float] | None:
    """xmap.x_map's lo and hi: the domain, or the extent of the whole table and the small
    tables (above zero on a log scale), as logarithms on a log scale; None: no x to map."""
    log = model.x.scale == "log"
    if model.x.domain is not None:
        lo, hi = (float(v) for v in model.x.domain)
    else:
        found = [full] if full[0] is not None else []
        found += [(min(v), max(v)) for t in others if (v := [n for n in t.numbers(model.x.field) if n > 0 or not log])]
        if not found:
            return None
        lo, hi = min(f[0] for f in found), max(f[1] for f in found)  # type: ignore[type-var]
    if log:
        if lo <= 0 or hi <= 0:
            return None
        lo, hi = math.log(lo), math.log(hi)
    return lo, (hi if hi > lo else lo + 1)


def m4_picks(frame: Any, x: Any, plans: list[SparkPlan], model: ChartSpec, scale: float, count: int,
             extent: tuple[float, float]) -> tuple[Any, Pushed] | None:
    """The ``__srow`` of every row the reduction keeps, and what reduce.py needs to cut them
    again; None when the table is small enough to come back whole (as reduce.py draws it whole)."""
    from pyspark.sql import functions as F

    lo, hi = extent
    # line layers with the same series and transforms share one pass (as m4sql.py's do)
    groups: dict[tuple[tuple[str, ...], str, tuple[str, ...]], tuple[SparkPlan, list[str]]] = {}
    series = 0
    for plan in plans:
        # series counted over the whole table, before the filters, as reduce._series_count does
        n = frame.select(*(f"`{k}`" for k in plan.keys)).distinct().count() if plan.keys else 1
        series += max(1, n) * max(1, len(plan.values))
        if not plan.points:
            _, group = groups.setdefault((plan.keys, plan.signature, plan.positive), (plan, []))
            group += [v for v in plan.values if v not in group]
    columns = m4_columns(model, scale, series)
    if count <= m4_rows(model, scale, columns):
        return None
    log = model.x.scale == "log"
    mapped = F.log(x) if log else x

    def bucket(n: int) -> Any:  # m4sql.select_rows's floor((x - lo) / (hi - lo) * n), on ln(x) for log x
        linear = F.floor((mapped - F.lit(lo)) / F.lit(hi - lo) * F.lit(n))
        return F.when(x > 0, linear).when(x == 0, F.lit(_LOG_ZERO)).otherwise(F.lit(_LOG_NEGATIVE)) if log else linear

    picks = [_picks(_transformed(frame, plan), x, bucket(columns), list(plan.keys), values, m4_group(model, scale, columns),
                    plan.positive) for plan, values in groups.values()]
    # a point covers pixels, not sub-columns: one row per pixel cell (reduce.reduce_table's count)
    pixels = max(1, round(columns / columns_per_pixel(scale)))
    picks += [_cells(frame, plan, x, bucket(pixels), model.height * pixels / model.width)
              for plan in plans if plan.points]
    out = frame.where(x.isNull()).select("__srow").orderBy("__srow").limit(100)
    for p in picks:
        out = out.unionByName(p)
    return out, (count, lo, hi, columns)  # repeated ids are harmless: the semi-join keeps each row once


def log_counts(frame: Any, x: Any, plans: dict[int, SparkPlan], model: ChartSpec) -> dict[tuple[int, str], Any]:
    """logscale.full_log_counts in Spark: per (layer index, field) on a log scale, its values at or
    below zero and above over every row the layer plots, and the first below (by row id)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import NumericType

    from .logscale import FullCount, on_log_scale

    out: dict[tuple[int, str], Any] = {}
    for index, plan in plans.items():
        log_x, log_y = on_log_scale(model, model.layers[index])
        rows = _transformed(frame, plan)
        for field in [model.x.field] * log_x + [model.layers[index].y.field] * log_y:
            if field not in rows.columns:
                continue  # folded: unknown here, as in DuckDB
            value = x if field == model.x.field else engine_number(field)  # NaN missing, as the engine reads it
            below = value <= 0
            cells = [F.col(f"`{f}`") if isinstance(rows.schema[f].dataType, NumericType) else v  # as fetched
                     for f, v in ((model.x.field, x), (field, value))]
            first = F.min(F.when(below, F.struct(F.col("__srow"), cells[0].alias("x"), cells[1].alias("v"))))
            n_below, n_above, found = rows.agg(F.count(F.when(below, 1)), F.count(F.when(value > 0, 1)), first).first()
            out[(index, field)] = FullCount(f"spark {plan.signature}", int(n_below), int(n_above),
                                            (found["x"], found["v"]) if found is not None else None)
    return out


def _transformed(frame: Any, plan: SparkPlan, *, filtered: bool = True) -> Any:
    """The rows a layer draws: its calculated columns added, then its filters (reduce.py's order:
    the WHERE reads the source with every calculate)."""
    for name, col in plan.calcs:
        frame = frame.withColumn(name, col)
    return frame if plan.where is None or not filtered else frame.where(plan.where)


def _picks(frame: Any, x: Any, bucket: Any, keys: list[str], values: list[str], group: int = 1,
           positive: tuple[str, ...] = ()) -> Any:
    """Per series and column: the rows with each value's extremes, and with the first and last x
    of every ``group`` columns (m4sql.m4_part).

    One aggregation, no join: the smallest (value, row) struct is the row with the smallest value,
    the first such row on ties, as m4sql.py picks; the largest x keeps the last row, the largest
    value the first (the row negated in its struct)."""
    from pyspark.sql import functions as F

    # on a log scale the extremes of the values above zero, the ones Vega draws (m4sql.m4_part); the
    # first and last x stay every row's, so the rows left out reach DuckDB's cut, which keeps the breaks
    measured = [x, *(F.when(engine_number(v) > 0, engine_number(v)) if v in positive else engine_number(v)
                     for v in values)]
    rows = frame.where(x.isNotNull()).select("__srow", *(F.col(f"`{k}`").alias(f"__k{i}") for i, k in enumerate(keys)),
                                             bucket.alias("__b"), *(m.alias(f"__m{i}") for i, m in enumerate(measured)))
    by = [f"__k{i}" for i in range(len(keys))] + ["__b"]
    row = F.col("__srow")
    ids = [F.min(F.struct("__m0", row))["__srow"], F.max(F.struct("__m0", row))["__srow"]]
    for i in range(1, len(measured)):
        value = F.col(f"__m{i}")
        ids += [F.min(F.when(value.isNotNull(), F.struct(value, row.alias("__srow"))))["__srow"],
                -F.max(F.when(value.isNotNull(), F.struct(value, (-row).alias("__srow"))))["__srow"]]
    grouped = rows.groupBy(*by).agg(*(pick.alias(f"__p{i}") for i, pick in enumerate(ids)))
    if group > 1:  # x's first and last of the group: from its first and last column holding rows
        from pyspark.sql import Window

        over = Window.partitionBy(*by[:-1], F.floor(F.col("__b") / F.lit(group)))
        grouped = (grouped.withColumn("__p0", F.when(F.col("__b") == F.min("__b").over(over), F.col("__p0")))
                   .withColumn("__p1", F.when(F.col("__b") == F.max("__b").over(over), F.col("__p1"))))
    picked = F.array(*(F.col(f"__p{i}") for i in range(len(ids))))
    return grouped.select(F.explode(picked).alias("__srow")).where(F.col("__srow").isNotNull())


def _cells(frame: Any, plan: SparkPlan, x: Any, column: Any, rows_per_unit: float) -> Any:
    """m4sql.select_rows's points: the first row of each occupied (series, pixel column, pixel
    row) cell, the y scale spanning the layer's rows before its filters. The rows holding that
    smallest and largest y come back too, so reduce.py's second cut spans the same y."""
    from pyspark.sql import functions as F

    source = _transformed(frame, plan, filtered=False)
    y = engine_number(plan.values[0])  # the layer's y (spark_plan: a number column for points)
    lo_y, hi_y = source.agg(F.min(y), F.max(y)).first()
    span = (hi_y - lo_y) if lo_y is not None and hi_y is not None and hi_y > lo_y else 1.0
    cell = F.floor((y - F.lit(lo_y or 0.0)) / F.lit(span) * F.lit(rows_per_unit))
    keys = [F.col(f"`{k}`") for k in plan.keys]
    drawn = source if plan.where is None else source.where(plan.where)
    picked = drawn.where(x.isNotNull()).groupBy(*keys, column.alias("__c"), cell.alias("__y")).agg(
        F.min("__srow").alias("__srow")).select("__srow")
    ends = source.where(y.isNotNull()).agg(F.min(F.struct(y, F.col("__srow")))["__srow"].alias("a"),
                                           F.max(F.struct(y, F.col("__srow")))["__srow"].alias("b"))
    return picked.unionByName(ends.select(F.explode(F.array("a", "b")).alias("__srow")))
