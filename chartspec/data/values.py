"""Values of the data the compiler needs: numeric extents and the distinct values of series fields.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ..spec.model import Axis, ChartSpec, Layer
from .jsvalues import js_string
from .table import Table

# Integers beyond 2**53 are no more exact than floats, and vl-convert refuses those past 2**63.
_MAX_EXACT_INT = 2**53


def num(value: float) -> float | int:
    """A number as JSON writes it: whole numbers within 2**53 as ints, all others as floats (a
    whole ``1e21`` as an int reached vl-convert as a 22-digit integer it refused, and -1e308 as a
    309-digit one); a bool stays as it is."""
    if isinstance(value, bool):
        return value
    exact = float(value)  # (a spec's ints lie within the float range: spec/yamlload.py)
    if exact.is_integer() and abs(exact) < _MAX_EXACT_INT:
        return int(exact)
    return exact if isinstance(value, int) else value


#: values closer together than this are drawn as one (a flat axis, widened around it): d3's ticks
#: over a span of 1e-307 step 10**-308 at a time, past what a float holds, and Vega failed with
#: "reading 'marktype'" (a constant 1e-300 plus steps of 1e-310, subnormal numbers)
NARROWEST_SPAN = 1e-305


def value_span(values: Sequence[float]) -> tuple[float, float] | None:
    """The smallest and largest of ``values`` (None for none); one value twice when they are
    closer than :data:`NARROWEST_SPAN`."""
    if not values:
        return None
    lo, hi = min(values), max(values)
    return (lo, lo) if hi - lo < NARROWEST_SPAN else (lo, hi)


def extent(axis: Axis, tables: Iterable[Table]) -> tuple[float, float] | None:
    """Smallest and largest value of the axis field over every table drawn on the axis."""
    if axis.type != "quantitative":
        return None
    return value_span([v for table in tables if axis.field in table.columns for v in table.numbers(axis.field)])


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, value) if isinstance(value, (int, float)) and not isinstance(value, bool) else (1, str(value))


def series_values(layer: Layer, table: Table) -> list[str]:
    """The distinct values of the layer's series field, sorted (numbers numerically), as text."""
    assert layer.series is not None
    return field_values(layer.series.field, [table])


def field_values(field: str, tables: Iterable[Table]) -> list[str]:
    """The distinct values of ``field`` over ``tables``, sorted (numbers numerically), as text."""
    found = {row.get(field) for table in tables for row in table.rows} - {None}
    return list(dict.fromkeys(series_text(v) for v in sorted(found, key=_sort_key)))


def series_text(value: Any) -> str:
    # as Vega's toString() writes it: 3.0 is "3", true is "true", 9.3e18 (and the integer
    # 9300000000000000001, a double there) "9300000000000000000": the colour domain's names must be
    # the texts the chart's toString() makes, or the series draws in no colour
    if isinstance(value, (bool, int, float)):
        return js_string(value)
    return str(value)


#: dashes of layers sharing a colour field without a ``stroke_dash``, in layer order: solid, dashed,
#: dotted, dash-dot, ... (compiler/styles.py draws them; the reduction draws dashed lines whole)
AUTO_DASHES: tuple[tuple[float, ...], ...] = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (1, 3), (10, 4))


def layer_dash(model: ChartSpec, layer: Layer) -> tuple[float, ...] | None:
    """The dash pattern ``layer`` is drawn with (SVG ``stroke-dasharray`` lengths, CSS px), None
    for solid: its ``stroke_dash``, or for a layer sharing its colour field with others (see
    :func:`shared_color_layers`) the next of :data:`AUTO_DASHES` in layer order."""
    if layer.stroke_dash is not None:
        return layer.stroke_dash
    shared = shared_color_layers(model)
    if layer.index not in shared:
        return None
    auto = sum(1 for other in model.layers if other.index in shared and other.index < layer.index
               and other.stroke_dash is None)
    return AUTO_DASHES[auto % len(AUTO_DASHES)]


def is_dashed(dash: tuple[float, ...] | None) -> bool:
    """Whether a dash pattern leaves gaps (SVG repeats an odd-length list twice: ``[6, 3, 2]`` is
    ``[6, 3, 2, 6, 3, 2]``); ``[1, 0]`` and None are solid."""
    if not dash:
        return False
    lengths = dash * (1 + len(dash) % 2)
    return any(gap > 0 for gap in lengths[1::2])


def svg_dash(dash: tuple[float, ...]) -> list[float]:
    """A dash pattern as Vega's ``strokeDash``: one without gaps (``[1, 0]``: solid) as ``[0, 0]``,
    which SVG and canvas draw solid (a pattern summing to zero is no pattern), as ``[1, 0]`` is
    drawn too, but without a dash a pixel: resvg (the PNG) stops dashing past about 10^6 dashes
    and then draws nothing, so a noisy line 1,000,000 px long vanished from the PNG."""
    return list(dash) if is_dashed(dash) else [0, 0]


def shared_color_layers(model: ChartSpec) -> frozenset[int]:
    """Indices of the layers coloured by a field another layer is coloured by too (``loss`` and
    ``lr``, both ``color: {field: run}``): one colour per run across them, the layer told apart by
    its dash (compiler/series.py). The first such field only; other layers are as usual."""
    fields = [layer.series.field for layer in model.layers if layer.series is not None]
    shared = next((f for f in fields if fields.count(f) > 1), None)
    return frozenset(layer.index for layer in model.layers
                     if layer.series is not None and layer.series.field == shared)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def shown(value: Any, axis: Axis) -> str:
    """A value of ``axis`` as a message writes it: a time on a temporal axis as its UTC date
    (``2024-03-01``, ``2024-03-01 06:30:00``), never as epoch milliseconds; anything else as ``repr``."""
    if axis.type != "temporal" or not isinstance(value, (int, float)) or isinstance(value, bool) \
            or not math.isfinite(value):
        return repr(value)
    try:
        moment = _EPOCH + timedelta(milliseconds=value)
    except OverflowError:  # beyond Python's years 1-9999
        return repr(value)
    if value % 86_400_000 == 0:
        return moment.strftime("%Y-%m-%d")
    return moment.isoformat(sep=" ", timespec="milliseconds" if value % 1000 else "seconds").removesuffix("+00:00")
