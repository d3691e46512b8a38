"""EMA smoothing of engine tables: the full series, in x order, before the reduction cuts them.

Smoothing the reduced rows would average a different curve (M4 keeps extremes, which would
pull the average); so each smoothed layer's series are read from the engine sorted by series and
x (file order breaks ties, as smoothing.py's stable sort does), smoothed with numpy (ema.py),
and joined back as the layer's ``__smooth_<i>`` column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ..errors import DataError, Diagnostic
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from .arrownp import float_column, int_column, numeric_columns
from .engine import Relation, materialized, new_name, quote
from .fileview import rows_in
from .layerdata import layer_dates
from .m4np import Presorted
from .rows import DRAWS
from .smoothing import repeated_x, smooth_column
from .smoothkeys import keyed_source
from .stepsplain import series_plan

__all__ = ["add_smoothed", "kept_smoothed"]


def _series_order(rel: Relation, x: str, y: str, keys: Sequence[str], bit: int = 0,
                  fetched: Mapping[str, Any] | None = None, source: str | None = None
                  ) -> tuple[Any, Any, Any, Any, bool, Any, Any, Any]:
    """Rows in series-then-x order (file order breaking ties): their ``__row``s (None: file order
    already), where each series starts, the positions (in that order) of x values repeated among
    the values a series draws, y in that order, whether the engine handed the rows out in file
    order, and the series hashes, x and whether the layer draws the row (steps.py) in that order.

    Logs are usually written that way already (one file per run, steps rising), so the rows are
    read as the engine holds them and sorted with numpy only when they are not. A series is told
    apart by a 64-bit hash of its key values, which is cheap to read for 10^7 rows where text is not.
    ``source``: the FROM item holding the keys a calculate makes (smoothkeys.py), else ``rel``."""
    import numpy as np

    group = f"hash({', '.join(quote(k) for k in keys)})" if keys else "0"
    value, drawn = f"CAST({quote(y)} AS DOUBLE)", "1"
    if DRAWS in rel.columns:  # rows the layer does not draw (steps.py) are not smoothed
        value = f"CASE WHEN ({DRAWS} & {bit}) <> 0 THEN {value} END"
        drawn = f"CAST(({DRAWS} & {bit}) <> 0 AS TINYINT)"
    exprs = {"g": group, "x": f"CAST({quote(x)} AS DOUBLE)", "y": value, "d": drawn}
    cols = _columns(rel, exprs, fetched or {}, source or rel.name)
    rows, g, xs, ys, ds = (cols[c] for c in ("__row", "g", "x", "y", "d"))
    n = len(rows)
    # __row numbers the rows 0..n-1: rising means file order (DuckDB keeps insertion order)
    in_file_order = not n or bool(rows[0] == 0 and rows[-1] == n - 1 and np.all(rows[1:] > rows[:-1]))
    if not in_file_order:
        back = np.argsort(rows, kind="stable")
        g, xs, ys, ds = g[back], xs[back], ys[back], ds[back]
    changed = g[1:] != g[:-1]
    heads = g[np.flatnonzero(np.concatenate(([True], changed)))] if n else g
    # each series in one piece (no series starts twice), x rising within it: no sort needed
    if len(np.unique(heads)) == len(heads) and np.all(changed | (xs[1:] >= xs[:-1]) | np.isnan(xs[1:])):
        order = None
    else:
        order = np.lexsort((np.arange(n), xs, g))  # NaN (no x) sorts last
        g, xs, ys, ds = g[order], xs[order], ys[order], ds[order]
        changed = g[1:] != g[:-1]
    starts = np.flatnonzero(np.concatenate(([True], changed))) if n else np.zeros(0, np.int64)
    # an x repeated among the values the series draws (a row without y is not part of it)
    absent = np.isnan(ys)
    if absent.any():
        valued = np.flatnonzero(~absent)
        gv, xv = g[valued], xs[valued]
        twice = valued[1:][(gv[1:] == gv[:-1]) & (xv[1:] == xv[:-1])]
    else:  # every row has a y (a log's usual case): no index array, no copies of 10^7 values
        twice = np.flatnonzero((g[1:] == g[:-1]) & (xs[1:] == xs[:-1])) + 1
    return order, starts, twice, ys, in_file_order, g, xs, ds.astype(bool)


def _columns(rel: Relation, exprs: Mapping[str, str], fetched: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``__row`` and each of ``exprs`` (name -> SQL) per row of ``rel`` (read from ``source``),
    reading only those not in ``fetched`` (SQL -> values, read before in the engine's order, as
    steps.py hands them on)."""
    import numpy as np

    have = {n: fetched[e] for n, e in exprs.items() if e in fetched and "__row" in fetched}
    if "__row" in fetched and all(n in have or e == "1" for n, e in exprs.items()):
        # every column from one earlier read (in one order, so they line up) and the constant
        # made here: the files are not scanned again (0.3 s for 10 x 10^6 Parquet rows)
        ones = np.ones(len(fetched["__row"]), dtype=np.int32)  # as DuckDB hands out the INTEGER 1
        return {"__row": fetched["__row"], **have, **{n: ones for n, e in exprs.items() if e == "1"}}
    need = ", ".join(f"{e} AS {n}" for n, e in exprs.items() if n not in have)
    cols = numeric_columns(rel.con, f"SELECT __row{', ' + need if need else ''} FROM {source}")
    if not have:
        return cols
    if np.array_equal(cols["__row"], fetched["__row"]):  # the same order: the arrays line up
        return {**have, **cols}
    return _columns(rel, exprs, {}, source)


def add_smoothed(rel: Relation, layers: Sequence[Layer], model: ChartSpec, source: SourceMap,
                 fetched: Mapping[str, Any] | None = None, *, has_own: bool = False
                 ) -> tuple[Relation, dict[int, Presorted]]:
    """``rel`` with each layer's EMA column added (a view joining them to ``rel``), and each
    smoothed layer's series as sorted here (by layer index), for m4np.py; ``rel`` when none smooths.
    ``fetched``: columns of ``rel`` already read (SQL -> values in the engine's order)."""
    if not layers:
        return rel, {}
    import numpy as np
    import pyarrow as pa

    from .ema import ema_segments

    x = model.x.field
    arrays: dict[str, pa.Array] = {}
    presorted: dict[int, Presorted] = {}
    in_file_order = True
    for layer in layers:
        assert layer.smooth is not None
        keys, made = series_plan(layer, model, has_own)
        keyed, unknown = keyed_source(rel, made, x, layer_dates(layer, model))
        if unknown is not None:
            raise DataError(_not_computed(unknown, layer, source))
        order, starts, twice, y, in_file_order, g, xs, drawn = _series_order(
            rel, x, layer.y.field, keys, 1 << layer.index, {} if made else fetched, keyed)
        if len(twice):
            row = int(twice[0] if order is None else order[twice[0]])
            value = rel.sql(f"SELECT {quote(x)} FROM {rel.name} WHERE __row = ?", [row])[0][0]
            raise DataError(repeated_x(value, layer, model, source))
        column = smooth_column(layer.index)
        in_x_order = ema_segments(y, starts, layer.smooth.ema)
        smoothed = in_x_order
        if order is not None:  # back into file order
            smoothed = np.empty_like(in_x_order)
            smoothed[order] = in_x_order
        presorted[layer.index] = Presorted(tuple(keys), g, xs, order, {layer.y.field: y, column: in_x_order},
                                           {column: smoothed}, None if drawn.all() else drawn)
        arrays[column] = float_column(smoothed)
    name = new_name()
    smooth = ", ".join(f"s.{quote(c)}" for c in arrays)
    if rel.view:
        # A view over Parquet files is not copied into a table to join by position (0.7 s for
        # 10^7 rows, and the memory): the SQL M4 scans it rarely (m4np.py does most smoothed
        # layers), and a join on __row serves then.
        arrays["__row"] = int_column(np.arange(rel.count))
        join = f"JOIN {name}_arrow s ON t.__row = s.__row"
    else:  # a table's rows in file order join the new columns by position: no hash join
        rel = rel if in_file_order else materialized(rel, ordered=True)
        join = f"POSITIONAL JOIN {name}_arrow s"
    rel.con.register(f"{name}_arrow", pa.Table.from_arrays(list(arrays.values()), names=list(arrays)))
    rel.con.execute(f"CREATE TEMP VIEW {name} AS SELECT t.*, {smooth} FROM {rel.name} t {join}")
    added = tuple(c for c in arrays if c != "__row")
    return (Relation(rel.con, name, rel.count, rel.columns + added, rel.numeric | set(added), rel.integer,
                     view=rel.view), presorted)


def _not_computed(field: str, layer: Layer, source: SourceMap) -> Diagnostic:
    return source.diagnostic(
        f"cannot smooth per {field!r}: the data engine cannot compute the calculate that makes it",
        layer.json_path + ("smooth",), key=True,
        hint="colour the layer by a column of the data, or make the field with a simpler expression")


def kept_smoothed(base: Relation, rel: Relation, keep: str, presorted: Mapping[int, Presorted]
                  ) -> tuple[Relation, str]:
    """The rows ``keep`` lists (``r``, ``m``) as ``rel`` with the smoothed values joined from the
    arrays for those rows only (a join of all 10^7 of them cost 0.5 s), and a query listing them."""
    import pyarrow as pa

    kept = numeric_columns(base.con, keep)
    columns = {"r": int_column(kept["r"]), "m": int_column(kept["m"])}
    for found in presorted.values():
        columns.update({c: float_column(v[kept["r"]]) for c, v in found.by_row.items()})
    name = new_name()
    base.con.register(f"{name}_kept", pa.Table.from_arrays(list(columns.values()), names=list(columns)))
    smooth = ", ".join(f"k.{quote(c)}" for c in columns if c not in ("r", "m"))
    base.con.execute(f"CREATE TEMP VIEW {name} AS SELECT t.*, {smooth} FROM {rows_in(base, name + '_kept')} t "
                     f"JOIN {name}_kept k ON t.__row = k.r")
    return replace(rel, name=name, view=True), f"SELECT r, m FROM {name}_kept"
