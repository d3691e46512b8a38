"""Where x lands across the plot, as SQL: the M4's pixel columns are cut on this mapping.

The x scale's domain (its own, else the extent of every table the chart draws) mapped linearly,
or its logarithm on a log scale, as Vega maps it; time is epoch milliseconds by then (dates.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..spec.model import ChartSpec
from .engine import Relation, quote
from .table import Table

__all__ = ["x_column", "x_map"]


def x_map(model: ChartSpec, rels: Sequence[Relation], others: Sequence[Table], xs: Any = None
           ) -> tuple[str, float, float] | None:
    """SQL mapping x to [0, 1) across the x scale's domain, as Vega maps it (linear, log, time).
    ``xs``: the x of every row of the one relation, already read (numpy, missing as NaN)."""
    x, log = model.x.field, model.x.scale == "log"
    if model.x.domain is not None:
        lo, hi = (float(v) for v in model.x.domain)
    else:
        found = [_extent(xs, log) if xs is not None else r.sql(f"SELECT min({quote(x)}), max({quote(x)}) FROM {r.name}"
                 + (f" WHERE {quote(x)} > 0" if log else ""))[0] for r in rels]
        found += [(min(v), max(v)) for t in others if (v := [n for n in t.numbers(x) if n > 0 or not log])]
        found = [f for f in found if f[0] is not None]
        if not found:
            return None
        lo, hi = min(f[0] for f in found), max(f[1] for f in found)
    col = x_column(model)
    if log:
        if lo <= 0 or hi <= 0:
            return None
        lo, hi = math.log(lo), math.log(hi)
    return col, lo, (hi if hi > lo else lo + 1)


def x_column(model: ChartSpec) -> str:
    """x as the scale maps it linearly: its logarithm on a log scale (then lo and hi are too)."""
    return f"ln({quote(model.x.field)})" if model.x.scale == "log" else quote(model.x.field)


def _extent(xs: Any, log: bool) -> tuple[float | None, float | None]:
    """min and max of x as the engine's query gives them (missing and, on a log scale, x <= 0 left out)."""
    kept = xs[xs > 0] if log else xs[xs == xs]  # xs == xs: not NaN
    return (float(kept.min()), float(kept.max())) if kept.size else (None, None)
