"""Data-driven reference lines: ``hline: {aggregate: mean, field: loss}`` gets its y value here.

The value is a statistic of what the layer plots: the rows the steps rules keep for it (steps.py:
not a resumed run's replaced steps), after its transforms, every one of them.
A table the reduction cuts (reduce.py) keeps each pixel column's extremes but not its mean, so
there the engine computes the statistic on the full relation, with the layer's filters and
calculates as SQL, before the cut (:func:`engine_stats`); a table drawn whole is evaluated in
Python (evaluate.py) here. The annotation then becomes an ordinary hline at that value, its
label writing the value, so the compiler draws it as any other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, quoted
from ..spec.annotations import Annotation, Stat
from ..spec.model import ChartSpec, Layer
from ..spec.schema import max_text_length
from ..spec.source import SourceMap
from ..spec.suggest import did_you_mean
from .evaluate import _statistics, evaluate
from .layerdata import layer_dates, layer_steps
from .logscale import on_log_scale
from .rows import DRAWS
from .smoothing import draws
from .table import Table

if TYPE_CHECKING:
    from .engine import Relation

__all__ = ["STAT_SQL", "resolve_reference_lines", "stat_field", "stat_layer"]


#: each statistic as a DuckDB aggregate of ``{0}`` (quantiles interpolated linearly, as numpy's default;
#: the mean by compensated summation, so the threads' order barely matters)
STAT_SQL = {"mean": "fsum({0}) / count({0})", "median": "quantile_cont({}, 0.5)", "min": "min({})", "max": "max({})",
            "q1": "quantile_cont({}, 0.25)", "q3": "quantile_cont({}, 0.75)"}

#: the same in Python ('inclusive' quantiles are numpy's and DuckDB's linear interpolation)
_STAT_PY: dict[str, Callable[[list[float]], float]] = {
    "mean": _statistics("fmean"), "median": _statistics("median"), "min": min, "max": max,
    "q1": lambda v: _statistics("quantiles")(v, n=4, method="inclusive")[0] if len(v) > 1 else v[0],
    "q3": lambda v: _statistics("quantiles")(v, n=4, method="inclusive")[2] if len(v) > 1 else v[0],
}


def stat_layer(stat: Stat, layers: Sequence[Layer]) -> Layer | None:
    """The layer whose plotted rows the statistic is taken of (None: ``layer`` names none)."""
    if stat.layer is not None:
        return next((lyr for lyr in layers if lyr.name == stat.layer), None)
    return next((lyr for lyr in layers if lyr.y.field == stat.field), layers[0] if layers else None)


def stat_field(stat: Stat, layer: Layer) -> str:
    return stat.field or layer.y.field


def _format(value: float) -> str:
    """The value as a label writes it: 4 significant digits, thousands grouped, no exponent below 1e15."""
    if value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        return f"{value:,.0f}" if abs(value) >= 1e4 else f"{value:.3e}"
    return f"{value:.4g}"


def _label(a: Annotation, stat: Stat, field: str, value: float) -> str:
    text = a.label if a.label is not None else f"{stat.op} {field}"
    return text.replace("{value}", _format(value)) if "{value}" in text else f"{text} {_format(value)}"


#: why a layer's statistic has no value: it draws no number (the message, and the case told apart)
_NOTHING = "the layer plots no numbers"


def _python_value(stat: Stat, layer: Layer, field: str, table: Table, model: ChartSpec
                  ) -> tuple[float | None, str | None]:
    """(the statistic of the layer's evaluated rows, or None and why)."""
    steps = layer_steps(layer, model, layer.data is not None)
    rows = table.rows
    if DRAWS in table.columns:  # the rows the steps rules keep (a resumed run's replaced steps are not drawn)
        rows = tuple(row for row in rows if draws(row, layer.index))
    rows = evaluate(rows, steps, model.x.field, layer_dates(layer, model)) if steps else rows
    if rows is None:
        return None, "a transform of the layer runs only in Vega (an expression chartspec cannot evaluate)"
    # drawn: an x to stand at (a finite number above zero on a log x), a value above zero on a log y
    log_x, log_y = on_log_scale(model, layer)
    x = model.x.field
    series = layer.series.field if layer.series is not None else None  # without a colour: not drawn
    values = [float(v) for r in rows if isinstance(v := r.get(field), (int, float)) and not isinstance(v, bool)
              and math.isfinite(v) and (v > 0 or not log_y) and _drawn_x(r.get(x), log_x)
              and (series is None or r.get(series) not in (None, ""))]
    if not values:
        return None, f"{_NOTHING} in {field!r}"
    return _STAT_PY[stat.op](values), None


def _drawn_x(value: object, log: bool) -> bool:
    """Does a row with this x get drawn? Not without one; on a log x, not at or below zero."""
    if value is None or value == "" or (isinstance(value, float) and not math.isfinite(value)):
        return False
    return not log or (isinstance(value, (int, float)) and value > 0)


def resolve_reference_lines(model: ChartSpec, table: Table, layer_tables: Sequence[Table | None],
                            source: SourceMap) -> tuple[ChartSpec, list[Diagnostic]]:
    """``model`` with each data-driven hline at its value, and the problems of those that have none
    (notes: those left out because their column holds no value yet)."""
    found: list[Annotation] = []
    problems: list[Diagnostic] = []
    for i, a in enumerate(model.annotations):
        if a.stat is None:
            found.append(a)
            continue
        resolved = _resolve(i, a, a.stat, model, table, layer_tables, source)
        if isinstance(resolved, Diagnostic) and resolved.severity == "note":
            problems.append(resolved)  # told, not failed (chart.py): the annotation is left out
            continue
        if isinstance(resolved, Diagnostic):
            problems.append(resolved)
            resolved = replace(a, y=(0.0,))  # drawn nowhere: the spec fails with the problem
        found.append(resolved)
    changed = len(found) < len(model.annotations) or any(a.stat for a in found)
    return (replace(model, annotations=tuple(found)) if changed else model), problems


def _resolve(i: int, a: Annotation, stat: Stat, model: ChartSpec, table: Table,
             layer_tables: Sequence[Table | None], source: SourceMap) -> Annotation | Diagnostic:
    path = a.json_path + ("hline",)
    layer = stat_layer(stat, model.layers)
    if layer is None:
        names = [lyr.name for lyr in model.layers]
        return source.diagnostic(f"hline: no layer is named {stat.layer!r}", path + ("layer",),
                                 hint=did_you_mean(stat.layer or "", names, what="a layer name")
                                 or f"layers: {', '.join(names)}")
    field = stat_field(stat, layer)
    own = layer_tables[layer.index] if layer.index < len(layer_tables) else None
    data = own if own is not None else table
    if field in data.columns and field not in data.derived and not data.has_numbers(field) and \
            data.first_text(field) is None:  # a metric not logged yet: no line until it is (checks.py)
        return replace(source.diagnostic(f"hline: the {stat.op} of {field!r} is not drawn: {field!r} has no values "
                                         f"yet in {data.name}", path + ("aggregate",),
                                         hint="the line appears once the metric's first value is written"),
                       severity="note")
    value, why = data.stats.get(i), None
    if value is not None and math.isnan(value):  # the engine found no row the layer draws
        value, why = None, f"{_NOTHING} in {field!r}"
    elif value is None and data.reduced_from is not None and data.fetched:
        why = (f"{data.name} is too large to draw whole and its server sent only the rows it keeps for the "
               f"drawing, whose {stat.op} is not the data's")
    elif value is None and data.reduced_from is not None:
        why = (f"{data.name} is too large to draw whole and the {stat.op} of {field!r} could not be computed "
               "by the engine before the reduction")
    elif value is None:
        value, why = _python_value(stat, layer, field, data, model)
    if value is None and (why or "").startswith(_NOTHING) and (data.pending or field in data.columns and (
            data.has_numbers(field) or data.reduced_from is not None)):
        # the layer's filters keep no row yet (a run of a sweep not started): no line until they do
        return replace(source.diagnostic(
            f"hline: the {stat.op} of {field!r} is not drawn: layer {quoted(layer.name)} draws no value of it yet",
            path + ("aggregate",), hint="the line appears once the layer draws a value"), severity="note")
    if value is None:
        where = path + ("field",) if stat.field is not None else path + ("aggregate",)
        hint = (did_you_mean(field, data.columns, what="a column") if field not in data.columns else None)
        return source.diagnostic(f"hline: cannot compute the {stat.op} of {field!r} in layer {quoted(layer.name)}: {why}",
                                 where, hint=hint or "name a numeric column the layer plots, or write the value "
                                                     "as a number ('hline: 0.5')")
    # 12 significant digits: the same bytes whatever order the engine's threads summed in
    value = float(f"{value:.12g}")
    label = _label(a, stat, field, value)
    if a.label is None and len(label) > max_text_length():  # the default names the field: a column's long name
        where = path + ("field",) if stat.field is not None else path + ("aggregate",)
        return source.diagnostic(f"hline: the default label {quoted(label)} is {len(label):,} characters long: "
                                 f"more than the limit of {max_text_length():,}", where,
                                 hint="give the annotation a short 'label'")
    return replace(a, y=(value,), label=label, axis=a.axis if a.axis is not None else layer.name)


def drawn_stats(rel: Relation, plans: Sequence[Any], model: ChartSpec) -> dict[int, float]:
    """The statistics of data-driven hlines on these layers, from every row the layer plots (its
    filters and calculates as SQL: reduce.py's plans), which the reduction is about to drop."""
    from .engine import quote  # the engine's module: imported only where the engine runs

    by_layer = {plan.layer.index: plan for plan in plans}
    out: dict[int, float] = {}
    for i, a in enumerate(model.annotations):
        layer = stat_layer(a.stat, model.layers) if a.stat is not None else None
        plan = by_layer.get(layer.index) if layer is not None else None
        if a.stat is None or layer is None or plan is None or stat_field(a.stat, layer) not in plan.numeric:
            continue  # not on this table, or a folded or unknown field: refvalues.py says why
        col, x = quote(stat_field(a.stat, layer)), quote(model.x.field)
        log_x, log_y = on_log_scale(model, layer)  # the rows drawn: an x, above zero on a log scale
        drawn = f" AND {x} IS NOT NULL" + (f" AND CAST({col} AS DOUBLE) > 0" if log_y else "") + (
            f" AND TRY_CAST({x} AS DOUBLE) > 0" if log_x else "")
        if layer.series is not None:  # a row without its series' colour is not drawn (layer_checks notes it)
            drawn += f" AND nullif(CAST({quote(layer.series.field)} AS VARCHAR), '') IS NOT NULL"
        (value,), = rel.sql(f"SELECT {STAT_SQL[a.stat.op].format(col)} FROM {plan.source} "
                            f"WHERE {plan.where} AND isfinite(CAST({col} AS DOUBLE)){drawn}")
        out[i] = float(value) if value is not None else math.nan  # NaN: the layer draws no value (a note)
    return out
