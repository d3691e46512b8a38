"""The columnar engine: DuckDB reads large data files and runs the reduction (reduce.py) in SQL.

Files larger than :data:`ENGINE_BYTES` (and every table the reduction works on) live in an
in-process DuckDB database as a table with typed columns and ``__row``, the row's 0-based
position in file order. Rows never become Python objects until the reduction has cut them to
what the chart can show. Small files keep the Python reader of table.py: importing and starting
DuckDB (~0.1-0.3 s) costs more than reading them, and ``chartspec validate one.yaml`` must start
fast. Both readers apply the same rules: a CSV column is numeric when every non-empty cell is a
number (numbers.py's rule, applied here in SQL to the cells' text), empty cells and non-finite
numbers are missing, and problems are reported at the data file's own line.

The connection is locked down before any file is read: no network, no files outside the
project (``allowed_directories``), no extension loading, configuration locked, so no SQL the
engine runs can reach anything else. Source: DuckDB's documentation, "Securing DuckDB".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, Diagnostic
from .csvtyped import read_typed, scan_args, scan_csv
from .enginetypes import INTEGER_TYPES, literal, quote, typed_exprs
from .header import comment, engine_names, named, twice
from .numbers import column_kinds, parquet_nonfinite, typed_cell_sql
from .parquettext import number_texts, text_number_sql
from .utf8 import UTF8_HINT, check_utf8

if TYPE_CHECKING:
    import duckdb


__all__ = ["ENGINE_BYTES", "INTEGER_TYPES", "Relation", "close_all", "connect", "Unsupported", "check_names", "connect_file", "materialized", "new_name", "quote", "read_delimited", "read_parquet_files", "register_rows", "typed_exprs"]

#: data files at least this big are read by the engine, smaller ones in Python
ENGINE_BYTES = 2 * 1024 * 1024
#: the engine's memory before it spills to disk (it runs beside Vega, which needs memory too)
MEMORY_LIMIT = "1GB"
@dataclass(frozen=True, eq=False)
class Relation:
    """A table held by the engine: ``name`` in ``con``, with ``__row`` and typed columns."""

    con: duckdb.DuckDBPyConnection
    name: str
    count: int
    columns: tuple[str, ...]
    #: columns holding numbers (or missing values); all others hold text
    numeric: frozenset[str]
    #: numeric columns whose values were all written as integers (fetched as Python ints)
    integer: frozenset[str] = frozenset()
    #: a view over files (read on every query) rather than a table in memory
    view: bool = False
    #: non-finite numbers read as missing: (file as shown, column, count, first row (1-based), value)
    nonfinite: tuple[tuple[str, str, int, int, float], ...] = ()
    prereduced: bool = False  # already cut by M4 where the data lives (spark.py): no steps rules
    #: that M4's (rows in the whole table, x scale's lo and hi, M4 columns): reduce.py cuts the
    #: fetched rows again with these, so it picks what the whole table's reduction picked
    pushed: tuple[int, float, float, int] | None = None
    #: a view over Parquet files (read_parquet_files): each file's SELECT (its ``__row`` is
    #: ``file_row_number`` + offset), offset and row count (fileview.py)
    files: tuple[tuple[str, int, int], ...] = ()
    #: the column naming each file's rows (``as``) and its value in each of ``files``
    label: tuple[str, tuple[str, ...]] | None = None
    #: several CSV/TSV files (read_delimited): each file's first ``__row``
    starts: tuple[int, ...] = ()

    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(query, list(params)).fetchall()


_connections: dict[Path | None, duckdb.DuckDBPyConnection] = {}
_counter = [0]


def connect(root: Path | None) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB reading files under ``root`` and nothing else (one per root until
    :func:`close_all`; None: no files at all)."""
    root = root.resolve() if root is not None else None
    if root not in _connections:
        _connections[root] = _locked_engine(":memory:", root)
    return _connections[root]


def connect_file(path: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB file opened read-only, locked down as :func:`connect` with no directory allowed at
    all: a connection's ``sql`` reads the file's tables, never a file of the project (duckguard.py
    refuses the readers by name; this is the engine's own wall behind it). The engine's own tables
    are temporary, which a read-only database allows."""
    key = path.resolve()
    if key not in _connections:
        _connections[key] = _locked_engine(str(key), None, read_only=True)
    return _connections[key]


def _locked_engine(database: str, root: Path | None, **options: Any) -> duckdb.DuckDBPyConnection:
    """A DuckDB with a private, empty spill folder (DuckDB may read it, nothing else is there), no
    extension loading, files only under ``root`` (None: none), and its configuration locked."""
    import duckdb

    from ..scratch import new_folder

    con = duckdb.connect(database, config={"autoinstall_known_extensions": False, "autoload_known_extensions": False,
                                           "memory_limit": MEMORY_LIMIT, "temp_directory": new_folder("spill")}, **options)
    allowed = [f"allowed_directories = [{literal(str(root) + '/')}]"] if root is not None else []
    # the progress bar would draw on the build's stderr; a table name no table has is never looked
    # up among the Python variables of the calling code (data frames are registered by name)
    for setting in ("enable_progress_bar = false", "python_enable_replacements = false", *allowed,
                    "enable_external_access = false", "lock_configuration = true"):
        con.execute(f"SET {setting}")
    return con


def close_all() -> bool:
    """Close every engine and remove its spill folder, once a spec's rows are out of it (the
    loader calls it). Dropping tables does not give their memory back; closing does, before Vega
    needs its own: measured after a 1,000,000-row CSV, 160 -> 95 MB resident. True if one ran."""
    while _connections:
        _connections.popitem()[1].close()
    from ..scratch import remove_folders

    return remove_folders()


def interrupt_all() -> None:
    """Cancel the query each engine runs (from another thread: a signal's Python handler cannot run
    while a query holds the main thread); the query raises ``duckdb.InterruptException``."""
    for con in list(_connections.values()):
        try:
            con.interrupt()
        except Exception:  # closed meanwhile
            pass


def new_name() -> str:
    _counter[0] += 1
    return f"__chartspec_t{_counter[0]}"  # not a name a DuckDB file of the user's may hold


def _header(path: Path, delimiter: str, location: str) -> list[str]:
    """The header row, read and checked in Python (DuckDB would rename duplicates silently)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f, delimiter=delimiter), None)
    if not header or not any(h.strip() for h in header):
        raise DataError(Diagnostic("data file has no header row", file=location, line=1, column=1,
                                   hint="the first line must name the columns"))
    if (found := comment(header, location) or twice([h.strip() for h in header], location)) is not None:
        raise DataError(found)
    header = [h.strip() for h in header]
    return engine_names(header)  # DuckDB needs a name for every column: unnamed ones get one, left out


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _csv_error(err: Exception, location: str, delimiter: str) -> DataError:
    text = str(err)
    line = int(m.group(1)) if (m := _CSV_LINE.search(text)) else 0
    if (m := _FIELDS.search(text)) is not None:
        return DataError(Diagnostic(f"row has {m.group(2)} fields but the header has {m.group(1)}", file=location,
                                    line=line, column=1,
                                    hint="check for a missing or extra delimiter, or quote values that contain one"))
    first = text.split("\n", 1)[0].removeprefix("Invalid Input Error: ")
    kind = "CSV" if delimiter == "," else "TSV"
    if "unicode" in first.lower() or "utf-8" in first.lower():
        return DataError(Diagnostic("data file is not valid UTF-8", file=location, line=line, column=1,
                                    hint=UTF8_HINT))
    return DataError(Diagnostic(f"malformed {kind}: {first}", file=location, line=line, column=1))


class Unsupported(Exception):
    """Data the engine cannot hold faithfully (say a column named ``rowid``): read it in Python."""


#: column names the engine's own bookkeeping uses
RESERVED = ("rowid", "file_row_number")
_GLOB = re.compile(r"[*?\[\]{}]")


def check_names(names: Sequence[str], paths: Sequence[Path]) -> None:
    """Raise :class:`Unsupported` for names the engine would confuse with its own or treat as globs."""
    if any(n.lower() in RESERVED or n.startswith("__") for n in names):
        raise Unsupported("a column name the engine uses itself")
    if len({n.lower() for n in names}) < len(names):
        raise Unsupported("column names differing only in case")
    if any(_GLOB.search(str(p)) for p in paths):  # DuckDB would expand them as a pattern
        raise Unsupported("a file name with glob characters")


def read_delimited(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], locations: Sequence[str],
                   delimiter: str, label: tuple[str, Sequence[str]] | None = None,
                   used: frozenset[str] | None = None) -> tuple[Relation, tuple[str, ...]]:
    """Read CSV/TSV files into one engine table, in the given order; each file's rows tagged with
    ``label`` (column name, one value per file) when given. Columns are typed by the engine
    (integer, double or text) over all files: integers and decimals make decimals, a cell that is
    not a number makes text; a column a file lacks (or leaves empty) is missing there. Only the
    ``used`` columns are kept (loggers write dozens a chart never draws); all are returned.
    Raises :class:`Unsupported` for what the Python reader must read instead."""
    name = new_name()
    columns: list[str] = []
    parts: list[tuple[str, dict[str, str]]] = []  # each file's table and its column types
    nonfinite: list[tuple[str, str, int, int, float]] = []
    check_names([label[0]] if label else [], paths)
    for i, (path, location) in enumerate(zip(paths, locations)):
        check_utf8(path, location)  # every byte, as the Python reader decodes them (utf8.py)
        header = _header(path, delimiter, location)
        check_names(named(header), ())
        if label is not None and label[0] in header:
            raise DataError(Diagnostic(f"{location} already has a column {label[0]!r}", file=location, line=1,
                                       column=1, hint="choose another name with 'as'"))
        part = f"{name}_{i}"
        kinds, odd = _read_one(con, part, path, header, location, delimiter, used)
        nonfinite += odd
        if label is not None:
            kinds = {label[0]: "VARCHAR", **kinds}
            con.execute(f"ALTER TABLE {part} ADD COLUMN {quote(label[0])} VARCHAR DEFAULT {literal(label[1][i])}")
        parts.append((part, kinds))
        columns += [c for c in ([label[0]] if label else []) + named(header) if c not in columns]
    types = _unified(con, parts)
    kept = tuple(c for c in columns if c in types)
    if len(parts) == 1 and list(parts[0][1].items()) == [(c, types[c]) for c in kept]:
        # one file with its columns' types as read: the table itself (a copy cost 25 MB and
        # 0.07 s for 1,000,000 rows)
        con.execute(f"ALTER TABLE {parts[0][0]} RENAME TO {name}_data")
        parts = []
    else:
        con.execute(f"CREATE TEMP TABLE {name}_data ({', '.join(f'{quote(c)} {types[c]}' for c in kept)})")
    starts = []
    for part, kinds in parts:  # in file order: rowid follows it
        starts.append(con.execute(f"SELECT count(*) FROM {name}_data").fetchall()[0][0])
        cells = ", ".join(f"CAST({quote(c)} AS {types[c]}) AS {quote(c)}" for c in kinds)
        con.execute(f"INSERT INTO {name}_data BY NAME SELECT {cells} FROM {part}")
        con.execute(f"DROP TABLE {part}")
    # rowid numbers a table's rows in insertion order, which is file order: no row-number column
    # (72 MB for 9 million rows) and no window over the whole scan
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT rowid AS __row, * FROM {name}_data")
    # fetchall: a result left unread would block the next query run through con.sql (arrownp.py)
    count = con.execute(f"SELECT count(*) FROM {name}_data").fetchall()[0][0]
    numeric = frozenset(c for c, t in types.items() if t in ("BIGINT", "DOUBLE"))
    integer = frozenset(c for c, t in types.items() if t == "BIGINT")
    odd = tuple(n for n in nonfinite if n[1] in numeric)  # a column made text by another file holds text
    return Relation(con, name, count, kept, numeric, integer, nonfinite=odd, starts=tuple(starts)), tuple(columns)


def _read_one(con: duckdb.DuckDBPyConnection, part: str, path: Path, header: Sequence[str], location: str,
              delimiter: str, used: frozenset[str] | None) -> tuple[dict[str, str], list[tuple[str, str, int, int, float]]]:
    """One file into table ``part``: its column types, and its non-finite cells per column."""
    import duckdb

    kept = [h for h in named(header) if used is None or h in used] or named(header)[:1]
    if (typed := read_typed(con, part, path, scan_args(delimiter), header, kept, location)) is not None:
        return typed  # columns of plain numbers, parsed typed and checked (csvtyped.py)
    raw = f"{part}_text"
    try:
        con.execute(f"CREATE TEMP TABLE {raw} AS SELECT {', '.join(quote(c) for c in kept)} "
                    f"FROM {scan_csv(path, header, delimiter)}")
    except duckdb.Error as err:
        raise _csv_error(err, location, delimiter) from None
    found = column_kinds(con, raw, kept)
    con.execute(f"CREATE TEMP TABLE {part} AS SELECT {', '.join(typed_cell_sql(c, k) for c, (k, _) in found.items())} "
                f"FROM {raw} ORDER BY rowid")
    con.execute(f"DROP TABLE {raw}")
    odd = [(location, c, *stats) for c, (_, stats) in found.items() if stats is not None]
    return {c: k for c, (k, _) in found.items()}, odd


def _unified(con: duckdb.DuckDBPyConnection, parts: Sequence[tuple[str, dict[str, str]]]) -> dict[str, str]:
    """One type per column over every file; a file where the column is empty does not count."""
    types: dict[str, str] = {}
    for part, kinds in parts:
        filled = con.execute(f"SELECT {', '.join(f'count({quote(c)})' for c in kinds)} FROM {part}").fetchall()[0]
        for (c, t), n in zip(kinds.items(), filled):
            t = t if n else types.get(c, "BIGINT")  # an empty column takes the others' type
            was = types.get(c)
            types[c] = t if was is None or was == t else "VARCHAR" if "VARCHAR" in (t, was) else "DOUBLE"
    return types


def read_parquet_files(con: duckdb.DuckDBPyConnection, paths: Sequence[Path],
                       label: tuple[str, Sequence[str]] | None = None, locations: Sequence[str] = (),
                       used: frozenset[str] | None = None) -> tuple[Relation, tuple[str, ...]]:
    """A view over Parquet files (read when queried, column by column: never held whole). Times
    become epoch ms (UTC), decimals doubles, NaN missing, as table.py reads them; the notes' count
    of non-finite numbers covers the ``used`` columns."""
    name = new_name()
    parts: list[str] = []
    files: list[tuple[str, int, int]] = []
    offset = 0
    columns: list[str] = []
    numeric: set[str] = set()
    integer: set[str] = set()
    checked: dict[tuple[tuple[str, ...], int], list[tuple[str, str]]] = {}  # (floats, alone) -> (path, shown)
    check_names([label[0]] if label else [], paths)
    schemas = [con.execute(f"DESCRIBE SELECT * FROM read_parquet({literal(str(path))})").fetchall() for path in paths]
    # a column of text in one file is text in all, as the Python reader and read_delimited type it
    # (else the union casts that file's text to numbers and fails)
    texts = {c for schema in schemas for c, t, *_ in schema if typed_exprs([(c, t)], set(), set())[0] == quote(c)}
    shown = [locations[i] if i < len(locations) else p.name for i, p in enumerate(paths)]
    as_numbers, odd = number_texts(con, paths, schemas, shown, used)  # text that is numbers (parquettext.py)
    texts -= set(as_numbers)
    for i, path in enumerate(paths):
        check_names([c for c, *_ in schemas[i]], ())
        scan = f"read_parquet({literal(str(path))}, file_row_number = true)"
        cols = [(c, t) for c, t, *_ in schemas[i]]
        seconds = _durations(path)
        exprs = [f"CAST({quote(c)} AS VARCHAR) AS {quote(c)}" if c in texts and len(paths) > 1 else
                 text_number_sql(c, as_numbers[c]) if c in as_numbers and t == "VARCHAR" else
                 _seconds_sql(c, seconds[c]) if c in seconds and t == "BIGINT" else e
                 for (c, t), e in zip(cols, typed_exprs(cols, numeric, integer))]
        integer -= set(seconds)
        floats = tuple(c for c, t in cols if t.startswith(("DOUBLE", "FLOAT")) and (used is None or c in used))
        # a file with a column 'filename' is checked alone: a scan of several files names them so
        alone = i if "filename" in (c.lower() for c, _ in cols) else -1
        checked.setdefault((floats, alone), []).append((str(path), locations[i] if i < len(locations) else path.name))
        tag = f"{literal(label[1][i])} AS {quote(label[0])}, " if label is not None else ""
        parts.append(f"SELECT file_row_number + {offset} AS __row, {tag}{', '.join(exprs)} FROM {scan}")
        count = con.execute(f"SELECT count(*) FROM {scan}").fetchall()[0][0]
        files.append((parts[-1], offset, count))
        offset += count
        columns += [c for c in ([label[0]] if label else []) + [c for c, _ in cols] if c not in columns]
    numeric = (numeric - texts) | set(as_numbers)
    integer = (integer - texts - set(as_numbers)) | {c for c, k in as_numbers.items() if k == "BIGINT"}
    found = [n for (floats, _), files in checked.items() for n in parquet_nonfinite(con, files, floats)] + odd
    nonfinite = sorted(found, key=lambda n: shown.index(n[0]))  # file order, as one query per file gave
    con.execute(f"CREATE TEMP VIEW {name} AS " + " UNION ALL BY NAME ".join(parts))
    return Relation(con, name, offset, tuple(columns), frozenset(numeric), frozenset(integer), view=True,
                    nonfinite=tuple(nonfinite), files=tuple(files),
                    label=(label[0], tuple(label[1])) if label is not None else None), tuple(columns)


def _durations(path: Path) -> dict[str, int]:
    """The file's Arrow duration columns, which DuckDB reads as integers of their unit, with their
    units a second: seconds, as sources.read_parquet reads a duration (a 20,000-row file of
    duration[ms] read 0..19,999 in Python and 0..19,999,000 here)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (OSError, pa.ArrowException):
        return {}  # DuckDB reads it, or says why
    units = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
    return {f.name: units[f.type.unit] for f in schema if pa.types.is_duration(f.type)}


def _seconds_sql(column: str, per_second: int) -> str:
    """A duration column in seconds (a SELECT item), as the Python reader divides it."""
    return f"CAST({quote(column)} AS DOUBLE) / {per_second} AS {quote(column)}"


def materialized(rel: Relation, *, ordered: bool = False) -> Relation:
    """``rel`` as a table in memory (spilling to disk past the memory limit): a view over files
    is read once instead of once per query; ``ordered`` also puts the rows in file order."""
    if not rel.view and not ordered:
        return rel
    name = new_name()
    rel.con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {rel.name}" + (" ORDER BY __row" if ordered else ""))
    return Relation(rel.con, name, rel.count, rel.columns, rel.numeric, rel.integer)


def register_rows(con: duckdb.DuckDBPyConnection, rows: Sequence[dict[str, Any]], columns: Sequence[str]
                  ) -> Relation | None:
    """Rows read in Python (JSON, small CSV), copied into the engine for the reduction; None when
    a column mixes numbers with text or nested values (then they are drawn as they are)."""
    import pyarrow as pa

    arrays, numeric = {"__row": pa.array(range(len(rows)), pa.int64())}, set()
    for c in columns:
        values = [row.get(c) for row in rows]
        kinds = {type(v) for v in values} - {type(None)}
        if kinds <= {int, float}:
            arrays[c] = pa.array([None if v is None else float(v) for v in values], pa.float64())
            numeric.add(c)
        elif kinds <= {str}:
            arrays[c] = pa.array(values, pa.string())
        else:
            return None
    name = new_name()
    con.register(f"{name}_arrow", pa.table(arrays))
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT * FROM {name}_arrow")
    con.unregister(f"{name}_arrow")
    integer = {c for c in numeric if all(isinstance(row.get(c), int | None) for row in rows)}
    return Relation(con, name, len(rows), tuple(columns), frozenset(numeric), frozenset(integer))
