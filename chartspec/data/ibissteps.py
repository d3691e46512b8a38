"""Whether steps.py's training-log rules would change a Postgres layer beyond what its M4 knows.

postgres.py cuts a line in Postgres and marks the rows without the layer's y (``__draws``, the
sparse-column rule), but it neither replaces repeated steps nor numbers the pieces a hole cuts a
line into. A layer that needs either would come back drawn wrong (a straight line across an outage
where the DuckDB build breaks it), so one aggregate query per layer asks Postgres, on the rows the
layer's filters keep, what steps.py would find: a repeated x in a series (unless ``duplicates:
all``), a step longer than 4 x the shortest (steps.py's first hole test; unless ``gaps: connect``),
or, with ``gaps: break``, a row with an x but no y. Any of those and the layer is not cut in
Postgres: its rows come back whole within the drawing limit, where steps.py applies the rules as
for a DuckDB file, else the spec fails at the layer. A log whose steps only pass the quick test
because of a missing y is no concern: the rows without a y are no part of the series either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..spec.model import ChartSpec, Layer
from .ibisexpr import IbisPlan, engine_number
from .stepsplain import GAP_FACTOR, _todo, settings

__all__ = ["rules_change"]


def rules_change(layers: Sequence[Layer], plans: dict[int, IbisPlan], model: ChartSpec, has_own: bool,
                 columns: Sequence[str]) -> Layer | None:
    """The first layer whose rows steps.py would change beyond the sparse-column rule (a repeated
    x, a possible hole, a row breaking the line), or None when Postgres's cut draws what it draws."""
    for layer in _todo(layers, model, has_own, columns):
        duplicates, gaps = settings(layer, model)
        if duplicates == "all" and gaps == "connect":
            continue  # nothing the rules do needs the order of the rows
        found = _stats(plans[layer.index], layer, model).to_pyarrow().to_pylist()[0]
        if duplicates != "all" and found["repeats"]:
            return layer
        shortest, longest = found["shortest"], found["longest"]
        if gaps != "connect" and longest is not None and not longest <= GAP_FACTOR * shortest:
            return layer  # maybe a hole: steps.py's windowed medians decide, on every row
        if gaps == "break" and found["breaks"]:
            return layer
    return None


def _stats(plan: IbisPlan, layer: Layer, model: ChartSpec) -> Any:
    """One row: repeated x, shortest and longest step between distinct x within a series (over the
    rows with an x and a y the filters keep), rows with an x and no y. The window sorts the layer's
    rows by series and x in Postgres: about 15 s for 2,000,000 rows on a loaded 2-core machine
    (load average 6; the count and x extent take 0.4 s). A sort-free first pass in read order, as
    stepssql.py asks DuckDB, took 8-10 s there, and more than the sort's 15 s in all when the runs are
    interleaved and it must fall back, so it is not done."""
    import ibis

    t = plan.table
    t = t.mutate(__sx=engine_number(t, model.x.field), __sy=engine_number(t, layer.y.field))
    t = t.filter(t.__sx.notnull())
    drawn = t.filter(t.__sy.notnull())
    w = ibis.window(group_by=list(plan.keys), order_by=[drawn.__sx]) if plan.keys else ibis.window(
        order_by=[drawn.__sx])
    steps = drawn.mutate(__sd=drawn.__sx - drawn.__sx.lag().over(w))
    stats = steps.aggregate(repeats=(steps.__sd == 0).sum(), shortest=steps.__sd.min(where=steps.__sd > 0),
                            longest=steps.__sd.max(where=steps.__sd > 0))
    breaks = t.aggregate(breaks=t.__sy.isnull().sum())
    return stats.cross_join(breaks)
