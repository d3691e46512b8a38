"""Lines thinner than a device pixel, rasterised as the SVG shows them: one stroke, not hairlines.

The PNG rasteriser (resvg's tiny-skia) draws a stroke narrower than one device pixel as a
hairline, one segment at a time, each at the stroke's coverage: where a long line folds back on
itself (noisy training data, many rows a pixel) the segments' coverages add up and the line
darkens with its number of rows, which a browser drawing the same SVG does not do (it strokes a
path once). A reduced chart (data/reduce.py) then differed from the full one in 6 % of PNG pixels
(a 1 px line at ``--scale 0.5``) and 23 % (1.5 px). The compiler widens strokes of exactly one
device pixel (compiler/marks.without_hairlines); thinner ones change their look if widened in
the SVG, which does not depend on the scale. So only the PNG's copy of the SVG is changed: a long
line mark path whose stroke is under one device pixel at the PNG's scale is stroked 1.001 device
pixels wide with its opacity multiplied by its width in device pixels, the ink a hairline of that
width lays on a pixel it crosses once. Short paths (small charts) stay as Vega wrote them.
"""

from __future__ import annotations

import re

__all__ = ["SOLID_PX", "solid_thin_strokes"]

#: the width (device pixels) a thin stroke is drawn at: just over the rasteriser's hairline limit
SOLID_PX = 1.001
_LINE = 'aria-roledescription="line mark"'
#: a path this long has ~500 vertices (svgpaths.MIN_VERTICES write 4,000 bytes or more)
_LONG = 4000
_WIDTH = re.compile(r'\sstroke-width="([0-9.eE+-]+)"')
_OPACITY = re.compile(r'\sopacity="([0-9.eE+-]+)"')


def _solid(tag: str, scale: float) -> str:
    width = _WIDTH.search(tag)
    if width is None:
        return tag
    try:
        device = float(width.group(1)) * scale
    except ValueError:
        return tag
    if not 0 < device < 1 or abs(device - 1) < 1e-9:
        return tag
    tag = tag[: width.start()] + f' stroke-width="{round(SOLID_PX / scale, 6)}"' + tag[width.end():]
    opacity = _OPACITY.search(tag)
    if opacity is None:
        end = -2 if tag.endswith("/>") else -1
        return tag[:end] + f' opacity="{round(device, 6)}"' + tag[end:]
    return tag[: opacity.start()] + f' opacity="{round(float(opacity.group(1)) * device, 6)}"' + tag[opacity.end():]


def solid_thin_strokes(svg: str, scale: float) -> str:
    """``svg`` with its long line paths thinner than a device pixel at ``scale`` (device pixels per
    CSS pixel) stroked :data:`SOLID_PX` device pixels wide at their width's opacity (module docstring)."""
    pieces, done = [], 0
    at = svg.find(_LINE)
    while at >= 0:  # each line mark's tag (a scan for every tag cost 0.5-1.5 s on a 61 MB SVG of symbols)
        start, end = svg.rfind("<path", 0, at), svg.find(">", at)
        if start >= done and end > 0 and end - start > _LONG:
            tag = svg[start:end + 1]
            if (solid := _solid(tag, scale)) is not tag:  # copies of a large SVG only where one changes
                pieces += [svg[done:start], solid]
                done = end + 1
        at = svg.find(_LINE, max(at + 1, end))
    return "".join(pieces) + svg[done:] if pieces else svg
