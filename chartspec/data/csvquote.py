"""Where an unterminated quote in a CSV/TSV file opened, for both readers' error messages.

A quoted field that never closes swallows the rest of the file: Python's csv module then fails at
the file's last line ("unexpected end of data") or wherever the field grows past its limit, and
DuckDB where its buffer ends. Neither is where the mistake is, so the quote is found here: the
field-opening quote still open where the reader failed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from pathlib import Path

from ..errors import Diagnostic

__all__ = ["MAX_SCAN", "closing_blanks", "file_quote", "open_quote", "unclosed_quote", "with_line", "wrong_width"]

#: the largest file searched for the quote when the engine fails (the search holds it as text)
MAX_SCAN = 512 * 1024 * 1024

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the csv module counts lines
_QUOTE = re.compile('"')


def _scan(text: str, delimiter: str) -> tuple[int | None, int | None, list[tuple[int, int]]]:
    """The offset of the first quote of ``text`` that opens a field and is never closed, or is
    closed by a quote followed by neither a delimiter nor a line end (what a strict reader refuses),
    with the offset of that text after its closing quote (None: never closed); and the blanks
    between a closing quote and the delimiter or line end that follows (``"a" ,``), which DuckDB
    drops and Python's strict csv refuses. A quote opens a field at the start of a line or after a
    delimiter; ``""`` inside is one quote."""
    opened: int | None = None
    skip = False
    spans: list[tuple[int, int]] = []
    blanks = " " if delimiter == "\t" else " \t"
    for match in _QUOTE.finditer(text):
        at = match.start()
        if skip:
            skip = False
        elif opened is None:
            if at == 0 or text[at - 1] in (delimiter, "\n", "\r"):
                opened = at
        elif text[at + 1: at + 2] == '"':
            skip = True
        else:
            end = at + 1
            while text[end: end + 1] and text[end] in blanks:
                end += 1
            if text[end: end + 1] not in (delimiter, "\n", "\r", ""):
                # closed in the middle of a field: the quote that opened it was never meant to close here
                return opened, end, spans
            if end > at + 1:
                spans.append((at + 1, end))
            opened = None
    return opened, None, spans


def open_quote(text: str, delimiter: str) -> int | None:
    """The offset of the quote that opens a field of ``text`` and is never closed properly (_scan)."""
    return _scan(text, delimiter)[0]


def closing_blanks(text: str, delimiter: str) -> str:
    """``text`` without blanks after a closing quote (``"a" ,`` as ``"a",``), as DuckDB reads it."""
    spans = _scan(text, delimiter)[2]
    return "".join(text[a:b] for a, b in zip([0, *(e for _, e in spans)], [*(s for s, _ in spans), len(text)]))


def unclosed_quote(text: str, delimiter: str, location: str) -> Diagnostic | None:
    """The error for a quoted field of ``text`` that never closes, placed where its quote opened,
    or for text after a field's closing quote on the same line (``"a"b``), placed at that text;
    None when every quoted field closes (the file is malformed in another way)."""
    at, after, _ = _scan(text, delimiter)
    if at is None:
        return None
    kind = "CSV" if delimiter == "," else "TSV"
    if after is not None and _LINE_BREAK.search(text, at, after) is None:
        before = _LINE_BREAK.split(text[:after])
        rest = _LINE_BREAK.split(text[after:], maxsplit=1)[0]
        return Diagnostic(f"malformed {kind}: text after the closing quote of a field", file=location,
                          line=len(before), column=len(before[-1]) + 1, source_line=before[-1] + rest,
                          hint='put the text inside the quotes, or a delimiter after the quote; a quote inside '
                               'a quoted field is written twice ("")')
    before = _LINE_BREAK.split(text[:at])
    line = len(before)
    rest = _LINE_BREAK.split(text[at:], maxsplit=1)[0]
    return Diagnostic(f"malformed {kind}: a quoted field opens here and is never closed", file=location, line=line,
                      column=len(before[-1]) + 1, source_line=before[-1] + rest,
                      hint='close the quote; a quote inside a quoted field is written twice ("")')


def file_quote(path: Path, delimiter: str, location: str) -> Diagnostic | None:
    """:func:`unclosed_quote` for a file the engine failed to read (files up to ``MAX_SCAN`` bytes)."""
    if path.stat().st_size > MAX_SCAN:
        return None
    return unclosed_quote(path.read_bytes().decode("utf-8-sig", errors="replace"), delimiter, location)


def with_line(found: Diagnostic, path: Path) -> Diagnostic:
    """``found`` (the engine's error at a line of ``path``) with that line as its excerpt, as the
    Python reader shows it: the engine names the line, never its text (a short row at line
    150,002 had no excerpt). The file is read up to that line only."""
    if found.source_line is not None or not found.line or found.line < 1:
        return found
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:  # lines end as the csv module's
            for number, text in enumerate(f, start=1):
                if number == found.line:
                    return replace(found, source_line=text.rstrip("\r\n"))
    except OSError:
        pass
    return found


def wrong_width(path: Path, delimiter: str, location: str) -> Diagnostic | None:
    """The first row whose field count is not the header's, as the Python reader reports it, for a
    file the engine failed on without a line: DuckDB's sniffer refuses a short row among its sample
    rows as "Error when sniffing file <absolute path>". None when every row fits (or the file has
    no header, or breaks the csv module's rules: the engine's own words then)."""
    if path.stat().st_size > MAX_SCAN:
        return None
    try:
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
            reader = csv.reader(f, delimiter=delimiter, strict=True)
            header = next(reader, None)
            for record in reader if header else ():
                if record and any(c.strip() for c in record) and len(record) != len(header or ()):
                    found = Diagnostic(f"row has {len(record)} fields but the header has {len(header or ())}",
                                       file=location, line=reader.line_num, column=1,
                                       hint="check for a missing or extra delimiter, or quote values that contain one")
                    return with_line(found, path)
    except (OSError, csv.Error):
        return None
    return None
