"""M4 in numpy for a smoothed layer, whose series the EMA step already holds in x order.

Smoothing reads each series of a layer, sorted by x, into numpy (smoothframe.py). reduce.py's SQL
M4 would then group the engine's 10^7 rows again (two passes, a hash join and a scan of the
smoothed columns' positional join: ~1.2 s of CPU for 10 runs of 10^6 rows, the largest part of the
load). Here the same rows are picked from the arrays in hand, in one pass of segment reductions
(~0.2 s), and handed to reduce.py's query as a small registered table.

The rows are the SQL's, exactly: a pixel column is ``floor((x - lo) / span * columns)`` evaluated
in the same float64 operations (only when lo and span are whole numbers and x is below 2**53, so
the engine's integer and decimal arithmetic is exact too); within a series x strictly rises
(smoothing refuses a repeated x), so the first and last x of a column are its first and last
row (of a group of columns, its first and last column's: m4sql.m4_part); for each value the first row (smallest ``__row``) holding its minimum and its maximum, a
missing value (NaN here, NULL there) never counting. Series are told apart by the same 64-bit key
hash as the EMA's. Anything else (filters, calculated values, bands, log x scales, point marks)
takes the SQL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .engine import new_name, quote
from .rows import DRAWS

if TYPE_CHECKING:
    import numpy as np

    from .engine import Relation

__all__ = ["Presorted", "m4_rows_sql"]

_EXACT = 2.0**53


@dataclass(frozen=True, eq=False)
class Presorted:
    """One smoothed layer's series as smoothframe.py sorted them: series hash ``g`` and ``x`` in
    series-then-x order, the ``__row`` of each position (None: position == ``__row``), the
    layer's value columns in that order, its smoothed column by ``__row``, and which positions the
    layer draws (None: all; steps.py's ``__draws`` bit, the SQL's WHERE)."""

    keys: tuple[str, ...]
    g: np.ndarray
    x: np.ndarray
    rows: np.ndarray | None
    values: Mapping[str, np.ndarray]
    by_row: Mapping[str, np.ndarray]
    drawn: np.ndarray | None = None


def m4_rows_sql(rel: Relation, plan: Any, found: Presorted | None, x_map: tuple[str, float, float],
                columns: int, x: str, group: int = 1) -> str | None:
    """SQL listing the rows (``r``) M4 keeps for ``plan`` with its layer's bit (``bit``), from
    ``found``, the first and last x per ``group`` columns (m4sql.m4_part); None when the SQL M4
    must run (see the module)."""
    col, lo, hi = x_map
    span = hi - lo
    if (found is None or plan.points or plan.where not in ("TRUE", f"({DRAWS} & {1 << plan.layer.index}) <> 0") or plan.source != rel.name or col != quote(x)
            or tuple(plan.keys) != found.keys or not set(plan.values) <= set(found.values)
            or not (float(lo).is_integer() and float(span).is_integer())):
        return None
    import numpy as np

    picked = _picks(found, list(plan.values), float(lo), float(span), columns, group, plan.positive)
    if picked is None:
        return None
    name = new_name()
    rel.con.register(name, {"r": picked, "bit": np.full(len(picked), 1 << plan.layer.index, dtype=np.int64)})
    return f"SELECT r, bit FROM {name}"


def _picks(found: Presorted, values: list[str], lo: float, span: float, columns: int, group: int,
           positive: frozenset[str] = frozenset()) -> np.ndarray | None:
    import numpy as np

    missing = np.isnan(found.x) if found.drawn is None else np.isnan(found.x) | ~found.drawn
    if positive:  # a log scale: rows with no value above zero are not drawn (m4sql.m4_part)
        with np.errstate(invalid="ignore"):
            missing |= ~np.logical_or.reduce([found.values[name] > 0 for name in sorted(positive)])
    # WHERE x IS NOT NULL and the layer draws the row (whole arrays, not copies, when every row has an x)
    keep = slice(None) if not missing.any() else np.flatnonzero(~missing)
    xs, g = found.x[keep], found.g[keep]
    if not len(xs):
        return np.zeros(0, np.int64)
    if max(abs(float(xs.min())), abs(float(xs.max()))) >= _EXACT:
        return None
    if found.rows is not None:
        row: np.ndarray | None = found.rows[keep]
    else:  # the position is the row, unless rows without an x were left out
        row = None if isinstance(keep, slice) else keep
    # the SQL's operations, in its order, in one array (not three temporaries of 10^7 values)
    bucket = np.subtract(xs, lo)
    bucket /= span
    bucket *= columns
    np.floor(bucket, out=bucket)
    new = np.empty(len(xs), bool)
    new[0] = True
    np.not_equal(g[1:], g[:-1], out=new[1:])
    new[1:] |= bucket[1:] != bucket[:-1]
    starts = np.flatnonzero(new)
    lengths = np.diff(np.append(starts, len(xs)))
    ends = starts + lengths - 1
    firsts, lasts = starts, ends
    if group > 1:  # x's first and last per group of columns: its first and last column's (m4sql.m4_part)
        grouped = np.floor(bucket[starts] / group)
        opens = np.empty(len(starts), bool)
        opens[0] = True
        np.not_equal(grouped[1:], grouped[:-1], out=opens[1:])
        opens[1:] |= g[starts[1:]] != g[starts[:-1]]
        closes = np.append(opens[1:], True)
        firsts, lasts = starts[opens], ends[closes]
    picks = [firsts, lasts] if row is None else [row[firsts], row[lasts]]  # x strictly rises in a series
    for name in values:
        v = found.values[name][keep]
        with np.errstate(invalid="ignore"):  # a column of missing values has no extremes
            if name in positive:  # a log scale: the extremes of the values above zero
                v = np.where(v > 0, v, np.nan)
            for extreme in (np.fmin.reduceat(v, starts), np.fmax.reduceat(v, starts)):
                picks.append(_first_holding(v == np.repeat(extreme, lengths), starts, lengths, row, found.rows is None))
    return np.unique(np.concatenate(picks)).astype(np.int64)


def _first_holding(match: np.ndarray, starts: np.ndarray, lengths: np.ndarray, row: np.ndarray | None,
                   rising: bool) -> np.ndarray:
    """Per segment the smallest row (``row`` of the position; None: the position) where ``match``
    holds; segments without one give none."""
    import numpy as np

    if rising:  # rows rise with the position: the first match in each segment
        hits = np.flatnonzero(match)
        first = np.searchsorted(hits, starts)
        inside = first < len(hits)
        found = hits[np.minimum(first, len(hits) - 1)] if len(hits) else np.zeros(len(starts), np.int64)
        inside &= found < starts + lengths
        return found[inside] if row is None else row[found[inside]]
    assert row is not None
    none = np.iinfo(np.int64).max
    first = np.minimum.reduceat(np.where(match, row, none), starts)
    return first[first != none]
