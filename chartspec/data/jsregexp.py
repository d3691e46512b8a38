"""JavaScript regular expressions (``test(/^run-/, datum.run)``) run in Python, where they mean the same.

A Vega filter or calculate may test a regular expression literal. Python's ``re`` reads most of
the syntax alike, but not all of it the same way: ``$`` also matches before a final newline, ``.``
also matches ``\\r``, ``\\d`` ``\\w`` ``\\b`` are Unicode-aware, ``\\s`` is another set. So a pattern
is translated token by token into one that matches what JavaScript's would (ECMAScript, RegExp
without the ``u`` flag), with ``re.ASCII``; anything outside that common part (back references,
named groups, lookbehind, the ``m``, ``u`` and ``y`` flags, ``g`` whose ``lastIndex`` makes ``test``
stateful, ``i`` with a non-ASCII pattern, patterns and texts that could backtrack for minutes) raises :class:`~chartspec.data.jsvalues.Unsupported`, and
the caller knows nothing rather than guessing (the guards then count an upper bound: countbound.py).
JavaScript matches UTF-16 code units, Python code points: pattern and text are matched as their
UTF-16 units (jsvalues.utf16_units), so ``.`` takes half an emoji here as it does there.
``replace(text, /re/, 'new')`` runs the same patterns (``g`` allowed: ``replace`` starts from the
text's start each time), with a replacement without ``$`` patterns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .jsvalues import UNDEFINED, Unsupported, from_units, js_string, utf16_units

__all__ = ["JsRegExp", "check", "js_replace", "js_test"]

#: JavaScript's WhiteSpace and LineTerminator code points: its ``\\s``
_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_DOT = "[^\\n\\r\\u2028\\u2029]"
_KEPT_ESCAPES = set("dDwWbBtnrfv")
_QUANTIFIER = re.compile(r"\{\d+(?:,\d*)?\}")


@dataclass(frozen=True)
class JsRegExp:
    """A regular expression literal of an expression: its pattern and flags, as written."""

    pattern: str
    flags: str


def _escape(pattern: str, i: int, in_class: bool) -> tuple[str, int]:
    """The Python for the escape at ``pattern[i]`` (a backslash), and the offset after it."""
    if i + 1 >= len(pattern):
        raise Unsupported("a pattern ending in a backslash")
    ch = pattern[i + 1]
    if ch == "s":
        return (_SPACE if in_class else f"[{_SPACE}]"), i + 2
    if ch == "S" and not in_class:
        return f"[^{_SPACE}]", i + 2
    if ch == "b" and in_class:
        return "\\x08", i + 2
    if ch in _KEPT_ESCAPES:
        return "\\" + ch, i + 2
    if ch == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", pattern[i + 2:i + 4]):
        return pattern[i:i + 4], i + 4
    if ch == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", pattern[i + 2:i + 6]):
        return pattern[i:i + 6], i + 6
    if ch == "0" and not pattern[i + 2:i + 3].isdigit():
        return "\\x00", i + 2
    if ch.isalnum() or ch == "_":  # back references, \c, \k, \p, identity escapes of letters
        raise Unsupported(f"the escape \\{ch}")
    return re.escape(ch), i + 2


def _class(pattern: str, i: int) -> tuple[str, int]:
    """The Python for the character class opening at ``pattern[i]``, and the offset after it."""
    out, i = "[", i + 1
    if pattern[i:i + 1] == "^":
        out, i = "[^", i + 1
    if pattern[i:i + 1] == "]":
        raise Unsupported("an empty class")  # [] matches nothing, [^] anything: Python reads neither so
    while i < len(pattern) and pattern[i] != "]":
        ch = pattern[i]
        if ch == "\\":
            piece, i = _escape(pattern, i, in_class=True)
            out += piece
            continue
        if ch == "-" and pattern[i + 1:i + 2] == "-":
            raise Unsupported("'--' in a class")
        out += "\\" + ch if ch in "[&~|" else ch  # Python reserves these for set operations
        i += 1
    if i >= len(pattern):
        raise Unsupported("an unclosed class")
    return out + "]", i + 1


def _group(pattern: str, i: int) -> tuple[str, int]:
    if pattern.startswith(("(?:", "(?=", "(?!"), i):
        return pattern[i:i + 3], i + 3
    if pattern.startswith("(?", i):
        raise Unsupported("lookbehind or a named group")  # Python's lookbehind has a fixed width
    return "(", i + 1


def _translate(pattern: str, dotall: bool) -> str:
    out: list[str] = []
    i = 0
    groups = [False]  # per open group: does it hold a repetition or an alternative?
    repeated = False  # the last piece was a group holding one
    quantified = False  # the last piece was a quantifier (a '?' after it makes it lazy, no new one)
    counts = [0, 0]  # quantifiers, unbounded ones
    while i < len(pattern):
        ch = pattern[i]
        risky, repeated = repeated, False
        lazy, quantified = quantified and ch == "?", False
        if ch in "*+?" and not lazy or (ch == "{" and _QUANTIFIER.match(pattern, i)):
            m = _QUANTIFIER.match(pattern, i) if ch == "{" else None
            upper = m.group(0)[1:-1].split(",")[-1] if m else ""
            counts[0] += 1
            counts[1] += ch in "*+" or bool(m and (not upper or int(upper) > _MAX_BOUND))
            quantified = True
            _budget(counts)
        if ch == "\\":
            piece, i = _escape(pattern, i, in_class=False)
        elif ch == "[":
            piece, i = _class(pattern, i)
        elif ch == "(":
            piece, i = _group(pattern, i)
            groups.append(False)
        elif ch == ")" and len(groups) > 1:
            piece, i = ")", i + 1
            repeated = groups.pop()
            groups[-1] = groups[-1] or repeated
        elif ch in "*+" or (ch == "{" and _QUANTIFIER.match(pattern, i)):
            if risky:  # (a+)+, (a|ab)*: backtracking takes exponential time, and nothing here stops it
                raise Unsupported("a repetition of a group that repeats or has alternatives")
            m = _QUANTIFIER.match(pattern, i)
            piece, i = (m.group(0), m.end()) if ch == "{" and m else (ch, i + 1)
            groups[-1] = True
        else:
            groups[-1] = groups[-1] or ch == "|"
            piece = {"$": "\\Z", ".": "." if dotall else _DOT}.get(ch, ch if ch in "^)|?" else re.escape(ch))
            i += 1
        out.append(piece)
    return "".join(out)


#: Nothing stops a search once started (Python's re backtracks, and holds the interpreter), so a
#: pattern is run only where its backtracking stays small: at most one unbounded repetition (each
#: more multiplies the work by the text's length: /.*.*X/ took 15 s on 3,000 characters), at most
#: three quantifiers in all ('?' and bounded ones double it each: 28 'a?' hung a build), bounded
#: ones up to 50, texts up to 200 characters, and a cap on the work one pattern does in a process
_MAX_QUANTIFIERS = 3
_MAX_UNBOUNDED = 1
_MAX_BOUND = 50
_MAX_TEXT = 200
_MAX_WORK = 20_000_000
_work: dict[tuple[str, str], int] = {}


def _budget(counts: list[int]) -> None:
    if counts[0] > _MAX_QUANTIFIERS:
        raise Unsupported(f"more than {_MAX_QUANTIFIERS} quantifiers")
    if counts[1] > _MAX_UNBOUNDED:
        raise Unsupported("more than one unbounded repetition")


@lru_cache(maxsize=256)
def _compiled(pattern: str, flags: str) -> re.Pattern[str]:
    if set(flags) - {"i", "s", "d"}:  # g and y: lastIndex carries over rows; m: other line ends; u
        raise Unsupported(f"the flags {flags!r}")
    if "i" in flags and not pattern.isascii():
        raise Unsupported("a case-blind non-ASCII pattern")
    options = re.ASCII | (re.IGNORECASE if "i" in flags else 0) | (re.DOTALL if "s" in flags else 0)
    try:
        return re.compile(_translate(utf16_units(pattern), "s" in flags), options)
    except (re.error, OverflowError, RecursionError) as err:
        raise Unsupported(f"the pattern {pattern!r}") from err


def check(regexp: JsRegExp, *, replacing: bool = False) -> None:
    """Raise Unsupported now (when the expression is compiled) for a pattern not run here
    (``replacing``: in ``replace``, where ``g`` means every match, not a ``lastIndex`` kept)."""
    _compiled(regexp.pattern, regexp.flags.replace("g", "") if replacing else regexp.flags)


def js_replace(text: Any, pattern: Any, replacement: Any) -> str:
    """Vega's ``replace(string, pattern, replacement)``: ``String(string).replace(pattern, replacement)``,
    for a pattern literal (or text: its first occurrence) and a replacement without ``$`` patterns."""
    new = js_string(replacement)
    if "$" in new:
        raise Unsupported("a replacement with '$' patterns")
    units = utf16_units(js_string(text))
    if isinstance(pattern, str):
        return from_units(units.replace(utf16_units(pattern), utf16_units(new), 1))
    if not isinstance(pattern, JsRegExp) or len(units) > _MAX_TEXT:
        raise Unsupported("replace() of this pattern or text")
    flags = pattern.flags.replace("g", "")
    _spend(pattern.pattern, flags, units)
    return from_units(_compiled(pattern.pattern, flags).sub(lambda _: utf16_units(new), units,
                                                            count=0 if "g" in pattern.flags else 1))


def js_test(regexp: Any, text: Any = UNDEFINED) -> bool:
    """Vega's ``test(regexp, string)``: ``regexp.test(String(string))``."""
    if not isinstance(regexp, JsRegExp):
        raise Unsupported("test() of something other than a regular expression literal")
    text = utf16_units(js_string(text))
    if len(text) > _MAX_TEXT:
        raise Unsupported("a text this long")
    return _search(regexp.pattern, regexp.flags, text)


@lru_cache(maxsize=4096)
def _search(pattern: str, flags: str, text: str) -> bool:
    """One search (the same run name is tested on each of its rows once), within the pattern's work cap."""
    _spend(pattern, flags, text)
    return _compiled(pattern, flags).search(text) is not None


def _spend(pattern: str, flags: str, text: str) -> None:
    """Count a search of ``text`` against the pattern's work cap (Unsupported past it)."""
    key = (pattern, flags)
    _work[key] = _work.get(key, 0) + (len(text) + 1) ** 2
    if _work[key] > _MAX_WORK:
        raise Unsupported("this many searches")
