"""Annotations at data coordinates: reference lines, shaded ranges, text and labelled points.

The top-level ``annotations:`` list; each item is one of::

    {hline: 30, axis: reproduced_rate, label: target, dash: [4, 2]}   # horizontal line at y = 30
    {vline: 400, label: warm-up ends}                                 # vertical line at x = 400
    {x_range: [380, 420], label: peak window, color: orange}          # shaded x range, full height
    {y_range: [30, 35], axis: reproduced_rate}                        # shaded y range, full width
    {text: "plateau", at: [250, 4800]}                                # text at a data point
    {point: [400, 35], label: "peak 35% at step 400", axis: reproduced_rate}
    {arrow: [400, 35], label: "peak 35%", offset: [50, -30]}            # arrow to a point, label at its tail

Anything with a y value is drawn on one y axis: ``axis`` names it (an axis id, a layer's y field
or its name; default the first axis). Each annotation compiles to a Vega-Lite layer with its own
one-row data and ``datum`` encodings, placed inside that axis' layer group so it shares the axis'
y scale even when the chart's y scales are independent. Annotations encode no ``__series`` field,
so they never appear in the legend.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .errors import JsonPath

if TYPE_CHECKING:
    from .errors import Diagnostic
    from .model import ChartSpec, Layer
    from .source import SourceMap

__all__ = ["Annotation", "annotation_diagnostics", "annotation_layers", "parse_annotations"]

Kind = Literal["hline", "vline", "x_range", "y_range", "text", "point", "arrow"]
Value = float | str  # a number, or a date/time text on a temporal x axis

DEFAULT_LINE_COLOR = "#555555"
DEFAULT_RANGE_COLOR = "#999999"
DEFAULT_RANGE_OPACITY = 0.18
DEFAULT_POINT_SHAPE = "circle"
#: the styling keys each kind of annotation uses; any other is reported, not silently ignored
_STYLE_KEYS = {"axis", "label", "color", "opacity", "dash", "shape", "at", "offset"}
_APPLIES: dict[str, set[str]] = {
    "hline": {"axis", "label", "color", "opacity", "dash"}, "vline": {"label", "color", "opacity", "dash"},
    "x_range": {"label", "color", "opacity"}, "y_range": {"axis", "label", "color", "opacity"},
    "text": {"at", "axis", "color", "opacity"}, "point": {"axis", "label", "color", "opacity", "shape"},
    "arrow": {"axis", "label", "color", "opacity", "dash", "offset"}}
_LABEL_SIZE = 11
_GAP = 4  # px between a label and what it labels
DEFAULT_ARROW_OFFSET = (40.0, -30.0)  # px from the arrow's head to its tail: up and to the right
# Vega's "triangle" symbol of size 100 reaches 5.774 px ahead of its centre and 2.887 px behind it
_HEAD_SIZE = 100
_HEAD_TIP, _HEAD_BASE = 5.774, 2.887
_STANDOFF = 5  # px the tip stops short of the point: a marker there stays visible


@dataclass(frozen=True)
class Annotation:
    kind: Kind
    #: x values: one (vline, text, point) or two (x_range); y likewise (hline, text, point / y_range)
    x: tuple[Value, ...]
    y: tuple[float, ...]
    label: str | None
    axis: str | None
    color: str | None
    opacity: float | None
    dash: tuple[float, ...] | None
    shape: str
    json_path: JsonPath
    #: arrow: pixels from the head (the data point) to the tail, where the label is written
    offset: tuple[float, float] = DEFAULT_ARROW_OFFSET


def _one(raw: dict[str, Any], index: int) -> Annotation:
    path: JsonPath = ("annotations", index)
    x: tuple[Value, ...] = ()
    y: tuple[float, ...] = ()
    kind: Kind
    label = raw.get("label")
    if "hline" in raw:
        kind, y = "hline", (float(raw["hline"]),)
    elif "vline" in raw:
        kind, x = "vline", (raw["vline"],)
    elif "x_range" in raw:
        kind, x = "x_range", tuple(raw["x_range"])
    elif "y_range" in raw:
        kind, y = "y_range", tuple(float(v) for v in raw["y_range"])
    elif "text" in raw:
        kind, x, y, label = "text", (raw["at"][0],), (float(raw["at"][1]),), raw["text"]
    elif "arrow" in raw:
        kind, x, y = "arrow", (raw["arrow"][0],), (float(raw["arrow"][1]),)
    else:
        kind, x, y = "point", (raw["point"][0],), (float(raw["point"][1]),)
    dash = raw.get("dash")
    offset = raw.get("offset", DEFAULT_ARROW_OFFSET)
    return Annotation(kind=kind, x=x, y=y, label=label, axis=raw.get("axis"), color=raw.get("color"),
                      opacity=raw.get("opacity"), dash=tuple(float(d) for d in dash) if dash else None,
                      shape=raw.get("shape", DEFAULT_POINT_SHAPE), json_path=path,
                      offset=(float(offset[0]), float(offset[1])))


def parse_annotations(raw: list[dict[str, Any]] | None) -> tuple[Annotation, ...]:
    return tuple(_one(item, i) for i, item in enumerate(raw or ()))


# -- which axis --------------------------------------------------------------------------------------

def _axis_names(layers: Sequence[Layer]) -> dict[str, str]:
    """Every name an annotation may use for an axis (id, y field, layer name) -> the axis id."""
    names: dict[str, str] = {}
    for layer in layers:
        for name in (layer.y.axis, layer.y.field, layer.name):
            names.setdefault(name, layer.y.axis)
    return names


def axis_of(annotation: Annotation, layers: Sequence[Layer]) -> str:
    """The axis id an annotation is drawn on (x-only annotations: the first axis' group)."""
    first = layers[0].y.axis
    if annotation.axis is None:
        return first
    return _axis_names(layers).get(annotation.axis, first)


# -- compile -----------------------------------------------------------------------------------------

def _num(value: Value) -> Value:
    return int(value) if isinstance(value, float) and value.is_integer() else value


@dataclass(frozen=True)
class _XRef:
    """What an x value needs to become a datum: the axis type and the data's date format, if any."""

    type: str
    date_format: str | None


def _datum(value: Value, ref: _XRef) -> Any:
    """A number as itself; a date text parsed in Vega as the data's dates are (UTC)."""
    if not isinstance(value, str) or ref.type != "temporal":
        return _num(value)
    if ref.date_format:
        return {"expr": f"utcParse({json.dumps(value)}, {json.dumps(ref.date_format)})"}
    return {"expr": f"toDate({json.dumps(value)})"}


def _x(value: Value, ref: _XRef) -> dict[str, Any]:
    return {"datum": _datum(value, ref), "type": ref.type}


def _y(value: float) -> dict[str, Any]:
    return {"datum": _num(value), "type": "quantitative"}


def _label(text: str, color: str, encoding: dict[str, Any], **mark: Any) -> dict[str, Any]:
    return {"mark": {"type": "text", "color": color, "fontSize": _LABEL_SIZE, **mark},
            "encoding": {**encoding, "text": {"value": text}}}


def _layers(a: Annotation, ref: _XRef, width: int) -> list[dict[str, Any]]:
    """The Vega-Lite layers (without data) that draw one annotation. Lines and ranges are clipped
    to the plot (a value past a fixed domain must not draw over the axes); labels are not, so a
    label above a point at the top of the domain stays readable."""
    line_color = a.color or DEFAULT_LINE_COLOR
    stroke: dict[str, Any] = {"strokeDash": list(map(_num, a.dash))} if a.dash else {}
    if a.opacity is not None and a.kind in ("hline", "vline", "point", "text", "arrow"):
        stroke["opacity"] = a.opacity
    out: list[dict[str, Any]] = []
    if a.kind == "hline":
        y = {"y": _y(a.y[0])}
        out.append({"mark": {"type": "rule", "color": line_color, "strokeWidth": 1.5, "clip": True, **stroke},
                    "encoding": y})
        if a.label:  # at the right end, above the line
            out.append(_label(a.label, line_color, {**y, "x": {"value": width - _GAP}},
                              align="right", baseline="bottom", dy=-_GAP))
    elif a.kind == "vline":
        x = {"x": _x(a.x[0], ref)}
        out.append({"mark": {"type": "rule", "color": line_color, "strokeWidth": 1.5, "clip": True, **stroke},
                    "encoding": x})
        if a.label:  # at the top, right of the line
            out.append(_label(a.label, line_color, {**x, "y": {"value": _GAP}}, align="left", baseline="top", dx=_GAP))
    elif a.kind in ("x_range", "y_range"):
        color = a.color or DEFAULT_RANGE_COLOR
        opacity = a.opacity if a.opacity is not None else DEFAULT_RANGE_OPACITY
        if a.kind == "x_range":
            span = {"x": _x(a.x[0], ref), "x2": {"datum": _datum(a.x[1], ref)}}
            where = {"x": _x(a.x[0], ref), "y": {"value": _GAP}}
            place: dict[str, Any] = {"align": "left", "baseline": "top", "dx": _GAP}
        else:
            span = {"y": _y(a.y[0]), "y2": {"datum": _num(a.y[1])}}
            where = {"y": _y(a.y[1]), "x": {"value": _GAP}}
            place = {"align": "left", "baseline": "top", "dy": _GAP}
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
            out.append(_label(a.label, line_color, where, align="center", baseline="bottom", dy=-2 * _GAP,
                              fontWeight="bold"))
    return out


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
        {"mark": {"type": "rule", "color": color, "strokeWidth": 1.5, "xOffset": _r(ux * back),
                  "yOffset": _r(uy * back), "x2Offset": _r(dx), "y2Offset": _r(dy), **stroke},
         "encoding": {**where, "x2": {"datum": where["x"]["datum"]}, "y2": {"datum": where["y"]["datum"]}}},
        {"mark": {"type": "point", "shape": "triangle", "filled": True, "size": _HEAD_SIZE, "angle": _r(angle % 360),
                  "xOffset": _r(ux * tip), "yOffset": _r(uy * tip), "color": color,
                  "opacity": stroke.get("opacity", 1)}, "encoding": where},  # Vega-Lite's points default to 0.7
    ]
    if a.label:  # beside the tail, on the side away from the head
        align = "left" if dx > 0 else "right" if dx < 0 else "center"
        baseline = "middle" if dx != 0 else ("bottom" if dy < 0 else "top")
        nudge_x = math.copysign(_GAP, dx) if dx else 0
        nudge_y = 0 if dx else math.copysign(_GAP, dy)
        out.append(_label(a.label, color, where, align=align, baseline=baseline, dx=_r(dx + nudge_x),
                          dy=_r(dy + nudge_y), fontWeight="bold"))
    return out


def _r(value: float) -> float | int:
    """Pixels rounded to 1/1000: the compiled spec stays short and identical across platforms."""
    return _num(round(value, 3))


def annotation_layers(model: ChartSpec, axis_id: str) -> list[dict[str, Any]]:
    """The layers of every annotation drawn on axis ``axis_id``, each on a one-row dataset so it is
    drawn once (not once per row of the chart's data), unclipped labels, no legend."""
    ref = _XRef(model.x.type, dict(model.data.parse).get(model.x.field))
    found = [layer for a in model.annotations if axis_of(a, model.layers) == axis_id
             for layer in _layers(a, ref, model.width)]
    return [{"data": {"values": [{}]}, **layer} for layer in found]


# -- checks ------------------------------------------------------------------------------------------

def annotation_diagnostics(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    """Axes that exist, ranges written low to high, colours, and what annotations cannot do yet."""
    from .colors import CSS_COLOR_NAMES, is_color
    from .suggest import did_you_mean

    out: list[Diagnostic] = []
    names = _axis_names(spec.layers)
    for a in spec.annotations:
        path = a.json_path
        if a.axis is not None and a.axis not in names:
            out.append(source.diagnostic(f"annotation axis {a.axis!r} is not an axis of this chart", path + ("axis",),
                                         hint=did_you_mean(a.axis, names, what="an axis id, y field or layer name")))
        if a.axis is not None and a.kind in ("vline", "x_range"):
            out.append(source.diagnostic(f"'axis' names a y axis, but {a.kind!r} has no y value",
                                         path + ("axis",), key=True, hint="remove 'axis'"))
        for key in sorted(_STYLE_KEYS - _APPLIES[a.kind] - {"axis"}):
            if path + (key,) in source.keys:
                out.append(source.diagnostic(f"'{key}' does not apply to {a.kind!r}", path + (key,), key=True,
                                             hint=f"{a.kind!r} takes: {', '.join(sorted(_APPLIES[a.kind]))}"))
        if spec.x.type == "quantitative" and any(isinstance(v, str) for v in a.x):
            out.append(source.diagnostic(f"x {next(v for v in a.x if isinstance(v, str))!r} is text, but the x axis "
                                         "is quantitative", path + (a.kind if a.kind != "text" else "at",),
                                         hint="write the x value as a number"))
        pair = a.x if a.kind == "x_range" else a.y if a.kind == "y_range" else ()
        if len(pair) == 2 and _above(pair[0], pair[1]):
            out.append(source.diagnostic(f"{a.kind} [{pair[0]}, {pair[1]}] runs backwards", path + (a.kind,),
                                         hint="write it as [low, high]"))
        if a.kind == "arrow" and a.offset == (0.0, 0.0):
            out.append(source.diagnostic("an arrow with offset [0, 0] has no length", path + ("offset",),
                                         hint="give the tail's distance from the point in pixels, e.g. [40, -30]"))
        if a.color is not None and not is_color(a.color):
            out.append(source.diagnostic(f"{a.color!r} is not a CSS colour", path + ("color",),
                                         hint=did_you_mean(a.color, CSS_COLOR_NAMES) or "use a name or #rrggbb"))
    return out


def _above(low: Value, high: Value) -> bool:
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        return low >= high
    return str(low) >= str(high)
