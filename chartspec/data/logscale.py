"""Values a log scale cannot place: zero and below.

The rule, as for a cell that is not a finite number (numbers.py): a log axis draws the values
above zero; a value at or below zero is left out as a missing value is (no point, and Vega breaks
a line there; the compiler makes it null in the Vega-Lite, compiler/logscale.py), never drawn
at the plot's edge, and the build says so in a note. An axis with no value above zero is refused.
The check reads what each layer draws: its rows after its transforms (a filter ``gt: 0`` leaves
nothing to tell), where Python can run them (evaluate.py); otherwise Vega still leaves the values
out, without a note. A table the reduction cut (reduce.py) is counted by the engine on every row
its layer plots, before the cut (:func:`full_log_counts`): the kept rows hold few of them.

``sqrt`` and ``pow`` scales draw negatives mirrored (d3 takes ``-sqrt(-x)``) and ``symlog`` every
number, so only ``log`` has values it cannot place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from dataclasses import field as _field
from typing import Any

from ..errors import Diagnostic, quoted
from ..spec.model import Axis, ChartSpec, Layer
from ..spec.source import SourceMap
from .engine import Relation, quote
from .layerdata import layer_steps, layer_view
from .table import Table
from .values import shown

__all__ = ["FullCount", "full_log_counts", "log_diagnostics", "on_log_scale"]


@dataclass
class _Found:
    """Per log axis and field: values at or below zero and above it, and the first one below."""

    below: int = 0
    above: int = 0
    first: tuple[Any, Any] | None = None  # (x, value)
    table: str = ""
    #: the transforms the counted rows went through (their kinds: "filter", ...), and how many values
    #: above zero a layer's rows held before them (the most of any layer; None: not counted), so that
    #: an axis left empty by its layers' filters is not blamed on the file
    steps: set[str] = _field(default_factory=set)
    before: int | None = 0


@dataclass(frozen=True)
class FullCount:
    """One layer's field on a log scale, counted on the full table: the rows counted (SQL: two
    layers reading the same ones count them once), values at or below zero and above, the first below."""

    rows: str
    below: int
    above: int
    first: tuple[Any, Any] | None
    #: values above zero before the layer's filters, counted only when none is left after them
    #: (None: not counted, as by the Spark and PostgreSQL engines)
    before: int | None = None


def on_log_scale(spec: ChartSpec, layer: Layer) -> tuple[bool, bool]:
    """Whether ``layer``'s x and its y are drawn on a log scale (a y axis' scale is its first layer's)."""
    owner = next(other.y for other in spec.layers if other.y.axis == layer.y.axis)
    return spec.x.scale == "log", owner.scale == "log"


def full_log_counts(rel: Relation, plans: Sequence[Any], spec: ChartSpec) -> dict[tuple[int, str], FullCount]:
    """Per (layer index, field) on a log scale: its values counted by the engine over every row the
    layer plots (a reduce.py plan: its rows' SQL ``source`` and filter ``where``), in row order."""
    out: dict[tuple[int, str], FullCount] = {}
    x = quote(spec.x.field)
    for plan in plans:
        log_x, log_y = on_log_scale(spec, plan.layer)
        for name in [spec.x.field] * log_x + [plan.layer.y.field] * log_y:
            if name not in plan.numeric:
                continue  # folded or made in Vega: unknown here
            value = f"CAST({quote(name)} AS DOUBLE)"
            below, above = f"{value} <= 0", f"{value} > 0 AND NOT isnan({value})"  # NaN is missing, not a value
            counted = f"FROM {plan.source} WHERE {plan.where}"
            (n_below, n_above, first_x, first), = rel.sql(
                f"SELECT count(*) FILTER (WHERE {below}), count(*) FILTER (WHERE {above}), "
                f"arg_min({x}, __row) FILTER (WHERE {below}), arg_min({quote(name)}, __row) FILTER (WHERE {below}) "
                f"{counted}")
            first_x, first = (_as_read(rel, spec.x.field, first_x), _as_read(rel, name, first))
            # nothing left above zero: were there any before the filters? (the error says which)
            before = rel.sql(f"SELECT count(*) FILTER (WHERE {above}) FROM {plan.source}")[0][0] \
                if n_below and not n_above else None
            out[(plan.layer.index, name)] = FullCount(counted, int(n_below), int(n_above),
                                                     (first_x, first) if n_below else None, before)
    return out


def _as_read(rel: Relation, field: str, value: Any) -> Any:
    """A cell as rows.fetch reads it: whole numbers of an integer column held as doubles are ints."""
    whole = field in rel.integer and isinstance(value, float) and value.is_integer() and abs(value) < 2**53
    return int(value) if whole else value


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
    counted: set[tuple[int, str, Any]] = set()  # x is every layer's: each table's rows counted once
    for axis, layer in wanted:
        own = layer_tables[layer.index] if layer.index < len(layer_tables) else None
        field = spec.x.field if axis is spec.x else layer.y.field
        steps = {type(step).__name__.lower() for step in layer_steps(layer, spec, own is not None)}
        full = (own or table).log_counts.get((layer.index, field))
        if full is not None:  # a reduced table: counted on all its rows before the cut
            axes[id(axis)] = axis
            if (id(axis), field, full.rows) not in counted:
                counted.add((id(axis), field, full.rows))
                seen = found.setdefault((id(axis), field), _Found(table=(own or table).name))
                seen.below, seen.above = seen.below + full.below, seen.above + full.above
                seen.first = seen.first or full.first
                seen.steps |= steps
                seen.before = None if seen.before is None or full.before is None else max(seen.before, full.before)
            continue
        view, exact = layer_view(own or table, layer, spec, own is not None)
        if not exact or field not in view.columns or field in view.derived:
            continue  # made in Vega: unknown here
        axes[id(axis)] = axis
        if (id(axis), field, id(view.rows)) in counted:
            continue
        counted.add((id(axis), field, id(view.rows)))
        seen = found.setdefault((id(axis), field), _Found(table=view.name))
        _count(seen, view.rows, field, spec.x.field)
        if steps and seen.before is not None:  # the values its transforms started from (the most of any
            seen.steps |= steps                # layer's: two layers' filters of one table count it once)
            seen.before = max(seen.before, sum(1 for row in (own or table).rows if _positive(row.get(field))))
    return _report(found, axes, spec, source)


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


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
            errors.append(_nothing_above(field, seen, source, where))
            continue
        x_value, value = seen.first or (None, None)
        values = "1 value" if seen.below == 1 else f"{seen.below:,} values"
        notes.append(replace(source.diagnostic(
            f"{values} of {field!r} in {seen.table} at or below zero (first: {quoted(value)} at {spec.x.field} "
            f"{shown(x_value, spec.x)}) cannot be placed on a log scale: left out as missing values, not drawn at the edge",
            where, hint=f"to leave them out quietly add 'transform: [{{filter: {{field: {field}, gt: 0}}}}]'; "
                        "to draw them use 'scale: symlog'"), severity="note"))
    return errors, notes


def _nothing_above(field: str, seen: _Found, source: SourceMap, where: Any) -> Diagnostic:
    """The error of a log axis with no value above zero: the data's fault, or its transforms'. A
    filter keeping step 0 said "'step' in d.csv has none" of a file holding a thousand steps."""
    hint = "use 'scale: symlog' (it draws zero and negatives), or 'scale: linear'"
    if not seen.steps or seen.before == 0:
        return source.diagnostic(f"a log scale shows values above zero, and {field!r} in {seen.table} has none",
                                 where, hint=hint)
    kind = "filters" if seen.steps == {"filter"} else "transforms"
    held = "" if seen.before is None else \
        f" ({seen.table} has {seen.before:,} value{'s' if seen.before != 1 else ''} above zero)"
    return source.diagnostic(
        f"a log scale shows values above zero, and the layers' {kind} leave no value of {field!r} above zero "
        f"to draw{held}", where,
        hint=f"check the {kind}: they keep only values at or below zero; or {hint}")
