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
(engineagg.py), else the rows Python evaluated (layerdata.py), copied into the engine. Run before
the reduction, which keeps only the rows the pixels show. Rows a remote engine (Spark, PostgreSQL)
already cut, and rows made by a Vega expression Python cannot run, are not counted: no note.
"""

from __future__ import annotations

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
    from .engine import connect, new_name  # only charts with such a band start the engine

    # the engine's copy: the numbers (Vega's undefined and NaN missing) and each row's place, as
    # list parameters (an Arrow table would bring pandas in: 0.5 s of a cold validate)
    columns = {"x": model.x.field, "y": y, "s": spread}
    lists = {k: [_number(row.get(field)) for row in view.rows] for k, field in columns.items()}
    con, name = connect(root), new_name()
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT unnest($r::BIGINT[]) AS __row, unnest($x::DOUBLE[]) AS x, "
                f"unnest($y::DOUBLE[]) AS y, unnest($s::DOUBLE[]) AS s", {"r": list(range(len(view.rows))), **lists})
    try:
        single, drawn, at = _query(Relation(con, name, len(view.rows), ("x", "y", "s"), frozenset("xys")), "y", "s",
                                   pick="__row", order='"x" NULLS LAST, __row')
    finally:
        con.execute(f"DROP TABLE {name}")
    return single, drawn, view.rows[at].get(model.x.field) if at is not None else None


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
    """A value as the engine's copy holds it: a number, or None for anything Vega reads as missing."""
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
