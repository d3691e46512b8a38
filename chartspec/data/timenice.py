"""d3's ``nice()`` of a UTC time scale: the domain Vega draws a temporal axis with ``nice: true``.

Vega calls ``scale.nice(null)``, which d3-scale answers with the tick interval of ten ticks over
the extent (d3-time's ``utcTickInterval``: 1, 5, 15, 30 seconds, 1, 5, 15, 30 minutes, 1, 3, 6,
12 hours, 1, 2 days, a week from Sunday, 1, 3 months, or whole years) and widens the domain to
that interval's floor and ceiling on the UTC calendar. ``every(k)`` keeps the boundaries whose
field (seconds, minutes, hours, days since the epoch: d3's ``unixDay``, month) is a multiple of
``k``. Dates are whole milliseconds (JavaScript's ``Date``).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from .nice import tick_step

__all__ = ["utc_nice"]

_SECOND, _MINUTE, _HOUR, _DAY = 1_000, 60_000, 3_600_000, 86_400_000
_WEEK, _MONTH, _YEAR = 7 * _DAY, 30 * _DAY, 365 * _DAY  # d3's rough durations, for picking the interval
#: d3-time's tick intervals: (unit, count, rough duration in ms)
_INTERVALS = (("second", 1, _SECOND), ("second", 5, 5 * _SECOND), ("second", 15, 15 * _SECOND),
              ("second", 30, 30 * _SECOND), ("minute", 1, _MINUTE), ("minute", 5, 5 * _MINUTE),
              ("minute", 15, 15 * _MINUTE), ("minute", 30, 30 * _MINUTE), ("hour", 1, _HOUR), ("hour", 3, 3 * _HOUR),
              ("hour", 6, 6 * _HOUR), ("hour", 12, 12 * _HOUR), ("day", 1, _DAY), ("day", 2, 2 * _DAY),
              ("week", 1, _WEEK), ("month", 1, _MONTH), ("month", 3, 3 * _MONTH), ("year", 1, _YEAR))
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def _interval(lo: int, hi: int, count: int = 10) -> tuple[str, int]:
    """d3-time's ``utcTickInterval(lo, hi, count)`` as (unit, count)."""
    target = abs(hi - lo) / count
    i = bisect.bisect_right([d for _, _, d in _INTERVALS], target)
    if i == len(_INTERVALS):
        return "year", math.floor(tick_step(lo / _YEAR, hi / _YEAR, count))
    if i == 0:
        return "millisecond", math.floor(max(tick_step(lo, hi, count), 1))
    unit, k, _ = _INTERVALS[i - 1 if target / _INTERVALS[i - 1][2] < _INTERVALS[i][2] / target else i]
    return unit, k


def _floor(t: datetime, unit: str, k: int) -> datetime:
    """The last boundary of ``unit.every(k)`` at or before ``t`` (milliseconds are handled apart)."""
    if unit == "second":
        return t.replace(second=t.second - t.second % k, microsecond=0)
    if unit == "minute":
        return t.replace(minute=t.minute - t.minute % k, second=0, microsecond=0)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "hour":
        return day.replace(hour=t.hour - t.hour % k)
    if unit == "day":  # d3's unixDay: whole days since the epoch, a multiple of k
        return day - timedelta(days=(day - _EPOCH).days % k)
    if unit == "week":  # from Sunday
        return day - timedelta(days=(t.weekday() + 1) % 7)
    if unit == "month":
        return day.replace(month=t.month - (t.month - 1) % k, day=1)
    return day.replace(year=t.year // k * k, month=1, day=1)  # years: whole multiples of k


def _next(t: datetime, unit: str, k: int) -> datetime:
    """The boundary of ``unit.every(k)`` after the boundary ``t``."""
    if unit in ("second", "minute", "hour", "day"):  # k divides the minute, hour or day; days count from the epoch
        return t + timedelta(**{unit + "s": k})
    if unit == "week":
        return t + timedelta(days=7)
    if unit == "month":
        months = t.year * 12 + t.month - 1 + k
        return t.replace(year=months // 12, month=months % 12 + 1)
    return t.replace(year=t.year + k)


def utc_nice(lo: float, hi: float) -> tuple[float, float] | None:
    """The domain d3's ``scaleUtc().domain([lo, hi]).nice()`` gives (epoch milliseconds), or None
    where d3 has no interval (a zero-width extent) or past the dates Python holds (years 1-9999)."""
    lo, hi = math.trunc(min(lo, hi)), math.trunc(max(lo, hi))  # a Date holds whole milliseconds
    if not hi > lo:
        return None
    unit, k = _interval(lo, hi)
    if unit == "millisecond":
        return float(lo // k * k), float(-(-hi // k) * k)
    floor: Callable[[int], datetime] = lambda ms: _floor(_EPOCH + ms * _MS, unit, k)  # noqa: E731
    try:
        first, last = floor(lo), floor(hi)
        if last != _EPOCH + hi * _MS:  # the ceiling: the boundary after the last one before hi
            last = _next(last, unit, k)
    except (OverflowError, ValueError):
        return None
    return (first - _EPOCH) / _MS, (last - _EPOCH) / _MS
