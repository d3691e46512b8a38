"""Event selectors (``click[event.shiftKey]``, ``[pointerdown, pointerup] > pointermove{16}``),
read as Vega's ``vega-event-selector`` reads them: :func:`selector_problems`.

A selection's ``on``/``clear``/``translate``/``zoom`` and a legend binding are such strings. Their
``[...]`` filters are Vega expressions, compiled when the view starts: ``click[evil()]`` passes
Vega-Lite and fails only at render ("Unrecognized function: evil"). Here each filter is checked
with :func:`~.check.expression_problems`, and what Vega's selector parser throws on (an unclosed
bracket, a between ``[a, b]`` without ``>``, a bad ``{throttle}``) is refused, all at offsets of
the selector's text.

The reading follows Vega's, quirks included: a filter ends at its first ``]``, and the first
``:`` of a stream (even one inside a filter) separates the source from the event type.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .check import Problem, expression_problems
from .tokens import Refused

__all__ = ["selector_problems"]

_ILLEGAL = frozenset("[]{}")
#: what JavaScript's Number() reads in a throttle: decimal (an empty part is 0), hex, octal, binary
_JS_NUMBER = re.compile(r"^\s*(?:[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|Infinity)|0x[\da-f]+|0o[0-7]+"
                        r"|0b[01]+)?\s*$", re.I)
_SELECTOR_HINT = "see https://vega.github.io/vega/docs/event-streams/#selector, e.g. 'click[event.shiftKey]'"


def _find(text: str, i: int, end: int, char: str, push: str = "", pop: str = "") -> int:
    """Vega's ``find``: the first ``char`` from ``i`` outside the brackets ``push``/``pop`` count."""
    count = 0
    while i < end:
        c = text[i]
        if not count and c == char:
            return i
        if c in pop:
            count -= 1
        elif c in push:
            count += 1
        i += 1
    return end


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class _Reader:
    def __init__(self, text: str, is_signal: Callable[[str], bool] | None) -> None:
        self.text = text
        self.is_signal = is_signal
        self.found: list[Problem] = []

    def merge(self, start: int, end: int) -> list[tuple[int, int]]:
        """The comma-separated streams of ``text[start:end]`` (Vega's ``parseMerge``)."""
        parts: list[tuple[int, int]] = []
        i, first = start, start
        while i < end:
            i = _find(self.text, i, end, ",", "[{", "]}")
            parts.append(_trimmed(self.text, first, i))
            i += 1
            first = i
        if not parts:
            raise Refused(start, "an empty event selector", _SELECTOR_HINT)
        return parts

    def selector(self, start: int, end: int) -> None:
        if start < end and self.text[start] == "[":
            self.between(start, end)
        else:
            self.stream(start, end)

    def between(self, start: int, end: int) -> None:
        close = _find(self.text, start + 1, end, "]", "[", "]")
        if close == end:
            raise Refused(start, "the '[' of a between selector is not closed", "write [start, end] > stream")
        parts = self.merge(start + 1, close)
        if len(parts) != 2:
            raise Refused(start, f"a between selector has two event streams, not {len(parts)}",
                          "write [start, end] > stream, e.g. [pointerdown, window:pointerup] > window:pointermove")
        rest, rest_end = _trimmed(self.text, close + 1, end)
        if rest == rest_end or self.text[rest] != ">":
            raise Refused(rest, "expected '>' after a between selector [start, end]",
                          "write [start, end] > stream")
        for part in parts:
            self.selector(*part)
        self.selector(*_trimmed(self.text, rest + 1, rest_end))

    def stream(self, start: int, end: int) -> None:
        text = self.text
        if start < end and text[end - 1] == "}":
            brace = text.rfind("{", start, end)
            if brace < 0:
                raise Refused(end - 1, "a '}' without its '{'", "a throttle is written {ms} or {throttle, debounce}")
            parts = text[brace + 1:end - 1].split(",")
            if brace + 1 == end - 1 or len(parts) > 2 or not all(_JS_NUMBER.match(p) for p in parts):
                raise Refused(brace, "invalid throttle", "write {ms} or {throttle_ms, debounce_ms} with numbers")
            start, end = _trimmed(text, start, brace)
        if start == end:
            raise Refused(start, "an empty event stream", _SELECTOR_HINT)
        i = start + 1 if text[start] == "@" else start
        sources: list[tuple[int, int]] = []
        colon = _find(text, i, end, ":")
        if colon < end:
            sources.append((start, colon))
            start = i = colon + 1
        i = _find(text, i, end, "[")
        if i == end:
            sources.append((start, end))
        else:
            sources.append((start, i))
            self.filters(i, end)
        last = text[slice(*sources[-1])]
        if _ILLEGAL & set(last):
            at = sources[-1][0] + next(k for k, c in enumerate(last) if c in _ILLEGAL)
            raise Refused(at, f"invalid event selector: {text[at]!r} where an event type is expected",
                          "a ':' inside a filter is read as the one between source and event type; " + _SELECTOR_HINT
                          if ":" in text[sources[0][0]:end] else _SELECTOR_HINT)

    def filters(self, open_: int, end: int) -> None:
        """The ``[...]`` filters from the ``[`` at ``open_`` to ``end``: each a Vega expression."""
        text, i = self.text, open_ + 1
        if i == end:
            raise Refused(open_, "a '[' without its ']'", "close the filter with ]")
        first = i
        while i < end:
            i = _find(text, i, end, "]")
            if i == end:
                raise Refused(first - 1, "a '[' without its ']'", "close the filter with ]")
            self.expression(*_trimmed(text, first, i))
            if i < end - 1:
                i += 1
                if text[i] != "[":
                    raise Refused(i, "expected '[' after a filter's ']'", "a filter ends at its first ']': "
                                  "write datum.a rather than datum['a'], and combine filters as [a][b]")
            i += 1
            first = i

    def expression(self, start: int, end: int) -> None:
        for problem in expression_problems(self.text[start:end], self.is_signal):
            self.found.append(Problem(start + problem.offset, problem.message, problem.hint))


def selector_problems(text: str, is_signal: Callable[[str], bool] | None = None) -> list[Problem]:
    """What Vega would refuse in the event selector ``text``: the first problem of its syntax, or
    those of its filter expressions, at offsets of ``text``."""
    reader = _Reader(text, is_signal)
    try:
        start, end = _trimmed(text, 0, len(text))
        for part in reader.merge(start, end):
            reader.selector(*part)
    except Refused as err:
        return [Problem(err.offset, err.message, err.hint)]
    return sorted(reader.found, key=lambda p: p.offset)
