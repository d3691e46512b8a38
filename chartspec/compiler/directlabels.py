"""Direct labels (``label: end``): each series' name at the end of its line, never overlapping.

Vega's own label overlap removal drops labels; here every label is kept and placed ahead of Vega,
deterministically, in pixels:

1. each labelled axis gets the domain Vega would give it (d3's ``nice`` of the data, annotations
   and zero included: :mod:`chartspec.compiler.nicedomain`), written into the scale so Vega
   draws exactly that domain;
2. each series' last point (data/endpoints.py) becomes a pixel height on its own axis' scale;
3. the labels of every axis are nudged apart together (:func:`nudge`: the least total movement
   that keeps centres ``font size + LABEL_GAP`` apart, inside the plot);
4. a label that moved gets a thin leader line from its line's end. A right-hand y axis moves
   outward by the widest label, so labels sit between the plot and that axis.

Labels are drawn in their axis' layer group at the line end's x (a datum on the shared x scale)
and a pixel height, on one-row data, without a legend entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..data.endpoints import end_points
from ..data.layerdata import LayerData, layer_steps
from ..data.smoothing import smooth_column
from ..data.values import num, shared_color_layers, value_span
from ..errors import CompileError, Diagnostic
from ..spec.marks import starts_at_zero
from ..spec.model import ChartSpec, Layer, YAxis, axis_of
from .nicedomain import NICE_SCALES, nice_domain, to_pixel
from .scales import label_room, vl_scale
from .series import Entry

__all__ = ["LABEL_FONT_SIZE", "LABEL_GAP", "DirectLabels", "EndLabel", "drawn_domain", "flat_alone", "flat_knowable",
           "label_layers", "labelled", "nudge", "pin_domain", "plan_labels", "with_label_room"]

LABEL_FONT_SIZE = 11
LABEL_GAP = 3  # px between the boxes of two labels
_DX = 6  # px from a line's end to its label
_LEADER = (3, 15)  # px right of the line's end where a leader line starts and stops
_MOVED_DX = 18  # px from a line's end to a label that moved (past its leader)
_CHAR_WIDTH = 0.62  # of the font size: an average character, a margin for safety


@dataclass(frozen=True)
class EndLabel:
    text: str
    color: str
    axis_id: str
    x: Any  # the line end's x, as the data holds it
    point: float  # px from the top of the plot: the line's end
    at: float  # px: the label's centre after nudging

    @property
    def moved(self) -> bool:
        return abs(self.at - self.point) > 0.5

    @property
    def dx(self) -> int:
        return _MOVED_DX if self.moved else _DX


@dataclass(frozen=True)
class DirectLabels:
    labels: tuple[EndLabel, ...]
    #: the y domains written into the scales of the labelled axes (those Vega would choose)
    domains: dict[str, tuple[float, float]]
    #: px a label is drawn in at most (scales.label_room); a longer one ends in an ellipsis
    limit: float = math.inf

    def room(self) -> float:
        """Pixels right of the plot the widest label needs (a right-hand axis moves out by it)."""
        return max((lab.dx + min(_width(lab.text), self.limit) + 4 for lab in self.labels), default=0)

    def _limit(self, text: str) -> dict[str, float]:
        """The text mark's ``limit`` for a label that may not fit (a 500-character run name drew a
        2,800 px chart); nothing for one that fits, so ordinary charts compile as before."""
        return {"limit": self.limit} if _width(text) > self.limit else {}

    def layers(self, axis_id: str, x_field: str, x: dict[str, Any]) -> list[dict[str, Any]]:
        """The Vega-Lite layers drawing the labels (and leaders) of the series on ``axis_id``; ``x``:
        the chart's x encoding, so a label's x is its line end's, time unit and band included."""
        out: list[dict[str, Any]] = []
        for lab in (lab for lab in self.labels if lab.axis_id == axis_id):
            data = {"values": [{x_field: lab.x}]}
            if lab.moved:
                out.append({"data": data, "mark": {"type": "rule", "color": lab.color, "strokeWidth": 1,
                                                   "xOffset": _LEADER[0], "x2Offset": _LEADER[1]},
                            "encoding": {"x": x, "x2": {"field": x["field"]}, "y": {"value": lab.point},
                                         "y2": {"value": lab.at}}})
            out.append({"data": data, "mark": {"type": "text", "color": lab.color, "align": "left",
                                               "baseline": "middle", "dx": lab.dx, "fontSize": LABEL_FONT_SIZE,
                                               **self._limit(lab.text)},
                        "encoding": {"x": x, "y": {"value": lab.at}, "text": {"value": lab.text}}})
        return out


def _width(text: str) -> float:
    """A label's estimated width in px."""
    return len(text) * LABEL_FONT_SIZE * _CHAR_WIDTH


def labelled(model: ChartSpec) -> bool:
    """Does every series of the chart have a direct label (so the legend may go)?"""
    layers = [layer for layer in model.layers if layer.heat is None]
    return bool(layers) and all(layer.label is not None for layer in layers)


def nudge(wanted: Sequence[float], spacing: float, low: float, high: float) -> list[float]:
    """Centres as close to ``wanted`` as can be (least squares) with ``spacing`` between any two,
    in the same order, within [low, high] when they fit. Pool-adjacent-violators on the centres
    less their rank's spacing: a standard isotonic regression, exact and deterministic."""
    order = sorted(range(len(wanted)), key=lambda i: (wanted[i], i))
    blocks: list[list[float]] = []  # [sum, count] of pooled shifted centres
    for rank, i in enumerate(order):
        blocks.append([wanted[i] - rank * spacing, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, count = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += count
    fitted = [total / count for total, count in blocks for _ in range(int(count))]
    top = max(low, high - (len(order) - 1) * spacing)  # clamping keeps the order: still spaced
    out = [0.0] * len(order)
    for rank, i in enumerate(order):
        out[i] = round(min(max(fitted[rank], low), top) + rank * spacing, 2)
    return out


def plan_labels(model: ChartSpec, data: LayerData, groups: dict[str, list[Layer]], owners: dict[str, YAxis],
                colors: dict[int, str], found: Sequence[Entry], tags: dict[int, str],
                diagnostic: Callable[..., Diagnostic]) -> DirectLabels | None:
    """Every direct label of the chart, placed; None without any. Raises :class:`CompileError` when
    a labelled series' values are made by a transform chartspec cannot evaluate."""
    if not any(layer.label is not None for layer in model.layers):
        return None
    problems = [diagnostic("cannot place the label: this layer's values come from a transform chartspec cannot "
                           "evaluate ahead of Vega", layer.json_path + ("label",), key=True,
                           hint="make the field with arithmetic, comparisons and text functions, or drop 'label'")
                for layer in model.layers if layer.label is not None and not data.exact[layer.index]]
    if problems:
        raise CompileError(problems)
    by_name = {e.name: e.color for e in found}
    shared = shared_color_layers(model)
    domains: dict[str, tuple[float, float]] = {}
    pending: list[tuple[str, str, str, Any, float]] = []  # text, colour, axis, x, y
    for axis_id, members in groups.items():
        if not any(m.label is not None for m in members):
            continue
        domain = _domain(axis_id, members, owners[axis_id], data, model, diagnostic)
        if domain is None:  # nothing drawn on the axis yet (a metric not logged yet): nothing to label
            continue
        domains[axis_id] = domain
        for layer in (m for m in members if m.label is not None):
            y = smooth_column(layer.index) if layer.smooth is not None else layer.y.field
            series = layer.series.field if layer.series is not None else None
            for end in end_points(data.of(layer), model.x.field, y, series):
                if end.series is None:
                    text, color = layer.name, colors[layer.index]
                elif layer.index in shared:  # the same runs on several axes: say which metric
                    text, color = f"{end.series} ({layer.name})", by_name[end.series]
                else:
                    text, color = end.series, by_name[end.series + tags.get(layer.index, "")]
                pixel = to_pixel(end.y, domain, owners[axis_id], model.height)
                pending.append((text, color, axis_id, end.x, pixel))
    half = LABEL_FONT_SIZE / 2
    placed = nudge([p[4] for p in pending], LABEL_FONT_SIZE + LABEL_GAP, half, model.height - half)
    labels = tuple(EndLabel(text, color, axis_id, x, round(pixel, 2), at)
                   for (text, color, axis_id, x, pixel), at in zip(pending, placed))
    return DirectLabels(labels=labels, domains=domains, limit=label_room(model.width))


def _domain(axis_id: str, members: list[Layer], owner: YAxis, data: LayerData, model: ChartSpec,
            diagnostic: Callable[..., Diagnostic]) -> tuple[float, float] | None:
    """The domain Vega gives the axis: the explicit one, or the nice extent of what it draws (None:
    it draws nothing)."""
    where = next(m for m in members if m.label is not None).json_path + ("label",)
    if owner.type != "quantitative" or owner.scale not in NICE_SCALES:
        raise CompileError([diagnostic(f"direct labels need a y axis of numbers on a linear, log, sqrt, pow or "
                                       f"symlog scale, not {owner.type} on {owner.scale!r}", where, key=True,
                                       hint="use the legend for this chart")])
    return drawn_domain(axis_id, members, owner, data, model)


def drawn_domain(axis_id: str, members: list[Layer], owner: YAxis, data: LayerData, model: ChartSpec
                 ) -> tuple[float, float] | None:
    """The y domain Vega draws for the axis (its explicit one, or the nice extent of what it draws);
    None when that is not known ahead of Vega (not numbers, or nothing to draw)."""
    if owner.type != "quantitative" or owner.scale not in NICE_SCALES:
        return None
    zero = any(starts_at_zero(layer.mark, layer.band) for layer in members)  # as the compiled scale
    values = _drawn_values(axis_id, members, data, model)
    span = value_span(values)
    scale = vl_scale(owner, span, zero=zero, flat=flat_alone(axis_id, members, model, data))
    if "domain" in scale:
        return float(scale["domain"][0]), float(scale["domain"][1])
    if span is None:
        return None
    lo, hi = span
    if scale.get("zero"):
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    return nice_domain(lo, hi, owner.scale) if scale.get("nice", True) else (lo, hi)


def flat_alone(axis_id: str, members: Sequence[Layer], model: ChartSpec, data: LayerData) -> bool:
    """May a y axis whose data is one value be widened around it (scales.flat_domain)? Only when
    everything drawn on it is that value: a band's extent or an annotation elsewhere is joined by
    Vega's own domain (a fixed one cut a band around a constant mean, and pushed an hline's label
    1,000 px off the plot); an hline at the constant itself leaves the axis flat."""
    if not flat_knowable(members, model):
        return False
    values = _drawn_values(axis_id, members, data, model)
    return not values or (span := value_span(values)) is not None and span[0] == span[1]


def flat_knowable(members: Sequence[Layer], model: ChartSpec) -> bool:
    """Are the y values the layers of an axis draw known here (no band extent, no y a transform makes)?"""
    if any(layer.band is not None and layer.band.extent is not None for layer in members):
        return False  # computed by Vega: not known here
    # made (or remade) by a transform: its values are known when Vega runs
    return not any(getattr(step, "as_field", None) == layer.y.field
                   for layer in members for step in layer_steps(layer, model, layer.data is not None))


def _drawn_values(axis_id: str, members: list[Layer], data: LayerData, model: ChartSpec) -> list[float]:
    """Every y value drawn on the axis (lines, raw lines behind smoothing, bands, annotations):
    what Vega's domain spans."""
    values: list[float] = []
    for layer in members:
        table = data.of(layer)
        fields = [smooth_column(layer.index)] if layer.smooth is not None else [layer.y.field]
        if layer.smooth is not None and layer.smooth.show_raw:
            fields.append(layer.y.field)
        if layer.band is not None:
            fields += [layer.band.lower, layer.band.upper]
        values += [v for f in fields if f in table.columns for v in table.numbers(f) if math.isfinite(v)]
    values += [v for a in model.annotations if a.y and axis_of(a, model.layers) == axis_id for v in a.y]
    return values


# -- what the chart compiler asks (each a no-op without labels) ---------------------------------------

def with_label_room(sides: dict[str, tuple[str, float]], direct: DirectLabels | None) -> dict[str, tuple[str, float]]:
    """Axis placements with every right-hand axis moved out past the labels."""
    if direct is None:
        return sides
    room = direct.room()
    return {axis_id: (side, round(offset + room, 1) if side == "right" else offset)
            for axis_id, (side, offset) in sides.items()}


def pin_domain(y: dict[str, Any], direct: DirectLabels | None, axis_id: str) -> dict[str, Any]:
    """A y encoding whose scale draws the domain the labels were placed on."""
    if direct is None or axis_id not in direct.domains:
        return y
    lo, hi = direct.domains[axis_id]
    return {**y, "scale": {**y["scale"], "domain": [num(lo), num(hi)], "nice": False}}


def label_layers(direct: DirectLabels | None, model: ChartSpec, x: dict[str, Any], axis_id: str
                 ) -> list[dict[str, Any]]:
    """The label layers of ``axis_id``; ``x``: the chart's compiled x encoding."""
    if direct is None:
        return []
    where = {k: v for k, v in x.items() if k in ("field", "type", "timeUnit")}
    if model.x.time_unit is not None:  # where the line's points are: the middle of their unit (chart.py)
        where["bandPosition"] = 0.5
    return direct.layers(axis_id, model.x.field, where)
