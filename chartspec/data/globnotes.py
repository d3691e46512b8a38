"""Notes on the files of a ``files:`` glob that draw nothing, on both readers (table.py, engine.py).

A run's file with only a header (a run that has not logged yet), or without a column the chart uses
(``step,acc`` among ``step,loss`` files), adds no row to what is drawn: its series was simply absent,
exit 0, no word, for CSV and Parquet alike. A layer's own header-only file gets a note (README);
so do these, one per kind, naming the files, at the spec's ``files``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic, JsonPath
from ..spec.source import SourceMap

if TYPE_CHECKING:
    from .engine import Relation

__all__ = ["engine_files", "file_columns", "glob_notes"]

#: the formats the engine reads, by a file's suffix (table.py's FORMATS_BY_SUFFIX)
_FORMATS = {".csv": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}
#: files named in one note; the rest are counted
_SHOWN = 5


def file_columns(path: Path, fmt: str) -> tuple[str, ...]:
    """The column names of a CSV/TSV header or a Parquet schema (a file the engine has read)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return tuple(pq.read_schema(path).names)
    with path.open(encoding="utf-8-sig", newline="") as f:  # checked as UTF-8 by then (utf8.py)
        header = next(csv.reader(f, delimiter="\t" if fmt == "tsv" else ","), None) or []
    return tuple(h.strip() for h in header)


def engine_files(file_rows: Sequence[tuple[str, int]], rel: Relation | None, names: Sequence[str],
                 paths: Sequence[Path], fmt: str | None) -> list[tuple[str, tuple[str, ...], int]]:
    """Each file's name, columns and row count, of the rows the engine read from several files
    (``file_rows``: each file's name and first row; ``fmt``: the spec's format, or None)."""
    starts = [start for _, start in file_rows]
    fmt = fmt or _FORMATS.get(paths[0].suffix.lower()) if paths else None
    if len(starts) != len(names) or rel is None or fmt not in ("csv", "tsv", "parquet"):
        return []
    counts = [b - a for a, b in zip(starts, [*starts[1:], rel.count])]
    return [(n, file_columns(p, fmt), c) for n, p, c in zip(names, paths, counts)]


def glob_notes(files: Sequence[tuple[str, Sequence[str], int]], used: frozenset[str] | None, label: str,
               smap: SourceMap, where: JsonPath) -> tuple[Diagnostic, ...]:
    """Notes for ``files`` (each file's name, columns and row count) that draw nothing: without
    rows, or without a column of ``used`` (the names the spec mentions) another file has."""
    if len(files) < 2:
        return ()
    notes = []
    empty = [name for name, _, rows in files if not rows]
    if empty and len(empty) < len(files):  # all empty: table.py says the data has no rows
        notes.append(_note(f"{_names(empty)} {_has(empty)} no rows yet (column names only): nothing of "
                           f"{_them(empty)} is drawn", "a file is drawn once rows are written", smap, where))
    every = dict.fromkeys(c for _, columns, rows in files if rows for c in columns)
    for column in (c for c in every if used is not None and c in used and c != label):
        lacking = [name for name, columns, rows in files if rows and column not in columns]
        if lacking:
            notes.append(_note(f"{_names(lacking)} {_has(lacking)} no column {column!r}, which the other files "
                               f"have: {'its' if len(lacking) == 1 else 'their'} rows draw no {column!r}",
                               "check the column's name in that file, or leave the file out of 'files'", smap, where))
    return tuple(notes)


def _note(message: str, hint: str, smap: SourceMap, where: JsonPath) -> Diagnostic:
    return replace(smap.diagnostic(message, where, hint=hint), severity="note")


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def _has(names: Sequence[str]) -> str:
    return "has" if len(names) == 1 else "have"


def _them(names: Sequence[str]) -> str:
    return "it" if len(names) == 1 else "them"
