"""A fast, exact read of a CSV/TSV file's number columns: typed by DuckDB, checked against numbers.py.

engine.py's general read takes every cell as text and applies the number rule cell by cell
(numbers.py): exact, but three passes over the text (1,000,000 rows: ~2 s here). Training logs are
mostly columns of plain numbers, which DuckDB parses typed in one pass. The typed parse is not the
rule, though: as BIGINT it takes '0x10', '1_000' and '5.0' (and rounds '1.5' to 2), as DOUBLE it
also takes '1_000' and '+-5'. So this read only trusts what it can check cheaply:

- a column DuckDB's sniffer calls an integer is read as text and must be plain digits (an
  optional '-', at most 18 digits, so never beyond BIGINT, no leading zero): its cast to BIGINT,
  written back as text, must give the cell again (cheaper than a regular expression: ~0.3 of
  ~2.3 CPU seconds for 9,000,000 rows); a padded '007' fails that and takes the general read;
- a column it calls a decimal number is read as DOUBLE, valid only when the file has no '_' and no
  '+-' anywhere (a byte search) and the column holds a number that is not whole (so the rule makes
  it DOUBLE too, whatever its other cells look like);
- every other column is read as text and typed by numbers.py's rule, as before.

Anything else (a cell the typed parse refuses, a whole-number "decimal" column, an underscore
anywhere) returns None and the caller reads the file the general way: same values, same types,
same notes (tests/data/test_csvtyped.py compares the two cell for cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .numbers import column_kinds, typed_cell_sql

if TYPE_CHECKING:
    import duckdb

__all__ = ["read_typed", "scan_args", "scan_csv"]

_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")
_DECIMALS = ("FLOAT", "DOUBLE", "REAL")
_CHUNK = 1 << 22  # bytes per read of the byte search: memory stays flat whatever the file's size


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def scan_args(delimiter: str) -> str:
    """read_csv's arguments for a data file, after its path and before its column names or types."""
    return f"header = true, delim = {_literal(delimiter)}, quote = '\"', escape = '\"', strict_mode = true"


def scan_csv(path: Path, header: Sequence[str], delimiter: str) -> str:
    """Every cell as text: which columns are numbers is decided by numbers.py's rule."""
    names = "[" + ", ".join(_literal(h) for h in header) + "]"
    return f"read_csv({_literal(str(path))}, {scan_args(delimiter)}, names = {names}, all_varchar = true)"


def _has_odd_bytes(path: Path) -> bool:
    """Whether the file holds '_' or '+-' anywhere: what DuckDB's DOUBLE parse takes and the rule does not."""
    tail = b""
    with path.open("rb") as f:
        f.readline()  # the header (names like 'train_loss' are no cells)
        while chunk := f.read(_CHUNK):
            # each chunk as it is (no copy), and the one pair of bytes spanning two chunks
            # '+' first: one byte is a memchr (0.02 s on 200 MB), two bytes a slower search (0.24 s)
            if b"_" in chunk or (b"+" in chunk and b"+-" in chunk) or tail + chunk[:1] == b"+-":
                return True
            tail = chunk[-1:]
    return False


def _sniffed(con: duckdb.DuckDBPyConnection, scan: str, kept: Sequence[str]) -> dict[str, str]:
    """'int', 'double' or 'text' per kept column, from DuckDB's sniffer (a sample of the rows)."""
    found = {c: t for c, t, *_ in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
    return {c: "int" if found.get(c) in _INTEGERS else "double" if found.get(c) in _DECIMALS else "text"
            for c in kept}


def read_typed(con: duckdb.DuckDBPyConnection, part: str, path: Path, scan_args: str, header: Sequence[str],
               kept: Sequence[str], location: str) -> tuple[dict[str, str], list[tuple[Any, ...]]] | None:
    """``kept`` columns of the file into table ``part`` (types as engine.py's general read gives
    them, rows in file order), and the non-finite cells per column; None: read it the general way.
    ``scan_args``: read_csv's arguments after the path, without column names or types."""
    import duckdb

    names = "[" + ", ".join(_literal(h) for h in header) + "]"
    try:
        sniff = _sniffed(con, f"read_csv({_literal(str(path))}, {scan_args}, names = {names})", kept)
    except duckdb.Error:  # a malformed file: the general read reports it at its line
        return None
    if not any(k != "text" for k in sniff.values()) or ("double" in sniff.values() and _has_odd_bytes(path)):
        return None
    columns = "{" + ", ".join(f"{_literal(h)}: {_literal('DOUBLE' if sniff.get(h) == 'double' else 'VARCHAR')}"
                              for h in header) + "}"
    scan = f"read_csv({_literal(str(path))}, {scan_args}, auto_detect = false, columns = {columns})"
    one_pass = "text" not in sniff.values()  # typed and checked in the read itself: no text kept
    try:  # a cell the typed parse refuses (a sample is not the file): the general read decides
        con.execute(f"CREATE TEMP TABLE {part if one_pass else part + '_typed'} AS SELECT "
                    f"{', '.join(_read_cell(c, i, sniff[c], one_pass) for i, c in enumerate(kept))} FROM {scan}")
    except duckdb.Error:
        return None
    return (_finish_one_pass if one_pass else _finish)(con, part, kept, sniff, location)


def _read_cell(column: str, i: int, sniffed: str, one_pass: bool) -> str:
    q = _quote(column)
    if sniffed != "int" or not one_pass:
        return q
    return f"TRY_CAST({q} AS BIGINT) AS {q}, ({q} IS NULL OR {_plain(q)}) AS __ok{i}"


def _plain(q: str) -> str:
    """SQL true when text cell ``q`` is plain digits the rule reads as an integer: the cast's
    own text, so no '+', '_', '0x', '.', exponent or space (which the cast takes) and no leading
    zero (which only the general read can tell from text), and within 18 digits (never beyond BIGINT)."""
    number = f"TRY_CAST({q} AS BIGINT)"
    return f"coalesce({number} BETWEEN -{'9' * 18} AND {'9' * 18} AND CAST({number} AS VARCHAR) = {q}, false)"


def _finish_one_pass(con: duckdb.DuckDBPyConnection, part: str, kept: Sequence[str], sniff: dict[str, str],
                     location: str) -> tuple[dict[str, str], list[tuple[Any, ...]]] | None:
    checked = _check(con, part, sniff, {c: f"NOT __ok{i}" for i, c in enumerate(kept)})
    if checked is None:
        con.execute(f"DROP TABLE {part}")
        return None
    kinds, odd = checked
    for c in odd:  # non-finite numbers are missing values (rare: only then a pass to clear them)
        con.execute(f"UPDATE {part} SET {_quote(c)} = NULL WHERE NOT isfinite({_quote(c)})")
    for i, c in enumerate(kept):
        if sniff[c] == "int":
            con.execute(f"ALTER TABLE {part} DROP COLUMN __ok{i}")
    return kinds, [(location, c, *stats) for c, stats in odd.items()]


def _finish(con: duckdb.DuckDBPyConnection, part: str, kept: Sequence[str], sniff: dict[str, str], location: str
            ) -> tuple[dict[str, str], list[tuple[Any, ...]]] | None:
    raw = f"{part}_typed"
    checked = _check(con, raw, sniff, {c: f"{_quote(c)} IS NOT NULL AND NOT {_plain(_quote(c))}" for c in kept})
    if checked is None:
        con.execute(f"DROP TABLE {raw}")
        return None
    kinds, odd = checked
    # CREATE TABLE AS keeps the scan's order (DuckDB's preserve_insertion_order, on by default)
    con.execute(f"CREATE TEMP TABLE {part} AS SELECT {', '.join(_cell(c, sniff[c], kinds[c]) for c in kept)} FROM {raw}")
    con.execute(f"DROP TABLE {raw}")
    return kinds, [(location, c, *stats) for c, stats in odd.items()]


def _check(con: duckdb.DuckDBPyConnection, raw: str, sniff: dict[str, str], bad_int: dict[str, str]
           ) -> tuple[dict[str, str], dict[str, tuple[Any, ...]]] | None:
    """The kinds by the rule, and (count, first row, value) of non-finite cells per number column;
    None when a typed column is not what its type claims (``bad_int``: SQL true for a cell of an
    integer column that is not plain digits)."""
    stats: list[str] = []
    for c, kind in sniff.items():
        q = _quote(c)
        if kind == "int":
            stats.append(f"count(*) FILTER (WHERE {bad_int[c]})")
        elif kind == "double":
            stats += [f"count(*) FILTER (WHERE isfinite({q}) AND {q} <> round({q}))",
                      f"count(*) FILTER (WHERE NOT isfinite({q}))"]
    # counts only: where the first non-finite cell is, a second scan asks when there is one
    # (the four filtered aggregates per column in one scan took 0.3 of 9,000,000 rows' ~5 CPU s)
    found = list(con.execute(f"SELECT {', '.join(stats)} FROM {raw}").fetchone() or ())
    kinds: dict[str, str] = {}
    counts: dict[str, int] = {}
    for c, kind in sniff.items():
        if kind == "int":
            if found.pop(0):
                return None
            kinds[c] = "BIGINT"
        elif kind == "double":
            fractional, count = found[:2]
            del found[:2]
            if not fractional:  # whole numbers only: written as integers or not, only the text can say
                return None
            kinds[c] = "DOUBLE"
            if count:
                counts[c] = count
    odd_cells: dict[str, tuple[Any, ...]] = {}
    if counts:
        asks = [f"min(rowid) FILTER (WHERE NOT isfinite({q})), arg_min({q}, rowid) FILTER (WHERE NOT isfinite({q}))"
                for q in map(_quote, counts)]
        firsts = list(con.execute(f"SELECT {', '.join(asks)} FROM {raw}").fetchone() or ())
        for c, count in counts.items():
            first, value = firsts[:2]
            del firsts[:2]
            odd_cells[c] = (count, first + 1, value)
    text = [c for c, kind in sniff.items() if kind == "text"]
    for c, (kind, odd) in column_kinds(con, raw, text).items() if text else ():
        kinds[c] = kind
        if odd is not None:
            odd_cells[c] = odd
    return kinds, odd_cells


def _cell(column: str, sniffed: str, kind: str) -> str:
    q = _quote(column)
    if sniffed == "int":
        return f"CAST({q} AS BIGINT) AS {q}"
    if sniffed == "double":
        return f"CASE WHEN isfinite({q}) THEN {q} END AS {q}"
    return typed_cell_sql(column, kind)
