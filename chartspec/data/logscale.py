"""Values a log scale cannot place: zero and below.

The rule, as for a cell that is not a finite number (numbers.py): a log axis draws the values
above zero; a value at or below zero is left out as a missing value is (no point, a line joins
its neighbours; the compiler makes it null in the Vega-Lite, compiler/logscale.py), never drawn
at the plot's edge, and the build says so in a note. An axis with no value above zero is refused.
The check reads what each layer draws: its rows after its transforms (a filter ``gt: 0`` leaves
nothing to tell), where Python can run them (evaluate.py); otherwise Vega still leaves the values
out, without a note.

``sqrt`` and ``pow`` scales draw negatives mirrored (d3 takes ``-sqrt(-x)``) and ``symlog`` every
number, so only ``log`` has values it cannot place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import Diagnostic
from ..spec.model import Axis, ChartSpec
from ..spec.source import SourceMap
from .layerdata import layer_view
from .table import Table
from .values import shown

__all__ = ["log_diagnostics"]


@dataclass
class _Found:
    """Per log axis and field: values at or below zero and above it, and the first one below."""

    below: int = 0
    above: int = 0
    first: tuple[Any, Any] | None = None  # (x, value)
    table: str = ""


def log_diagnostics(spec: ChartSpec, table: Table, layer_tables: Sequence[Table | None],
                    source: SourceMap) -> tuple[list[Diagnostic], list[Diagnostic]]:
    """(errors, notes) for the log axes of ``spec``: an axis with nothing above zero is an error,
    values at or below zero left out are a note."""
    owners: dict[str, Axis] = {}
    for layer in spec.layers:
        owners.setdefault(layer.y.axis, layer.y)
    wanted = [(spec.x, layer) for layer in spec.layers if spec.x.scale == "log"]
    wanted += [(owners[layer.y.axis], layer) for layer in spec.layers if owners[layer.y.axis].scale == "log"]
    if not wanted:
        return [], []
    found: dict[tuple[int, str], _Found] = {}
    axes: dict[int, Axis] = {}
    counted: set[tuple[int, str, int]] = set()  # x is every layer's: each table's rows counted once
    for axis, layer in wanted:
        own = layer_tables[layer.index] if layer.index < len(layer_tables) else None
        view, exact = layer_view(own or table, layer, spec, own is not None)
        field = spec.x.field if axis is spec.x else layer.y.field
        if not exact or field not in view.columns or field in view.derived:
            continue  # made in Vega: unknown here
        axes[id(axis)] = axis
        if (id(axis), field, id(view.rows)) in counted:
            continue
        counted.add((id(axis), field, id(view.rows)))
        _count(found.setdefault((id(axis), field), _Found(table=view.name)), view.rows, field, spec.x.field)
    return _report(found, axes, spec, source)


def _count(into: _Found, rows: Sequence[dict[str, Any]], field: str, x: str) -> None:
    for row in rows:
        value = row.get(field)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value != value:
            continue
        if value > 0:
            into.above += 1
            continue
        into.below += 1
        if into.first is None:
            into.first = (row.get(x), value)


def _report(found: dict[tuple[int, str], _Found], axes: dict[int, Axis], spec: ChartSpec,
            source: SourceMap) -> tuple[list[Diagnostic], list[Diagnostic]]:
    errors: list[Diagnostic] = []
    notes: list[Diagnostic] = []
    for (key, field), seen in found.items():
        if not seen.below:
            continue
        axis = axes[key]
        where = axis.json_path + ("scale",)
        if not any(other.above for (k, _), other in found.items() if k == key):
            errors.append(source.diagnostic(
                f"a log scale shows values above zero, and {field!r} in {seen.table} has none", where,
                hint="use 'scale: symlog' (it draws zero and negatives), or 'scale: linear'"))
            continue
        x_value, value = seen.first or (None, None)
        values = "1 value" if seen.below == 1 else f"{seen.below:,} values"
        notes.append(replace(source.diagnostic(
            f"{values} of {field!r} in {seen.table} at or below zero (first: {value!r} at {spec.x.field} "
            f"{shown(x_value, spec.x)}) cannot be placed on a log scale: left out as missing values, not drawn at the edge",
            where, hint=f"to leave them out quietly add 'transform: [{{filter: {{field: {field}, gt: 0}}}}]'; "
                        "to draw them use 'scale: symlog'"), severity="note"))
    return errors, notes
