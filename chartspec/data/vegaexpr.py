"""A Python evaluator for the common part of the Vega expression language.

``calculate`` and string filters are Vega expressions that run in the browser or in vl-convert;
the compiler still wants their results: the runs a calculated ``color`` field makes, the extent
that ``tick_step`` needs, the hover tooltip's values. This module parses an expression once and
evaluates it per row with JavaScript's semantics (``+`` joins text, ``==`` converts, ``&&``
returns an operand, a missing field is ``undefined``). Anything outside the supported part (an
unknown function, regular expressions, dates in local time) makes :func:`compile_expression`
return None, and the caller falls back to not knowing, never to a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .jsvalues import (
    CONSTANTS,
    FUNCTIONS,
    UNDEFINED,
    Unsupported,
    add,
    compare,
    divide,
    is_number,
    js_string,
    loose_equal,
    modulo,
    strict_equal,
    to_number,
    truthy,
)

__all__ = ["Fn", "compile_expression"]
Row = dict[str, Any]
Fn = Callable[[Row], Any]

_TOKEN = re.compile(r"""\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    |(?P<name>[A-Za-z_$][\w$]*)|(?P<op>===|!==|==|!=|<=|>=|&&|\|\||[-+*/%<>!?:().,\[\]]))""", re.X)


# JavaScript's string escapes (ECMAScript, "String Literals"): one-letter ones, \xHH, \uHHHH, \u{H...}
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|u\{([0-9a-fA-F]{1,6})\}|(.))", re.S)
_SINGLE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _unescape(body: str) -> str:
    """A string literal's text as JavaScript reads it; legacy octal escapes (``\\12``) are not
    evaluated here (the caller then knows nothing rather than guessing)."""
    def one(m: re.Match[str]) -> str:
        hex_value = m.group(1) or m.group(2) or m.group(3)
        if hex_value is not None:
            code = int(hex_value, 16)
            if code > 0x10FFFF:
                raise Unsupported(m.group(0))
            return chr(code)
        char = m.group(4)
        if char.isdigit() and (char != "0" or body[m.end():m.end() + 1].isdigit()):
            raise Unsupported(m.group(0))
        return _SINGLE.get(char, char)

    return _ESCAPE.sub(one, body)


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise Unsupported(text[pos:])
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind)  # type: ignore[arg-type]
        if kind == "num":
            out.append(("num", float(value)))
        elif kind == "str":
            out.append(("str", _unescape(value[1:-1])))
        else:
            out.append((kind, value))  # type: ignore[arg-type]
    return out


# -- JavaScript values -------------------------------------------------------------------------------


# -- the parser: precedence climbing into closures ---------------------------------------------------

class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, value: str | None = None) -> tuple[str, Any]:
        token = self.peek()
        if token is None or (value is not None and token[1] != value):
            raise Unsupported(f"expected {value!r}")
        self.pos += 1
        return token

    def at(self, *values: str) -> bool:
        token = self.peek()
        return token is not None and token[0] == "op" and token[1] in values

    def expression(self) -> Fn:
        test = self.binary(0)
        if not self.at("?"):
            return test
        self.take("?")
        yes = self.expression()
        self.take(":")
        no = self.expression()
        return lambda r: yes(r) if truthy(test(r)) else no(r)

    _LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!=", "===", "!=="), ("<", "<=", ">", ">="),
                                            ("+", "-"), ("*", "/", "%"))

    def binary(self, level: int) -> Fn:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.at(*self._LEVELS[level]):
            op = self.take()[1]
            right = self.binary(level + 1)
            left = self._combine(op, left, right)
        return left

    @staticmethod
    def _combine(op: str, a: Fn, b: Fn) -> Fn:
        if op == "||":
            return lambda r: x if truthy(x := a(r)) else b(r)
        if op == "&&":
            return lambda r: b(r) if truthy(x := a(r)) else x
        table: dict[str, Callable[[Any, Any], Any]] = {
            "+": add, "-": lambda x, y: to_number(x) - to_number(y), "*": lambda x, y: to_number(x) * to_number(y),
            "/": divide, "%": modulo, "===": strict_equal, "!==": lambda x, y: not strict_equal(x, y),
            "==": loose_equal, "!=": lambda x, y: not loose_equal(x, y)}
        if op in table:
            fn = table[op]
            return lambda r: fn(a(r), b(r))
        return lambda r: compare(op, a(r), b(r))

    def unary(self) -> Fn:
        if self.at("!"):
            self.take()
            inner = self.unary()
            return lambda r: not truthy(inner(r))
        if self.at("-", "+"):
            op = self.take()[1]
            inner = self.unary()
            return (lambda r: -to_number(inner(r))) if op == "-" else (lambda r: to_number(inner(r)))
        return self.postfix()

    def postfix(self) -> Fn:
        kind, value = self.take()
        if kind == "num":
            node: Fn = lambda r, v=value: v  # noqa: E731
        elif kind == "str":
            node = lambda r, v=value: v  # noqa: E731
        elif kind == "op" and value == "(":
            node = self.expression()
            self.take(")")
        elif kind == "op" and value == "[":
            items = self.arguments("]")
            node = lambda r: [item(r) for item in items]  # noqa: E731
        elif kind == "name" and value == "datum":
            node = lambda r: r  # noqa: E731
        elif kind == "name" and value in CONSTANTS:
            node = lambda r, v=CONSTANTS[value]: v  # noqa: E731
        elif kind == "name" and value in FUNCTIONS and self.at("("):
            self.take("(")
            args = self.arguments(")")
            fn = FUNCTIONS[value]
            node = lambda r: fn(*(arg(r) for arg in args))  # noqa: E731
        else:
            raise Unsupported(str(value))
        while self.at(".", "["):
            if self.take()[1] == ".":
                name = self.take()
                if name[0] != "name":
                    raise Unsupported("member")
                node = self._member(node, lambda r, n=name[1]: n)
            else:
                key = self.expression()
                self.take("]")
                node = self._member(node, key)
        return node

    def arguments(self, close: str) -> list[Fn]:
        args: list[Fn] = []
        while not self.at(close):
            args.append(self.expression())
            if not self.at(close):
                self.take(",")
        self.take(close)
        return args

    @staticmethod
    def _member(obj: Fn, key: Fn) -> Fn:
        def get(r: Row) -> Any:
            target, name = obj(r), key(r)
            if isinstance(target, dict):
                return target.get(js_string(name), UNDEFINED) if js_string(name) in target else UNDEFINED
            if isinstance(target, (list, str)) and is_number(name) and float(name).is_integer():
                index = int(name)
                return target[index] if 0 <= index < len(target) else UNDEFINED
            if isinstance(target, (list, str)) and name == "length":
                return float(len(target))
            if target is None or target is UNDEFINED:
                raise Unsupported("member of null")  # Vega throws: the row would fail there too
            return UNDEFINED
        return get


def compile_expression(text: str) -> Fn | None:
    """``text`` as a function of a row, or None when it uses what this evaluator does not know.

    The function returns JavaScript values: numbers as floats, ``UNDEFINED`` for a missing field;
    it raises ``ValueError`` when a row hits something unsupported (the caller then gives up)."""
    try:
        parser = _Parser(_tokens(text))
        fn = parser.expression()
        if parser.peek() is not None:
            return None
    except (Unsupported, RecursionError):
        return None

    def run(row: Row) -> Any:
        try:
            return fn(row)
        except Unsupported as err:
            raise ValueError(str(err)) from None
    return run
