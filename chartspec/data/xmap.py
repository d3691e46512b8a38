"""Where x lands across the plot, as SQL: the M4's pixel columns are cut on this mapping.

The x scale's domain (its own, else the extent of every table the chart draws) mapped as Vega
maps it: linearly, through the logarithm on a log scale, and through d3's symlog (constant 1),
sqrt and pow transforms, so each column is as wide on screen as any other (on a linear grid, a
symlog axis' first thousand steps of 60,000, half the plot, kept a few rows); time is epoch
milliseconds by then (dates.py).

The extent is that of the rows Vega draws: when the layers' filters may narrow x, of the rows
they keep (:func:`drawn_rows`), as Vega computes its domain after them (steps 0..20,000 kept of
1,000,000 were cut on the whole table's columns: 200 vertices across 600 px, a third of the PNG's
pixels differed). A given domain narrower than the data is the plot's span: rows beyond it are
clamped into one column on each side (:func:`_clamped`), whose first and last rows draw the
segments entering and leaving the plot and whose extremes keep the y axis' domain (the whole
table was drawn: 455,000 of 1,000,000 rows for a domain of 20,000 steps). Not with zoom on (the
HTML pans to them) nor with ``nice: true`` (Vega rounds the domain outward, fillgrid.py).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..spec.model import ChartSpec
from .engine import Relation, quote
from .rows import DRAWS
from .table import Table

__all__ = ["drawn_rows", "x_column", "x_map"]

#: how far past the domain (a share of it) rows beyond it are clamped to: in the column next to
#: it for any grid of fewer than a million columns (m4sql.py, fillgrid.py cut on this mapping)
_BEYOND = 1e-6


def x_map(model: ChartSpec, rels: Sequence[Relation], others: Sequence[Table], xs: Any = None,
          drawn: Mapping[str, Sequence[str]] | None = None) -> tuple[str, float, float] | None:
    """SQL mapping x to [0, 1) across the x scale's domain, as Vega maps it (linear, log, time).
    ``xs``: the x of every row of the one relation, already read (numpy, missing as NaN);
    ``drawn``: the rows the layers keep, when their filters may narrow x (:func:`drawn_rows`)."""
    x, log = model.x.field, model.x.scale == "log"
    if model.x.domain is not None:
        lo, hi = (float(v) for v in model.x.domain)
    else:
        cut, extent = f"{quote(x)} > 0" if log else "TRUE", f"SELECT min({quote(x)}), max({quote(x)}) FROM"
        found = [rels[0].sql(f"{extent} {source} WHERE ({' OR '.join(f'({w})' for w in where)}) AND {cut}")[0]
                 for source, where in (drawn or {}).items()]
        if all(f[0] is None for f in found):  # no filter, or one keeping no row: the whole table's (the
            # cut then keeps nothing, but its path gives the checks the data's numbers, reduce.py)
            found = [_extent(xs, log) if xs is not None else r.sql(f"{extent} {r.name} WHERE {cut}")[0] for r in rels]
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
    # (not with zoom, which pans to what lies beyond, nor 'nice: true', which rounds the domain outward)
    if model.x.domain is not None and hi > lo and not model.interactive.zoom and not model.x.nice:
        return _clamped(col, lo, hi), lo, hi
    return col, lo, (hi if hi > lo else lo + 1)


def _clamped(col: str, lo: float, hi: float) -> str:
    """``col`` with values beyond [lo, hi] moved just beyond it: one column on each side of the
    plot (missing, NaN and the infinities of a log of x <= 0 stay as they were, as Vega leaves them out)."""
    beyond = (hi - lo) * _BEYOND
    return (f"(CASE WHEN NOT isfinite({col}) THEN {col} WHEN {col} < {lo!r} THEN {lo - beyond!r} "
            f"WHEN {col} > {hi!r} THEN {hi + beyond!r} ELSE {col} END)")


def drawn_rows(plans: Sequence[Any], whole: Sequence[str | None], base: Relation) -> dict[str, list[str]] | None:
    """The rows Vega computes the x domain from, per source (a plan's rows: reduce.py's ``_Plan``)
    as SQL conditions, when some filter may narrow x; None when every row counts: a layer without a
    filter, or ``whole`` (the filters of the layers drawn whole) holds one SQL cannot run (no scan more)."""
    found: dict[str, list[str]] = {}
    for plan in plans:
        if plan.where in ("TRUE", f"({DRAWS} & {1 << plan.layer.index}) <> 0"):
            return None  # only the steps rules' bits: they leave x's extent as it is
        found.setdefault(plan.source, []).append(plan.where)
    for where in whole:
        if where is None:
            return None
        found.setdefault(base.name, []).append(where)
    return found or None


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
