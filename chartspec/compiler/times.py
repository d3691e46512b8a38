"""Dates in tooltips, written in UTC as the axes write them, and ``tick_step`` on a time axis.

Times are UTC throughout (data/sources.py) and a temporal axis uses Vega's ``utc`` scale, but a
tooltip field has no scale: Vega-Lite writes a temporal one with ``timeFormat``, in the reader's
zone, so midnight of Mar 01 read in America/Denver shows as Feb 29. A UTC time unit on the tooltip
field makes Vega-Lite write it with ``utcFormat`` instead. The unit and format are the coarsest
that keep every drawn value (whole days: ``Mar 01, 2024``); the unit never cuts below the format.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..data.checks import MAX_TICKS
from ..data.values import num
from ..spec.model import Axis

__all__ = ["CLOCK_LABELS", "TIME_UNITS", "interval_ticks", "single_time", "tick_count", "time_format",
           "time_ticks", "time_tooltip"]

_DAY_MS = 86_400_000
# (every value a multiple of this many ms, Vega-Lite's UTC unit, d3 time format)
_RESOLUTIONS = ((_DAY_MS, "utcyearmonthdate", "%b %d, %Y"),
                (60_000, "utcyearmonthdatehoursminutes", "%b %d, %Y %H:%M"),
                (1, "utcyearmonthdatehoursminutesseconds", "%b %d, %Y %H:%M:%S"))
_FINEST = _RESOLUTIONS[-1]

#: the labels of a time axis with no ``format`` of its own: Vega's multi-format with d3's 24-hour
#: clock. Vega's default writes an hour's tick "%I %p" and a minute's "%I:%M": 18:30 read "06:30",
#: with no AM/PM to tell it from 06:30. Every other level (":%S", "Fri 01", "Mar 03", "March", "2024")
#: stays Vega's, which picks the level for each tick by the span.
CLOCK_LABELS: dict[str, str] = {"hours": "%H:%M", "minutes": "%H:%M"}

#: the time intervals ``tick_step`` may name on a temporal axis, as Vega-Lite's ``tickCount`` says them
TIME_UNITS = ("millisecond", "second", "minute", "hour", "day", "week", "month", "year")


def time_format(axis: Axis, values: Iterable[Any] | None) -> tuple[str, str]:
    """The UTC time unit and format a tooltip writes ``axis``' values in: the axis' own ``format``,
    else the coarsest that keeps every value (``values`` None: unknown, made by a transform)."""
    if axis.format:
        return _FINEST[1], axis.format
    present = [v for v in values] if values is not None else []
    numbers = [v for v in present if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if values is None or len(numbers) < sum(v is not None for v in present):
        return _FINEST[1], _FINEST[2]  # unknown, or dates as text Vega reads itself: every part
    for size, unit, fmt in _RESOLUTIONS:
        if all(float(v) % size == 0 for v in numbers):
            return unit, fmt
    return _FINEST[1], _FINEST[2]


def time_tooltip(item: dict[str, Any], axis: Axis, values: Iterable[Any] | None) -> dict[str, Any]:
    """A tooltip entry for a temporal field, written in UTC; other entries as they are."""
    if item.get("type") != "temporal":
        return item
    unit, fmt = time_format(axis, values)
    return {**item, "timeUnit": unit, "format": fmt}


def tick_count(step: tuple[str, int]) -> dict[str, Any] | str:
    """Vega-Lite's ``tickCount`` for a ``tick_step`` such as ``{month: 3}``: one labelled tick every
    three months. Vega takes the interval from the scale: on the ``utc`` scale of a temporal axis,
    the UTC calendar's (d3's ``utcMonth.every(3)``: January, April, July, October)."""
    unit, count = step
    if unit in _CLOCK and count == 1:  # Vega fails on {interval: hour, step: 1} (interval_ticks), not on "hour"
        return unit
    return {"interval": unit, "step": int(count)}


#: (every value a multiple of this many ms, how far the domain reaches either side of one moment)
_ONE_MOMENT_PAD = ((_DAY_MS, _DAY_MS), (60_000, 3_600_000), (1_000, 60_000), (1, 1_000))


def single_time(axis: Axis, values: Iterable[Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The scale and axis properties of a temporal axis whose values are all one moment (a run's
    first logged row), or None. Vega's ticks on a zero-width time domain named a part of it alone
    ("March", "06:30" for 18:30 in a 12-hour clock) or repeated the moment; here the domain reaches
    a day (an hour, a minute, a second) either side, and one tick names the moment in full, as
    the tooltip does. An explicit ``domain`` or ``values`` is left alone."""
    if axis.type != "temporal" or axis.domain is not None or axis.values is not None:
        return None
    moments = {float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)}
    if len(moments) != 1:
        return None
    (moment,) = moments
    pad = next(pad for size, pad in _ONE_MOMENT_PAD if moment % size == 0)
    _, fmt = time_format(axis, [moment])
    return ({"domain": [moment - pad, moment + pad], "nice": False},
            {"values": [num(moment)], "format": fmt})


def time_ticks(axis: Axis, values: Iterable[Any], scale: dict[str, Any], props: dict[str, Any]) -> None:
    """The ticks of a time axis written into its compiled ``scale`` and axis ``props`` (in place),
    for x and y alike (y had neither: one moment read "12:00" alone, ``tick_step: {hour: 6}``
    failed to render): one moment gets :func:`single_time`'s one tick, which replaces a
    ``tickCount`` ({hour: 6} beside it failed to render); else a clock interval its ticks listed
    (:func:`interval_ticks`)."""
    values = list(values)
    if (one := single_time(axis, values)) is not None:
        scale.update(one[0])
        props.update(one[1])
        props.pop("tickCount", None)
    elif "tickCount" in props and (ticks := interval_ticks(axis, values)) is not None:
        del props["tickCount"]  # {hour: 6} as Vega's tickCount fails to render: the ticks themselves
        if ticks:  # none within the times (18:30 to 18:45 every 6 hours): Vega's own ticks
            props["values"] = ticks


#: intervals shorter than a day: (length in ms, the UTC clock field d3's ``every(step)`` counts in)
_CLOCK = {"hour": (3_600_000, lambda ms: ms // 3_600_000 % 24), "minute": (60_000, lambda ms: ms // 60_000 % 60),
          "second": (1_000, lambda ms: ms // 1_000 % 60), "millisecond": (1, lambda ms: ms)}


def interval_ticks(axis: Axis, values: Iterable[Any]) -> list[int] | None:
    """The ticks of ``tick_step: {hour: 6}`` (minute, second, millisecond) over the drawn times, as
    d3's ``utcHour.every(6)`` places them (the hours of the UTC day divisible by 6; none when no
    such hour lies within the times), or None for other axes and intervals. Vega fails on those
    intervals as a ``tickCount`` ("Cannot read properties of undefined (reading 'marktype')");
    days, weeks, months and years work there."""
    if axis.type != "temporal" or axis.tick_interval is None or axis.tick_interval[0] not in _CLOCK:
        return None
    moments = [int(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]
    if not moments:
        return []  # (the tickCount must go all the same)
    unit, step = axis.tick_interval
    size, field = _CLOCK[unit]
    first, last = -(-min(moments) // size) * size, max(moments)  # the unit boundaries within the extent
    if (last - first) // (size * step) > MAX_TICKS:  # an annotation far off (checks.py counts the data's)
        return []  # Vega's own ticks, not billions of seconds listed
    return [t for t in range(first, last + 1, size) if field(t) % step == 0]
