"""Annotations compiled to Vega-Lite layers drawn at data coordinates.

Each annotation compiles to a Vega-Lite layer with its own one-row data and ``datum`` encodings,
placed inside its axis' layer group so it shares the axis' y scale even when the chart's y scales
are independent. Annotations encode no ``__series`` field, so they never appear in the legend.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from ..data.sources import written_date
from ..data.values import num, svg_dash
from ..spec.annotations import _HEAD_BASE, _HEAD_TIP, Annotation, Value
from ..spec.model import ChartSpec, axis_of
from .annolabels import CHAR_WIDTH, CORNERS, Corner

DEFAULT_LINE_COLOR = "#555555"
DEFAULT_RANGE_COLOR = "#999999"
DEFAULT_RANGE_OPACITY = 0.18
LABEL_SIZE = 11
GAP = 4  # px between a label and what it labels
# Vega's "triangle" symbol of size 100 reaches 5.774 px ahead of its centre and 2.887 px behind it
_HEAD_SIZE = 100
_STANDOFF = 5  # px the tip stops short of the point: a marker there stays visible


def _num(value: Value) -> Value:
    return value if isinstance(value, str) else num(value)


@dataclass(frozen=True)
class XRef:
    """What an x value needs to become a datum: the axis type and the data's date format, if any."""

    type: str
    date_format: str | None


def x_datum(value: Value, ref: XRef) -> Any:
    """A number as itself; a date text as the UTC epoch milliseconds the data stage makes of the
    data's dates (sources.written_date): Vega's ``toDate`` would read ``2024-03-01T18:00`` in the
    reader's zone. Text that is no date was refused at load (data/dates.py)."""
    if not isinstance(value, str) or ref.type != "temporal":
        return _num(value)
    try:
        return _num(written_date(value, ref.date_format))
    except ValueError:
        return {"expr": f"toDate({json.dumps(value)})"}


def x_reach(model: ChartSpec) -> list[float]:
    """The x values the annotations are drawn at, as numbers (dates as epoch ms): Vega's x domain
    joins them to the data's, so ticks the compiler lists must cover them too."""
    ref = XRef(model.x.type, dict(model.data.parse).get(model.x.field))
    found = (x_datum(v, ref) for a in model.annotations for v in a.x)
    return [float(v) for v in found if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]


def y_reach(model: ChartSpec, axis_id: str) -> list[float]:
    """The y values the annotations on axis ``axis_id`` are drawn at (hlines, y ranges, points)."""
    return [float(v) for a in model.annotations if axis_of(a, model.layers) == axis_id for v in a.y if math.isfinite(v)]


def _x(value: Value, ref: XRef) -> dict[str, Any]:
    return {"datum": x_datum(value, ref), "type": ref.type}


def _y(value: float) -> dict[str, Any]:
    return {"datum": _num(value), "type": "quantitative"}


def _label(text: str, color: str, encoding: dict[str, Any], **mark: Any) -> dict[str, Any]:
    return {"mark": {"type": "text", "color": color, "fontSize": LABEL_SIZE, **mark},
            "encoding": {**encoding, "text": {"value": text}}}


def _layers(a: Annotation, ref: XRef, width: int, corner: Corner = CORNERS[0]) -> list[dict[str, Any]]:
    """The Vega-Lite layers (without data) that draw one annotation. Lines and ranges are clipped
    to the plot (a value past a fixed domain must not draw over the axes); labels are not, so a
    label above a point at the top of the domain stays readable."""
    line_color = a.color or DEFAULT_LINE_COLOR
    stroke: dict[str, Any] = {"strokeDash": list(map(_num, svg_dash(a.dash)))} if a.dash else {}
    if a.opacity is not None and a.kind in ("hline", "vline", "point", "text", "arrow"):
        stroke["opacity"] = a.opacity
    out: list[dict[str, Any]] = []
    if a.kind == "hline":
        y = {"y": _y(a.y[0])}
        out.append({"mark": {"type": "rule", "color": line_color, "strokeWidth": _num(a.width), "clip": True, **stroke},
                    "encoding": y})
        if a.label:  # at the right end, above the line, unless the data is there (annolabels.py)
            side, level = corner
            out.append(_label(a.label, line_color, {**y, "x": {"value": width - GAP if side == "right" else GAP}},
                              align=side, baseline="bottom" if level == "above" else "top",
                              dy=-GAP if level == "above" else GAP))
    elif a.kind == "vline":
        x = {"x": _x(a.x[0], ref)}
        out.append({"mark": {"type": "rule", "color": line_color, "strokeWidth": _num(a.width), "clip": True, **stroke},
                    "encoding": x})
        if a.label:  # at the top, right of the line
            out.append(_label(a.label, line_color, {**x, "y": {"value": GAP}}, align="left", baseline="top", dx=GAP))
    elif a.kind in ("x_range", "y_range"):
        color = a.color or DEFAULT_RANGE_COLOR
        opacity = a.opacity if a.opacity is not None else DEFAULT_RANGE_OPACITY
        if a.kind == "x_range":
            span = {"x": _x(a.x[0], ref), "x2": {"datum": x_datum(a.x[1], ref)}}
            where = {"x": _x(a.x[0], ref), "y": {"value": GAP}}
            place: dict[str, Any] = {"align": "left", "baseline": "top", "dx": GAP}
        else:
            span = {"y": _y(a.y[0]), "y2": {"datum": _num(a.y[1])}}
            where = {"y": _y(a.y[1]), "x": {"value": GAP}}
            place = {"align": "left", "baseline": "top", "dy": GAP}
        out.append({"mark": {"type": "rect", "color": color, "opacity": opacity, "clip": True}, "encoding": span})
        if a.label:
            out.append(_label(a.label, DEFAULT_LINE_COLOR if a.color is None else a.color, where, **place))
    elif a.kind == "text":
        where = {"x": _x(a.x[0], ref), "y": _y(a.y[0])}
        out.append(_label(a.label or "", line_color, where, align="center", baseline="middle", **stroke))
    elif a.kind == "arrow":
        out += _arrow(a, {"x": _x(a.x[0], ref), "y": _y(a.y[0])}, line_color, stroke)
    else:  # point: a marker, its label just above
        where = {"x": _x(a.x[0], ref), "y": _y(a.y[0])}
        out.append({"mark": {"type": "point", "shape": a.shape, "filled": True, "size": 80, "color": line_color,
                             **stroke}, "encoding": where})
        if a.label:
            out.append(_label(a.label, line_color, where, align="center", baseline="bottom", dy=-2 * GAP,
                              fontWeight="bold"))
    return [_within(layer, width) for layer in out]


def _within(layer: dict[str, Any], width: int) -> dict[str, Any]:
    """A label that may be wider than the plot drawn at most that wide, ending in an ellipsis (a
    500-character hline label made a 2,400 px chart); any other layer, or a label that fits, as it is."""
    text = layer.get("encoding", {}).get("text", {}).get("value")
    if layer["mark"]["type"] != "text" or not isinstance(text, str) or len(text) * LABEL_SIZE * CHAR_WIDTH <= width:
        return layer
    return {**layer, "mark": {**layer["mark"], "limit": width}}


def _arrow(a: Annotation, where: dict[str, Any], color: str, stroke: dict[str, Any]) -> list[dict[str, Any]]:
    """A shaft from the tail to the back of a triangular head whose tip is at the data point.

    The tail is ``offset`` pixels from the head, so the arrow keeps its length and angle whatever
    the scales; the head is Vega's triangle symbol turned to point along the shaft."""
    dx, dy = a.offset
    length = math.hypot(dx, dy)
    ux, uy = dx / length, dy / length  # from the head towards the tail
    angle = math.degrees(math.atan2(-ux, uy))  # turns the upward triangle to point from tail to head
    tip = _STANDOFF + _HEAD_TIP  # the head's centre, from the point
    back = tip + _HEAD_BASE - 1  # the shaft starts just inside the head's base: no gap
    out = [
        {"mark": {"type": "rule", "color": color, "strokeWidth": _num(a.width), "xOffset": _r(ux * back),
                  "yOffset": _r(uy * back), "x2Offset": _r(dx), "y2Offset": _r(dy), **stroke},
         "encoding": {**where, "x2": {"datum": where["x"]["datum"]}, "y2": {"datum": where["y"]["datum"]}}},
        {"mark": {"type": "point", "shape": "triangle", "filled": True, "size": _HEAD_SIZE, "angle": _r(angle % 360),
                  "xOffset": _r(ux * tip), "yOffset": _r(uy * tip), "color": color,
                  "opacity": stroke.get("opacity", 1)}, "encoding": where},  # Vega-Lite's points default to 0.7
    ]
    if a.label:  # beside the tail, on the side away from the head
        align = "left" if dx > 0 else "right" if dx < 0 else "center"
        baseline = "middle" if dx != 0 else ("bottom" if dy < 0 else "top")
        nudge_x = math.copysign(GAP, dx) if dx else 0
        nudge_y = 0 if dx else math.copysign(GAP, dy)
        out.append(_label(a.label, color, where, align=align, baseline=baseline, dx=_r(dx + nudge_x),
                          dy=_r(dy + nudge_y), fontWeight="bold"))
    return out


def _r(value: float) -> float | int:
    """Pixels rounded to 1/1000: the compiled spec stays short and identical across platforms."""
    return _num(round(value, 3))


def annotation_layers(model: ChartSpec, axis_id: str, corners: dict[int, Corner] | None = None
                      ) -> list[dict[str, Any]]:
    """The layers of every annotation drawn on axis ``axis_id``, each on a one-row dataset so it is
    drawn once (not once per row of the chart's data), unclipped labels, no legend. ``corners``:
    per annotation index, where an hline's label goes when not at its first place (annolabels.py)."""
    ref = XRef(model.x.type, dict(model.data.parse).get(model.x.field))
    corners = corners or {}
    found = [layer for i, a in enumerate(model.annotations) if axis_of(a, model.layers) == axis_id
             for layer in _layers(a, ref, model.width, corners.get(i, CORNERS[0]))]
    return [{"data": {"values": [{}]}, **layer} for layer in found]
