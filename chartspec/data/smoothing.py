"""Exponential moving-average smoothing of noisy curves (the values; the drawing is the compiler's).

The smoothing is TensorBoard's, debiasing included (``vz_line_chart2``'s ``resmoothDataset``)::

    last = 0; n = 0
    for each finite value v, in x order:
        last = last * w + (1 - w) * v;  n += 1
        smoothed = last / (1 - w ** n)      # w == 1 would divide by zero: then smoothed = last

Missing or non-finite values pass through unchanged and do not advance the average, and a
constant series is left as it is. Without the debiasing the curve would start at
``(1 - w) * v0``, far below the data, because ``last`` starts at 0.

Vega-Lite has no EMA transform: the smoothed values become one more column of the embedded rows,
computed per series (:func:`smooth_series`), each series ordered by x.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..errors import Diagnostic
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from .values import shown

__all__ = ["duplicate_x", "ema", "order_key", "repeated_x", "smooth_column", "smooth_series", "smoothed_rows"]


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def ema(values: Sequence[Any], weight: float) -> list[Any]:
    """TensorBoard's debiased exponential moving average of ``values`` (already in x order)."""
    finite = [v for v in values if _finite(v)]
    if finite and all(v == finite[0] for v in finite):
        return list(values)
    last, count, out = 0.0, 0, []
    for v in values:
        if not _finite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        count += 1
        out.append(last / (1 - weight**count) if weight != 1 else last)
    return out


def _group(row: dict[str, Any], series: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row.get(f) for f in series)


def draws(row: dict[str, Any], index: int) -> bool:
    """Whether layer ``index`` draws ``row`` (steps.py may leave rows out: bit ``index`` of ``__draws``)."""
    bits = row.get("__draws")
    return bits is None or bool(bits >> index & 1)


def duplicate_x(rows: Sequence[dict[str, Any]], x: str, series: Sequence[str] = (), y: str | None = None,
                index: int | None = None) -> Any | None:
    """An x value that occurs twice within one series (so an EMA in x order is ill-defined), if any.
    With ``y``, among the rows holding a ``y`` value (and drawn by layer ``index``) only."""
    seen: set[tuple[Any, Any]] = set()
    for row in rows:
        if y is not None and (row.get(y) is None or (index is not None and not draws(row, index))):
            continue
        key = (_group(row, series), row.get(x))
        if key in seen:
            return row.get(x)
        seen.add(key)
    return None


def repeated_x(value: Any, layer: Layer, spec: ChartSpec, source: SourceMap) -> Diagnostic:
    """Why a layer cannot be smoothed: x ``value`` repeats among the values one of its series draws."""
    keys = smooth_series(layer, spec)
    within = f" within one {' and '.join(map(repr, keys))}" if keys else ""
    where = layer.json_path + ("smooth",)
    value = shown(value, spec.x)  # a time as its date, not epoch milliseconds
    if (layer.duplicates or spec.duplicates) == "all" and layer.mark in ("line", "area"):
        return source.diagnostic(
            f"cannot smooth: x value {value} occurs more than once{within}, and 'duplicates: all' keeps every row",
            where, key=True, hint="an EMA needs one value per x: remove 'duplicates: all' to draw the last row "
                                  "logged for each x, or set 'duplicates: first'")
    return source.diagnostic(
        f"cannot smooth: x value {value} occurs more than once{within}", where, key=True,
        hint="if the rows belong to several series, colour the layer by the field telling them apart, or give "
             "each series its own layer data")


def smooth_column(index: int) -> str:
    """The column holding layer ``index``'s smoothed values (internal, like ``__series``)."""
    return f"__smooth_{index}"


def order_key(value: Any) -> tuple[int, Any]:
    # numbers before text, missing last, so mixed columns still sort deterministically
    if _finite(value):
        return (0, value)
    return (1, str(value)) if value is not None else (2, "")


def smoothed_rows(rows: Sequence[dict[str, Any]], *, x: str, y: str, weight: float, column: str,
                  series: Sequence[str] = (), index: int | None = None,
                  keyed: Sequence[dict[str, Any]] | None = None) -> tuple[dict[str, Any], ...]:
    """``rows`` with ``column`` added: the EMA of ``y`` per combination of ``series`` values, in x
    order; rows layer ``index`` does not draw are left out (their ``column`` is missing).
    ``keyed``: the rows to read ``series`` from, row for row (with the fields calculates make)."""
    groups: dict[Any, list[int]] = {}
    smoothed: dict[int, Any] = {}
    for i, row in enumerate(rows):
        if index is not None and not draws(row, index):
            smoothed[i] = None
            continue
        groups.setdefault(_group(row if keyed is None else keyed[i], series), []).append(i)
    for members in groups.values():
        # sorted() is stable: rows with the same x keep their file order
        ordered = sorted(members, key=lambda i: order_key(rows[i].get(x)))
        for i, value in zip(ordered, ema([rows[i].get(y) for i in ordered], weight)):
            smoothed[i] = value
    return tuple({**row, column: smoothed[i]} for i, row in enumerate(rows))


def smooth_series(layer: Layer, spec: ChartSpec) -> tuple[str, ...]:
    """The fields whose values tell the separate curves of the EMA apart: the layer's series field,
    the facet fields, and the column naming each row's file when the data is several ``files``
    (rows of different runs or panels must never be averaged together)."""
    fields = [layer.series.field] if layer.series is not None else []
    if spec.facet is not None:
        fields += [f for f in (spec.facet.field, spec.facet.row, spec.facet.column) if f]
    source = layer.data if layer.data is not None else spec.data
    if source.files is not None and source.as_field:
        fields.append(source.as_field)
    return tuple(dict.fromkeys(fields))
