"""engineagg.py's aggregate as an Ibis expression (postgres.py runs it): band extents, mean over seeds.

sparkagg.py's rules over Ibis's table API: the layer's filters and calculates (ibisexpr.ibis_rows),
one ``group_by`` of x and the series field with Vega's ops as engineagg.OPS computes them in
DuckDB, then calculates. postgres.py numbers the result's rows in the DuckDB table's order (x, then
the series, missing last) and cuts it with its M4, in the same query as the fetch.

The quantiles are DuckDB's ``quantile_cont`` to the bit, written out as sparkagg.py does: the
group's valid values sorted (``array_agg(v ORDER BY v)``), lo and hi around (n - 1) * p, and
``(1 - d) * lo + d * hi``, each product rounded. Not Postgres's ``percentile_cont``: it computes
``lo + d * (hi - lo)``, which differs in the last bit (even for the median). Postgres has no fused
multiply-add, so where this DuckDB build fuses one (engineagg.quantile_rounding) only the median,
whose products by 0.5 are exact, runs here; ``q1``/``q3`` keep the DuckDB path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..spec.model import ChartSpec, Layer
from .engineagg import NUMBERS, QUANTILES, Parts, quantile_rounding
from .ibisexpr import engine_number, ibis_rows
from .layerdata import layer_dates

__all__ = ["IBIS_OPS", "ibis_aggregate"]

#: each op but ``count`` over ``v`` (the valid values: neither missing nor NaN) or ``c`` (the column)
IBIS_OPS: Mapping[str, Callable[[Any, Any], Any]] = {
    "valid": lambda v, c: v.count(),
    "missing": lambda v, c: c.isnull().sum(),
    "sum": lambda v, c: v.sum(),
    "mean": lambda v, c: v.mean(),
    "min": lambda v, c: v.min(),
    "max": lambda v, c: v.max(),
    "variance": lambda v, c: v.var(how="sample"),
    "stdev": lambda v, c: v.std(how="sample"),
    "stderr": lambda v, c: v.std(how="sample") / v.count().cast("float64").sqrt(),
    **{op: (lambda v, c, p=p: _quantile(v, p)) for op, p in QUANTILES.items()},
}
_COUNTS = frozenset({"count", "valid", "missing"})


def _quantile(v: Any, p: float) -> Any:
    """DuckDB's ``quantile_cont(v, p)`` over a group, each product rounded (module docstring)."""
    import ibis

    values = v.collect(order_by=v)  # the missing left out; NULL (so every value below) without one
    pos = (values.length() - 1).cast("float64") * p
    d = pos - pos.floor()
    lo, hi = values[pos.floor().cast("int64")], values[pos.ceil().cast("int64")]
    return ibis.ifelse(d == 0, lo, (1 - d) * lo + d * hi)


def _runs_here(op: str) -> bool:
    """Whether Postgres computes ``op`` as DuckDB does: a fused rounding it cannot do (module docstring)."""
    if op in QUANTILES:  # the median's products by 0.5 are exact: fused or not, the same bits
        rounding = quantile_rounding()
        return rounding == "plain" or (rounding == "fma" and QUANTILES[op] == 0.5)
    return op in IBIS_OPS or op == "count"


def ibis_aggregate(t: Any, kinds: Mapping[str, str], layer: Layer, model: ChartSpec, parts: Parts
                   ) -> tuple[Any, dict[str, str], tuple[str, ...]] | None:
    """The aggregated rows as an Ibis table, their columns' kinds and the order the DuckDB build
    numbers them in; None when a step or op does not translate."""
    import ibis

    if not all(_runs_here(o.op) for o in parts.agg.ops):
        return None
    done = ibis_rows(t, parts.before, kinds, layer_dates(layer, model))
    if done is None:
        return None
    rows, now = done
    agg, x = parts.agg, model.x.field
    if any(g not in now for g in agg.groupby) or now[x] not in NUMBERS:
        return None
    picks = {}
    for o in agg.ops:
        if o.field is not None and now.get(o.field) not in NUMBERS:
            return None
        if o.op == "count" or o.field is None:  # every row of the group
            picks[o.as_field] = rows.count().cast("int64")
            continue
        # a raw column as the engine reads it (NaN, ±Infinity missing); a calculate's as DuckDB stores it
        c = engine_number(rows, o.field) if o.field in kinds else rows[o.field]
        v = ibis.ifelse(c.isnan(), ibis.null("float64"), c)
        picks[o.as_field] = IBIS_OPS[o.op](v, c).cast("int64" if o.op in _COUNTS else "float64")
    keys = {g: (engine_number(rows, g) if kinds.get(g) == "number" and not rows[g].type().is_integer() else rows[g])
            for g in agg.groupby}
    out = rows.group_by(**keys).aggregate(**picks)
    # a missing aggregate is Vega's undefined (NaN in the calculates after it, engineagg.py)
    out_kinds = {**{g: now[g] for g in agg.groupby}, **{o.as_field: "number" if o.op in _COUNTS else "number|undefined" for o in agg.ops}}
    for step in parts.after:  # each reads the values before it as Vega holds them (NaN, ±Infinity)
        if (after := ibis_rows(out, [step], out_kinds, {})) is None:
            return None
        out, out_kinds = after
    calculated = dict.fromkeys(step.as_field for step in parts.after)
    if calculated:  # as the marks see them: NaN, ±Infinity missing
        out = out.mutate(**{name: engine_number(out, name) for name in calculated})
    drawn = {c: "text" if k == "text" else "number" for c, k in out_kinds.items()}  # the marks: numbers or text
    return out, drawn, (x, *(g for g in agg.groupby if g != x))
