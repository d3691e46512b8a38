"""A layer's ``filter`` and drawn ``calculate`` transforms as Ibis expressions, run before Postgres's M4.

sparkexpr.py's translation, written for Ibis (postgres.py runs it; the same expressions compile
for Ibis's other SQL backends): only what means in Postgres exactly what reduce.py's DuckDB SQL
(vegasql.py) means, so the picks, and the SVG, are a DuckDB build's; None for everything else
(the layer then comes back whole within the drawing limit, as before).

- Columns as the engine reads them: float8, NaN and ±Infinity missing; text; nothing else.
- ``{field, gt/gte/lt/lte/equal/one_of}`` with numbers on a number column, ``equal``/``one_of``
  with strings on a text column; not on a field with a date format.
- Vega expressions (``"number|undefined"`` columns and equality as vegasql.py has them,
  jsequal.py): literals, ``< <= > >= == != === !==``, ``&& || !``, ``?:``, ``+ - *``, unary
  ``-``/``+``, ``abs``, ``isNaN``, ``isFinite``, ``isValid``, JavaScript's null (0 in arithmetic)
  and NaN (every comparison false; Postgres's NaN equals itself and sorts above every number, so
  NaN becomes NULL before any comparison). A boolean is a number through CASE (Postgres has no
  boolean-to-float cast). Left out, as on Spark: ``/`` and ``%`` (Postgres fails on a division by
  zero), ``floor``/``ceil``/``round``, ``sqrt``/``log``/``exp``/``pow``, ``min``/``max``/``clamp``
  and text functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Calculate, Filter
from .jsequal import ARITH, COMPARE, Side, equal, merge_kinds
from .jsvalues import Unsupported, string_to_number
from .layerdata import layer_dates, layer_steps
from .logscale import on_log_scale
from .rows import mentioned
from .smoothing import smooth_series
from .vegaparse import Binary, Call, Conditional, Const, Datum, Member, Node, Unary, parse

__all__ = ["IbisPlan", "engine_number", "ibis_plan", "ibis_rows"]


@dataclass(frozen=True)
class IbisPlan:
    """The rows one layer draws, for its M4: the table with its calculated columns, then filtered."""

    keys: tuple[str, ...]
    values: tuple[str, ...]
    table: Any  # an Ibis table
    #: the transforms as written: layers with the same keys and signature share one M4 pass
    signature: str
    #: the filters' condition (None: no filter) over ``base``, the table with the calculated columns
    where: Any = None
    base: Any = None
    #: values on a log scale: their extremes are those above zero (reduce._Plan.positive)
    positive: tuple[str, ...] = ()


def log_counts(plans: Mapping[int, IbisPlan], model: ChartSpec) -> dict[tuple[int, str], Any]:
    """logscale.full_log_counts in Postgres: per (layer index, field) on a log scale, its values at
    or below zero and above over every row the layer plots, and the first below (by row id)."""
    from .logscale import FullCount, on_log_scale

    out: dict[tuple[int, str], Any] = {}
    for index, plan in plans.items():
        log_x, log_y = on_log_scale(model, model.layers[index])
        t = plan.table
        for field in [model.x.field] * log_x + [model.layers[index].y.field] * log_y:
            if field not in t.columns:
                continue  # folded: unknown here, as in DuckDB
            value = engine_number(t, field)  # NaN missing, as the engine reads it
            found = t.aggregate(below=t.count(where=value <= 0), above=t.count(where=value > 0)).to_pyarrow().to_pylist()[0]
            first = t.filter(value <= 0).order_by("__srow").limit(1).select(x=t[model.x.field], v=t[field])
            cells = first.to_pyarrow().to_pylist() if found["below"] else []
            out[(index, field)] = FullCount(f"postgres {plan.signature}", int(found["below"]), int(found["above"]),
                                            (cells[0]["x"], cells[0]["v"]) if cells else None)
    return out


def engine_number(t: Any, name: str) -> Any:
    """A number column as engine.typed_exprs reads it: float64, NaN and ±Infinity missing."""
    return _finite_or_null(t[name].cast("float64"))


def _finite_or_null(col: Any) -> Any:
    import ibis

    return ibis.ifelse(col.isnan() | col.isinf(), ibis.null("float64"), col)


def ibis_plan(t: Any, layer: Layer, model: ChartSpec, has_own: bool, kinds: Mapping[str, str]) -> IbisPlan | None:
    """reduce._plan's filters and calculates for a line layer over ``t``; None if one cannot run
    with DuckDB's meaning (sparkexpr.spark_plan's rules). The calculates are added in order, then
    every filter reads the table with all of them (reduce.py's order)."""
    kinds = dict(kinds)
    x = model.x.field
    keys = list(smooth_series(layer, model))
    values = [layer.y.field] + ([layer.band.lower, layer.band.upper] if layer.band else [])
    steps = layer_steps(layer, model, has_own)
    filtered = {f for s in steps if isinstance(s, Filter) for f in ({s.field} if s.field else mentioned(s.expr or ""))}
    filters: list[tuple[Filter, dict[str, str]]] = []
    try:
        for step in steps:
            if isinstance(step, Filter) and (step.expr is not None or (
                    step.field in kinds and step.field not in layer_dates(layer, model))):
                filters.append((step, dict(kinds)))
            elif isinstance(step, Calculate) and step.as_field not in {x, *values, *keys, *filtered}:
                continue  # a label or tooltip value: moves no mark (as in reduce.py)
            elif isinstance(step, Calculate) and step.as_field not in (x, *keys):
                value = _value(t, parse(step.expr), kinds)
                if value.kind not in ("num", "numn"):
                    return None  # a boolean or text result: reduce.py's SQL is not mirrored for it
                t = t.mutate(**{step.as_field: _finite_or_null(value.col)})
                kinds[step.as_field] = "number"
            else:
                return None
        conditions = [_truth(t, parse(f.expr), known) if f.expr is not None else
                      _field_filter(t, f, known[str(f.field)] == "text") for f, known in filters]
    except (Unsupported, RecursionError):
        return None
    if any(c not in kinds for c in (*values, *keys)):
        return None
    base, cond = t, None
    if conditions:
        cond = conditions[0]
        for more in conditions[1:]:
            cond = cond & more
        t = t.filter(cond)
    numeric = tuple(v for v in values if kinds.get(v) == "number")
    return IbisPlan(tuple(keys), numeric, t, repr(steps), cond, base, numeric if on_log_scale(model, layer)[1] else ())


def ibis_rows(t: Any, steps: Sequence[Filter | Calculate], kinds: Mapping[str, str], dates: Mapping[str, str]
              ) -> tuple[Any, dict[str, str]] | None:
    """sparkexpr.spark_rows over an Ibis table: filters and number calculates in order, as
    engineagg.py's SQL runs them before an aggregate; None when one does not translate."""
    kinds = dict(kinds)
    try:
        for step in steps:
            if isinstance(step, Filter) and step.expr is not None:
                t = t.filter(_truth(t, parse(step.expr), kinds))
            elif isinstance(step, Filter) and step.field in kinds and step.field not in dates:
                t = t.filter(_field_filter(t, step, kinds[step.field] == "text"))
            elif isinstance(step, Calculate) and (value := _value(t, parse(step.expr), kinds)).kind in (
                    "num", "numn", "numu"):
                t = t.mutate(**{step.as_field: value.col.cast("float64")})
                kinds[step.as_field] = "number|undefined" if value.kind == "numu" else "number|raw"
            else:
                return None
    except (Unsupported, RecursionError):
        return None
    return t, kinds


def _field_filter(t: Any, f: Filter, text: bool) -> Any:
    """layerfilters.filter_sql's condition (no date formats here)."""
    import ibis

    assert f.field is not None
    cond = None
    for key, wanted in f.tests:
        values = list(wanted) if key == "one_of" else [wanted]
        if text and key in ("equal", "one_of") and all(isinstance(v, str) for v in values):
            part = t[f.field].isin(values)
        elif text or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            raise Unsupported(f"filter {key} on {f.field!r}")
        else:
            number = engine_number(t, f.field)
            floats = [ibis.literal(float(v), "float64") for v in values]
            ops: dict[str, Callable[[Any, Any], Any]] = {
                "equal": lambda a, b: a == b, "gte": lambda a, b: a >= b, "lte": lambda a, b: a <= b,
                "gt": lambda a, b: a > b, "lt": lambda a, b: a < b}
            part = number.isin(floats) if key == "one_of" else ops[key](number, floats[0])
        cond = part if cond is None else cond & part
    # NULL (a missing value) drops the row, as SQL's WHERE does
    return ibis.coalesce(cond, False) if cond is not None else ibis.literal(True)


@dataclass(frozen=True)
class _Val:
    """vegasql._Sql as an Ibis column: the same kinds (num, numn, numu, bool, null, text, textn)."""

    col: Any
    kind: str
    text: str = ""


def _const(value: object) -> _Val:
    import ibis

    if isinstance(value, bool):
        return _Val(ibis.literal(value), "bool")
    if value is None:
        return _Val(ibis.null("float64"), "null")
    if isinstance(value, float):
        return _Val(ibis.literal(value, "float64"), "num")
    if isinstance(value, str):
        return _Val(ibis.literal(value, "string"), "text", value)
    raise Unsupported(repr(value))


def _column(t: Any, node: Member, kinds: Mapping[str, str]) -> _Val:
    if not isinstance(node.obj, Datum) or not isinstance(node.key, Const) or not isinstance(node.key.value, str):
        raise Unsupported("member")
    kind = kinds.get(node.key.value)
    if kind == "number":
        return _Val(engine_number(t, node.key.value), "numn")
    if kind == "text":
        return _Val(t[node.key.value].cast("string"), "textn")
    if kind in ("number|undefined", "number|raw"):  # an aggregate's (NULL: undefined) or a calculate's, as stored
        return _Val(t[node.key.value].cast("float64"), "numu" if kind == "number|undefined" else "numn")
    raise Unsupported(f"field {node.key.value!r}")


def _number(v: _Val) -> Any:
    import ibis

    if v.kind == "num":
        return v.col
    if v.kind in ("numn", "numu"):  # null is 0, undefined NaN
        return ibis.coalesce(v.col, 0.0 if v.kind == "numn" else float("nan"))
    if v.kind == "bool":
        return ibis.ifelse(v.col, 1.0, 0.0)
    if v.kind == "null":
        return ibis.literal(0.0, "float64")
    if v.kind == "text":
        return ibis.literal(string_to_number(v.text), "float64")
    raise Unsupported("a text column as a number")


def _no_nan(col: Any) -> Any:
    import ibis

    return ibis.ifelse(col.isnan(), ibis.null("float64"), col)  # NaN -> NULL: every comparison then false


def _truthy(v: _Val) -> Any:
    import ibis

    if v.kind == "bool":
        return v.col
    if v.kind in ("num", "numn", "numu"):
        return ibis.coalesce(_no_nan(v.col) != 0, False)
    if v.kind == "null":
        return ibis.literal(False)
    raise Unsupported("truthiness of text")


class _Prims:
    """jsequal.py's primitives as Ibis expressions."""

    def const(self, value: bool) -> Any:
        import ibis

        return ibis.literal(value)

    def is_null(self, e: Any) -> Any:
        return e.isnull()

    def both(self, a: Any, b: Any) -> Any:
        return a & b

    def either(self, a: Any, b: Any) -> Any:
        return a | b

    def eq(self, a: Any, b: Any, what: str) -> Any:
        import ibis

        if what == "bool":
            return a == b
        return ibis.coalesce(_no_nan(a) == _no_nan(b) if what == "number" else a == b, False)

    def number(self, side: Side[Any]) -> Any:
        return _number(_Val(side.expr, side.kind, side.text))

    def literal(self, x: float) -> Any:
        import ibis

        return ibis.literal(x, "float64")





def _case(test: Any, yes: _Val, no: _Val) -> _Val:
    import ibis

    return _Val(ibis.ifelse(test, yes.col, no.col), merge_kinds(yes.kind, no.kind))


def _value(t: Any, node: Node, kinds: Mapping[str, str]) -> _Val:
    import ibis

    if isinstance(node, Const):
        return _const(node.value)
    if isinstance(node, Member):
        return _column(t, node, kinds)
    if isinstance(node, Binary):
        a, b = _value(t, node.left, kinds), _value(t, node.right, kinds)
        if node.op in ("&&", "||"):
            if a.kind == b.kind == "bool":
                return _Val(a.col & b.col if node.op == "&&" else a.col | b.col, "bool")
            return _case(_truthy(a), b, a) if node.op == "&&" else _case(_truthy(a), a, b)
        if node.op in ("==", "!=", "===", "!=="):
            same = equal(Side(a.kind, a.col, a.text), Side(b.kind, b.col, b.text), len(node.op) == 3, _Prims())
            return _Val(same if node.op[0] == "=" else ~same, "bool")
        if "textn" in (both := {a.kind, b.kind}) or (node.op == "+" and "text" in both) or both == {"text"}:
            raise Unsupported("text joined or compared as text")
        if node.op in COMPARE:
            return _Val(ibis.coalesce(COMPARE[node.op](_no_nan(_number(a)), _no_nan(_number(b))), False), "bool")
        if node.op in ARITH:  # IEEE 754 doubles (no / or %: module docstring)
            return _Val(ARITH[node.op](_number(a), _number(b)), "num")
        raise Unsupported(node.op)
    if isinstance(node, Unary):
        if node.op == "!":
            return _Val(~_truth(t, node.operand, kinds), "bool")
        x = _number(_value(t, node.operand, kinds))
        return _Val(-x if node.op == "-" else x, "num")
    if isinstance(node, Conditional):
        return _case(_truth(t, node.test, kinds), _value(t, node.yes, kinds), _value(t, node.no, kinds))
    if isinstance(node, Call):
        return _call(t, node, kinds)
    raise Unsupported(type(node).__name__)


def _call(t: Any, node: Call, kinds: Mapping[str, str]) -> _Val:
    import ibis

    args = [_value(t, arg, kinds) for arg in node.args]
    if len(args) != 1:
        raise Unsupported(f"function {node.name!r}")
    (arg,) = args
    if node.name == "abs":
        return _Val(_number(arg).abs(), "num")
    if node.name == "toNumber" and arg.kind in ("num", "numn", "numu"):
        return _Val(arg.col, "numn" if arg.kind == "numu" else arg.kind)  # undefined -> null
    if arg.kind not in ("num", "numn", "numu") and not (node.name == "isValid" and arg.kind in ("textn", "bool")):
        raise Unsupported(f"function {node.name!r} of {arg.kind}")
    if node.name == "isValid":
        if arg.kind == "bool":
            return _Val(ibis.literal(True), "bool")
        if arg.kind == "textn":
            return _Val(arg.col.notnull(), "bool")
        return _Val(ibis.coalesce(~arg.col.isnan(), False), "bool")
    if node.name == "isNaN":
        return _Val(ibis.coalesce(arg.col.isnan(), False), "bool")
    if node.name == "isFinite":
        return _Val(ibis.coalesce(~(arg.col.isnan() | arg.col.isinf()), False), "bool")
    raise Unsupported(f"function {node.name!r}")


def _truth(t: Any, node: Node, kinds: Mapping[str, str]) -> Any:
    """The truthiness of ``node``: a boolean column, never NULL (vegasql._truth)."""
    import ibis

    if isinstance(node, Unary) and node.op == "!":
        return ~_truth(t, node.operand, kinds)
    if isinstance(node, Binary) and node.op in ("&&", "||"):
        a, b = _truth(t, node.left, kinds), _truth(t, node.right, kinds)
        return a & b if node.op == "&&" else a | b
    if isinstance(node, Conditional):
        return ibis.ifelse(_truth(t, node.test, kinds), _truth(t, node.yes, kinds), _truth(t, node.no, kinds))
    return _truthy(_value(t, node, kinds))
