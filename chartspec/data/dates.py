"""Dates written as text in temporal fields, made UTC epoch milliseconds before Vega reads them.

Vega reads date text itself with the browser's ``Date.parse``: a date alone (``2024-03-01``) as
UTC, but a date and time without an offset (``2024-03-01T18:00``, ``2024-03-01 18:00:00``) in
the reader's time zone, so the axis of an HTML chart moved with the reader while chartspec's
hover spans and annotations, and its SVG (vl-convert runs in UTC), took the same text as UTC.
So every text value of a temporal field that ``parse`` does not name is turned here into epoch
milliseconds by one rule (isodate.py: ISO 8601, a time without an offset taken as UTC), the same
for rows read in Python and for engine tables. Numbers (epoch milliseconds) and Parquet timestamps
are instants already (sources.py, engine.py), except a training log's ``wall_time``, in seconds as
the loggers keep it (Table.seconds), made milliseconds where an axis reads it as time. Other text, such as ``03/01/2024``, is refused at
the axis' field with its row: a format for it goes in ``parse``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import DataError, Diagnostic, JsonPath, quoted
from ..spec.model import ChartSpec
from ..spec.source import SourceMap
from .isodate import iso_ms, iso_sql
from .numbers import BLANK
from .parsedates import with_exprs

if TYPE_CHECKING:
    from .engine import Relation
    from .table import Table

__all__ = ["temporal_fields", "utc_dates", "with_utc_dates"]

def temporal_fields(model: ChartSpec, layer_index: int | None) -> dict[str, JsonPath]:
    """The temporal fields of the chart's table (``layer_index`` None) or of a layer's own table,
    less those ``parse`` reads, each with the spec path naming it: x, and the y of each layer
    drawing from that table."""
    layers = [lyr for lyr in model.layers if (lyr.index == layer_index if layer_index is not None
                                               else lyr.data is None)]
    source = model.layers[layer_index].data if layer_index is not None else model.data
    parsed = dict(source.parse) if source is not None else {}
    axes = [model.x, *(lyr.y for lyr in layers)]
    found: dict[str, JsonPath] = {}
    for axis in axes:
        if axis.type == "temporal" and axis.field not in parsed:
            found.setdefault(axis.field, axis.json_path + ("field",))
    return found


def with_utc_dates(model: ChartSpec, table: Table, layer_tables: tuple[Table | None, ...], smap: SourceMap
                   ) -> tuple[Table, tuple[Table | None, ...]]:
    """The chart's table and the layers' own with their temporal text made UTC (:func:`utc_dates`)."""
    main = utc_dates(table, temporal_fields(model, None), smap)
    own = tuple(t if t is None else utc_dates(t, temporal_fields(model, i), smap) for i, t in enumerate(layer_tables))
    return main, own


def utc_dates(table: Table, fields: dict[str, JsonPath], smap: SourceMap) -> Table:
    """``table`` with the text of each of ``fields`` (column -> the spec path to blame) made UTC
    epoch milliseconds; the first text that is no date is reported, with its row, per field."""
    from dataclasses import replace

    wanted = {f: p for f, p in fields.items() if f in table.columns and f not in table.derived}
    if not wanted:
        return table
    seconds = table.seconds & wanted.keys()  # a log's wall_time: seconds, made milliseconds
    table = replace(table, seconds=table.seconds - seconds)
    if table.relation is not None:
        return replace(table, relation=_utc_sql(table.relation, wanted, seconds, table, smap))
    rows = [dict(r) for r in table.rows]
    problems: list[Diagnostic] = []
    for field in seconds:
        for row in rows:
            if isinstance(row.get(field), (int, float)) and not isinstance(row[field], bool):
                row[field] = row[field] * 1000
    for field, path in wanted.items():
        if field in seconds:
            continue
        for number, row in enumerate(rows, start=1):
            value = row.get(field)
            if not isinstance(value, str):
                continue  # numbers are epoch milliseconds; missing stays missing
            try:
                row[field] = iso_ms(value) if value.strip(BLANK) else None
            except ValueError:
                problems.append(_not_a_date(table.row_of(number), value, field, path, smap))
                break  # the first is enough to see what the column holds
    if problems:
        raise DataError(problems)
    return replace(table, rows=tuple(rows))


def _not_a_date(row: str, value: Any, field: str, path: JsonPath, smap: SourceMap) -> Diagnostic:
    """``row``: Table.row_of's words for the row."""
    return smap.diagnostic(
        f"{row}: {quoted(value)} in temporal field {field!r} is not a date",
        path, hint=f"write dates as ISO 8601 (2024-03-01, 2024-03-01T18:00, UTC unless an offset such as "
                   f"+05:30 follows), or give their format: parse: {{{field}: \"%d/%m/%Y\"}}")


def _utc_sql(rel: Relation, fields: dict[str, JsonPath], seconds: frozenset[str], table: Table,
             smap: SourceMap) -> Relation:
    from .engine import quote

    exprs: dict[str, str] = {f: f"{quote(f)} * 1000 AS {quote(f)}" for f in seconds}
    problems: list[Diagnostic] = []
    for field, path in fields.items():
        if field in rel.numeric or field in seconds:
            continue
        text = f"trim({quote(field)}, {_BLANK_SQL})"
        value = iso_sql(text)
        bad = rel.sql(f"SELECT __row, {quote(field)} FROM {rel.name} WHERE {text} <> '' AND {value} IS NULL "
                      "ORDER BY __row LIMIT 1")
        if bad:
            problems.append(_not_a_date(table.row_of(bad[0][0] + 1), bad[0][1], field, path, smap))
            continue
        exprs[field] = f"{value} AS {quote(field)}"
    if problems:
        raise DataError(problems)
    if not exprs:
        return rel
    from dataclasses import replace

    made = with_exprs(rel, exprs)  # milliseconds from seconds keep their fraction: not integers
    return replace(made, integer=made.integer - seconds)


_BLANK_SQL = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)"
