"""Legend glyphs: each entry drawn as what its layer looks like, as matplotlib's legend does.

A Vega legend draws one symbol per entry, and one symbol is one shape: a dashed line with circle
markers would show as a dot (its dash drawn on the dot's outline). So the legend gets a custom SVG
path per entry, in Vega's unit square (x and y from -1 to 1, scaled to ``sqrt(symbolSize) / 2``
pixels): a horizontal stroke with the layer's dash cut into the geometry (a dash on the whole path
would also cut the marker's outline), and the layer's marker, at its size in the chart, in the
middle. Area-like marks are a filled bar across the glyph. The marker paths repeat Vega's own
symbol shapes (vega-scenegraph ``symbols.js``), so the legend's marker is the chart's.

Vega sizes the legend's symbol column from ``symbolSize`` and ``symbolStrokeWidth`` only when both
are plain numbers (``ceil(sqrt(size) + strokeWidth)``); a per-entry width expression leaves it at
the label font size, and the glyphs run into their labels. So a legend has one stroke width, and
an entry drawn thinner is drawn ``filled``: its stroke as thin rectangles (Vega's butt caps), its
marker at its full size. Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from ..spec.model import Layer

__all__ = ["GLYPH_PX", "Glyph", "glyph_of", "glyph_path", "marker_path"]

#: px: width of a glyph (matplotlib's handle length, 2 em at 10-11 px)
GLYPH_PX = 24
_HALF = GLYPH_PX / 2
_MAX_MARKER_PX = 14  # a big marker would cover the stroke it sits on
_SQRT3_2 = math.sqrt(3) / 2
_TAN30 = 0.5773502691896257  # Vega's ``tan30``

GlyphKind = Literal["line", "marker", "bar"]


@dataclass(frozen=True)
class Glyph:
    """What one legend entry draws: a ``line`` (with an optional marker), a lone ``marker``, a ``bar``."""

    kind: GlyphKind
    marker: str | None = None
    marker_size: float = 36.0  # px², as the chart's ``point_size``
    dash: tuple[float, ...] | None = None
    stroke_width: float = 2.0


def _n(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _poly(points: list[tuple[float, float]], clockwise: bool = False) -> str:
    """A closed polygon; ``clockwise`` (on screen, y down) turns it so: in one filled path
    overlapping parts of opposite turn would cancel (SVG's nonzero rule) and leave a hole."""
    area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1]))
    if clockwise and area < 0:
        points = points[::-1]
    head, *rest = points
    return f"M{_n(head[0])},{_n(head[1])}" + "".join(f"L{_n(x)},{_n(y)}" for x, y in rest) + "Z"


def marker_path(shape: str, r: float, clockwise: bool = False) -> str:
    """Vega's symbol ``shape`` of half-width ``r`` (``sqrt(size) / 2``) as path data; ``clockwise``:
    every closed shape turning clockwise on screen (the circle's arcs always do)."""
    h = _SQRT3_2 * r
    if shape == "circle":
        return f"M{_n(r)},0A{_n(r)},{_n(r)},0,1,1,{_n(-r)},0A{_n(r)},{_n(r)},0,1,1,{_n(r)},0Z"
    if shape == "stroke":
        return f"M{_n(-r)},0L{_n(r)},0"
    if shape == "cross":
        c = r / 2.5
        return _poly([(-r, -c), (-r, c), (-c, c), (-c, r), (c, r), (c, c), (r, c), (r, -c), (c, -c), (c, -r),
                      (-c, -r), (-c, -c)], clockwise)
    if shape == "arrow":
        a, b, c = r / 7, r / 2.5, r / 8
        return _poly([(-a, r), (a, r), (a, -c), (b, -c), (0, -r), (-b, -c), (-a, -c)], clockwise)
    shift = h - r * _TAN30  # triangle and wedge sit on their centroid
    polygons: dict[str, list[tuple[float, float]]] = {
        "square": [(-r, -r), (r, -r), (r, r), (-r, r)],
        "diamond": [(-r, 0), (0, -r), (r, 0), (0, r)],
        "triangle-up": [(0, -h), (-r, h), (r, h)],
        "triangle-down": [(0, h), (-r, -h), (r, -h)],
        "triangle-right": [(h, 0), (-h, -r), (-h, r)],
        "triangle-left": [(-h, 0), (h, -r), (h, r)],
        "triangle": [(0, -h - shift), (-r, h - shift), (r, h - shift)],
        "wedge": [(0, -h - shift), (-r / 4, h - shift), (r / 4, h - shift)],
    }
    return _poly(polygons[shape], clockwise)


def _segment(x0: float, x1: float, half: float | None) -> str:
    """A horizontal piece from ``x0`` to ``x1``: a line, or with ``half`` (half its width) a
    clockwise rectangle, the area a butt-capped stroke of that width covers."""
    if half is None:
        return f"M{_n(x0)},0L{_n(x1)},0"
    return f"M{_n(x0)},{_n(-half)}L{_n(x1)},{_n(-half)}L{_n(x1)},{_n(half)}L{_n(x0)},{_n(half)}Z"


def _dashed_stroke(dash: tuple[float, ...] | None, half: float | None = None) -> str:
    """A horizontal stroke across the glyph, cut into the dash pattern (pixels -> unit square)."""
    unit = 1 / _HALF
    pattern = [max(0.0, d) for d in (dash or ())]
    if len(pattern) % 2:  # SVG repeats an odd pattern twice
        pattern *= 2
    if not pattern or sum(pattern[1::2]) == 0 or sum(pattern[0::2]) == 0:
        return _segment(-1, 1, half)
    parts, x, i = [], -1.0, 0
    while x < 1 - 1e-6:  # (sums of float lengths stop just short of the end)
        end = min(x + pattern[i % len(pattern)] * unit, 1.0)
        if i % 2 == 0 and end - x > 1e-6:
            parts.append(_segment(x, end, half))
        x, i = end, i + 1
    return "".join(parts)


def glyph_path(glyph: Glyph, *, filled: bool = False) -> str:
    """The custom symbol path of one legend entry, for a legend ``symbolSize`` of ``GLYPH_PX²``.

    ``filled``: for a legend drawing this entry with no stroke, its stroke width made geometry."""
    if glyph.kind == "bar":
        return "M-1,-0.4L1,-0.4L1,0.4L-1,0.4Z"
    half = glyph.stroke_width / 2 / _HALF if filled else None
    marker = ""
    if glyph.marker:
        half_px = min(math.sqrt(glyph.marker_size), _MAX_MARKER_PX) / 2
        r = half_px / _HALF
        if glyph.marker == "stroke":
            marker = _segment(-r, r, half)
        elif glyph.kind == "line" and not filled:  # the stroke drawn round it adds its half width
            marker = marker_path(glyph.marker, max(1.0, half_px - glyph.stroke_width / 2) / _HALF)
        else:
            marker = marker_path(glyph.marker, r, clockwise=filled)
    if glyph.kind == "marker":
        return marker or marker_path("circle", 3 / _HALF)
    return _dashed_stroke(glyph.dash, half) + marker


_GLYPH_KIND: dict[str, GlyphKind] = {"line": "line", "rule": "line", "tick": "line", "point": "marker",
                                     "text": "marker", "area": "bar", "bar": "bar", "rect": "bar", "errorband": "bar"}


def glyph_of(layer: Layer) -> Glyph:
    """The legend glyph of a layer: its stroke with dash and marker, its marker, or a bar."""
    kind = _GLYPH_KIND[layer.mark]
    if kind == "marker":
        shape = layer.point or "circle"
        # a lone marker is filled; only the 'stroke' shape, which has no area, is drawn by its outline
        return Glyph("marker", shape, layer.point_size, None, layer.stroke_width if shape == "stroke" else 0)
    if kind == "line":
        marker = layer.point if layer.mark == "line" else None
        return Glyph("line", marker, layer.point_size, layer.stroke_dash, layer.stroke_width)
    return Glyph("bar", stroke_width=0)
