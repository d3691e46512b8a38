"""Hugging Face ``Trainer``'s ``trainer_state.json``: the ``log_history`` list.

Each entry is a dict the Trainer logged at a ``step``: training entries (``loss``,
``learning_rate``, ``grad_norm``), evaluation entries (``eval_loss``, ``eval_accuracy``, ...), both
with the ``epoch``. Every number becomes a metric under the Trainer's own name; ``epoch`` is
taken once per step, so a training and an evaluation entry at the same step share one row. The
last entry of a finished training is a summary (``train_runtime``, ``train_loss`` as the average
over the run, ``total_flos``), not a step, and is left out. The file has no wall times.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ...errors import DataError, Diagnostic
from ..jsonrows import parse_json
from .common import Part, long_table, read_text

__all__ = ["read_state"]

#: keys only the summary entry at the end of a training has
_SUMMARY = frozenset({"train_runtime", "train_samples_per_second", "train_steps_per_second", "total_flos"})


def _history(path: Path, location: str) -> list[Any]:
    state = parse_json(read_text(path, location), location)  # errors located; nesting and long integers too
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


def read_state(path: Path, location: str) -> Part:
    """The scalars of one ``trainer_state.json``, in the order they were logged."""
    steps: list[int] = []
    metrics: list[str] = []
    values: list[float] = []
    epochs: set[int] = set()  # the steps whose epoch is taken already
    for number, entry in enumerate(_history(path, location), start=1):
        if not isinstance(entry, dict) or _SUMMARY & entry.keys():
            continue
        step = entry.get("step")
        if not isinstance(step, int) or isinstance(step, bool) or not -2**63 <= step < 2**63:
            raise DataError(Diagnostic(f"log_history entry {number} has no integer 'step'", file=location,
                                       hint="the Trainer logs its global step, a whole number of at most 19 digits"))
        for key, value in entry.items():
            if key == "step" or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            if key == "epoch":
                if step in epochs:
                    continue
                epochs.add(step)
            steps.append(step)
            metrics.append(key)
            values.append(_float(value))
    return Part({}, long_table(range(len(steps)), steps, None, metrics, values))
