"""Time units (Vega-Lite's ``timeUnit``, in UTC): dates floored to the start of their unit, in Python.

Vega floors the dates when the chart renders (the compiler writes a ``timeUnit`` transform); the
same flooring here lets the compiler see what layers draw (series, extents, the hover table).
A unit is a concatenation of parts (``yearmonthdate``); a part left out takes Vega's constant
(year 2012, January, the 1st, midnight), so ``month`` folds every year onto one. Units with
weeks or days of the week or year are floored by Vega only: here a layer then keeps its rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

__all__ = ["floor_rows", "floor_time", "unit_parts"]

_PARTS = ("year", "quarter", "month", "week", "dayofyear", "date", "day", "hours", "minutes", "seconds",
          "milliseconds")
_PYTHON = frozenset(("year", "quarter", "month", "date", "hours", "minutes", "seconds", "milliseconds"))
_UTC = dt.UTC
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)


def unit_parts(unit: str) -> tuple[str, ...]:
    """``yearmonthdate`` -> ('year', 'month', 'date'); longest names first (``dayofyear`` before ``day``)."""
    found: list[str] = []
    rest = unit.removeprefix("utc")
    while rest:
        part = next((p for p in sorted(_PARTS, key=len, reverse=True) if rest.startswith(p)), None)
        if part is None:
            raise ValueError(f"not a time unit: {unit!r}")
        found.append(part)
        rest = rest[len(part):]
    return tuple(found)


def floor_time(ms: float, parts: Sequence[str]) -> float:
    """Epoch milliseconds floored to the unit made of ``parts`` (calendar parts only), as Vega does."""
    t = _EPOCH + dt.timedelta(milliseconds=ms)
    has = set(parts)
    month = t.month if "month" in has else (3 * ((t.month - 1) // 3) + 1 if "quarter" in has else 1)
    floored = dt.datetime(t.year if "year" in has else 2012, month, t.day if "date" in has else 1,
                          t.hour if "hours" in has else 0, t.minute if "minutes" in has else 0,
                          t.second if "seconds" in has else 0,
                          t.microsecond // 1000 * 1000 if "milliseconds" in has else 0, tzinfo=_UTC)
    return (floored - _EPOCH) // dt.timedelta(milliseconds=1)


def floor_rows(rows: Sequence[dict[str, Any]], field: str, unit: str) -> list[dict[str, Any]] | None:
    """``rows`` with ``field`` floored to ``unit``; None when only Vega can floor it (weeks, weekdays).

    Only numbers (epoch milliseconds: parsed dates) are floored; text dates are left to Vega."""
    parts = unit_parts(unit)
    if not set(parts) <= _PYTHON:
        return None
    out = []
    for row in rows:
        value = row.get(field)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value == value:
            row = {**row, field: floor_time(value, parts)}
        out.append(row)
    return out
