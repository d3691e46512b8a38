"""The training-log rules (steps.py) in Postgres, before its M4: repeated steps, missing values, holes.

Postgres's M4 (postgres.py) brings back a few rows per pixel column, too few for steps.py to tell
a repeated step or a hole, so Postgres decides what steps.py decides for each line or area layer
the rules apply to (stepsplain.applies), on the rows its filters keep, with window functions
written in Ibis (as sparksteps.py does in Spark):

1. *Per row*, one sort of the layer's rows by series, x and row number (``__srow``, the order
   the rows come in, which steps.decide sorts by too): per series and x, the running and total
   count of rows with a y (``duplicates: last`` keeps the row logged last, ``first`` the first,
   ``all`` every one), and the largest x of a drawn row before each row, which gives the first
   row of each distinct x its step from the previous distinct x. A row keeps the layer's bit
   (``__keep<i>``, steps.decide's ``keep``): no x, dropped by the filters, drawn, or without a y
   under ``gaps: break``.
2. *One aggregate* over those columns (the rules query, one per chart): per layer the shortest
   and longest step between distinct x, how many rows are replaced and the first of them (x and
   series, for steps.py's note, word for word), and whether rows without a y must take a piece.
   A layer none of that changes is cut as before (postgres.py's sparse-column rule only).
3. *Pieces*, for a layer whose steps fail steps.py's first test (longest <= 4 x shortest): the
   distinct x of each series are numbered (``__k<i>``, a running count of their first rows), so a
   ``RANGE`` frame of 8 numbers before and after a step holds exactly the 8 steps steps._holes's
   medians read; a step more than 4 x both medians is a hole and starts a new piece; the running
   count of holes numbers every drawn row's piece, within its series (the colour tells series
   apart: the paths are steps.py's). With ``gaps: break`` and rows without a y, every kept row
   with an x takes the piece of the last drawn row at or before it, as steps._pieces places it.

No join and no second pass over the table: step 3 reads step 1's columns in the same query as the
M4 and the fetch (postgres.py), sorted again by series and distinct-x number. Ibis writes all of it
(``lag``-free: a running ``max`` stands in for ``lag(x) IGNORE NULLS``, which Postgres lacks).
A layer whose filters read a calculated column, or whose y is not a number column, is left to
steps.py on whole rows (postgres.py: within the drawing limit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import Diagnostic
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from .ibisexpr import IbisPlan, engine_number
from .steps import GAP_WINDOW, replaced_note
from .stepsplain import GAP_FACTOR, _todo, may_hole, settings

__all__ = ["Ruled", "keep_column", "rules_in_postgres", "ruled_table"]


@dataclass(frozen=True)
class Ruled:
    """A layer whose drawn rows the rules change: its repeated steps replaced, maybe its line cut."""

    layer: Layer
    plan: IbisPlan
    #: steps.py's first hole test failed: the pieces are numbered (a piece column may come back)
    holes: bool
    #: rows without a y that keep the bit take the piece before them (steps._pieces's placing)
    placed: bool


def keep_column(index: int) -> str:
    """The boolean column: the row keeps layer ``index``'s bit (steps.decide's ``keep``)."""
    return f"__keep{index}"


def rules_in_postgres(t: Any, layers: Sequence[Layer], plans: dict[int, IbisPlan], model: ChartSpec, has_own: bool,
                      kinds: dict[str, str], source: SourceMap, table_name: str
                      ) -> tuple[list[Ruled], tuple[Diagnostic, ...]] | Layer:
    """The layers whose rows the rules change and the notes of repeated steps, from one aggregate
    query; or the first layer whose rules Postgres cannot run (steps.py rules it on whole rows)."""
    todo = [layer for layer in _todo(layers, model, has_own, t.columns) if settings(layer, model) != ("all", "connect")]
    for layer in todo:  # nothing the rules do needs the order of rows with duplicates: all, gaps: connect
        plan = plans[layer.index]
        if plan.base is not t or kinds.get(layer.y.field) != "number":
            return layer
    if not todo:
        return [], ()
    columns = _row_columns(t, todo, plans, model)
    stats = columns.aggregate(**{k: v for layer in todo for k, v in _stats(columns, layer, plans[layer.index],
                                                                            model).items()})
    found = stats.to_pyarrow().to_pylist()[0]
    ruled: list[Ruled] = []
    notes: list[Diagnostic] = []
    integer_x = t[model.x.field].type().is_integer()
    for layer in todo:
        i, plan = layer.index, plans[layer.index]
        duplicates, gaps = settings(layer, model)
        holes = may_hole(gaps, found[f"s{i}"], found[f"l{i}"])
        if found[f"r{i}"]:
            x = found[f"x{i}"]
            notes.append(replaced_note(layer, model, table_name, found[f"r{i}"], int(x) if integer_x else x,
                                       {k: found[f"k{i}_{j}"] for j, k in enumerate(plan.keys)}, duplicates, source))
        if found[f"r{i}"] or holes:
            ruled.append(Ruled(layer, plan, holes, bool(found[f"p{i}"])))
    return ruled, tuple(notes)


def ruled_table(t: Any, ruled: Sequence[Ruled], model: ChartSpec) -> Any:
    """``t`` with each ruled layer's :func:`keep_column` and, for a layer that may have a hole,
    its piece column ``__pc<i>`` (-1 on rows it does not draw, as steps.py sets them)."""
    import ibis

    t = _row_columns(t, [r.layer for r in ruled], {r.layer.index: r.plan for r in ruled}, model)
    for r in ruled:
        if not r.holes:
            continue
        i, keys = r.layer.index, list(r.plan.keys)
        # the up to 8 steps on each side (a window's arrays first: Postgres sorts them in a later select)
        sides = {f"__sb{i}": (-GAP_WINDOW, -1), f"__sa{i}": (1, GAP_WINDOW)}
        t = t.mutate(**{name: t[f"__d{i}"].collect().over(ibis.window(group_by=keys, order_by=t[f"__k{i}"],
                                                                          range=frame)) for name, frame in sides.items()})

        def median(side: Any) -> Any:  # steps._side_median: the middle two, averaged
            side = side.sort()
            n = side.length()
            return (side[((n - 1) / 2).floor().cast("int64")] + side[(n / 2).floor().cast("int64")]) / 2

        d = t[f"__d{i}"]
        hole = (d > GAP_FACTOR * median(t[f"__sb{i}"])) & (d > GAP_FACTOR * median(t[f"__sa{i}"]))
        t = t.mutate(**{f"__h{i}": ibis.ifelse(hole.fill_null(False), 1, 0)})
        # the holes up to each distinct x (RANGE: all rows of the same number) number its rows' piece
        count = t[f"__h{i}"].sum().over(ibis.window(group_by=keys, order_by=t[f"__k{i}"], range=(None, 0)))
        piece = ibis.ifelse(t[f"__kept{i}"], count, ibis.null("int64"))
        if r.placed:  # (k, x, row) is the (x, row) order: k rises with it; pieces never fall along it
            t = t.mutate(**{f"__pc{i}": piece})
            along = ibis.window(group_by=keys, order_by=[t[f"__k{i}"], t.__sx, t.__srow], rows=(None, 0))
            placed = t[f"__pc{i}"].max().over(along)
            piece = ibis.ifelse(t[keep_column(i)] & t.__sx.notnull(), placed, ibis.null("int64"))
        t = t.mutate(**{f"__pc{i}": piece.fill_null(-1).cast("int64")})
    return t


def _row_columns(t: Any, todo: Sequence[Layer], plans: dict[int, IbisPlan], model: ChartSpec) -> Any:
    """``t`` with the rules' per-row columns of each layer (step 1 of the module's docstring)."""
    import ibis

    sx = engine_number(t, model.x.field)
    first: dict[str, Any] = {"__sx": sx}
    for layer in todo:
        i, plan = layer.index, plans[layer.index]
        valid = sx.notnull() & (True if plan.where is None else plan.where.fill_null(False))
        drawn = valid & engine_number(t, layer.y.field).notnull()
        one = ibis.ifelse(drawn, 1, 0)
        keys = list(plan.keys)
        first |= {f"__v{i}": valid, f"__c{i}": drawn,
                  f"__cum{i}": one.sum().over(ibis.window(group_by=[*keys, sx], order_by=t.__srow, rows=(None, 0))),
                  f"__tot{i}": one.sum().over(ibis.window(group_by=[*keys, sx])),
                  # the largest drawn x before the row: the previous distinct x at a new one
                  f"__px{i}": ibis.ifelse(drawn, sx, ibis.null("float64")).max().over(
                      ibis.window(group_by=keys, order_by=[sx, t.__srow], rows=(None, -1)))}
    t = t.mutate(**first)
    second: dict[str, Any] = {}
    for layer in todo:
        i, keys = layer.index, list(plans[layer.index].keys)
        duplicates, gaps = settings(layer, model)
        drawn, cum, px = t[f"__c{i}"], t[f"__cum{i}"], t[f"__px{i}"]
        new = drawn & (cum == 1)  # the first drawn row of its x
        kept = drawn & (cum == t[f"__tot{i}"] if duplicates == "last" else new if duplicates == "first" else True)
        keep = ~t[f"__v{i}"] | kept
        if gaps == "break":
            keep = keep | (t[f"__v{i}"] & ~drawn)
        second |= {f"__kept{i}": kept, keep_column(i): keep,
                   f"__d{i}": ibis.ifelse(new & px.notnull(), t.__sx - px, ibis.null("float64")),
                   f"__k{i}": ibis.ifelse(new, 1, 0).sum().over(
                       ibis.window(group_by=keys, order_by=[t.__sx, t.__srow], rows=(None, 0)))}
    return t.mutate(**second)


def _stats(t: Any, layer: Layer, plan: IbisPlan, model: ChartSpec) -> dict[str, Any]:
    """Layer ``i``'s aggregates: shortest and longest step (``s``, ``l``), rows replaced (``r``),
    the first one's x and series (``x``, ``k_j``), rows without a y that keep the bit (``p``)."""
    i = layer.index
    d = t[f"__d{i}"]
    replaced = t[f"__c{i}"] & ~t[f"__kept{i}"]
    no_y = engine_number(t, layer.y.field).isnull()
    return {f"s{i}": d.min(), f"l{i}": d.max(), f"r{i}": replaced.sum(),
            f"x{i}": t[model.x.field].argmin(t.__srow, where=replaced),
            **{f"k{i}_{j}": t[k].argmin(t.__srow, where=replaced) for j, k in enumerate(plan.keys)},
            f"p{i}": (t[keep_column(i)] & t.__sx.notnull() & no_y).sum()}
