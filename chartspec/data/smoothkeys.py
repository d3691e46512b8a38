"""The values that tell an EMA's series apart when a transform makes the field holding them.

Smoothing runs on the data before its transforms (smoothing.py), yet a layer may be coloured by
a field its ``calculate`` makes (``color: {field: name}`` with ``'lr=' + datum.run``). Read from
the rows before transforms that field is missing: rows read in Python fell into one series (the
EMA averaged the colours together), and the engine's SQL named a column that does not exist. So
each row's series is that expression of the row, computed here on the rows before transforms:
with vegaexpr.py for rows read in Python, as SQL (vegasql.py) over the engine's relation, so both
paths average the same series.

A ``fold`` copies every row once per key: each key's series holds all of the rows, so its key
does not split the EMA.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Calculate, Fold
from .evaluate import evaluate
from .smoothing import smooth_series

__all__ = ["keyed_rows", "series_plan"]


def series_plan(layer: Layer, model: ChartSpec, has_own: bool) -> tuple[tuple[str, ...], tuple[Calculate, ...]]:
    """The fields telling ``layer``'s EMA series apart (:func:`smooth_series`'s, less a fold's key)
    and the calculates, in order, that make those of them a transform makes (and what they read)."""
    from .flow import expression_fields  # flow.py imports layerdata.py, which imports this module

    steps = (*(() if has_own else model.transform), *layer.transform)
    folded = {t.key for t in steps if isinstance(t, Fold)}
    keys = tuple(k for k in smooth_series(layer, model) if k not in folded)
    needed, made = set(keys), []
    for t in reversed(steps):
        if isinstance(t, Calculate) and t.as_field in needed:
            made.append(t)
            needed.discard(t.as_field)
            needed |= set(expression_fields(t.expr))
    return keys, tuple(reversed(made))


def keyed_rows(rows: Sequence[dict[str, Any]], made: Sequence[Calculate], x: str,
               dates: Mapping[str, str]) -> Sequence[dict[str, Any]] | None:
    """``rows`` with the fields ``made`` computes (row for row), or None when vegaexpr.py cannot
    run one of them."""
    return evaluate(rows, made, x, dates) if made else rows
