"""Vega expressions translated into the engine's SQL, with Vega's exact results on the engine's rows.

The reduction (reduce.py) must run a layer's ``filter`` and drawn ``calculate`` in the engine
before it cuts the rows; Vega-Lite later runs them again on the kept rows, so the SQL has to agree
with JavaScript row for row, or a kept row would be filtered differently. :func:`to_sql` translates
the syntax tree of vegaparse.py (the one vegaexpr.py evaluates in Python) for a safe subset and
returns None for everything else: the caller then keeps its "drawn whole" path, never a guess.

Semantics (those of vegaexpr.py and jsvalues.py, which follow ECMAScript):

- A number column's SQL NULL is JavaScript ``null`` (fetched rows reach Vega as ``null``): it is 0
  in arithmetic and in ``< <= > >=`` (``null + 1`` is 1, ``null < 1`` is true), equal only to
  ``null`` under ``==`` and ``===``, and falsy. Columns are read as DOUBLE (integers too), as
  JavaScript reads them. A name ``columns`` does not list is refused, not read as ``undefined``.
- Arithmetic is IEEE 754, as in JavaScript: ``x / 0`` is ±Infinity, ``0 / 0`` NaN, overflow
  Infinity, the sign of zero kept. The engine does that itself with ``ieee_floating_point_ops``
  (DuckDB's default since 1.1; tests/data/test_vegasql.py checks it). ``%`` is the engine's ``%``,
  C's fmod, which is JavaScript's remainder (sign of the dividend; ``fmod()`` is not).
- NaN: the engine sorts NaN above everything and finds ``NaN = NaN`` true; JavaScript finds every
  comparison with NaN false. So operands of comparisons pass through ``nullif(x, NaN)`` and the
  result through ``coalesce(..., FALSE)``. Truthiness: 0, -0, NaN, null and false are falsy.
- ``round`` is Math.round (halves up, ``round(-2.5)`` is -2, ``round(-0.4)`` is -0), computed from
  ``floor`` exactly, never the engine's ``round`` (halves away from zero). ``min``/``max``/``clamp``
  are NaN when an argument is NaN and order -0 below +0; ``pow`` is NaN for ``pow(±1, ±Infinity)``
  and ``pow(x, NaN)``; ``log`` is the natural logarithm (``ln``).
- A ``"number|undefined"`` column's SQL NULL is ``undefined`` (Vega's aggregate of no valid
  value): NaN in arithmetic and ``< <= > >=``, ``== null`` but not ``=== null``, falsy.
- Equality follows jsequal.py (one rule for DuckDB, Spark and Ibis): a string is never ``===`` a
  number; ``==`` reads a string literal with ToNumber (``'' == 0``, ``'0x1' == 1``). A string
  literal in ``- * / % < <= > >=`` is its ToNumber, known at translation. Text columns: only
  ``==``, ``!=``, ``===``, ``!==`` against a string literal or ``null``, ``===`` against anything,
  and ``isValid``; text columns in arithmetic, comparisons, truthiness, joined by ``+`` (the engine
  may write a list or a boolean it holds otherwise than JavaScript) or as a result are refused.
- Text made by the expression (:func:`series_sql` only: a series' name): ``+`` with a string on
  either side joins both sides' ToString (numbers as JavaScript writes them, jstextsql.py; ``null``,
  ``undefined``, ``true``, ``false`` spelt out), ``?:`` with text on both branches, and its
  truthiness (not empty). Compared, or as a number, it is refused.

Value context (``calculate``): a number comes back as DOUBLE (NaN and ±Infinity included),
``null`` as NULL, ``true``/``false`` as BOOLEAN. A result that may be a number or a boolean
(``datum.a > 0 || datum.b``) is refused. Filter context: a BOOLEAN that is never NULL, the
expression's truthiness. Names are quoted with engine.quote, text literals with engine.literal and
numbers written as ``'<repr>'::DOUBLE``: no user text reaches the SQL unquoted. Expressions
whose exact SQL would be very long (each ``round`` or ``min`` repeats its operands) are refused.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .engine import literal, quote
from .jsequal import Side, equal, merge_kinds
from .jstextsql import number_text_sql
from .jsvalues import Unsupported, string_to_number
from .vegaparse import Binary, Call, Conditional, Const, Datum, Member, Node, Unary, parse

__all__ = ["MAX_SQL", "Column", "series_sql", "to_sql", "value_sql"]

#: the longest SQL an expression may become (beyond it: refused, as too costly per row)
MAX_SQL = 20_000
Kind = Literal["num", "numn", "numu", "bool", "null", "text", "textn", "str"]
#: a column's kind in ``columns``: a number (SQL NULL is ``null``), text, or a number whose SQL NULL
#: is ``undefined`` (what Vega's aggregate gives for the mean of no valid value: NaN in arithmetic)
Column = Literal["number", "text", "number|undefined"]
_NAN = "'nan'::DOUBLE"
_ZERO = "'0.0'::DOUBLE"
_NULL = "CAST(NULL AS DOUBLE)"
_COMPARE = ("<", "<=", ">", ">=")
_EQUAL = ("==", "!=", "===", "!==")


@dataclass(frozen=True)
class _Sql:
    """A translated value: ``num`` a DOUBLE never NULL; ``numn`` a DOUBLE or NULL (``null``);
    ``numu`` a DOUBLE or NULL (``undefined``); ``bool`` a BOOLEAN never NULL; ``null`` the literal;
    ``text`` a string literal (``text`` its value); ``textn`` a text column (NULL: ``null``); ``str``
    text the expression made (``'p' + datum.a``, ``c ? 'a' : 'b'``), a VARCHAR never NULL."""

    sql: str
    kind: Kind
    text: str = ""


def _number_literal(x: float) -> str:
    return f"'{x!r}'::DOUBLE"  # repr: digits, '.', 'e', '-', 'inf' or 'nan', nothing else


def _const(value: object) -> _Sql:
    if isinstance(value, bool):
        return _Sql("TRUE" if value else "FALSE", "bool")
    if value is None:
        return _Sql(_NULL, "null")
    if isinstance(value, float):
        return _Sql(_number_literal(value), "num")
    if isinstance(value, str):
        return _Sql(literal(value), "text", value)
    raise Unsupported(repr(value))


def _column(node: Member, columns: Mapping[str, str]) -> _Sql:
    if not isinstance(node.obj, Datum) or not isinstance(node.key, Const) or not isinstance(node.key.value, str):
        raise Unsupported("member")
    kind = columns.get(node.key.value)
    if kind == "number":
        return _Sql(f"CAST({quote(node.key.value)} AS DOUBLE)", "numn")
    if kind == "text":
        return _Sql(quote(node.key.value), "textn")
    if kind == "number|undefined":
        return _Sql(f"CAST({quote(node.key.value)} AS DOUBLE)", "numu")
    raise Unsupported(f"field {node.key.value!r}")  # not a column: refused, never read as undefined


def _number(v: _Sql) -> str:
    """JavaScript's ToNumber, as a DOUBLE that is never NULL."""
    if v.kind == "num":
        return v.sql
    if v.kind == "numn":
        return f"coalesce({v.sql}, {_ZERO})"
    if v.kind == "bool":
        return f"CAST({v.sql} AS DOUBLE)"
    if v.kind == "numu":
        return f"coalesce({v.sql}, {_NAN})"  # undefined is NaN
    if v.kind == "null":
        return _ZERO
    if v.kind == "text":
        return _number_literal(string_to_number(v.text))  # ToNumber of a literal, known now
    raise Unsupported("a text column as a number")


_FINITE = re.compile(r"'-?[0-9.e+-]+'::DOUBLE")


def _no_nan(sql: str) -> str:
    return sql if _FINITE.fullmatch(sql) else f"nullif({sql}, {_NAN})"  # a finite literal is never NaN


def _truthy(v: _Sql) -> str:
    if v.kind == "bool":
        return v.sql
    if v.kind in ("num", "numn", "numu"):
        return f"coalesce({_no_nan(v.sql)} <> 0, FALSE)"
    if v.kind == "null":
        return "FALSE"
    if v.kind == "text":
        return "TRUE" if v.sql != "''" else "FALSE"
    if v.kind == "str":
        return f"({v.sql} <> '')"
    raise Unsupported("a text column's truthiness")



def _case(test: str, yes: _Sql, no: _Sql) -> _Sql:
    texts = {yes.kind, no.kind} <= {"text", "str"}  # text either way ('a' : 'b'): made text
    kind = "str" if texts else merge_kinds(yes.kind, no.kind)
    return _Sql(f"(CASE WHEN {test} THEN {yes.sql} ELSE {no.sql} END)", kind)  # type: ignore[arg-type]


def _string(v: _Sql) -> str:
    """JavaScript's ToString, as a VARCHAR never NULL (jsvalues.js_string)."""
    if v.kind in ("text", "str"):
        return v.sql
    if v.kind == "num":
        return number_text_sql(v.sql)
    if v.kind in ("numn", "numu"):  # NULL: null (undefined after an aggregate of nothing)
        shown = number_text_sql(v.sql)
        return f"(CASE WHEN {v.sql} IS NULL THEN '{'undefined' if v.kind == 'numu' else 'null'}' ELSE {shown} END)"
    if v.kind == "bool":
        return f"(CASE WHEN {v.sql} THEN 'true' ELSE 'false' END)"
    if v.kind == "null":
        return "'null'"
    raise Unsupported("a text column as text")  # see _binary


class _SqlPrims:
    """jsequal.py's primitives in the engine's SQL."""

    def const(self, value: bool) -> str:
        return "TRUE" if value else "FALSE"

    def is_null(self, e: str) -> str:
        return f"({e} IS NULL)"

    def both(self, a: str, b: str) -> str:
        return f"({a} AND {b})"

    def either(self, a: str, b: str) -> str:
        return f"({a} OR {b})"

    def eq(self, a: str, b: str, what: str) -> str:
        if what == "number":
            a, b = _no_nan(a), _no_nan(b)
        return f"({a} = {b})" if what == "bool" else f"coalesce({a} = {b}, FALSE)"

    def number(self, side: Side[str]) -> str:
        return _number(_Sql(side.expr, side.kind))  # type: ignore[arg-type]

    def literal(self, x: float) -> str:
        return _number_literal(x)


def _equal(a: _Sql, b: _Sql, strict: bool) -> str:
    """``a == b`` (or ``===``) as a BOOLEAN never NULL (jsequal.py's rules)."""
    return equal(Side(a.kind, a.sql, a.text), Side(b.kind, b.sql, b.text), strict, _SqlPrims())


def _binary(node: Binary, columns: Mapping[str, str]) -> _Sql:
    a, b = _value(node.left, columns), _value(node.right, columns)
    kinds = {a.kind, b.kind}
    if node.op in ("&&", "||"):
        if a.kind == b.kind == "bool":
            return _Sql(f"({a.sql} {'AND' if node.op == '&&' else 'OR'} {b.sql})", "bool")
        return _case(_truthy(a), b, a) if node.op == "&&" else _case(_truthy(a), a, b)
    if node.op in _EQUAL:
        if "str" in kinds:
            raise Unsupported("made text compared")  # jsequal.py knows literals and columns only
        same = _equal(a, b, strict=len(node.op) == 3)
        return _Sql(same if node.op[0] == "=" else f"(NOT {same})", "bool")
    if node.op == "+" and kinds & {"text", "str"} and "textn" not in kinds:  # a string on a side: joined
        return _Sql(f"({_string(a)} || {_string(b)})", "str")
    if kinds & {"textn", "str"} or (node.op == "+" and "text" in kinds) or kinds == {"text"}:
        # a column the engine holds as text may not be a string in Vega (a list, a boolean: the
        # engine writes them otherwise); a text column + 1 is 1 on a null cell; 'a' < 'b' compares strings
        raise Unsupported("text joined or compared as text")
    x, y = _number(a), _number(b)
    if node.op in _COMPARE:
        return _Sql(f"coalesce({_no_nan(x)} {node.op} {_no_nan(y)}, FALSE)", "bool")
    return _Sql(f"({x} {node.op} {y})", "num")  # + - * / %: IEEE 754 in the engine, as in JavaScript


def _round(x: str) -> str:
    low = f"floor({x})"
    return (f"(CASE WHEN NOT isfinite({x}) THEN {x} WHEN {x} - {low} >= 0.5 THEN "
            f"CASE WHEN {x} < 0 AND {x} >= -0.5 THEN '-0.0'::DOUBLE ELSE {low} + 1 END ELSE {low} END)")


def _extreme(pick: str) -> Callable[[str, str], str]:
    """Math.min / Math.max of two: NaN if either is; of two zeros -0 is the smaller, found by
    adding them (max: -0 + 0 is +0) or their negations (min: -(0 + -0) is -0)."""
    op = ">" if pick == "max" else "<"
    tie = "({x} + {y})" if pick == "max" else "(-((-{x}) + (-{y})))"

    def run(x: str, y: str) -> str:
        return (f"(CASE WHEN isnan({x}) OR isnan({y}) THEN {_NAN} WHEN {x} {op} {y} THEN {x} "
                f"WHEN {y} {op} {x} THEN {y} WHEN {x} = 0 THEN {tie.format(x=x, y=y)} ELSE {x} END)")
    return run


def _pow(x: str, y: str) -> str:
    return f"(CASE WHEN isnan({y}) OR (abs({x}) = 1 AND isinf({y})) THEN {_NAN} ELSE pow({x}, {y}) END)"


_MAX, _MIN = _extreme("max"), _extreme("min")
_NUMERIC: dict[str, tuple[int, Callable[..., str]]] = {
    "abs": (1, lambda x: f"abs({x})"), "floor": (1, lambda x: f"floor({x})"), "ceil": (1, lambda x: f"ceil({x})"),
    "sqrt": (1, lambda x: f"sqrt({x})"), "exp": (1, lambda x: f"exp({x})"), "log": (1, lambda x: f"ln({x})"),
    "round": (1, _round), "pow": (2, _pow), "clamp": (3, lambda v, lo, hi: _MAX(lo, _MIN(hi, v))),
}
# Number.isNaN, Number.isFinite, isValid, isNumber, toNumber: by kind; "numn" is a number or null
_TESTS: dict[str, dict[str, Callable[[str], str]]] = {
    "isNaN": {"num": lambda s: f"isnan({s})", "numn": lambda s: f"coalesce(isnan({s}), FALSE)"},
    "isFinite": {"num": lambda s: f"isfinite({s})", "numn": lambda s: f"coalesce(isfinite({s}), FALSE)"},
    "isValid": {"num": lambda s: f"(NOT isnan({s}))", "numn": lambda s: f"coalesce(NOT isnan({s}), FALSE)",
                "bool": lambda s: "TRUE", "text": lambda s: "TRUE", "textn": lambda s: f"({s} IS NOT NULL)"},
    "isNumber": {"num": lambda s: "TRUE", "numn": lambda s: f"({s} IS NOT NULL)"},
}
for _test in _TESTS.values():  # undefined is what null is to these tests (false)
    _test["numu"] = _test["numn"]


def _call(node: Call, columns: Mapping[str, str]) -> _Sql:
    args = [_value(arg, columns) for arg in node.args]
    if node.name in _NUMERIC and len(args) == _NUMERIC[node.name][0]:
        return _Sql(_NUMERIC[node.name][1](*(_number(a) for a in args)), "num")
    if node.name in ("min", "max") and args:
        numbers = [_number(a) for a in args]
        pick = _MIN if node.name == "min" else _MAX
        out = numbers[0]
        for n in numbers[1:]:
            out = pick(out, n)
        return _Sql(out, "num")
    if node.name in _TESTS and len(args) == 1:
        (arg,) = args
        if arg.kind == "str" and node.name == "isValid":
            return _Sql("TRUE", "bool")
        if arg.kind in ("text", "textn", "str") and arg.kind not in _TESTS[node.name]:
            raise Unsupported(f"{node.name} of text")
        return _Sql(_TESTS[node.name].get(arg.kind, lambda s: "FALSE")(arg.sql), "bool")
    if node.name == "toNumber" and len(args) == 1 and args[0].kind in ("num", "numn", "numu", "null"):
        return replace(args[0], kind="numn" if args[0].kind == "numu" else args[0].kind)  # undefined -> null
    if node.name == "toNumber" and len(args) == 1 and args[0].kind == "bool":
        return _Sql(_number(args[0]), "num")
    if node.name == "if" and len(args) == 3:
        return _case(_truthy(args[0]), args[1], args[2])
    raise Unsupported(f"function {node.name!r}")


def _value(node: Node, columns: Mapping[str, str]) -> _Sql:
    value = _translate(node, columns)
    if len(value.sql) > MAX_SQL:  # checked at every node: repeated operands cannot grow unseen
        raise Unsupported("too long")
    return value


def _translate(node: Node, columns: Mapping[str, str]) -> _Sql:
    if isinstance(node, Const):
        return _const(node.value)
    if isinstance(node, Member):
        return _column(node, columns)
    if isinstance(node, Binary):
        return _binary(node, columns)
    if isinstance(node, Unary):
        if node.op == "!":
            return _Sql(f"(NOT {_truth(node.operand, columns)})", "bool")
        x = _number(_value(node.operand, columns))
        return _Sql(f"(- {x})" if node.op == "-" else x, "num")
    if isinstance(node, Conditional):
        return _case(_truth(node.test, columns), _value(node.yes, columns), _value(node.no, columns))
    if isinstance(node, Call):
        return _call(node, columns)
    raise Unsupported(type(node).__name__)  # datum alone, arrays


def _truth(node: Node, columns: Mapping[str, str]) -> str:
    """The truthiness of ``node``'s value, as a BOOLEAN never NULL (the operands of && and || and
    the branches of ?: need only theirs, whatever their kinds)."""
    if isinstance(node, Unary) and node.op == "!":
        return f"(NOT {_truth(node.operand, columns)})"
    if isinstance(node, Binary) and node.op in ("&&", "||"):
        joined = " AND " if node.op == "&&" else " OR "
        return f"({_truth(node.left, columns)}{joined}{_truth(node.right, columns)})"
    if isinstance(node, Conditional):
        parts: Sequence[str] = [_truth(n, columns) for n in (node.test, node.yes, node.no)]
        return f"(CASE WHEN {parts[0]} THEN {parts[1]} ELSE {parts[2]} END)"
    return _truthy(_value(node, columns))  # at most MAX_SQL + a few characters


def to_sql(text: str, columns: Mapping[str, str], *, context: Literal["value", "filter"] = "value") -> str | None:
    """The engine's SQL for the Vega expression ``text`` over a table whose columns are
    ``columns`` (name -> a :data:`Column` kind), or None when it cannot be translated with
    Vega's exact results. ``context="filter"``: a BOOLEAN, never NULL, that is the value's
    truthiness (what a ``filter`` keeps); ``"value"``: the value itself (module docstring)."""
    if context == "value":
        return None if (made := value_sql(text, columns)) is None else made[0]
    try:
        sql = _truth(parse(text), columns)
    except (Unsupported, RecursionError):
        return None
    return sql if len(sql) <= MAX_SQL else None


def value_sql(text: str, columns: Mapping[str, str]) -> tuple[str, Column] | None:
    """:func:`to_sql`'s value and the kind of column that stores it: ``"number|undefined"``
    when its NULL is ``undefined`` (``datum.mean`` after an aggregate), else ``"number"`` (a
    boolean is stored as a BOOLEAN); None for text or what does not translate."""
    try:
        value = _value(parse(text), columns)
    except (Unsupported, RecursionError):
        return None
    if value.kind in ("text", "textn", "str") or len(value.sql) > MAX_SQL:
        return None
    return value.sql, "number|undefined" if value.kind == "numu" else "number"


def series_sql(text: str, columns: Mapping[str, str]) -> tuple[str, Column] | None:
    """:func:`value_sql`, and for a value that is text Vega makes (a series name: ``c ? 'a' :
    'b'``, ``'part ' + floor(datum.step / 1000)``) its exact text as a VARCHAR, kind ``"text"``."""
    try:
        value = _value(parse(text), columns)
    except (Unsupported, RecursionError):
        return None
    if value.kind not in ("text", "str") or len(value.sql) > MAX_SQL:
        return value_sql(text, columns)
    return value.sql, "text"
