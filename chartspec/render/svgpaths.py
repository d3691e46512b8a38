"""Long line paths written compactly: the same vertices in fewer bytes.

Vega writes every vertex of a line absolute, with up to three decimals (``L0.11,119.098``). A
reduced large chart (data/reduce.py) still draws ~14,000 vertices per series, so its path data
is most of the SVG. :func:`compact_paths` rewrites the ``d`` of long polylines to relative
coordinates (``l.11 46.615``): differences are computed in whole thousandths, so every vertex
lands exactly where Vega put it (no rounding drift), and numbers lose their leading zeros and
most separators. Measured on the 1,000,000-row benchmark chart: 454 KB -> 318 KB (270 KB with 5
M4 columns per pixel instead of 6), and the PNG rendered from the rewritten SVG is byte-identical
to the one from Vega's at scale 1 and 2 (tests/render/test_svgpaths.py).

Only paths of ``M``/``L``/``Z`` commands with plain numbers and at least :data:`MIN_VERTICES`
vertices are rewritten; every other path is left byte for byte as Vega wrote it, so small charts
do not change at all. An absolute vertex is written every :data:`RESYNC` vertices: a viewer that
adds relative steps in 32-bit floats (browsers do) then never drifts by more than a few
millionths of a pixel.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["MIN_VERTICES", "RESYNC", "compact_paths", "compact_path_data"]

#: paths with fewer vertices stay as Vega wrote them
MIN_VERTICES = 500
#: an absolute vertex every this many, bounding the error of viewers that add in 32-bit floats
RESYNC = 256

_D = re.compile(r'(<path\b[^>]*?\sd=")([^"]{4000,})(")')  # ~500 vertices write at least 4,000 bytes
# Vega's polylines: absolute moveto / lineto pairs of plain decimals with at most three decimals
_PLAIN = re.compile(r"(?:[ML]-?\d+(?:\.\d{1,3})?,-?\d+(?:\.\d{1,3})?|Z)+")
_OPS = re.compile(r"[MLZ]")
_SEPARATORS = str.maketrans("MLZ,", "    ")


@lru_cache(maxsize=8192)
def _number(v: int) -> str:
    """Whole thousandths as the shortest decimal: 110 -> ``.11``, -500 -> ``-.5``, 12000 -> ``12``."""
    whole, frac = divmod(abs(v), 1000)
    text = (str(whole) if whole else "") + (f".{frac:03d}".rstrip("0") if frac else "")
    return ("-" if v < 0 else "") + (text or "0")


def _tokens(d: str) -> list[str] | None:
    """Commands and numbers of ``d`` rewritten; None when a ``Z`` is followed by a lineto
    (relative to the subpath's start: not worth the bookkeeping, Vega does not write it)."""
    ops = _OPS.findall(d)
    if "Z" in ops and any(op == "Z" and nxt != "M" for op, nxt in zip(ops, ops[1:])):
        return None
    # whole thousandths: exact for three decimals, far beyond any pixel coordinate (plain Python:
    # importing numpy would cost more than it saves here)
    values = [round(float(text) * 1000) for text in d.translate(_SEPARATORS).split()]
    out: list[str] = []
    number, previous, k, x, y = _number, "", 0, 0, 0
    for op in ops:
        if op == "Z":
            out.append("Z")
            previous = "Z"
            continue
        nx, ny = values[k], values[k + 1]
        if op == "M" or k % (2 * RESYNC) == 0:
            out += (op, number(nx), number(ny))
            previous = op
        else:
            if previous != "l":
                out.append("l")
                previous = "l"
            out += (number(nx - x), number(ny - y))
        x, y, k = nx, ny, k + 2
    return out


def _joined(tokens: list[str]) -> str:
    """Tokens as SVG path data separates them: a space only between two numbers where the
    second could be read as part of the first (a sign or a second dot starts a new number)."""
    out = []
    prev = "M"
    for text in tokens:
        if not (prev.isalpha() or text.isalpha() or text[0] == "-" or (text[0] == "." and "." in prev)):
            out.append(" ")
        out.append(text)
        prev = text
    return "".join(out)


def compact_path_data(d: str) -> str | None:
    """``d`` with its linetos relative, or None when it is not a long plain polyline."""
    if d.count("L") < MIN_VERTICES or _PLAIN.fullmatch(d) is None:
        return None
    tokens = _tokens(d)
    return None if tokens is None else _joined(tokens)


def compact_paths(svg: str) -> str:
    """``svg`` with the path data of its long polylines written compactly (see the module)."""
    if len(svg) < 4000:
        return svg

    def one(match: re.Match[str]) -> str:
        compact = compact_path_data(match.group(2))
        return match.group(0) if compact is None else match.group(1) + compact + match.group(3)

    return _D.sub(one, svg)
