"""A colour field naming more series than a chart can tell apart, refused before Vega runs.

``color: {field: run}`` makes one series per value: a line of its own, a colour from a palette
of 10-20 and a legend entry (a row about 16 px tall). A field of 50,000 values built in 31 s and
made a 9.7 MB SVG whose legend ran on for 800,000 px. :data:`MAX_SERIES` is far above a real
sweep (a few hundred runs) and already past what a legend or palette can show (a 16,000 px
legend; colours repeating 50-100 times). Counted as the layers colour them, after their
filters: in the engine (DuckDB) for tables held there, before the reduction
(:func:`engine_series_diagnostics`); the small tables read in Python are counted with the
categorical axes (categories.py), where a table of at most :data:`MAX_SERIES` rows costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Diagnostic
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Calculate, Filter
from .engine import quote
from .layerdata import layer_steps
from .layerfilters import filters_sql
from .table import Table

__all__ = ["MAX_SERIES", "colour_fields", "engine_series_diagnostics", "too_many_series"]

#: distinct values a ``color: {field}`` may hold in one chart (see the module's docstring)
MAX_SERIES = 1_000


def colour_fields(model: ChartSpec) -> dict[str, list[Layer]]:
    """Each field that names series (a nominal ``color: {field}``) and the layers it colours."""
    out: dict[str, list[Layer]] = {}
    for layer in model.layers:
        if layer.series is not None:
            out.setdefault(layer.series.field, []).append(layer)
    return out


def too_many_series(field: str, layer: Layer, source: SourceMap) -> Diagnostic:
    """The error at the first colour field's position."""
    return source.diagnostic(
        f"field {field!r} has more than {MAX_SERIES:,} distinct values as colours: a series, a colour and a legend "
        "entry each, more than a palette or a legend can tell apart (50,000 took Vega 31 s to draw)",
        layer.json_path + ("color", "field"),
        hint="filter the rows to the series worth comparing (a 'filter' transform with 'one_of'), colour by a "
             "coarser field (and facet by it for panels), or aggregate the series first (e.g. their mean per x)")


def engine_series_diagnostics(model: ChartSpec, table: Table, layer_tables: Sequence[Table | None],
                              source: SourceMap) -> tuple[list[Diagnostic], frozenset[str]]:
    """The colour fields with more than :data:`MAX_SERIES` values among the rows their layers
    keep, counted by the engine, and every field counted there; the others (a table read in
    Python, a filter SQL cannot run, a field a transform makes) are left to categories.py."""
    problems, counted = [], set()
    for field, layers in colour_fields(model).items():
        values: set[object] = set()
        for layer in layers:
            own = layer_tables[layer.index] if layer.index < len(layer_tables) else None
            found = _engine_values(own or table, layer, model, own is not None, field)
            if found is None:
                break
            values |= found
        else:
            counted.add(field)
            if len(values) > MAX_SERIES:
                problems.append(too_many_series(field, layers[0], source))
    return problems, frozenset(counted)


def _engine_values(table: Table, layer: Layer, model: ChartSpec, has_own: bool, field: str) -> set[object] | None:
    """Up to MAX_SERIES + 1 distinct values of ``field`` in the rows ``layer`` keeps of an engine
    table; None when the engine cannot tell (not an engine table, not a column, a transform
    other than filters)."""
    rel = table.relation
    if rel is None or field not in rel.columns:
        return None
    steps = layer_steps(layer, model, has_own)
    if any(not isinstance(step, (Filter, Calculate)) or getattr(step, "as_field", None) == field for step in steps):
        return None  # a fold or aggregate reshapes the rows, a calculate remakes the field
    where = filters_sql(layer, model, has_own, rel) if any(isinstance(s, Filter) for s in steps) else "TRUE"
    if where is None:
        return None
    col = quote(field)
    return {value for value, in rel.sql(f"SELECT DISTINCT {col} FROM {rel.name} WHERE {where} "
                                        f"LIMIT {MAX_SERIES + 1}")}
