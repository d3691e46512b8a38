"""Where an unterminated quote in a CSV/TSV file opened, for both readers' error messages.

A quoted field that never closes swallows the rest of the file: Python's csv module then fails at
the file's last line ("unexpected end of data") or wherever the field grows past its limit, and
DuckDB where its buffer ends. Neither is where the mistake is, so the quote is found here: the
field-opening quote still open where the reader failed.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import Diagnostic

__all__ = ["MAX_SCAN", "file_quote", "open_quote", "unclosed_quote"]

#: the largest file searched for the quote when the engine fails (the search holds it as text)
MAX_SCAN = 512 * 1024 * 1024

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as the csv module counts lines
_QUOTE = re.compile('"')


def open_quote(text: str, delimiter: str) -> int | None:
    """The offset of the first quote of ``text`` that opens a field and is never closed, or is
    closed by a quote followed by neither a delimiter nor a line end (what a strict reader refuses):
    a quote opens a field at the start of a line or after a delimiter; ``""`` inside is one quote."""
    opened: int | None = None
    skip = False
    for match in _QUOTE.finditer(text):
        at = match.start()
        if skip:
            skip = False
        elif opened is None:
            if at == 0 or text[at - 1] in (delimiter, "\n", "\r"):
                opened = at
        elif text[at + 1: at + 2] == '"':
            skip = True
        elif text[at + 1: at + 2] in (delimiter, "\n", "\r", ""):
            opened = None
        else:  # closed in the middle of a field: the quote that opened it was never meant to close here
            return opened
    return opened


def unclosed_quote(text: str, delimiter: str, location: str) -> Diagnostic | None:
    """The error for a quoted field of ``text`` that never closes, placed where its quote opened;
    None when every quoted field closes (the file is malformed in another way)."""
    at = open_quote(text, delimiter)
    if at is None:
        return None
    before = _LINE_BREAK.split(text[:at])
    line = len(before)
    rest = _LINE_BREAK.split(text[at:], maxsplit=1)[0]
    kind = "CSV" if delimiter == "," else "TSV"
    return Diagnostic(f"malformed {kind}: a quoted field opens here and is never closed", file=location, line=line,
                      column=len(before[-1]) + 1, source_line=before[-1] + rest,
                      hint='close the quote; a quote inside a quoted field is written twice ("")')


def file_quote(path: Path, delimiter: str, location: str) -> Diagnostic | None:
    """:func:`unclosed_quote` for a file the engine failed to read (files up to ``MAX_SCAN`` bytes)."""
    if path.stat().st_size > MAX_SCAN:
        return None
    return unclosed_quote(path.read_bytes().decode("utf-8-sig", errors="replace"), delimiter, location)
