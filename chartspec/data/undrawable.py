"""Characters the renderer cannot draw, written directly or as JavaScript escapes in an expression.

vl-convert 1.9 aborts the whole process (no exception, exit 134) when a chart draws a character
XML cannot hold (https://github.com/vega/vl-convert/issues/220). The render stage refuses such
characters in the final Vega-Lite and its rows (render/export.py); but an expression can build
one at render time from an escape (``'A\\u0001B'``), which only a look at the escapes can see
(compiler/safety.py). Shared here because the compiler may not import the render stage.
"""

from __future__ import annotations

import re

__all__ = ["UNDRAWABLE", "undrawable_escape"]

#: C0 controls but tab, newline and carriage return; lone surrogates; the non-characters U+FFFE/U+FFFF
UNDRAWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# One escape of a JavaScript string, left to right, so an escaped backslash (``\\u0001``) is consumed
# as one and never read as the start of another: \u{...}, \uXXXX, \xHH, legacy octal, or any other.
_ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]+)\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([0-3][0-7]{0,2}|[4-7][0-7]?)|.)",
                     re.DOTALL)


def _decoded(match: re.Match[str]) -> int | None:
    braced, four, two, octal = match.groups()
    digits, base = (braced, 16) if braced else (four, 16) if four else (two, 16) if two else (octal, 8)
    if digits is None:
        return None
    code = int(digits, base)
    return code if code <= 0x10FFFF else None


def undrawable_escape(text: str) -> str | None:
    """The first escape in ``text`` that decodes to an undrawable character (``\\u0001 (U+0001)``), or None.

    A surrogate escape is fine when it is half of a pair written as two adjacent escapes."""
    escapes = [(m, code) for m in _ESCAPE.finditer(text) if (code := _decoded(m)) is not None]
    for index, (match, code) in enumerate(escapes):
        if 0xD800 <= code <= 0xDBFF and index + 1 < len(escapes):
            after, low = escapes[index + 1]
            if after.start() == match.end() and 0xDC00 <= low <= 0xDFFF:
                continue
        if 0xDC00 <= code <= 0xDFFF and index > 0:
            before, high = escapes[index - 1]
            if before.end() == match.start() and 0xD800 <= high <= 0xDBFF:
                continue
        if code <= 0xFFFF and UNDRAWABLE.match(chr(code)):
            return f"{match.group()} (U+{code:04X})"
    return None
