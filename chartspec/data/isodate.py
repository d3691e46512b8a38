"""The one rule for dates written as text in temporal fields without ``parse``: ISO 8601 as data
writes it, a time without an offset taken as UTC (see dates.py), in Python and as the engine's SQL.

    2024-03-01                                  midnight UTC (as Vega reads it)
    2024-03-01T18:00, 2024-03-01 18:00:05.250   UTC
    2024-03-01T18:00Z, ...+05:30, ...-0700      converted to UTC

``T`` or a space; seconds and up to 9 fraction digits optional; offset ``Z``, ``+HH:MM`` or
``+HHMM``. Calendar days only (no 02-30, no year 0, no 24:00). tests/data/test_dates.py checks
the SQL against Python value for value.
"""

from __future__ import annotations

import datetime as dt
import re

from .numbers import BLANK

__all__ = ["ISO", "iso_ms", "iso_sql"]

#: the format a temporal field without ``parse`` is read in (a name, never a strftime format)
ISO = "ISO 8601"
_TIME = r"(?:[T ]([01][0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9])(?:\.([0-9]{1,9}))?)?(Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?)?"
#: year, month, day, hour, minute, second, fraction, offset; the same pattern in SQL (RE2) and Python
_PATTERN = r"([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])" + _TIME
_ISO = re.compile(_PATTERN, re.ASCII)
_EPOCH = dt.datetime(1970, 1, 1)


def _offset_minutes(offset: str | None) -> int:
    if not offset or offset == "Z":
        return 0
    digits = offset[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return -minutes if offset[0] == "-" else minutes


def iso_ms(text: str) -> int | float:
    """Epoch milliseconds (UTC) of an ISO date or date-time text; ValueError if it is none."""
    found = _ISO.fullmatch(text.strip(BLANK))
    if found is None:
        raise ValueError(f"{text!r} is not an ISO 8601 date")
    year, month, day, hour, minute, second, fraction, offset = found.groups()
    moment = dt.datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    whole = (moment - _EPOCH) // dt.timedelta(milliseconds=1) - _offset_minutes(offset) * 60_000
    if not fraction:
        return whole
    ms = float(whole) + float("0." + fraction) * 1000.0  # the engine's arithmetic, in the same order
    return int(ms) if ms.is_integer() else ms


def iso_sql(text: str) -> str:
    """SQL of the epoch milliseconds (DOUBLE) of an ISO text, as :func:`iso_ms`; NULL if none."""
    pattern = "'^" + _PATTERN + "$'"
    part = [f"regexp_extract({text}, {pattern}, {i})" for i in range(1, 9)]
    year, month, day, hour, minute, second, fraction, offset = part
    num = "CAST(NULLIF({}, '') AS BIGINT)"
    moment = (f"make_timestamp({num.format(year)}, {num.format(month)}, {num.format(day)}, "
              f"coalesce({num.format(hour)}, 0), coalesce({num.format(minute)}, 0), "
              f"coalesce({num.format(second)}, 0))")
    digits = f"replace(substr({offset}, 2), ':', '')"
    minutes = (f"(CASE WHEN {offset} IN ('', 'Z') THEN 0 ELSE (CASE WHEN {offset}[1] = '-' THEN -1 ELSE 1 END) * "
               f"(CAST(substr({digits}, 1, 2) AS BIGINT) * 60 + CAST(substr({digits}, 3, 2) AS BIGINT)) END)")
    whole = f"CAST(epoch_ms({moment}) - {minutes} * 60000 AS DOUBLE)"
    ms = f"(CASE WHEN {fraction} = '' THEN {whole} ELSE {whole} + CAST('0.' || {fraction} AS DOUBLE) * 1000.0 END)"
    # a day the month does not have (02-30) and year 0 are no dates, as in Python
    valid = (f"regexp_matches({text}, {pattern}) AND {num.format(year)} >= 1 "
             f"AND {num.format(day)} <= day(last_day(make_date({num.format(year)}, {num.format(month)}, 1)))")
    return f"(CASE WHEN {valid} THEN {ms} END)"


