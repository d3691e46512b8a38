"""Layers with ``reduce: false`` on a large table: the rows they draw, counted against Vega's limit.

reduce.py cuts the other layers of the table; these draw every row their filters keep (the
filters as SQL, layerfilters.filters_sql; when one is not translatable, every row), each row tagged
with the layers drawing it (``__layers``), so a small unreduced layer beside a reduced line does
not hand Vega the whole table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import DataError, quoted
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Filter
from .engine import Relation, quote
from .m4grid import max_drawn_rows

__all__ = ["engine_hint", "filtered_rows", "too_large", "too_many_bars", "turned_off", "with_whole"]


def turned_off(layer: Layer, model: ChartSpec) -> bool:
    """Does ``reduce: false`` (the layer's, else the chart's) turn the layer's reduction off?"""
    return not (model.reduce if layer.reduce is None else layer.reduce)


def too_large(count: int, layer: Layer, why: str, source: SourceMap) -> DataError:
    """The error for ``layer`` handing Vega ``count`` rows; when the reduction is turned off, at the
    ``reduce: false`` that did it: the layer's own, else the chart's (which every layer follows)."""
    limit = f"more than it can draw (limit {max_drawn_rows():,})"
    what, path = f"layer {quoted(layer.name)}", layer.json_path + ("mark",)
    if "turned off" in why:
        hint = "remove 'reduce: false' to let chartspec draw what the pixels can show"
        rest = why.split("turned off", 1)[1].removeprefix(" for it")  # " (after the layers' filters)"
        if layer.reduce is None:  # the chart's: not this layer's doing more than any other's
            what, path, why = "the chart", ("reduce",), "its 'reduce: false' turns the reduction off for every layer" + rest
        else:
            path, why = layer.json_path + ("reduce",), "its 'reduce: false' turns the reduction off" + rest
    else:
        hint = _hint(why, layer)
        # at the filter to change, when it is the layer's own (a chart's filter: at the layer's mark)
        path = next((t.json_path for t in layer.transform if isinstance(t, Filter) and t.expr is not None
                     and "cannot run in the engine" in why and quoted(t.expr, 80) in why), path)
    return DataError(source.diagnostic(f"{what} would hand {count:,} rows to Vega, {limit}: {why}", path,
                                       hint=hint + "; CHARTSPEC_MAX_DRAWN_ROWS raises the limit"))


#: what to change, per reason reduce._plan gives for drawing a layer whole (the first that fits):
#: only the mark reason is helped by another mark; the others name what the engine could not run
_HINTS = (
    ("cannot run in the engine", "rewrite that filter with what the engine runs (comparisons, arithmetic, &&, ||, !, "
                                 "abs, floor, isValid... on fields; not test() or other text functions), or as a field "
                                 "filter ({field: ..., gte: ...}), or filter the data before charting it"),
    ("cannot compute its series field", "write that field into the data, or compute it with arithmetic on number "
                                        "columns, which the engine runs"),
    ("groups of rows", "aggregate or filter the data before charting it (a smaller file)"),
    ("transform needs every row", "remove that transform, or do it before charting (a smaller file)"),
    ("does not hold numbers", "plot numbers on that axis (dates parsed with 'parse'), or aggregate the rows first"),
    ("is not a column of the data", "correct the field name: chartspec reduces only columns of the data"),
)


def _hint(why: str, layer: Layer) -> str:
    """What to change so the layer can be reduced (another mark only when the mark is the reason)."""
    found = next((hint for reason, hint in _HINTS if reason in why), None)
    if found is not None:
        return found
    if layer.mark in ("line", "area", "point") and "mark" not in why:
        return "filter or aggregate the data before charting it (a smaller file)"
    return "draw it as a line or points, which chartspec reduces, or aggregate the rows first"


def with_whole(rel: Relation, keep: str, whole: Sequence[Layer], filters: Any, source: SourceMap) -> str:
    """``keep`` with every row the ``reduce: false`` layers keep (their SQL filters', else all),
    each with its layer's bit; too many for Vega: an error at the first such layer."""
    parts = [f"SELECT __row AS r, {1 << layer.index} AS m FROM {rel.name} WHERE {filters(layer) or 'TRUE'}"
             for layer in whole]
    keep = f"SELECT r, bit_or(m) AS m FROM ({keep} UNION ALL {' UNION ALL '.join(parts)}) GROUP BY r"
    (count,), = rel.sql(f"SELECT count(*) FROM ({keep})")
    if count > max_drawn_rows():
        raise too_large(count, whole[0], "the reduction is turned off for it", source)
    return keep


def filtered_rows(rel: Relation, layers: Sequence[Layer], filters: Any) -> tuple[str, int] | None:
    """(SQL listing the rows some layer's filters keep, how many) when every layer filters its rows
    in SQL: with the reduction off, those are the rows Vega gets (it filters them again)."""
    wheres = [filters(layer) for layer in layers]
    if not layers or any(w is None for w in wheres):
        return None
    cond = " OR ".join(f"({w})" for w in dict.fromkeys(wheres))
    (count,), = rel.sql(f"SELECT count(*) FROM {rel.name} WHERE {cond}")
    return f"SELECT __row AS r, 0 AS m FROM {rel.name} WHERE {cond}", int(count)


def engine_hint(model: ChartSpec, tables: Sequence[Any]) -> str:
    """The hint for an engine failure in the reduction: 'reduce: false' only where it would help.
    The engine reads a large file with the reduction off too, so when reading every column of a
    table fails (one query: each column's expression runs on every row) turning it off fails the
    same way, and a chart whose layers have it off already cannot turn it off again."""
    for table in tables:
        rel = getattr(table, "relation", None)
        if rel is None:
            continue
        try:
            rel.sql(f"SELECT min(hash(COLUMNS(*))) FROM {rel.name}")
        except Exception:  # duckdb's errors: importing it to name them would slow 'validate' down
            return ("the engine cannot read this data itself, with or without 'reduce: false': please report it "
                    "with the file's column types; leaving out the column it fails on (a smaller file) works around it")
    if all(turned_off(layer, model) for layer in model.layers):
        return "please report it with the spec and the file's column types"
    return "'reduce: false' draws the data without it"


#: marks drawn one shape per row across the x axis: more rows than pixel columns only overlap
_PER_ROW = ("bar", "rect")


def too_many_bars(rel: Relation, layers: Sequence[Layer], model: ChartSpec, scale: float, filters: Any,
                  source: SourceMap) -> DataError | None:
    """The error for a bar or rect layer on a numeric x of a large table with more x values (after
    its filters, in a facet panel) than the plot has device pixel columns: Vega would draw every bar, each under a pixel
    wide, on top of the others (100,000 bars at 600 px: 40 s, a 17.7 MB SVG), and no cut keeps
    what a bar shows (its extent from zero). None when every such layer fits, computes its marks
    from groups (aggregate, heatmap) or has ``reduce: false`` (drawn as asked, within Vega's limit)."""
    from ..spec.transforms import Aggregate

    if model.x.type not in ("quantitative", "temporal"):
        return None  # categories are counted by their own rule (categories.py)
    columns = max(1, round(model.width * scale))
    for layer in layers:
        if (layer.mark not in _PER_ROW or turned_off(layer, model) or layer.heat is not None
                or any(isinstance(t, Aggregate) for t in layer.transform)):
            continue
        # bars at one x stack or group (runs by colour): the x positions count, per facet panel
        panels = [f for f in (model.facet.field, model.facet.row, model.facet.column) if f] if model.facet else []
        panels = [f for f in panels if f in rel.columns]
        where = filters(layer) or "TRUE"
        count = rel.sql(f"SELECT coalesce(max(n), 0) FROM (SELECT count(DISTINCT {quote(model.x.field)}) AS n "
                        f"FROM {rel.name} WHERE {where}" + (f" GROUP BY {', '.join(map(quote, panels))}" if panels else "")
                        + ")")[0][0] if model.x.field in rel.columns else 0
        if count > columns:
            return DataError(source.diagnostic(
                f"layer {quoted(layer.name)} draws {layer.mark}s at {count:,} x values across a plot {columns:,} device "
                f"pixels wide: each under a pixel, on top of the others, and Vega draws every one",
                layer.json_path + ("mark",),
                hint="draw it as an area or a line, which chartspec cuts to what the pixels show, or aggregate the "
                     "rows to at most one a pixel first (a transform `aggregate` grouped by a coarser x, e.g. a "
                     "calculated `floor(datum.step / 1000) * 1000`); `reduce: false` on the layer draws every "
                     f"{layer.mark} anyway"))
    return None
