"""Where each line ends: the last point of every series a layer draws, for direct labels.

A series' end is its row with the largest x (numbers, or date text compared as text) whose y is
a number; of rows sharing that x, the last in row order, the one Vega's line reaches last. One
pass over the rows the layer draws (its view: transforms evaluated, the reduction's rows kept,
which always keep each series' last row).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .table import Table
from .values import series_text

__all__ = ["EndPoint", "end_points"]


@dataclass(frozen=True)
class EndPoint:
    """The end of one series: its name (None for a layer's only series), x as the data holds it, y."""

    series: str | None
    x: Any
    y: float


def _order(value: Any) -> tuple[int, Any]:
    # numbers numerically, anything else as text after them (as the series are listed: values.py)
    return (0, value) if _number(value) else (1, str(value))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def end_points(table: Table, x_field: str, y_field: str, series_field: str | None) -> list[EndPoint]:
    """The last point of each series in ``table`` (ordered by series name, numbers numerically)."""
    best: dict[Any, tuple[tuple[int, Any], Any, float]] = {}
    for row in table.rows:
        x, y = row.get(x_field), row.get(y_field)
        if x is None or not _number(y) or (isinstance(x, float) and math.isnan(x)):
            continue
        key = row.get(series_field) if series_field else None
        if series_field and key is None:
            continue
        rank = _order(x)
        if key not in best or rank >= best[key][0]:
            best[key] = (rank, x, float(y))
    ordered = sorted(best, key=_order) if series_field else list(best)
    return [EndPoint(series_text(k) if series_field else None, best[k][1], best[k][2]) for k in ordered]
