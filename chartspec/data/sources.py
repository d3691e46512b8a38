"""Data sources beyond one text file: several files or a glob, Parquet, and date parsing.

Several files (``data: {files: "runs/*/metrics.csv", as: run}``) are read in sorted path order,
one after the other, and each row gets a column (``as``) naming the file it came from. The name
is the part of the path the glob's wildcards match, so it stays as runs appear (see
:func:`short_names`)::

    runs/*/metrics.csv    runs/a/metrics.csv          ->  a (alone or beside runs/b)
    logs/seed*.jsonl      logs/seed1.jsonl            ->  seed1
    exp*/dvclive          exp1/dvclive                ->  exp1

Dates (``parse: {date: "%Y-%m-%d"}``) are parsed here with ``datetime.strptime`` and become
milliseconds since 1970-01-01 UTC, the number Vega-Lite reads as a time. A text without a time
zone is taken as UTC, one with a zone (``%z``) is converted to UTC, so output never depends on
the machine's time zone.
"""

from __future__ import annotations

import datetime as dt
import decimal
import fnmatch
import glob
import math
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import DataError, Diagnostic, JsonPath, quoted
from ..spec.files import OUTSIDE_HINT, kind_of, not_a_file, outside_message
from ..spec.source import SourceMap
from ..spec.suggest import closest, did_you_mean
from .isodate import ISO, iso_ms

__all__ = [
    "MAX_FILES",
    "differing_names",
    "expand_files",
    "parse_date",
    "parse_dates",
    "read_parquet",
    "searched_folders",
    "short_names",
    "suggest_file",
    "to_epoch_ms",
    "written_date",
]

MAX_FILES = 1000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def expand_files(patterns: Sequence[str], spec_dir: Path, fail: Callable[[str, str | None], DataError],
                 *, root: Path, folders: bool = False) -> list[str]:
    """The files ``patterns`` name, relative to ``spec_dir`` (POSIX), sorted and without repeats.

    Each pattern is a path or a glob (``*``, ``?``, ``[...]``, ``**`` for any depth); one matching
    no file is an error, so a typo never yields an empty chart. ``folders``: folders match too
    (training logs whose runs are folders, ``exp*/dvclive``). Nothing outside ``root`` is looked at
    (globfiles.py): a pattern leading there fails the same way whether files are there or not.
    """
    from .globfiles import Outside, match_inside, one_per_file

    def keep(path: Path) -> bool:
        return path.is_file() or (folders and path.is_dir())

    found: dict[str, None] = {}
    for pattern in patterns:
        if Path(pattern).is_absolute() or pattern.startswith("~"):
            raise fail(f"data path {pattern!r} is absolute", "write the path relative to the spec file")
        try:
            matches = match_inside(pattern, spec_dir, root, keep)
        except Outside as out:
            raise fail(outside_message("data path", pattern, root, spec_dir, out.link), OUTSIDE_HINT) from None
        if not matches:
            hint = None
            if not glob.has_magic(pattern):
                kind = _kind(spec_dir / pattern)
                if kind is not None and kind != "missing" and not (folders and kind == "a folder"):
                    raise fail(not_a_file(pattern, kind, "a data file"), None)
                hint = suggest_file(pattern, spec_dir, root)
            raise fail(f"no data file matches {pattern!r}", hint or "the pattern is relative to the spec file")
        found.update(dict.fromkeys(PurePosixPath(Path(m).as_posix()).as_posix() for m in matches))
    unique = one_per_file(sorted(found), spec_dir)  # a file also reached through a link: once
    if len(unique) > MAX_FILES:
        raise fail(f"{len(unique)} data files match; at most {MAX_FILES} can be read", None)
    return unique


def _kind(path: Path) -> str | None:
    """``None`` for a regular file, "missing", or what else the path is ("a folder")."""
    try:
        return kind_of(path.stat().st_mode)
    except (OSError, ValueError):
        return "missing"


def suggest_file(raw: str, spec_dir: Path, root: Path) -> str | None:
    """A did-you-mean hint for a missing data file, written as the user would write it: the
    folder part of ``raw`` stays (``data/m.csv``, not ``m.csv``); only files are suggested, and
    only from a folder inside ``root`` (a folder outside is never listed)."""
    written = PurePosixPath(raw.replace("\\", "/"))
    folder = spec_dir / written.parent
    try:
        if not folder.resolve().is_relative_to(root.resolve()):
            return None
        siblings = [p.name for p in folder.iterdir() if p.is_file()] if folder.is_dir() else []
    except (OSError, ValueError, RuntimeError):
        return None
    match = closest(written.name, siblings)
    if match is None or match == written.name:
        return None
    return f"did you mean {(written.parent / match).as_posix()!r}?"


def searched_folders(patterns: Sequence[str], spec_dir: Path, root: Path) -> list[Path]:
    """The folders whose listings decide what ``patterns`` match: for ``runs/*/metrics.csv``,
    ``runs`` and each folder in it. They are build inputs, so a new run folder rebuilds the chart."""
    found: dict[Path, None] = {}
    for pattern in filter(glob.has_magic, patterns):  # a plain path searches nothing
        parts = PurePosixPath(pattern).parts
        fixed = 0
        while fixed < len(parts) - 1 and not glob.has_magic(parts[fixed]):
            fixed += 1
        depth = None if "**" in parts else len(parts) - 1 - fixed  # folder levels below the base
        level, frontier = 0, [spec_dir.joinpath(*parts[:fixed]).resolve()]
        while frontier and len(found) < MAX_FILES:
            # real paths: a folder reached through a link inside the project is searched (a run
            # added there rebuilds the chart, as the glob reads it), and once (a link to '..')
            frontier = [d for d in frontier if d.is_dir() and d.is_relative_to(root.resolve()) and d not in found]
            found.update(dict.fromkeys(frontier))
            if depth is not None and level >= depth:
                break
            frontier = sorted({r for d in frontier for c in _listed(d) if (r := _real_dir(c)) is not None})
            level += 1
    return list(found)


def _listed(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def _real_dir(path: Path) -> Path | None:
    try:
        return path.resolve() if path.is_dir() else None
    except (OSError, RuntimeError):  # a link loop
        return None


def short_names(paths: Sequence[str], patterns: Sequence[str] = (), *, folders: bool = False) -> list[str]:
    """A short name per path (POSIX, as :func:`expand_files` gives them), for the ``as`` column.

    A path a glob in ``patterns`` matched is named by the parts the glob's wildcards match, so a
    name does not change as more files appear (``runs/*/m.csv``: ``runs/a/m.csv`` is ``a``, alone
    or beside ``runs/b/m.csv``); a wildcard inside the file name names it without its extension
    (``logs/seed*.jsonl``: ``seed1``), unless ``folders`` (the paths are folders: ``lr0.1`` stays).
    When a path came from no glob, or these names are empty or clash, the paths are named by the
    parts that differ between them (:func:`differing_names`).
    """
    globs = [PurePosixPath(p).parts for p in patterns if glob.has_magic(p)]
    names = []
    for path in paths:
        parts = PurePosixPath(path).parts
        matched = next((m for g in globs if (m := _wildcard_parts(parts, g)) is not None), None)
        if matched is None:
            return differing_names(paths)
        if matched and matched[-1] == len(parts) - 1 and not folders:
            named = [*parts[:-1], PurePosixPath(parts[-1]).stem]
        else:
            named = list(parts)
        names.append("/".join(named[i] for i in matched))
    if all(names) and len(set(names)) == len(names):
        return names
    return differing_names(paths)


def _wildcard_parts(parts: Sequence[str], pattern: Sequence[str]) -> list[int] | None:
    """The indices of ``parts`` that the wildcard parts of ``pattern`` match (``**``: any number
    of parts, as glob's recursive mode), or None when the path does not match the pattern."""
    if not pattern:
        return [] if not parts else None
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        for taken in range(len(parts) + 1):
            tail = _wildcard_parts(parts[taken:], rest)
            if tail is not None:
                return [*range(taken), *(i + taken for i in tail)]
        return None
    if not parts or not fnmatch.fnmatchcase(parts[0], head):
        return None
    tail = _wildcard_parts(parts[1:], rest)
    if tail is None:
        return None
    return ([0] if glob.has_magic(head) else []) + [i + 1 for i in tail]


def differing_names(paths: Sequence[str]) -> list[str]:
    """A short name per path: the parts that differ between the paths, without the extension.

    Leading and trailing path parts common to every path are dropped (``runs/a/metrics.csv`` and
    ``runs/b/metrics.csv`` give ``a`` and ``b``). A single file is named by its file stem; files
    whose differing parts would be empty or clash are named by their whole path without the
    extension, and if even those clash, by their whole path.
    """
    raw = [PurePosixPath(p).parts for p in paths]
    stems = [r[:-1] + (PurePosixPath(r[-1]).stem,) for r in raw]
    if len(paths) < 2:
        return [s[-1] for s in stems]
    lead = 0
    while all(len(r) > lead + 1 for r in raw) and len({r[lead] for r in raw}) == 1:
        lead += 1
    trail = 0
    while all(len(r) > lead + trail + 1 for r in raw) and len({r[-1 - trail] for r in raw}) == 1:
        trail += 1
    # when the file names differ, the differing part ends with the name: drop its extension
    names = ["/".join((s if trail == 0 else r)[lead:len(r) - trail]) for r, s in zip(raw, stems)]
    for candidate in (names, ["/".join(s) for s in stems]):
        if len(set(candidate)) == len(candidate) and all(candidate):
            return candidate
    return list(paths)  # only the extensions differ


def to_epoch_ms(value: dt.datetime | dt.date) -> int | float:
    """Milliseconds since the epoch, UTC; naive times are taken as UTC."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    ms = (value - _EPOCH) / dt.timedelta(milliseconds=1)
    return int(ms) if float(ms).is_integer() else ms


def parse_date(text: str, fmt: str) -> int | float:
    """Epoch milliseconds (UTC) of ``text`` in strftime format ``fmt`` (or :data:`~.isodate.ISO`, the
    format of temporal fields without ``parse``); ValueError if it does not fit."""
    if fmt == ISO:
        return iso_ms(text)
    return to_epoch_ms(dt.datetime.strptime(text.strip(), fmt))


def written_date(text: str, fmt: str | None) -> int | float:
    """Epoch milliseconds (UTC) of a date the spec writes for a temporal x (an annotation, a tick):
    in the data's ``parse`` format if it fits, else ISO 8601; ValueError if neither."""
    if fmt is not None and fmt != ISO:
        try:
            return parse_date(text, fmt)
        except ValueError:
            pass
    return iso_ms(text)


def parse_dates(rows: tuple[dict[str, Any], ...], columns: Sequence[str], parse: Sequence[tuple[str, str]],
                table_name: str, smap: SourceMap, path: JsonPath,
                row_of: Callable[[int], str] | None = None) -> tuple[dict[str, Any], ...]:
    """``rows`` with each ``parse`` field turned from text into epoch milliseconds (UTC).

    Problems are reported at the field's entry under ``parse``, naming the row (1-based, in the
    data's row order; ``row_of`` words it, as Table.row_of names it in its file) and the text
    that did not fit.
    """
    problems: list[Diagnostic] = []
    out = [dict(r) for r in rows]
    for field, fmt in parse:
        where = path + (field,)
        if field not in columns:
            hint = did_you_mean(field, columns, what="a column") or f"columns: {', '.join(columns)}"
            problems.append(smap.diagnostic(f"cannot parse field {field!r}: it is not in {table_name}", where,
                                            key=True, hint=hint))
            continue
        for number, row in enumerate(out, start=1):
            value = row.get(field)
            if value is None:
                continue
            text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            try:
                if not isinstance(text, str):
                    raise ValueError("it is not text")
                row[field] = parse_date(text, fmt)
            except ValueError as err:
                # strptime's own words help only when the text fits the format but not the calendar
                why = "" if str(err).startswith(("time data", "unconverted data")) else f" ({err})"
                problems.append(smap.diagnostic(
                    f"{row_of(number) if row_of else f'row {number} of {table_name}'}: {quoted(value)} in field {field!r} is not a date in format {fmt!r}{why}",
                    where, hint="fix the value, or the format (strftime codes: %Y-%m-%d %H:%M:%S)"))
                break  # one error per field is enough to fix the format
    if problems:
        raise DataError(problems)
    return tuple(out)


# -- Parquet -------------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """A Parquet cell as a JSON value: times as epoch ms (UTC), decimals as floats, NaN as missing."""
    if isinstance(value, (dt.datetime, dt.date)):
        return to_epoch_ms(value)
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value / dt.timedelta(seconds=1)
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def read_parquet(path: Path, location: str, missing: Callable[[], DataError]) -> tuple[dict[str, Any], ...]:
    """The rows of a Parquet file. ``missing()`` is the error to raise when pyarrow is not installed."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise missing() from None
    try:
        table = pq.read_table(path)
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError and others for broken files
        why = str(err).replace(str(path), location).split(". ")[0][:200]
        raise DataError(Diagnostic(f"not a readable Parquet file: {why}", file=location,
                                   hint="write it with pandas.DataFrame.to_parquet or pyarrow.parquet")) from err
    table, convert = _arrow_times(table)
    rows = table.to_pylist()
    if convert:
        for row in rows:
            for name, to_value in convert.items():
                if (v := row[name]) is not None:
                    row[name] = to_value(v)
    # a top-level NaN stays a float: table.py makes it missing and notes it, as for CSV and JSON
    return tuple({k: v if isinstance(v, float) else _plain(v) for k, v in row.items()} for row in rows)


#: microseconds per unit of an Arrow timestamp, as (multiplier, divisor); ns floors, as DuckDB's epoch_us
_US_PER_UNIT = {"s": (1_000_000, 1), "ms": (1000, 1), "us": (1, 1), "ns": (1, 1000)}


def _ms_of_us(us: int) -> int | float:
    """Epoch ms of epoch µs, as engine.typed_exprs computes it (a double, µs / 1000): an int when whole."""
    return us // 1000 if us % 1000 == 0 else us / 1000


def _arrow_times(table: Any) -> tuple[Any, dict[str, Callable[[Any], Any]]]:
    """``table`` with its top-level time columns as integers in their own unit, and per such column
    how to make a value epoch ms (UTC). pyarrow's own conversion of timestamp[ns] needs pandas
    (and fails without it on any value that is not whole microseconds); reading the integers keeps
    every unit exact, with or without a time zone, and agrees with the engine's reading."""
    import pyarrow as pa

    convert: dict[str, Callable[[Any], Any]] = {}
    for i, field in enumerate(table.schema):
        kind = field.type
        if pa.types.is_timestamp(kind):
            mul, div = _US_PER_UNIT[kind.unit]
            convert[field.name] = lambda v, mul=mul, div=div: _ms_of_us(v * mul // div)
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
        elif pa.types.is_date32(kind):
            convert[field.name] = lambda v: v * 86_400_000
            table = table.set_column(i, field.name, table.column(i).cast(pa.int32()))
        elif pa.types.is_date64(kind):
            convert[field.name] = lambda v: v
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
        elif pa.types.is_duration(kind):  # seconds, as _plain reads a timedelta
            per_s = {"s": 1, "ms": 1000, "us": 1_000_000, "ns": 1_000_000_000}[kind.unit]
            convert[field.name] = lambda v, per_s=per_s: v / per_s
            table = table.set_column(i, field.name, table.column(i).cast(pa.int64()))
        elif (us := _us_type(kind)) != kind:  # ns inside lists and structs, and ns times of day: to the µs
            table = table.set_column(i, field.name, table.column(i).cast(us, safe=False))
    return table, convert


def _us_type(kind: Any) -> Any:
    """``kind`` with every nanosecond unit made microseconds (what to_pylist reads without pandas)."""
    import pyarrow as pa

    if (pa.types.is_timestamp(kind) or pa.types.is_duration(kind) or pa.types.is_time64(kind)) and kind.unit == "ns":
        return pa.timestamp("us", kind.tz) if pa.types.is_timestamp(kind) else \
            pa.duration("us") if pa.types.is_duration(kind) else pa.time64("us")
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        make = pa.list_ if pa.types.is_list(kind) else pa.large_list
        return make(kind.value_field.with_type(_us_type(kind.value_type)))
    if pa.types.is_struct(kind):
        return pa.struct([kind.field(j).with_type(_us_type(kind.field(j).type)) for j in range(kind.num_fields)])
    return kind


def date_value(value: Any, fmt: str | None) -> Any:
    """A comparison value written as a date, as the epoch milliseconds the parsed column holds."""
    if fmt is None or not isinstance(value, str):
        return value
    try:
        return parse_date(value, fmt)
    except ValueError:
        return value  # reported by layer_views before any compile
