"""Where each character of a string value is written in the source: :func:`character_position`.

A problem inside a string (a column of an expression) is shown where the source writes that
character. The source map knows where a scalar starts; from there its text is read again, in
its style, keeping the position of every character it gives:

- plain, ``'single'`` (``''`` is one quote) and ``"double"`` quoted scalars (each escape, from
  ``\\"`` to ``\\U0001F600``, gives one character at its backslash), over several lines too:
  a line break and the spaces around it fold into one space, an empty line into a line break,
  an escaped line break into nothing;
- literal block scalars ``|``: each line is a source line less the block's indentation;
- folded block scalars ``>``: lines joined by a space, except around empty and more indented
  lines, which keep their breaks.

What is read is compared with the loaded value: when they differ (a tag, an alias, a JSON
escape this reading does not know), there is no answer and the caller keeps the scalar's start.
"""

from __future__ import annotations

import re

from .source import Position

__all__ = ["character_position"]

_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
            "P": "\u2029"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_BLOCK_HEADER = re.compile(r"^[|>](?:[1-9][+-]?|[+-][1-9]?)?(?:[ \t]+#.*)?[ \t]*$")

_Read = tuple[str, list[Position]]


class _Unknown(Exception):
    """The scalar is written in a way this reading does not follow."""


def _flow(lines: list[str], line: int, column: int, limit: int, pairs: bool) -> _Read:
    """A plain or quoted scalar starting at ``line``:``column`` (1-based); a plain one is read
    to the end of its line, or ``limit`` characters (where it ends is the caller's concern)."""
    quote = lines[line - 1][column - 1]
    quote = quote if quote in "'\"" else ""
    chars: list[str] = []
    where: list[Position] = []
    row, col = line - 1, column - 1 + len(quote)  # 0-based
    while row < len(lines) and len(chars) <= limit:
        text = lines[row]
        if row > line - 1:  # a continuation: its leading blanks go
            col = len(text) - len(text.lstrip(" \t"))
        while col < len(text):
            c = text[col]
            if quote and c == quote:
                if quote == "'" and text[col + 1:col + 2] == "'":
                    chars.append("'")
                    where.append(Position(row + 1, col + 1))
                    col += 2
                    continue
                return "".join(chars), where
            if quote == '"' and c == "\\":
                if col + 1 == len(text):  # an escaped line break: nothing, not even the fold
                    break
                col = _escape(text, col, row, chars, where, pairs)
                continue
            chars.append(c)
            where.append(Position(row + 1, col + 1))
            col += 1
        else:  # the line ends: its trailing blanks (not escaped ones) and the break fold
            while chars and chars[-1] in " \t" and lines[where[-1].line - 1][where[-1].column - 1] != "\\":
                chars.pop()
                where.pop()
            row += 1
            empty = 0
            while row < len(lines) and not lines[row].strip(" \t"):
                empty, row = empty + 1, row + 1
            if row < len(lines):
                fold = "\n" * empty or " "
                chars.extend(fold)
                where.extend([Position(row - empty, len(lines[row - empty - 1]) + 1)] * len(fold))
            continue
        row += 1  # after an escaped line break
    if quote and len(chars) <= limit:
        raise _Unknown  # not closed: not what was loaded
    return "".join(chars), where


def _escape(text: str, col: int, row: int, chars: list[str], where: list[Position], pairs: bool) -> int:
    """The escape at ``text[col]`` (a backslash) into ``chars``; the column after it. ``pairs``:
    ``\\uD83D\\uDE00`` is one character (as JSON reads it; YAML keeps two)."""
    key = text[col + 1]
    if key in _ESCAPES:
        chars.append(_ESCAPES[key])
        end = col + 2
    elif key in _HEX_ESCAPES:
        digits = text[col + 2:col + 2 + _HEX_ESCAPES[key]]
        if len(digits) != _HEX_ESCAPES[key] or not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise _Unknown
        code = int(digits, 16)
        if pairs and 0xDC00 <= code <= 0xDFFF and chars and 0xD800 <= ord(chars[-1]) <= 0xDBFF:
            chars[-1] = chr(0x10000 + (ord(chars[-1]) - 0xD800) * 0x400 + code - 0xDC00)
            return col + 2 + len(digits)
        chars.append(chr(code))
        end = col + 2 + len(digits)
    else:
        raise _Unknown
    where.append(Position(row + 1, col + 1))
    return end


def _block(lines: list[str], line: int, column: int) -> _Read:
    """A literal (``|``) or folded (``>``) block scalar whose header starts at ``line``:``column``."""
    header = lines[line - 1][column - 1:]
    if not _BLOCK_HEADER.match(header) or any(c in "123456789" for c in header.split("#")[0]):
        raise _Unknown  # an explicit indentation: rare, not followed
    body = list(range(line, len(lines)))  # 0-based rows after the header
    indent = next((len(lines[r]) - len(lines[r].lstrip(" ")) for r in body if lines[r].strip()), 0)
    rows = []
    for r in body:
        if lines[r].strip() and len(lines[r]) - len(lines[r].lstrip(" ")) < indent:
            break
        rows.append(r)
    chars: list[str] = []
    where: list[Position] = []
    previous: str | None = None  # the last non-empty line's text
    empty = 0
    for r in rows:
        text = lines[r][indent:]
        if not lines[r].strip():
            empty += 1
            continue
        if previous is not None:
            folds = header[0] == ">" and not previous.startswith((" ", "\t")) and not text.startswith((" ", "\t"))
            gap = ("\n" * empty or " ") if folds else "\n" * (empty + 1)
            chars.extend(gap)
            where.extend([Position(r - empty, len(lines[r - empty - 1]) + 1)] * len(gap))
        elif empty:
            chars.extend("\n" * empty)
            where.extend([Position(r + 1, 1)] * empty)
        chars.extend(text)
        where.extend(Position(r + 1, indent + k + 1) for k in range(len(text)))
        previous, empty = text, 0
    return "".join(chars), where


def _read(lines: list[str], start: Position, value: str, *, pairs: bool) -> _Read | None:
    """The scalar at ``start`` read again, when it reads as ``value``."""
    first = lines[start.line - 1][start.column - 1]
    try:
        read, where = _block(lines, start.line, start.column) if first in "|>" else \
            _flow(lines, start.line, start.column, len(value), pairs)
    except (_Unknown, IndexError):
        return None
    same = read.startswith(value) if first not in "|>'\"" else read.rstrip("\n") == value.rstrip("\n")
    return (read, where) if same else None


def character_position(lines: list[str], start: Position, value: str, offset: int) -> Position | None:
    """Where the character at ``offset`` of the string ``value``, a scalar written from ``start``,
    is in the source ``lines`` (the position just after its last character for ``offset ==
    len(value)``); None when the source cannot be read back into ``value``."""
    if not 1 <= start.line <= len(lines) or not 1 <= start.column <= len(lines[start.line - 1]):
        return None
    first = lines[start.line - 1][start.column - 1]
    read = _read(lines, start, value, pairs=False)
    if read is None and first == '"' and any(c > "\uffff" for c in value):
        read = _read(lines, start, value, pairs=True)
    if read is None or not read[1] or offset > len(value):
        return None
    where = read[1]
    if offset < len(where):
        return where[offset]
    last = where[-1]
    return Position(last.line, last.column + 1)
