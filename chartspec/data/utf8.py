"""Whether a data file the engine reads is UTF-8, checked whole, as the Python reader checks it.

The Python reader (table.py) decodes a small file whole, so one byte that is not UTF-8 anywhere
fails the spec at its line and column. DuckDB checks only the text columns a query reads: a latin-1
'café' in a column the chart does not draw was read without a word from a 2 MB file, and the same
file under 2 MB failed; a bad byte in the header's first 8 KB made Python's text reader raise
``UnicodeDecodeError`` (an "internal error"). So the engine's read checks every byte first, chunk by
chunk: a chunk of ASCII is a single ``isascii()`` pass (a 62 MB file in ~0.01 s here, cached), and only chunks
holding other bytes are decoded.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import NoReturn

from ..errors import DataError, Diagnostic
from .textrows import LINE_BREAK

__all__ = ["UTF8_HINT", "check_utf8", "decode_utf8"]

_CHUNK = 1 << 22  # bytes per read: memory stays flat whatever the file's size
_LONG_LINE = 1 << 22  # bytes of a line kept to place an error in it
_BOM = codecs.BOM_UTF8
#: what to do about it, on both readers' error
UTF8_HINT = "save the file as UTF-8 (a spreadsheet's \"CSV UTF-8\" type, or iconv -f latin1 -t utf-8 file.csv)"


def check_utf8(path: Path, location: str) -> None:
    """Raise a :class:`DataError` at the first byte of ``path`` that is not UTF-8 (its line and
    column as the Python reader gives them: lines end at \\r\\n, \\r or \\n)."""
    if _valid(path):
        return
    _place(path, location)  # a second read counts lines: counting them always would cost ~4 times the check


def _valid(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            # ASCII needs no decoding, unless it ends a character the last chunk left open (it fails)
            if not chunk.isascii() or decoder.getstate()[0]:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:  # the file ends inside a character
        return False
    return True


def _place(path: Path, location: str) -> NoReturn:
    """Raise the error at the first bad byte of ``path`` (a file :func:`_valid` refused)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, start, cr = 1, b"", False  # the current line's number, its bytes before this chunk; a \r ended the last
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                _fail(location, line, start + chunk)
            breaks = chunk.count(b"\n") + chunk.count(b"\r") - chunk.count(b"\r\n")
            if cr and chunk.startswith(b"\n"):
                breaks -= 1  # one \r\n split over two chunks
            line, cr = line + breaks, chunk.endswith(b"\r")
            last = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
            start = chunk[last + 1:] if last >= 0 else start + chunk
            if len(start) > _LONG_LINE:  # its column is approximate, counted from a character's start
                start = start[-_LONG_LINE:].lstrip(bytes(range(0x80, 0xC0)))
    _fail(location, line, start)  # the file ends inside a character


def _fail(location: str, line: int, text: bytes) -> NoReturn:
    """The error at the first byte of ``text`` (bytes from a line's start) that is not UTF-8."""
    at = len(text) - 1
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as err:
        at = err.start
    lines = text[:at].replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    line += len(lines) - 1
    before = lines[-1].removeprefix(_BOM) if line == 1 else lines[-1]
    shown = before.decode("utf-8", errors="replace")
    raise DataError(Diagnostic(f"data file is not valid UTF-8 (byte 0x{text[at]:02x})", file=location, line=line,
                               column=len(shown) + 1, source_line=shown, hint=UTF8_HINT))


def decode_utf8(raw: bytes, location: str) -> str:
    """A small file's text (the Python reader), or the error at its first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:  # again without the BOM's removal: utf-8-sig's error counts from after it
        raw.decode("utf-8")
        at = 0  # pragma: no cover - a BOM alone is valid UTF-8
    except UnicodeDecodeError as err:
        at = err.start
    lines = LINE_BREAK.split(raw[:at].decode("utf-8-sig", errors="replace"))
    raise DataError(Diagnostic(f"data file is not valid UTF-8 (byte 0x{raw[at]:02x})", file=location,
                               line=len(lines), column=len(lines[-1]) + 1, hint=UTF8_HINT,
                               source_line=lines[-1])) from None
