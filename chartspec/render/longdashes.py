"""Dashed lines too long for the PNG rasteriser, cut into pieces that carry the dash on.

resvg's tiny-skia gives up dashing a path that would make more than about 10^6 dashes and draws
nothing of it: a dashed noisy line drawn whole (data/reduce.py draws dashed lines of up to
120,000 rows so) whose segments run 100 px up and down is millions of pixels long, and 60,000
rows with ``[2, 2]`` vanished from the PNG while a browser drew the same SVG. Only the PNG's copy
of the SVG is changed: such a path is written as several paths of at most :data:`PIECE_DASHES`
dashes each, every piece starting where the last stopped, with ``stroke-dashoffset`` set to the
length drawn before it in its subpath (SVG restarts the pattern at each ``M``), so the dashes fall
where they fell on the whole path. Paths of other commands than ``M``/``L``/``H``/``V``/``Z``
(curves) are left as they are.
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["PIECE_DASHES", "split_long_dashes"]

#: a path making more dashes than this is cut (tiny-skia drew 800,000 and dropped 1,800,000)
MAX_DASHES = 500_000
#: the dashes of one piece
PIECE_DASHES = 200_000
_DASHED = re.compile(r'<path\b[^>]*\sstroke-dasharray="([^"]+)"[^>]*>')
_D = re.compile(r'\sd="([^"]*)"')
_OFFSET = re.compile(r'\sstroke-dashoffset="([^"]*)"')
_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_SHORT = 4000  # ~500 vertices (svgpaths.py): shorter paths cannot reach MAX_DASHES in a chart


def _vertices(d: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The absolute vertices of a polyline path and the index where each subpath starts; None
    for anything but moveto/lineto/closepath."""
    points: list[tuple[float, float]] = []
    starts: list[int] = []
    x = y = x0 = y0 = 0.0
    op, args = "", []

    def flush() -> bool:
        nonlocal x, y, x0, y0
        step = {"M": 2, "m": 2, "L": 2, "l": 2, "H": 1, "h": 1, "V": 1, "v": 1}.get(op)
        if step is None or len(args) % step:
            return False
        for i in range(0, len(args), step):
            a = args[i:i + step]
            first = i == 0 and op in "Mm"
            if op in "Mm" and first:
                x, y = (a[0], a[1]) if op == "M" else (x + a[0], y + a[1])
                x0, y0 = x, y
                starts.append(len(points))
            elif op in "ML":
                x, y = a[0], a[1]
            elif op in "ml":
                x, y = x + a[0], y + a[1]
            elif op == "H":
                x = a[0]
            elif op == "h":
                x += a[0]
            elif op == "V":
                y = a[0]
            else:
                y += a[0]
            points.append((x, y))
        return True

    for token in _TOKEN.findall(d):
        if token.isalpha():
            if op and not flush():
                return None
            if token in "Zz":
                points.append((x0, y0))
                x, y, op, args = x0, y0, "", []
                continue
            op, args = token, []
        else:
            args.append(float(token))
    if op and not flush():
        return None
    if not points or not starts or starts[0] != 0:
        return None
    return np.asarray(points, dtype=float), np.asarray(starts, dtype=int)


def _pieces(tag: str, d: str, period: float, offset: float) -> list[str] | None:
    found = _vertices(d)
    if found is None:
        return None
    xy, starts = found
    step = np.hypot(*np.diff(xy, axis=0).T)
    new_subpath = np.zeros(len(xy), dtype=bool)
    new_subpath[starts] = True
    step[new_subpath[1:]] = 0.0  # a moveto draws nothing
    along = np.concatenate([[0.0], np.cumsum(step)])
    if along[-1] / period <= MAX_DASHES:
        return None
    spans = []  # (first vertex, last vertex, length before it in its subpath): pieces sharing their ends
    for k, first in enumerate(starts):
        last = starts[k + 1] - 1 if k + 1 < len(starts) else len(xy) - 1
        a = first
        while a < last:
            b = int(np.searchsorted(along, along[a] + PIECE_DASHES * period, side="right")) - 1
            b = min(max(b, a + 1), last)
            spans.append((a, b, along[a] - along[first]))
            a = b
    head, tail = tag[: tag.index(' d="')], tag[tag.index('"', tag.index(' d="') + 4) + 1:]
    pieces = []
    for a, b, before in spans:
        run = xy[a:b + 1]
        path = "M" + "L".join(f"{px:.3f},{py:.3f}" for px, py in run)
        shift = (offset + before) % period
        pieces.append(f'{head} d="{path}" stroke-dashoffset="{shift:.3f}"{tail}')
    return pieces


def split_long_dashes(svg: str) -> str:
    """``svg`` with every dashed path longer than :data:`MAX_DASHES` dashes cut into pieces of
    :data:`PIECE_DASHES` that draw the same dashes (module docstring)."""
    out, done = [], 0
    for match in _DASHED.finditer(svg):
        tag = match.group(0)
        if len(tag) < _SHORT or not tag.endswith("/>") or _D.search(tag) is None:
            continue
        try:
            dashes = [float(v) for v in re.split(r"[\s,]+", match.group(1).strip())]
            offset = float(m.group(1)) if (m := _OFFSET.search(tag)) else 0.0
        except ValueError:
            continue
        period = sum(dashes) * (2 if len(dashes) % 2 else 1)
        if period <= 0 or min(dashes) < 0:
            continue
        plain = _OFFSET.sub("", tag)
        pieces = _pieces(plain, _D.search(plain).group(1), period, offset)  # type: ignore[union-attr]
        if pieces:
            out += [svg[done:match.start()], "".join(pieces)]
            done = match.end()
    return "".join(out) + svg[done:] if out else svg
