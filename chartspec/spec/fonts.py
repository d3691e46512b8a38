"""Font properties the renderer cannot measure text with.

vl-convert (1.9) measures text through an SVG document it writes the font into unescaped, and
aborts the whole process on a ``<`` or ``&`` in ``font``, ``labelFont``, ``fontStyle``,
``titleFontWeight`` and their kin. Theme files (themes.py) and the compiled Vega-Lite
(compiler/safety.py) are checked with this one rule, each at its own positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import JsonPath

__all__ = ["FONT_HINT", "font_problems", "strings_of"]

#: font, labelFont, fontStyle, titleFontWeight, ...: what the renderer builds a CSS font from
_FONT_KEY = re.compile(r"(?:^font|Font)(?:Style|Weight)?$")
FONT_HINT = 'name a font family ("Helvetica Neue", "sans-serif"), a style or a weight without < or &'


def font_problems(strings: Iterator[tuple[JsonPath, str]]) -> Iterator[tuple[JsonPath, str]]:
    """(path, message) of each font property among ``strings`` (path, value) the renderer would abort on."""
    for path, text in strings:
        key = path[-1] if path else None
        if isinstance(key, str) and _FONT_KEY.search(key) and (bad := next((c for c in text if c in "<&"), None)):
            yield path, f"{key} {text!r} holds {bad!r}, which the renderer cannot measure text with"


def strings_of(node: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every string in a parsed config, with its path."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings_of(value, path + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from strings_of(item, path + (index,))
