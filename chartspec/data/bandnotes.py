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

A layer whose filters keep no row at all draws nothing: the compiler notes it where Python ran
the transforms (compiler/emptylayers.py), and :func:`empty_aggregate_notes` where the engine ran
them for a large layer's aggregate (the compiler then sees the aggregated rows, no transform),
with the same words (:func:`nothing_drawn_note`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, quoted
from ..spec.extents import EXTENTS
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Aggregate, Calculate, Filter, Fold, Rolling, Transform, expression_fields
from .engine import Relation, quote
from .layerdata import layer_steps, layer_view
from .table import Table
from .values import shown

__all__ = ["empty_aggregate_notes", "made_from", "nothing_drawn_note", "single_sample_notes"]

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


def made_from(fields: Sequence[str], steps: Sequence[Transform]) -> tuple[tuple[str, ...], bool]:
    """The columns of the data before ``steps`` that the values of ``fields`` after them are made
    from (``mean_loss`` of an aggregate over ``loss``: ``loss``), and whether a step makes one of
    them from rows alone (a ``count``, a constant): then any row is a value. A layer drawing an
    aggregate's output had "no values in the data" to lose, so an empty filter went unnoted."""
    needed, any_row = list(dict.fromkeys(fields)), False

    def swap(made: str, sources: Sequence[str]) -> None:
        nonlocal any_row
        if made in needed:
            needed.remove(made)
            needed.extend(f for f in sources if f not in needed)
            any_row = any_row or not sources

    for t in reversed(steps):
        if isinstance(t, Calculate):
            swap(t.as_field, expression_fields(t.expr))
        elif isinstance(t, Aggregate):
            for op in t.ops:
                swap(op.as_field, [f for f in (op.value if op.op in ("argmin", "argmax") else op.field,) if f])
        elif isinstance(t, Rolling):
            swap(t.as_field, [t.field])
        elif isinstance(t, Fold):
            swap(t.value, t.fields)
            swap(t.key, [])
    return tuple(needed), any_row


def nothing_drawn_note(layer: Layer, steps: Sequence[Transform], table_name: str, source: SourceMap,
                       fields: Sequence[str] | None = None) -> Diagnostic:
    """The note on ``layer`` whose ``steps`` keep no row of ``table_name`` with a value to draw
    (in ``fields``, the data's columns its y is made from, default its y field; ``()``: any row,
    as for a count), at the first filter (what drops rows), else the first step."""
    at = next((t for t in steps if isinstance(t, Filter)), steps[0]).json_path
    named = " or ".join(repr(f) for f in (fields if fields is not None else [layer.y.field]))
    return replace(source.diagnostic(
        f"layer {quoted(layer.name)} draws nothing: its transforms keep no row of {table_name}"
        + (f" with a value in {named}" if named else ""), at,
        hint="check the filter's values against the data (the chart is built without the layer)"), severity="note")


def empty_aggregate_notes(before: ChartSpec, after: ChartSpec, before_tables: Sequence[Table | None], table: Table,
                          layer_tables: Sequence[Table | None], source: SourceMap) -> list[Diagnostic]:
    """A note for each layer the engine aggregated (``before`` -> ``after``: engineagg.py) into no
    row with a y value from a table that has y values: its filters kept nothing."""
    notes: list[Diagnostic] = []
    for old, new in zip(before.layers, after.layers):
        own = layer_tables[new.index] if new.index < len(layer_tables) else None
        if old is new or own is None or own.relation is None:
            continue  # not aggregated by the engine
        had_own = new.index < len(before_tables) and before_tables[new.index] is not None
        steps = layer_steps(old, before, had_own)
        base = before_tables[new.index] if had_own else table  # (the aggregate replaced a layer's own table)
        sources, any_row = made_from([old.y.field], steps)  # an aggregate's output is not in the data
        if base is None or not steps or _values(own.relation, old.y.field) or not (
                any(_has_values(base, f) for f in sources) or (any_row and _has_rows(base))):
            continue
        notes.append(nothing_drawn_note(old, steps, base.name, source, () if any_row else sources))
    return notes


def _values(rel: Relation, column: str) -> bool:
    """Does ``column`` of ``rel`` hold a finite number? (text columns: any value)"""
    if column not in rel.columns:
        return False
    test = f"isfinite({quote(column)})" if column in rel.numeric else f"{quote(column)} IS NOT NULL"
    (found,) = rel.con.execute(f"SELECT EXISTS (SELECT 1 FROM {rel.name} WHERE {test})").fetchall()
    return bool(found[0])


def _has_rows(table: Table) -> bool:
    return bool(table.rows) or (table.relation is not None and table.relation.count > 0)


def _has_values(table: Table, column: str) -> bool:
    if table.relation is not None:
        return column in table.relation.columns and _values(table.relation, column)
    return any(math.isfinite(v) for v in table.numbers(column))
