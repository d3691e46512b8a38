"""Vega expressions as Spark columns, with the meaning of vegasql.py's DuckDB SQL (sparkexpr.py's subset).

The kinds are vegasql.py's: ``num`` a double never NULL, ``numn`` a double or NULL (``null``),
``numu`` a double or NULL (``undefined``: an aggregate of no valid value, a ``"number|undefined"``
column; a calculated ``"number|raw"`` column is ``numn`` read without the engine's NaN rule), ``bool``, ``null``, ``text`` a string literal, ``textn`` a text column. Equality is
jsequal.py's rule, built from Spark's primitives; a string literal elsewhere in arithmetic or a
comparison is its ToNumber, known at translation (``+`` with text joins text: refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .jsequal import ARITH, COMPARE, Side, equal, merge_kinds
from .jsvalues import Unsupported, string_to_number
from .vegaparse import Binary, Call, Conditional, Const, Datum, Member, Node, Unary

__all__ = ["Val", "engine_number", "finite", "spark_truth", "spark_value"]


def engine_number(name: str) -> Any:
    """A number column as engine.typed_exprs reads it: a DOUBLE, NaN and ±Infinity missing."""
    from pyspark.sql import functions as F

    col = F.col(f"`{name}`").cast("double")
    return F.when(finite(col), col)


def finite(col: Any) -> Any:
    from pyspark.sql import functions as F

    return ~F.isnan(col) & (F.abs(col) != F.lit(float("inf")))


@dataclass(frozen=True)
class Val:
    """vegasql._Sql as a Spark column: the same kinds."""

    col: Any
    kind: str
    text: str = ""


def _lit(value: Any) -> Any:
    from pyspark.sql import functions as F

    return F.lit(value)


def _const(value: object) -> Val:
    if isinstance(value, bool):
        return Val(_lit(value), "bool")
    if value is None:
        return Val(_lit(None).cast("double"), "null")
    if isinstance(value, float):
        return Val(_lit(value), "num")
    if isinstance(value, str):
        return Val(_lit(value), "text", value)
    raise Unsupported(repr(value))


#: a data column is read as the engine reads it; a calculate's (``"number|raw"``) as it was stored,
#: NaN and ±Infinity kept, as DuckDB's column holds it for the next calculate
_COLUMN_KINDS = {"number": "numn", "number|raw": "numn", "number|undefined": "numu", "text": "textn"}


def _column(node: Member, kinds: Mapping[str, str]) -> Val:
    from pyspark.sql import functions as F

    if not isinstance(node.obj, Datum) or not isinstance(node.key, Const) or not isinstance(node.key.value, str):
        raise Unsupported("member")
    name, kind = node.key.value, _COLUMN_KINDS.get(kinds.get(node.key.value, ""))
    if kind is None:
        raise Unsupported(f"field {name!r}")
    return Val(engine_number(name) if kinds[name] == "number" else F.col(f"`{name}`"), kind)


def _number(v: Val) -> Any:
    from pyspark.sql import functions as F

    if v.kind == "num":
        return v.col
    if v.kind in ("numn", "numu"):  # null is 0, undefined NaN
        return F.coalesce(v.col, F.lit(0.0 if v.kind == "numn" else float("nan")))
    if v.kind == "bool":
        return v.col.cast("double")
    if v.kind == "null":
        return F.lit(0.0)
    if v.kind == "text":
        return F.lit(string_to_number(v.text))
    raise Unsupported("a text column as a number")


def _no_nan(col: Any) -> Any:
    from pyspark.sql import functions as F

    return F.when(~F.isnan(col), col)  # NaN (and NULL) -> NULL: every comparison then false


def _truthy(v: Val) -> Any:
    from pyspark.sql import functions as F

    if v.kind == "bool":
        return v.col
    if v.kind in ("num", "numn", "numu"):
        return F.coalesce(_no_nan(v.col) != 0, F.lit(False))
    if v.kind == "null":
        return F.lit(False)
    raise Unsupported("truthiness of text")


class _Prims:
    """jsequal.py's primitives as Spark columns."""

    def const(self, value: bool) -> Any:
        return _lit(value)

    def is_null(self, e: Any) -> Any:
        return e.isNull()

    def both(self, a: Any, b: Any) -> Any:
        return a & b

    def either(self, a: Any, b: Any) -> Any:
        return a | b

    def eq(self, a: Any, b: Any, what: str) -> Any:
        from pyspark.sql import functions as F

        if what == "bool":
            return a == b
        return F.coalesce(_no_nan(a) == _no_nan(b) if what == "number" else a == b, F.lit(False))

    def number(self, side: Side[Any]) -> Any:
        return _number(Val(side.expr, side.kind, side.text))

    def literal(self, x: float) -> Any:
        return _lit(x)





def _case(test: Any, yes: Val, no: Val) -> Val:
    from pyspark.sql import functions as F

    return Val(F.when(test, yes.col).otherwise(no.col), merge_kinds(yes.kind, no.kind))


def _binary(node: Binary, kinds: Mapping[str, str]) -> Val:
    from pyspark.sql import functions as F

    a, b = spark_value(node.left, kinds), spark_value(node.right, kinds)
    if node.op in ("&&", "||"):
        if a.kind == b.kind == "bool":
            return Val(a.col & b.col if node.op == "&&" else a.col | b.col, "bool")
        return _case(_truthy(a), b, a) if node.op == "&&" else _case(_truthy(a), a, b)
    if node.op in ("==", "!=", "===", "!=="):
        same = equal(Side(a.kind, a.col, a.text), Side(b.kind, b.col, b.text), len(node.op) == 3, _Prims())
        return Val(same if node.op[0] == "=" else ~same, "bool")
    both = {a.kind, b.kind}
    if "textn" in both or (node.op == "+" and "text" in both) or both == {"text"}:
        raise Unsupported("text joined or compared as text")
    if node.op in COMPARE:
        return Val(F.coalesce(COMPARE[node.op](_no_nan(_number(a)), _no_nan(_number(b))), F.lit(False)), "bool")
    if node.op in ARITH:  # IEEE 754 doubles in Spark as in DuckDB (no / or %: sparkexpr.py)
        return Val(ARITH[node.op](_number(a), _number(b)), "num")
    raise Unsupported(node.op)


def spark_value(node: Node, kinds: Mapping[str, str]) -> Val:
    """The value of ``node`` over columns of ``kinds`` (name -> vegasql.Column); Unsupported when
    Spark cannot give vegasql.py's result."""
    if isinstance(node, Const):
        return _const(node.value)
    if isinstance(node, Member):
        return _column(node, kinds)
    if isinstance(node, Binary):
        return _binary(node, kinds)
    if isinstance(node, Unary):
        if node.op == "!":
            return Val(~spark_truth(node.operand, kinds), "bool")
        x = _number(spark_value(node.operand, kinds))
        return Val(-x if node.op == "-" else x, "num")
    if isinstance(node, Conditional):
        return _case(spark_truth(node.test, kinds), spark_value(node.yes, kinds), spark_value(node.no, kinds))
    if isinstance(node, Call):
        return _call(node, kinds)
    raise Unsupported(type(node).__name__)


def _call(node: Call, kinds: Mapping[str, str]) -> Val:
    from pyspark.sql import functions as F

    args = [spark_value(arg, kinds) for arg in node.args]
    if len(args) != 1:
        raise Unsupported(f"function {node.name!r}")
    (arg,) = args
    if node.name == "abs":
        return Val(F.abs(_number(arg)), "num")
    if node.name == "toNumber" and arg.kind in ("num", "numn", "numu"):
        return replace(arg, kind="numn" if arg.kind == "numu" else arg.kind)  # undefined -> null
    if arg.kind not in ("num", "numn", "numu") and not (node.name == "isValid" and arg.kind in ("textn", "bool")):
        raise Unsupported(f"function {node.name!r} of {arg.kind}")
    if node.name == "isValid":
        if arg.kind == "bool":
            return Val(F.lit(True), "bool")
        if arg.kind == "textn":
            return Val(arg.col.isNotNull(), "bool")
        # Spark's isnan(NULL) is false, not NULL: the missing value is tested apart
        return Val(arg.col.isNotNull() & ~F.isnan(arg.col), "bool")
    if node.name == "isNaN":
        return Val(F.coalesce(F.isnan(arg.col), F.lit(False)), "bool")
    if node.name == "isFinite":
        return Val(F.coalesce(finite(arg.col), F.lit(False)), "bool")
    raise Unsupported(f"function {node.name!r}")


def spark_truth(node: Node, kinds: Mapping[str, str]) -> Any:
    """The truthiness of ``node``: a BOOLEAN column, never NULL (vegasql._truth)."""
    from pyspark.sql import functions as F

    if isinstance(node, Unary) and node.op == "!":
        return ~spark_truth(node.operand, kinds)
    if isinstance(node, Binary) and node.op in ("&&", "||"):
        a, b = spark_truth(node.left, kinds), spark_truth(node.right, kinds)
        return a & b if node.op == "&&" else a | b
    if isinstance(node, Conditional):
        return F.when(spark_truth(node.test, kinds), spark_truth(node.yes, kinds)).otherwise(
            spark_truth(node.no, kinds))
    return _truthy(spark_value(node, kinds))
