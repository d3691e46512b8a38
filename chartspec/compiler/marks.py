"""Marks beyond line/point/area/bar drawn in Vega-Lite, and their legend symbols.

- ``text`` writes the value of its ``text`` field at (x, y), just above the point;
- ``area`` with a ``band`` fills from ``band.lower`` to ``band.upper`` (a range), no line on top;
- ``errorband`` draws the y field as a line over a shaded band from ``band.lower`` to ``band.upper``;
- ``rule`` draws a vertical segment from ``band.lower`` to ``band.upper`` at each x (error bars);
- ``rect`` draws a box from lower to upper (a Vega-Lite bar with y2), or a heatmap cell;
- ``tick`` draws a short horizontal tick at each (x, y).

The compiler builds every layer as a line-like layer first; :func:`apply_mark` then reshapes the
encodings for these marks. Pure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from ..data.values import num
from ..spec.marks import Band
from ..spec.model import ChartSpec, Layer
from .common import expr_string
from .glyphs import GLYPH_PX, glyph_path
from .series import SERIES_FIELD, Entry, draws_shape

#: px: a dash pattern drawing no stroke: a zero dash, then a gap longer than any glyph's outline
_NO_DASH = (0, 1000)
#: the legend symbol of each mark when the layer has no ``point`` marker
LEGEND_SYMBOL = {"line": "stroke", "area": "square", "bar": "square", "point": "circle", "rule": "stroke",
                 "text": "circle", "tick": "stroke", "rect": "square", "errorband": "square"}


#: the band of an errorband is drawn this much weaker than its line
BAND_OPACITY = 0.25
#: px: width of a rect and length of a tick on a continuous x axis
RECT_WIDTH = 14
_TEXT_OFFSET = -5  # px: text sits just above its point, clear of a bar's top or a marker
_TEXT_PX = 11  # Vega's font size of a text mark
_CHAR_WIDTH = 0.62  # of the font size: an average character, with a margin (as annolabels.py)


def _field(name: str) -> str:
    from .common import field_ref

    return field_ref(name)


def _spanned(encoding: dict[str, Any], band: Band) -> dict[str, Any]:
    """``encoding`` with y running from the band's lower to its upper field, on the same axis."""
    low, high = band.titles()
    return {**encoding, "y": {**encoding["y"], "field": _field(band.lower)},
            "y2": {"field": _field(band.upper)},
            "tooltip": [*encoding["tooltip"], {"field": _field(band.lower), "type": "quantitative", "title": low},
                        {"field": _field(band.upper), "type": "quantitative", "title": high}]}


def _no_shape(encoding: dict[str, Any]) -> dict[str, Any]:
    # shape only draws on point marks; elsewhere Vega-Lite ignores it with a warning
    return {k: v for k, v in encoding.items() if k != "shape"}


def apply_mark(compiled: dict[str, Any], layer: Layer) -> dict[str, Any]:
    """One compiled layer (``transform``, ``mark``, ``encoding``) redrawn as ``layer.mark``."""
    kind = layer.mark
    if kind == "area" and layer.band is not None:
        return _range_area(compiled, layer)
    if kind in ("area", "bar") and (layer.series is not None or layer.y.scale == "log"):
        # runs overlay at their own values, as the tooltip, extents and labels read them: Vega-Lite
        # would stack them (summing runs, spikes where step grids differ); on a log y a stack starts
        # at zero, which the scale cannot place, and the area drew nothing
        encoding = {**compiled["encoding"], "y": {**compiled["encoding"]["y"], "stack": None}}
        color = encoding.get("color", {})
        if kind == "bar" and encoding.get("x", {}).get("type") in ("nominal", "ordinal") and "field" in color:
            # on a band scale each run gets its own bar beside the others' (grouped), not hidden behind them
            encoding["xOffset"] = {"field": color["field"], "type": "nominal", "scale": {"domain": color["scale"]["domain"]}}
        return {**compiled, "encoding": encoding}
    if kind in ("line", "point", "area", "bar"):
        return compiled
    kept = ("type", "clip", "opacity") if kind == "text" else ("type", "clip", "opacity", "strokeDash")
    mark = {k: v for k, v in compiled["mark"].items() if k in kept}
    encoding = compiled["encoding"]
    if kind == "text":
        if layer.y.type in ("nominal", "ordinal"):  # a label in a band (a heatmap cell): its middle
            mark.update(baseline="middle", align="center")
        else:  # a label of a point or a bar: just above it
            mark.update(baseline="bottom", align="center", dy=_TEXT_OFFSET)
        mark.update(_text_style(layer))
        written: dict[str, Any] = {"field": _field(layer.text or ""), "type": "nominal"}
        if layer.text_format:  # numbers in a number format: only a quantitative field takes one
            written.update(type="quantitative", format=layer.text_format)
        encoding = {**_no_shape(encoding), "text": written}
        encoding.pop("strokeDash", None)
    elif kind == "tick":
        mark.update(orient="horizontal", thickness=layer.stroke_width, size=RECT_WIDTH)
        encoding = _no_shape(encoding)
    elif kind == "rect" and layer.band is None:  # a heatmap cell: the band of x by the band of y
        mark.pop("strokeDash", None)
        encoding = {k: v for k, v in encoding.items() if k not in ("shape", "strokeDash")}
    elif kind in ("rule", "rect"):
        assert layer.band is not None
        mark["clip"] = True  # a span may run past a fixed domain; the plot edge cuts it
        if kind == "rule":
            mark["strokeWidth"] = layer.stroke_width
        else:  # a bar from lower to upper: banded on a discrete x, a fixed width on a continuous one
            mark["type"] = "bar"
            if encoding["x"]["type"] in ("quantitative", "temporal"):
                mark["size"] = RECT_WIDTH
        encoding = _no_shape(_spanned(encoding, layer.band))
    elif kind == "errorband":
        return _errorband(compiled, layer, mark)
    return {**compiled, "mark": mark, "encoding": encoding}


def text_limit(compiled: dict[str, Any], layer: Layer, values: Iterable[str], width: float) -> dict[str, Any]:
    """A text layer whose longest value may be wider than ``width`` px drawn at most that wide,
    ending in an ellipsis (500-character values made a 2,800 px chart); as it is otherwise."""
    size = compiled["mark"].get("fontSize", _TEXT_PX)
    if layer.mark != "text" or max(map(len, values), default=0) * size * _CHAR_WIDTH <= width:
        return compiled
    return {**compiled, "mark": {**compiled["mark"], "limit": width}}


def _text_style(layer: Layer) -> dict[str, Any]:
    """The spec's own text placement (``align``, ``dy``, ...) over the mark's defaults."""
    style = layer.text_style
    if style is None:
        return {}
    props = {"align": style.align, "baseline": style.baseline, "dx": style.dx, "dy": style.dy,
             "angle": style.angle, "fontSize": style.font_size}
    return {key: num(value) if isinstance(value, float) else value for key, value in props.items() if value is not None}


def _errorband(compiled: dict[str, Any], layer: Layer, mark: dict[str, Any]) -> dict[str, Any]:
    """A shaded area from lower to upper, with the y field drawn as a line on top."""
    assert layer.band is not None
    encoding = compiled["encoding"]
    opacity = mark.get("opacity", 1.0)
    area = {"type": "area", "clip": True, "opacity": round(BAND_OPACITY * opacity, 4)}
    if layer.interpolate:
        area["interpolate"] = layer.interpolate
    line = {**{k: v for k, v in compiled["mark"].items() if k != "type"}, "type": "line",
            "strokeWidth": layer.stroke_width}
    if layer.interpolate:
        line["interpolate"] = layer.interpolate
    band_encoding = {k: v for k, v in _no_shape(_spanned(encoding, layer.band)).items() if k != "strokeDash"}
    # No shape on the line: Vega-Lite would draw the legend's square at every point of it.
    return {"transform": compiled["transform"],
            "layer": [{"mark": area, "encoding": band_encoding}, {"mark": line, "encoding": _no_shape(encoding)}]}


def _range_area(compiled: dict[str, Any], layer: Layer) -> dict[str, Any]:
    """The area between two columns: filled only, as the errorband's band without its line."""
    assert layer.band is not None
    mark = {k: v for k, v in compiled["mark"].items() if k in ("type", "opacity", "interpolate")}
    mark["clip"] = True  # a band may run past a fixed domain; the plot edge cuts it
    encoding = {k: v for k, v in _no_shape(_spanned(compiled["encoding"], layer.band)).items() if k != "strokeDash"}
    return {**compiled, "mark": mark, "encoding": encoding}


def legend_symbols(series: dict[str, Any], model: ChartSpec, found: Sequence[Entry]) -> dict[str, Any]:
    """The series encodings with each legend entry drawn as what its layer draws.

    Vega-Lite takes legend symbols from the ``shape`` channel, which only layers that draw symbols
    carry (points, lines with markers: ``series.for_layer``). So the legend is told what the shape
    channel cannot tell it:

    - a chart with a dashed line, a line with markers, a marker that is only a stroke, or rules,
      ticks or boxes draws each entry as a glyph (glyphs.py): its stroke with its dash and its
      marker together, as matplotlib's legend does;
    - a chart where no layer draws symbols sets each symbol's shape from the entry's name (one
      shape for all: plain lines get strokes, also under a theme whose legends draw squares);
    - a chart whose first layer is a line without markers draws its symbols at that line's
      opacity, not at the 0.7 Vega-Lite gives a later point layer (the legend would take it from
      the first layer carrying shape).
    """
    layers = [layer for layer in model.layers if layer.heat is None]  # a heatmap has its own legend
    if not layers or series.get("shape", {}).get("field", SERIES_FIELD) != SERIES_FIELD or "shape" not in series:
        return series  # beside a style legend (styles.py): each legend has its symbols already
    symbols: dict[str, Any] = {}
    glyphs = _needs_glyphs(layers, found)
    if glyphs:
        symbols = _glyph_symbols(found)
    elif not any(draws_shape(layer) for layer in layers):
        by_name = {e.name: e.shape for e in found}
        kinds = set(by_name.values())
        shapes = expr_string(by_name)
        symbols = {"symbolType": kinds.pop() if len(kinds) == 1 else {"expr": f"{shapes}[datum.value] || 'circle'"}}
    first = layers[0]
    if first.mark == "line" and not draws_shape(first) and any(draws_shape(layer) for layer in layers):
        symbols["symbolOpacity"] = first.opacity if first.opacity is not None else 1
    if not symbols:
        return series
    out = dict(series)
    if glyphs:  # the colour legend alone; each layer draws its marker and dash as mark properties (chart.py)
        out = {k: v for k, v in out.items() if k not in ("shape", "strokeDash")}
    for channel in ("color", "shape", "strokeDash"):
        if channel in out and out[channel].get("legend"):
            out[channel] = {**out[channel], "legend": {**out[channel]["legend"], **symbols}}
    return out


def _needs_glyphs(layers: Sequence[Layer], found: Sequence[Entry]) -> bool:
    """Does a one-shape legend misdraw an entry: a dash, a line with markers, a stroke marker, a span?"""
    def dashed(dash: tuple[float, ...] | None) -> bool:
        return bool(dash) and any(d > 0 for d in (dash or ())[1::2])

    return (any(layer.mark in ("rule", "tick", "rect", "errorband") for layer in layers)
            or any(e.glyph.kind == "line" and (e.glyph.marker is not None or dashed(e.glyph.dash)) for e in found)
            or any(e.glyph.marker == "stroke" for e in found))


def _by_entry(values: dict[str, Any], fallback: str) -> Any:
    """One legend property for every entry: the value itself when all agree, else a lookup by name."""
    distinct = {json.dumps(v) for v in values.values()}
    if len(distinct) == 1:
        return next(iter(values.values()))
    return {"expr": f"{expr_string(values)}[datum.value] || {fallback}"}


def _glyph_symbols(found: Sequence[Entry]) -> dict[str, Any]:
    """Legend properties drawing each entry as its glyph, filled and stroked in its colour.

    The stroke width is one number, the widest entry's: Vega reserves ``GLYPH_PX`` plus that width
    for the symbols only when it is a number (glyphs.py). An entry of another width (a lone
    marker, a bar, a thinner line) is drawn filled, its outline hidden by a dash pattern with no
    dash (the colour scale, not ``symbolStrokeColor``, strokes a colour legend's symbols)."""
    width = max(e.glyph.stroke_width for e in found)
    color = {"expr": "scale('color', datum.value)"}
    thinner = [e.name for e in found if e.glyph.stroke_width != width]
    paths = {e.name: glyph_path(e.glyph, filled=e.name in thinner) for e in found}
    out = {"symbolType": _by_entry(paths, "'circle'"), "symbolSize": GLYPH_PX * GLYPH_PX,
           "symbolStrokeWidth": num(width), "symbolFillColor": color, "symbolStrokeColor": color}
    if thinner:
        out["symbolDash"] = {"expr": f"indexof({expr_string(thinner)}, datum.value) >= 0 ? {list(_NO_DASH)} : null"}
    return out


#: a 1 px stroke over large data is drawn this wide: the PNG rasteriser (resvg) draws strokes of
#: 1 device pixel or thinner as hairlines, one segment at a time, so overlapping segments darken
#: with the number of rows rather than with what the line covers (100,000 noisy steps: 2.4 % of
#: pixels differ from a 1.001 px stroke, 1.2 % by more than 16 levels), and a reduced line, with
#: fewer segments, differed from the full one in 1.6 % of pixels (1.001 px: 0.15 %)
SOLID_PX = 1.001


def without_hairlines(compiled: dict[str, Any], scale: float = 1.0) -> dict[str, Any]:
    """``compiled`` (a layer, or a layer of layers) with its line, rule and trail strokes 1 device
    pixel wide at ``scale`` (1 px at --scale 1, 2 px at 0.5; a line's default width is 2, a rule's 1)
    drawn :data:`SOLID_PX` device pixels wide. Thinner strokes stay hairlines: widening them would
    change how they look."""
    out = dict(compiled)
    if isinstance(out.get("layer"), list):
        out["layer"] = [without_hairlines(sub, scale) for sub in out["layer"]]
    mark = out.get("mark")
    if isinstance(mark, dict) and mark.get("type") in ("line", "rule", "trail"):
        width = mark.get("strokeWidth", {"line": 2, "rule": 1}.get(mark["type"]))
        if isinstance(width, (int, float)) and math.isclose(width * scale, 1.0):
            out["mark"] = {**mark, "strokeWidth": round(SOLID_PX / scale, 6)}
    return out

