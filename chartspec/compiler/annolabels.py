"""Where a reference line's label goes: the first end of its line the drawn data leaves free.

An ``hline``'s label sits at the right end of the line, above it, where a reader looks first. When
a drawn line or point crosses that box, the label moves to the next free place of: right below,
left above, left below; when none is free, to the one crossing the fewest series (ties keep the
earlier). Boxes and data are compared in pixels, on the domains Vega will draw
(:mod:`chartspec.compiler.nicedomain`), as direct labels are placed (directlabels.py). Lines are
tested segment by segment, so a line passing between two of its points still counts. Filled
marks (areas, bands, bars) do not: a label over a translucent fill stays readable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, Literal

from ..data.layerdata import LayerData
from ..data.smoothing import smooth_column
from ..data.values import extent
from ..spec.model import ChartSpec, Layer, YAxis, axis_of
from .nicedomain import NICE_SCALES, nice_domain, to_pixel

__all__ = ["CHAR_WIDTH", "CORNERS", "Corner", "hline_corners", "label_box"]

Corner = tuple[Literal["right", "left"], Literal["above", "below"]]
#: the places tried, in order; the first is where a label goes when the data allows
CORNERS: tuple[Corner, ...] = (("right", "above"), ("right", "below"), ("left", "above"), ("left", "below"))
CHAR_WIDTH = 0.62  # of the font size: an average character, with a margin
_POINT_RADIUS = 4.0  # px around a point mark's centre
_STROKED = ("line", "point", "tick", "rule")
Box = tuple[float, float, float, float]  # left, top, right, bottom in px from the plot's top left


def label_box(text: str, corner: Corner, line_y: float, width: float, gap: float, size: float) -> Box:
    """The pixel box of ``text`` placed at ``corner`` of an hline drawn ``line_y`` px from the top."""
    text_width = len(text) * size * CHAR_WIDTH
    left = width - gap - text_width if corner[0] == "right" else gap
    top = line_y - gap - size if corner[1] == "above" else line_y + gap
    return left, top, left + text_width, top + size


def hline_corners(model: ChartSpec, data: LayerData, groups: dict[str, list[Layer]], owners: dict[str, YAxis],
                  domain_of: Callable[[str], tuple[float, float] | None], x_scale: dict[str, Any], *,
                  gap: float, size: float) -> dict[int, Corner]:
    """Per annotation index, the corner of each labelled ``hline`` (absent: the first of CORNERS).

    ``domain_of(axis_id)``: the y domain Vega draws for that axis, None when it cannot be known
    ahead of Vega (then its lines are not considered, and its labels stay where they are);
    ``x_scale``: the compiled x encoding's Vega-Lite scale."""
    labelled = [(i, a) for i, a in enumerate(model.annotations) if a.kind == "hline" and a.label and a.y]
    if not labelled:
        return {}
    to_x = _x_pixels(model, data, x_scale)
    if to_x is None:  # dates as text, bands: where a row lands is Vega's to say
        return {}
    domains = {axis_id: domain_of(axis_id) for axis_id in groups}
    paths = [path for axis_id, members in groups.items() if domains[axis_id] is not None
             for layer in members if layer.mark in _STROKED
             for path in _paths(layer, data, model.x.field, to_x,
                                lambda v, a=axis_id: to_pixel(v, domains[a], owners[a], model.height))]
    out: dict[int, Corner] = {}
    for index, a in labelled:
        axis_id = axis_of(a, model.layers)
        domain = domains.get(axis_id)
        if domain is None:
            continue
        line_y = to_pixel(a.y[0], domain, owners[axis_id], model.height)
        crossings = [sum(_crosses(path, label_box(a.label, c, line_y, model.width, gap, size)) for path in paths)
                     for c in CORNERS]
        best = min(range(len(CORNERS)), key=lambda k: (crossings[k], k))
        if best:
            out[index] = CORNERS[best]
    return out


Path = tuple[bool, list[tuple[float, float]]]  # (drawn as points, the series' pixels in x order)


def _paths(layer: Layer, data: LayerData, x_field: str, to_x: Callable[[float], float],
           to_y: Callable[[float], float]) -> Iterator[Path]:
    table = data.of(layer)
    fields = [smooth_column(layer.index)] if layer.smooth is not None else [layer.y.field]
    if layer.smooth is not None and layer.smooth.show_raw:
        fields.append(layer.y.field)
    series = layer.series.field if layer.series is not None else None
    dots = layer.mark != "line" or layer.point is not None
    for y_field in fields:
        runs: dict[Any, list[tuple[float, float]]] = {}
        for row in table.rows:
            x, y = row.get(x_field), row.get(y_field)
            if _number(x) and _number(y):
                runs.setdefault(row.get(series) if series else None, []).append((to_x(x), to_y(y)))
        for points in runs.values():
            points.sort(key=lambda p: p[0])
            if layer.mark == "line":
                yield False, points
            if dots:
                yield True, points


def _crosses(path: Path, box: Box) -> bool:
    dots, points = path
    left, top, right, bottom = box
    if dots:
        r = _POINT_RADIUS
        return any(left - r <= x <= right + r and top - r <= y <= bottom + r for x, y in points)
    for (x0, y0), (x1, y1) in zip(points, points[1:]):
        if x1 < left or x0 > right:
            continue
        # the segment's part inside [left, right]: its y span there
        lo_x, hi_x = max(x0, left), min(x1, right)
        ya, yb = (_at(x0, y0, x1, y1, lo_x), _at(x0, y0, x1, y1, hi_x)) if x1 > x0 else (y0, y1)
        if min(ya, yb) <= bottom and max(ya, yb) >= top:
            return True
    return len(points) == 1 and left <= points[0][0] <= right and top <= points[0][1] <= bottom


def _at(x0: float, y0: float, x1: float, y1: float, x: float) -> float:
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _x_pixels(model: ChartSpec, data: LayerData, scale: dict[str, Any]) -> Callable[[float], float] | None:
    """Pixels from the plot's left edge of an x value, on the domain Vega gives a quantitative x
    (the compiled scale's own domain, else the data's extent, with zero and nice as it says)."""
    x = model.x
    if x.type != "quantitative" or x.scale not in NICE_SCALES or x.time_unit is not None:
        return None
    if isinstance(scale.get("domain"), list) and all(_number(v) for v in scale["domain"]):
        lo, hi = (float(v) for v in scale["domain"])
    else:
        span = extent(x, [data.of(layer) for layer in model.layers])
        if span is None:
            return None
        lo, hi = span
        if scale.get("zero"):
            lo, hi = min(lo, 0.0), max(hi, 0.0)
        if scale.get("nice", True) is not False:
            lo, hi = nice_domain(lo, hi, x.scale)
    width = float(model.width)
    return lambda v: width - to_pixel(v, (lo, hi), x, width)  # to_pixel measures from the top (y)
