"""Band extents computed from the raw rows: ``band: {extent: ci}`` on an errorband, rule or rect.

Instead of naming two columns, a layer may ask for the spread of its y values at each x (over
seeds, runs, repeats): ``minmax``, ``stdev`` (mean +- one sample standard deviation),
``stderr`` (mean +- one standard error) or ``ci`` (a 95% confidence interval, mean +- 1.96
standard errors). The layer's y becomes the mean. Vega-Lite's own ``ci0``/``ci1`` are bootstrap
estimates, random from one render to the next; this normal approximation is deterministic, so
the same inputs still give byte-identical charts.

The extent is written as ordinary transforms appended to the layer's (an aggregate grouped by
x, the series field and the facet fields, then two calculates), so Python evaluates them for
axis extents and tooltips like any other transform (evaluate.py).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING

from .transforms import Aggregate, AggregateOp, Calculate, Transform

if TYPE_CHECKING:
    from .model import Layer

__all__ = ["EXTENTS", "LOWER_FIELD", "UPPER_FIELD", "with_extent"]

LOWER_FIELD, UPPER_FIELD = "__band_lower", "__band_upper"
#: extent -> (the aggregate op giving the spread, how many of it either side of the mean)
EXTENTS: dict[str, tuple[str, float]] = {"stdev": ("stdev", 1.0), "stderr": ("stderr", 1.0), "ci": ("stderr", 1.96)}


def _steps(layer: Layer, groupby: tuple[str, ...]) -> tuple[Transform, ...]:
    assert layer.band is not None and layer.band.extent is not None
    y = layer.y.field
    path = layer.json_path + ("band", "extent")
    mean = AggregateOp(op="mean", field=y, as_field=y)
    if layer.band.extent == "minmax":
        ops = (mean, AggregateOp("min", y, LOWER_FIELD), AggregateOp("max", y, UPPER_FIELD))
        return (Aggregate(ops=ops, groupby=groupby, json_path=path),)
    op, times = EXTENTS[layer.band.extent]
    # Named after its statistic: Vega-Lite merges sibling layers' aggregates over the same groupby,
    # and two layers writing different statistics to one name would then share one of them.
    column = f"__band_{op}"
    value, spread = f"datum[{json.dumps(y)}]", f"datum[{json.dumps(column)}]"
    return (Aggregate(ops=(mean, AggregateOp(op, y, column)), groupby=groupby, json_path=path),
            Calculate(expr=f"{value} - {times:g} * {spread}", as_field=LOWER_FIELD, json_path=path),
            Calculate(expr=f"{value} + {times:g} * {spread}", as_field=UPPER_FIELD, json_path=path))


def with_extent(layer: Layer, x_field: str, panels: tuple[str, ...]) -> Layer:
    """``layer`` with the transforms its ``band.extent`` needs after its own (unchanged without one).

    Rows are grouped by x, the layer's series field and ``panels`` (the facet fields): one band
    per line drawn."""
    if layer.band is None or layer.band.extent is None:
        return layer
    groupby = tuple(dict.fromkeys([x_field, *([layer.series.field] if layer.series else []), *panels]))
    return replace(layer, transform=(*layer.transform, *_steps(layer, groupby)))
