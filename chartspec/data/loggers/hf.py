"""Hugging Face ``Trainer``'s ``trainer_state.json``: the ``log_history`` list.

Each entry is a dict the Trainer logged at a ``step``: training entries (``loss``,
``learning_rate``, ``grad_norm``), evaluation entries (``eval_loss``, ``eval_accuracy``, ...), both
with the ``epoch``. Every number becomes a metric under the Trainer's own name (a string that is
a number, ``"0.5"``, by the rule of numbers.py, as in a JSON data file); any other value (text, an
object, a list, ``true``, ``null``) is left out with a note per metric, at its first place in the
file, as is an entry that is not an object. ``epoch`` is taken once per step, so a training and an evaluation entry at the same step share one row. The
last entry of a finished training is a summary (``train_runtime``, ``train_loss`` as the average
over the run, ``total_flos``), not a step, and is left out. The file has no wall times.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from json.decoder import scanstring
from pathlib import Path
from textwrap import shorten
from typing import Any

from ...errors import DataError, Diagnostic
from ..jsonrows import parse_json
from ..numbers import BLANK, is_number
from .common import Part, long_table, read_text

__all__ = ["read_state"]

#: keys only the summary entry at the end of a training has
_SUMMARY = frozenset({"train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos"})


def _history(text: str, location: str) -> list[Any]:
    state = parse_json(text, location)  # errors located; nesting and long integers too
    history = state.get("log_history") if isinstance(state, dict) else None
    if not isinstance(history, list):
        raise DataError(Diagnostic("trainer_state.json has no 'log_history' list", file=location,
                                   hint="the file the Trainer writes into each checkpoint and the output folder"))
    return history


def _float(value: float) -> float:
    """The number as a float; NaN and infinities (``json.dumps`` writes them) kept as such, so the
    note names them; an integer beyond a double's range is infinite, as in a CSV file."""
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _number(value: Any) -> float | None:
    """A logged value as a number, ``None`` when it is none (text, an object, a list, a boolean, null)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _float(value)
    if isinstance(value, str) and is_number(value):  # a callback that logs f"{loss:.4f}"
        return float(value.strip(BLANK))
    return None


def read_state(path: Path, location: str) -> Part:
    """The scalars of one ``trainer_state.json``, in the order they were logged."""
    text = read_text(path, location)
    steps: list[int] = []
    metrics: list[str] = []
    values: list[float] = []
    epochs: set[int] = set()  # the steps whose epoch is taken already
    left: dict[str | None, tuple[int, int, Any]] = {}  # metric (None: a whole entry) -> count, first entry, value
    for number, entry in enumerate(_history(text, location), start=1):
        if not isinstance(entry, dict):
            count, first, what = left.get(None, (0, number, entry))
            left[None] = (count + 1, first, what)
            continue
        if _SUMMARY & entry.keys():
            continue
        step = entry.get("step")
        if not isinstance(step, int) or isinstance(step, bool) or not -2**63 <= step < 2**63:
            raise DataError(Diagnostic(f"log_history entry {number} has no integer 'step'", file=location,
                                       hint="the Trainer logs its global step, a whole number of at most 19 digits"))
        for key, raw in entry.items():
            if key == "step" or (key == "epoch" and step in epochs):
                continue
            if (value := _number(raw)) is None:
                count, first, what = left.get(key, (0, number, raw))
                left[key] = (count + 1, first, what)
                continue
            if key == "epoch":
                epochs.add(step)
            steps.append(step)
            metrics.append(key)
            values.append(value)
    notes = tuple(_left_note(key, *found, text, location) for key, found in left.items())
    return Part({}, long_table(range(len(steps)), steps, None, metrics, values), notes)


def _left_note(key: str | None, count: int, entry: int, value: Any, text: str, location: str) -> Diagnostic:
    """The note for the values of metric ``key`` (``None``: entries) that are not numbers, at the first."""
    shown = shorten(json.dumps(value, ensure_ascii=False, allow_nan=True), 40)
    line, column, source = _place(text, entry, key)
    what = "an entry is not an object" if key is None else f"{key!r} is not a number"
    if count == 1:
        message = f"log_history entry {entry}: {what} ({shown}): left out"
    else:
        message = f"log_history: {what} in {count:,} entries (the first, entry {entry}: {shown}): left out"
    hint = ("log_history holds one object per logged step" if key is None
            else "the Trainer logs numbers; a string that is a number ('0.5') is read as one")
    return Diagnostic(message, file=location, line=line, column=column, source_line=source, severity="note",
                      hint=hint)


_SPACE = re.compile(r"[ \t\r\n]*")
_DECODER = json.JSONDecoder()


def _place(text: str, entry: int, key: str | None) -> tuple[int, int, str | None]:
    """Line, column and line text of ``key`` in entry ``entry`` of log_history (of the entry when
    ``key`` is None) in ``text``; (0, 0, None) when not found. Found by the file's structure: the
    root's ``log_history``, its entry-th item, that object's own key. A search for the text
    ``"loss": "n/a"`` found it in an earlier entry's nested ``meta`` object holding a ``loss`` too.
    Looked for only for a note (one walk to the entry): a file without one is read once."""
    try:
        # the last 'log_history', as json.loads keeps it (its value skipped whole: ~0.1 s for 26 MB)
        history = ([at for name, _, at in _members(text, _skip(text, 0)) if name == "log_history"] or [None])[-1]
        if history is None or text[history] != "[":
            return 0, 0, None
        start = next((at for number, at in enumerate(_items(text, history), start=1) if number == entry), None)
        if start is not None and key is not None:  # the entry's own key; the last one, as json.loads keeps
            start = ([at for name, at, _ in _members(text, start) if name == key] or [None])[-1]
    except (ValueError, IndexError, RecursionError):  # (json.JSONDecodeError is a ValueError)
        return 0, 0, None
    if start is None:
        return 0, 0, None
    line_start = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text.count("\n", 0, start) + 1, start - line_start + 1, text[line_start: end if end >= 0 else len(text)]


def _skip(text: str, at: int) -> int:
    """Past the white space at ``at``."""
    return _SPACE.match(text, at).end()  # type: ignore[union-attr]  # (matches the empty string too)


def _members(text: str, at: int) -> Iterator[tuple[str, int, int]]:
    """(key, where the key starts, where its value starts) of each member of the object at ``at``
    (nothing if no object starts there), its values skipped whole."""
    if text[at] != "{":
        return
    at = _skip(text, at + 1)
    if text[at] == "}":
        return
    while True:
        key_at = at
        name, at = scanstring(text, at + 1)
        at = _skip(text, at)
        if text[at] != ":":
            raise ValueError("':' expected")
        value_at = _skip(text, at + 1)
        yield name, key_at, value_at
        at = _next(text, value_at, "}")
        if at < 0:
            return


def _items(text: str, at: int) -> Iterator[int]:
    """Where each item of the list at ``at`` starts, the items skipped whole."""
    at = _skip(text, at + 1)
    if text[at] == "]":
        return
    while True:
        yield at
        at = _next(text, at, "]")
        if at < 0:
            return


def _next(text: str, value_at: int, close: str) -> int:
    """Past the value at ``value_at``: where the next member or item starts, or -1 at ``close``."""
    _, at = _DECODER.raw_decode(text, value_at)
    at = _skip(text, at)
    if text[at] == close:
        return -1
    if text[at] != ",":
        raise ValueError("',' expected")
    return _skip(text, at + 1)
