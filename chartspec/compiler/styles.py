"""Layers sharing a colour field (the sweep chart): one colour per run, each layer its own dash.

``loss`` on the left axis and ``lr`` on the right, both ``color: {field: run}``: colour means the
run in both layers, so the layer (the metric) is told apart by its line style. Two legends:

- colour, on ``__series`` (the run; series.py): one entry per run, shared by the layers, plus any
  other layer of the chart under its own name;
- line style, on ``__style`` (the layer's name, with its axis tag): one entry per sharing layer,
  drawn in a neutral grey with its dash (and its marker when it has one). Where any sharing layer
  has markers, each entry is drawn as its glyph (glyphs.py): a short stroke with the dash cut into
  it and the marker on it, as the main legend draws them; a symbol of one shape showed the marker
  alone (the dash drawn round its outline), never the line.

A layer's ``stroke_dash`` sets its dash (``solid`` for none); the others take the next dash of
:data:`AUTO_DASHES` in layer order, the first one solid. Axis titles stay neutral: their colour
would claim a run. The style legend's labels are the layer names, which default to the y titles,
so an axis and its style entry read the same. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..data.values import AUTO_DASHES, layer_dash, num, shared_color_layers, svg_dash
from ..spec.model import ChartSpec, Layer
from .common import expr_string
from .glyphs import GLYPH_PX, Glyph, glyph_of, glyph_path
from .scales import label_limit, label_room

__all__ = ["AUTO_DASHES", "STYLE_FIELD", "Style", "style_encodings", "style_transform", "styles"]

STYLE_FIELD = "__style"
STYLE_COLOR = "#555555"  # the style legend's symbols: no run's colour
#: marks without a line to dash, by the legend symbol they take (as marks.LEGEND_SYMBOL)
_SYMBOL = {"point": "circle", "text": "circle", "area": "square", "bar": "square", "rect": "square",
           "errorband": "square"}
_INSIDE = ("top-left", "top-right", "bottom-left", "bottom-right")


@dataclass(frozen=True)
class Style:
    """One entry of the line-style legend: a sharing layer's name (with axis tag), dash, symbol."""

    name: str
    dash: tuple[float, ...]
    shape: str
    #: False: a mark with no shape channel (bars, areas), whose legend symbol is set by name
    channel: bool = True
    #: what the entry draws in a legend of glyphs: its stroke with this dash, its marker, or a bar
    glyph: Glyph = field(default_factory=lambda: Glyph("line"))


def styles(model: ChartSpec, tags: dict[int, str]) -> list[Style]:
    """The line style of every layer sharing the colour field, in layer order (none if no two share)."""
    shared = shared_color_layers(model)
    found = []
    for layer in model.layers:
        if layer.index not in shared:
            continue
        dash = layer_dash(model, layer)
        assert dash is not None  # a sharing layer always has one (solid is [1, 0])
        # a marker shows as itself; a mark that draws no line (points, bars) as its own symbol
        symbol = layer.point or _SYMBOL.get(layer.mark, "stroke")
        glyph = glyph_of(layer)
        found.append(Style(layer.name + tags.get(layer.index, ""), dash, symbol,
                           layer.point is not None or layer.mark in ("line", "point"),
                           replace(glyph, dash=dash) if glyph.kind == "line" else glyph))
    return found


def style_transform(layer: Layer, tag: str) -> dict[str, str]:
    """The calculate step naming a sharing layer's line style (its legend entry)."""
    return {"calculate": expr_string(layer.name + tag), "as": STYLE_FIELD}


def style_encodings(model: ChartSpec, found: list[Style]) -> dict[str, Any]:
    """strokeDash (and shape, where a sharing layer has markers) on the style field, one legend."""
    position = model.legend.position
    legend: dict[str, Any] | None = None
    if position != "none":
        legend = {"title": None, "orient": position, "symbolStrokeColor": STYLE_COLOR, "symbolFillColor": STYLE_COLOR,
                  "symbolStrokeWidth": 2, **label_limit([s.name for s in found], label_room(model.width))}
        if position in _INSIDE:
            legend.update(fillColor="white", strokeColor="#cccccc", padding=6, cornerRadius=2, offset=8)
        if all(s.shape == "stroke" for s in found):
            legend.update(symbolType="stroke", symbolSize=200)  # long enough to show a dash pattern
        else:
            legend.update(_glyph_symbols(found))
    names = [s.name for s in found]
    common = {"field": STYLE_FIELD, "type": "nominal", "legend": legend}
    # strokeDash draws each layer's dash (the automatic ones too) and carries the legend; markers
    # are mark properties (chart.py): a shape channel would merge into the legend and replace the
    # glyphs with its shapes
    return {"strokeDash": {**common, "scale": {"domain": names, "range": [[num(d) for d in svg_dash(s.dash)] for s in found]}}}


def _glyph_symbols(found: list[Style]) -> dict[str, Any]:
    """Legend properties drawing each entry as its glyph, filled: the dash is cut into the stroke's
    geometry and the scale's dash falls on a transparent outline (a dash on the outline would cut
    the marker too). The outline keeps one width: Vega sizes the symbol column from it only when it
    is a number (glyphs.py)."""
    paths = expr_string({s.name: glyph_path(s.glyph, filled=True) for s in found})
    return {"symbolType": {"expr": f"{paths}[datum.value] || 'stroke'"}, "symbolSize": GLYPH_PX * GLYPH_PX,
            "symbolStrokeColor": "transparent", "symbolStrokeWidth": num(max(s.glyph.stroke_width for s in found))}
