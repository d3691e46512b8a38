"""Where the rasteriser samples a filled mark, as SQL: the rows an area or a band keeps beyond M4.

M4 keeps what a stroke can show (reduce.py), but a fill is not a stroke. vl-convert's PNG is
resvg's tiny-skia, which anti-aliases a fill by 4 x 4 supersampling (``SUPERSAMPLE_SHIFT = 2``):
whether a sample is covered depends only on the fill's edge at the sample's x, at
(i + 0.5) / 4 device pixels from the plot's left edge (Vega puts that edge on a whole CSS pixel).
Noisy data many rows to a pixel makes the edge cross each pixel row back and forth, so the
covered fraction of the 16 samples (the pixel's shade) is set by where the edge is at those 4 x
positions; M4's first, min, max and last per column draw a different edge between them, and
about 4.7 % of a noisy area's pixels then differed from the full render (5 columns a pixel; 1.4 %
at 16, 0.36 % at 64, where nearly every row is kept).

So a filled layer also keeps, per series, the first two and last two rows of every cell between
two sample positions: the edge's segments at and next to every sample (the segment around a
sample alone left 1.9 % of pixels differing at --scale 1: the rasteriser snaps vertices to
1/256 px and steps edges in fixed point, so a sample may fall on the next segment). An ``area``
(no line on top) then needs M4 only for each pixel column's extremes (spikes, the axis' extent);
an errorband's line keeps its M4 columns. Measured on 100,000 noisy steps, 600 px: an area
differed from the full render in 0.003 % of pixels at --scale 1 with about as many rows as M4
alone (4.7 % before). This needs the x scale Vega draws: a linear quantitative x over the data's
extent rounded by d3's ``nice`` (nice.py), the given domain, or the extent with ``nice: false``;
other x scales (time, log, tick steps), a chart with annotations (they may widen Vega's x domain)
and images whose plot width is no whole number of device pixels keep M4 alone, and so does a
connection's table or one cut where it lives (Postgres and Spark run M4 remotely; a DuckDB file
must draw as they do).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..spec.model import ChartSpec
from .engine import quote
from .nice import linear_nice

__all__ = ["FILLED_MARKS", "SAMPLES", "fill_cells", "fill_part"]

#: marks drawn with a filled area (an errorband's band)
FILLED_MARKS = frozenset({"area", "errorband"})
#: the rasteriser's samples across one device pixel (tiny-skia: 1 << SUPERSAMPLE_SHIFT)
SAMPLES = 4


def fill_cells(model: ChartSpec, x_map: tuple[str, float, float], scale: float) -> str | None:
    """SQL numbering the cells between the fill's sample positions (cell ``i`` runs from sample
    ``i`` to sample ``i + 1``) for images at ``scale`` device pixels per CSS pixel; None when
    where Vega draws x is not known here (module docstring)."""
    x = model.x
    if (x.type != "quantitative" or x.scale != "linear" or x.time_unit is not None or x.reverse or x.zero
            or x.tick_step is not None or x.tick_interval is not None):
        return None
    if model.annotations and x.domain is None:
        return None  # Vega's x domain also covers the annotations' x (a vline past the data)
    if abs(model.width * scale - round(model.width * scale)) > 1e-9:
        return None  # the plot's edge off the device pixel grid (--ppi 100: 833.3 px): samples elsewhere
    col, lo, hi = x_map
    if x.domain is not None:
        lo, hi = (float(v) for v in x.domain)
    elif x.nice is not False:
        lo, hi = linear_nice(lo, hi)
    if not hi > lo:
        return None
    per_css = SAMPLES * scale
    return f"floor(({col} - {lo!r}) / {hi - lo!r} * {model.width * per_css!r} - 0.5)"


def fill_part(members: Sequence[Any], x: str, cells: str) -> str:
    """SQL: per series and cell, the first two and last two rows by x (``r``), with the bits of the
    layers ``members`` (reduce.py's plans sharing their rows and series keys)."""
    first = members[0]
    keys = "".join(f"{quote(k)}, " for k in first.keys)
    rows = f"SELECT *, {cells} AS __c FROM {first.source} WHERE {first.where} AND {x} IS NOT NULL"
    window = f"WINDOW w AS (PARTITION BY {keys}__c)"
    ends = f"SELECT *, min({x}) OVER w AS __lo, max({x}) OVER w AS __hi FROM ({rows}) {window}"
    near = (f"SELECT *, min(CASE WHEN {x} > __lo THEN {x} END) OVER w AS __lo2, "
            f"max(CASE WHEN {x} < __hi THEN {x} END) OVER w AS __hi2 FROM ({ends}) {window}")
    # the smallest row of a repeated x first, the largest last, as M4 picks them (m4sql.py)
    picks = [f"min(__row) FILTER (WHERE {x} = __lo)", f"min(__row) FILTER (WHERE {x} = __lo2)",
             f"max(__row) FILTER (WHERE {x} = __hi2)", f"max(__row) FILTER (WHERE {x} = __hi)"]
    bits = sum(1 << plan.layer.index for plan in members)
    return f"SELECT unnest([{', '.join(picks)}]) AS r, {bits} AS bit FROM ({near}) GROUP BY {keys}__c"
