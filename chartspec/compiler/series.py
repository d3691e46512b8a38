"""Series and the one merged legend: colour, marker shape and dash of every entry together.

Every layer computes a ``__series`` field: its name, or for ``color: {field: run}`` the value of
that field, so one layer draws one line per run. Colour, shape and (when any layer is dashed)
strokeDash are all encoded on that field through scales whose domain lists every entry, so
Vega-Lite merges them into a single legend, even across independent y scales. Only layers that
draw symbols (points, lines with markers) carry shape: on any other line Vega-Lite would draw an
invisible point at every vertex; marks.legend_symbols tells the legend the symbols no layer draws.
A field's values are sorted before they take palette colours, so a run keeps its colour whatever
the row order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..data.table import Table
from ..data.values import field_values, num, series_values, shared_color_layers, svg_dash
from ..spec.model import ChartSpec, Layer
from .common import expr_string
from .glyphs import Glyph, glyph_of
from .scales import label_limit, label_room, legend_title_limit
from .schemes import scheme_colors
from .styles import STYLE_FIELD, Style, style_encodings, style_transform

__all__ = [
    "CATEGORY10",
    "Entry",
    "SERIES_FIELD",
    "entries",
    "for_layer",
    "glyph_of",
    "layer_colors",
    "legend_shown",
    "series_encodings",
    "series_transform",
    "series_values",
]

SERIES_FIELD = "__series"
CATEGORY10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
              "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
_LEGEND_SYMBOL = {"line": "stroke", "area": "square", "bar": "square", "point": "circle", "rule": "stroke",
                  "text": "circle", "tick": "stroke", "rect": "square", "errorband": "square"}  # marks.py
_INSIDE = ("top-left", "top-right", "bottom-left", "bottom-right")
_SOLID = svg_dash((1, 0))  # a strokeDash that draws a solid line


@dataclass(frozen=True)
class Entry:
    """One legend entry: the series' name (as ``__series`` holds it), colour, symbol and dash."""

    name: str
    color: str
    shape: str
    dash: tuple[float, ...] | None
    #: what the entry draws in a legend of glyphs (marks.legend_symbols)
    glyph: Glyph = Glyph("line")
    #: the index of the layer it is a series of (colornotes.py: which colours were chosen for it)
    layer: int = -1


def layer_colors(model: ChartSpec, palette: Sequence[str] = CATEGORY10) -> dict[int, str]:
    """Colour of each single-series layer: its own, else the palette colour of its position
    (``palette``: the theme's category colours, chartspec's own by default)."""
    return {layer.index: layer.color or palette[layer.index % len(palette)]
            for layer in model.layers if layer.series is None and layer.heat is None}


def entries(model: ChartSpec, table_of: Callable[[Layer], Table], tags: dict[int, str],
            palette: Sequence[str] = CATEGORY10) -> list[Entry]:
    """Every colour legend entry in legend order; ``tags``: per layer index, a suffix such as
    ' (right axis)'. Layers sharing a colour field (styles.py) list each run once, untagged."""
    colors = layer_colors(model, palette)
    spare = [c for c in palette if c not in colors.values()] or list(palette)
    shared = shared_color_layers(model)
    found: list[Entry] = []
    used = 0
    for layer in model.layers:
        if layer.heat is not None or (layer.index in shared and layer.index != min(shared)):
            continue  # a heatmap: its own gradient legend; a sharing layer's runs: listed with the first
        shape = layer.point or _LEGEND_SYMBOL[layer.mark]
        tag = tags.get(layer.index, "")
        if layer.series is None:
            found.append(Entry(layer.name + tag, colors[layer.index], shape, layer.stroke_dash, glyph_of(layer),
                               layer.index))
            continue
        if layer.index in shared:
            members = [m for m in model.layers if m.index in shared]
            values, shape, tag = field_values(layer.series.field, [table_of(m) for m in members]), "stroke", ""
        else:
            values = series_values(layer, table_of(layer))
        scheme = scheme_colors(layer.series.scheme, len(values)) if layer.series.scheme else None
        for i, value in enumerate(values):
            dash = None if layer.index in shared else layer.stroke_dash  # the style legend shows it
            glyph = Glyph("line") if layer.index in shared else glyph_of(layer)
            if scheme is None:  # the palette's next colour
                color, used = spare[used % len(spare)], used + 1
            else:
                color = scheme[i]
            found.append(Entry(value + tag, color, shape, dash, glyph, layer.index))
    return found


def series_transform(layer: Layer, tag: str, model: ChartSpec) -> list[dict[str, str]]:
    """The calculate steps that name each row's series (and a sharing layer's line style)."""
    if layer.index in shared_color_layers(model):
        assert layer.series is not None
        expr = f"toString(datum[{expr_string(layer.series.field)}])"
        return [{"calculate": expr, "as": SERIES_FIELD}, style_transform(layer, tag)]
    if layer.series is None:
        expr = expr_string(layer.name + tag)
    else:
        expr = f"toString(datum[{expr_string(layer.series.field)}])"
        if tag:
            expr += " + " + expr_string(tag)
    return [{"calculate": expr, "as": SERIES_FIELD}]


def series_encodings(model: ChartSpec, found: Sequence[Entry], style: Sequence[Style] = ()) -> dict[str, Any]:
    """Colour, shape and (if any series is dashed) strokeDash, sharing one legend; with ``style``
    (layers sharing a colour field) colour alone, and the line styles in a legend of their own."""
    legend = model.legend
    vl_legend: dict[str, Any] | None = None
    names = [e.name for e in found]
    if legend_shown(model, found, style):
        room = label_room(model.width)
        vl_legend = {"title": legend.title, "orient": legend.position, **label_limit(names, room),
                     **legend_title_limit(legend.title, room)}
        if legend.position in _INSIDE:
            vl_legend.update(fillColor="white", strokeColor="#cccccc", padding=6, cornerRadius=2, offset=8)
    common = {"field": SERIES_FIELD, "type": "nominal", "legend": vl_legend}
    out: dict[str, Any] = {"color": {**common, "scale": {"domain": names, "range": [e.color for e in found]}}}
    if style:
        return {**out, **_run_symbols(out["color"], found), **style_encodings(model, list(style))}
    out["shape"] = {**common, "scale": {"domain": names, "range": [e.shape for e in found]}}
    if any(e.dash for e in found):
        dashes = [[num(d) for d in svg_dash(e.dash)] if e.dash else _SOLID for e in found]
        out["strokeDash"] = {**common, "scale": {"domain": names, "range": dashes}}
    return out


def legend_shown(model: ChartSpec, found: Sequence[Entry], style: Sequence[Style] = ()) -> bool:
    """Is the series legend drawn: not turned off, and more than one entry or asked for (a single
    series needs no key unless the spec says ``legend: true``)?"""
    legend = model.legend
    return legend.position != "none" and (len(found) > 1 or legend.explicit or bool(style))


def _run_symbols(color: dict[str, Any], found: Sequence[Entry]) -> dict[str, Any]:
    """The colour legend beside a style legend: each entry's own symbol, stroked in its colour."""
    if not color["legend"]:
        return {}
    kinds = {e.shape for e in found}
    by_name = expr_string({e.name: e.shape for e in found})
    symbols = {"symbolType": kinds.pop() if len(kinds) == 1 else {"expr": f"{by_name}[datum.value] || 'stroke'"},
               "symbolStrokeColor": {"expr": "scale('color', datum.value)"}, "symbolStrokeWidth": 2}
    return {"color": {**color, "legend": {**color["legend"], **symbols}}}


def draws_shape(layer: Layer) -> bool:
    """Does the layer draw symbols shaped by the ``shape`` scale: a point layer, a line with markers?
    (A layer coloured by a number has no series encodings at all.)"""
    return layer.heat is None and (layer.mark == "point" or (layer.mark == "line" and layer.point is not None))


def for_layer(encodings: dict[str, Any], layer: Layer, model: ChartSpec) -> dict[str, Any]:
    """The series encodings one layer uses. Vega-Lite draws a point at every vertex of a line or
    area given ``shape`` (its point overlay): on a layer without markers those points are invisible
    yet cost a symbol per row, so only layers that draw symbols carry the shape channel. Beside a
    style legend (styles.py) only the sharing layers carry its channels; the others draw their
    dash and marker as mark properties (chart.py)."""
    if encodings.get("strokeDash", {}).get("field") == STYLE_FIELD and layer.index not in shared_color_layers(model):
        return {k: v for k, v in encodings.items() if k == "color"}
    if draws_shape(layer):
        return encodings
    return {k: v for k, v in encodings.items() if k != "shape"}
