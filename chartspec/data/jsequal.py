"""JavaScript's ``==`` and ``===`` over translated operands, one rule for every engine's translator.

vegasql.py (DuckDB SQL), sparkexpr.py (Spark columns) and ibisexpr.py (Ibis expressions) give an
operand one of the kinds below; :func:`equal` decides from the kinds alone what the comparison
is (ECMAScript's IsLooselyEqual / IsStrictlyEqual) and builds it from an engine's few primitives
(:class:`Prims`), so the three cannot drift apart. Kinds:

- ``num`` a number never missing; ``numn`` a number or ``null`` (a number column's missing
  value); ``numu`` a number or ``undefined`` (Vega's aggregate of no valid value); ``bool``;
  ``null`` the literal; ``text`` a string literal (its value known); ``textn`` a text column
  (missing: ``null``).

The rules: ``null == undefined`` but not ``===``; a missing value equals no number and no text;
NaN equals nothing; a string is never ``===`` anything but the same string; ``==`` between a
string and a number or boolean compares numbers, the string read by ToNumber
(jsvalues.string_to_number: ``'' == 0``, ``'0x1' == 1``, ``' 3 ' == 3``); a boolean is never
``===`` a number. A text column ``==`` a number would need ToNumber of every row's text in the
engine: refused (:class:`Unsupported`), so the layer takes the path that does not translate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from .jsvalues import Unsupported, string_to_number

__all__ = ["ARITH", "COMPARE", "Prims", "Side", "equal", "merge_kinds"]

E = TypeVar("E")


@dataclass(frozen=True)
class Side(Generic[E]):
    """One operand: its kind, the engine's expression for it, a string literal's value."""

    kind: str
    expr: E
    text: str = ""


class Prims(Protocol[E]):
    """The engine's expressions :func:`equal` is built from (each a boolean never NULL but ``eq``)."""

    def const(self, value: bool) -> E: ...
    def is_null(self, e: E) -> E: ...
    def both(self, a: E, b: E) -> E: ...  # a AND b
    def either(self, a: E, b: E) -> E: ...  # a OR b
    #: ``a = b``, false (never NULL) when either is missing or NaN; ``what``: the operands' type
    def eq(self, a: E, b: E, what: Literal["number", "text", "bool"]) -> E: ...
    def number(self, side: Side[E]) -> E: ...  # a boolean as 1 or 0
    def literal(self, x: float) -> E: ...


def equal(a: Side[E], b: Side[E], strict: bool, p: Prims[E]) -> E:
    """``a == b`` (``a === b`` when ``strict``) as a boolean expression that is never NULL."""
    kinds = {a.kind, b.kind}
    if kinds & {"text", "textn"}:
        return _text(a, b, strict, p)
    if "null" in kinds:
        other = b if a.kind == "null" else a
        if other.kind == "numu":
            return p.const(False) if strict else p.is_null(other.expr)  # undefined == null, not ===
        return p.is_null(other.expr) if other.kind == "numn" else p.const(other.kind == "null")
    if a.kind == "bool" and b.kind == "bool":
        return p.eq(a.expr, b.expr, "bool")
    if "bool" in kinds and strict:
        return p.const(False)  # a boolean is never === a number or a missing value
    same = p.eq(*(p.number(v) if v.kind == "bool" else v.expr for v in (a, b)), "number")
    # two missing values: null == null, undefined == undefined, and null == undefined (not ===)
    if kinds <= {"numn", "numu"} and (len(kinds) == 1 or not strict):
        return p.either(p.both(p.is_null(a.expr), p.is_null(b.expr)), same)
    return same  # a missing value equals no number; a boolean == a number (true == 1)


def _text(a: Side[E], b: Side[E], strict: bool, p: Prims[E]) -> E:
    if b.kind == "textn" or (b.kind == "text" and a.kind != "textn"):
        a, b = b, a  # a: the text column if there is one, else the text literal
    if b.kind == "textn":  # two text columns: not translated (as before; text is compared with literals)
        raise Unsupported("two text columns compared")
    if b.kind == "text":
        return p.const(a.text == b.text) if a.kind == "text" else p.eq(a.expr, b.expr, "text")
    if a.kind == "textn":  # a text column (missing: null) and a number, boolean or null
        if b.kind == "null":
            return p.is_null(a.expr)
        if not strict:
            raise Unsupported("== between a text column and a number")
        return p.both(p.is_null(a.expr), p.is_null(b.expr)) if b.kind == "numn" else p.const(False)
    if strict or b.kind == "null":
        return p.const(False)  # a string literal is never === a number, never == null
    number = string_to_number(a.text)
    if number != number:
        return p.const(False)  # NaN equals nothing
    return p.eq(p.number(b) if b.kind == "bool" else b.expr, p.literal(number), "number")


#: the arithmetic a column API writes as Python operators (``/`` and ``%`` differ per engine)
ARITH: dict[str, Callable[[Any, Any], Any]] = {"+": lambda a, b: a + b, "-": lambda a, b: a - b,
                                               "*": lambda a, b: a * b}
#: comparisons, as a column API writes them
COMPARE: dict[str, Callable[[Any, Any], Any]] = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
                                                 ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def merge_kinds(a: str, b: str) -> str:
    """The kind of a value that is of kind ``a`` or ``b`` (branches of ``?:``, operands of ``&&``
    and ``||``), in every translator's names; :class:`Unsupported` when they cannot share one."""
    if a == b and a not in ("text", "textn"):
        return a
    if {a, b} <= {"num", "numn", "null"}:
        return "numn"
    if {a, b} == {"num", "numu"}:
        return "numu"
    raise Unsupported("a value of two kinds")
