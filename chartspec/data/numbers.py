"""What a number is in a data file, the one rule of both readers (table.py in Python, engine.py in SQL).

A cell, trimmed of ASCII blanks (spaces, tabs, line breaks),
written in decimal (an optional sign, ASCII digits with an optional point and exponent: ``3``,
``+5``, ``-1.5e-3``, ``.5``, ``5.``), or ``inf``, ``infinity`` or ``nan`` in any case with an
optional sign. Anything else (``0x10``, ``1_000``, full-width digits, ``1,5``) is text. Non-finite
numbers (those tokens, ``NaN``/``Infinity`` in JSON, NaN in Parquet, a decimal beyond a double's
range) are missing values: not drawn, smoothed or counted in axis domains; the load hands back
a note naming the first one (:func:`nonfinite_note`).

The Python reader applies :func:`is_number` to each text cell, of a CSV file and, by
:func:`typed_rows`, of JSON, JSON Lines and inline data too (``{"loss": "NaN"}`` is a missing
value with a note, ``"1"`` the number 1); the engine reads CSV/TSV cells
as text and applies :func:`number_sql`, which tests/data/test_numbers.py checks cell for cell
against the Python rule.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, JsonPath
from ..spec.source import SourceMap

if TYPE_CHECKING:
    import duckdb

__all__ = ["BLANK", "Nonfinite", "cell_value", "column_kinds", "finite_cells", "finite_rows", "is_number",
           "nonfinite_note", "nonfinite_notes", "number_sql", "parquet_nonfinite", "typed_cell_sql", "typed_rows",
           "blank_sql"]

_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", re.ASCII)
_NONFINITE = frozenset(sign + word for sign in ("", "+", "-") for word in ("inf", "infinity", "nan"))
BLANK = " \t\n\v\f\r"  # what a cell is trimmed of: ASCII blanks, as DuckDB's casts trim them


def is_number(text: str) -> bool:
    """Whether a text cell is a number by the module's rule (non-finite tokens included)."""
    cell = text.strip(BLANK)
    return _DECIMAL.fullmatch(cell) is not None or cell.lower() in _NONFINITE


def nonfinite_note(count: int, column: str, row: int | str, value: Any, location: str, smap: SourceMap,
                   where: JsonPath) -> Diagnostic:
    """The note saying ``count`` cells of ``column`` in ``location`` are not finite (the first at
    data row ``row``, 1-based, or where a log without rows says: "step 30 of run 'a'") and are
    drawn as missing values; at ``where`` in the spec."""
    cells = "1 cell" if count == 1 else f"{count:,} cells"
    shown = "nan" if value != value else ("inf" if value > 0 else "-inf")  # however the file wrote it
    first = f"row {row}" if isinstance(row, int) else row
    return replace(smap.diagnostic(
        f"{cells} of column {column!r} in {location} {'is' if count == 1 else 'are'} not a finite number "
        f"(first: {first}, {shown}); drawn as missing values: no point, no smoothing, not in the axis domain",
        where), severity="note")


#: the non-finite cells of one column of one file: (file, column, count, first row, its value)
Nonfinite = tuple[str, str, int, int, float]
#: files a note on several names before "and N more"
_NAMED_FILES = 3


def finite_cells(rows: tuple[dict[str, Any], ...]) -> tuple[tuple[dict[str, Any], ...], dict[str, list[Any]]]:
    """``rows`` with non-finite numbers made missing, and per column that had some: [count, first
    row (1-based), its value]."""
    found: dict[str, list[Any]] = {}  # column -> [count, first row, first value]
    for number, row in enumerate(rows, start=1):
        for key, value in row.items():
            if isinstance(value, float) and not math.isfinite(value):
                entry = found.setdefault(key, [0, number, value])
                entry[0] += 1
    if not found:
        return rows, found
    bad = set(found)
    clean = tuple({k: (None if k in bad and isinstance(v, float) and not math.isfinite(v) else v)
                   for k, v in row.items()} for row in rows)
    return clean, found


def finite_rows(rows: tuple[dict[str, Any], ...], location: str, smap: SourceMap, where: JsonPath,
                used: frozenset[str] | None) -> tuple[tuple[dict[str, Any], ...], tuple[Diagnostic, ...]]:
    """``rows`` with non-finite numbers made missing, and a note per column the spec may use."""
    clean, found = finite_cells(rows)
    notes = tuple(nonfinite_note(n, c, r, v, location, smap, where) for c, (n, r, v) in found.items()
                  if used is None or c in used)
    return clean, notes


def nonfinite_notes(found: Sequence[Nonfinite], pattern: str, smap: SourceMap, where: JsonPath,
                    used: frozenset[str] | None) -> tuple[Diagnostic, ...]:
    """One note per column (that the spec may use) of the non-finite cells ``found`` in the files
    of ``pattern``, a glob, in file order: in one file as :func:`nonfinite_note` says it; in several,
    counted together with the first files named, so a glob of a hundred runs that each diverged
    once gives one note, not a hundred (and the same note a log reader gives for its runs)."""
    by_column: dict[str, list[Nonfinite]] = {}
    for entry in found:
        if used is None or entry[1] in used:
            by_column.setdefault(entry[1], []).append(entry)
    notes = []
    for column, entries in by_column.items():
        file, _, count, row, value = entries[0]
        if len(entries) > 1:
            more = len(entries) - _NAMED_FILES
            named = ", ".join(e[0] for e in entries[:_NAMED_FILES]) + (f" and {more:,} more" if more > 0 else "")
            file, count, row = f"{len(entries):,} files of {pattern} ({named})", sum(e[2] for e in entries), \
                f"row {row} of {file}"
        notes.append(nonfinite_note(count, column, row, value, file, smap, where))
    return tuple(notes)


_INTEGER = re.compile(r"[-+]?[0-9]+", re.ASCII)


def cell_value(text: str, numeric: bool) -> Any:
    """A cell's value: missing, text, or a number (non-finite ones as floats, made missing later)."""
    cell = text.strip(BLANK)
    if not cell:
        return None
    if not numeric:
        return text
    if _INTEGER.fullmatch(cell) and len(cell.lstrip("+-")) <= 19 and -2**63 <= (whole := int(cell)) < 2**63:
        return whole  # decided on the integer: as a float, int64's largest, 2**63 - 1, rounds up to 2**63
    return float(cell)


def typed_rows(rows: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    """Rows of a typed format (JSON, JSON Lines, inline data) by the same rule as a CSV file's: a
    column whose cells are all numbers, text that is a number by the rule, blank text or missing
    is a number column, its text cells read as numbers (``"1"``, ``"NaN"``: made missing later with
    a note) or missing (blank); any other column keeps its cells as written."""
    numeric: dict[str, bool] = {}  # column -> only numbers and number-like text so far
    wide = False  # an integer beyond int64 (a JSON 9300000000000000001)
    for row in rows:
        for key, value in row.items():
            if isinstance(value, str):
                numeric[key] = numeric.get(key, True) and (not value.strip(BLANK) or is_number(value))
            elif value.__class__ is int:
                wide = wide or not -2**63 <= value < 2**63
            elif isinstance(value, bool) or not isinstance(value, (int, float, type(None))):
                numeric[key] = False
    texts = {k for k, ok in numeric.items() if ok}
    if not texts and not wide:
        return rows
    return tuple({k: cell_value(v, True) if k in texts and isinstance(v, str) else _int64(v) for k, v in row.items()}
                 for row in rows)


def _int64(value: Any) -> Any:
    """An integer beyond int64 as the float the engine reads it as (DuckDB types such a column
    DOUBLE, as cell_value reads such a CSV cell; Vega reads every number as a double anyway);
    any other value as it is."""
    return float(value) if value.__class__ is int and not -2**63 <= value < 2**63 else value


# -- the same rule in the engine's SQL ---------------------------------------------------------------

def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'  # as engine.quote, which imports this module


def number_sql(text: str) -> str:
    """SQL true when the cell ``text`` is a number by the rule (:func:`is_number`). DuckDB's
    DOUBLE cast trims the same blanks and reads exactly that rule's cells but for two more forms,
    refused here: digits with underscores ('1_000') and a sign doubled as '+-' (tests/data/
    test_numbers.py compares the two on every text of up to three characters of a covering set)."""
    return f"(TRY_CAST({text} AS DOUBLE) IS NOT NULL AND NOT contains({text}, '_') AND NOT contains({text}, '+-'))"


def blank_sql(text: str) -> str:
    """SQL true when the cell ``text`` is missing or blank (only evaluated for cells that are not
    numbers: trimming is the costly part, ~0.4 s per million cells)."""
    return f"({text} IS NULL OR trim({text}, {_BLANK_SQL}) = '')"


_BLANK_SQL = "' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)"


def column_kinds(con: duckdb.DuckDBPyConnection, part: str, columns: Sequence[str]) -> dict[str, tuple[str, Any]]:
    """Per text column of ``part``: its type by the rule (BIGINT, DOUBLE or VARCHAR) and, for
    numbers, (count, first row, value) of its non-finite cells. One pass; each cell is cast once."""
    inner, stats = [], []
    for i, c in enumerate(columns):
        q, n, v, t = _quote(c), f"n{i}", f"v{i}", f"c{i}"
        inner += [f"{number_sql(q)} AS {n}", f"TRY_CAST({q} AS DOUBLE) AS {v}", f"{q} AS {t}"]
        odd = f"{n} AND NOT isfinite({v})"
        stats += [f"count(*) FILTER (WHERE CASE WHEN {n} THEN false ELSE NOT {blank_sql(t)} END)",
                  f"count(*) FILTER (WHERE {n} AND isfinite({v}) AND ({v} <> round({v}) "
                  # whole numbers beyond BIGINT only: those near 2**63 stay exact (exactx.py tells
                  # apart two a double would merge); CASE: the cast is tried for those alone
                  f"OR CASE WHEN abs({v}) >= 9.2e18 THEN TRY_CAST({t} AS BIGINT) IS NULL ELSE false END "
                  f"OR contains({t}, '.') OR contains({t}, 'e') OR contains({t}, 'E')))",
                  f"count(*) FILTER (WHERE {odd})", f"min(r) FILTER (WHERE {odd})", f"arg_min({v}, r) FILTER (WHERE {odd})"]
    found = con.execute(f"SELECT {', '.join(stats)} FROM (SELECT rowid AS r, {', '.join(inner)} FROM {part})"
                        ).fetchone() or ()
    kinds: dict[str, tuple[str, Any]] = {}
    for i, c in enumerate(columns):
        text, fractional, odd, first, value = found[5 * i: 5 * i + 5]
        kind = "VARCHAR" if text else "DOUBLE" if fractional else "BIGINT"
        kinds[c] = (kind, (odd, first + 1, value) if odd and kind != "VARCHAR" else None)
    return kinds


def typed_cell_sql(column: str, kind: str) -> str:
    """A text cell as its column's value: numbers (non-finite ones missing, as in Parquet: Vega
    cannot place them; blank cells fail the cast) or text (blank cells missing, as in table.py)."""
    q = _quote(column)
    if kind == "VARCHAR":
        return f"CASE WHEN NOT {blank_sql(q)} THEN {q} END AS {q}"
    if kind == "BIGINT":  # written as integers
        return f"TRY_CAST({q} AS BIGINT) AS {q}"
    return f"CASE WHEN isfinite(TRY_CAST({q} AS DOUBLE)) THEN TRY_CAST({q} AS DOUBLE) END AS {q}"


def parquet_nonfinite(con: duckdb.DuckDBPyConnection, files: Sequence[tuple[str, str]], floats: Sequence[str]
                       ) -> list[tuple[str, str, int, int, float]]:
    """NaN and infinities per float column of Parquet ``files`` (path, location as shown) that all
    hold ``floats``: (file, column, count, first row, value), in file order. One scan of them all
    (``filename`` tells the files apart), which the engine's threads share file by file: one query
    per file ran one thread at a time (a logger's file is often a single row group)."""
    if not floats or not files:
        return []
    stats = []
    for c in floats:
        odd = f"NOT isfinite(CAST({_quote(c)} AS DOUBLE))"
        stats += [f"count(*) FILTER (WHERE {odd})", f"min(file_row_number) FILTER (WHERE {odd})",
                  f"arg_min(CAST({_quote(c)} AS DOUBLE), file_row_number) FILTER (WHERE {odd})"]
    paths = "[" + ", ".join("'" + p.replace("'", "''") + "'" for p, _ in files) + "]"
    if len(files) == 1:  # no 'filename' option: the file may have a column of that name
        query = f"SELECT {paths}[1], {', '.join(stats)} FROM read_parquet({paths}, file_row_number = true)"
    else:
        query = (f"SELECT filename, {', '.join(stats)} FROM read_parquet({paths}, filename = true, union_by_name = true, "
                 "file_row_number = true) GROUP BY filename")
    by_file = {path: found for path, *found in con.execute(query).fetchall()}
    return [(location, c, found[3 * i], found[3 * i + 1] + 1, found[3 * i + 2])
            for path, location in files if (found := by_file.get(path)) is not None
            for i, c in enumerate(floats) if found[3 * i]]
