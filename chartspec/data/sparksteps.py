"""The training-log rules (steps.py) in Spark, before its M4: repeated steps, missing values, holes.

A Spark table cut by M4 in Spark comes back as a few rows per pixel column, too few for steps.py
to tell a repeated step or a hole. So Spark decides what steps.py decides for each line or area
layer the rules apply to (stepsplain.applies), on the rows the layer's filters keep:

- *Repeated x*: per series and x, among the rows with a y, ``duplicates: last`` keeps the row
  read last (the largest ``__srow``), ``first`` the first, ``all`` every row; the rows replaced
  give steps.py's note. A row without a y is not drawn (with ``gaps: break`` it is, and breaks
  the line).
- The rows a layer draws get its bit in ``__draws``, as steps.apply_to_relation sets it, and the
  M4 (in Spark, and reduce.py's second cut) picks from those rows only.
- *Holes*: steps.py's first test, ``longest step <= 4 x shortest`` over the layer's distinct x
  (ln x on a log scale), mostly shows there is none; when it does not, steps._holes's windowed
  second longest steps (8 each side) are computed in Spark. A layer with a hole gets its line's pieces
  there too (``__piece_<i>``, a new piece after each hole, numbered within each series: the same
  paths steps.py draws), and is cut by M4 like an unbroken line; the pieces come back with the
  picks. With ``gaps: break`` rows without a y break the line too and take the piece of the drawn
  row before them in their series' (x, row) order, placed in Spark as steps._pieces places them.

One window per layer, sorting its rows by series and x in Spark: its next x tells a repeated x
and the step to the next distinct x. That sort of every row is the rules' cost (about 30-40 s for
1,200,000 rows on a loaded 2-core machine, warm), so a layer takes it only when it must: with
``duplicates: all`` and ``gaps: connect`` nothing needs the order, and a log's usual series
(every step once, at an even cadence) is proved so by one hash aggregation per series and a
broadcast join of its result when the step is not 1 (_regular), which give the same steps the
window would (warm: 4.5 s against 15 s for the window on 2,000,000 rows). A repeated
x, an uneven or fractional grid, a log x scale or steps failing the quick test take the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import Diagnostic, quoted
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Calculate
from .rows import DRAWS, piece_column
from .sparkexpr import SparkPlan, engine_number
from .steps import GAP_WINDOW
from .stepsplain import GAP_FACTOR, _todo, may_hole, replaced_note, settings

__all__ = ["WINDOWS", "Rules", "rules_in_spark"]

#: the layers (by name) whose rules took the window, a sort of their rows; the tests read it to
#: see a regular grid take the aggregation instead (_regular)
WINDOWS: list[str] = []

#: whole numbers up to this size, and their differences, are exact in doubles
_EXACT = float(2 ** 52)


@dataclass(frozen=True)
class Rules:
    """The frame with ``__draws`` (None: no layer the rules apply to), the plans reading it, the notes."""

    frame: Any
    plans: dict[int, SparkPlan]
    notes: tuple[Diagnostic, ...]
    #: the persisted frames ``frame`` reads (the windows' result, the pieces), for the caller to unpersist
    held: tuple[Any, ...] = ()
    #: the layers' piece columns (steps.py's ``__piece_<i>``), for a layer with a hole
    pieces: tuple[str, ...] = ()


def rules_in_spark(frame: Any, x: Any, layers: Sequence[Layer], plans: dict[int, SparkPlan], model: ChartSpec,
                   has_own: bool, source: SourceMap, table_name: str, integer_x: bool) -> Rules | str:
    """The rules applied in Spark, or why a layer needs them run locally on every row."""
    from pyspark.sql import functions as F

    todo = _todo(layers, model, has_own, frame.columns)
    if not todo:
        return Rules(None, plans, ())
    bits = F.lit(sum(1 << layer.index for layer in layers))
    checks: list[tuple[Layer, list[Any]]] = []
    windows = len(WINDOWS)
    for layer in todo:
        if any(isinstance(t, Calculate) for t in (*(() if has_own else model.transform), *layer.transform)):
            return f"layer {quoted(layer.name)} filters a calculated field: the steps rules need every row"
        frame, kept, stats = _decide(frame, x, layer, plans[layer.index], model)
        bits = bits - F.when(~kept, F.lit(1 << layer.index)).otherwise(F.lit(0))
        checks.append((layer, stats))
    # the windows run once: the checks, the M4 and the fetch read the same rows (without a window
    # the bits are a plain expression of each row: nothing to hold)
    ruled = frame.withColumn(DRAWS, bits.cast("long"))
    if len(WINDOWS) > windows:
        ruled = ruled.persist()
    found = ruled.agg(*(s for _, stats in checks for s in stats), F.min(DRAWS), F.max(DRAWS)).first()
    notes = []
    pieced: list[tuple[Layer, Any]] = []
    for i, (layer, _) in enumerate(checks):
        shortest, longest, replaced, first = found[4 * i: 4 * i + 4]
        duplicates, gaps = settings(layer, model)
        if (may_hole(gaps, shortest, longest)
                and _holes(flags := _hole_flags(ruled, x, layer, plans[layer.index], model))):
            pieced.append((layer, flags))
        if replaced:
            plan = plans[layer.index]
            value = int(first["x"]) if integer_x else first["x"]
            notes.append(replaced_note(layer, model, table_name, replaced, value,
                                       {k: first[f"k{j}"] for j, k in enumerate(plan.keys)}, duplicates, source))
    if found[-2] == found[-1] and not pieced:  # every row keeps the same bits: no __draws (steps.apply_to_relation)
        ruled.unpersist()
        return Rules(None, plans, tuple(notes))
    held = (ruled,) if len(WINDOWS) > windows else ()
    if pieced:  # the pieces' join is read by the M4 and the fetch: held once
        for layer, flags in pieced:
            ruled = _pieces(ruled, x, layer, plans[layer.index], flags, _breaks(ruled, x, layer, model))
        ruled = ruled.persist()
        held += (ruled,)
    drawn = {i: replace(p, where=_and(p.where, (F.col(DRAWS).bitwiseAND(1 << i)) != 0)) for i, p in plans.items()}
    return Rules(ruled.drop(*(c for c in ruled.columns if c.startswith("__steps"))), drawn, tuple(notes), held,
                 tuple(piece_column(layer.index) for layer, _ in pieced))


def _hole_flags(ruled: Any, x: Any, layer: Layer, plan: SparkPlan, model: ChartSpec) -> Any:
    """One row per distinct x of each series (its keys, ``__x``, the step ``__d`` to the next x)
    with ``__hole``: that step is a hole by steps._holes's rule, more than 4 x the second longest of the
    up to 8 steps before it and of the up to 8 after it, in the same series (positions of steps
    without a value, x <= 0 on a log scale, count but add nothing to it)."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    i = layer.index
    nxt = F.col(f"__steps_n{i}")
    mapped = (lambda v: F.log(F.when(v > 0, v))) if model.x.scale == "log" else (lambda v: v)
    # one row per distinct x of each series (the last of its x), holding the step to the next
    rows = ruled.where(F.col(f"__steps_c{i}") & (nxt.isNull() | (nxt != x))).select(
        *(F.col(f"`{k}`") for k in plan.keys), x.alias("__x"), (mapped(nxt) - mapped(x)).alias("__d"))
    order = Window.partitionBy(*(F.col(f"`{k}`") for k in plan.keys)).orderBy("__x")

    def longest(start: int, end: int) -> Any:  # steps._side_longest: the second longest (of one, that one)
        side = F.array_sort(F.collect_list("__d").over(order.rowsBetween(start, end)))
        n = F.size(side)
        return F.when(n > 0, F.element_at(side, F.greatest(n - 1, F.lit(1))))

    hole = (F.col("__d") > F.lit(GAP_FACTOR) * longest(-GAP_WINDOW, -1)) & (
        F.col("__d") > F.lit(GAP_FACTOR) * longest(1, GAP_WINDOW))
    return rows.withColumn("__hole", F.coalesce(hole, F.lit(False)))


def _holes(flags: Any) -> int:
    """How many steps are holes (:func:`_hole_flags`)."""
    from pyspark.sql import functions as F

    return int(flags.agg(F.count(F.when(F.col("__hole"), 1))).first()[0])


def _breaks(ruled: Any, x: Any, layer: Layer, model: ChartSpec) -> bool:
    """Whether steps._pieces places rows for the layer: ``gaps: break`` and a row it keeps with an
    x but no y (then every kept row with an x takes the piece before it, also one the filters drop)."""
    from pyspark.sql import functions as F

    if settings(layer, model)[1] != "break":
        return False
    bit = (F.col(DRAWS).bitwiseAND(1 << layer.index)) != 0
    return bool(ruled.where(bit & x.isNotNull() & engine_number(layer.y.field).isNull()).limit(1).count())


def _pieces(ruled: Any, x: Any, layer: Layer, plan: SparkPlan, flags: Any, placed: bool) -> Any:
    """``ruled`` with the layer's piece column: steps._pieces's pieces (a new one after each hole,
    and at each series), numbered within each series (the colour already tells series apart, so
    the paths drawn are steps.py's); -1 on rows the layer does not draw, as steps.py sets them.
    ``placed`` (``gaps: break``): every other row with an x that keeps the layer's bit (a row
    without a y, which breaks the line) takes the piece of the last drawn row at or before it in
    its series' (x, row) order, as steps._pieces places them; -1 before the first."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    i, keys = layer.index, list(plan.keys)
    order = Window.partitionBy(*(F.col(f"`{k}`") for k in keys)).orderBy("__x")
    started = flags.withColumn("__start", F.coalesce(F.lag("__hole").over(order), F.lit(False)).cast("long"))
    numbered = started.select(*(F.col(f"`{k}`").alias(f"__pk{j}") for j, k in enumerate(keys)), "__x",
                              F.sum("__start").over(order.rowsBetween(Window.unboundedPreceding, 0)).alias("__pn"))
    on = F.col("__px") == F.col("__x")
    for j, k in enumerate(keys):
        on = on & F.col(f"`{k}`").eqNullSafe(F.col(f"__pk{j}"))
    joined = ruled.withColumn("__px", x).join(numbered, on, "left")
    bit = (F.col(DRAWS).bitwiseAND(1 << i)) != 0
    piece = F.when(F.col(f"__steps_c{i}") & bit & F.col("__pn").isNotNull(), F.col("__pn"))
    if placed:  # a window over the layer's rows in series, x and row order (the rules' window sorted them too)
        before = Window.partitionBy(*(F.col(f"`{k}`") for k in keys)).orderBy(x, "__srow").rowsBetween(
            Window.unboundedPreceding, 0)
        piece = F.when(x.isNotNull() & bit, F.last(piece, ignorenulls=True).over(before))
    return joined.withColumn(piece_column(i), F.coalesce(piece, F.lit(-1)).cast("long")).drop(
        "__px", "__x", "__pn", *(f"__pk{j}" for j in range(len(keys))))


def _regular(frame: Any, x: Any, cand: Any, plan: SparkPlan, model: ChartSpec, gaps: str
             ) -> tuple[float | None, float | None] | None:
    """The layer's shortest and longest step when hash aggregations (and, for a step other than 1,
    a broadcast join of their per-series result; no sort) prove the window would find no repeated x and no hole; None
    when it does not (the window decides).

    Per series, over the rows drawn (``cand``: an x, a y, kept by the filters): as many distinct
    x as rows (no repeated x, so nothing replaced and every row kept, whatever ``duplicates``);
    with ``gaps`` other than ``connect`` also every x a whole number of at most 2^52 (its
    differences exact in doubles), ``nd - 1`` dividing ``max - min``, and every ``x - min`` a
    multiple of ``step = (max - min) / (nd - 1)``: nd distinct values among the nd points of that
    grid are the grid, so every step to the next x is ``step`` exactly, as the window computes it.
    Then the layer's shortest and longest steps are the series' least and greatest ``step``, and
    when ``longest <= 4 x shortest`` (steps.py's quick test) there is no hole. Otherwise (a repeat,
    an uneven or fractional grid, a log x scale, whose steps in ln x differ, or steps that fail the
    quick test and need the windows): None."""
    from functools import reduce

    from pyspark.sql import functions as F

    grid = gaps != "connect"
    if grid and model.x.scale == "log":
        return None
    rows = frame.where(cand)
    keys = [F.col(f"`{k}`") for k in plan.keys]
    n, nd, lo, hi = F.col("__g_n"), F.col("__g_nd"), F.col("__g_lo"), F.col("__g_hi")
    # the distinct x counted with Spark's bitmaps (32,768 values a bucket): the first aggregation
    # has a row per series and bucket, not per x as count(DISTINCT x) would (a hash map of every
    # row); x is cast to a long, exact for the whole numbers the count serves (odd: the others)
    whole = x.cast("long")
    names = [f"__g_k{j}" for j in range(len(keys))]
    per = rows.groupBy(*(k.alias(c) for k, c in zip(keys, names)), F.bitmap_bucket_number(whole).alias("__g_b")).agg(
        F.count(F.lit(1)).alias("__g_n"), F.bitmap_count(F.bitmap_construct_agg(F.bitmap_bit_position(whole)))
        .alias("__g_nd"), F.min(x).alias("__g_lo"), F.max(x).alias("__g_hi"),
        F.count(F.when((x != F.floor(x)) | (F.abs(x) > F.lit(_EXACT)), 1)).alias("__g_odd"))
    per = per.groupBy(*names).agg(*(F.sum(c).alias(c) for c in ("__g_n", "__g_nd", "__g_odd")),
                                  F.min("__g_lo").alias("__g_lo"), F.max("__g_hi").alias("__g_hi"))
    if not grid:
        repeats = per.agg(F.max(n - nd)).first()[0]
        return (None, None) if not repeats else None
    s = F.col("__g_step")
    per = per.withColumn("__g_step", F.when(nd > 1, (hi - lo) / (nd - 1))).persist()  # a row per series
    try:
        repeats, odd, uneven, spaced, shortest, longest = per.agg(
            F.max(n - nd), F.max("__g_odd"), F.count(F.when(F.when(nd > 1, (hi - lo) % (nd - 1)) != 0, 1)),
            F.count(F.when(s != 1, 1)), F.min(s), F.max(s)).first()
        if repeats or odd or uneven:
            return None
        if longest is not None and not longest <= GAP_FACTOR * shortest:
            return None  # maybe a hole (if the grids hold): the windows must decide
        # a step of 1: nd distinct whole numbers from lo to lo + nd - 1 are all of them. Otherwise
        # every x must be on its series' grid: the rows joined with the (broadcast) series
        if spaced:
            on = [k.eqNullSafe(F.col(f"__g_k{j}")) for j, k in enumerate(keys)]
            joined = rows.join(F.broadcast(per), reduce(lambda a, b: a & b, on), "inner") if on else rows.crossJoin(
                F.broadcast(per))
            if joined.agg(F.count(F.when(F.when(s.isNotNull(), (x - lo) % s) != 0, 1))).first()[0]:
                return None
    finally:
        per.unpersist()
    return shortest, longest


def _and(a: Any, b: Any) -> Any:
    return b if a is None else a & b


def _decide(frame: Any, x: Any, layer: Layer, plan: SparkPlan, model: ChartSpec) -> tuple[Any, Any, list[Any]]:
    """``frame`` with the layer's window columns; whether each row keeps the layer's bit
    (steps.decide's ``keep``); and the aggregates: shortest and longest step, rows replaced, the
    first replaced row's x and series."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    duplicates, gaps = settings(layer, model)
    i = layer.index
    y = engine_number(layer.y.field)
    passes = F.lit(True) if plan.where is None else plan.where
    valid = x.isNotNull() & passes  # steps.decide's valid: an x, kept by the layer's filters
    frame = frame.withColumn(f"__steps_c{i}", valid & y.isNotNull())
    cand, row = F.col(f"__steps_c{i}"), F.col("__srow")
    # nothing needs the order (duplicates: all, gaps: connect), or one aggregation proves what the
    # window would find (no repeated x, equal steps): no window, that is no sort of every row
    steps = (None, None) if duplicates == "all" and gaps == "connect" else _regular(frame, x, cand, plan, model, gaps)
    if steps is not None:
        keep = ~valid | cand
        if gaps == "break":
            keep = keep | (valid & y.isNull())
        shortest, longest = steps
        return frame, F.coalesce(keep, F.lit(False)), [F.lit(shortest), F.lit(longest), F.lit(0), F.lit(None)]
    WINDOWS.append(layer.name)
    # series, then x, then the order rows were read in: as steps.decide sorts them
    window = Window.partitionBy(*(F.col(f"`{k}`") for k in plan.keys), cand).orderBy(x, row)
    frame = frame.withColumn(f"__steps_n{i}", F.lead(x).over(window))
    if duplicates == "first":
        frame = frame.withColumn(f"__steps_p{i}", F.lag(x).over(window))
    nxt, prev = F.col(f"__steps_n{i}"), F.col(f"__steps_p{i}") if duplicates == "first" else None
    last_of_x = nxt.isNull() | (nxt != x)
    kept = cand & (last_of_x if duplicates == "last" else (prev.isNull() | (prev != x)) if prev is not None
                   else F.lit(True))
    keep = ~valid | kept  # rows without an x, or that the filters drop, keep the bit (steps.decide)
    if gaps == "break":
        keep = keep | (valid & y.isNull())
    # the step to the next distinct x (in ln x on a log scale: NaN there, for x <= 0, is skipped
    # by steps._holes's fmin/fmax as NULL is by Spark's min/max)
    mapped = (lambda v: F.log(F.when(v > 0, v))) if model.x.scale == "log" else (lambda v: v)
    step = F.when(cand & last_of_x & nxt.isNotNull(), mapped(nxt) - mapped(x))
    replaced = cand & ~kept
    first = F.struct(row.alias("r"), x.alias("x"), *(F.col(f"`{k}`").alias(f"k{j}") for j, k in enumerate(plan.keys)))
    stats = [F.min(step), F.max(step), F.count(F.when(replaced, 1)), F.min(F.when(replaced, first))]
    return frame, F.coalesce(keep, F.lit(False)), stats
