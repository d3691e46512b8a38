"""Which layers the training-log rules of steps.py apply to, and whether a small table needs them
at all, in plain Python: a chart of a few rows (``chartspec validate one.yaml``) never imports numpy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Calculate, Filter, expression_fields
from .smoothing import smooth_series

__all__ = ["GAP_FACTOR", "applies", "may_hole", "needs_rules", "series_keys", "settings"]

#: tables up to this many rows are checked here first (beyond, numpy's import is the lesser cost)
PLAIN_ROWS = 5000
#: a step is a hole when it is more than this many times the median step on each side of it
GAP_FACTOR = 4.0


def applies(layer: Layer, model: ChartSpec, has_own: bool) -> bool:
    """Whether ``layer`` draws series these rules apply to: a line or area along a numeric x,
    whose y field and series fields come from the data (not from a transform)."""
    if layer.mark not in ("line", "area") or layer.band is not None or layer.heat is not None:
        return False
    if model.x.type not in ("quantitative", "temporal"):
        return False
    keys = {model.x.field, layer.y.field, *series_keys(layer, model, has_own)}
    steps = (*(() if has_own else model.transform), *layer.transform)
    return all(isinstance(t, Filter) or (isinstance(t, Calculate) and t.as_field not in keys) for t in steps)


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
    between distinct x longer than GAP_FACTOR x its shortest, so the windowed medians must decide."""
    return gaps != "connect" and longest is not None and shortest is not None and not longest <= GAP_FACTOR * shortest


def _todo(layers: Sequence[Layer], model: ChartSpec, has_own: bool, columns: Sequence[str]) -> list[Layer]:
    fields = set(columns)
    return [layer for layer in layers if applies(layer, model, has_own) and model.x.field in fields
            and layer.y.field in fields and set(series_keys(layer, model, has_own)) <= fields]


def needs_rules(rows: Sequence[dict[str, Any]], layers: Sequence[Layer], model: ChartSpec, has_own: bool,
                columns: Sequence[str]) -> bool:
    """Whether steps.py could change ``rows`` for ``layers``: False only when every layer's series
    have x strictly rising (no repeated x), every row with an x has a y, no filter decides what a
    series holds, and even the longest step is no hole (at most GAP_FACTOR times the shortest)."""
    todo = _todo(layers, model, has_own, columns)
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
        for row in rows:
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
