"""Reading a chart's data in Python, so it can be inlined and the build stays offline.

CSV/TSV cells become numbers when the whole column is numeric; empty cells become missing
values (null). Problems inside a data file are reported at that file's own line. Several files,
Parquet and date parsing live in :mod:`chartspec.data.sources`.

What a number is, and non-finite numbers: :mod:`chartspec.data.numbers`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from glob import has_magic
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DataError, Diagnostic, hide_paths
from ..spec.files import OUTSIDE_HINT, FileTooLarge, NotRegularFile, kind_of, not_a_file, outside_message, read_regular
from ..spec.model import DataSource
from ..spec.source import SourceMap
from .csvquote import file_quote, with_line, wrong_width
from .globnotes import engine_files, glob_notes
from .header import file_note, parquet_twice
from .numbers import Nonfinite, finite_cells, finite_rows, is_number, nonfinite_note, nonfinite_notes, typed_rows
from .sources import expand_files, parse_dates, read_parquet, searched_folders, short_names, suggest_file
from .textrows import READERS, Parsed, columns_of
from .utf8 import decode_utf8

if TYPE_CHECKING:
    from .engine import Relation

__all__ = ["FORMATS_BY_SUFFIX", "Table", "read_data", "resolve_data_path"]

FORMATS_BY_SUFFIX = {".csv": "csv", ".tsv": "tsv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl",
                     ".parquet": "parquet", ".pq": "parquet"}
MAX_DATA_BYTES = 256 * 1024 * 1024
#: the types of cells that hold a number or nothing (bool, though an int, is not one)
_PLAIN_NUMBERS = frozenset({int, float, type(None)})
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


@dataclass(frozen=True)
class Table:
    """Rows of a data source, with column names in file order."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]
    files: tuple[Path, ...] = ()
    #: columns made by transforms: they exist when Vega-Lite runs, their values are unknown here
    derived: frozenset[str] = frozenset()
    #: folders a data glob searched: what they list decides which files were read
    folders: tuple[Path, ...] = ()
    #: a large table held by the engine (engine.py) until the reduction (reduce.py) picks its rows;
    #: ``rows`` is empty meanwhile
    relation: Relation | None = field(default=None, compare=False, repr=False)
    #: the row count before the reduction, when it cut this table
    reduced_from: int | None = None
    #: columns holding numbers in the data the filters read, whatever rows were kept (rows.numbers_in_data)
    numbers_in_data: frozenset[str] = frozenset()
    #: per text column of a reduced table: its first cell that is not a number (row, value)
    texts: dict[str, tuple[int, Any]] = field(default_factory=dict, compare=False, repr=False)
    #: what the build should tell without failing (severity "note"): non-finite cells read as missing
    notes: tuple[Diagnostic, ...] = ()
    #: per annotation index: the statistic of a data-driven hline, computed by the engine on the
    #: full data before the reduction (refvalues.py)
    stats: dict[int, float] = field(default_factory=dict, compare=False, repr=False)
    #: per (layer index, field) on a log scale: its values at or below zero and above, counted by
    #: the engine on the full data before the reduction (logscale.FullCount)
    log_counts: dict[tuple[int, str], Any] = field(default_factory=dict, compare=False, repr=False)
    #: a table still in a remote engine (spark.py's handle) until the chart's pixels are known
    remote: Any = field(default=None, compare=False, repr=False)
    #: the connections it was read from (connections.Fetched): keyed by the build's manifest by
    #: their settings, refresh period and file stamps rather than by bytes
    fetched: tuple[Any, ...] = ()
    #: several files read as one table: each file as the spec names it and its first row (0-based)
    file_rows: tuple[tuple[str, int], ...] = ()
    #: numeric columns holding times in seconds since the epoch (a training log's ``wall_time``): a
    #: temporal axis reads milliseconds, so dates.utc_dates scales them where an axis is temporal
    seconds: frozenset[str] = frozenset()
    #: a layer's own file with nothing in it yet (an empty JSON Lines file, ``[]``): no column to check
    pending: bool = False
    #: the names the spec mentions (rows.mentioned): the compiler inlines only these columns (and
    #: its own ``__`` ones) into the Vega-Lite; None: every column
    drawn_columns: frozenset[str] | None = field(default=None, compare=False, repr=False)

    def __repr__(self) -> str:
        """``Table(name='data/m.csv', columns=('step', 'loss'), rows=11)``, not every row."""
        rows = self.relation.count if self.relation is not None and not self.rows else len(self.rows)
        cut = f", reduced_from={self.reduced_from}" if self.reduced_from is not None else ""
        return f"Table(name={self.name!r}, columns={self.columns!r}, rows={rows}{cut})"

    def row_of(self, row: int) -> str:
        """'row 2 of runs/b.parquet': row ``row`` (1-based, of the whole table) named in its own file."""
        for name, start in reversed(self.file_rows):
            if row > start:
                return f"row {row - start} of {name}"
        return f"row {row} of {self.name}"

    def numbers(self, column: str) -> list[float]:
        return [v for row in self.rows if isinstance(v := row.get(column), (int, float))
                and not isinstance(v, bool)]

    def has_numbers(self, column: str) -> bool:
        """Does ``column`` hold a number? (stops at the first: a check, not a list of 20,000)"""
        return column in self.numbers_in_data or any(
            isinstance(v := row.get(column), (int, float)) and not isinstance(v, bool) for row in self.rows)

    def first_text(self, column: str) -> tuple[int, Any] | None:
        """The first value of ``column`` that is not a number (text that reads as one, such as
        '1.0' in a column made text by another cell, does not count) and its row number."""
        if column in self.texts:  # found by the engine in the full data, before the reduction
            return self.texts[column]
        if {type(row.get(column)) for row in self.rows} <= _PLAIN_NUMBERS:  # a quick pass: no text at all
            return None
        for i, row in enumerate(self.rows, start=1):
            v = row.get(column)
            if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float))):
                if isinstance(v, str) and is_number(v):
                    continue
                return i, v
        return None


def resolve_data_path(source: DataSource, spec_file: Path, root: Path, smap: SourceMap, *,
                      folders: bool = False) -> Path:
    """The data file a spec names, refused if it leaves ``root`` or is not a local file
    (``folders``: or folder, for training logs kept in folders)."""
    assert source.path is not None
    raw = source.path

    def fail(message: str, hint: str | None = None) -> DataError:
        return DataError(smap.diagnostic(message, source.json_path, hint=hint))

    if _URL.match(raw):
        raise fail(f"data must be a local file, not a URL ({raw})",
                   "builds never use the network; download the file into the project and use its path")
    if Path(raw).is_absolute() or raw.startswith("~"):
        raise fail(f"data path {raw!r} is absolute", "write the path relative to the spec file")
    path = spec_file.parent / raw
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise fail(outside_message("data path", raw, root, spec_file.parent, ".." not in Path(raw).parts), OUTSIDE_HINT)
    try:
        kind = kind_of(resolved.stat().st_mode)
    except (OSError, ValueError):
        # a glob in 'data:' names one file literally: the pattern form is 'files:'
        raise fail(f"data file {raw!r} not found", f"to read every file a pattern matches write "
                   f"data: {{files: '{raw}'}}" if has_magic(raw) else suggest_file(raw, spec_file.parent, root)) from None
    if kind == "a folder" and folders:
        return resolved
    if kind is not None:  # only regular files are read: a named pipe would hang the build
        raise fail(not_a_file(raw, kind, "a data file"),
                   "name a file inside it, or read several with 'files: ...'" if kind == "a folder" else None)
    return resolved


def _logger_format(source: DataSource, spec_dir: Path) -> str | None:  # loggers/: ~55 ms of imports
    from .loggers import logger_format
    return logger_format(source, spec_dir)


def read_data(source: DataSource, spec_file: Path | None, root: Path | None, smap: SourceMap,
              used: frozenset[str] | None = None, *, rows_optional: bool = False) -> Table:
    """Load the rows of ``source``. Inline values need no files. Declared dates are parsed last.
    ``used``: the names the spec mentions; the engine keeps only those columns of large files.
    ``rows_optional``: a file of column names only is an empty table and a note (a layer's own
    data not logged yet), not an error."""
    if source.values is not None:
        rows, notes = finite_rows(typed_rows(tuple(dict(r) for r in source.values)), "inline data", smap,
                                  source.json_path, used)  # the rule of every data file (numbers.py)
        table = Table(name="inline data", columns=columns_of(rows), rows=rows, notes=notes)
    elif spec_file is None or root is None:
        raise DataError(smap.diagnostic("a spec given as text can only use inline 'values'", source.json_path,
                                        hint="load the spec from a file to use data files"))
    elif (fmt := _logger_format(source, spec_file.parent)) is not None:  # training logs (loggers/)
        from .loggers import read_logs
        shown, logs = read_logs(source, fmt, spec_file, root, smap, resolve_data_path)
        notes = tuple(nonfinite_note(n, c, first, v, shown, smap, source.json_path)
                      for c, n, first, v in logs.nonfinite if used is None or c in used)
        notes = logs.notes + notes
        table = Table(name=shown, columns=logs.columns, rows=logs.rows, files=logs.files, folders=logs.folders,
                      relation=logs.relation, notes=notes, seconds=frozenset({"wall_time"} & set(logs.columns)))
    elif source.files is not None:
        table = _read_files(source, spec_file, root, smap, used)
    else:
        path = resolve_data_path(source, spec_file, root, smap)
        shown = source.path or path.name
        if (table := _engine_read(source, [path], [shown], None, spec_file, root, smap, used)) is None:
            rows, columns, notes = _read_file(path, shown, source, spec_file, smap, used)
            table = Table(name=shown, columns=columns, rows=rows, files=(path,), notes=notes)
    empty = not table.rows and (table.relation is None or not table.relation.count) and spec_file is not None \
        and source.values is None and _logger_format(source, spec_file.parent) is None
    if empty and set(table.columns) <= {source.as_field}:  # an empty JSON Lines file or [] (not written yet)
        if not rows_optional:  # said once, at the data, not as 'field not in' at every axis
            raise DataError(smap.diagnostic(f"{table.name} has no rows: {_nothing(table)}", source.json_path,
                                            hint="the chart needs rows to draw"))
        note = smap.diagnostic(f"{table.name} has no rows yet", source.json_path,
                               hint="the layer draws nothing until rows are written")
        return replace(table, rows=(), relation=None, pending=True, notes=table.notes + (replace(note, severity="note"),))
    if empty and table.columns:
        if not rows_optional:
            raise _no_rows(table, source, smap)
        note = replace(_no_rows(table, source, smap).first, hint="the layer draws nothing until rows are written",
                       severity="note")
        return replace(table, rows=(), relation=None, notes=table.notes + (note,))
    if source.parse and table.relation is not None:
        from .parsedates import parse_dates_sql

        return replace(table, relation=parse_dates_sql(table.relation, source.parse, table.name, smap,
                                                       source.parse_path, table.row_of))
    if source.parse:
        rows = parse_dates(table.rows, table.columns, source.parse, table.name, smap, source.parse_path,
                           table.row_of)
        table = replace(table, rows=rows)
    return table


def _nothing(table: Table) -> str:
    """What a data file without rows or columns holds: nothing, or an empty list."""
    try:
        blank = all(not p.read_bytes().strip() for p in table.files)
    except OSError:
        blank = False
    files = "the files are" if len(table.files) > 1 else "the file is"
    return f"{files} empty" if blank else "it holds an empty list"


def _no_rows(table: Table, source: DataSource, smap: SourceMap) -> DataError:
    """A file of column names and nothing else (a run that has not logged yet): said once, at the
    data, rather than as a missing field per axis."""
    names = [n for n in table.columns if source.as_field is None or n != source.as_field]
    header = all(FORMATS_BY_SUFFIX.get(Path(p).suffix.lower()) in ("csv", "tsv") for p in table.files)
    what = "a header but no rows" if header and table.files else "column names but no rows"
    return DataError(smap.diagnostic(f"{table.name} has {what}", source.json_path,
                                     hint=f"columns: {', '.join(names)}; the chart needs rows to draw"))


def _read_files(source: DataSource, spec_file: Path, root: Path, smap: SourceMap,
                used: frozenset[str] | None = None) -> Table:
    """Several files or globs, in sorted path order, each row tagged with its file's short name."""
    assert source.files is not None

    def fail(message: str, hint: str | None = None) -> DataError:
        return DataError(smap.diagnostic(message, source.json_path, hint=hint))

    names = expand_files(source.files, spec_file.parent, fail, root=root)
    label = source.as_field or "file"
    rows: list[dict[str, Any]] = []
    paths = [resolve_data_path(replace(source, path=name), spec_file, root, smap) for name in names]
    folders = tuple(searched_folders(source.files, spec_file.parent, root))
    shorts = short_names(names, source.files)
    engine = _engine_read(source, paths, names, (label, shorts), spec_file, root, smap, used)
    if engine is not None:
        files = engine_files(engine.file_rows, engine.relation, names, paths, source.format)
        notes = engine.notes + glob_notes(files, used, label, smap, source.json_path)
        return replace(engine, name=", ".join(source.files), folders=folders, notes=notes)
    if sum(p.stat().st_size for p in paths) > MAX_DATA_BYTES:
        raise fail(f"the {len(paths)} data files are larger than {MAX_DATA_BYTES:,} bytes together")
    notes: list[Diagnostic] = []
    odd: list[Nonfinite] = []
    starts: list[tuple[str, int]] = []
    named: dict[str, None] = {label: None}  # the files' own columns, of a header-only CSV too
    files: list[tuple[str, tuple[str, ...], int]] = []  # each file's name, columns and rows (globnotes.py)
    for name, short, path in zip(names, shorts, paths):
        parsed = _parse_file(path, name, replace(source, path=name), spec_file, smap)
        named |= dict.fromkeys(parsed.columns)
        part, found = finite_cells(parsed.rows)
        files.append((name, tuple(parsed.columns), len(part)))
        notes += parsed.notes
        odd += [(name, c, n, r, v) for c, (n, r, v) in found.items()]
        starts.append((name, len(rows)))
        for row in part:
            if label in row:
                raise fail(f"{name} already has a column {label!r}", "choose another name with 'as'")
            rows.append({label: short, **row})
    pattern = ", ".join(source.files)
    notes += nonfinite_notes(odd, pattern, smap, source.json_path, used)  # one per column, not per file
    notes += glob_notes(files, used, label, smap, source.json_path)
    return Table(name=pattern, columns=columns_of(tuple(rows)) or tuple(named), rows=tuple(rows), files=tuple(paths),
                 folders=folders, notes=tuple(notes), file_rows=tuple(starts) if len(starts) > 1 else ())


def _engine_read(source: DataSource, paths: list[Path], names: list[str], label: tuple[str, list[str]] | None,
                 spec_file: Path, root: Path, smap: SourceMap, used: frozenset[str] | None = None) -> Table | None:
    """Large CSV, TSV and Parquet files are read by the engine (engine.py); None: read them here."""
    from .engine import ENGINE_BYTES

    fmts = {source.format or FORMATS_BY_SUFFIX.get(p.suffix.lower()) for p in paths}
    if len(fmts) != 1 or not fmts <= {"csv", "tsv", "parquet"}:
        return None
    if sum(p.stat().st_size for p in paths) < ENGINE_BYTES:
        return None
    from .engine import Unsupported, connect, read_delimited, read_parquet_files

    fmt = fmts.pop()
    base = os.path.dirname(smap.file or str(spec_file))
    locations = [os.path.normpath(os.path.join(base, n)) for n in names]
    con = connect(root)
    try:
        if fmt == "parquet":
            _twice(paths, locations)
            rel, columns = read_parquet_files(con, paths, label, names, used)
        else:
            rel, columns = read_delimited(con, paths, locations, "," if fmt == "csv" else "\t", label, used)
    except Unsupported:  # names the engine would confuse: the Python reader takes the file
        return None
    except DataError as err:
        note = replace(smap.diagnostic("data file used here", source.json_path), severity="note")
        raise DataError((*_quote_first(err.diagnostics, fmt, paths, locations), note)) from None
    except Exception as err:  # the engine's own errors: a broken or unreadable file
        if type(err).__module__.split(".")[0] not in ("duckdb", "_duckdb"):
            raise
        first = str(err).split("\n", 1)[0]
        for path, name in zip(paths, names):  # DuckDB names the file by its absolute path: the spec's name
            first = first.replace(str(path), name)
        first = hide_paths(first, root)
        raise DataError(smap.diagnostic(f"cannot read {', '.join(names)} ({fmt}): {first}", source.json_path,
                                        hint="check that the file is complete and in the format its name says"))
    shown = dict(zip(locations, names))  # notes name the files as the spec does, as table.py's reader
    unnamed = tuple(n for p, loc in zip(paths, locations) if fmt != "parquet"
                    and (n := file_note(p, "," if fmt == "csv" else "\t", loc)) is not None)
    pattern = ", ".join(source.files) if source.files else names[0]
    notes = unnamed + nonfinite_notes([(shown.get(f, f), c, n, r, v) for f, c, n, r, v in rel.nonfinite], pattern,
                                      smap, source.json_path, used)
    starts = [offset for _, offset, _ in rel.files] or list(rel.starts)
    return Table(name=names[0], columns=columns, rows=(), files=tuple(paths), relation=rel, notes=notes,
                 file_rows=tuple(zip(names, starts)) if len(starts) > 1 else ())


def _twice(paths: list[Path], locations: list[str]) -> None:
    """A Parquet file's column named twice, as a CSV header's (header.py), on both readers."""
    for path, location in zip(paths, locations):
        if (found := parquet_twice(path, location)) is not None:
            raise DataError(found)


def _quote_first(found: tuple[Diagnostic, ...], fmt: str, paths: list[Path], locations: list[str]
                 ) -> tuple[Diagnostic, ...]:
    """The engine's error for a malformed CSV/TSV file, placed where an unclosed quote opened if one
    did (csvquote.py), as the Python reader places it; else as the engine gave it, with its line."""
    first = found[0]
    if fmt == "parquet" or first.file not in locations:
        return found
    path = paths[locations.index(first.file)]
    delimiter = "," if fmt == "csv" else "\t"
    quote = file_quote(path, delimiter, first.file) or wrong_width(path, delimiter, first.file) \
        if first.message.startswith("malformed") else None
    return (quote or with_line(first, path), *found[1:])


def _read_file(path: Path, shown: str, source: DataSource, spec_file: Path, smap: SourceMap,
               used: frozenset[str] | None = None
               ) -> tuple[tuple[dict[str, Any], ...], tuple[str, ...], tuple[Diagnostic, ...]]:
    """The rows of one file, non-finite numbers made missing, its columns, and the notes."""
    parsed = _parse_file(path, shown, source, spec_file, smap)
    rows, notes = finite_rows(parsed.rows, shown, smap, source.json_path, used)
    return rows, parsed.columns, parsed.notes + notes


def _parse_file(path: Path, shown: str, source: DataSource, spec_file: Path, smap: SourceMap) -> Parsed:
    fmt = source.format or FORMATS_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        raise DataError(smap.diagnostic(f"cannot tell the format of {shown!r} from its extension",
                                        source.json_path, hint="add 'format: csv' (or tsv, json, jsonl, parquet)"))
    # Problems inside the data file are located in that file, by a path relative to the working
    # folder like the spec's own, and followed by a note pointing at the spec that uses the file.
    location = os.path.normpath(os.path.join(os.path.dirname(smap.file or str(spec_file)), shown))
    try:
        if fmt == "parquet":  # binary: read by pyarrow, an optional dependency
            if path.stat().st_size > MAX_DATA_BYTES:
                raise FileTooLarge(path.stat().st_size)
            _twice([path], [location])
            rows = read_parquet(path, location, lambda: DataError(smap.diagnostic(
                f"reading Parquet ({shown}) needs pyarrow, which is not installed", source.json_path,
                hint="pyarrow is a dependency of chartspec: reinstall it (pip install chartspec)")))
            if not rows:  # a writer's file with no row yet: its columns are in its schema
                import pyarrow.parquet as pq

                return Parsed(rows, tuple(pq.read_schema(path).names))
            # text that is numbers is numbers, as in every format (numbers.py; the engine: parquettext.py)
            return Parsed(typed_rows(rows), columns_of(rows))
        return READERS[fmt](decode_utf8(read_regular(path, MAX_DATA_BYTES), location), location)
    except FileTooLarge:
        raise DataError(smap.diagnostic(f"data file {shown!r} is larger than {MAX_DATA_BYTES:,} bytes",
                                        source.json_path)) from None
    except NotRegularFile as err:  # replaced by a pipe or a folder since it was resolved
        raise DataError(smap.diagnostic(not_a_file(shown, err.kind, "a data file"), source.json_path)) from None
    except OSError as err:
        raise DataError(smap.diagnostic(f"cannot read data file {shown!r}: {err.strerror}",
                                        source.json_path)) from None
    except DataError as err:
        if all(d.file == smap.file for d in err.diagnostics):
            raise
        note = replace(smap.diagnostic("data file used here", source.json_path), severity="note")
        raise DataError((*err.diagnostics, note)) from None


