"""Where x lands across the plot, as SQL: the M4's pixel columns are cut on this mapping.

The x scale's domain (its own, else the extent of every table the chart draws) mapped as Vega
maps it: linearly, through the logarithm on a log scale, and through d3's symlog (constant 1),
sqrt and pow transforms, so each column is as wide on screen as any other (on a linear grid, a
symlog axis' first thousand steps of 60,000, half the plot, kept a few rows); time is epoch
milliseconds by then (dates.py).
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
    elif (warp := _WARPS.get(model.x.scale or "")) is not None:
        lo, hi = warp(lo, _exponent(model)), warp(hi, _exponent(model))
    return col, lo, (hi if hi > lo else lo + 1)


def x_column(model: ChartSpec) -> str:
    """x as the scale maps it linearly: its logarithm on a log scale (then lo and hi are too),
    d3's symlog, sqrt or pow transform of it on those."""
    x = quote(model.x.field)
    scale = model.x.scale or ""
    if scale == "log":
        return f"ln({x})"
    if scale == "symlog":  # d3: sign(x) * log1p(|x| / c), c = 1
        return f"(sign({x}) * ln(1 + abs({x})))"
    if scale in ("sqrt", "pow"):  # d3: sign(x) * |x| ** exponent
        return f"(sign({x}) * pow(abs({x}), {_exponent(model)!r}))"
    return x


def _exponent(model: ChartSpec) -> float:
    if model.x.scale == "sqrt":
        return 0.5
    return float(model.x.exponent) if model.x.exponent is not None else 1.0


_WARPS = {
    "symlog": lambda v, _: math.copysign(math.log1p(abs(v)), v),
    "sqrt": lambda v, e: math.copysign(abs(v) ** e, v),
    "pow": lambda v, e: math.copysign(abs(v) ** e, v),
}


def _extent(xs: Any, log: bool) -> tuple[float | None, float | None]:
    """min and max of x as the engine's query gives them (missing and, on a log scale, x <= 0 left out)."""
    kept = xs[xs > 0] if log else xs[xs == xs]  # xs == xs: not NaN
    return (float(kept.min()), float(kept.max())) if kept.size else (None, None)
