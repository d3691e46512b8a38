"""EMA smoothing of engine tables: the full series, in x order, before the reduction cuts them.

Smoothing the reduced rows would average a different curve (M4 keeps extremes, which would
pull the average); so each smoothed layer's series are read from the engine sorted by series and
x (file order breaks ties, as smoothing.py's stable sort does), smoothed with numpy (ema.py),
and joined back as the layer's ``__smooth_<i>`` column.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import DataError
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from .engine import Relation, new_name, quote
from .smoothing import smooth_column, smooth_series

__all__ = ["add_smoothed"]


def _duplicate(rel: Relation, x: str, keys: Sequence[str]) -> object | None:
    group = ", ".join(quote(k) for k in (*keys, x))
    found = rel.sql(f"SELECT {quote(x)} FROM {rel.name} WHERE {quote(x)} IS NOT NULL GROUP BY {group} "
                    f"HAVING count(*) > 1 ORDER BY min(__row) LIMIT 1")
    return found[0][0] if found else None


def add_smoothed(rel: Relation, layers: Sequence[Layer], model: ChartSpec, source: SourceMap) -> Relation:
    """``rel`` with each layer's EMA column added (a new engine table); ``rel`` when none smooths."""
    if not layers:
        return rel
    import numpy as np
    import pyarrow as pa

    from .ema import ema_segments
    x = model.x.field
    arrays: dict[str, pa.Array] = {}
    for layer in layers:
        assert layer.smooth is not None
        keys = smooth_series(layer, model)
        if (twice := _duplicate(rel, x, keys)) is not None:
            within = f" within one {' and '.join(map(repr, keys))}" if keys else " (the data holds several series)"
            raise DataError(source.diagnostic(
                f"cannot smooth: x value {twice!r} occurs more than once{within}", layer.json_path + ("smooth",),
                key=True, hint="draw one curve per series (colour the layer by a field), or give each series "
                               "its own layer data"))
        order = ", ".join([*(quote(k) for k in keys), f"{quote(x)} NULLS LAST", "__row"])
        group = f"dense_rank() OVER (ORDER BY {', '.join(quote(k) for k in keys)})" if keys else "1"
        cols = rel.con.execute(f"SELECT __row, CAST({quote(layer.y.field)} AS DOUBLE) AS y, {group} AS g "
                               f"FROM {rel.name} ORDER BY {order}").fetchnumpy()
        y = np.ma.filled(np.ma.asarray(cols["y"], dtype=np.float64), np.nan)
        g = np.asarray(cols["g"])
        starts = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1]))) if len(g) else np.zeros(0, np.int64)
        smoothed = np.empty(rel.count)
        smoothed[np.asarray(cols["__row"], dtype=np.int64)] = ema_segments(y, starts, layer.smooth.ema)
        arrays[smooth_column(layer.index)] = pa.array(smoothed, mask=np.isnan(smoothed))
    name = new_name()
    frame = pa.table({"__row": pa.array(range(rel.count), pa.int64()), **arrays})
    rel.con.register(f"{name}_arrow", frame)
    rel.con.execute(f"CREATE TEMP TABLE {name} AS SELECT t.*, {', '.join(f's.{quote(c)}' for c in arrays)} "
                    f"FROM {rel.name} t JOIN {name}_arrow s USING (__row) ORDER BY __row")
    rel.con.unregister(f"{name}_arrow")
    return Relation(rel.con, name, rel.count, rel.columns + tuple(arrays), rel.numeric | set(arrays), rel.integer)
