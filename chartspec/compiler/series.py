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

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..data.table import Table
from ..data.values import num, series_values
from ..spec.model import ChartSpec, Layer

__all__ = [
    "CATEGORY10",
    "Entry",
    "SERIES_FIELD",
    "entries",
    "for_layer",
    "layer_colors",
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
_SOLID = [1, 0]  # a strokeDash that draws a solid line


@dataclass(frozen=True)
class Entry:
    """One legend entry: the series' name (as ``__series`` holds it), colour, symbol and dash."""

    name: str
    color: str
    shape: str
    dash: tuple[float, ...] | None


def layer_colors(model: ChartSpec, palette: Sequence[str] = CATEGORY10) -> dict[int, str]:
    """Colour of each single-series layer: its own, else the palette colour of its position
    (``palette``: the theme's category colours, chartspec's own by default)."""
    return {layer.index: layer.color or palette[layer.index % len(palette)]
            for layer in model.layers if layer.series is None and layer.heat is None}


def entries(model: ChartSpec, table_of: Callable[[Layer], Table], tags: dict[int, str],
            palette: Sequence[str] = CATEGORY10) -> list[Entry]:
    """Every legend entry in legend order; ``tags``: per layer index, a suffix such as ' (right axis)'."""
    colors = layer_colors(model, palette)
    spare = [c for c in palette if c not in colors.values()] or list(palette)
    found: list[Entry] = []
    used = 0
    for layer in model.layers:
        if layer.heat is not None:
            continue  # coloured by a number: its own gradient legend (compiler.py)
        shape = layer.point or _LEGEND_SYMBOL[layer.mark]
        tag = tags.get(layer.index, "")
        if layer.series is None:
            found.append(Entry(layer.name + tag, colors[layer.index], shape, layer.stroke_dash))
            continue
        for value in series_values(layer, table_of(layer)):
            found.append(Entry(value + tag, spare[used % len(spare)], shape, layer.stroke_dash))
            used += 1
    return found


def series_transform(layer: Layer, tag: str) -> dict[str, str]:
    """The calculate step that names each row's series."""
    if layer.series is None:
        expr = json.dumps(layer.name + tag, ensure_ascii=False)
    else:
        expr = f"toString(datum[{json.dumps(layer.series.field, ensure_ascii=False)}])"
        if tag:
            expr += " + " + json.dumps(tag, ensure_ascii=False)
    return {"calculate": expr, "as": SERIES_FIELD}


def series_encodings(model: ChartSpec, found: Sequence[Entry]) -> dict[str, Any]:
    """Colour, shape and (if any series is dashed) strokeDash, sharing one legend."""
    legend = model.legend
    show = legend.position != "none" and (len(found) > 1 or legend.explicit)
    vl_legend: dict[str, Any] | None = None
    if show:
        vl_legend = {"title": legend.title, "orient": legend.position}
        if legend.position in _INSIDE:
            vl_legend.update(fillColor="white", strokeColor="#cccccc", padding=6, cornerRadius=2, offset=8)
    common = {"field": SERIES_FIELD, "type": "nominal", "legend": vl_legend}
    names = [e.name for e in found]
    out: dict[str, Any] = {
        "color": {**common, "scale": {"domain": names, "range": [e.color for e in found]}},
        "shape": {**common, "scale": {"domain": names, "range": [e.shape for e in found]}},
    }
    if any(e.dash for e in found):
        dashes = [[num(d) for d in e.dash] if e.dash else _SOLID for e in found]
        out["strokeDash"] = {**common, "scale": {"domain": names, "range": dashes}}
    return out


def draws_shape(layer: Layer) -> bool:
    """Does the layer draw symbols shaped by the ``shape`` scale: a point layer, a line with markers?
    (A layer coloured by a number has no series encodings at all.)"""
    return layer.heat is None and (layer.mark == "point" or (layer.mark == "line" and layer.point is not None))


def for_layer(encodings: dict[str, Any], layer: Layer) -> dict[str, Any]:
    """The series encodings one layer uses. Vega-Lite draws a point at every vertex of a line or
    area given ``shape`` (its point overlay): on a layer without markers those points are invisible
    yet cost a symbol per row, so only layers that draw symbols carry the shape channel."""
    if draws_shape(layer):
        return encodings
    return {k: v for k, v in encodings.items() if k != "shape"}
