"""Exponential moving-average smoothing of noisy curves, with the raw series drawn faintly behind.

The smoothing is TensorBoard's, debiasing included (``vz_line_chart2``'s ``resmoothDataset``)::

    last = 0; n = 0
    for each finite value v, in x order:
        last = last * w + (1 - w) * v;  n += 1
        smoothed = last / (1 - w ** n)      # w == 1 would divide by zero: then smoothed = last

Missing or non-finite values pass through unchanged and do not advance the average, and a
constant series is left as it is. Without the debiasing the curve would start at
``(1 - w) * v0``, far below the data, because ``last`` starts at 0.

It runs in Python inside the pure compile step (Vega-Lite has no EMA transform): the smoothed
values become one more column of the embedded rows, computed per series when the layer has a
series field, each series ordered by x.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import ChartSpec, Layer

__all__ = ["Smooth", "DEFAULT_RAW_OPACITY", "duplicate_x", "ema", "order_key", "smooth_column", "smooth_series",
           "smoothed_rows", "with_raw_layer"]

DEFAULT_RAW_OPACITY = 0.25


@dataclass(frozen=True)
class Smooth:
    """``smooth:`` of a layer: the EMA weight and whether the raw series shows behind."""

    ema: float
    show_raw: bool = True
    raw_opacity: float = DEFAULT_RAW_OPACITY


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


def _group(row: dict[str, Any], series: Sequence[str]) -> tuple[Any, ...]:
    return tuple(row.get(f) for f in series)


def duplicate_x(rows: Sequence[dict[str, Any]], x: str, series: Sequence[str] = ()) -> Any | None:
    """An x value that occurs twice within one series (so an EMA in x order is ill-defined), if any."""
    seen: set[tuple[Any, Any]] = set()
    for row in rows:
        key = (_group(row, series), row.get(x))
        if key in seen:
            return row.get(x)
        seen.add(key)
    return None


def smooth_column(index: int) -> str:
    """The column holding layer ``index``'s smoothed values (internal, like ``__series``)."""
    return f"__smooth_{index}"


def order_key(value: Any) -> tuple[int, Any]:
    # numbers before text, missing last, so mixed columns still sort deterministically
    if _finite(value):
        return (0, value)
    return (1, str(value)) if value is not None else (2, "")


def smoothed_rows(rows: Sequence[dict[str, Any]], *, x: str, y: str, weight: float, column: str,
                  series: Sequence[str] = ()) -> tuple[dict[str, Any], ...]:
    """``rows`` with ``column`` added: the EMA of ``y`` per combination of ``series`` values, in x order."""
    groups: dict[Any, list[int]] = {}
    for i, row in enumerate(rows):
        groups.setdefault(_group(row, series), []).append(i)
    smoothed: dict[int, Any] = {}
    for members in groups.values():
        # sorted() is stable: rows with the same x keep their file order
        ordered = sorted(members, key=lambda i: order_key(rows[i].get(x)))
        for i, value in zip(ordered, ema([rows[i].get(y) for i in ordered], weight)):
            smoothed[i] = value
    return tuple({**row, column: smoothed[i]} for i, row in enumerate(rows))


def with_raw_layer(compiled: dict[str, Any], *, column: str, smooth: Smooth, color: str | None) -> dict[str, Any]:
    """A compiled layer turned into its smoothed form, with the faint raw series behind it.

    The smooth layer plots ``column`` and keeps the legend entry. The raw layer plots the original
    field in the same colour at low opacity, without markers, tooltips or a legend entry of its own.
    """
    smooth_layer = copy.deepcopy(compiled)
    enc = smooth_layer["encoding"]
    raw_field = enc["y"]["field"]
    enc["y"] = {**enc["y"], "field": column}
    enc["tooltip"] = [t if t.get("field") != raw_field else {**t, "field": column} for t in enc.get("tooltip", [])]
    if not smooth.show_raw:
        return smooth_layer
    raw = copy.deepcopy(compiled)
    mark = {k: v for k, v in raw["mark"].items() if k not in ("point",)}
    mark["opacity"] = smooth.raw_opacity
    mark["strokeWidth"] = min(mark.get("strokeWidth", 1.0), 1.0)
    raw["mark"] = mark
    raw_enc = raw["encoding"]
    raw_enc.pop("shape", None)
    raw_enc.pop("tooltip", None)
    if color is not None and raw_enc.get("color", {}).get("field") == "__series":
        raw_enc["color"] = {"value": color}  # one colour: no legend entry for the raw series
    # Several series (colour by a field): the raw lines keep the shared colour scale, so each takes
    # its series' colour; they add no entries, as the legend lists the scale's domain once. The
    # merged legend draws its symbols like the first layer, the faint one: make them solid.
    for channel in ("color", "strokeDash"):
        legend = raw_enc.get(channel, {}).get("legend")
        if isinstance(legend, dict):
            raw_enc[channel]["legend"] = {**legend, "symbolOpacity": 1,
                                          "symbolStrokeWidth": compiled["mark"].get("strokeWidth", 2)}
    return {"layer": [raw, smooth_layer]}
