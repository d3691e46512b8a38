"""The model of annotations at data coordinates: reference lines, shaded ranges, text and points.

The top-level ``annotations:`` list; each item is one of::

    {hline: 30, axis: reproduced_rate, label: target, dash: [4, 2]}   # horizontal line at y = 30
    {hline: {aggregate: mean, field: loss}}                           # at the plotted losses' mean
    {vline: 400, label: warm-up ends}                                 # vertical line at x = 400
    {x_range: [380, 420], label: peak window, color: orange}          # shaded x range, full height
    {y_range: [30, 35], axis: reproduced_rate}                        # shaded y range, full width
    {text: "plateau", at: [250, 4800]}                                # text at a data point
    {point: [400, 35], label: "peak 35% at step 400", axis: reproduced_rate}
    {arrow: [400, 35], label: "peak 35%", offset: [50, -30]}            # arrow to a point, label at its tail

Anything with a y value is drawn on one y axis: ``axis`` names it (an axis id, a layer's y field
or its name; default the first axis: :func:`chartspec.spec.model.axis_of`). A data-driven
``hline`` (:class:`Stat`) gets its value in the data stage (:mod:`chartspec.data.refvalues`).
Compiled by :mod:`chartspec.compiler.annotations`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..errors import JsonPath

__all__ = ["STAT_OPS", "Annotation", "Stat", "parse_annotations"]

Kind = Literal["hline", "vline", "x_range", "y_range", "text", "point", "arrow"]
Value = float | str  # a number, or a date/time text on a temporal x axis

DEFAULT_POINT_SHAPE = "circle"
DEFAULT_LINE_WIDTH = 1.5
DEFAULT_ARROW_OFFSET = (40.0, -30.0)  # px from the arrow's head to its tail: up and to the right
_HEAD_TIP, _HEAD_BASE = 5.774, 2.887


#: the statistics a data-driven hline may be drawn at
STAT_OPS = ("mean", "median", "min", "max", "q1", "q3")


@dataclass(frozen=True)
class Stat:
    """``hline: {aggregate, field, layer}``: a statistic of a layer's plotted rows."""

    op: str
    #: None: the layer's y field
    field: str | None
    #: a layer's name; None: the first layer drawing ``field``, else the first
    layer: str | None


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
    #: hline, vline, arrow: the line's width in pixels
    width: float = DEFAULT_LINE_WIDTH
    #: a data-driven hline: ``y`` is empty until the data stage sets it (data/refvalues.py)
    stat: Stat | None = None


def _one(raw: dict[str, Any], index: int) -> Annotation:
    path: JsonPath = ("annotations", index)
    x: tuple[Value, ...] = ()
    y: tuple[float, ...] = ()
    kind: Kind
    label = raw.get("label")
    stat = None
    if "hline" in raw and isinstance(raw["hline"], dict):
        kind, h = "hline", raw["hline"]
        stat = Stat(op=h["aggregate"], field=h.get("field"), layer=h.get("layer"))
    elif "hline" in raw:
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
                      offset=(float(offset[0]), float(offset[1])),
                      width=float(raw.get("width", DEFAULT_LINE_WIDTH)), stat=stat)


def parse_annotations(raw: list[dict[str, Any]] | None) -> tuple[Annotation, ...]:
    return tuple(_one(item, i) for i, item in enumerate(raw or ()))


# -- which axis --------------------------------------------------------------------------------------


# -- compile -----------------------------------------------------------------------------------------


# -- checks ------------------------------------------------------------------------------------------


