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
  ``one_of`` with strings on a text column: reduce._filter_sql's SQL. A field with a date format
  (``parse``, a temporal axis) is refused.
- ``fold`` into the layer's y: the folded columns are the M4's values, as in reduce._plan.
- Vega expressions: the subset of vegasql.py whose Spark meaning is the same: number and text
  columns, literals, ``< <= > >= == != === !==``, ``&& || !``, ``?:``, ``+ - *``, unary ``-``/``+``,
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
from .reduce import POINT_MARKS
from .rows import mentioned
from .smoothing import smooth_series
from .vegaparse import Binary, Call, Conditional, Const, Datum, Member, Node, Unary, parse

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


def engine_number(name: str) -> Any:
    """A number column as engine.typed_exprs reads it: a DOUBLE, NaN and ±Infinity missing."""
    from pyspark.sql import functions as F

    col = F.col(f"`{name}`").cast("double")
    return F.when(_finite(col), col)


def _finite(col: Any) -> Any:
    from pyspark.sql import functions as F

    return ~F.isnan(col) & (F.abs(col) != F.lit(float("inf")))


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
                where.append(_truth(parse(step.expr), kinds))
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
                value = _value(parse(step.expr), kinds)
            except (Unsupported, RecursionError):
                return None
            if value.kind not in ("num", "numn"):
                return None  # a boolean or text result: reduce.py's SQL is not mirrored for it
            calcs.append((step.as_field, F.when(_finite(value.col), value.col)))
            kinds[step.as_field] = "number"
        else:
            return None
    points = layer.mark in POINT_MARKS
    if any(c not in kinds for c in (*values, *keys)) or (points and kinds.get(layer.y.field) != "number"):
        return None
    cond = None
    for w in where:
        cond = w if cond is None else cond & w
    return SparkPlan(tuple(keys), tuple(v for v in values if kinds.get(v) == "number"), tuple(calcs), cond,
                     repr(layer_steps(layer, model, has_own)), points)


def spark_rows(frame: Any, steps: Sequence[Filter | Calculate], kinds: Mapping[str, str], dates: Mapping[str, str]
               ) -> tuple[Any, dict[str, str]] | None:
    """Filters and number calculates applied in order, as engineagg.py's SQL runs them before an
    aggregate (a calculate keeps NaN and infinities there, as DuckDB stores them); the frame and
    the columns' kinds, or None when one does not translate."""
    kinds = dict(kinds)
    try:
        for step in steps:
            if isinstance(step, Filter) and step.expr is not None:
                frame = frame.where(_truth(parse(step.expr), kinds))
            elif isinstance(step, Filter) and step.field in kinds and step.field not in dates:
                if (cond := _field_filter(step, kinds[step.field] == "text")) is None:
                    return None
                frame = frame.where(cond)
            elif isinstance(step, Calculate) and (value := _value(parse(step.expr), kinds)).kind in ("num", "numn"):
                frame = frame.withColumn(step.as_field, value.col.cast("double"))
                kinds[step.as_field] = "number"
            else:
                return None
    except (Unsupported, RecursionError):
        return None
    return frame, kinds


def _field_filter(t: Filter, text: bool) -> Any:
    """reduce._filter_sql's condition (no date formats here), or None."""
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


@dataclass(frozen=True)
class _Val:
    """vegasql._Sql as a Spark column: the same kinds (num, numn, bool, null, text, textn)."""

    col: Any
    kind: str


def _lit(value: Any) -> Any:
    from pyspark.sql import functions as F

    return F.lit(value)


def _const(value: object) -> _Val:
    if isinstance(value, bool):
        return _Val(_lit(value), "bool")
    if value is None:
        return _Val(_lit(None).cast("double"), "null")
    if isinstance(value, float):
        return _Val(_lit(value), "num")
    if isinstance(value, str):
        return _Val(_lit(value), "text")
    raise Unsupported(repr(value))


def _column(node: Member, kinds: Mapping[str, str]) -> _Val:
    if not isinstance(node.obj, Datum) or not isinstance(node.key, Const) or not isinstance(node.key.value, str):
        raise Unsupported("member")
    kind = kinds.get(node.key.value)
    if kind == "number":
        return _Val(engine_number(node.key.value), "numn")
    if kind == "text":
        from pyspark.sql import functions as F

        return _Val(F.col(f"`{node.key.value}`"), "textn")
    raise Unsupported(f"field {node.key.value!r}")


def _number(v: _Val) -> Any:
    from pyspark.sql import functions as F

    if v.kind == "num":
        return v.col
    if v.kind == "numn":
        return F.coalesce(v.col, F.lit(0.0))
    if v.kind == "bool":
        return v.col.cast("double")
    if v.kind == "null":
        return F.lit(0.0)
    raise Unsupported("text as a number")


def _no_nan(col: Any) -> Any:
    from pyspark.sql import functions as F

    return F.when(~F.isnan(col), col)  # NaN (and NULL) -> NULL: every comparison then false


def _truthy(v: _Val) -> Any:
    from pyspark.sql import functions as F

    if v.kind == "bool":
        return v.col
    if v.kind in ("num", "numn"):
        return F.coalesce(_no_nan(v.col) != 0, F.lit(False))
    if v.kind == "null":
        return F.lit(False)
    raise Unsupported("truthiness of text")


def _equal(a: _Val, b: _Val, strict: bool) -> Any:
    from pyspark.sql import functions as F

    kinds = {a.kind, b.kind}
    if kinds & {"text", "textn"}:
        if a.kind in ("text", "null"):
            a, b = b, a
        if a.kind != "textn" or b.kind not in ("text", "null"):
            raise Unsupported("text compared with what is not a text literal or null")
        return a.col.isNull() if b.kind == "null" else F.coalesce(a.col == b.col, F.lit(False))
    if "null" in kinds:
        other = b if a.kind == "null" else a
        return {"null": F.lit(True), "numn": other.col.isNull()}.get(other.kind, F.lit(False))
    if a.kind == "bool" and b.kind == "bool":
        return a.col == b.col
    if "bool" in kinds and strict:
        return F.lit(False)
    if kinds == {"numn"}:
        return (a.col.isNull() & b.col.isNull()) | F.coalesce(_no_nan(a.col) == _no_nan(b.col), F.lit(False))
    left, right = (_number(v) if v.kind == "bool" else v.col for v in (a, b))
    return F.coalesce(_no_nan(left) == _no_nan(right), F.lit(False))


_ARITH: dict[str, Callable[[Any, Any], Any]] = {"+": lambda a, b: a + b, "-": lambda a, b: a - b,
                                                "*": lambda a, b: a * b}
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
                                                  ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _merge(a: _Val, b: _Val) -> str:
    if a.kind == b.kind and a.kind not in ("text", "textn"):
        return a.kind
    if {a.kind, b.kind} <= {"num", "numn", "null"}:
        return "numn"
    raise Unsupported("a value of two kinds")


def _case(test: Any, yes: _Val, no: _Val) -> _Val:
    from pyspark.sql import functions as F

    return _Val(F.when(test, yes.col).otherwise(no.col), _merge(yes, no))


def _value(node: Node, kinds: Mapping[str, str]) -> _Val:
    from pyspark.sql import functions as F

    if isinstance(node, Const):
        return _const(node.value)
    if isinstance(node, Member):
        return _column(node, kinds)
    if isinstance(node, Binary):
        a, b = _value(node.left, kinds), _value(node.right, kinds)
        if node.op in ("&&", "||"):
            if a.kind == b.kind == "bool":
                return _Val(a.col & b.col if node.op == "&&" else a.col | b.col, "bool")
            return _case(_truthy(a), b, a) if node.op == "&&" else _case(_truthy(a), a, b)
        if node.op in ("==", "!=", "===", "!=="):
            same = _equal(a, b, strict=len(node.op) == 3)
            return _Val(same if node.op[0] == "=" else ~same, "bool")
        if node.op in _COMPARE:
            return _Val(F.coalesce(_COMPARE[node.op](_no_nan(_number(a)), _no_nan(_number(b))), F.lit(False)),
                        "bool")
        if node.op in _ARITH:  # IEEE 754 doubles in Spark as in DuckDB (no / or %: module docstring)
            return _Val(_ARITH[node.op](_number(a), _number(b)), "num")
        raise Unsupported(node.op)
    if isinstance(node, Unary):
        if node.op == "!":
            return _Val(~_truth(node.operand, kinds), "bool")
        x = _number(_value(node.operand, kinds))
        return _Val(-x if node.op == "-" else x, "num")
    if isinstance(node, Conditional):
        return _case(_truth(node.test, kinds), _value(node.yes, kinds), _value(node.no, kinds))
    if isinstance(node, Call):
        return _call(node, kinds)
    raise Unsupported(type(node).__name__)


def _call(node: Call, kinds: Mapping[str, str]) -> _Val:
    from pyspark.sql import functions as F

    args = [_value(arg, kinds) for arg in node.args]
    if len(args) != 1:
        raise Unsupported(f"function {node.name!r}")
    (arg,) = args
    if node.name == "abs":
        return _Val(F.abs(_number(arg)), "num")
    if arg.kind not in ("num", "numn") and not (node.name == "isValid" and arg.kind in ("textn", "bool")):
        raise Unsupported(f"function {node.name!r} of {arg.kind}")
    if node.name == "isValid":
        if arg.kind == "bool":
            return _Val(F.lit(True), "bool")
        if arg.kind == "textn":
            return _Val(arg.col.isNotNull(), "bool")
        # Spark's isnan(NULL) is false, not NULL: the missing value is tested apart
        return _Val(arg.col.isNotNull() & ~F.isnan(arg.col), "bool")
    if node.name == "isNaN":
        return _Val(F.coalesce(F.isnan(arg.col), F.lit(False)), "bool")
    if node.name == "isFinite":
        return _Val(F.coalesce(_finite(arg.col), F.lit(False)), "bool")
    raise Unsupported(f"function {node.name!r}")


def _truth(node: Node, kinds: Mapping[str, str]) -> Any:
    """The truthiness of ``node``: a BOOLEAN column, never NULL (vegasql._truth)."""
    from pyspark.sql import functions as F

    if isinstance(node, Unary) and node.op == "!":
        return ~_truth(node.operand, kinds)
    if isinstance(node, Binary) and node.op in ("&&", "||"):
        a, b = _truth(node.left, kinds), _truth(node.right, kinds)
        return a & b if node.op == "&&" else a | b
    if isinstance(node, Conditional):
        return F.when(_truth(node.test, kinds), _truth(node.yes, kinds)).otherwise(_truth(node.no, kinds))
    return _truthy(_value(node, kinds))
