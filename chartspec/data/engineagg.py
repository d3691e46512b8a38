"""A large layer's aggregate run in the engine: mean +- spread over seeds at every step, drawn.

A layer whose marks are computed from groups of rows (``band: {extent: stdev}``, which
spec/extents.py writes as an aggregate grouped by x, or a user's ``aggregate`` grouped by x) needs
every row in Vega, so a table too large to draw whole (reduce.py's limit) used to fail. When the
layer's transforms are filters and calculates vegasql.py translates exactly, then one
``aggregate`` grouped by x (and only x and the layer's series field) with ops the engine computes
as Vega does, then translatable calculates, the whole pipeline runs here as one ``GROUP BY``. A missing
aggregate is Vega's ``undefined``, not ``null``: the calculates after the aggregate read it as
NaN in arithmetic (``mean - stdev`` is missing, never ``0 - 0``; vegasql's ``"number|undefined"``
columns), and read each other's NaN and ±Infinity as Vega holds them; only the drawn table has
those missing, as the marks see them. The
layer then draws its own table, the aggregated rows, and its transforms are gone from the model:
Vega must not aggregate aggregated rows again (the stdev of one row is missing). The reduction
(reduce.py) then cuts that table with M4 over every value the layer draws (mean, lower, upper),
like any other line, and axis domains still come from every aggregated row.

The gate is the M4 reduction's (chart.py): a table with more rows than 4 per M4 column of one
curve (or than Vega can draw, if fewer), where Vega's own aggregate would embed and group every
row (2 x 80,000 rows took 15 s to render); below it (every golden chart) a chart compiles byte for
byte as before. ``reduce: false`` on the layer keeps Vega's aggregate. Anything else (a
filter the engine cannot match, an op not listed, a groupby without x, a facet, a time unit,
smoothing) keeps today's path and its positioned error.

Semantics of the ops (those of Vega's aggregate, vega-transform's AggregateOps): a value is valid
when it is neither missing nor NaN (``nullif(v, NaN)``; the engine counts NaN otherwise); ``count``
counts every row, ``missing`` the missing ones; ``mean``/``sum``/``min``/``max`` are over the
valid values (missing when there is none); ``variance``, ``stdev`` (sample) and ``stderr`` are
missing below two valid values; ``median``/``q1``/``q3`` are ``quantile_cont``, linear
interpolation between order statistics (R-7), which is d3's quantile (tests/data/test_engineagg.py).
A remote engine runs them only where it rounds the interpolation as this DuckDB build does
(:func:`quantile_rounding`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any, Literal

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Aggregate, Calculate, Filter
from .engine import Relation, new_name, quote
from .layerdata import layer_dates, layer_steps
from .rows import numbers_in_data
from .table import Table
from .vegasql import to_sql, value_sql

__all__ = ["NUMBERS", "OPS", "QUANTILES", "Parts", "aggregate_parts", "aggregated_layer", "engine_aggregates",
           "eligible", "quantile_rounding"]

_NAN = "'nan'::DOUBLE"
#: Vega's aggregate ops the engine computes as Vega does, over ``{v}`` (the valid values) or the
#: column itself (``{c}``)
OPS: dict[str, str] = {
    "count": "count(*)",
    "valid": "count({v})",
    "missing": "count(*) FILTER (WHERE {c} IS NULL)",
    "sum": "sum({v})",
    "mean": "avg({v})",
    "min": "min({v})",
    "max": "max({v})",
    "variance": "var_samp({v})",
    "stdev": "stddev_samp({v})",
    "stderr": "stddev_samp({v}) / sqrt(count({v}))",
    "median": "quantile_cont({v}, 0.5)",
    "q1": "quantile_cont({v}, 0.25)",
    "q3": "quantile_cont({v}, 0.75)",
}
_COUNTS = frozenset({"count", "valid", "missing"})
#: the quantile ops' p for ``quantile_cont`` (R-7: position (n - 1) * p among the sorted valid values)
QUANTILES: dict[str, float] = {"median": 0.5, "q1": 0.25, "q3": 0.75}
#: number kinds of the remote translators' columns: a data column's, or a calculate's as stored
#: (sparkexpr.spark_rows, ibisexpr.ibis_rows: ``"number|raw"``, NaN and ±Infinity kept, as DuckDB keeps them)
NUMBERS = frozenset({"number", "number|raw"})
_MARKS = frozenset({"line", "area", "rule", "errorband", "point", "tick"})


@dataclass(frozen=True)
class Parts:
    """A layer's transforms around its one aggregate: filters and calculates, the aggregate, calculates."""

    before: tuple[Filter | Calculate, ...]
    agg: Aggregate
    after: tuple[Calculate, ...]


def eligible(model: ChartSpec, layer: Layer) -> bool:
    """Whether a layer's aggregate may run where its rows are (module docstring): reduced, not
    smoothed, a line-like or point mark, no facet or time unit."""
    return (model.facet is None and model.x.time_unit is None and layer.smooth is None and layer.heat is None
            and layer.mark in _MARKS and bool(model.reduce if layer.reduce is None else layer.reduce))


def aggregate_parts(layer: Layer, model: ChartSpec, has_own: bool) -> Parts | None:
    """The layer's transforms split around one aggregate grouped by x (and the series field) with
    ops of :data:`OPS`, whatever the engine; None for any other pipeline. The columns' kinds are
    each engine's to check."""
    steps = layer_steps(layer, model, has_own)
    at = [i for i, s in enumerate(steps) if isinstance(s, Aggregate)]
    if len(at) != 1:
        return None
    agg, before, after = steps[at[0]], steps[: at[0]], steps[at[0] + 1:]
    assert isinstance(agg, Aggregate)
    if not all(isinstance(s, (Filter, Calculate)) for s in before) or not all(isinstance(s, Calculate) for s in after):
        return None
    allowed = {model.x.field, *([layer.series.field] if layer.series is not None else [])}
    if model.x.field not in agg.groupby or not set(agg.groupby) <= allowed:
        return None
    outs = [o.as_field for o in agg.ops]
    for o in agg.ops:
        if o.op not in OPS or o.value is not None or (o.field is None and o.op != "count") or o.as_field in agg.groupby:
            return None
    if len(set(outs)) != len(outs):
        return None
    return Parts(tuple(before), agg, tuple(after))  # type: ignore[arg-type]


@cache
def quantile_rounding() -> Literal["fma", "plain"] | None:
    """How this DuckDB build rounds ``quantile_cont`` between the order statistics lo and hi at
    fraction d: ``(1 - d) * lo + d * hi`` with the first product fused into one rounding ("fma":
    what the x86-64 wheel of DuckDB 2.0 computes, 0 differences in 7,000 random cases) or each
    product rounded ("plain", Spark's ``percentile``); None for anything else, and then no remote
    engine runs the quantiles. Only d = 0.25 tells them apart: the other products are exact."""
    import duckdb

    lo, hi = -0.6, 2.142229155508179  # a pair whose two roundings differ in the last bit
    query = f"SELECT quantile_cont(v, 0.25) FROM (VALUES ({lo!r}::DOUBLE), ({hi!r}::DOUBLE)) AS t(v)"
    with duckdb.connect() as con:
        (got,), = con.execute(query).fetchall()
    fused = float(Fraction(0.75) * Fraction(lo) + Fraction(0.25 * hi))  # one rounding of the exact sum
    return "fma" if got == fused else "plain" if got == 0.75 * lo + 0.25 * hi else None


def aggregated_layer(layer: Layer, model: ChartSpec) -> Layer:
    """The layer drawing its aggregated rows as its own data: the chart's transforms ran already;
    one row per x and series, so the steps rules (duplicates, gaps) have nothing to pick, as
    Vega's aggregate would not have."""
    return replace(layer, transform=(), data=layer.data or model.data, duplicates="all", gaps="connect")


def engine_aggregates(model: ChartSpec, table: Table, layer_tables: tuple[Table | None, ...], limit: int,
                      root: Path | None) -> tuple[ChartSpec, Table, tuple[Table | None, ...]]:
    """``model``, its table and the layers' own tables, with every layer whose aggregate runs in
    the engine (module docstring) given the aggregated rows as its own table and no transforms;
    unchanged when no table has more than ``limit`` rows. Rows read in Python beyond ``limit``
    are copied into the engine (as reduce.py would)."""
    given = table
    own = list(layer_tables) + [None] * (len(model.layers) - len(layer_tables))
    layers = list(model.layers)
    for layer in model.layers:
        t = own[layer.index]
        if not eligible(model, layer) or (parts := aggregate_parts(layer, model, t is not None)) is None:
            continue
        # copied into the engine only for a layer it may aggregate (mid-size rows are read in Python)
        base = _in_engine(t if t is not None else table, limit, root)
        if t is not None:
            own[layer.index] = base
        else:
            table = base
        rel = base.relation
        if rel is None or rel.count <= limit or rel.prereduced or rel.pushed is not None:
            continue
        made = _aggregated(layer, model, parts, rel)
        if made is None:
            continue
        # what the aggregate makes is made by a transform, as Vega's would be: not checked for numbers
        own[layer.index] = replace(base, columns=tuple(c for c in made.columns if c != "__row"), rows=(),
                                   relation=made, notes=(), derived=frozenset(), reduced_from=None,
                                   numbers_in_data=made.numeric - set(parts.agg.groupby)
                                   | numbers_in_data(rel, (), frozenset(parts.agg.groupby)))
        layers[layer.index] = aggregated_layer(layer, model)
    if layers == list(model.layers):
        return model, given, layer_tables  # as they were (rows read in Python stay rows)
    return replace(model, layers=tuple(layers)), table, tuple(own)


def _in_engine(t: Table, limit: int, root: Path | None) -> Table:
    """``t``, held by the engine when it is rows read in Python, more than ``limit`` of them."""
    if t.relation is not None or len(t.rows) <= limit:
        return t
    from .engine import connect, register_rows

    rel = register_rows(connect(root), t.rows, t.columns)
    return replace(t, relation=rel, rows=()) if rel is not None else t


def _aggregated(layer: Layer, model: ChartSpec, parts: Parts, rel: Relation) -> Relation | None:
    """The layer's transforms run by the engine as one query, as a new table; None when they
    cannot be (module docstring)."""
    from .layerfilters import filter_sql

    agg = parts.agg
    kinds = {c: "number" if c in rel.numeric else "text" for c in rel.columns if c != "__row"}
    source, where = rel.name, []
    for step in parts.before:
        if isinstance(step, Filter):
            if step.expr is not None:
                sql = to_sql(step.expr, kinds, context="filter")
            elif step.field in kinds:
                sql = filter_sql(step, layer_dates(layer, model), kinds[step.field or ""] == "text")
            else:
                sql = None
            if sql is None:
                return None
            where.append(f"({sql})")
        else:
            if (made := _number_sql(rel, step.expr, kinds, source, where)) is None:
                return None
            source = _with_column(source, where, made[0], step.as_field, kinds)
            where = []
            kinds[step.as_field] = "number"
    x = model.x.field
    if any(g not in kinds for g in agg.groupby) or kinds[x] != "number":
        return None
    picks = [quote(g) for g in agg.groupby]
    out_kinds = {g: kinds[g] for g in agg.groupby}
    for o in agg.ops:
        if o.field is not None and kinds.get(o.field) != "number":
            return None
        col = quote(o.field) if o.field is not None else "NULL"
        valid = f"nullif(CAST({col} AS DOUBLE), {_NAN})"
        cast = "BIGINT" if o.op in _COUNTS else "DOUBLE"
        picks.append(f"CAST({OPS[o.op].format(v=valid, c=col)} AS {cast}) AS {quote(o.as_field)}")
        # the counts are never missing; every other op is ``undefined`` over no valid value
        out_kinds[o.as_field] = "number" if o.op in _COUNTS else "number|undefined"
    group = ", ".join(quote(g) for g in agg.groupby)
    filtered = f" WHERE {' AND '.join(where)}" if where else ""
    query = f"(SELECT {', '.join(picks)} FROM {source}{filtered} GROUP BY {group})"
    if (after := _calculated(rel, parts.after, out_kinds, query)) is None:
        return None
    query = after
    name = new_name()
    order = ", ".join(f"{quote(g)} NULLS LAST" for g in (x, *(g for g in agg.groupby if g != x)))
    rel.con.execute(f"CREATE TEMP TABLE {name} AS SELECT (row_number() OVER (ORDER BY {order}) - 1) AS __row, * "
                    f"FROM {query} ORDER BY __row")
    (count,), = rel.con.execute(f"SELECT count(*) FROM {name}").fetchall()
    columns = tuple(out_kinds)
    numeric = frozenset(c for c, k in out_kinds.items() if k != "text")
    integer = frozenset(g for g in agg.groupby if g in rel.integer) | frozenset(
        o.as_field for o in agg.ops if o.op in _COUNTS)
    return Relation(rel.con, name, int(count), columns, numeric, integer)


def _calculated(rel: Relation, steps: tuple[Calculate, ...], kinds: dict[str, str], query: str) -> str | None:
    """``query`` with the calculates after the aggregate (``kinds`` updated), or None when one
    does not translate. Each reads the values before it as Vega holds them (NaN, ±Infinity);
    the rows then reach the marks as Vega-Lite's do (evaluate.py): NaN and infinities missing."""
    for step in steps:
        if (made := _number_sql(rel, step.expr, kinds, query, [])) is None:
            return None
        query = _with_column(query, [], made[0], step.as_field, kinds)
        kinds[step.as_field] = made[1]
    if not steps:
        return query
    drawn = ", ".join(f"CASE WHEN isfinite({quote(c)}) THEN {quote(c)} END AS {quote(c)}"
                      for c in dict.fromkeys(step.as_field for step in steps))
    return f"(SELECT * REPLACE ({drawn}) FROM {query})"


def _number_sql(rel: Relation, expr: str, kinds: dict[str, str], source: str, where: list[str]
                ) -> tuple[str, str] | None:
    """A calculate's value as SQL and its column kind when it is a number (a boolean or text
    result would be stored differently than Vega stores it), else None."""
    made = value_sql(expr, kinds)
    if made is None:
        return None
    described: list[Any] = rel.con.execute(f"DESCRIBE SELECT ({made[0]}) AS v FROM {source}").fetchall()
    return made if described and str(described[0][1]) == "DOUBLE" else None


def _with_column(source: str, where: list[str], value: str, name: str, kinds: dict[str, str]) -> str:
    verb = f"* REPLACE ({value} AS {quote(name)})" if name in kinds else f"*, {value} AS {quote(name)}"
    filtered = f" WHERE {' AND '.join(where)}" if where else ""
    return f"(SELECT {verb} FROM {source}{filtered})"
