"""The chart's rows as Vega-Lite inline data: only the columns the spec names, huge integers as floats."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..data.table import Table

__all__ = ["inline_values", "shared_values", "shows_every_field"]

# Integers beyond 2**53 are no more exact than floats, and vl-convert refuses those past 2**63.
_MAX_EXACT_INT = 2**53


def shared_values(table: Table) -> list[dict[str, Any]]:
    """:func:`inline_values` without copying the rows: for a build, which compiles a chart twice (light
    and dark looks) and never changes a compiled chart's rows: two copies of a reduced large
    chart's 24,000 rows are 6-7 MB each (bench_large case 1: the build's process at 122 MB while
    Vega draws, 116 MB without them)."""
    big = _MAX_EXACT_INT
    if _unused(table) or any(type(v) is int and not -big < v < big for row in table.rows for v in row.values()):
        return inline_values(table)
    return list(table.rows)


def _unused(table: Table) -> bool:
    """Do the rows hold columns the spec never names? A 100-column W&B export plotting one made a
    6 MB page from a 1.6 MB CSV (a large table's reduction fetches only the named ones)."""
    keep = table.drawn_columns  # every row's keys: JSON Lines rows need not share the first's
    return keep is not None and any(k not in keep and not k.startswith("__") for row in table.rows for k in row)


def shows_every_field(*configs: Any) -> bool:
    """Does a Vega-Lite config or patch show every field of a row (``tooltip: true`` or
    ``tooltip: {content: data}``)? Then no column is left out of the rows."""
    stack = list(configs)
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            tip = item.get("tooltip")
            if tip is True or (isinstance(tip, dict) and (tip.get("content") == "data" or "expr" in tip)):
                return True  # (an expression may show any field: {expr: datum})
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return False


def inline_values(table: Table) -> list[dict[str, Any]]:
    """The rows as Vega-Lite data: huge integers become floats (JavaScript reads them so anyway).
    Inline, not a call per cell: that cost more than the rest (20,000 rows of a reduced chart)."""
    big = _MAX_EXACT_INT
    # which columns hold one (type() is int: never a bool), then copies made in C for the rest
    huge = {k for row in table.rows for k, v in row.items() if type(v) is int and not -big < v < big}
    if _unused(table):
        keep = table.drawn_columns or frozenset()
        rows = [{k: v for k, v in row.items() if k in keep or k.startswith("__")} for row in table.rows]
        return inline_values(replace(table, rows=tuple(rows), drawn_columns=None)) if huge else rows
    if not huge:
        return [dict(row) for row in table.rows]
    return [{k: float(v) if k in huge and isinstance(v, int) and not isinstance(v, bool) and abs(v) >= big else v
             for k, v in row.items()} for row in table.rows]

