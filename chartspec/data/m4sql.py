"""The SQL of the M4 reduction (reduce.py decides what to reduce; this writes the query).

M4 (Jugel, Jerzak, Hackenbroich, Markl, VLDB 2014): per series and pixel column, the rows holding
the first and last x and the minimum and maximum of each drawn value. Point marks keep one row per
occupied pixel cell. A plan is reduce.py's ``_Plan`` (layer, series keys, values, WHERE, source).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..spec.model import ChartSpec
from .engine import Relation, quote
from .fillgrid import FILLED_MARKS, SNAPPED_ROWS, fill_part

if TYPE_CHECKING:
    from .m4np import Presorted

__all__ = ["STREAMED_ROWS", "drawn_on_log", "m4_part", "select_rows"]

#: tables beyond this many rows are reduced in two streamed passes instead of one window
STREAMED_ROWS = 4_000_000


def select_rows(rel: Relation, plans: Sequence[Any], x_map: tuple[str, float, float], cut: tuple[int, int],
                model: ChartSpec, pixels: int, presorted: Mapping[int, Presorted] | None = None,
                base: Relation | None = None, fill_cells: tuple[str, ...] | None = None) -> str:
    """SQL listing the ``__row`` of every row some layer's reduction keeps (``r``) and which layers
    keep it (``m``, bit ``i`` for layer ``i``); lines get ``cut``: (M4 columns, columns a first and
    last row each, reduce.m4_group), points ``pixels`` cells across; a smoothed layer's series already sorted by smoothframe.py
    (``presorted``) are reduced by m4np.py instead, to the same rows; a filled layer also keeps
    the first and last row of each ``fill_cells`` cell (fillgrid.py)."""
    from .m4np import m4_rows_sql

    col, lo, hi = x_map
    columns, group = cut
    x = quote(model.x.field)
    parts = []
    lines: dict[tuple[tuple[str, ...], str, str, frozenset[str], int], list[Any]] = {}
    fills: dict[tuple[tuple[str, ...], str, str], list[Any]] = {}
    for plan in plans:
        # a log scale's breaks: a sort of every row, so only when some row is left out (one scan)
        if plan.positive and not plan.points and rel.sql(
                f"SELECT 1 FROM {plan.source} WHERE {plan.where} AND {x} IS NOT NULL "
                f"AND NOT coalesce({drawn_on_log(plan.positive)}, FALSE) LIMIT 1"):
            parts.append(_log_gaps(plan, x, f"floor(({col} - {lo!r}) / {hi - lo!r} * {columns})"))
        filled = not plan.points and fill_cells is not None and plan.layer.mark in FILLED_MARKS
        if filled:
            fills.setdefault((plan.keys, plan.where, plan.source), []).append(plan)
        if filled and plan.layer.band is not None and plan.layer.mark == "errorband":
            # the band's edges are the fill cells' rows and each pixel column's extremes (spikes,
            # the axis' extent); the line on top keeps its M4 columns
            edges = (plan.layer.band.lower, plan.layer.band.upper)
            for across, values in ((pixels, tuple(v for v in plan.values if v in edges)),
                                   (columns, tuple(v for v in plan.values if v not in edges))):
                lines.setdefault((plan.keys, plan.where, plan.source, plan.positive, across), []).append(
                    replace(plan, values=values))
            continue
        if not plan.points:
            # an area without a line on top: its edge is the fill cells' rows; M4 only keeps the
            # extremes of each pixel column (spikes, the axis' extent)
            across = pixels if filled else columns
            if (fast := m4_rows_sql(rel, plan, (presorted or {}).get(plan.layer.index), x_map, across,
                                    model.x.field, 1 if filled else group)) is not None:
                parts.append(fast)
            else:
                lines.setdefault((plan.keys, plan.where, plan.source, plan.positive, across), []).append(plan)
            continue
        # one row per occupied pixel cell: x column and y row
        keys = "".join(f"{quote(k)}, " for k in plan.keys)
        y = quote(plan.layer.y.field)
        # cells as high as Vega draws them: on a log y, even in log(y) over the values above zero
        # (linear cells put every small value of a loss falling over decades in the bottom cell)
        log_y = plan.layer.y.field in plan.positive
        y_at = f"ln(CASE WHEN {y} > 0 THEN {y} END)" if log_y else y
        # a fixed domain is what the cells span (one outlier squeezed every point into a few cells)
        fixed = plan.layer.y.domain
        if fixed is not None and all(isinstance(v, (int, float)) for v in fixed) and (not log_y or fixed[0] > 0):
            lo_y, hi_y = (math.log(fixed[0]), math.log(fixed[1])) if log_y else (float(fixed[0]), float(fixed[1]))
        else:
            lo_y, hi_y = rel.sql(f"SELECT min({y_at}), max({y_at}) FROM {plan.source}")[0]
        span = (hi_y - lo_y) if lo_y is not None and hi_y is not None and hi_y > lo_y else 1.0
        column = f"floor(({col} - {lo!r}) / {hi - lo!r} * {pixels})"
        cell = f"floor(({y_at} - {lo_y or 0.0!r}) / {span!r} * {model.height * pixels / model.width})"
        parts.append(f"SELECT min(__row) AS r, {1 << plan.layer.index} AS bit FROM {plan.source} "
                     f"WHERE {plan.where} AND {x} IS NOT NULL GROUP BY {keys}{column}, {cell}")
    # Line layers over the same rows and series (the chart's table, its filters) share one pass:
    # the extremes of x and of every layer's values per column, each pick tagged with the layers
    # it serves (two windows over 1,000,000 rows cost 0.17 s, one 0.10 s; the same rows kept).
    parts += [m4_part(rel, members, x, f"floor(({col} - {lo!r}) / {hi - lo!r} * {across})",
                      group if across == columns else 1)
              for (*_, across), members in lines.items()]
    if fill_cells is not None:  # beyond STREAMED_ROWS a window would hold every row: first and last only
        # (a grid for each place the plot's edge may take among the samples: fillgrid.edge_phases)
        parts += [fill_part(rel, members, x, cells, SNAPPED_ROWS // len(fill_cells)) if rel.count <= STREAMED_ROWS else
                  m4_part(rel, members, x, f"floor({cells})") for members in fills.values() for cells in fill_cells]
    # a few rows without an x are kept: Vega drops them, but the checks should see some
    every = sum(1 << plan.layer.index for plan in plans)
    parts.append(f"(SELECT __row AS r, {every} AS bit FROM {(base or rel).name} WHERE {x} IS NULL "
                 "ORDER BY __row LIMIT 100)")
    return f"SELECT r, bit_or(bit) AS m FROM ({' UNION ALL '.join(parts)}) WHERE r IS NOT NULL GROUP BY r"


def m4_part(rel: Relation, members: Sequence[Any], x: str, bucket: str, group: int = 1) -> str:
    """The M4 picks of line layers sharing their rows and series keys: per series and column the
    rows with the extremes of each value, and the rows with the first and last x of every
    ``group`` neighbouring columns (1: of each column, plain M4), each with its layers' bits."""
    first = members[0]
    keys = "".join(f"{quote(k)}, " for k in first.keys)
    values = list(dict.fromkeys(v for plan in members for v in plan.values))
    # On a log scale Vega leaves out values at or below zero: the extremes are of those it draws,
    # the first and last x of the rows it draws some value of (the line joins them, as in the full chart).
    positive = sorted(set().union(*(plan.positive for plan in members)))
    measured = [x, *(f"(CASE WHEN {quote(v)} > 0 THEN {quote(v)} END)" if v in positive else quote(v) for v in values)]
    drawn = f" AND {drawn_on_log(positive)}" if positive else ""
    # Extremes per column, then the first row holding each: the same rows in every run, whatever
    # order the engine's threads meet them in (arg_min keeps whichever tie it met first).
    rows = f"SELECT *, {bucket} AS __b FROM {first.source} WHERE {first.where} AND {x} IS NOT NULL{drawn}"
    picks = [f"min(__row) FILTER (WHERE {x} = __lo0) AS __p0", f"max(__row) FILTER (WHERE {x} = __hi0) AS __p1"]
    everyone = sum(1 << plan.layer.index for plan in members)
    bits = [everyone, everyone]
    for i, value in enumerate(values, start=1):
        picks += [f"min(__row) FILTER (WHERE {measured[i]} = __{end}{i}) AS __p{2 * i + k}"
                  for k, end in enumerate(("lo", "hi"))]
        bits += [sum(1 << plan.layer.index for plan in members if value in plan.values)] * 2
    tags = f"{bits[0]} AS bit" if len(set(bits)) == 1 else f"unnest([{', '.join(map(str, bits))}]) AS bit"
    ids = [f"__p{i}" for i in range(len(picks))]
    if group > 1:  # x's first and last of the group: from its first and last column holding rows
        over = f"OVER (PARTITION BY {keys}floor(__b / {group}))"
        ids[:2] = [f"CASE WHEN __b = min(__b) {over} THEN __p0 END", f"CASE WHEN __b = max(__b) {over} THEN __p1 END"]
    extremes = ", ".join(f"min({c}) AS __lo{i}, max({c}) AS __hi{i}" for i, c in enumerate(measured))
    if rel.count <= STREAMED_ROWS:  # a window over rows in memory: one pass
        window = extremes.replace(") AS", ") OVER w AS")
        grouped = (f"SELECT {keys}__b, {', '.join(picks)} FROM (SELECT *, {window} FROM ({rows}) "
                   f"WINDOW w AS (PARTITION BY {keys}__b)) GROUP BY {keys}__b")
    else:  # two streamed passes: a window would hold (and sort) every row
        on = " AND ".join(["t.__b = e.__b", *(f"t.{quote(k)} IS NOT DISTINCT FROM e.{quote(k)}" for k in first.keys)])
        grouped = (f"SELECT {''.join(f'e.{quote(k)}, ' for k in first.keys)}e.__b, {', '.join(picks)} FROM ({rows}) t "
                   f"JOIN (SELECT {keys}__b, {extremes} FROM ({rows}) GROUP BY {keys}__b) e ON {on} "
                   f"GROUP BY {''.join(f'e.{quote(k)}, ' for k in first.keys)}e.__b")
    return f"SELECT unnest([{', '.join(ids)}]) AS r, {tags} FROM ({grouped})"


def drawn_on_log(values: Sequence[str]) -> str:
    """SQL: the row has some value above zero, so Vega draws it on a log scale (at or below zero: null)."""
    return f"({' OR '.join(f'{quote(v)} > 0' for v in sorted(values))})"


def _log_gaps(plan: Any, x: str, bucket: str) -> str:
    """The rows where a line on a log scale breaks visibly: Vega makes a value at or below zero null,
    and a null breaks the path between the drawn rows around it. Per series, a column holding rows
    but none drawn is such a break: one of its rows (null in Vega) and the drawn rows next to it
    (the last of the column before, the first of the column after) are kept. A break within one
    column or two is finer than the stroke. One GROUP BY, then a window over the columns only."""
    keys = "".join(f"{quote(k)}, " for k in plan.keys)
    rows = (f"SELECT *, {bucket} AS __b, coalesce({drawn_on_log(plan.positive)}, FALSE) AS __d "
            f"FROM {plan.source} WHERE {plan.where} AND {x} IS NOT NULL")
    columns = (f"SELECT {keys}__b, count(*) FILTER (WHERE __d) AS __n, min(__row) FILTER (WHERE NOT __d) AS __out, "
               f"arg_min(__row, ({x}, __row)) FILTER (WHERE __d) AS __first, "
               f"arg_max(__row, ({x}, __row)) FILTER (WHERE __d) AS __last FROM ({rows}) GROUP BY {keys}__b")
    over = f"OVER ({'PARTITION BY ' + keys.rstrip(', ') + ' ' if keys else ''}ORDER BY __b)"
    picks = (f"CASE WHEN __n = 0 THEN __out END, CASE WHEN __n > 0 AND lead(__n) {over} = 0 THEN __last END, "
             f"CASE WHEN __n > 0 AND lag(__n) {over} = 0 THEN __first END")
    return (f"SELECT r, {1 << plan.layer.index} AS bit FROM (SELECT unnest([{picks}]) AS r FROM ({columns})) "
            "WHERE r IS NOT NULL")
