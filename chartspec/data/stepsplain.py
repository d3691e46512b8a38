"""Which layers the training-log rules of steps.py apply to, and whether a small table needs them
at all, in plain Python: a chart of a few rows (``chartspec validate one.yaml``) never imports numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..errors import Diagnostic, quoted
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Calculate, Filter, Fold, expression_fields
from .smoothing import smooth_series
from .values import shown

__all__ = ["GAP_FACTOR", "applies", "may_hole", "needs_rules", "replaced_note", "series_keys", "series_plan",
           "settings"]

#: tables up to this many rows are checked here first (beyond, numpy's import is the lesser cost)
PLAIN_ROWS = 5000
#: a step is a hole when it is more than this many times the second longest of its neighbours on each side
GAP_FACTOR = 4.0


def series_plan(layer: Layer, model: ChartSpec, has_own: bool) -> tuple[tuple[str, ...], tuple[Calculate, ...]]:
    """The fields telling ``layer``'s series apart (:func:`smooth_series`'s, less a fold's key)
    and the calculates, in order, that make those of them a transform makes (and what they read):
    a colour field made by ``'lr=' + datum.run`` is computed on the rows before transforms
    (smoothkeys.py) for the EMA and for these rules alike."""
    steps = (*(() if has_own else model.transform), *layer.transform)
    folded = {t.key for t in steps if isinstance(t, Fold)}
    keys = tuple(k for k in smooth_series(layer, model) if k not in folded)
    needed, made = set(keys), []
    for t in reversed(steps):
        if isinstance(t, Calculate) and t.as_field in needed:
            made.append(t)
            needed.discard(t.as_field)
            needed |= set(expression_fields(t.expr))
    return keys, tuple(reversed(made))


def applies(layer: Layer, model: ChartSpec, has_own: bool) -> bool:
    """Whether ``layer`` draws series these rules apply to: a line or area along a numeric x,
    whose x and y fields come from the data (not from a transform), and whose series fields do
    too or are made by calculates from it (:func:`series_plan`)."""
    if layer.mark not in ("line", "area") or layer.band is not None or layer.heat is not None:
        return False
    if model.x.type not in ("quantitative", "temporal"):
        return False
    keys = {model.x.field, layer.y.field, *series_keys(layer, model, has_own)}
    made = {t.as_field for t in series_plan(layer, model, has_own)[1]} - {model.x.field, layer.y.field}
    steps = (*(() if has_own else model.transform), *layer.transform)
    return all(isinstance(t, Filter) or (isinstance(t, Calculate) and (t.as_field not in keys or t.as_field in made))
               for t in steps)


def series_keys(layer: Layer, model: ChartSpec, has_own: bool, filtered: bool = False) -> tuple[str, ...]:
    """The fields telling a layer's series apart: :func:`smooth_series`'s; unless ``filtered``
    (the rows its filters drop are known), also the fields its filters read, since rows a filter
    tells apart (two optimizers' in a layout's items) must never replace one another. Never x or
    y: filtering out outliers must not make a repeated step two series."""
    if filtered:
        return smooth_series(layer, model)
    read = [f for t in (*(() if has_own else model.transform), *layer.transform) if isinstance(t, Filter)
            for f in ([t.field] if t.field else expression_fields(t.expr or ""))]
    skip = {model.x.field, layer.y.field}
    return tuple(dict.fromkeys([*smooth_series(layer, model), *(f for f in read if f not in skip)]))


def settings(layer: Layer, model: ChartSpec) -> tuple[str, str]:
    return layer.duplicates or model.duplicates, layer.gaps or model.gaps


def may_hole(gaps: str, shortest: float | None, longest: float | None) -> bool:
    """steps.py's first hole test failed: a line that may break (``gaps`` not ``connect``) has a step
    between distinct x longer than GAP_FACTOR x its shortest, so the windows must decide."""
    return gaps != "connect" and longest is not None and shortest is not None and not longest <= GAP_FACTOR * shortest


def _todo(layers: Sequence[Layer], model: ChartSpec, has_own: bool, columns: Sequence[str],
          calculated: bool = False) -> list[Layer]:
    """The layers the rules apply to over a table of ``columns``; unless ``calculated`` (the caller
    computes series fields a calculate makes, :func:`series_plan`), none with such a field."""
    fields = set(columns)
    todo = []
    for layer in layers:
        if not applies(layer, model, has_own) or model.x.field not in fields or layer.y.field not in fields:
            continue
        made = series_plan(layer, model, has_own)[1]
        if made and not calculated:
            continue
        inputs = {f for t in made for f in expression_fields(t.expr)} - {t.as_field for t in made}
        if (set(series_keys(layer, model, has_own)) - {t.as_field for t in made}) | inputs <= fields:
            todo.append(layer)
    return todo


def keyed(rows: Sequence[dict[str, Any]], layer: Layer, model: ChartSpec, has_own: bool
          ) -> Sequence[dict[str, Any]] | None:
    """``rows`` with the series fields calculates make (:func:`series_plan`) computed on each row
    (evaluate.py, as Vega computes them), or None when one cannot be run in Python."""
    keys, made = series_plan(layer, model, has_own)
    if not made:
        return rows
    from .evaluate import evaluate

    # a key of NaN or Infinity names its own series in the chart ('NaN', 'Infinity'), not the
    # missing one: kept as that name, so the rules never merge two series into one
    return evaluate(rows, made, model.x.field, dict((layer.data or model.data).parse), names=frozenset(keys))


def needs_rules(rows: Sequence[dict[str, Any]], layers: Sequence[Layer], model: ChartSpec, has_own: bool,
                columns: Sequence[str]) -> bool:
    """Whether steps.py could change ``rows`` for ``layers``: False only when every layer's series
    have x strictly rising (no repeated x), every row with an x has a y, no filter decides what a
    series holds, and even the longest step is no hole (at most GAP_FACTOR times the shortest)."""
    todo = _todo(layers, model, has_own, columns, calculated=True)
    if not todo:
        return False
    if len(rows) > PLAIN_ROWS or model.x.scale == "log":
        return True
    x = model.x.field
    for layer in todo:
        if any(isinstance(t, Filter) for t in (*(() if has_own else model.transform), *layer.transform)):
            return True
        keys = series_keys(layer, model, has_own)
        last: dict[tuple[Any, ...], float] = {}
        steps: list[float] = []
        with_keys = keyed(rows, layer, model, has_own)
        if with_keys is None:
            continue  # a series field Python cannot compute: the rules leave the layer as it is
        for row in with_keys:
            value = row.get(x)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or math.isnan(value):
                continue  # no x: kept whatever the rules say
            if math.isinf(value):
                return True
            if row.get(layer.y.field) is None:
                return True  # a row the layer does not draw (gaps: break keeps it, numpy decides)
            key = tuple(row.get(k) for k in keys)
            if key in last:
                if not value > last[key]:
                    return True
                steps.append(value - last[key])
            last[key] = value
        if settings(layer, model)[1] != "connect" and steps and max(steps) > GAP_FACTOR * min(steps):
            return True
    return False


def replaced_note(layer: Layer, model: ChartSpec, table_name: str, count: int, x: Any, series: dict[str, Any],
                  duplicates: str, source: SourceMap) -> Diagnostic:
    """The note saying ``count`` rows of ``layer``'s series were replaced (the first at ``x``, in
    the series with the ``series`` key values)."""
    # a number a calculate made is a float in Python; JavaScript shows 10, not 10.0
    within = "".join(f", {k} {int(v) if isinstance(v, float) and v.is_integer() else quoted(v)}"
                     for k, v in series.items() if v is not None)
    one = count == 1
    rows = "1 row" if one else f"{count:,} rows"
    kept = "later" if duplicates == "last" else "earlier"
    other = "first" if duplicates == "last" else "last"
    return replace(source.diagnostic(
        f"{rows} of {table_name} {'repeats' if one else 'repeat'} an x value of series {quoted(layer.name)} (first at "
        f"{model.x.field} {shown(x, model.x)}{within}); the {kept} {'row is' if one else 'rows are'} drawn", layer.json_path,
        hint=f"as for a resumed run; 'duplicates: {other}' draws the {other} rows, 'duplicates: all' every row"
             + ("" if series else "; rows of several series (runs, splits): colour the layer by the field telling "
                                  "them apart")),
        severity="note")
