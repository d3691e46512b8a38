"""Layers whose transforms keep nothing to draw, and the axes left with no value at all.

A filter that keeps no row (a seed not run yet, a typo in a value) draws an empty layer; the
chart still builds, as it should while a sweep is running. The build says so in a note per layer,
as it does of a column with no value yet (data/checks.py). An axis on which nothing at all is drawn
has an empty domain: Vega writes its description as "values from NaN to NaN" (a line) or "from
Infinity to -Infinity" (a band), read aloud by screen readers. Such an axis is left out of the
accessible tree (``aria: false``): the note says why it is empty. Known only where Python ran
every transform of the layer (layerdata.py); anything else is left to Vega.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..data.bandnotes import made_from, nothing_drawn_note
from ..data.layerdata import LayerData, layer_steps
from ..data.smoothing import smooth_column
from ..data.table import Table
from ..errors import Diagnostic
from ..spec.model import ChartSpec, Layer, axis_of
from ..spec.source import SourceMap

__all__ = ["empty_layer_notes", "silent_axis"]


def _plotted(layer: Layer) -> list[str]:
    """The columns whose values a layer draws on its y axis."""
    fields = [layer.y.field]
    if layer.band is not None and layer.band.extent is None:
        fields += [layer.band.lower, layer.band.upper]
    if layer.smooth is not None:
        fields.append(smooth_column(layer.index))
    return fields


def _finite(table: Table, fields: Sequence[str]) -> bool:
    return any(math.isfinite(v) for f in fields for v in table.numbers(f))


def _draws_nothing(layer: Layer, data: LayerData) -> bool:
    """Whether ``layer`` certainly draws nothing: Python ran its transforms and they kept no row
    (or, on a number axis, no row with a value)."""
    if layer.index >= len(data.exact) or not data.exact[layer.index]:
        return False
    view = data.of(layer)
    if layer.y.type not in ("quantitative", "temporal"):
        return not view.rows
    return not _finite(view, _plotted(layer))


def empty_layer_notes(model: ChartSpec, data: LayerData, source: SourceMap) -> list[Diagnostic]:
    """A note for each layer whose transforms leave nothing to draw of data that has values."""
    notes = []
    for layer in model.layers:
        own = data.own[layer.index] if layer.index < len(data.own) else None
        base = own if own is not None else data.main
        steps = layer_steps(layer, model, own is not None)
        # what the plotted fields are made of in the data: an aggregate's output is not in it
        sources, any_row = made_from(_plotted(layer), steps)
        # numbers_in_data: a large table's rows are what the reduction kept after the layers' filters
        had = (_finite(base, sources) or any(f in base.numbers_in_data for f in sources) or (any_row and bool(base.rows))
               if layer.y.type in ("quantitative", "temporal") else bool(base.rows))
        if not steps or not had or not _draws_nothing(layer, data):
            continue  # no transform to blame (a column with no value yet is noted by the checks)
        named, rows_only = made_from([layer.y.field], steps)  # the note names the y's own sources
        # (the engine's aggregates: bandnotes.py)
        notes.append(nothing_drawn_note(layer, steps, base.name, source, () if rows_only else named))
    return notes


def silent_axis(encoding: dict[str, Any], members: Sequence[Layer], model: ChartSpec, data: LayerData,
                axis_id: str | None) -> dict[str, Any]:
    """``encoding`` (of the y axis ``axis_id``, or of x when None) with ``aria: false`` when no
    layer on it draws anything and nothing else sets its domain, so Vega's description of an
    empty domain ("from NaN to NaN") is not read out; unchanged otherwise."""
    axis = model.x if axis_id is None else members[0].y
    annotated = any(a.x if axis_id is None else a.y and axis_of(a, model.layers) == axis_id
                    for a in model.annotations)
    if (axis.domain is not None or annotated or not members or encoding.get("axis") is None
            or not all(_draws_nothing(layer, data) for layer in members)):
        return encoding
    return {**encoding, "axis": {**encoding["axis"], "aria": False}}
