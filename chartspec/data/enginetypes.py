"""How the engine reads typed columns: DuckDB's types as the chart's values (times as epoch ms UTC,
numbers as doubles with NaN and infinities missing), and SQL quoting. Apart from engine.py so
readers of other engines (warehouse.py, remote.py) share it.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["INTEGER_TYPES", "literal", "quote", "typed_exprs"]

INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
                  "HUGEINT")


def quote(name: str) -> str:
    """``name`` as a SQL identifier (any text: quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def typed_exprs(cols: Sequence[tuple[str, str]], numeric: set[str], integer: set[str]) -> list[str]:
    """SELECT items reading typed columns as the engine does (times: epoch ms UTC; numbers: doubles,
    NaN missing); ``numeric`` and ``integer`` gain the columns holding numbers and whole numbers."""
    exprs = []
    for c, t in cols:
        q = quote(c)
        t = "" if t.endswith("]") else t  # a list or array (TIMESTAMP_NS[]): passed as it is, never drawn
        if t.startswith("TIMESTAMP"):
            # epoch µs of an instant (UTC, whatever the machine's zone) / 1000: every unit to the
            # microsecond (ns floored), as sources.read_parquet reads it. Not epoch_ms: DuckDB 2.0
            # fails on a Parquet TIMESTAMP_NS column with it ("Unimplemented type for cast"); and
            # epoch_us has no TIMESTAMPTZ_NS (pandas' zoned times): its ns floored to µs here
            ns = f"epoch_ns({q})"
            us = f"CASE WHEN {ns} >= 0 THEN {ns} // 1000 ELSE -((999 - {ns}) // 1000) END" if t.endswith("_NS") else \
                f"epoch_us({q})"
            exprs.append(f"CAST({us} AS DOUBLE) / 1000 AS {q}")
        elif t.startswith("TIME"):  # a time of day: text, as the Python reader gives it ('not a date' on a time axis)
            exprs.append(f"CAST({q} AS VARCHAR) AS {q}")
            continue
        elif t.startswith("DATE"):
            exprs.append(f"CAST(epoch_ms(CAST({q} AS TIMESTAMP)) AS DOUBLE) AS {q}")
        elif t.startswith(("DOUBLE", "FLOAT", "DECIMAL", "REAL")):
            exprs.append(f"CASE WHEN isnan(CAST({q} AS DOUBLE)) OR isinf(CAST({q} AS DOUBLE)) THEN NULL "
                         f"ELSE CAST({q} AS DOUBLE) END AS {q}")
        elif t in INTEGER_TYPES:
            exprs.append(f"CAST({q} AS DOUBLE) AS {q}")
            integer.add(c)
        else:
            exprs.append(q)
            continue
        numeric.add(c)
    return exprs
