"""Reading a CSV, TSV, JSON or JSON Lines file's text into rows in Python (table.py's small-file path).

CSV/TSV cells become numbers when the whole column is numeric; empty cells become missing values
(null). Problems are reported at the file's own line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from ..errors import DataError, Diagnostic
from .csvquote import closing_blanks, unclosed_quote
from .header import comment, twice, unnamed_note
from .jsonrows import read_json, read_jsonl
from .numbers import BLANK, cell_value, is_number, typed_rows

__all__ = ["LINE_BREAK", "READERS", "Parsed", "columns_of"]


@dataclass(frozen=True)
class Parsed:
    """What a reader of one file gives: its rows, its columns (a CSV header names them even when
    no row follows) and its notes (columns left out)."""

    rows: tuple[dict[str, Any], ...]
    columns: tuple[str, ...]
    notes: tuple[Diagnostic, ...] = ()


LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the csv module counts lines


def _line(text: str, number: int, breaks: re.Pattern[str] = LINE_BREAK) -> str | None:
    """Line ``number`` (1-based) of ``text``, for error excerpts."""
    lines = breaks.split(text)
    return lines[number - 1] if 1 <= number <= len(lines) else None


def columns_of(rows: tuple[dict[str, Any], ...]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return tuple(seen)


def _read_delimited(text: str, name: str, delimiter: str) -> Parsed:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise DataError(Diagnostic("data file has no header row", file=name, line=1, column=1,
                                       hint="the first line must name the columns", source_line=_line(text, 1)))
        if (found := comment(header, name)) is not None:
            raise DataError(replace(found, source_line=_line(text, 1)))
        note = unnamed_note(header, name, _line(text, 1), delimiter)
        header = [h.strip() for h in header]
        if (found := twice(header, name)) is not None:
            raise DataError(replace(found, source_line=_line(text, 1)))
        records: list[list[str]] = []
        lines: list[int] = []
        for record in reader:
            if not record or all(not c.strip() for c in record):
                continue
            if len(record) != len(header):
                raise DataError(Diagnostic(
                    f"row has {len(record)} fields but the header has {len(header)}",
                    file=name, line=reader.line_num, column=1, source_line=_line(text, reader.line_num),
                    hint="check for a missing or extra delimiter, or quote values that contain one"))
            records.append(record)
            lines.append(reader.line_num)
    except csv.Error as err:
        if (quote := unclosed_quote(text, delimiter, name)) is not None:
            raise DataError(quote) from None
        if (trimmed := closing_blanks(text, delimiter)) != text:  # '"a" ,': read as DuckDB reads it
            return _read_delimited(trimmed, name, delimiter)
        raise DataError(Diagnostic(f"malformed {'CSV' if delimiter == ',' else 'TSV'}: {err}", file=name,
                                   line=reader.line_num, column=1, source_line=_line(text, reader.line_num))) from None
    named = [i for i, h in enumerate(header) if h]  # unnamed columns are left out (header.py)
    numeric = {i: all(not r[i].strip(BLANK) or is_number(r[i]) for r in records) for i in named}
    rows = tuple({header[i]: cell_value(r[i], numeric[i]) for i in named} for r in records)
    return Parsed(rows, tuple(header[i] for i in named), (note,) if note else ())


def _read_json(text: str, name: str) -> Parsed:
    rows = typed_rows(read_json(text, name))
    return Parsed(rows, columns_of(rows))


def _read_jsonl(text: str, name: str) -> Parsed:
    found, partial = read_jsonl(text, name)
    rows = typed_rows(found)
    return Parsed(rows, columns_of(rows), (partial,) if partial else ())


READERS = {"csv": partial(_read_delimited, delimiter=","), "tsv": partial(_read_delimited, delimiter="\t"), "json": _read_json,
           "jsonl": _read_jsonl}
