"""JSON and JSON Lines data files: a list of row objects, or one row object per line.

Errors are located in the file (line and column as the json module counts them); numbers are
typed as they are written, and NaN/Infinity (``json.dumps`` writes them) are floats, made missing
values with a note later, as in a CSV file.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import DataError, Diagnostic

__all__ = ["json_message", "parse_json", "read_json", "read_jsonl"]


def _json_line(text: str, number: int) -> str | None:
    lines = text.split("\n")  # json counts only "\n" as a line break
    return lines[number - 1].removesuffix("\r") if 1 <= number <= len(lines) else None


def json_message(err: json.JSONDecodeError, line: int) -> str:
    """The json module's message, whole: two of its messages end in "at" and leave the place to
    its position suffix ("Unterminated string starting at", "Invalid control character at")."""
    where = f" line {line} column {err.colno}" if err.msg.endswith(" at") else ""
    return f"invalid JSON: {err.msg}{where}"


def parse_json(text: str, name: str, first_line: int | None = None) -> Any:
    """Parse a JSON document, or one line of JSON Lines data starting at line ``first_line``."""
    offset = (first_line or 1) - 1
    try:
        return json.loads(text)  # NaN, Infinity (json.dumps writes them): floats, made missing later
    except json.JSONDecodeError as err:
        raise DataError(Diagnostic(json_message(err, err.lineno + offset), file=name, line=err.lineno + offset,
                                   column=err.colno, source_line=_json_line(text, err.lineno))) from None
    except RecursionError:
        raise DataError(Diagnostic("JSON data is nested too deeply", file=name, line=first_line or 0,
                                   hint="data is a list of flat row objects")) from None
    except ValueError as err:  # integers too long to convert
        raise DataError(Diagnostic(f"invalid JSON: {err}", file=name, line=first_line or 0,
                                   column=1 if first_line else 0,
                                   source_line=text if first_line else None)) from None


def _check_rows(items: Any, name: str) -> tuple[dict[str, Any], ...]:
    if not isinstance(items, list) or not all(isinstance(r, dict) for r in items):
        raise DataError(Diagnostic("JSON data must be a list of objects, one per row", file=name, line=1, column=1,
                                   hint='e.g. [{"step": 0, "loss": 2.3}, {"step": 1, "loss": 1.9}]'))
    return tuple(items)


def read_json(text: str, name: str) -> tuple[dict[str, Any], ...]:
    return _check_rows(parse_json(text, name), name)


def read_jsonl(text: str, name: str) -> tuple[tuple[dict[str, Any], ...], Diagnostic | None]:
    """The rows of JSON Lines data, and a note when its last line is cut short: a line without its
    line break that is not JSON yet (a run still writing it) is left out, as TensorBoard reads an
    event file up to a partial record. A bad line anywhere else is an error."""
    rows = []
    # split on newlines only: str.splitlines() would also split at U+2028 inside JSON strings
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        if number == len(lines) and (cut := _cut_short(line)) is not None:  # no line break after it
            return _check_rows(rows, name), Diagnostic(
                f"JSON Lines data ends in a partial line: read its {len(rows)} complete rows; line {number} is "
                f"cut short ({json_message(cut, number).removeprefix('invalid JSON: ')})", file=name,
                line=number, column=cut.colno, source_line=line, severity="note",
                hint="a run still writing: build again for the newest rows")
        row = parse_json(line, name, number)
        if not isinstance(row, dict):
            raise DataError(Diagnostic("each line of JSON Lines data must be one row object", file=name,
                                       line=number, column=1, source_line=line,
                                       hint='e.g. {"step": 0, "loss": 2.3}'))
        rows.append(row)
    return _check_rows(rows, name), None


def _cut_short(line: str) -> json.JSONDecodeError | None:
    """The json module's error for ``line`` if it is not JSON (text cut short); None otherwise
    (then parse_json reads it, or names what else is wrong)."""
    try:
        json.loads(line)
    except json.JSONDecodeError as err:
        return err
    except (ValueError, RecursionError):
        return None
    return None
