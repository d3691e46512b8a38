"""The training-log rules (steps.py) in Postgres, before its M4: repeated steps, missing values, holes.

Postgres's M4 (postgres.py) brings back a few rows per pixel column, too few for steps.py to tell
a repeated step or a hole, so Postgres decides what steps.py decides for each line or area layer
the rules apply to (stepsplain.applies), on the rows its filters keep, with window functions
written in Ibis (as sparksteps.py does in Spark):

1. *Per row*, one sort of the layer's rows by series, drawn or not (an x, kept by the filters, a
   y), x and row number (``__srow``, the order the rows come in, which steps.decide sorts by too):
   per series and x the running and total count of drawn rows (``duplicates: last`` keeps the row
   logged last, ``first`` the first, ``all`` every one), and the x of the drawn row before, which
   gives the first row of each distinct x (``__f<i>``) its step from the previous distinct x. A
   row keeps the layer's bit (``__keep<i>``, steps.decide's ``keep``): no x, dropped by the
   filters, drawn and kept, or without a y under ``gaps: break``.
2. *One aggregate* over those columns (the rules query, one per chart): per layer the shortest
   and longest step between distinct x, how many rows are replaced and the first of them (x and
   series, for steps.py's note, word for word), and whether rows without a y must take a piece.
   A layer none of that changes is cut as before (postgres.py's sparse-column rule only).
3. *Pieces*, for a layer whose steps fail steps.py's first test (longest <= 4 x shortest), in the
   query of the M4 and the fetch: the first rows of the distinct x, partitioned apart, get the 8
   steps before and after theirs by ``lag``/``lead``; a step more than 4 x the least on each side
   (steps._holes's quick bound) is compared with the second longest on each side (a sorted array): more
   than 4 x both is a hole and starts a new piece. The running count of holes numbers the pieces
   within each series (the colour tells series apart: the paths are steps.py's), and every row
   takes the piece of the last first-of-x row at or before it in (x, row) order: a drawn row its
   own x's, and with ``gaps: break`` a kept row without a y the piece of the drawn row before it,
   as steps._pieces places it. Three sorts of the layer's rows in all, no join.

Ibis writes all of it; Postgres has no ``lag(...) IGNORE NULLS``, so the drawn rows are a
partition of their own. A window's array cannot be unnested in the same select (Postgres refuses
window functions in FROM), hence the ``lag`` columns first.
A layer whose filters read a calculated column, or whose y is not a number column, is left to
steps.py on whole rows (postgres.py: within the drawing limit).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..errors import Diagnostic
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from .ibisexpr import IbisPlan, engine_number
from .steps import GAP_WINDOW
from .stepsplain import GAP_FACTOR, _todo, may_hole, replaced_note, settings

__all__ = ["Ruled", "holes_only", "keep_column", "kept_plan", "ruled_table", "rules_in_postgres"]


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

    t = _row_columns(t, [r.layer for r in ruled], {r.layer.index: r.plan for r in ruled}, model)
    for r in ruled:
        if r.holes:
            t = _pieces(t, r)
    return t


def kept_plan(plan: IbisPlan, index: int, ruled: set[int]) -> IbisPlan:
    """A ruled layer's plan kept to the rows the layer draws (its bit), in an M4 pass of its own."""
    if index not in ruled:
        return plan
    return replace(plan, table=plan.table.filter(plan.table[keep_column(index)]),
                   signature=f"{plan.signature} {keep_column(index)}")


def holes_only(arrow: Any, pieces: dict[str, Any]) -> Any:
    """The fetched rows without the piece columns of layers with no hole: steps.py adds a piece
    column only for a line that breaks, and a hole shows in the picks (the last x of its series
    has a piece above 0)."""
    import pyarrow.compute as pc

    empty = [c for c in pieces if not arrow.num_rows or (pc.max(arrow[c]).as_py() or 0) < 1]
    return arrow.drop_columns(empty) if empty else arrow


def _pieces(t: Any, r: Ruled) -> Any:
    """``t`` with layer ``i``'s piece column ``__pc<i>`` (the module's step 3)."""
    import ibis

    i, keys = r.layer.index, list(r.plan.keys)
    new = t[f"__f{i}"]
    # the first rows of the distinct x apart (partitioned by ``new``): lag and lead step over
    # distinct x, as steps._holes's arrays of steps do (one more sort; a frame aggregate over every
    # row, such as array_agg over RANGE frames, cost 5 x as much)
    by_x = ibis.window(group_by=[*keys, new], order_by=[t.__sx, t.__srow])
    d = t[f"__d{i}"]
    near = {f"__b{j}": d.lag(j).over(by_x) for j in range(1, GAP_WINDOW + 1)}
    near |= {f"__a{j}": d.lead(j).over(by_x) for j in range(1, GAP_WINDOW + 1)}
    t = t.mutate(**near)
    d = t[f"__d{i}"]
    before = [t[f"__b{j}"] for j in range(1, GAP_WINDOW + 1)]
    after = [t[f"__a{j}"] for j in range(1, GAP_WINDOW + 1)]
    # a hole exceeds 4 x the least step on each side (steps._holes's quick bound; LEAST skips NULL):
    # only those few steps sort their sides
    bound = (d > GAP_FACTOR * ibis.least(*before)) & (d > GAP_FACTOR * ibis.least(*after))
    hole = ibis.ifelse(bound.fill_null(False) & t[f"__f{i}"], (d > GAP_FACTOR * _longest(before)) & (
        d > GAP_FACTOR * _longest(after)), False)
    t = t.mutate(**{f"__h{i}": ibis.ifelse(hole.fill_null(False), 1, 0)})
    # the holes up to each distinct x number its first row's piece, within the series
    t = t.mutate(**{f"__pu{i}": ibis.ifelse(t[f"__f{i}"], t[f"__h{i}"].sum().over(
        ibis.window(group_by=[*keys, t[f"__f{i}"]], order_by=[t.__sx, t.__srow], rows=(None, 0))), None)})
    # every row: the piece of the last first-of-x row at or before it in (x, row) order (pieces
    # never fall along it): a drawn row's own x, and steps._pieces's placing of kept rows without y
    last = t[f"__pu{i}"].max().over(ibis.window(group_by=keys, order_by=[t.__sx, t.__srow], rows=(None, 0)))
    shown = t[f"__kept{i}"] | (t[keep_column(i)] & t.__sx.notnull()) if r.placed else t[f"__kept{i}"]
    return t.mutate(**{f"__pc{i}": ibis.ifelse(shown, last, None).fill_null(-1).cast("int64")})


def _longest(side: list[Any]) -> Any:
    """steps._side_longest of up to 8 steps (NULL: none there): the second longest (of one, that one)."""
    import ibis

    values = ibis.array(side).filter(lambda v: v.notnull()).sort()
    n = values.length()
    return values[ibis.greatest(n - 2, 0).cast("int64")]


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
        # one sort serves the three windows: series, drawn or not, x, row
        same_x = [*keys, drawn, sx]
        first |= {f"__v{i}": valid, f"__c{i}": drawn,
                  f"__cum{i}": one.sum().over(ibis.window(group_by=same_x, order_by=t.__srow, rows=(None, 0))),
                  f"__tot{i}": one.sum().over(ibis.window(group_by=same_x)),
                  # the x of the drawn row before a drawn row: the previous distinct x at a new one
                  f"__px{i}": sx.lag().over(ibis.window(group_by=[*keys, drawn], order_by=[sx, t.__srow]))}
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
        second |= {f"__kept{i}": kept, keep_column(i): keep, f"__f{i}": new,
                   f"__d{i}": ibis.ifelse(new & px.notnull(), t.__sx - px, ibis.null("float64"))}
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
