"""Band extents computed from the raw rows: ``band: {extent: ci}`` on an errorband, rule or rect.

Instead of naming two columns, a layer may ask for the spread of its y values at each x (over
seeds, runs, repeats): ``minmax``, ``stdev`` (mean +- one sample standard deviation),
``stderr`` (mean +- one standard error) or ``ci`` (a 95% confidence interval, mean +- 1.96
standard errors). The layer's y becomes the mean. Vega-Lite's own ``ci0``/``ci1`` are bootstrap
estimates, random from one render to the next; this normal approximation is deterministic, so
the same inputs still give byte-identical charts.

The extent is written as ordinary transforms appended to the layer's (an aggregate grouped by
x, the series field and the facet fields, then two calculates), so Python evaluates them for
axis extents and tooltips like any other transform (data/evaluate.py).
"""

from __future__ import annotations

__all__ = ["EXTENTS", "LOWER_FIELD", "UPPER_FIELD"]

LOWER_FIELD, UPPER_FIELD = "__band_lower", "__band_upper"
#: extent -> (the aggregate op giving the spread, how many of it either side of the mean)
EXTENTS: dict[str, tuple[str, float]] = {"stdev": ("stdev", 1.0), "stderr": ("stderr", 1.0), "ci": ("stderr", 1.96)}


