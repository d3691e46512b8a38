"""Series and the one merged legend: colour, marker shape and dash of every entry together.

Every layer computes a ``__series`` field: its name, or for ``color: {field: run}`` the value of
that field, so one layer draws one line per run. Colour, shape and (when any layer is dashed)
strokeDash are all encoded on that field through scales whose domain lists every entry, so
Vega-Lite merges them into a single legend, even across independent y scales. A field's values
are sorted before they take palette colours, so a run keeps its colour whatever the row order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .data import Table
from .errors import Diagnostic
from .model import ChartSpec, Layer
from .scales import num
from .source import SourceMap
from .suggest import did_you_mean

__all__ = ["CATEGORY10", "SERIES_FIELD", "Entry", "entries", "layer_colors", "series_diagnostics", "series_text",
           "for_layer", "series_encodings", "series_transform", "series_values"]

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


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, (int, float)) and not isinstance(value, bool) else (1, str(value))


def series_values(layer: Layer, table: Table) -> list[str]:
    """The distinct values of the layer's series field, sorted (numbers numerically), as text."""
    assert layer.series is not None
    found = {row.get(layer.series.field) for row in table.rows} - {None}
    return [series_text(v) for v in sorted(found, key=_sort_key)]


def series_text(value: Any) -> str:
    # as Vega's toString() writes it: 3.0 is "3", true is "true"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(num(value)) if isinstance(value, float) else str(value)


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


def _heat_diagnostics(layer: Layer, view: Table, source: SourceMap) -> list[Diagnostic]:
    """A quantitative colour field exists and holds numbers; a rect without a band is a heatmap
    cell, which needs discrete x and y."""
    assert layer.heat is not None
    path = layer.json_path + ("color", "field")
    field = layer.heat.field
    if field not in view.columns:
        hint = did_you_mean(field, view.columns, what="a column") or f"columns: {', '.join(view.columns)}"
        return [source.diagnostic(f"field {field!r} not in {view.name}", path, hint=hint)]
    text = view.first_text(field) if field not in view.derived else None
    if text is not None:
        return [source.diagnostic(f"colour field {field!r} is read as numbers but row {text[0]} of {view.name} "
                                  f"holds {text[1]!r}", path, hint="fix the data, or drop 'type: quantitative' "
                                                                   "to draw one series per value")]
    return []


def for_layer(encodings: dict[str, Any], layer: Layer) -> dict[str, Any]:
    """The series encodings one layer uses: an area or bar given ``shape`` would get a marker on
    every data point (Vega-Lite adds a point overlay), so they leave it to the other layers."""
    if layer.mark in ("area", "bar"):
        return {k: v for k, v in encodings.items() if k != "shape"}
    return encodings


def series_diagnostics(spec: ChartSpec, views: Sequence[Table], source: SourceMap) -> list[Diagnostic]:
    """``color: {field: ...}`` names a column of the layer's data; legend entries are unique."""
    out: list[Diagnostic] = []
    names: dict[str, int] = {layer.name: layer.index for layer in spec.layers if layer.series is None}
    for layer, view in zip(spec.layers, views):
        if layer.heat is not None:
            out += _heat_diagnostics(layer, view, source)
        if layer.series is None:
            continue
        path = layer.json_path + ("color", "field")
        field = layer.series.field
        if field not in view.columns:
            hint = did_you_mean(field, view.columns, what="a column") or f"columns: {', '.join(view.columns)}"
            out.append(source.diagnostic(f"field {field!r} not in {view.name}", path, hint=hint))
            continue
        for value in series_values(layer, view) if field not in view.derived else []:
            if value in names:
                out.append(source.diagnostic(
                    f"the series {value!r} of field {field!r} has the same legend name as layer {names[value] + 1}",
                    path, hint="rename that layer with 'name', so the legend tells the two apart"))
            names.setdefault(value, layer.index)
    return out
