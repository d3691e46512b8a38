"""The tokens of a Vega expression, read as Vega's own scanner reads them (vega-expression's parser.js).

Vega's expression language is a JavaScript subset with a scanner of its own: no comments (``//``
is refused), no template strings, legacy octal numbers and escapes scanned (then refused by the
parser), ``\\u{...}`` and ``\\x{...}`` code point escapes, and every JavaScript punctuator scanned
(``++``, ``=``, ``=>`` ...) even where the parser then refuses it. A regular expression literal
is scanned only where the parser expects an operand (:func:`scan_regexp`).

Each token keeps its offsets in the text, so every problem can point at its column.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

__all__ = ["KEYWORDS", "Refused", "Token", "scan", "scan_regexp"]

#: reserved words; Vega's scanner never counts a one-letter name as one
KEYWORDS = frozenset("""if in do var for new try let this else case void with enum while break catch throw const
    yield class super return typeof delete switch export import public static default finally extends package
    private function continue debugger interface protected instanceof implements""".split())

_WHITESPACE = frozenset("\x20\x09\x0b\x0c\xa0\u1680\u180e\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                        "\u2009\u200a\u202f\u205f\u3000\ufeff")
_LINE_BREAKS = frozenset("\n\r\u2028\u2029")
_HEX = frozenset("0123456789abcdefABCDEF")
_OCTAL = frozenset("01234567")
_ONE_CHAR = frozenset(".();,{}[]:?~")
_WITH_EQUALS = frozenset("+-/<>^|%&*")
_SINGLE = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\x0b"}


@dataclass(frozen=True)
class Token:
    """``kind``: one of "eof", "name", "keyword", "null", "boolean", "number", "string", "punct"."""

    kind: str
    value: Any
    start: int
    end: int
    #: a legacy octal number (``017``) or escape (``'\\1'``): Vega's parser refuses it
    octal: bool = False


class Refused(Exception):
    """What Vega refuses, at an offset of the expression's text."""

    def __init__(self, offset: int, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message
        self.hint = hint


def _letter(ch: str, *, part: bool) -> bool:
    if ch in "$_\\" or ("a" <= ch <= "z") or ("A" <= ch <= "Z") or (part and "0" <= ch <= "9"):
        return True
    if ch < "\x80":
        return False
    category = unicodedata.category(ch)
    return category[0] == "L" or category == "Nl" or (part and category in ("Mn", "Mc", "Nd", "Pc")) \
        or (part and ch in "\u200c\u200d")


def is_name_start(ch: str) -> bool:
    return bool(ch) and _letter(ch, part=False)


def is_name_part(ch: str) -> bool:
    return bool(ch) and _letter(ch, part=True)


def _illegal(offset: int, hint: str | None = None) -> Refused:
    return Refused(offset, "unexpected character" if hint is None else "invalid token", hint)


def _hex_escape(text: str, i: int, digits: int) -> tuple[str, int]:
    chunk = text[i:i + digits]
    if len(chunk) != digits or any(c not in _HEX for c in chunk):
        raise _illegal(i - 2, "write \\xHH or \\uHHHH with hexadecimal digits")
    return chr(int(chunk, 16)), i + digits


def _code_point(text: str, i: int) -> tuple[str, int]:
    """``\\u{...}`` after its brace: at least one hex digit, then ``}``, at most 10FFFF."""
    j = i
    while j < len(text) and text[j] in _HEX:
        j += 1
    if j == i or j >= len(text) or text[j] != "}" or int(text[i:j], 16) > 0x10FFFF:
        raise _illegal(i - 3, "write \\u{H...} with 1 to 6 hexadecimal digits, at most 10FFFF")
    return chr(int(text[i:j], 16)), j + 1


def _name(text: str, i: int) -> tuple[str, int]:
    """A name from ``i``, ``\\uHHHH`` escapes decoded."""
    out, start = [], i
    while i < len(text) and (is_name_part(text[i]) if i > start else is_name_start(text[i])):
        if text[i] == "\\":
            if text[i + 1:i + 2] != "u":
                raise _illegal(i)
            ch, i = _hex_escape(text, i + 2, 4)
            if ch == "\\" or not (is_name_part(ch) if out else is_name_start(ch)):
                raise _illegal(i - 6)
            out.append(ch)
        else:
            out.append(text[i])
            i += 1
    return "".join(out), i


def _word(text: str, start: int) -> Token:
    name, end = _name(text, start)
    if len(name) == 1:
        return Token("name", name, start, end)
    if name in KEYWORDS:
        return Token("keyword", name, start, end)
    if name == "null":
        return Token("null", None, start, end)
    if name in ("true", "false"):
        return Token("boolean", name == "true", start, end)
    return Token("name", name, start, end)


def _punctuator(text: str, start: int) -> Token:
    ch = text[start]
    if ch in _ONE_CHAR:
        return Token("punct", ch, start, start + 1)
    nxt = text[start + 1:start + 2]
    if nxt == "=" and ch in _WITH_EQUALS:
        return Token("punct", ch + "=", start, start + 2)
    if nxt == "=" and ch in "!=":
        end = start + 3 if text[start + 2:start + 3] == "=" else start + 2
        return Token("punct", text[start:end], start, end)
    for size in (4, 3, 2):
        chunk = text[start:start + size]
        if chunk in (">>>=", ">>>", "<<=", ">>=", "++", "--", "<<", ">>", "&&", "||", "=>"):
            return Token("punct", chunk, start, start + size)
    if text[start:start + 2] == "//":
        raise Refused(start, "comments ('//') are not part of Vega expressions", "remove the comment")
    if ch in "<>=!+-*%&|^/":
        return Token("punct", ch, start, start + 1)
    raise _illegal(start)


def _digits(text: str, i: int, allowed: frozenset[str] | None = None) -> int:
    while i < len(text) and (text[i] in allowed if allowed else "0" <= text[i] <= "9"):
        i += 1
    return i


def _number(text: str, start: int) -> Token:
    i, octal = start, False
    if text[i] != ".":
        if text[i] == "0" and text[i + 1:i + 2] in ("x", "X"):
            end = _digits(text, i + 2, _HEX)
            if end == i + 2 or is_name_start(text[end:end + 1]):
                raise _illegal(start)
            return Token("number", float(int(text[i + 2:end], 16)), start, end)
        if text[i] == "0" and text[i + 1:i + 2] in _OCTAL and text[i + 1:i + 2]:
            end = _digits(text, i + 1, _OCTAL)
            if is_name_start(text[end:end + 1]) or text[end:end + 1].isdigit():
                raise _illegal(start)
            return Token("number", float(int(text[start:end], 8)), start, end, octal=True)
        if text[i] == "0" and "0" <= text[i + 1:i + 2] <= "9" and text[i + 1:i + 2]:
            raise _illegal(start, "a number cannot start with 0 followed by a digit")
        i = _digits(text, i)
    if text[i:i + 1] == ".":
        i = _digits(text, i + 1)
    if text[i:i + 1] in ("e", "E"):
        i += 1
        if text[i:i + 1] in ("+", "-"):
            i += 1
        if not ("0" <= text[i:i + 1] <= "9" and text[i:i + 1]):
            raise _illegal(start, "an exponent needs digits, e.g. 1e6")
        i = _digits(text, i)
    if is_name_start(text[i:i + 1]):
        raise _illegal(i, "put an operator or a space between a number and a name")
    return Token("number", float(text[start:i]), start, i, octal=octal)


def _string(text: str, start: int) -> Token:
    quote, out, i, octal = text[start], [], start + 1, False
    while i < len(text):
        ch = text[i]
        i += 1
        if ch == quote:
            return Token("string", "".join(out), start, i, octal=octal)
        if ch in _LINE_BREAKS:
            break
        if ch != "\\":
            out.append(ch)
            continue
        ch = text[i:i + 1]
        i += 1
        if ch in _LINE_BREAKS and ch:  # a line continuation
            i += 1 if ch == "\r" and text[i:i + 1] == "\n" else 0
        elif ch in ("u", "x") and text[i:i + 1] == "{":
            decoded, i = _code_point(text, i + 1)
            out.append(decoded)
        elif ch in ("u", "x"):
            decoded, i = _hex_escape(text, i, 4 if ch == "u" else 2)
            out.append(decoded)
        elif ch in _OCTAL and ch:
            code = int(ch)
            octal = octal or code != 0
            if text[i:i + 1] in _OCTAL and text[i:i + 1]:
                octal, code = True, code * 8 + int(text[i])
                i += 1
                if ch in "0123" and text[i:i + 1] in _OCTAL and text[i:i + 1]:
                    code = code * 8 + int(text[i])
                    i += 1
            out.append(chr(code))
        elif ch:
            out.append(_SINGLE.get(ch, ch))
    raise Refused(start, "this string is not closed", f"end it with {quote}; a line break inside it is written \\n")


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and (text[i] in _WHITESPACE or text[i] in _LINE_BREAKS):
        i += 1
    return i


def scan(text: str, i: int) -> Token:
    """The token at or after offset ``i`` (after white space), or the "eof" token."""
    i = _skip_space(text, i)
    if i >= len(text):
        return Token("eof", None, i, i)
    ch = text[i]
    if is_name_start(ch):
        return _word(text, i)
    if ch in "'\"":
        return _string(text, i)
    if ("0" <= ch <= "9") or (ch == "." and "0" <= text[i + 1:i + 2] <= "9" and text[i + 1:i + 2]):
        return _number(text, i)
    return _punctuator(text, i)


def _regexp_body(text: str, start: int) -> int:
    """The offset after the closing slash of the regular expression opening at ``start``."""
    i, in_class = start + 1, False
    while i < len(text):
        ch = text[i]
        i += 1
        if ch == "\\":
            if i >= len(text) or text[i] in _LINE_BREAKS:
                break
            i += 1
        elif ch in _LINE_BREAKS:
            break
        elif in_class:
            in_class = ch != "]"
        elif ch == "/":
            return i
        elif ch == "[":
            in_class = True
    raise Refused(start, "this regular expression is not closed", "end it with /, e.g. /[0-9]+/g")


def _unbalanced(pattern: str) -> bool:
    """Whether a pattern's groups do not balance (JavaScript refuses such a pattern)."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                return True
        i += 1
    return depth != 0 or in_class


def scan_regexp(text: str, start: int) -> Token:
    """The regular expression literal at ``start`` (a slash); its value is (pattern, flags)."""
    end = _regexp_body(text, start)
    pattern = text[start + 1:end - 1]
    flag_end = end
    while flag_end < len(text) and is_name_part(text[flag_end]):
        if text[flag_end] == "\\":
            raise _illegal(flag_end)
        flag_end += 1
    flags = text[end:flag_end]
    if any(f not in "gimuy" for f in flags) or len(set(flags)) != len(flags):
        raise Refused(end, f"invalid regular expression flags {flags!r}", "use each of the flags g, i, m, u, y at most once")
    if _unbalanced(pattern):
        raise Refused(start, "invalid regular expression: its brackets do not balance",
                      "escape a literal bracket as \\( \\) \\[")
    return Token("regexp", (pattern, flags), start, flag_end)
