"""Training-log semantics of a line's series: repeated x values, sparse columns and holes.

A series here is what one line draws: a line or area layer's y field, per value of its ``color``
field, facet panel and file of a ``files`` glob (:func:`~chartspec.data.smoothing.smooth_series`).
Logs break the tidy-table picture in three ways, decided here once for both readers (rows read in
Python, tables held by the engine: the same numpy code on arrays from either):

- *Repeated x* (a run resumed from a checkpoint logs steps 20-30 again): among a series' rows
  with a y value, ``duplicates: last`` (the default) draws only the row logged last for each x,
  ``first`` the first, ``all`` every row. The replaced rows are counted for a note.
- *Sparse columns* (metrics logged on alternating rows): a row whose y is empty is not part of
  the series, so it neither breaks the line nor counts as a repeat (``gaps: auto``, ``connect``).
- *Holes* (an outage in hourly data): in x order, the steps between a series' distinct x values
  (in log x on a log scale); step ``d`` is a hole when ``d > K *`` the second longest of the up to
  ``W`` steps before it and ``d > K *`` the second longest of the up to ``W`` steps after it (both
  must exist; of one step, that one), with :data:`K` = 4 and :data:`W` = 8. Comparing with both
  sides keeps a change of logging cadence (every step, then every 100) from counting as a hole.
  The second longest, not the median: irregular sampling (event times, exponential spacing) has 6 %
  of its steps over 4 times their neighbours' median, 0.1 % over 4 times the second longest; not
  the longest: an outage a few steps from another would hide it. ``gaps: auto`` breaks the line there;
  ``break`` also at every row of the series whose y is empty; ``connect`` never.

The result per layer is which rows it draws (bit ``i`` of the rows' ``__draws`` column, like the
reduction's ``__layers``; kept apart so the hover tooltip still reads rows the reduction gave
another layer) and, when it has a hole, a ``__piece_<i>`` column numbering the pieces of its line,
which the compiler draws as separate paths (Vega-Lite's ``detail`` channel).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from dataclasses import replace as dc_replace
from typing import Any

import numpy as np

from ..errors import Diagnostic
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Filter
from .arrownp import int_column, numeric_columns
from .engine import Relation, materialized, new_name, quote
from .fileview import by_label, label_groups
from .rows import DRAWS, piece_column
from .smoothkeys import keyed_sources
from .stepsplain import GAP_FACTOR, _todo, applies, keyed, replaced_note, series_keys, settings
from .table import Table

__all__ = ["GAP_FACTOR", "GAP_WINDOW", "Decision", "applies", "apply_to_relation", "apply_to_rows", "decide",
           "piece_column"]

#: how many steps on each side the rule looks at
GAP_WINDOW = 8


@dataclass(frozen=True)
class Decision:
    """One layer's rows: which it draws, its pieces (None: no hole), the rows it replaced."""

    keep: np.ndarray
    piece: np.ndarray | None
    #: row positions (in the arrays' order) of rows replaced by another with the same x
    replaced: np.ndarray


def decide(group: np.ndarray, x: np.ndarray, has_y: np.ndarray, duplicates: str, gaps: str,
           log: bool = False, kept_by_filters: np.ndarray | None = None) -> Decision:
    """The rows of one layer to draw. ``group``: an integer per row naming its series; ``x``: x
    as floats (NaN: none); ``has_y``: the row holds a y value. Rows without an x are kept (Vega
    drops them) and so are, with ``gaps: break``, rows without a y (they break the line)."""
    valid = ~np.isnan(x)
    if kept_by_filters is not None:  # rows the layer's filters drop are none of its series (Vega drops them)
        valid &= kept_by_filters
    drawn = valid & has_y
    if drawn.all() and _in_order(group, x):
        # a log's usual case (every row in a series, steps rising): every row kept, nothing
        # replaced, and no index arrays or copies of 10^7 values (time and memory of validate)
        keep = np.ones(x.size, dtype=bool)
        piece = None if gaps == "connect" else _pieces(group, x, None, keep, has_y, log, group, x)
        return Decision(keep, piece, np.zeros(0, dtype=np.int64))
    idx = np.flatnonzero(drawn)
    full = idx.size == x.size
    gi, xi = (group, x) if full else (group[idx], x[idx])
    if _in_order(gi, xi):  # x strictly rising within each series: no repeated x, nothing to sort
        kept, replaced, gk, xk = idx, idx[:0], gi, xi
    else:
        order = idx[np.lexsort((idx, xi, gi))]
        same = (group[order][1:] == group[order][:-1]) & (x[order][1:] == x[order][:-1])
        if duplicates == "last":
            drop = np.append(same, False)[: order.size]  # a row followed by one with the same x is replaced
        elif duplicates == "first":
            drop = np.insert(same, 0, False)[: order.size]
        else:
            drop = np.zeros(order.size, dtype=bool)
        kept, replaced = order[~drop], np.sort(order[drop])
        gk, xk = group[kept], x[kept]
    keep = ~valid
    keep[kept] = True
    if gaps == "break":
        keep |= valid & ~has_y
    piece = None if gaps == "connect" else _pieces(group, x, kept, keep, has_y, log, gk, xk)
    return Decision(keep, piece, replaced)


def _in_order(group: np.ndarray, x: np.ndarray) -> bool:
    """Whether rows are already in series-then-x order, x rising: a log's usual order (one file per
    run, steps rising), which spares sorting 10^7 rows."""
    if group.size < 2:
        return True
    changed = group[1:] != group[:-1]
    if not np.all(changed | (x[1:] > x[:-1])):
        return False
    blocks = group[np.flatnonzero(np.concatenate(([True], changed)))]
    return np.unique(blocks).size == blocks.size  # each series in one run of rows


def _pieces(group: np.ndarray, x: np.ndarray, kept: np.ndarray | None, keep: np.ndarray, has_y: np.ndarray,
            log: bool, g: np.ndarray, xs: np.ndarray) -> np.ndarray | None:
    """A piece number per row (new at each series and each hole), or None when there is no hole;
    ``g`` and ``xs``: ``group[kept]`` and ``x[kept]`` (``kept`` None: every row, in series-then-x
    order with x strictly rising, so every row starts a new x)."""
    if kept is None:
        new, ug, ux = None, g, xs  # views: no copy of the columns
    else:
        new = np.ones(kept.size, dtype=bool)
        new[1:] = (g[1:] != g[:-1]) | (xs[1:] != xs[:-1])
        ug, ux = g[new], xs[new]
    if log:
        ux = np.log(np.where(ux > 0, ux, np.nan))
    with np.errstate(over="ignore"):  # x of -1e308 and 1e308: an infinite step (refused later, layer_checks.py)
        d = np.diff(ux)
    d[ug[1:] != ug[:-1]] = np.nan  # no step between two series
    holes = _holes(d, ug[1:])
    if not holes.any():
        return None
    starts = np.ones(ux.size, dtype=bool)
    starts[1:] = holes | (ug[1:] != ug[:-1])
    piece_u = np.cumsum(starts) - 1
    if kept is None:
        return piece_u  # every row kept and drawn (has_y everywhere): no row left to place
    piece = np.full(x.size, -1, dtype=np.int64)
    piece[kept] = piece_u[np.cumsum(new) - 1]
    if (keep & ~has_y & ~np.isnan(x)).any():  # gaps: break keeps rows without y: each takes the
        rows = np.flatnonzero(keep & ~np.isnan(x))  # piece of the point before it in its series' x order
        rows = rows[np.lexsort((rows, x[rows], group[rows]))]
        found = piece[rows]
        last = np.maximum.accumulate(np.where(found >= 0, np.arange(rows.size), -1))
        piece[rows] = np.where(last >= 0, found[np.maximum(last, 0)], -1)
    return piece


def _holes(d: np.ndarray, step_group: np.ndarray) -> np.ndarray:
    """Which steps ``d`` (NaN between series) are holes by the module's rule."""
    n = d.size
    if n < 2:
        return np.zeros(n, dtype=bool)
    # fmax/fmin skip NaN (the steps between series) without copying the steps out
    longest, shortest = np.fmax.reduce(d), np.fmin.reduce(d)
    if np.isnan(longest) or longest <= GAP_FACTOR * shortest:  # no step, or even the longest is no hole
        return np.zeros(n, dtype=bool)  # (a log's usual even cadence: no windows to look at)
    filled = np.where(np.isnan(d), np.inf, d)
    # a quick bound first: a hole exceeds K times the smallest step on each side too (windows that
    # reach into another series only lower that bound: it stays a necessary condition)
    low = filled.copy()
    width = 1
    while width < GAP_WINDOW:  # low[j]: the smallest of filled[j - GAP_WINDOW + 1 .. j]
        low[width:] = np.minimum(low[width:], low[:-width])
        width *= 2
    low_before = np.concatenate(([np.inf], low[:-1]))
    tail = max(n - GAP_WINDOW, 0)
    low_after = np.empty(n)
    low_after[:tail] = low[GAP_WINDOW:]  # the window ending GAP_WINDOW steps later
    low_after[tail:] = [filled[j + 1:].min(initial=np.inf) for j in range(tail, n)]
    cand = np.flatnonzero((d > GAP_FACTOR * low_before) & (d > GAP_FACTOR * low_after))
    holes = np.zeros(n, dtype=bool)
    if cand.size:
        holes[cand] = (d[cand] > GAP_FACTOR * _side_longest(d, step_group, cand, -1)) & (
            d[cand] > GAP_FACTOR * _side_longest(d, step_group, cand, 1))
    return holes


def _side_longest(d: np.ndarray, step_group: np.ndarray, at: np.ndarray, side: int) -> np.ndarray:
    """The second longest of the up to GAP_WINDOW steps of the same series before (-1) or after (1)
    each ``at`` (the longest when there is one)."""
    offsets = side * np.arange(1, GAP_WINDOW + 1)
    where = at[:, None] + offsets[None, :]
    inside = (where >= 0) & (where < d.size)
    where = np.clip(where, 0, d.size - 1)
    ok = inside & (step_group[where] == step_group[at][:, None]) & ~np.isnan(d[where])
    values = np.sort(np.where(ok, d[where], -np.inf), axis=1)  # missing ones first
    count = ok.sum(axis=1)
    # the second longest (the only one, of one): one outage nearby does not hide this one
    second = values[np.arange(at.size), np.where(count >= 2, GAP_WINDOW - 2, GAP_WINDOW - 1)]
    return np.where(count > 0, second, np.inf)  # no step on a side: never a hole


# -- applying the rules to a table: rows read in Python, or a table held by the engine ------------

def _number(value: Any) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok else np.nan


def apply_to_rows(table: Table, layers: Sequence[Layer], model: ChartSpec, has_own: bool, source: SourceMap
                  ) -> Table:
    """``table`` (rows read in Python) with the layers' row bits and pieces, and their notes."""
    todo = _todo(layers, model, has_own, table.columns, calculated=True)
    if not todo or not table.rows:
        return table
    rows = table.rows
    x = np.array([_number(r.get(model.x.field)) for r in rows], dtype=np.float64)
    bits = np.full(len(rows), sum(1 << layer.index for layer in layers), dtype=np.int64)
    pieces: dict[str, np.ndarray] = {}
    notes: list[Diagnostic] = []
    for layer in todo:
        with_keys = keyed(rows, layer, model, has_own)  # series fields a calculate makes, computed
        if with_keys is None:
            continue  # one Python cannot compute: drawn as it is
        kept = _kept_rows(rows, layer, model, has_own)
        keys = series_keys(layer, model, has_own, filtered=kept is not None)
        codes: dict[tuple[Any, ...], int] = {}
        group = np.array([codes.setdefault(tuple(r.get(k) for k in keys), len(codes)) for r in with_keys],
                         dtype=np.int64)
        has_y = np.array([r.get(layer.y.field) is not None for r in rows], dtype=bool)
        duplicates, gaps = settings(layer, model)
        found = decide(group, x, has_y, duplicates, gaps, log=model.x.scale == "log", kept_by_filters=kept)
        bits[~found.keep] &= ~(1 << layer.index)
        if found.piece is not None:
            pieces[piece_column(layer.index)] = found.piece
        if found.replaced.size:
            first = with_keys[int(found.replaced[0])]
            notes.append(replaced_note(layer, model, table.name, found.replaced.size, first.get(model.x.field),
                                       {k: first.get(k) for k in keys}, duplicates, source))
    masked = not np.all(bits == bits[0]) or bool(pieces)
    if not masked and not notes:
        return table
    extra = {**({DRAWS: bits.tolist()} if masked else {}), **{c: p.tolist() for c, p in pieces.items()}}
    new_rows = tuple({**row, **{c: v[i] for c, v in extra.items()}} for i, row in enumerate(rows))
    return replace(table, rows=new_rows, columns=table.columns + tuple(c for c in extra if c not in table.columns),
                   notes=table.notes + tuple(notes))


def apply_to_relation(rel: Relation, layers: Sequence[Layer], model: ChartSpec, has_own: bool, source: SourceMap,
                      table_name: str, filters_sql: Callable[[Layer], str | None] = lambda layer: None
                      ) -> tuple[Relation, tuple[Diagnostic, ...], dict[str, np.ndarray]]:
    """An engine table with the layers' row bits (``__draws``) and pieces added, the notes, and
    the columns read, by their SQL, in the engine's order (for smoothing, when the table is
    unchanged). The table is read once (one query for every layer's inputs) and copied only when
    a layer draws a subset of its rows or breaks its line: a log without repeated steps or holes
    is left as it is (a view over Parquet files stays a view, never held whole)."""
    todo = _todo(layers, model, has_own, rel.columns, calculated=True) if model.x.field in rel.numeric else []
    keyed_from = keyed_sources(rel, todo, model, has_own)
    todo = [layer for layer in todo if keyed_from.get(layer.index, "") is not None]
    if not todo:
        return rel, (), {}
    # the y of smoothed layers too: smoothing reuses the read when the table stays as it is
    smoothed = [f"CAST({quote(lyr.y.field)} AS DOUBLE)" for lyr in layers if lyr.smooth and lyr.y.field in rel.numeric]
    cols, inputs, fetched = _inputs(rel, todo, model, has_own, filters_sql, smoothed, keyed_from)
    every = sum(1 << layer.index for layer in layers)
    # made only once a layer leaves rows out: a log's usual case keeps every row, and 10^7 bits
    # cost 80 MB of fresh memory and three passes over it (case 2 of benchmarks/bench_large.py)
    bits: np.ndarray | None = None
    arrays: dict[str, Any] = {}
    notes: list[Diagnostic] = []
    decided: dict[tuple[Any, ...], Decision] = {}
    for layer, (keys, group, has_y, kept, same) in zip(todo, inputs):
        duplicates, gaps = settings(layer, model)
        key = (same, duplicates, gaps)  # layers with the same inputs (one x, full y columns) decide alike
        found = decided.get(key) or decided.setdefault(key, decide(
            cols[group], cols["x"], cols[has_y].astype(bool) if has_y else np.ones(rel.count, dtype=bool), duplicates,
            gaps, log=model.x.scale == "log", kept_by_filters=cols[kept].astype(bool) if kept else None))
        if not found.keep.all():
            bits = np.full(rel.count, every, dtype=np.int64) if bits is None else bits
            bits[~found.keep] &= ~(1 << layer.index)
        if found.piece is not None:
            arrays[piece_column(layer.index)] = int_column(found.piece)
        if found.replaced.size:
            notes.append(_note(rel, layer, model, has_own, keys, int(found.replaced[0]), table_name,
                               found.replaced.size, duplicates, source))
    if (bits is None or np.all(bits == bits[0])) and not arrays:
        return rel, tuple(notes), fetched
    bits = np.full(rel.count, every, dtype=np.int64) if bits is None else bits
    return _with_arrays(rel, {DRAWS: int_column(bits), **arrays}), tuple(notes), {}


def _inputs(rel: Relation, todo: Sequence[Layer], model: ChartSpec, has_own: bool,
            filters_sql: Callable[[Layer], str | None], also: Sequence[str] = (),
            keyed_from: dict[int, str | None] | None = None
            ) -> tuple[dict[str, np.ndarray], list[tuple[Any, ...]], dict[str, np.ndarray]]:
    """Every layer's inputs to :func:`decide`, fetched in one query and put in file order: the
    columns by name, and per layer (series keys, group column, has-y column or None when y is never
    missing, filters' column or None, what tells its inputs apart from another layer's). Series
    fields a calculate makes are read from the layer's ``keyed_from`` source, by ``__row``."""
    keyed_from = keyed_from or {}
    exprs = {f"CAST({quote(model.x.field)} AS DOUBLE)": "x"}  # SQL -> the column's name in the fetch
    # A y read anyway (smoothed layers: ``also``) says itself where it is missing: NULL comes out as
    # NaN, and the engine holds no NaN (typed_exprs, numbers.py: non-finite numbers are missing).
    # Only the others cost a scan to learn whether their y is ever missing (0.1 s for 10^7 rows).
    read_y = {layer.index: f"CAST({quote(layer.y.field)} AS DOUBLE)" for layer in todo}
    counted = [layer for layer in todo if read_y[layer.index] not in also]
    counts = dict(zip((layer.index for layer in counted), rel.sql(
        f"SELECT {', '.join(f'count({quote(layer.y.field)}) = count(*)' for layer in counted)} FROM {rel.name}")[0]
                      )) if counted else {}
    planned: list[tuple[Any, ...]] = []
    for layer in todo:
        where = filters_sql(layer)  # the layer's filters in SQL (reduce.py), None: not translatable
        keys = series_keys(layer, model, has_own, filtered=where is not None)
        hashed = f"hash({', '.join(quote(k) for k in keys)})" if keys else "0"
        group = f"{hashed} FROM {keyed_from[layer.index]}" if keyed_from.get(layer.index) else exprs.setdefault(
            hashed, f"c{len(exprs)}")
        full = counts.get(layer.index)
        has_y = None if full or full is None else exprs.setdefault(
            f"CAST({quote(layer.y.field)} IS NOT NULL AS TINYINT)", f"c{len(exprs)}")
        kept = None if where is None else exprs.setdefault(f"CAST(coalesce(({where}), false) AS TINYINT)",
                                                           f"c{len(exprs)}")
        planned.append((layer, keys, group, has_y, kept))
    for sql in also:  # read for later (``fetched``), not for the rules
        exprs.setdefault(sql, f"c{len(exprs)}")
    # one series ("0"): zeros made here, not 8 bytes a row read from the engine (np.zeros takes no
    # memory until written); the runs of a files glob: numbered from __row (fileview.py)
    by_file = f"hash({quote(rel.label[0])})" if by_label(rel) and rel.label is not None else None
    made = {"0", by_file}
    cols = numeric_columns(rel.con, f"SELECT __row, {', '.join(f'{e} AS {n}' for e, n in exprs.items() if e not in made)} "
                                    f"FROM {rel.name}")
    rows = cols["__row"]
    in_file_order = not rows.size or bool(rows[0] == 0 and np.all(rows[1:] == rows[:-1] + 1))
    if "0" in exprs:
        cols[exprs["0"]] = np.zeros(rows.size, dtype=np.int64)
    if by_file in exprs:
        cols[exprs[by_file]] = label_groups(rel, rows, in_file_order and rows.size == rel.count)
    fetched = {"__row": rows, **{e: cols[n] for e, n in exprs.items()}}
    del cols["__row"]
    if not in_file_order:
        back = np.argsort(rows, kind="stable")
        cols = {c: v[back] for c, v in cols.items()}
    for layer, keys, group, has_y, kept in planned:
        if " FROM " in group and group not in cols:  # keys a calculate makes: their own query, by __row
            found = numeric_columns(rel.con, f"SELECT __row, {group.replace(' FROM ', ' AS g FROM ', 1)}")
            cols[group] = found["g"][np.argsort(found["__row"], kind="stable")]
    per_layer: list[tuple[Any, ...]] = []
    for layer, keys, group, has_y, kept in planned:
        if layer.index not in counts:  # y read: missing where NaN, if anywhere
            missing = np.isnan(cols[exprs[read_y[layer.index]]])
            has_y = f"has {read_y[layer.index]}" if missing.any() else None
            if has_y is not None and has_y not in cols:
                cols[has_y] = ~missing
        per_layer.append((keys, group, has_y, kept, (group, has_y, kept)))
    return cols, per_layer, fetched


def _note(rel: Relation, layer: Layer, model: ChartSpec, has_own: bool, keys: Sequence[str], row: int,
          table_name: str, count: int, duplicates: str, source: SourceMap) -> Diagnostic:
    columns = list(dict.fromkeys((model.x.field, *rel.columns)))
    found = dict(zip(columns, rel.sql(f"SELECT {', '.join(quote(c) for c in columns)} FROM {rel.name} "
                                      "WHERE __row = ?", [row])[0]))
    first = (keyed([found], layer, model, has_own) or [found])[0]  # series fields a calculate makes
    value = found[model.x.field] if model.x.field not in rel.integer else int(found[model.x.field])
    return replaced_note(layer, model, table_name, count, value, {k: first.get(k) for k in keys}, duplicates, source)


def _with_arrays(rel: Relation, arrays: dict[str, Any]) -> Relation:
    """``rel`` with ``arrays`` (one value per row, in file order) joined as columns by position."""
    import pyarrow as pa

    rel = materialized(rel)  # a view over files: read them once
    if not np.array_equal(_fetch(rel, "__row"), np.arange(rel.count)):
        rel = materialized(rel, ordered=True)  # the new columns join by position: rows in file order
    name = new_name()
    rel.con.register(f"{name}_arrow", pa.Table.from_arrays(list(arrays.values()), names=list(arrays)))
    added = ", ".join(f"s.{quote(c)}" for c in arrays)
    rel.con.execute(f"CREATE TEMP VIEW {name} AS SELECT t.*, {added} FROM {rel.name} t POSITIONAL JOIN {name}_arrow s")
    return dc_replace(rel, name=name, columns=rel.columns + tuple(arrays), numeric=rel.numeric | set(arrays),
                      integer=rel.integer | set(arrays), view=False)


def _kept_rows(rows: Sequence[dict[str, Any]], layer: Layer, model: ChartSpec, has_own: bool) -> np.ndarray | None:
    """Which rows the layer's filters keep, run in Python (evaluate.py); None: no filter, or one
    Python cannot run."""
    from .evaluate import evaluate

    steps = (*(() if has_own else model.transform), *layer.transform)
    if not any(isinstance(t, Filter) for t in steps):
        return None
    out = evaluate([{**row, "__i": i} for i, row in enumerate(rows)], steps, model.x.field,
                   dict((layer.data or model.data).parse))
    if out is None:
        return None
    kept = np.zeros(len(rows), dtype=bool)
    kept[[row["__i"] for row in out]] = True
    return kept


def _fetch(rel: Relation, expr: str) -> np.ndarray:
    """One value per row of ``rel`` (in the engine's order, which is file order), NULL as NaN."""
    # through Arrow buffers: DuckDB's fetchnumpy imports pandas (a second of start-up)
    return numeric_columns(rel.con, f"SELECT {expr} AS v FROM {rel.name}")["v"]
