"""Pixel-faithful reduction: a large table cut to the rows its chart can show, before Vega runs.

A line 600 px wide cannot show more than a few thousand distinct points, yet Vega builds a
scene item for every row it gets. For each series (layer x ``color`` field x facet panel x
file) of a line, area, rule or errorband mark this keeps, per pixel column of the x scale, the
rows with the first and last x and the smallest and largest value of every y field the layer
draws: M4 (Jugel, Jerzak, Hackenbroich, Markl, "M4: A Visualization-Oriented Time Series Data
Aggregation", VLDB 2014). Every spike survives, and so do the extents of x and y, so axis
domains and the legend equal the full data's. Point and tick marks keep one row per occupied
pixel cell beyond 120,000 drawn rows (their opacity composites: below, every row), text always. The
work runs in the engine (engine.py): ``GROUP BY`` series and pixel column, ``arg_min``/``arg_max``
with the row number as tie-break, so the result is deterministic.

Anti-aliased 2 px strokes are not M4's aliased 1 px lines: the extremes of each value are kept
per sub-column (:func:`columns_per_pixel`: 7 a CSS pixel at scale 1, 4 a device pixel beyond),
the first and last row per pixel (:func:`m4_group`), and lines join round (compiler/chart.py).
Against the full render (100,000 noisy rows; README, Performance): M4 on 5 sub-columns kept
23,000 rows and differed in 0.10-0.40 % of PNG pixels; this keeps 19,000 and differs in
0.09-0.35 %. Each row more costs Vega ~3 KB of heap and its share of the draw. EMA smoothing runs
on the full series first (ema.py); areas and bands keep their fill's edge where the rasteriser
samples it (fillgrid.py). Tables of at most 4 rows per M4 column are left as they are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import DataError, Diagnostic, JsonPath, hide_paths, quoted
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Aggregate, Calculate, Filter, Fold
from . import m4grid
from .checks import x_text_error
from .engine import Relation, quote
from .fillgrid import FILLED_MARKS, fill_cells
from .layerdata import layer_dates, layer_steps
from .layerfilters import filter_sql, filtered_fields, filters_sql
from .logscale import full_log_counts, on_log_scale
from .m4grid import (
    MAX_DRAWN_ROWS,
    SUBPIXELS,
    WHOLE_ROWS,
    columns_per_pixel,
    every_row_shapes,
    m4_columns,
    m4_group,
    m4_rows,
    max_drawn_rows,
    small_rows,
)
from .m4sql import select_rows
from .reduceoff import engine_hint, filtered_rows, too_large, too_many_bars, with_whole
from .refvalues import drawn_stats
from .rows import DRAWS, LAYER_MASK, fetch, first_texts, numbers_in_data
from .smoothing import smooth_column, smooth_series
from .smoothkeys import keyed_source
from .stepsplain import needs_rules, series_plan
from .stepssql import unchanged_by_rules
from .table import Table
from .vegasql import to_sql
from .xmap import drawn_rows, x_column, x_map

__all__ = ["CHECKED_ROWS", "LAYER_MASK", "MAX_DRAWN_ROWS", "SUBPIXELS", "columns_per_pixel", "m4_columns", "m4_group", "m4_rows", "max_drawn_rows", "reduce_table", "reduce_tables", "whole"]

LINE_MARKS = frozenset({"line", "area", "rule", "errorband"})
POINT_MARKS = frozenset({"point", "tick", "text"})


@dataclass(frozen=True)
class _Plan:
    """How one layer's rows are picked: series keys, value columns, a SQL filter, and the rows
    they are picked from (the table, with the columns its calculate transforms make)."""

    layer: Layer
    keys: tuple[str, ...]
    values: tuple[str, ...]
    where: str
    points: bool
    source: str = ""
    #: the numeric columns of ``source`` (those of the data and the calculates made in SQL)
    numeric: frozenset[str] = frozenset()
    #: values on a log scale: their extremes are those above zero, the ones Vega draws (m4sql.py)
    positive: frozenset[str] = frozenset()


def _plan(layer: Layer, model: ChartSpec, has_own: bool, rel: Relation) -> _Plan | str:
    """The layer's reduction plan, or why it must be drawn whole."""
    if layer.mark not in LINE_MARKS | POINT_MARKS:
        return f"mark '{layer.mark}' draws every row"
    if layer.heat is not None or (layer.band is not None and layer.band.extent is not None
                                  and any(isinstance(t, Aggregate) for t in layer.transform)):
        return "its marks are computed from groups of rows"  # unless engineagg.py aggregated them
    x = model.x.field
    if model.x.type not in ("quantitative", "temporal") or x not in rel.numeric:
        return f"x field {x!r} does not hold numbers" + (" (parse its dates with 'parse')"
                                                         if model.x.type == "temporal" else "")
    keys = list(smooth_series(layer, model))
    values = [layer.y.field] + ([layer.band.lower, layer.band.upper] if layer.band else [])
    if layer.smooth is not None:
        values.append(smooth_column(layer.index))
    where = [f"({DRAWS} & {1 << layer.index}) <> 0"] if DRAWS in rel.columns else ["TRUE"]  # steps.py
    kinds = {c: "number" if c in rel.numeric else "text" for c in rel.columns}
    _, made = series_plan(layer, model, has_own)  # series fields a calculate makes: columns (or codes) first
    source, unknown = keyed_source(rel, made, x, layer_dates(layer, model))
    if unknown is not None:
        return f"the engine cannot compute its series field {unknown!r}"
    keyed = {t.as_field for t in made}
    for step in layer_steps(layer, model, has_own):
        if isinstance(step, Calculate) and step.as_field in keyed:
            continue  # made above; a filter reading it is refused below (codes are not its values)
        if isinstance(step, Filter) and step.expr is not None:
            if (sql := to_sql(step.expr, kinds, context="filter")) is None:
                return f"its filter {quoted(step.expr, 80)} cannot run in the engine"
            where.append(sql)
        elif (isinstance(step, Filter) and step.field in kinds
                and (sql := filter_sql(step, layer_dates(layer, model), kinds[step.field] == "text")) is not None):
            where.append(sql)
        elif isinstance(step, Fold) and layer.y.field == step.value:
            values = [v for v in values if v != step.value] + list(step.fields)
            keys = [k for k in keys if k != step.key]
        elif isinstance(step, Calculate) and step.as_field not in {x, *values, *keys, *filtered_fields(layer, model)}:
            continue  # a label or tooltip value: does not move any mark
        elif isinstance(step, Calculate) and step.as_field not in (x, *keys) and (
                sql := to_sql(step.expr, kinds)) is not None:
            # a drawn value made by the chart: computed by the engine too (NaN and infinities, which
            # Vega does not draw, are missing), so its extremes are the ones Vega will draw
            value = f"CASE WHEN isfinite(CAST(({sql}) AS DOUBLE)) THEN CAST(({sql}) AS DOUBLE) END"
            verb = f"* REPLACE ({value} AS {quote(step.as_field)})" if step.as_field in kinds else \
                f"*, {value} AS {quote(step.as_field)}"
            source = f"(SELECT {verb} FROM {source})"
            kinds[step.as_field] = "number"
        else:
            return f"its {type(step).__name__.lower()} transform needs every row"
    if missing := [c for c in (*values, *keys) if c not in kinds and c not in keyed]:
        return f"field {missing[0]!r} is not a column of the data"
    if layer.mark in POINT_MARKS and kinds.get(layer.y.field) != "number":
        return f"its y field {layer.y.field!r} does not hold numbers"
    numeric = tuple(v for v in values if kinds.get(v) == "number")
    return _Plan(layer, tuple(keys), numeric, " AND ".join(where), layer.mark in POINT_MARKS, source,
                 frozenset(c for c, k in kinds.items() if k == "number"),
                 frozenset(numeric) if on_log_scale(model, layer)[1] else frozenset())


def _series_count(rel: Relation, plans: Sequence[_Plan], mapping: tuple[str, float, float], width: int) -> float:
    """The curves the budget is shared by (series x values drawn), each counted by the share of the
    x axis it spans: runs stopped early take fewer columns (8 runs of 8,000-30,000 steps were cut to
    half the budget: 1.9 % of PNG pixels differed)."""
    col, lo, hi = mapping
    total = 0.0
    for plan in plans:
        keys = ", ".join(quote(k) for k in plan.keys)
        # after its filters (45 runs drawing 15 got a 45th of the budget each); or the table (a smoothed source redoes the EMA)
        plain = plan.where in ("TRUE", f"({DRAWS} & {1 << plan.layer.index}) <> 0") and set(plan.keys) <= set(rel.columns)
        spans = (f"SELECT greatest((max({col}) - min({col})) / {hi - lo!r}, {1 / width!r}) AS f FROM "
                 f"{rel.name if plain else f'{plan.source} WHERE {plan.where}'}" + (f" GROUP BY {keys}" if keys else ""))
        n = rel.sql(f"SELECT sum(least(f, 1.0)) FROM ({spans})")[0][0] or 0.0
        total += max(1 / width, float(n)) * max(1, len(plan.values))
    return total


#: the rows kept of a large table no layer draws (every layer reads its own data): only checked
CHECKED_ROWS = 1000


def whole(table: Table, source: SourceMap, where: JsonPath) -> Table:
    """Every row of an engine table, as rows (plain Vega-Lite is drawn as written: no reduction)."""
    if table.relation is None:
        return table
    if table.relation.count > max_drawn_rows():
        raise DataError(source.diagnostic(
            f"{table.name} has {table.relation.count:,} rows, more than Vega can draw (limit {max_drawn_rows():,})",
            where, hint="aggregate or sample the data first, or write the chart as a chartspec spec, which reduces "
                        "large data to what the pixels show; CHARTSPEC_MAX_DRAWN_ROWS raises the limit"))
    return replace(table, rows=fetch(table.relation), relation=None)


def reduce_table(table: Table, layers: Sequence[Layer], model: ChartSpec, has_own: bool, source: SourceMap,
                 scale: float, others: Sequence[Table] = (), used: frozenset[str] | None = None,
                 whole_rows: int = WHOLE_ROWS) -> Table:
    """``table`` cut to the rows ``layers`` can show at ``scale`` device pixels per CSS pixel; drawn
    whole where a cut would cost fidelity and save Vega little, if it has at most ``whole_rows``."""
    from .smoothframe import add_smoothed, kept_smoothed

    assert table.relation is not None
    # base: the rows with the steps rules' bits, without the smoothed columns (a scan of the smoothed view joins them)
    base, notes, fetched = table.relation, (), {}
    filters = lambda layer: filters_sql(layer, model, has_own, table.relation)  # noqa: E731
    # a log the rules leave as it is is found out by one query (stepssql.py): nothing fetched, no numpy
    if not (base.prereduced or unchanged_by_rules(base, layers, model, has_own, filters)):
        from .steps import apply_to_relation

        base, notes, fetched = apply_to_relation(base, layers, model, has_own, source, table.name, filters)
    rel, presorted = add_smoothed(base, [lyr for lyr in layers if lyr.smooth], model, source, fetched,
                                  has_own=has_own)
    # x as the steps rules read it (a view's numbers are all DOUBLE, so it is the column itself):
    # the extent from it, not from another scan of the files (0.1 s for 10 x 10^6 Parquet rows)
    xs = fetched.get(f"CAST({quote(model.x.field)} AS DOUBLE)") if base.view else None
    del fetched  # the columns smoothing shares with the steps rules: not held through the M4
    # a layer with 'reduce: false' draws every row it keeps (its filters') while the others are cut,
    # unless smoothing reorders the rows (then every layer draws every row, as before)
    whole = [layer for layer in layers if not (model.reduce if layer.reduce is None else layer.reduce)]
    off = len(whole) == len(layers) or bool(whole and presorted)
    plans = [] if off else [_plan(layer, model, has_own, rel if layer.smooth else base)
                            for layer in layers if layer not in whole]
    pushed = table.relation.pushed  # cut by Spark: its whole table's extent and columns (spark.py)
    planned = bool(plans) and all(isinstance(p, _Plan) for p in plans)
    # x's extent after the layers' filters when one may narrow it, as Vega's domain (xmap.py): one scan more then
    drawn = drawn_rows(plans, [filters(layer) for layer in whole], base) if planned and pushed is None and \
        model.x.domain is None else None
    mapping = None if not planned else x_map(model, [base], others, xs, drawn) if pushed is None else (
        x_column(model), pushed[1], pushed[2])
    del xs
    if pushed is None and (error := too_many_bars(rel, layers, model, scale, filters, source)) is not None:
        raise error
    if mapping is None:
        kept = filtered_rows(rel, layers, filters) if rel.count > max_drawn_rows() else None
        if rel.count > max_drawn_rows() and (kept is None or kept[1] > max_drawn_rows()):
            # the first layer that must be drawn whole, else the first with the reduction turned off
            planned = [layer for layer in layers if layer not in whole]
            culprit, why = next(((planned[i], p) for i, p in enumerate(plans) if isinstance(p, str)),
                                ((whole or layers or model.layers)[0], "the reduction is turned off"))
            count = rel.count if kept is None else kept[1]
            raise x_text_error(model, table, base, source) or too_large(
                count, culprit, why + (" (after the layers' filters)" if kept else ""), source)
        return _whole(table, rel, layers, used, model, has_own, source, notes, None if kept is None else kept[0])
    series = _series_count(base, plans, mapping, model.width) if pushed is None else 1.0  # type: ignore[arg-type]
    columns = m4_columns(model, scale, series) if pushed is None else pushed[3]
    if (rel.count if pushed is None else pushed[0]) <= m4_rows(model, scale, columns):
        return _whole(table, rel, layers, used, model, has_own, source, notes)
    cells = None if table.fetched or pushed is not None else fill_cells(model, mapping, scale, (series, rel.count))  # type: ignore[arg-type]
    # a point covers pixels, not sub-columns: one row per pixel cell (per CSS pixel at scale 1 and 2)
    select = lambda columns: select_rows(  # noqa: E731
        rel, plans, mapping, (columns, m4_group(model, scale, columns)), model,  # type: ignore[arg-type]
        max(1, round(columns / columns_per_pixel(scale))), presorted, base, cells)
    keep = select(columns)
    if pushed is None and columns < (full := m4_columns(model, scale, 1)) and rel.count <= max_drawn_rows():
        # the budget counts 2 rows a column for every curve, but a smooth one (a learning rate) keeps
        # fewer: where the unreduced chart would still render, columns grow to what the budget allows
        # (5 runs of 20,000 noisy losses with their learning rates kept 42,000 rows: 0.62 % differed)
        kept_rows = rel.sql(f"SELECT count(*) FROM ({keep})")[0][0]
        if (more := min(full, math.floor(columns * m4grid.ROW_BUDGET / max(1, kept_rows)))) > 1.1 * columns:
            columns, keep = more, select(more)
    # Drawn whole, where Vega can afford every row, when the cut costs fidelity: a sweep whose runs
    # share the budget (10 smoothed runs x 10,000 noisy steps kept 47 % of the rows at 2 columns a
    # pixel: 3.4 % of PNG pixels differed; they match only once nearly every row is kept), and
    # layers every row shapes (m4grid.every_row_shapes: translucent points, dashes, curves); and fills whose
    # sample grids keep half the rows or more (--ppi 100: every row, drawn slower than the whole table)
    if pushed is None and (any(every_row_shapes(model, p.layer) for p in plans) or columns < full or (
            cells is not None and any(p.layer.mark in FILLED_MARKS for p in plans) and rel.count <= whole_rows  # type: ignore[union-attr]
            and 2 * rel.sql(f"SELECT count(*) FROM ({keep})")[0][0] >= rel.count)):  # type: ignore[union-attr]
        kept = filtered_rows(rel, layers, filters) if rel.count > whole_rows else None
        drawn = rel.count if kept is None else kept[1]
        # symbols and lines' rows, not the table's: two point layers of a 70,000-row table drew 140,000 symbols
        symbols = drawn * sum(1 for p in plans if p.points)  # type: ignore[union-attr]
        lines = drawn * sum(1 for p in plans if not p.points)  # type: ignore[union-attr]
        if drawn <= min(whole_rows, max_drawn_rows()) and symbols <= whole_rows and lines <= max_drawn_rows():
            return _whole(table, rel, layers, used, model, has_own, source, notes, None if kept is None else kept[0])
    if presorted:
        rel, keep = kept_smoothed(base, rel, keep, presorted)
    if whole:
        keep = with_whole(rel, keep, whole, filters, source)
    # Layers sharing the table draw only the rows their own reduction kept: a line drawn through
    # another layer's extremes would carry up to twice the vertices (SVG bytes, render time).
    mask = len(plans) + len(whole) > 1
    rows = fetch(rel, keep, mask, used)
    columns = _with_added(table.columns, rel)
    return replace(table, rows=rows, columns=columns + ((LAYER_MASK,) if mask and LAYER_MASK not in columns else ()),
                   relation=None, reduced_from=rel.count if pushed is None else pushed[0], texts=first_texts(base, used),
                   notes=table.notes + notes, numbers_in_data=table.numbers_in_data | numbers_in_data(base, rows, used),
                   # rows a server cut (Spark, Postgres: pushed) are its M4's picks, whose mean is not the data's
                   stats=drawn_stats(rel, plans, model) if pushed is None else {},  # type: ignore[arg-type]
                   log_counts=full_log_counts(rel, plans, model) if pushed is None else table.log_counts)  # Spark's


def _whole(table: Table, rel: Relation, layers: Sequence[Layer], used: frozenset[str] | None, model: ChartSpec,
           has_own: bool, source: SourceMap, notes: tuple[Diagnostic, ...], keep: str | None = None) -> Table:
    """Every row (``keep``: those its SQL lists): those read in Python as they were (smoothed
    later, in layerdata.py), else the engine's."""
    if table.rows:  # rows read in Python, registered for the reduction: the steps rules in Python
        if keep is not None:  # registered in order: __row is the place
            table = replace(table, rows=tuple(table.rows[r] for r, _ in sorted(rel.con.execute(keep).fetchall())))
        return _rules_on_rows(replace(table, relation=None), layers, model, has_own, source)
    rows = fetch(rel, keep, used=used)
    return replace(table, rows=rows, columns=_with_added(table.columns, rel), relation=None, notes=table.notes + notes,
                   numbers_in_data=table.numbers_in_data | numbers_in_data(rel, rows, used))


def _rules_on_rows(table: Table, layers: Sequence[Layer], model: ChartSpec, has_own: bool, source: SourceMap
                   ) -> Table:
    """steps.py's rules on rows read in Python; numpy is imported only when they may change them."""
    if not needs_rules(table.rows, layers, model, has_own, table.columns):
        return table
    from .steps import apply_to_rows

    return apply_to_rows(table, layers, model, has_own, source)


def _with_added(columns: tuple[str, ...], rel: Relation) -> tuple[str, ...]:
    """``columns`` and the engine's own the table gained (EMA, the steps rules' bits and pieces)."""
    return columns + tuple(c for c in rel.columns if c.startswith("__") and c not in columns)


def reduce_tables(model: ChartSpec, table: Table, layer_tables: Sequence[Table | None], source: SourceMap,
                  scale: float, root: Any = None, used: frozenset[str] | None = None
                  ) -> tuple[Table, tuple[Table | None, ...]]:
    """The chart's table and the layers' own, each large one reduced (engine tables always are
    read into rows here, reduced or whole); small tables come back as they are. ``used``: the
    names the spec mentions (:func:`mentioned`); a reduced table keeps only those columns."""
    own = list(layer_tables) + [None] * (len(model.layers) - len(layer_tables))
    small_limit = small_rows(model)

    def engine_table(t: Table) -> Table | None:
        if t.relation is not None:
            return t
        if len(t.rows) <= small_limit:
            return None
        from .engine import connect, register_rows

        rel = register_rows(connect(root), t.rows, t.columns)
        return replace(t, relation=rel) if rel is not None else None

    def reduce_one(t: Table, layers: list[Layer], has_own: bool, others: list[Table]) -> Table:
        big = engine_table(t)
        if big is None:  # small: read in Python, drawn as it is, after the steps rules
            return replace(_rules_on_rows(t, layers, model, has_own, source), drawn_columns=used)
        if not layers:  # drawn by no layer (every layer has its own data): only checked
            return replace(t, rows=fetch(big.relation, f"SELECT __row AS r, 0 AS m FROM {big.relation.name} "
                                                        f"WHERE __row < {CHECKED_ROWS}") if big.relation else t.rows,
                           relation=None)
        # the whole-table rule is the chart's: two point layers of 119,000 rows each drew 238,000 points (57 MB SVGs)
        return reduce_table(big, layers, model, has_own, source, scale, others, used,
                            min(WHOLE_ROWS, max_drawn_rows()) - sum(rows(o) for o in (table, *own) if o is not None and o is not t))

    def rows(t: Table) -> int:  # a large table's rows, another table's share of the whole-table rule
        n = t.relation.count if t.relation is not None else len(t.rows)
        return n if n > small_limit else 0

    try:
        return _reduce_all(model, table, own, layer_tables, reduce_one)
    except Exception as err:  # a bug or a limit of the engine: that spec fails, with words
        if not (isinstance(err, MemoryError) or type(err).__module__.split(".")[0] in ("duckdb", "_duckdb")):
            raise  # importing duckdb to name its errors would slow every 'validate' down
        first = hide_paths(str(err).split("\n", 1)[0], root)  # no path of the machine in the spec's errors
        raise DataError(source.diagnostic(f"the data engine failed on this data: {first}", model.data.json_path,
                                          hint=engine_hint(model, [table, *layer_tables]))) from None


def _reduce_all(model: ChartSpec, table: Table, own: list[Table | None], layer_tables: Sequence[Table | None],
                reduce_one: Any) -> tuple[Table, tuple[Table | None, ...]]:
    drawn = [t for t in (table, *own) if t is not None]
    small = [t for t in drawn if t.relation is None]
    main_layers = [lyr for lyr in model.layers if own[lyr.index] is None]
    # the other tables' x (a table read in Python counts as small: its own rows, unfiltered, would widen the cut)
    table = reduce_one(table, main_layers, False, [s for s in small if s is not table])
    for layer in model.layers:
        t = own[layer.index]
        if t is not None:
            own[layer.index] = reduce_one(t, [layer], True, [s for s in small if s is not t])
    return table, tuple(own[: len(layer_tables)])
