"""Finishing a compiled layer with what the data side asks for, and the smoothed layer's raw twin.

The compiler builds a layer's marks and encodings; :func:`finish_layer` then adds the chart's and
the layer's transforms (as Vega-Lite transforms, before the layer's legend-series field), the
layer's own rows when it has a ``data:`` override, and for a smoothed layer the EMA column and
the faint raw series behind it (:func:`with_raw_layer`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..data.layerdata import LayerData, layer_dates, layer_steps
from ..data.loaded import Spec
from ..data.m4grid import small_rows
from ..data.reduce import LAYER_MASK
from ..data.rows import DRAWS, piece_column
from ..data.smoothing import smooth_column
from ..data.table import Table
from ..spec.model import Layer
from ..spec.smoothing import Smooth
from .marks import without_hairlines
from .styles import STYLE_FIELD
from .transforms import vegalite_transforms


def with_raw_layer(compiled: dict[str, Any], *, column: str, smooth: Smooth, color: str | None) -> dict[str, Any]:
    """A compiled layer turned into its smoothed form, with the faint raw series behind it.

    The smooth layer plots ``column`` and keeps the legend entry. The raw layer plots the original
    field in the same colour at low opacity, without markers, tooltips or a legend entry of its own.
    """
    smooth_layer = copy.deepcopy(compiled)
    enc = smooth_layer["encoding"]
    raw_field = enc["y"]["field"]
    enc["y"] = {**enc["y"], "field": column}
    enc["tooltip"] = [t if t.get("field") != raw_field else {**t, "field": column} for t in enc.get("tooltip", [])]
    if not smooth.show_raw:
        return smooth_layer
    raw = copy.deepcopy(compiled)
    mark = {k: v for k, v in raw["mark"].items() if k not in ("point",)}
    mark["opacity"] = smooth.raw_opacity
    mark["strokeWidth"] = min(mark.get("strokeWidth", 1.0), 1.0)
    raw["mark"] = mark
    raw_enc = raw["encoding"]
    raw_enc.pop("shape", None)
    raw_enc.pop("tooltip", None)
    if color is not None and raw_enc.get("color", {}).get("field") == "__series":
        raw_enc["color"] = {"value": color}  # one colour: no legend entry for the raw series
    # Several series (colour by a field): the raw lines keep the shared colour scale, so each takes
    # its series' colour; they add no entries, as the legend lists the scale's domain once. The
    # merged legend draws its symbols like the first layer, the faint one: make them solid.
    for channel in ("color", "strokeDash"):
        legend = raw_enc.get(channel, {}).get("legend")
        if raw_enc.get(channel, {}).get("field") == STYLE_FIELD:  # the line-style legend sets its own widths
            raw_enc[channel]["legend"] = {**legend, "symbolOpacity": 1} if isinstance(legend, dict) else legend
        elif isinstance(legend, dict):
            raw_enc[channel]["legend"] = {**legend, "symbolOpacity": 1,
                                          "symbolStrokeWidth": compiled["mark"].get("strokeWidth", 2)}
    return {"layer": [raw, smooth_layer]}


def time_unit_step(field: str, unit: str) -> dict[str, Any]:
    """The Vega-Lite transform flooring ``field`` to ``unit`` in place (UTC, as dates are read)."""
    return {"timeUnit": {"unit": unit, "utc": True}, "field": field, "as": field}


def finish_layer(compiled: dict[str, Any], layer: Layer, spec: Spec, data: LayerData, color: str | None,
                 values: Callable[[Table], list[dict[str, Any]]]) -> dict[str, Any]:
    """``compiled`` (one layer of the compiler) with its transforms, own data and smoothing."""
    model = spec.model
    own = data.own[layer.index] if layer.index < len(data.own) else None
    steps = vegalite_transforms(layer_steps(layer, model, own is not None), model.x.field, layer_dates(layer, model))
    if model.x.time_unit is not None:  # before every transform: an aggregate grouped by x sums per unit
        steps = [time_unit_step(model.x.field, model.x.time_unit), *steps]
    split = own is None and split_layers(spec, data.main)
    bit = 2**layer.index
    # a reduced table shared by layers (unless split into per-layer data); the rows steps.py draws: this layer's
    for mask in (LAYER_MASK, DRAWS):
        if mask in (own or data.main).columns and not (split and mask == LAYER_MASK):
            steps = [{"filter": f"datum.{mask} % {2 * bit} >= {bit}"}, *steps]
    if steps:
        compiled = {**compiled, "transform": [*steps, *compiled.get("transform", [])]}
    if piece_column(layer.index) in (own or data.main).columns:  # a hole in x: one path per piece (steps.py)
        compiled = unstacked({**compiled, "encoding": {**compiled["encoding"], "detail": {
            "field": piece_column(layer.index), "type": "quantitative"}}})
    if layer.smooth is not None:
        compiled = with_raw_layer(compiled, column=smooth_column(layer.index), smooth=layer.smooth, color=color)
    table = own or data.main
    if (table.reduced_from or len(table.rows)) > small_rows(model):  # large data: no hairlines (marks.py)
        compiled = without_hairlines(compiled, spec.scale)
    if own is not None:
        compiled = {"data": {"values": values(own)}, **compiled}
    elif split:
        compiled = {"data": {"values": values(layer_rows(data.main, layer.index))}, **compiled}
    return compiled


#: the marks Vega-Lite stacks by their colour and detail fields unless told not to (its stack.ts)
STACKED_MARKS = ("area", "bar", "arc")


def unstacked(compiled: dict[str, Any]) -> dict[str, Any]:
    """``compiled`` (a unit or a layer of units) with ``stack: null`` on y wherever Vega-Lite would
    stack it by its colour and detail fields. A piece of a line (a ``detail`` per hole in x) is no
    series to sum: stacked, Vega-Lite first imputes every piece to every x of the layer (``impute``
    by ``[__series, __piece]``, value 0), so 200 holes in 50,000 rows made 10,000,000 rows, a
    37 MB SVG and an engine out of memory. Unstacked, each piece fills down to the baseline on its
    own xs, and a hole is a gap in the fill, as it is in a line."""
    if "layer" in compiled:
        return {**compiled, "layer": [unstacked(child) for child in compiled["layer"]]}
    mark = compiled.get("mark")
    kind = mark.get("type") if isinstance(mark, dict) else mark
    encoding = compiled.get("encoding", {})
    if kind not in STACKED_MARKS or "y" not in encoding or "y2" in encoding:  # a range never stacks
        return compiled
    return {**compiled, "encoding": {**encoding, "y": {**encoding["y"], "stack": None}}}


def split_layers(spec: Spec, table: Table) -> bool:
    """Does each layer drawing from the reduced chart table get its own rows (``data`` on the layer)
    instead of the shared table and a filter on :data:`LAYER_MASK`? Vega then ingests and filters
    no rows a layer does not draw (measured on 1,000,000 rows x 2 lines: Vega 0.45 -> 0.26 s, the
    same SVG). A facet splits only the chart's own data into panels, so it keeps the mask."""
    return LAYER_MASK in table.columns and spec.model.facet is None


def layer_rows(table: Table, index: int) -> Table:
    """The rows of a reduced shared table that layer ``index`` draws, without the mask column."""
    bit = 1 << index
    rows = tuple(_without_mask(row) for row in table.rows if row[LAYER_MASK] & bit)
    return replace(table, rows=rows, columns=tuple(c for c in table.columns if c != LAYER_MASK))


def _without_mask(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    del out[LAYER_MASK]
    return out
