"""EMA smoothing of engine tables: the full series, in x order, before the reduction cuts them.

Smoothing the reduced rows would average a different curve (M4 keeps extremes, which would
pull the average); so each smoothed layer's series are read from the engine sorted by series and
x (file order breaks ties, as smoothing.py's stable sort does), smoothed with numpy (ema.py),
and joined back as the layer's ``__smooth_<i>`` column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import DataError
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from .engine import Relation, materialized, new_name, quote
from .rows import DRAWS
from .smoothing import repeated_x, smooth_column, smooth_series

__all__ = ["add_smoothed"]


def _series_order(rel: Relation, x: str, y: str, keys: Sequence[str], bit: int = 0
                  ) -> tuple[Any, Any, Any, Any, bool]:
    """Rows in series-then-x order (file order breaking ties): their ``__row``s, where each series
    starts, the positions (in that order) of x values repeated within a series, y in that order,
    and whether the engine handed the rows out in file order.

    Logs are usually written that way already (one file per run, steps rising), so the rows are
    read as the engine holds them and sorted with numpy only when they are not. A series is told
    apart by a 64-bit hash of its key values, which is cheap to read for 10^7 rows where text is not."""
    import numpy as np

    group = f"hash({', '.join(quote(k) for k in keys)})" if keys else "0"
    value = f"CAST({quote(y)} AS DOUBLE)"
    if DRAWS in rel.columns:  # rows the layer does not draw (steps.py) are not smoothed
        value = f"CASE WHEN ({DRAWS} & {bit}) <> 0 THEN {value} END"
    cols = rel.con.execute(f"SELECT __row, {group} AS g, CAST({quote(x)} AS DOUBLE) AS x, "
                           f"{value} AS y FROM {rel.name}").fetchnumpy()
    rows = np.asarray(cols["__row"], dtype=np.int64)
    in_file_order = np.array_equal(rows, np.arange(len(rows)))  # DuckDB keeps insertion order
    if not in_file_order:
        back = np.argsort(rows, kind="stable")
        cols, rows = {k: np.asarray(v)[back] for k, v in cols.items()}, rows[back]
    g = np.asarray(cols["g"])
    xs = np.ma.filled(np.ma.asarray(cols["x"], dtype=np.float64), np.nan)
    ys = np.ma.filled(np.ma.asarray(cols["y"], dtype=np.float64), np.nan)
    n = len(g)
    changed = g[1:] != g[:-1]
    in_order = (np.count_nonzero(changed) + 1 == len(np.unique(g)) if n else True) and bool(
        np.all(changed | (xs[1:] >= xs[:-1]) | np.isnan(xs[1:])))
    order = np.arange(n) if in_order else np.lexsort((np.arange(n), xs, g))  # NaN (no x) sorts last
    g, xs = g[order], xs[order]
    changed = g[1:] != g[:-1]
    starts = np.flatnonzero(np.concatenate(([True], changed))) if n else np.zeros(0, np.int64)
    ys = ys[order]
    # an x repeated among the values the series draws (a row without y is not part of it)
    valued = np.flatnonzero(~np.isnan(ys))
    gv, xv = g[valued], xs[valued]
    twice = valued[1:][(gv[1:] == gv[:-1]) & (xv[1:] == xv[:-1])]
    return rows[order], starts, twice, ys, in_file_order


def add_smoothed(rel: Relation, layers: Sequence[Layer], model: ChartSpec, source: SourceMap) -> Relation:
    """``rel`` with each layer's EMA column added (a new engine table); ``rel`` when none smooths."""
    if not layers:
        return rel
    import numpy as np
    import pyarrow as pa

    from .ema import ema_segments

    x = model.x.field
    rel = materialized(rel)  # Parquet: read the files once, not once per query
    arrays: dict[str, pa.Array] = {}
    in_file_order = True
    for layer in layers:
        assert layer.smooth is not None
        keys = smooth_series(layer, model)
        order, starts, twice, y, in_file_order = _series_order(rel, x, layer.y.field, keys, 1 << layer.index)
        if len(twice):
            value = rel.sql(f"SELECT {quote(x)} FROM {rel.name} WHERE __row = ?", [int(order[twice[0]])])[0][0]
            raise DataError(repeated_x(value, layer, model, source))
        smoothed = np.empty(rel.count)
        smoothed[order] = ema_segments(y, starts, layer.smooth.ema)
        arrays[smooth_column(layer.index)] = pa.array(smoothed, mask=np.isnan(smoothed))
    name = new_name()
    if not in_file_order:
        rel = materialized(rel, ordered=True)
    # The new columns are in file order (__row = 0..n-1) and so are the rows: they join by
    # position, without a hash join or a copy of 10^7 rows. The view keeps the arrays alive.
    rel.con.register(f"{name}_arrow", pa.table(arrays))
    smooth = ", ".join(f"s.{quote(c)}" for c in arrays)
    rel.con.execute(f"CREATE TEMP VIEW {name} AS SELECT t.*, {smooth} FROM {rel.name} t "
                    f"POSITIONAL JOIN {name}_arrow s")
    return Relation(rel.con, name, rel.count, rel.columns + tuple(arrays), rel.numeric | set(arrays), rel.integer)
