"""Columns without a name in a CSV/TSV header, the one rule of both readers (table.py, engine.py);
a column named twice, in a CSV/TSV header or a Parquet file's schema.

A header field that is empty or only blanks names no column a chart could use: pandas'
``to_csv`` writes its index that way (``,step,loss``). Such columns are left out, with a note
naming them at the header; the rest of the file reads as usual.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from ..errors import Diagnostic

__all__ = ["comment", "engine_names", "file_note", "named", "parquet_twice", "twice", "unnamed", "unnamed_note"]

#: the engine's name for an unnamed column (DuckDB needs one): no file's column can have it, as
#: engine.check_names sends names starting with '__' to the Python reader
_UNNAMED = "__unnamed"


def unnamed(header: Sequence[str]) -> list[int]:
    """The positions (0-based) of header fields that name no column."""
    return [i for i, h in enumerate(header) if not h.strip()]


def engine_names(header: Sequence[str]) -> list[str]:
    """``header`` with a name of the engine's own for each unnamed column."""
    return [h if h.strip() else f"{_UNNAMED}{i}" for i, h in enumerate(header)]


def named(header: Sequence[str]) -> list[str]:
    """The names of ``header`` (as :func:`engine_names` gives it) that a chart can use."""
    return [h for h in header if h.strip() and not h.startswith(_UNNAMED)]


def unnamed_note(header: Sequence[str], location: str, line: str | None, delimiter: str) -> Diagnostic | None:
    """The note saying which columns of ``header`` (its line 1 is ``line``) were left out, if any."""
    gone = unnamed(header)
    if not gone:
        return None
    which = ", ".join(str(i + 1) for i in gone)
    column = 1
    if line is not None and '"' not in line:  # where the first unnamed field starts (unquoted header)
        column = sum(len(f) + len(delimiter) for f in line.split(delimiter)[: gone[0]]) + 1
    many = len(gone) > 1
    return Diagnostic(f"column{'s' if many else ''} {which} of the header {'have' if many else 'has'} no name: "
                      f"left out", file=location, line=1, column=column, severity="note", source_line=line,
                      hint="name it in the header to chart it (pandas writes its index unnamed: "
                      "to_csv(index=False) leaves it out)")


def file_note(path: Path, delimiter: str, location: str) -> Diagnostic | None:
    """:func:`unnamed_note` for a file's header (the engine's read, which sees no lines)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
        f.seek(0)
        header = next(csv.reader(f, delimiter=delimiter), None) or []
    return unnamed_note(header, location, first.rstrip("\r\n") or None, delimiter)


def twice(header: Sequence[str], location: str, where: str = "the header") -> Diagnostic | None:
    """The error for a column named twice in ``header`` (the first such name), if one is."""
    dupes = sorted({h for h in header if h and header.count(h) > 1})
    if not dupes:
        return None
    line = 1 if where == "the header" else None
    return Diagnostic(f"column {dupes[0]!r} appears twice in {where}", file=location, line=line, column=line,
                      hint="give each column its own name where the file is written")


def parquet_twice(path: Path, location: str) -> Diagnostic | None:
    """:func:`twice` for a Parquet file's top-level columns (from its footer). The engine reads the
    second 'loss' as 'loss_1' and drew the first; pyarrow failed with "Multiple matches for
    FieldRef" and the hint of a broken file. A file pyarrow cannot read is the reader's to report."""
    try:
        import pyarrow.parquet as pq

        names = pq.read_schema(path).names
    except Exception:  # noqa: BLE001 - no pyarrow, ArrowInvalid, OSError...: the reader says why
        return None
    return twice(names, location, "the file's columns")


def comment(header: Sequence[str], location: str) -> Diagnostic | None:
    """The error for a first line that is a comment (``# written by trainer``, or numpy.savetxt's
    ``# step,loss``), not the header. The Python reader said "row has 2 fields but the header has
    1" at line 2, DuckDB a missing field at every axis. A column named '#' or '#id' stays a column."""
    first = header[0] if header else ""
    if not first.startswith("#") or not (first[1:2].isspace() or (len(header) == 1 and len(first) > 1)):
        return None
    return Diagnostic("the first line is a comment ('#'), not the header", file=location, line=1, column=1,
                      hint="remove the comment lines at the top (numpy.savetxt writes none with comments=''): "
                           "the first line must name the columns")
