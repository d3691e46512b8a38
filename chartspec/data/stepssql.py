"""Whether steps.py's rules leave an engine table as it is, asked of the engine without fetching it.

A log as loggers write it (every row with an x and a y, each series in one run of rows, steps
strictly rising, an even cadence) keeps every row: no repeated x, no hole. steps.py would find that
out by fetching x and the series of every row into numpy (two 8-byte columns per row: 150 MB and
0.4 s for 9,000,000 rows, which made ``chartspec validate`` of a 200 MB CSV peak above 1 GB).
This asks the same questions in one streaming query instead: ``lag(...) OVER ()`` pairs each row
with the one before it in the engine's order, and the query also checks that this order is file
order (each ``__row`` one more than the one before), so nothing rests on an order DuckDB does not
promise. Any other answer (a repeated or falling x, a series in two runs, a step that may be a
hole, a missing value, a filter deciding what a series holds, a log scale) leaves the decision to
steps.py's numpy code, which gives the same result for a log that passes here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..spec.model import ChartSpec, Layer
from .engine import Relation, quote
from .stepsplain import GAP_FACTOR, _todo, series_keys, series_plan, settings

__all__ = ["keeps_every_row", "unchanged_by_rules"]


def unchanged_by_rules(rel: Relation, layers: Sequence[Layer], model: ChartSpec, has_own: bool,
                       filters_sql: Callable[[Layer], str | None]) -> bool:
    """True when steps.py's rules would hand ``rel`` back as it is, with no note, and no layer
    smooths (smoothing reuses the columns steps.py reads): then neither steps.py nor numpy is needed."""
    if any(layer.smooth for layer in layers):
        return False
    todo = _todo(layers, model, has_own, rel.columns, calculated=True) if model.x.field in rel.numeric else []
    if any(series_plan(layer, model, has_own)[1] for layer in todo):
        return False  # series fields a calculate makes: steps.py computes them (smoothkeys.py)
    return not todo or keeps_every_row(rel, todo, model, has_own, filters_sql)


def keeps_every_row(rel: Relation, todo: Sequence[Layer], model: ChartSpec, has_own: bool,
                    filters_sql: Callable[[Layer], str | None]) -> bool:
    """True when steps.py's rules would keep every row of ``rel`` for every layer of ``todo``, with
    no note and no piece; False: they may not (steps.py decides)."""
    if rel.count < 2 or model.x.scale == "log" or any(filters_sql(layer) is not None for layer in todo):
        return False  # filtered series (rows dropped make longer steps), log steps: steps.py
    groups: dict[str, str] = {}  # SQL of a series' key -> its name in the query
    for layer in todo:
        keys = series_keys(layer, model, has_own)
        groups.setdefault(f"hash({', '.join(quote(k) for k in keys)})" if keys else "0", f"g{len(groups)}")
    inner = ", ".join(["__row AS r", f"CAST({quote(model.x.field)} AS DOUBLE) AS x",
                       *(f"{quote(layer.y.field)} IS NOT NULL AS y{i}" for i, layer in enumerate(todo)),
                       *(f"{sql} AS {g}" for sql, g in groups.items())])
    lagged = ", ".join(["r", "lag(r) OVER () AS pr", "x", "lag(x) OVER () AS px",
                        *(f"y{i}" for i in range(len(todo))), *(f"{g}, lag({g}) OVER () AS p{g}" for g in groups.values())])
    stats = ["count(*) FILTER (WHERE r <> pr + 1)", "count(x)", *(f"count(*) FILTER (WHERE y{i})" for i in range(len(todo)))]
    for g in groups.values():
        same = f"{g} = p{g}"
        stats += [f"count(*) FILTER (WHERE {same} AND NOT (x > px))", f"count(*) FILTER (WHERE {g} <> p{g})",
                  f"count(DISTINCT {g})", f"min(x - px) FILTER (WHERE {same})", f"max(x - px) FILTER (WHERE {same})"]
    found = rel.sql(f"SELECT {', '.join(stats)} FROM (SELECT {lagged} FROM (SELECT {inner} FROM {rel.name}))")[0]
    disorder, with_x, *rest = found
    with_y, rest = rest[:len(todo)], rest[len(todo):]
    if disorder or with_x != rel.count or any(n != rel.count for n in with_y):
        return False
    per_group = {g: rest[5 * i: 5 * i + 5] for i, g in enumerate(groups.values())}
    for layer in todo:
        keys = series_keys(layer, model, has_own)
        falling, changes, distinct, shortest, longest = per_group[groups[
            f"hash({', '.join(quote(k) for k in keys)})" if keys else "0"]]
        if falling or distinct != changes + 1:  # a repeated or falling x, or a series in two runs of rows
            return False
        if settings(layer, model)[1] != "connect" and longest is not None and longest > GAP_FACTOR * shortest:
            return False  # a step that may be a hole: the windowed medians of steps.py decide
    return True
