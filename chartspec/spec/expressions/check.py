"""What Vega would refuse in an expression, found without Vega: :func:`expression_problems`.

After the grammar (syntax.py), what Vega's code generator and parser refuse: calls of anything but
a function of Vega's list (``window.alert(1)``, ``eval('1')``, ``foo(x)``), names that are neither
``datum``/``event``/``item``, a constant nor a signal the view defines (``window.location``),
``_``, ``event`` and ``item`` in a transform (where Vega never defines them), object keys named like ``Object.prototype``'s methods, ``clamp``/``if`` without exactly three
arguments, and ``data``/``indata``/``vlSelection*`` without a literal first argument.

And what Vega accepts but a build cannot afford: calls whose literal arguments ask for gigabytes
(``pad('', 1e9, 'x')``, ``format(x, '01000000000d')``, ``sequence(0, 1e10)``) are refused over
:data:`MAX_TEXT` characters or :data:`MAX_ITEMS` items. Sizes computed at run time cannot be seen
here; the renderer's time limit stops those.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

from ..suggest import closest
from .names import ALLOWED, CONSTANTS, FORBIDDEN_KEYS, FUNCTIONS, JS_GLOBALS, LITERAL_ARGUMENTS, THREE_ARGUMENTS
from .syntax import Node, parse
from .tokens import Refused

__all__ = ["D3_NUMBER_FORMAT", "MAX_ITEMS", "MAX_TEXT", "Problem", "expression_problems"]

#: the longest text a literal argument may ask ``pad`` or a number format's width to make
MAX_TEXT = 10_000
#: the most items a literal ``sequence``/``timeSequence``/``utcSequence`` may make
MAX_ITEMS = 1_000_000

#: milliseconds of each time unit, the shortest each can be (a month of 28 days)
_UNIT_MS = {"millisecond": 1, "second": 1e3, "minute": 6e4, "hour": 3.6e6, "day": 8.64e7, "date": 8.64e7,
            "week": 6.048e8, "month": 2.4192e9, "quarter": 7.776e9, "year": 3.1536e10}
#: d3-format's specifier: [[fill]align][sign][symbol][0][width][,][.precision][~][type] (d3's own
#: pattern: a fill may be any character but a line break)
D3_NUMBER_FORMAT = re.compile(r"^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([a-z%])?$", re.I)


@dataclass(frozen=True)
class Problem:
    """One thing Vega refuses (or a build cannot afford), at ``offset`` in the expression."""

    offset: int
    message: str
    hint: str | None = None


def _number(node: Node) -> float | None:
    """A literal number argument (``-5`` included), else None: what only the run time knows."""
    if node.kind == "literal" and isinstance(node.value, float):
        return node.value
    if node.kind == "unary" and node.value in "+-" and (inner := _number(node.children[0])) is not None:
        return -inner if node.value == "-" else inner
    return None


def _string(node: Node) -> str | None:
    return node.value if node.kind == "literal" and isinstance(node.value, str) else None


def _too_long(args: list[Node], index: int, what: str) -> Problem | None:
    size = _number(args[index]) if len(args) > index else None
    if size is None or size <= MAX_TEXT:
        return None
    return Problem(args[index].start, f"{what} of {size:,.0f} characters: more than the limit of {MAX_TEXT:,}",
                   "a chart's text needs far fewer characters; use a smaller number")


def _format_width(args: list[Node]) -> Problem | None:
    spec = _string(args[1]) if len(args) > 1 else None
    m = D3_NUMBER_FORMAT.match(spec) if spec is not None else None
    if m is None or m.group(6) is None or int(m.group(6)) <= MAX_TEXT:
        return None
    return Problem(args[1].start, f"a number format {int(m.group(6)):,} characters wide: more than the limit of "
                   f"{MAX_TEXT:,}", "use a smaller width in the format")


def _sequence(args: list[Node]) -> Problem | None:
    numbers = [_number(a) for a in args[:3]]
    if not args or any(n is None for n in numbers):
        return None
    start, stop, step = (0.0, numbers[0], 1.0) if len(numbers) == 1 else (*numbers[:2], 1.0) \
        if len(numbers) == 2 else numbers
    return _count(args[0].start, start, stop, step, 1)  # type: ignore[arg-type]


def _time_sequence(args: list[Node]) -> Problem | None:
    unit = _string(args[0]) if args else None
    numbers = [_number(a) for a in args[1:4]]
    if unit not in _UNIT_MS or len(numbers) < 2 or any(n is None for n in numbers):
        return None
    step = numbers[2] if len(numbers) > 2 else 1.0
    return _count(args[0].start, numbers[0], numbers[1], step, _UNIT_MS[unit])  # type: ignore[arg-type, index]


def _count(offset: int, start: float, stop: float, step: float, unit: float) -> Problem | None:
    if not all(map(math.isfinite, (start, stop, step))) or step == 0:
        return None
    items = math.ceil((stop - start) / (step * unit))
    if items <= MAX_ITEMS:
        return None
    return Problem(offset, f"a sequence of {items:,} items: more than the limit of {MAX_ITEMS:,}",
                   "make the range smaller or the step larger")


_SIZES: dict[str, Callable[[list[Node]], Problem | None]] = {
    "pad": lambda args: _too_long(args, 1, "padding to a text"),
    "format": _format_width,
    "sequence": _sequence,
    "timeSequence": _time_sequence,
    "utcSequence": _time_sequence,
}


#: names Vega defines only while it handles an event or encodes a mark, never in a data transform
_EVENT_NAMES = frozenset({"event", "item"})


class _Checker:
    def __init__(self, is_signal: Callable[[str], bool] | None, *, in_transform: bool) -> None:
        self.is_signal = is_signal
        self.in_transform = in_transform
        self.found: list[Problem] = []

    def walk(self, root: Node) -> None:
        """Every node, iteratively: a long chain ``a + b + ...`` is as deep as it is long."""
        stack: list[tuple[Node, str]] = [(root, "value")]
        while stack:
            node, role = stack.pop()
            if node.kind == "name" and role == "value":
                self.name(node)
            elif node.kind == "call":
                self.call(node)
            elif node.kind == "object":
                self.keys(node)
            if role != "callee":  # a callee is a function's name, or refused whole (call)
                stack.extend(reversed(list(zip(node.children, self.roles(node)))))

    @staticmethod
    def roles(node: Node) -> list[str]:
        """How each child is read: "value", "property" (a.b's b), "key", "callee"."""
        if node.kind == "member":
            return ["value", "value" if node.value else "property"]
        if node.kind == "object":
            return ["key", "value"] * (len(node.children) // 2)
        if node.kind == "call":
            return ["callee"] + ["value"] * (len(node.children) - 1)
        return ["value"] * len(node.children)

    def name(self, node: Node) -> None:
        name = node.value
        if self.in_transform and name in _EVENT_NAMES:
            self.found.append(Problem(node.start, f"{name!r} is not defined in a calculate or filter transform",
                                      f"{name} is what an interaction (a selection, a signal's handler) or a mark "
                                      "sees; a transform runs once per row of the data: read the row with "
                                      "datum.NAME, a param by its name"))
            return
        if name in ALLOWED or name in CONSTANTS:
            return
        if name == "_":
            self.found.append(Problem(node.start, "the name '_' is reserved by Vega", "read a column with datum._"))
            return
        if self.is_signal is None or self.is_signal(name):
            return
        near = closest(name, [*CONSTANTS, *ALLOWED])
        if name in JS_GLOBALS:
            hint = "Vega expressions cannot reach JavaScript's globals; use Vega's functions and datum.NAME"
        elif near is not None:
            hint = f"did you mean {near!r}?"
        else:
            hint = f"a column is read as datum.{name} (or datum['...']); other names must be params of the chart"
            if name in FUNCTIONS:
                hint += f"; {name}(...) is a function"
        self.found.append(Problem(node.start, f"unknown name {name!r}", hint))

    def call(self, node: Node) -> None:
        callee, args = node.children[0], node.children[1:]
        if callee.kind != "name":
            if callee.kind == "call" and callee.children[0].kind != "name":
                return  # a call of a refused call (x.f()()): that one says it, at the same column
            what = "a method" if callee.kind == "member" else "an expression"
            self.found.append(Problem(callee.start, f"only Vega's functions can be called, not {what}",
                                      "call a function by its name, e.g. upper(datum.a) rather than "
                                      "datum.a.toUpperCase(); see https://vega.github.io/vega/docs/expressions/"))
            return
        name = callee.value
        if name not in FUNCTIONS:
            near = closest(name, FUNCTIONS)
            hint = f"did you mean {near}(...)?" if near else \
                "only Vega's functions can be called: see https://vega.github.io/vega/docs/expressions/"
            self.found.append(Problem(callee.start, f"unknown function {name!r}", hint))
            return
        if name in THREE_ARGUMENTS and len(args) != 3:
            self.found.append(Problem(callee.start, f"{name}() takes 3 arguments, not {len(args)}",
                                      "clamp(value, min, max)" if name == "clamp" else "if(test, then, else)"))
        literal = LITERAL_ARGUMENTS.get(name, 0)
        if any(a.kind not in ("literal", "regexp") for a in args[:literal]) or len(args) < literal:
            self.found.append(Problem(callee.start, f"{name}() needs its first {'two arguments' if literal == 2 else 'argument'}"
                                      " written as a quoted name", f"e.g. {name}('source_0')"))
        if name in _SIZES and (problem := _SIZES[name](args)) is not None:
            self.found.append(problem)

    def keys(self, node: Node) -> None:
        for key in node.children[::2]:
            if key.kind == "name" and key.value in FORBIDDEN_KEYS:
                self.found.append(Problem(key.start, f"the key {key.value!r} is not allowed in an object",
                                          f"quote it ('{key.value}': ...) or choose another key"))


def expression_problems(text: str, is_signal: Callable[[str], bool] | None = None, *,
                        in_transform: bool = False) -> list[Problem]:
    """What Vega would refuse in the expression ``text``, in order. ``is_signal`` tells which other
    names the view defines; None: names are not checked (they are where the whole chart is known).
    ``in_transform``: the text is a calculate or filter transform's, where ``event`` and ``item``
    are undefined ("ReferenceError" when Vega runs it)."""
    try:
        tree = parse(text)
    except Refused as err:
        return [Problem(err.offset, err.message, err.hint)]
    checker = _Checker(is_signal, in_transform=in_transform)
    checker.walk(tree)
    return sorted(checker.found, key=lambda p: p.offset)
