"""A Vega expression's syntax tree, parsed with Vega's grammar (vega-expression's parser.js).

The grammar: literals (numbers, strings, ``true``/``false``/``null``, regular expressions),
names, ``[...]`` arrays and ``{key: value}`` objects, member access (``a.b``, ``a[b]``), calls,
the unary ``+ - ! ~``, the binary operators from ``||`` to ``* / %`` (bitwise ones, ``in`` and
``instanceof`` included) and ``?:``. Vega refuses, and so does :func:`parse`: ``++``/``--``,
assignment, ``typeof``/``delete``/``void``, any other reserved word where an operand is expected
(``this``, ``new``, ``function``), the comma operator, legacy octal literals, duplicate object keys
and holes in arrays. Every problem is a :class:`~.tokens.Refused` at the offset it is about.

Nesting deeper than :data:`MAX_DEPTH` is refused too: Vega's recursive parser exhausts its stack
somewhere past a thousand levels ("Maximum call stack size exceeded"), and so would this one. So is
a tree deeper than :data:`MAX_TREE_DEPTH`, which brackets need not make: ``a + b + c`` is
``(a + b) + c``, so a chain of operators or of member accesses is as deep as it is long.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .tokens import Refused, Token, scan, scan_regexp

__all__ = ["MAX_DEPTH", "MAX_TREE_DEPTH", "Node", "parse"]

#: the deepest nesting of brackets, calls, conditionals and prefix operators an expression may have
MAX_DEPTH = 100
#: the deepest syntax tree an expression may have. Vega (6.2, in vl-convert) compiles the code it
#: generates with one level of brackets per level of the tree and overflows its stack between
#: 2,350 and 2,500 levels (``datum.v + datum.v + ...``: "Maximum call stack size exceeded"); a
#: member chain ``datum['v']['v']...`` costs it time growing with the square of its length (2,000
#: levels: 17 s, 3,000: 96 s). A thousand levels keep far from both.
MAX_TREE_DEPTH = 1000

_PRECEDENCE = {"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "===": 6, "!==": 6,
               "<": 7, ">": 7, "<=": 7, ">=": 7, "instanceof": 7, "in": 7, "<<": 8, ">>": 8, ">>>": 8,
               "+": 9, "-": 9, "*": 11, "/": 11, "%": 11}
_HINTS = {
    "++": "Vega has no ++ or --: write datum.a + 1 (or datum.a - 1)",
    "--": "Vega has no ++ or --: write datum.a + 1 (or datum.a - 1); to negate a negation write -(-datum.a)",
    "=": "Vega expressions cannot assign: compare with == or ===, or make a new column with calculate/as",
    ",": "an expression is one value: the comma operator is not part of Vega expressions",
    "typeof": "typeof is not part of Vega expressions: use isNumber(x), isString(x), isValid(x) ...",
    "this": "'this' is not part of Vega expressions: read a column with datum.NAME",
    "new": "'new' is not part of Vega expressions: use datetime(...), toDate(...) or [ ... ]",
}


@dataclass
class Node:
    """``kind``: "literal" (``value``), "regexp" (``value``: pattern, flags), "name" (``value``),
    "member" (``children``: object, property; ``value``: True when computed ``[...]``), "call"
    (``children``: callee, *arguments), "array", "object" (``children``: key, value, key, value, ...),
    "unary" / "binary" / "logical" (``value``: the operator), "conditional"."""

    kind: str
    start: int
    end: int
    value: Any = None
    children: list[Node] = field(default_factory=list)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.depth = 0
        self.ahead = scan(text, 0)

    # -- tokens ---------------------------------------------------------------------------------

    def take(self) -> Token:
        token = self.ahead
        self.ahead = scan(self.text, token.end)
        return token

    def at(self, value: str) -> bool:
        return self.ahead.kind == "punct" and self.ahead.value == value

    def expect(self, value: str) -> Token:
        token = self.take()
        if token.kind != "punct" or token.value != value:
            raise self.unexpected(token, f"expected {value!r}")
        return token

    def unexpected(self, token: Token, wanted: str | None = None) -> Refused:
        if token.kind == "eof":
            return Refused(token.start, "the expression ends too early",
                           wanted and f"{wanted} is missing" or "complete the expression or remove its last operator")
        shown = self.text[token.start:token.end]
        if token.value in _HINTS:
            return Refused(token.start, f"{shown!r} is not allowed in Vega expressions", _HINTS[token.value])
        kind = {"number": "number", "string": "string", "name": "name", "keyword": "reserved word"}.get(token.kind)
        return Refused(token.start, f"unexpected {kind + ' ' if kind else ''}{shown!r}", wanted)

    def disabled(self, token: Token) -> Refused:
        shown = self.text[token.start:token.end]
        return Refused(token.start, f"{shown!r} is not allowed in Vega expressions",
                       _HINTS.get(str(token.value), "Vega expressions are single JavaScript-like values: "
                                  "see https://vega.github.io/vega/docs/expressions/"))

    # -- grammar --------------------------------------------------------------------------------

    def enter(self, start: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Refused(start, f"the expression nests deeper than {MAX_DEPTH} levels",
                          "write it flatter, e.g. a chain of conditions instead of nested brackets")

    def expression(self) -> Node:
        node = self.conditional()
        if self.at(","):
            raise self.disabled(self.ahead)
        return node

    def conditional(self) -> Node:
        self.enter(self.ahead.start)
        node = self.binary()
        if self.at("?"):
            self.take()
            yes = self.conditional()
            self.expect(":")
            no = self.conditional()
            node = Node("conditional", node.start, no.end, None, [node, yes, no])
        self.depth -= 1
        return node

    def precedence(self) -> int:
        token = self.ahead
        return _PRECEDENCE.get(token.value, 0) if token.kind in ("punct", "keyword") else 0

    def binary(self) -> Node:
        """Operator precedence with a stack, as Vega's parser does (no recursion per operator)."""
        stack: list[Any] = [self.unary()]
        while (prec := self.precedence()) > 0:
            while len(stack) > 2 and prec <= stack[-2][1]:
                self.reduce(stack)
            stack.append((self.take().value, prec))
            stack.append(self.unary())
        while len(stack) > 1:
            self.reduce(stack)
        return stack[0]

    @staticmethod
    def reduce(stack: list[Any]) -> None:
        right, (op, _), left = stack.pop(), stack.pop(), stack.pop()
        stack.append(Node("logical" if op in ("||", "&&") else "binary", left.start, right.end, op, [left, right]))

    def unary(self) -> Node:
        token = self.ahead
        if token.kind == "punct" and token.value in ("++", "--"):
            raise self.disabled(token)
        if token.kind == "punct" and token.value in ("+", "-", "!", "~"):
            self.take()
            self.enter(token.start)
            operand = self.unary()
            self.depth -= 1
            return Node("unary", token.start, operand.end, token.value, [operand])
        if token.kind == "keyword" and token.value in ("delete", "void", "typeof"):
            raise self.disabled(token)
        node = self.postfix()
        if self.ahead.kind == "punct" and self.ahead.value in ("++", "--"):
            raise self.disabled(self.ahead)
        return node

    def postfix(self) -> Node:
        node = self.primary()
        while True:
            if self.at("."):
                self.take()
                token = self.take()
                if token.kind not in ("name", "keyword", "boolean", "null"):
                    raise self.unexpected(token, "a name is expected after '.'")
                prop = Node("name", token.start, token.end, self.text[token.start:token.end]
                            if token.kind in ("boolean", "null") else token.value)
                node = Node("member", node.start, token.end, False, [node, prop])
            elif self.at("("):
                args, end = self.items("(", ")")
                node = Node("call", node.start, end, None, [node, *args])
            elif self.at("["):
                self.take()
                prop = self.expression()
                end = self.expect("]").end
                node = Node("member", node.start, end, True, [node, prop])
            else:
                return node

    def items(self, open_: str, close: str) -> tuple[list[Node], int]:
        """The comma-separated expressions between ``open_`` and ``close`` (arguments, elements)."""
        self.expect(open_)
        found: list[Node] = []
        while not self.at(close):
            if self.at(","):
                raise Refused(self.ahead.start, "an empty item (two commas in a row)" if found or open_ == "["
                              else "unexpected ','", "remove the extra comma" if close == "]" else None)
            found.append(self.conditional())
            if not self.at(close):
                self.expect(",")
                if close == ")" and self.at(")"):
                    raise self.unexpected(self.ahead)
        return found, self.take().end

    def primary(self) -> Node:
        token = self.ahead
        if token.kind == "punct" and token.value == "(":
            self.take()
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "punct" and token.value == "[":
            elements, end = self.items("[", "]")
            return Node("array", token.start, end, None, elements)
        if token.kind == "punct" and token.value == "{":
            return self.object()
        if token.kind == "string" and token.value == "if":  # Vega's parser reads this string as the name if
            raise Refused(token.start, "Vega reads the string 'if' as the name if, which is no value",
                          "build it from two strings: 'i' + 'f'")
        if token.kind == "name" or (token.kind == "keyword" and token.value == "if"):
            self.take()
            return Node("name", token.start, token.end, token.value)
        if token.kind in ("string", "number"):
            if token.octal:
                raise Refused(token.start, "legacy octal numbers and escapes are not allowed",
                              "write the number in decimal (or 0x... hexadecimal); in a string write \\xHH or \\uHHHH")
            self.take()
            return Node("literal", token.start, token.end, token.value)
        if token.kind == "keyword":
            raise self.disabled(token)
        if token.kind in ("boolean", "null"):
            self.take()
            return Node("literal", token.start, token.end, token.value)
        if token.kind == "punct" and token.value in ("/", "/="):
            regexp = scan_regexp(self.text, token.start)
            self.ahead = scan(self.text, regexp.end)
            return Node("regexp", regexp.start, regexp.end, regexp.value)
        raise self.unexpected(token)

    def object(self) -> Node:
        start = self.expect("{").start
        children: list[Node] = []
        seen: set[str] = set()
        while not self.at("}"):
            token = self.take()
            if token.kind in ("eof", "punct"):
                raise self.unexpected(token, "a key is expected")
            if token.octal:
                raise Refused(token.start, "legacy octal numbers are not allowed", "write the key in decimal")
            if token.kind in ("string", "number"):
                key = Node("literal", token.start, token.end, token.value)
                name = _js_string(token.value)
            else:
                name = token.value if token.kind in ("name", "keyword") else self.text[token.start:token.end]
                key = Node("name", token.start, token.end, name)
            if name in seen:
                raise Refused(token.start, f"the key {name!r} is given twice", "give each key once")
            seen.add(name)
            self.expect(":")
            children += [key, self.conditional()]
            if not self.at("}"):
                self.expect(",")
        end = self.take().end
        return Node("object", start, end, None, children)


def _js_string(value: Any) -> str:
    """A key as JavaScript names it: numbers in their shortest form (``1.0`` is ``"1"``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return str(value)


def _check_tree_depth(root: Node) -> None:
    """Refused when operations nest deeper than :data:`MAX_TREE_DEPTH` (names and literals are no
    level), at the first too deep operation; counted without recursion."""
    deepest, first = 0, None
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_TREE_DEPTH and (first is None or node.start < first.start):
            first = node
        stack.extend((child, depth + 1) for child in node.children if child.children)
    if first is not None:
        raise Refused(first.start, f"the expression nests {deepest:,} operations: more than the limit of "
                      f"{MAX_TREE_DEPTH:,}", "Vega nests each operation in the one before (a + b + c is "
                      "(a + b) + c, datum.a.b is (datum.a).b) and fails on such depth: split a long sum or "
                      "chain into several calculate steps of a few hundred terms each")


def parse(text: str) -> Node:
    """The syntax tree of ``text``, or :class:`~.tokens.Refused` at the first problem."""
    parser = _Parser(text)
    node = parser.expression()
    if parser.ahead.kind != "eof":
        raise parser.unexpected(parser.ahead, "the expression should end here: an operator may be missing")
    _check_tree_depth(node)
    return node
