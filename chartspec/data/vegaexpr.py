"""A Python evaluator for the common part of the Vega expression language.

``calculate`` and string filters are Vega expressions that run in the browser or in vl-convert;
the compiler still wants their results: the runs a calculated ``color`` field makes, the extent
that ``tick_step`` needs, the hover tooltip's values. vegaparse.py parses an expression once; this
module turns its syntax tree into a function of a row with JavaScript's semantics (``+`` joins
text, ``==`` converts, ``&&`` returns an operand, a missing field is ``undefined``, ``test`` runs a
regular expression literal as JavaScript would: jsregexp.py). Anything outside the supported part
(an unknown function, a pattern jsregexp.py does not run, dates in local time) makes
:func:`compile_expression` return None, and the caller falls back to not knowing, never to a guess.
vegasql.py is the other back end of the same tree: the engine's SQL for the same expressions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .jsregexp import JsRegExp, check, js_replace, js_test
from .jsvalues import (
    FUNCTIONS,
    UNDEFINED,
    HalfCharacter,
    Unsupported,
    add,
    compare,
    divide,
    from_units,
    is_number,
    js_string,
    loose_equal,
    modulo,
    strict_equal,
    to_number,
    truthy,
    utf16_units,
)
from .vegaparse import Array, Binary, Call, Conditional, Const, Datum, Member, Node, Unary, parse

__all__ = ["CutCharacter", "Fn", "compile_expression"]
Row = dict[str, Any]
Fn = Callable[[Row], Any]

_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": add, "-": lambda x, y: to_number(x) - to_number(y), "*": lambda x, y: to_number(x) * to_number(y),
    "/": divide, "%": modulo, "===": strict_equal, "!==": lambda x, y: not strict_equal(x, y),
    "==": loose_equal, "!=": lambda x, y: not loose_equal(x, y),
    **{op: (lambda x, y, op=op: compare(op, x, y)) for op in ("<", "<=", ">", ">=")}}
_UNARY: dict[str, Callable[[Any], Any]] = {"!": lambda v: not truthy(v), "-": lambda v: -to_number(v),
                                           "+": to_number}


def _binary(node: Binary) -> Fn:
    a, b = _compile(node.left), _compile(node.right)
    if node.op == "||":
        return lambda r: x if truthy(x := a(r)) else b(r)
    if node.op == "&&":
        return lambda r: b(r) if truthy(x := a(r)) else x
    fn = _BINARY[node.op]
    return lambda r: fn(a(r), b(r))


def _member(obj: Fn, key: Fn) -> Fn:
    def get(r: Row) -> Any:
        target, name = obj(r), key(r)
        if isinstance(target, dict):
            return target.get(js_string(name), UNDEFINED) if js_string(name) in target else UNDEFINED
        if isinstance(target, str):  # JavaScript indexes and counts UTF-16 units: an emoji is two
            target = utf16_units(target)
        if isinstance(target, (list, str)) and is_number(name) and float(name).is_integer():
            index = int(name)
            item = target[index] if 0 <= index < len(target) else UNDEFINED
            return from_units(item) if isinstance(item, str) else item
        if isinstance(target, (list, str)) and name == "length":
            return float(len(target))
        if target is None or target is UNDEFINED:
            raise Unsupported("member of null")  # Vega throws: the row would fail there too
        return UNDEFINED
    return get


def _compile(node: Node) -> Fn:
    """``node`` as a closure over a row (raises ``Unsupported`` for an unknown function)."""
    if isinstance(node, Call) and node.name == "test" and node.args:
        return _test(node)
    if isinstance(node, Call) and node.name == "replace":
        return _replace(node)
    if isinstance(node, Const):
        if isinstance(node.value, JsRegExp):
            raise Unsupported("a regular expression outside test()")
        return lambda r, v=node.value: v
    if isinstance(node, Datum):
        return lambda r: r
    if isinstance(node, Binary):
        return _binary(node)
    if isinstance(node, Unary):
        inner, op = _compile(node.operand), _UNARY[node.op]
        return lambda r: op(inner(r))
    if isinstance(node, Conditional):
        test, yes, no = _compile(node.test), _compile(node.yes), _compile(node.no)
        return lambda r: yes(r) if truthy(test(r)) else no(r)
    if isinstance(node, Member):
        return _member(_compile(node.obj), _compile(node.key))
    if isinstance(node, Array):
        items = [_compile(item) for item in node.items]
        return lambda r: [item(r) for item in items]
    if isinstance(node, Call) and node.name in FUNCTIONS:
        fn, args = FUNCTIONS[node.name], [_compile(arg) for arg in node.args]
        return lambda r: fn(*(arg(r) for arg in args))
    raise Unsupported(getattr(node, "name", type(node).__name__))


def _pattern(node: Node) -> JsRegExp | None:
    """The pattern of a literal (``/^run-/``) or of ``regexp('^run-', 'i')`` with constant text;
    None for anything else (a pattern made from the data is not known ahead of the rows)."""
    if isinstance(node, Const):
        return node.value if isinstance(node.value, JsRegExp) else None
    if isinstance(node, Call) and node.name == "regexp" and 1 <= len(node.args) <= 2 and all(
            isinstance(a, Const) and isinstance(a.value, str) for a in node.args):
        texts = [a.value for a in node.args]  # type: ignore[attr-defined]
        return JsRegExp(texts[0], texts[1] if len(texts) == 2 else "")
    return None


def _replace(node: Call) -> Fn:
    """``replace(text, /pattern/flags or 'text', replacement)`` as JavaScript's String.replace."""
    if len(node.args) != 3:
        raise Unsupported("replace")
    regexp = _pattern(node.args[1])
    if regexp is not None:
        check(regexp, replacing=True)
    elif not (isinstance(node.args[1], Const) and isinstance(node.args[1].value, str)):
        raise Unsupported("replace() of a pattern not written in the expression")
    pattern: Any = regexp if regexp is not None else node.args[1].value  # type: ignore[attr-defined]
    if isinstance(node.args[2], Const) and "$" in js_string(node.args[2].value):
        raise Unsupported("a replacement with '$' patterns")  # ($&, $1: not run here)
    text, new = _compile(node.args[0]), _compile(node.args[2])
    return lambda r: js_replace(text(r), pattern, new(r))


def _test(node: Call) -> Fn:
    """``test(/pattern/flags, text)`` where jsregexp.py runs the pattern as JavaScript would."""
    regexp = _pattern(node.args[0])
    if regexp is None or len(node.args) > 2:
        raise Unsupported("test")
    check(regexp)
    text = _compile(node.args[1]) if len(node.args) == 2 else (lambda r: UNDEFINED)
    return lambda r: js_test(regexp, text(r))


class CutCharacter(ValueError):
    """A row on which the expression cuts a character past U+FFFF in half (jsvalues.HalfCharacter)."""


def compile_expression(text: str) -> Fn | None:
    """``text`` as a function of a row, or None when it uses what this evaluator does not know.

    The function returns JavaScript values: numbers as floats, ``UNDEFINED`` for a missing field;
    it raises ``ValueError`` when a row hits something unsupported (the caller then gives up)."""
    try:
        fn = _compile(parse(text))
    except (Unsupported, RecursionError):
        return None

    def run(row: Row) -> Any:
        try:
            return fn(row)
        except HalfCharacter as err:
            raise CutCharacter(str(err)) from None
        except Unsupported as err:
            raise ValueError(str(err)) from None
    return run
