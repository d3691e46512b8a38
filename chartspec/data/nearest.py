"""Each series' value at its nearest logged x: the hover tooltip of runs logged on different step grids.

Runs are seldom logged at the same steps (run a every 10, run b every 25), so at most hovered x
values some run has no row. The rule, per series and facet panel, in numpy:

- at a hovered x the series shows its value at its own logged x nearest to it; on a tie, the
  earlier x;
- only if that x is within the series' usual logging interval, the median distance between its
  consecutive logged x values: a run that ended long before the hovered x, or a real hole in its
  log (an outage), shows a dash, as its line shows a gap; a series logged at one x answers there
  only;
- distances are measured as the pointer sees them: in log(x) on a log scale, in milliseconds on a
  time scale.

Rows whose value is missing (empty cells, NaN) are not logged values: a metric logged on its own
rows (Lightning's CSV logger) is found at the steps it was logged at.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported when a tooltip needs it: `chartspec validate` starts without it
    import numpy as np

__all__ = ["nearest_logged"]

#: float slack when a distance equals the interval exactly (log positions, decimal steps)
_SLACK = 1e-9


def nearest_logged(logged: Sequence[float], wanted: Sequence[float]) -> np.ndarray:
    """For each ``wanted`` position, the index into ``logged`` (sorted, distinct) of the logged
    position that answers for it, or -1 where none is within the series' interval."""
    import numpy as np

    have = np.asarray(logged, dtype=float)
    want = np.asarray(wanted, dtype=float)
    count = len(have)
    if count == 0:
        return np.full(len(want), -1, dtype=np.int64)
    right = np.searchsorted(have, want, side="left")  # the first logged position at or after
    left = right - 1
    right_at, left_at = np.minimum(right, count - 1), np.maximum(left, 0)
    to_right = np.where(right < count, have[right_at] - want, np.inf)
    to_left = np.where(left >= 0, want - have[left_at], np.inf)
    pick = np.where(to_left <= to_right, left_at, right_at)  # a tie goes to the earlier x
    distance = np.minimum(to_left, to_right)
    reach = float(np.median(np.diff(have))) if count > 1 else 0.0
    return np.where(distance <= reach * (1 + _SLACK) + _SLACK * np.abs(want), pick, -1)
