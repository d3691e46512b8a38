"""What a TensorBoard run keeps after a restart: the values a crashed job logged past the step a
resumed job started again from are purged, as TensorBoard's ``EventAccumulator`` purges them
(``tensorboard/backend/event_processing/event_accumulator.py``, ``_MaybePurgeOrphanedData``).

A run's events are taken in the order TensorBoard reads them (its event files in name order, each
from its start). Which rule holds depends on the ``file_version`` event last read (the first event
of every file a writer makes; ``brain.Event:2`` for every writer since TensorFlow 1.x):

- version 2 or later: a ``session_log { status: START }`` event at step N (PyTorch's
  ``SummaryWriter(purge_step=N)`` writes it when a resumed job opens its file) purges every value
  read before it, of every tag, at step N or later;
- no version, or an older one: a summary event at a step below the last step read purges the
  values read before it, of the tags it holds, at its step or later (the step read last is
  not moved by such an event).

Values logged after the purging event stay, whatever their step. TensorBoard's web UI reads runs
with a second accumulator (``plugin_event_accumulator.py``) that, since TensorBoard 2.5, ignores a
run's *first* START (tensorflow/tensorboard#4763): for a run resumed once with ``purge_step`` it
still shows the crashed job's values. chartspec follows ``EventAccumulator`` and the writer's
stated intent (``purge_step``: hide what the crashed job logged from that step on), with a note.

The events are read one by one anyway (each is a protobuf); :class:`History` only remembers the
few purging events, and :func:`kept` applies them to all values at once with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...errors import Diagnostic

__all__ = ["History", "Purge", "kept"]

_START = 1  # SessionLog.START


def _version(text: str) -> float:
    """The number of a ``file_version`` ("brain.Event:2" -> 2.0); -1 when unreadable, as TensorBoard's."""
    try:
        return float(text.split("brain.Event:")[-1])
    except ValueError:
        return -1.0


@dataclass(frozen=True)
class Purge:
    """A purging event: its position among the run's events, its step, the tags it purges (None:
    all), the file that holds it and whether a START (else a step out of order) caused it."""

    event: int
    step: int
    tags: frozenset[str] | None
    location: str
    start: bool
    after: int  # the step read last before it (out of order only)


@dataclass
class History:
    """The state TensorBoard keeps while it reads one run: its file version and the last step."""

    events: int = 0
    version: float | None = None
    recent: int = -1
    purges: list[Purge] = field(default_factory=list)

    def see(self, event: Any, location: str) -> int:
        """Take the run's next event; its position, which the values it holds are tagged with."""
        at = self.events
        self.events += 1
        kind = event.WhichOneof("what")  # one call, not a HasField per kind: read_run calls this per event
        if kind == "file_version":
            self.version = _version(event.file_version)
        if self.version and self.version >= 2:
            if kind == "session_log" and event.session_log.status == _START:
                self.purges.append(Purge(at, event.step, None, location, True, self.recent))
        elif kind == "summary" and event.step < self.recent:
            tags = frozenset(v.tag for v in event.summary.value)
            self.purges.append(Purge(at, event.step, tags, location, False, self.recent))
        else:
            self.recent = event.step
        return at


def _limits(position: Any, purges: list[Purge]) -> Any:
    """Per value (its event's ``position``): the lowest step of the purges read after it; a value
    at that step or later is purged. +inf where none follows."""
    import numpy as np

    at = np.array([p.event for p in purges], dtype=np.int64)
    steps = np.array([p.step for p in purges], dtype=np.float64)
    lowest_from = np.minimum.accumulate(steps[::-1])[::-1]  # the lowest step of purges i, i+1, ...
    first_after = np.searchsorted(at, position, side="right")
    return np.append(lowest_from, np.inf)[first_after]


def kept(position: Any, step: Any, metric: Any, history: History) -> tuple[Any, Diagnostic | None]:
    """Which values (numpy arrays of their event positions, steps and tags) TensorBoard keeps, and
    a note saying how many it purged and why; all kept, no note, when nothing was purged."""
    import numpy as np

    keep = np.ones(len(step), dtype=bool)
    starts = [p for p in history.purges if p.start]
    if starts:
        keep &= step < _limits(position, starts)
    by_start = int((~keep).sum())
    for tag in sorted({t for p in history.purges if not p.start for t in p.tags or ()}):
        purges = [p for p in history.purges if not p.start and tag in (p.tags or ())]
        rows = np.flatnonzero(metric == tag)
        keep[rows] &= step[rows] < _limits(position[rows], purges)
    purged = int((~keep).sum())
    if not purged:
        return keep, None
    return keep, _note(purged, by_start, history.purges)


def _note(purged: int, by_start: int, purges: list[Purge]) -> Diagnostic:
    first = next(p for p in purges if p.start) if by_start else next(p for p in purges if not p.start)
    values = "1 value" if purged == 1 else f"{purged:,} values"
    if by_start:
        why = (f"a SessionLog START at step {first.step} (SummaryWriter(purge_step={first.step}) writes it) purges "
               f"what the run logged before it at step {first.step} or later")
    else:
        why = (f"a value logged at step {first.step} after step {first.after}, in a file without file version 2, "
               f"purges what its tag logged before it at step {first.step} or later")
    return Diagnostic(f"{values} logged before a restart purged: {why}, as TensorBoard's EventAccumulator does",
                      file=first.location, severity="note",
                      hint="a resumed job logs those steps again; the values logged after the restart are drawn")
