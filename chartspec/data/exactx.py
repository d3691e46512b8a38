"""Whole-number x values a chart cannot tell apart: beyond 2**53, where doubles skip integers.

Vega holds every number as a double, exact for whole numbers up to 2**53 (9,007,199,254,740,992).
Steps near 2**63 (int64 counters: 9223372036854775806 and 9223372036854775807) became one double,
9223372036854775808: the rows were drawn at one x, a vertical line under one tick. The file holds
them exactly (Python ints; DuckDB's BIGINT; a Parquet file's int64), so two that would land on one
x are found before the chart is drawn and refused at the x field. A ``calculate`` cannot help: it
runs in Vega, on the doubles; the offset must be taken where the steps are written. Integers this
large that each keep an x of their own (nanosecond timestamps, ~256 apart at 1.7e18) draw as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import Diagnostic
from ..spec.model import ChartSpec
from ..spec.source import SourceMap
from .engine import quote
from .table import Table

__all__ = ["EXACT", "x_collision_diagnostics"]

#: the largest whole number below which every integer is a double of its own
EXACT = 2**53
#: how engine.py's view over Parquet files reads each file (its SELECT ends in this scan)
_SCAN = " FROM read_parquet("

# (value, 1-based row of the table) of two values that become one double
_Pair = tuple[tuple[int, int], tuple[int, int]]


def x_collision_diagnostics(model: ChartSpec, tables: Sequence[Table | None], source: SourceMap) -> list[Diagnostic]:
    """An error at the x field for the first table (the chart's, then the layers' own) holding two
    integers beyond :data:`EXACT` that one x would draw; nothing otherwise."""
    if model.x.type != "quantitative":
        return []
    for table in tables:
        if table is None or model.x.field not in table.columns:
            continue
        pair = _in_engine(table, model.x.field) if table.relation is not None else _in_rows(table, model.x.field)
        if pair is not None:
            return [_error(model, table, pair, source)]
    return []


def _in_rows(table: Table, field: str) -> _Pair | None:
    seen: dict[float, tuple[int, int]] = {}
    for index, row in enumerate(table.rows, start=1):
        value = row.get(field)
        if type(value) is not int or -EXACT < value < EXACT:  # (bool is no step: type, not isinstance)
            continue
        first = seen.setdefault(float(value), (value, index))
        if first[0] != value:
            return first, (value, index)
    return None


def _in_engine(table: Table, field: str) -> _Pair | None:
    """The same question asked of the engine's BIGINT column (one scan of it: ~5 ms for 10^7 rows),
    or of the Parquet files' integer column under a view; a column of doubles has lost the
    difference already (nothing to find)."""
    import duckdb

    rel = table.relation
    assert rel is not None
    if field not in rel.integer:
        return None
    x = quote(field)
    source = rel.name
    if rel.view:  # a view over Parquet files reads integers as doubles: ask the files themselves
        scans = [(select[select.rfind(_SCAN) + len(" FROM "):], offset) for select, offset, _ in rel.files
                 if _SCAN in select]
        if not scans or len(scans) != len(rel.files):
            return None
        # HUGEINT: a file's integers of any width, and whole numbers written as text (parquettext.py)
        source = "(" + " UNION ALL ".join(f"SELECT file_row_number + {offset} AS __row, TRY_CAST({x} AS HUGEINT) AS {x} FROM {scan}"
                                          for scan, offset in scans) + ")"
    try:
        found = rel.sql(
            f"SELECT min({x}), arg_min(__row, {x}), max({x}), arg_max(__row, {x}) FROM {source} "
            f"WHERE {x} >= {EXACT} OR {x} <= {-EXACT} GROUP BY CAST({x} AS DOUBLE) HAVING min({x}) <> max({x}) "
            f"ORDER BY least(arg_min(__row, {x}), arg_max(__row, {x})) LIMIT 1")
    except duckdb.Error:  # a file without the column, or with numbers of another kind: nothing to tell
        return None
    if not found:
        return None
    low, low_row, high, high_row = found[0]
    first, second = sorted([(int(low), int(low_row) + 1), (int(high), int(high_row) + 1)], key=lambda p: p[1])
    return first, second


def _error(model: ChartSpec, table: Table, pair: _Pair, source: SourceMap) -> Diagnostic:
    (a, row_a), (b, row_b) = pair
    field = model.x.field
    offset = min(a, b) // 10**6 * 10**6  # a round number below both: the steps left are small
    return source.diagnostic(
        f"whole numbers of {field!r} beyond 2**53 cannot be told apart on a chart's axis: {a} "
        f"({table.row_of(row_a)}) and {b} ({table.row_of(row_b)}) would be drawn at one x, {float(a):,.0f}",
        model.x.json_path + ("field",),
        hint=f"a chart holds numbers as doubles, exact up to 2**53 (9,007,199,254,740,992): subtract an offset "
             f"where the steps are written (step - {offset}); a 'calculate' cannot, it runs on the doubles")
