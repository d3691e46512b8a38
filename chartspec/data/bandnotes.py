"""Band extents that draw nothing at an x: one sample has no standard deviation.

``band: {extent: stdev | stderr | ci}`` draws mean +- a spread of the rows at each x (seeds,
runs, repeats; spec/extents.py). The sample standard deviation of a single value is missing
(Vega's aggregate, and the engine's, engineagg.py), so at an x where one row is left the band or
error bar has a gap and the mean line goes on alone: what a run logged by one seed looks like.
The build says so in a note per layer: how many x positions (of a series, of a facet panel) hold
a single value, and the first of them. ``minmax`` draws a band of zero width there instead, so
it has nothing to tell.

Counted by the engine (DuckDB) over the layer's aggregated rows, one per x and series, where its
extent's aggregate left them: the engine's table when it aggregated a large layer
(engineagg.py), else, in Python, the few rows Python evaluated (layerdata.py). Run before
the reduction, which keeps only the rows the pixels show. Rows a remote engine (Spark, PostgreSQL)
already cut, and rows made by a Vega expression Python cannot run, are not counted: no note.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import Diagnostic
from ..spec.extents import EXTENTS
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from .engine import Relation, quote
from .layerdata import layer_view
from .table import Table
from .values import shown

__all__ = ["single_sample_notes"]

#: extent -> what needs two values
_NEEDS = {"stdev": "a standard deviation", "stderr": "a standard error", "ci": "a confidence interval"}
#: mark -> what is missing
_DRAWN = {"errorband": "the band", "area": "the band", "rule": "the error bar", "rect": "the box"}


def single_sample_notes(model: ChartSpec, table: Table, layer_tables: Sequence[Table | None], source: SourceMap,
                        root: Path | None) -> list[Diagnostic]:
    """A note for each layer whose extent has a gap at some x (module docstring)."""
    notes: list[Diagnostic] = []
    for layer in model.layers:
        if layer.band is None or layer.band.extent not in _NEEDS:
            continue
        own = layer_tables[layer.index] if layer.index < len(layer_tables) else None
        found = _count(layer, model, own or table, own is not None, root)
        if found is not None and found[0]:
            notes.append(_note(layer, model, source, *found))
    return notes


def _count(layer: Layer, model: ChartSpec, table: Table, has_own: bool, root: Path | None
           ) -> tuple[int, int, Any] | None:
    """(x positions with one value, x positions drawn, the first x with one value) of the layer's
    aggregated rows; None when they are not known here (a Vega expression Python cannot run)."""
    y, spread = layer.y.field, f"__band_{EXTENTS[layer.band.extent][0]}"  # type: ignore[union-attr]
    rel = table.relation
    if rel is not None:  # a large table: counted only where the engine aggregated the layer itself
        aggregated = not layer.transform and {model.x.field, y, spread} <= set(rel.columns)
        if not aggregated or rel.prereduced:
            return None
        x = quote(model.x.field)
        single, drawn, at = _query(rel, y, spread, pick=x, order=f"{x} NULLS LAST, __row")
        return single, drawn, int(at) if at is not None and model.x.field in rel.integer else at
    view, exact = layer_view(table, layer, model, has_own)
    if not exact or not view.rows or spread not in view.columns:
        return None
    # a few thousand aggregated rows in hand: counted here; starting the engine for them would
    # double a cold validate (0.4 -> 0.8 s), which keeps small charts off the engine
    finite = [(i, _number(row.get(model.x.field)), _number(row.get(y)), _number(row.get(spread)))
              for i, row in enumerate(view.rows)]
    drawn = [f for f in finite if f[2] is not None and math.isfinite(f[2])]
    single = [f for f in drawn if f[3] is None or not math.isfinite(f[3])]
    # the first in x order, rows without a number x last, then by place (the engine's ORDER BY)
    def order(f: tuple[int, float | None, float | None, float | None]) -> tuple[bool, float, int]:
        missing = f[1] is None or math.isnan(f[1])
        return missing, 0.0 if missing else f[1], f[0]  # type: ignore[return-value]

    first = min(single, key=order, default=None)
    return len(single), len(drawn), view.rows[first[0]].get(model.x.field) if first is not None else None


def _query(rel: Relation, y: str, spread: str, *, pick: str, order: str) -> tuple[int, int, Any]:
    """How many rows have a y and no spread, how many have a y, and ``pick`` of the first of the
    former in ``order``."""
    drawn = f"coalesce(isfinite({quote(y)}), false)"
    single = f"({drawn} AND NOT coalesce(isfinite({quote(spread)}), false))"
    (found,) = rel.con.execute(
        f"SELECT count(*) FILTER (WHERE {single}), count(*) FILTER (WHERE {drawn}), "
        f"(SELECT {pick} FROM {rel.name} WHERE {single} ORDER BY {order} LIMIT 1) FROM {rel.name}").fetchall()
    return int(found[0]), int(found[1]), found[2]


def _number(value: Any) -> float | None:
    """A value as a number, or None for anything Vega reads as missing."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _note(layer: Layer, model: ChartSpec, source: SourceMap, single: int, drawn: int, first: Any) -> Diagnostic:
    extent = layer.band.extent  # type: ignore[union-attr]
    where = (f"{drawn:,} x positions" + (f" of its series of {layer.series.field!r}" if layer.series else "")
             + (" in the facet's panels" if model.facet is not None else ""))
    return replace(source.diagnostic(
        f"at {single:,} of the {where}, {layer.y.field!r} has a single value (first at {model.x.field} "
        f"{shown(first, model.x)}): {_NEEDS[extent]} needs two, so {_DRAWN.get(layer.mark, 'the band')} "
        f"is missing there", layer.json_path + ("band", "extent"),
        hint="the spread needs several rows at each x (seeds, runs, repeats): check that every one logged "
             "these steps, or leave the steps of a single row out with a filter"), severity="note")
