"""A layer's ``filter``, drawn ``calculate`` and ``fold`` transforms as Spark columns, run before Spark's M4.

reduce.py runs a layer's filters and drawn calculates in DuckDB (vegasql.py) before it picks the
M4 rows; on Spark (spark.py) the same must happen in Spark, or a filtered layer brings every row
back. The picks must be the very rows DuckDB would pick (the SVG is compared byte for byte), so
this translates only what means the same in Spark as in DuckDB's translation, and returns None
for everything else (the layer then comes back whole, as before):

- Columns are read as the engine reads them (engine.typed_exprs): numbers as DOUBLE, NaN and
  ±Infinity missing. Dates and times are refused (time zones and epoch units may differ), and so
  is any column that is neither a number nor text.
- ``{field, gt/gte/lt/lte/equal/one_of}`` on a number column with number values, or ``equal`` /
  ``one_of`` with strings on a text column: layerfilters.filter_sql's SQL. A field with a date format
  (``parse``, a temporal axis) is refused.
- ``fold`` into the layer's y: the folded columns are the M4's values, as in reduce._plan.
- Vega expressions (sparkvalues.py): the subset of vegasql.py whose Spark meaning is the same:
  number, text and ``"number|undefined"`` columns, literals, ``< <= > >= == != === !==``, ``&& || !``, ``?:``, ``+ - *``, unary ``-``/``+``,
  ``abs``, ``isNaN``, ``isFinite``, ``isValid``, with JavaScript's null (0 in arithmetic) and NaN
  (every comparison false) written as vegasql.py writes them. Left out on purpose: ``/`` and ``%``
  (Spark gives NULL or, in ANSI mode, an error on division by zero where DuckDB gives ±Infinity or
  NaN), ``floor``/``ceil``/``round`` (Spark returns integers: overflow), ``sqrt``/``log``/``exp``/
  ``pow`` (NULL against NaN), ``min``/``max``/``clamp`` and text functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Calculate, Filter, Fold
from .jsvalues import Unsupported
from .layerdata import layer_dates, layer_steps
from .logscale import on_log_scale
from .reduce import POINT_MARKS
from .rows import mentioned
from .smoothing import smooth_series
from .sparkvalues import engine_number, finite, spark_truth, spark_value
from .vegaparse import parse

__all__ = ["SparkPlan", "column_kinds", "engine_number", "spark_plan", "spark_rows"]


@dataclass(frozen=True)
class SparkPlan:
    """What Spark runs for one layer before its M4: calculated columns (in order), then one filter."""

    keys: tuple[str, ...]
    values: tuple[str, ...]
    calcs: tuple[tuple[str, Any], ...]  # (column, pyspark Column)
    where: Any  # a pyspark Column, or None: every row
    #: the transforms as written: layers with the same keys and signature share one M4 pass
    signature: str
    #: a point, tick or text mark: one row per occupied pixel cell, not M4
    points: bool = False
    #: values on a log scale: their extremes are those above zero (reduce._Plan.positive)
    positive: tuple[str, ...] = ()


def column_kinds(frame: Any) -> dict[str, str]:
    """``"number"`` or ``"text"`` per column Spark can read as DuckDB's engine does; others left out."""
    from pyspark.sql.types import NumericType, StringType

    kinds = {}
    for f in frame.schema.fields:
        if isinstance(f.dataType, NumericType):
            kinds[f.name] = "number"
        elif isinstance(f.dataType, StringType):
            kinds[f.name] = "text"
    return kinds


def spark_plan(layer: Layer, model: ChartSpec, has_own: bool, kinds: Mapping[str, str]) -> SparkPlan | None:
    """reduce._plan's filters and calculates for a line layer, as Spark columns; None if one
    cannot be run in Spark with DuckDB's meaning (or the plan would differ from reduce.py's)."""
    from pyspark.sql import functions as F

    kinds = dict(kinds)
    x = model.x.field
    keys = list(smooth_series(layer, model))
    values = [layer.y.field] + ([layer.band.lower, layer.band.upper] if layer.band else [])
    filtered = {f for s in layer_steps(layer, model, has_own) if isinstance(s, Filter)
                for f in ({s.field} if s.field else mentioned(s.expr or ""))}
    calcs: list[tuple[str, Any]] = []
    where: list[Any] = []
    for step in layer_steps(layer, model, has_own):
        if isinstance(step, Filter) and step.expr is not None:
            try:
                where.append(spark_truth(parse(step.expr), kinds))
            except (Unsupported, RecursionError):
                return None
        elif isinstance(step, Filter) and step.field in kinds and step.field not in layer_dates(layer, model):
            if (cond := _field_filter(step, kinds[step.field] == "text")) is None:
                return None
            where.append(cond)
        elif isinstance(step, Fold) and layer.y.field == step.value:
            # reduce._plan's fold: the folded columns are the values, the fold's key no series key
            values = [v for v in values if v != step.value] + list(step.fields)
            keys = [k for k in keys if k != step.key]
        elif isinstance(step, Calculate) and step.as_field not in {x, *values, *keys, *filtered}:
            continue  # a label or tooltip value: moves no mark (as in reduce.py)
        elif isinstance(step, Calculate) and step.as_field not in (x, *keys):
            try:
                value = spark_value(parse(step.expr), kinds)
            except (Unsupported, RecursionError):
                return None
            if value.kind not in ("num", "numn"):
                return None  # a boolean or text result: reduce.py's SQL is not mirrored for it
            calcs.append((step.as_field, F.when(finite(value.col), value.col)))
            kinds[step.as_field] = "number"
        else:
            return None
    points = layer.mark in POINT_MARKS
    if any(c not in kinds for c in (*values, *keys)) or (points and kinds.get(layer.y.field) != "number"):
        return None
    cond = None
    for w in where:
        cond = w if cond is None else cond & w
    numeric = tuple(v for v in values if kinds.get(v) == "number")
    return SparkPlan(tuple(keys), numeric, tuple(calcs), cond, repr(layer_steps(layer, model, has_own)),
                     points, numeric if on_log_scale(model, layer)[1] else ())


def spark_rows(frame: Any, steps: Sequence[Filter | Calculate], kinds: Mapping[str, str], dates: Mapping[str, str]
               ) -> tuple[Any, dict[str, str]] | None:
    """Filters and number calculates applied in order, as engineagg.py's SQL runs them before an
    aggregate (a calculate keeps NaN and infinities there, as DuckDB stores them); the frame and
    the columns' kinds, or None when one does not translate."""
    kinds = dict(kinds)
    try:
        for step in steps:
            if isinstance(step, Filter) and step.expr is not None:
                frame = frame.where(spark_truth(parse(step.expr), kinds))
            elif isinstance(step, Filter) and step.field in kinds and step.field not in dates:
                if (cond := _field_filter(step, kinds[step.field] == "text")) is None:
                    return None
                frame = frame.where(cond)
            elif isinstance(step, Calculate) and (value := spark_value(parse(step.expr), kinds)).kind in (
                    "num", "numn", "numu"):
                frame = frame.withColumn(step.as_field, value.col.cast("double"))
                kinds[step.as_field] = "number|undefined" if value.kind == "numu" else "number|raw"
            else:
                return None
    except (Unsupported, RecursionError):
        return None
    return frame, kinds


def _field_filter(t: Filter, text: bool) -> Any:
    """layerfilters.filter_sql's condition (no date formats here), or None."""
    from pyspark.sql import functions as F

    assert t.field is not None
    col = F.col(f"`{t.field}`")
    cond = None
    for key, wanted in t.tests:
        values = list(wanted) if key == "one_of" else [wanted]
        if text and key in ("equal", "one_of") and all(isinstance(v, str) for v in values):
            part = col.isin(*values)
        elif text or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return None
        else:
            number = engine_number(t.field)
            floats = [F.lit(float(v)) for v in values]
            ops: dict[str, Callable[[Any, Any], Any]] = {
                "equal": lambda a, b: a == b, "gte": lambda a, b: a >= b, "lte": lambda a, b: a <= b,
                "gt": lambda a, b: a > b, "lt": lambda a, b: a < b}
            part = number.isin(*floats) if key == "one_of" else ops[key](number, floats[0])
        cond = part if cond is None else cond & part
    # NULL (a missing value) drops the row, as SQL's WHERE does
    return F.coalesce(cond, F.lit(False)) if cond is not None else F.lit(True)
