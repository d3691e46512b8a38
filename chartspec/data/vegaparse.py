"""Vega expressions parsed into a small syntax tree, the one reading both back ends share.

:func:`parse` turns the text of a ``calculate`` or string ``filter`` into frozen nodes; vegaexpr.py
evaluates them per row in Python, vegasql.py translates them into an engine (SQL) expression. The
grammar is the common part of Vega's (a JavaScript subset): literals, ``datum`` and its members,
arrays, regular expression literals, calls of named functions, unary ``! - +``, the binary operators from ``||`` up to ``* / %``,
and ``?:``. Which functions exist is each back end's business; anything outside the grammar raises
:class:`~chartspec.data.jsvalues.Unsupported`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .jsregexp import JsRegExp
from .jsvalues import CONSTANTS, Unsupported

__all__ = ["Array", "Binary", "Call", "Conditional", "Const", "Datum", "Member", "Node", "Unary", "parse"]


@dataclass(frozen=True)
class Const:
    """A literal or a named constant: a float, a str, True, False, None (``null``) or a regular
    expression (:class:`~chartspec.data.jsregexp.JsRegExp`)."""

    value: Any


@dataclass(frozen=True)
class Datum:
    """``datum``, the row."""


@dataclass(frozen=True)
class Member:
    """``obj.name`` (key: a ``Const`` str) or ``obj[key]``."""

    obj: Node
    key: Node


@dataclass(frozen=True)
class Array:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    op: str  # "!", "-" or "+"
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # "||", "&&", "==", "!=", "===", "!==", "<", "<=", ">", ">=", "+", "-", "*", "/", "%"
    left: Node
    right: Node


@dataclass(frozen=True)
class Conditional:
    test: Node
    yes: Node
    no: Node


Node = Const | Datum | Member | Array | Call | Unary | Binary | Conditional

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
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if text.startswith("/", pos) and (not out or out[-1][0] == "op" and out[-1][1] not in (")", "]")):
            out.append(("regexp", _regexp(text, pos)))  # where an operand goes, a slash opens a literal
            pos = out[-1][1].end
            continue
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


@dataclass(frozen=True)
class _Literal:
    regexp: JsRegExp
    end: int


def _regexp(text: str, pos: int) -> _Literal:
    from ..spec.expressions.tokens import Refused, scan_regexp

    try:
        token = scan_regexp(text, pos)
    except Refused as err:
        raise Unsupported(str(err)) from None
    pattern, flags = token.value
    return _Literal(JsRegExp(pattern, flags), token.end)


class _Parser:
    """Precedence climbing over the tokens."""

    _LEVELS: tuple[tuple[str, ...], ...] = (("||",), ("&&",), ("==", "!=", "===", "!=="), ("<", "<=", ">", ">="),
                                            ("+", "-"), ("*", "/", "%"))

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

    def expression(self) -> Node:
        test = self.binary(0)
        if not self.at("?"):
            return test
        self.take("?")
        yes = self.expression()
        self.take(":")
        return Conditional(test, yes, self.expression())

    def binary(self, level: int) -> Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.at(*self._LEVELS[level]):
            op = self.take()[1]
            left = Binary(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Node:
        if self.at("!", "-", "+"):
            op = self.take()[1]
            return Unary(op, self.unary())
        return self.postfix()

    def postfix(self) -> Node:
        kind, value = self.take()
        node: Node
        if kind in ("num", "str"):
            node = Const(value)
        elif kind == "regexp":
            node = Const(value.regexp)
        elif kind == "op" and value == "(":
            node = self.expression()
            self.take(")")
        elif kind == "op" and value == "[":
            node = Array(self.arguments("]"))
        elif kind == "name" and value == "datum":
            node = Datum()
        elif kind == "name" and value in CONSTANTS:
            node = Const(CONSTANTS[value])
        elif kind == "name" and self.at("("):
            self.take("(")
            node = Call(value, self.arguments(")"))
        else:
            raise Unsupported(str(value))
        while self.at(".", "["):
            if self.take()[1] == ".":
                name = self.take()
                if name[0] != "name":
                    raise Unsupported("member")
                node = Member(node, Const(name[1]))
            else:
                key = self.expression()
                self.take("]")
                node = Member(node, key)
        return node

    def arguments(self, close: str) -> tuple[Node, ...]:
        args: list[Node] = []
        while not self.at(close):
            args.append(self.expression())
            if not self.at(close):
                self.take(",")
        self.take(close)
        return tuple(args)


def parse(text: str) -> Node:
    """The syntax tree of ``text``; raises ``Unsupported`` for what is outside the grammar (and
    ``RecursionError`` for absurdly deep nesting: callers treat both as "not known")."""
    parser = _Parser(_tokens(text))
    node = parser.expression()
    if parser.peek() is not None:
        raise Unsupported(str(parser.peek()[1]))  # type: ignore[index]
    return node
