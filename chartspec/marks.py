"""Mark kinds beyond line/point/area/bar: what each one needs, how it is drawn, its legend symbol.

A layer always has an x field and a y field (the y field names its axis). Some marks need more:

- ``text`` writes the value of its ``text`` field at (x, y), just above the point, so it can
  label bars or points;
- ``errorband`` draws the y field as a line (e.g. the mean over seeds) over a shaded band from
  ``band.lower`` to ``band.upper`` (columns of the data, or ``band: {extent: ci}`` and friends
  computed from the raw rows by extents.py). One legend entry: the band's colour with a filled square;
- ``rule`` draws a vertical segment from ``band.lower`` to ``band.upper`` at each x (error bars);
- ``rect`` draws a box from ``band.lower`` to ``band.upper`` at each x (ranges, candles): a
  Vega-Lite bar with y2, banded on a discrete x and ``RECT_WIDTH`` pixels wide on a continuous one;
- ``tick`` draws a short horizontal tick at each (x, y) (strip plots, mean markers).

The compiler builds every layer as a line-like layer first; :func:`apply_mark` then reshapes the
encodings for these marks. Pure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .data import Table
    from .errors import Diagnostic
    from .model import ChartSpec, Layer
    from .source import SourceMap

__all__ = ["Band", "BAND_MARKS", "LEGEND_SYMBOL", "apply_mark", "legend_symbols", "mark_diagnostics", "parse_band"]

#: marks that need ``band: {lower, upper}``
BAND_MARKS = ("errorband", "rule", "rect")
#: the legend symbol of each mark when the layer has no ``point`` marker
LEGEND_SYMBOL = {"line": "stroke", "area": "square", "bar": "square", "point": "circle", "rule": "stroke",
                 "text": "circle", "tick": "stroke", "rect": "square", "errorband": "square"}
#: the band of an errorband is drawn this much weaker than its line
BAND_OPACITY = 0.25
#: px: width of a rect and length of a tick on a continuous x axis
RECT_WIDTH = 14
_TEXT_OFFSET = -5  # px: text sits just above its point, clear of a bar's top or a marker


@dataclass(frozen=True)
class Band:
    """The two fields a band, error bar or box spans; with ``extent``, fields extents.py computes."""

    lower: str
    upper: str
    extent: str | None = None

    def titles(self) -> tuple[str, str]:
        """What the tooltip calls the two ends."""
        if self.extent is None:
            return self.lower, self.upper
        return {"minmax": ("min", "max"), "ci": ("95% CI low", "95% CI high"), "stdev": ("mean - stdev", "mean + stdev"),
                "stderr": ("mean - stderr", "mean + stderr")}[self.extent]


def parse_band(raw: dict[str, Any] | None) -> Band | None:
    if not raw:
        return None
    if "extent" in raw:
        from .extents import LOWER_FIELD, UPPER_FIELD

        return Band(lower=LOWER_FIELD, upper=UPPER_FIELD, extent=raw["extent"])
    return Band(lower=raw["lower"], upper=raw["upper"])


def _field(name: str) -> str:
    from .compiler import field_ref  # late: the compiler imports this module

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


def legend_symbols(series: dict[str, Any], model: ChartSpec) -> dict[str, Any]:
    """The series encodings with each legend entry drawn as its mark's symbol.

    Vega-Lite takes legend symbols from the ``shape`` channel, which only point-like marks carry;
    a chart whose rules, ticks or boxes have no such partner would show circles. So when the chart
    has one of these marks, the legend sets each symbol's shape (and the stroke a 'stroke' symbol
    needs) from the entry's name. Charts of lines, points, areas and bars are left as they were.
    """
    if not any(layer.mark in ("rule", "tick", "rect", "errorband") for layer in model.layers):
        return series
    scale = series["shape"]["scale"]
    shapes = json.dumps(dict(zip(scale["domain"], scale["range"])), ensure_ascii=False)
    symbols = {"symbolType": {"expr": f"{shapes}[datum.value] || 'circle'"},
               "symbolStrokeColor": {"expr": "scale('color', datum.value)"}, "symbolStrokeWidth": 2}
    out = dict(series)
    for channel in ("color", "shape", "strokeDash"):
        if channel in out and out[channel].get("legend"):
            out[channel] = {**out[channel], "legend": {**out[channel]["legend"],
                                                       **symbols}}
    return out


# -- checks ------------------------------------------------------------------------------------------

def mark_diagnostics(spec: ChartSpec, views: Sequence[Table], source: SourceMap) -> list[Diagnostic]:
    """Each mark has the fields it needs (``text``, ``band``), they exist, and none it would ignore."""
    from .suggest import did_you_mean

    out: list[Diagnostic] = []
    for layer, view in zip(spec.layers, views):
        path = layer.json_path
        needs_band = layer.mark in BAND_MARKS
        if layer.mark == "text" and layer.text is None:
            out.append(source.diagnostic("mark 'text' needs a 'text' field: the column whose values it writes",
                                         path + ("mark",), hint="add e.g. 'text: accuracy' to this layer"))
        if layer.text_format is not None and layer.mark != "text":
            out.append(source.diagnostic(f"'text_format' is only used by mark 'text', not {layer.mark!r}",
                                         path + ("text_format",), key=True, hint="remove 'text_format'"))
        elif layer.text_format is not None and layer.text in view.columns and layer.text not in view.derived:
            found = view.first_text(layer.text)
            if found is not None:
                out.append(source.diagnostic(
                    f"'text_format' writes numbers, but row {found[0]} of {view.name} holds {found[1]!r} in "
                    f"{layer.text!r}", path + ("text_format",), hint="remove 'text_format', or fix the data"))
        if layer.text is not None and layer.mark != "text":
            out.append(source.diagnostic(f"'text' is only used by mark 'text', not {layer.mark!r}",
                                         path + ("text",), key=True,
                                         hint="set 'mark: text', or add a separate text layer"))
        if layer.mark == "rect" and layer.band is None and layer.heat is not None:
            discrete = ("nominal", "ordinal")
            for axis, where in ((spec.x, ("x",)), (layer.y, path + ("y",))):
                if axis.type not in discrete:
                    out.append(source.diagnostic(
                        f"a heatmap cell ('rect' coloured by a number, without 'band') needs a {where[-1]} axis of "
                        f"type ordinal or nominal, not {axis.type}", where, key=True,
                        hint="add 'type: ordinal' to the axis, or give the rect a 'band' to span"))
        elif needs_band and layer.band is None:
            out.append(source.diagnostic(
                f"mark {layer.mark!r} needs 'band: {{lower: <field>, upper: <field>}}': the extent it draws",
                path + ("mark",), hint="e.g. 'band: {lower: min_loss, upper: max_loss}'"))
        if layer.band is not None and not needs_band:
            out.append(source.diagnostic(f"'band' is only used by marks {', '.join(BAND_MARKS)}, not {layer.mark!r}",
                                         path + ("band",), key=True, hint="set 'mark: errorband' to draw a band"))
        fields = [(layer.text, path + ("text",))] if layer.mark == "text" and layer.text else []
        if layer.band is not None and needs_band:
            fields += [(layer.band.lower, path + ("band", "lower")), (layer.band.upper, path + ("band", "upper"))]
        for name, where in fields:
            if name not in view.columns:
                hint = did_you_mean(name, view.columns, what="a column") or f"columns: {', '.join(view.columns)}"
                out.append(source.diagnostic(f"field {name!r} not in {view.name}", where, hint=hint))
        if layer.point and layer.mark in ("text", "tick", *BAND_MARKS):
            out.append(source.diagnostic(f"'point' markers are drawn on line and area marks, not {layer.mark!r}",
                                         path + ("point",), key=True,
                                         hint="add a separate 'mark: point' layer for markers"))
        if layer.smooth is not None and layer.mark in ("text", "tick", *BAND_MARKS):
            out.append(source.diagnostic(f"'smooth' does not apply to mark {layer.mark!r}",
                                         path + ("smooth",), key=True))
    return out
