"""Lines that draw nothing of a series: a run, or a piece of a line between holes, with one row.

Vega draws a line through two points or more; a series with a single row (a run that logged one
step, a one-row table, a value the training-log rules cut off between two holes) is drawn nowhere,
while its legend entry and the axes still show it (breaker17). Such a layer gets a note saying
which series and where, with the fix: a marker (``point: true``) draws single rows. Known only
where Python ran every transform of the layer (layerdata.py); a layer with markers draws them.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from ..data.layerdata import LayerData
from ..data.rows import DRAWS, LAYER_MASK, piece_column
from ..data.smoothing import smooth_series
from ..data.values import shown
from ..errors import Diagnostic
from ..spec.model import ChartSpec
from ..spec.source import SourceMap

__all__ = ["lone_row_notes"]


def _drawn(row: dict[str, Any], bit: int) -> bool:
    """Whether the steps rules and the reduction give ``row`` to the layer of ``bit``."""
    return all(not isinstance(row.get(c), int) or bool(row[c] & bit) for c in (DRAWS, LAYER_MASK))


def lone_row_notes(model: ChartSpec, data: LayerData, source: SourceMap) -> list[Diagnostic]:
    """A note for each line layer (without markers) with a series or line piece of one row."""
    notes = []
    for layer in model.layers:
        if layer.mark != "line" or layer.point or layer.index >= len(data.exact) or not data.exact[layer.index]:
            continue
        view = data.of(layer)
        keys = [*smooth_series(layer, model), piece_column(layer.index)]
        counts: dict[tuple[Any, ...], list[Any]] = {}
        bit = 1 << layer.index
        for row in view.rows:
            y, x = row.get(layer.y.field), row.get(model.x.field)
            if x is None or not isinstance(y, (int, float)) or isinstance(y, bool) or not math.isfinite(y):
                continue
            if _drawn(row, bit):
                counts.setdefault(tuple(row.get(k) for k in keys), []).append(x)
        lone = [(key, xs[0]) for key, xs in counts.items() if len(xs) == 1]
        if not lone:
            continue
        (key, at), more = lone[0], len(lone) - 1
        named = [f"{k} {v!r}" for k, v in zip(keys[:-1], key[:-1]) if v is not None]
        where = f"{' '.join(named) + ' ' if named else ''}at {model.x.field} {shown(at, model.x)}"
        what = "series or line pieces" if more else "series or line piece"
        notes.append(replace(source.diagnostic(
            f"layer {layer.name!r} draws nothing of {len(lone)} {what} with a single row ({where}"
            + (f", and {more} more" if more else "") + "): a line needs two",
            layer.json_path + ("mark",),
            hint="add 'point: true' to the layer to mark rows a line cannot join"), severity="note"))
    return notes
