"""One axis' scale and axis properties: type, domain, nice/zero/reverse/clamp, ticks and labels.

The compiler asks :func:`vl_scale` and :func:`vl_axis` for the Vega-Lite ``scale`` and ``axis``
of an encoding. What Vega would draw wrongly (a log scale over zero, a band scale on numbers) is
refused earlier by :mod:`chartspec.data.layer_checks`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..data.isodate import iso_ms
from ..data.nice import decimals, nice_domain, step_domain
from ..data.values import num
from ..spec.model import Axis
from .numformat import axis_number_format
from .times import CLOCK_LABELS, tick_count

__all__ = ["FLAT_MARGIN", "axis_values", "decimals", "domain", "flat_domain", "num", "step_ticks", "tiny", "vl_axis",
           "vl_scale"]

_ZERO_SCALES = ("linear", "sqrt", "symlog", "pow")


def axis_values(lo: float, hi: float, step: float) -> list[float | int]:
    """Tick values at whole multiples of ``step`` within ``[lo, hi]``, free of float noise."""
    places = decimals(step)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    values = [round(k * step, places) for k in range(first, last + 1)]
    return [num(v) for v in values] if places == 0 else values


def domain(axis: Axis, span: tuple[float, float] | None) -> tuple[float, float] | None:
    """The explicit domain, or the data ``span`` widened to whole tick steps when ``tick_step`` is set
    (a span of one value to the steps either side of it: [0.001, 0.0011] drew a constant on the edge)."""
    if axis.domain is not None:
        return axis.domain
    if axis.tick_step is None or axis.type != "quantitative" or span is None:
        return None  # span None: a field a transform makes, known only when Vega-Lite runs
    low, high = span
    if low == high and (flat := _flat_ticks(axis, span)) is not None:
        return flat[0], flat[-1]
    return step_domain(low, high, axis.tick_step)


def _flat_ticks(axis: Axis, span: tuple[float, float]) -> list[float] | None:
    """The ticks of data of one value with a ``tick_step`` (and no domain): the value and a step
    either side of it, so the axis names the value (a constant 0.001 with steps of 0.0003 had
    ticks 0.0006, 0.0009, 0.0012); None for other axes or past the float range."""
    if axis.tick_step is None or axis.domain is not None or span[0] != span[1]:
        return None
    value, step = span[0], axis.tick_step
    places = max(decimals(step), decimals(value))
    ticks = [round(value + k * step, places) for k in (-1, 0, 1)]
    return ticks if all(map(math.isfinite, ticks)) and ticks[0] < value < ticks[2] else None


def step_ticks(axis: Axis, span: tuple[float, float] | None) -> list[float | int] | None:
    """The ticks of a ``tick_step`` axis: whole multiples of the step within its domain, or the one
    value of its data and a step either side of it; None without a step or a known domain."""
    fixed = domain(axis, span)
    if axis.tick_step is None or fixed is None:
        return None
    if span is not None and (flat := _flat_ticks(axis, span)) is not None:
        return [num(v) for v in flat] if all(float(v).is_integer() for v in flat) else list(flat)
    return axis_values(fixed[0], fixed[1], axis.tick_step)


def _step_places(axis: Axis, span: tuple[float, float] | None) -> int:
    """Decimals of a ``tick_step`` axis' labels: the step's, or the one value's when it has more."""
    assert axis.tick_step is not None
    flat = span is not None and (_flat_ticks(axis, span) is not None  # (or aligned ticks through the value: axes.py)
                                 or span[0] == span[1] and axis.values is not None and span[0] in axis.values)
    return min(20, max(decimals(axis.tick_step), decimals(span[0]) if flat and span else 0))


#: a zero-width extent (a constant learning rate, the one row a run has logged so far) is widened
#: by this share of its value either way, or by this much around zero (matplotlib's margins for a
#: singular range): Vega's ticks on a zero-width domain write 0.0003 as "0" and 0.5 as "1"
FLAT_MARGIN = 0.05


def flat_domain(axis: Axis, span: tuple[float, float] | None, zero: bool) -> tuple[float, float] | None:
    """The domain of an axis whose data is one value (``span`` of zero width): that value widened
    by :data:`FLAT_MARGIN`, made nice as Vega would (unless ``nice: false``); None for any other
    axis, and where ``zero`` already widens the domain to [0, value]."""
    if span is None or span[0] != span[1] or axis.type != "quantitative" or (zero and span[0] != 0):
        return None
    value = span[0]
    if axis.scale == "log":
        if value <= 0:
            return None  # refused or left out (logscale.py)
        lo, hi = value * (1 - FLAT_MARGIN), value * (1 + FLAT_MARGIN)
    else:
        margin = abs(value) * FLAT_MARGIN or FLAT_MARGIN
        lo, hi = value - margin, value + margin
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        return None  # near the float limits: left to Vega
    return nice_domain(lo, hi, axis.scale) if axis.nice is not False else (lo, hi)


def vl_scale(axis: Axis, span: tuple[float, float] | None, *, zero: bool, flat: bool = True) -> dict[str, Any]:
    """The Vega-Lite scale; ``zero`` is the mark's default (bars and areas start at zero); ``flat``:
    a ``span`` of one value may be widened (:func:`flat_domain`), False where something else on the
    axis (a band's extent, an annotation) may reach further: Vega's own domain joins them."""
    scale: dict[str, Any] = {}
    if axis.scale != "linear":
        scale["type"] = axis.scale
    elif axis.type == "temporal":
        scale["type"] = "utc"  # times are UTC (sources.py): labels must not depend on the machine's zone
    fixed = domain(axis, span)
    if fixed is not None:
        scale.update(domain=[num(fixed[0]), num(fixed[1])], nice=False)
    if axis.nice is not None and axis.type != "nominal":
        scale["nice"] = axis.nice
    if axis.type == "quantitative" and axis.scale in _ZERO_SCALES:
        scale["zero"] = axis.zero if axis.zero is not None else (zero and fixed is None)
    if fixed is None and flat and (widened := flat_domain(axis, span, bool(scale.get("zero")))) is not None:
        scale.update(domain=[num(widened[0]), num(widened[1])], nice=False)
    if axis.scale == "pow" and axis.exponent is not None:
        scale["exponent"] = axis.exponent
    if axis.reverse:
        scale["reverse"] = True
    if axis.clamp:
        scale["clamp"] = True
    return scale


def _tick(value: str, axis: Axis) -> Any:
    """A tick written as text: on a temporal axis an ISO date as UTC epoch milliseconds (Vega-Lite's
    ``datetime("2024-03-01T18:00")`` would read it in the reader's zone), else the text."""
    if axis.type != "temporal":
        return value
    try:
        return num(iso_ms(value))
    except ValueError:  # refused at load (data/dates.py)
        return value


#: an axis whose values all lie closer to zero than this gets labels in exponent notation, d3's
#: ``~g`` ("2.5e-22"): Vega's fixed-point labels stop at 20 decimals (2e-22 read
#: "0.00000000000000000000", as did the axis' description) and are hard to read long before.
#: ``~g`` writes values this small in exponents as ``~e`` does, and zero as "0" (``~e``: "0e+0",
#: which a labelExpr hid in the labels but the axis' description still read out: "from 0e+0 to 5e-22")
TINY = 1e-6
TINY_FORMAT = "~g"


def tiny(axis: Axis, span: tuple[float, float] | None) -> bool:
    """Whether ``axis`` (with no format of its own, not log: d3 writes those ticks as exponents)
    shows only values of magnitude below :data:`TINY`: its ``values``, or its domain or data span."""
    if axis.type != "quantitative" or axis.scale == "log" or axis.format is not None:
        return False
    if axis.values is not None:
        bounds = [float(v) for v in axis.values if isinstance(v, (int, float))]
    else:
        bounds = list(domain(axis, span) or span or ())
    return bool(bounds) and 0 < max(abs(v) for v in bounds) < TINY


def vl_axis(axis: Axis, span: tuple[float, float] | None, grid: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"grid": grid}
    if axis.values is not None:
        props["values"] = [num(v) if isinstance(v, (int, float)) else _tick(v, axis) for v in axis.values]
    elif (ticks := step_ticks(axis, span)) is not None:
        props["values"] = ticks
    elif axis.tick_interval is not None and axis.type == "temporal":
        props["tickCount"] = tick_count(axis.tick_interval)
    fmt = axis.format or (TINY_FORMAT if tiny(axis, span) else f".{_step_places(axis, span)}f"
                          if axis.tick_step is not None and axis.type == "quantitative" else None)
    if fmt and axis.type in ("quantitative", "temporal"):
        props["format"] = axis_number_format(fmt) if axis.type == "quantitative" else fmt
    elif axis.type == "temporal" and axis.time_unit is None:  # (a time unit's labels: Vega-Lite's, 24-hour)
        props["format"] = dict(CLOCK_LABELS)
    elif axis.format:  # numbers on a band or point scale (learning rates of a grid): a number format
        props.update(format=axis_number_format(axis.format), formatType="number")
    if axis.label_angle is not None:
        props["labelAngle"] = axis.label_angle
    return props


#: the widest an 11 px bold sans-serif character draws, with room to spare (an estimate that errs
#: long only costs a titleLimit that truncates nothing)
_TITLE_CHAR_PX = 9.0


def title_limit(title: str | None, room: float) -> dict[str, Any]:
    """``{"titleLimit": room}`` for an axis title that may be longer than its side of the plot:
    Vega draws it whole otherwise, and a 70-character y title stretched a 200 px plot's chart to
    430 px of blank space; limited, it ends in an ellipsis. Nothing for titles that fit."""
    return {"titleLimit": room} if title and len(title) * _TITLE_CHAR_PX > room else {}


#: a 15 px chart title's and a 10 px subtitle's width per character of ordinary text, erring wide
_HEADING_CHAR_PX = {"text": 8.0, "subtitle": 6.0}


def heading_limit(title: dict[str, Any], room: float) -> dict[str, Any]:
    """The chart's ``title`` (text and subtitle) with ``limit: room`` when either may be wider than
    ``room`` px (the chart's width): Vega draws them whole, and a 500-character title made a chart
    3,500 px wide; limited, they end in an ellipsis. Unchanged when both fit."""
    title = {k: v for k, v in title.items() if k != "limit"}
    if any(len(str(title.get(k) or "")) * px > room for k, px in _HEADING_CHAR_PX.items()):
        title["limit"] = room
    return title


#: the narrowest a legend label may be limited to: Vega's own default ``labelLimit``
_MIN_LABEL_PX = 160
#: a 10 px legend label's width per character of ordinary names (mixed case, digits, spaces),
#: erring wide; a label of capitals it fits may still draw up to ~1.5x the room, never 3,000 px
_LABEL_CHAR_PX = 6.0


def label_limit(labels: Sequence[str], room: float) -> dict[str, Any]:
    """``{"labelLimit": room}`` for a legend (or facet header) with a label that may be wider than
    ``room`` px (:func:`label_room` for a legend): the config's ``labelLimit: 0`` draws labels
    whole, and a 500-character layer name made a legend 3,000 px wide beside a 600 px plot;
    limited, it ends in an ellipsis. Nothing when every label fits, so a chart of ordinary names
    compiles as before."""
    return {"labelLimit": room} if any(len(label) * _LABEL_CHAR_PX > room for label in labels) else {}


#: Vega's own ``titleLimit`` of a legend, and an 11 px bold title's width per character, erring wide
_VEGA_LEGEND_TITLE_PX = 180
_LEGEND_TITLE_CHAR_PX = 7.0


def legend_title_limit(title: str | None, room: float) -> dict[str, Any]:
    """``{"titleLimit": room}`` for a legend title that may be wider than ``room`` px (its labels'
    room, :func:`label_room`), so title and labels end in an ellipsis at the same width; Vega's
    default cut it at 180 px whatever the chart's width. Nothing for titles that fit both."""
    if title and len(title) * _LEGEND_TITLE_CHAR_PX > min(room, _VEGA_LEGEND_TITLE_PX):
        return {"titleLimit": room}
    return {}


def label_room(width: float) -> int:
    """The widest a series' name is drawn beside a chart ``width`` px wide (a legend label, a direct
    label at a line's end): half the width, at least 160 px."""
    return max(_MIN_LABEL_PX, round(width / 2))
