"""The rows a layer may draw, for the guards that count values, when Python cannot run its filters.

The series guard (seriescount.py) and the categories guard (categories.py) count a field's values
in the rows each layer draws, after its filters. A filter Python cannot run ahead of Vega (a
regular expression, ``test(/^run-/, datum.run)``, which neither the Python evaluator nor SQL
knows) used to leave its layer uncounted, so such a filter let 50,000 series through. A filter
only drops rows: taking it to keep every row gives a superset of what the layer draws, and the
values counted there are an upper bound. The guards then refuse on that bound, saying which filter
was not run, and how to write it so that it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Calculate, Filter
from .evaluate import evaluate
from .layerdata import layer_dates, layer_steps
from .rows import DRAWS
from .smoothing import draws
from .table import Table

__all__ = ["Bound", "bound_rows"]


@dataclass(frozen=True)
class Bound:
    """A superset of the rows a layer draws, and the first filter taken to keep every row."""

    rows: tuple[dict[str, object], ...]
    skipped: Filter


def bound_rows(table: Table, layer: Layer, model: ChartSpec, has_own: bool, field: str) -> Bound | None:
    """A superset of the rows ``layer`` draws from ``table``, to count ``field`` in: every step a
    filter or calculate, those Python cannot run taken as keeping every row (once a calculate it
    cannot run made a field, every later filter too: it may read that field). None: no such bound
    (another transform, a calculate making ``field``, x floored to a time unit) or no filter skipped."""
    steps = layer_steps(layer, model, has_own)
    if any(not isinstance(s, (Filter, Calculate)) for s in steps) or (
            model.x.time_unit is not None and field == model.x.field):
        return None
    rows = tuple(row for row in table.rows if draws(row, layer.index)) if DRAWS in table.columns else table.rows
    dates, skipped, blind = layer_dates(layer, model), None, False
    for step in steps:
        if blind and isinstance(step, Calculate) and step.as_field == field:
            return None  # made from a field with no values here
        out = None if blind and isinstance(step, Filter) else evaluate(rows, [step], model.x.field, dates)
        if out is not None:
            rows = out
        elif isinstance(step, Filter):
            skipped = skipped or step
        elif step.as_field == field:
            return None  # the counted values are the ones it makes
        else:
            blind = True
    return Bound(rows, skipped) if skipped is not None else None
