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
    line, column, source = _place(text, entry, key, value)
    what = "an entry is not an object" if key is None else f"{key!r} is not a number"
    if count == 1:
        message = f"log_history entry {entry}: {what} ({shown}): left out"
    else:
        message = f"log_history: {what} in {count:,} entries (the first, entry {entry}: {shown}): left out"
    hint = ("log_history holds one object per logged step" if key is None
            else "the Trainer logs numbers; a string that is a number ('0.5') is read as one")
    return Diagnostic(message, file=location, line=line, column=column, source_line=source, severity="note",
                      hint=hint)


_LOG_HISTORY = re.compile(r'"log_history"\s*:\s*\[')
_GAP = re.compile(r"[ \t\r\n,]*")


def _place(text: str, entry: int, key: str | None, value: Any) -> tuple[int, int, str | None]:
    """Line, column and line text of ``key`` holding ``value`` in entry ``entry`` of log_history (of
    the entry when ``key`` is None) in ``text``; (0, 0, None) when not found. Looked for only for a
    note: a file without one is read once."""
    history = _LOG_HISTORY.search(text)
    if history is None:
        return 0, 0, None
    start = _key_at(text, history.end(), key, value) if key is not None else None
    if start is None:  # entry by entry: ~40 us each
        decoder, at = json.JSONDecoder(), history.end()
        try:
            for _ in range(entry):
                gap = _GAP.match(text, at)
                assert gap is not None  # the pattern matches the empty string
                start = gap.end()
                _, at = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            return 0, 0, None
        if key is not None and (found := text.find(json.dumps(key), start, at)) >= 0:
            start = found
    assert start is not None
    line_start = text.rfind("\n", 0, start) + 1
    end = text.find("\n", start)
    return text.count("\n", 0, start) + 1, start - line_start + 1, text[line_start: end if end >= 0 else len(text)]


def _key_at(text: str, at: int, key: str, value: Any) -> int | None:
    """Where ``"key": value`` is first written after ``at``, as json.dumps writes it (the Trainer
    does, ASCII only) or as UTF-8; an object or a list by its opening bracket. The first entry
    holding it is the first that holds no number there."""
    names = {json.dumps(key), json.dumps(key, ensure_ascii=False)}
    if isinstance(value, (dict, list)):
        values = r"[\[{]"
    else:
        values = "|".join(map(re.escape, {json.dumps(value), json.dumps(value, ensure_ascii=False)}))
    found = re.compile(f"(?:{'|'.join(map(re.escape, names))})\\s*:\\s*(?:{values})").search(text, at)
    return found.start() if found else None
