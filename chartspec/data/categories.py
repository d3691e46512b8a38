"""An x of categories (``type: ordinal`` or ``nominal``) with more of them than the plot can show.

Categories are never reduced (data/reduce.py cuts numbers and dates, where a pixel column means
something): each gets a band or point of its own, and a label. A log's step column read as
categories, 100,000 of them, gave each band 0.006 px and Vega took 282 s to place the labels
(a 37 MB SVG). Such a chart is refused before Vega runs, at its x, with what to write instead;
counted as the layers draw them, after their filters (a filter keeping 400 of 7,000 names draws).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from ..errors import Diagnostic, JsonPath
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Filter
from .countbound import bound_rows
from .layerdata import layer_view
from .seriescount import MAX_SERIES, colour_fields, too_many_series
from .table import Table

__all__ = ["MAX_CATEGORIES_PER_PX", "MAX_PANELS", "category_diagnostics"]

#: categories a CSS pixel of the plot's width may carry (at least 1,000 in all): beyond, bands are
#: a tenth of a pixel and no label can be read
MAX_CATEGORIES_PER_PX = 10
#: panels a facet may make: a facet of 50,000 values exhausted Vega's memory (the renderer crashed)
MAX_PANELS = 500


def category_diagnostics(model: ChartSpec, table: Table, layer_tables: Sequence[Table | None],
                         source: SourceMap, counted: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """An error for each categorical axis (x, y) holding more distinct values than its side of the
    plot can show, for facet fields making more panels than :data:`MAX_PANELS`, and for colour
    fields naming more series than :data:`~.seriescount.MAX_SERIES` (but those the engine
    ``counted`` before the reduction: seriescount.py)."""
    checks: list[tuple[str, JsonPath, int, str]] = []
    y = _chart_y(model)
    for axis, where, side in ((model.x, ("x", "type"), model.width),
                              (y, model.layers[0].json_path + ("y", "type"), model.height)):
        if axis is not None and axis.type in ("ordinal", "nominal"):
            checks.append((axis.field, where, max(1000, MAX_CATEGORIES_PER_PX * side),
                           f"on its {axis.type} axis: each would get under a tenth of a pixel of the {side} px plot, "
                           "and Vega would take minutes placing their labels"))
    facet = model.facet
    for key in ("field", "row", "column"):
        field = getattr(facet, key, None) if facet is not None else None
        if field:
            checks.append((field, ("facet", key), MAX_PANELS, "as panels: Vega runs out of memory drawing so many"))
    problems = _series_problems(model, table, layer_tables, source, counted)
    for field, path, limit, why in checks:
        if _distinct((t.rows for t in (table, *layer_tables) if t is not None), field, limit) <= limit:
            continue
        # as the layers draw them: after their filters and calculates (countbound.py: a filter Python
        # cannot run, a regular expression's, counted as keeping every row)
        rows, skipped = _drawn(model, model.layers, [_own(layer_tables, la) or table for la in model.layers], table,
                               field)
        if _distinct(rows, field, limit) > limit:
            hint = ("draw it as numbers (type: quantitative) or dates (type: temporal), which chartspec cuts to "
                    "what the pixels show, or filter or aggregate the rows into fewer values first"
                    if path[0] != "facet" else "filter the rows to the panels worth comparing, or tell the series "
                                               "apart by colour instead of panels")
            problems.append(source.diagnostic(f"field {field!r} has more than {limit:,} distinct values {why}"
                                              + _unrun(skipped), path, hint=_unrun_hint(skipped, hint)))
    return problems


def _drawn(model: ChartSpec, layers: Sequence[Layer], tables: Sequence[Table], main: Table,
           field: str) -> tuple[list[Sequence[dict[str, Any]]], Filter | None]:
    """The rows ``layers`` draw from ``tables``, to count ``field`` in: a layer whose filter Python
    cannot run counts the rows that filter sees (an upper bound: countbound.py), the first such
    filter returned; a layer with no such bound is not counted (a fold, an aggregate)."""
    rows: list[Sequence[dict[str, Any]]] = []
    skipped: Filter | None = None
    for layer, t in zip(layers, tables):
        view, exact = layer_view(t, layer, model, t is not main)
        if exact:
            rows.append(view.rows)
        elif (bound := bound_rows(t, layer, model, t is not main, field)) is not None:
            rows.append(bound.rows)
            skipped = skipped or bound.skipped
    return rows, skipped


def _unrun(skipped: Filter | None) -> str:
    return "" if skipped is None else (" before a filter chartspec cannot run ahead of Vega (a regular expression): "
                                       "counted as if it kept every row")


def _unrun_hint(skipped: Filter | None, hint: str) -> str:
    if skipped is None:
        return hint
    return (f"write the filter {skipped.expr or ''!r} so that chartspec runs it too, which counts only the rows it "
            "keeps: 'one_of' or 'equal' on the field, or an expression without regular expressions; or " + hint)


def _series_problems(model: ChartSpec, table: Table, layer_tables: Sequence[Table | None], source: SourceMap,
                     counted: frozenset[str]) -> list[Diagnostic]:
    """Colour fields the engine did not count, counted in the rows their layers draw (a filter
    Python cannot run counted as keeping every row: countbound.py)."""
    problems = []
    for field, layers in colour_fields(model).items():
        tables = [_own(layer_tables, layer) or table for layer in layers]
        if field in counted or sum(len(t.rows) for t in tables) <= MAX_SERIES:
            continue  # no loop over a small chart's rows
        rows, skipped = _drawn(model, layers, tables, table, field)
        if _distinct(rows, field, MAX_SERIES) > MAX_SERIES:
            found = too_many_series(field, layers[0], source)
            problems.append(replace(found, message=found.message + _unrun(skipped),
                                    hint=_unrun_hint(skipped, found.hint or "")))
    return problems


def _own(layer_tables: Sequence[Table | None], layer: Any) -> Table | None:
    return layer_tables[layer.index] if layer.index < len(layer_tables) else None


def _chart_y(model: ChartSpec) -> Any:
    """The y axis when every layer plots the same categorical field (a heatmap, a bar chart of
    names), else None (numeric y axes are cut by the reduction)."""
    fields = {(layer.y.field, layer.y.type) for layer in model.layers}
    if len(fields) != 1:
        return None
    return model.layers[0].y


def _distinct(tables: Iterable[Iterable[dict[str, Any]]], field: str, limit: int) -> int:
    """How many distinct values of ``field`` the rows hold, counting stops past ``limit``."""
    seen: set[object] = set()
    for rows in tables:
        for row in rows:
            value = row.get(field)
            seen.add(value if isinstance(value, (str, int, float, bool)) or value is None else repr(value))
            if len(seen) > limit:
                return len(seen)
    return len(seen)
