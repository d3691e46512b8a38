"""Date columns the engine rewrites: ``parse`` formats read by ``strptime``, and the helper that
writes a relation again with some columns computed (dates.py's ISO dates use it too)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ..errors import DataError, Diagnostic, JsonPath, quoted
from ..spec.source import SourceMap

if TYPE_CHECKING:
    from .engine import Relation

__all__ = ["parse_dates_sql", "with_exprs"]


def parse_dates_sql(rel: Relation, parse: Sequence[tuple[str, str]], table_name: str, smap: SourceMap,
                    path: JsonPath, row_of: Callable[[int], str]) -> Relation:
    """``parse`` fields turned from text into epoch milliseconds (UTC) by the engine's
    ``strptime`` (the C library's codes, as Python's); the same errors as sources.parse_dates
    (``row_of``: Table.row_of, naming a row in its own file)."""
    from ..spec.suggest import did_you_mean
    from .engine import literal, quote

    problems: list[Diagnostic] = []
    exprs: dict[str, str] = {}
    for field, fmt in parse:
        where = path + (field,)
        if field not in rel.columns:
            hint = did_you_mean(field, rel.columns, what="a column") or f"columns: {', '.join(rel.columns)}"
            problems.append(smap.diagnostic(f"cannot parse field {field!r}: it is not in {table_name}", where,
                                            key=True, hint=hint))
            continue
        text = f"CAST(CAST({quote(field)} AS BIGINT) AS VARCHAR)" if field in rel.numeric else quote(field)
        parsed = f"try_strptime({text}, {literal(fmt)})"
        bad = rel.sql(f"SELECT __row, {quote(field)} FROM {rel.name} WHERE {quote(field)} IS NOT NULL "
                      f"AND {parsed} IS NULL ORDER BY __row LIMIT 1")
        if bad:
            value = bad[0][1]
            value = int(value) if isinstance(value, float) and value.is_integer() else value
            problems.append(smap.diagnostic(
                f"{row_of(bad[0][0] + 1)}: {quoted(value)} in field {field!r} is not a date in format {fmt!r}",
                where, hint="fix the value, or the format (strftime codes: %Y-%m-%d %H:%M:%S)"))
            continue
        exprs[field] = f"CAST(epoch_ms({parsed}) AS DOUBLE) AS {quote(field)}"
    if problems:
        raise DataError(problems)
    return with_exprs(rel, exprs)


def with_exprs(rel: Relation, exprs: dict[str, str]) -> Relation:
    """``rel`` with the columns ``exprs`` names computed (as numbers) in a new table, row order kept."""
    from .engine import Relation, new_name, quote

    name = new_name()
    select = ", ".join(exprs.get(c, quote(c)) for c in ("__row", *rel.columns))
    rel.con.execute(f"CREATE TEMP TABLE {name} AS SELECT {select} FROM {rel.name} ORDER BY __row")
    return Relation(rel.con, name, rel.count, rel.columns, rel.numeric | set(exprs), rel.integer | set(exprs))


