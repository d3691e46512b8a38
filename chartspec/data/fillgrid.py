"""Where the rasteriser samples a filled mark, as SQL: the rows an area or a band keeps beyond M4.

M4 keeps what a stroke can show (reduce.py), but a fill is not a stroke. vl-convert's PNG is
resvg's tiny-skia, which anti-aliases a fill by 4 x 4 supersampling (``SUPERSAMPLE_SHIFT = 2``):
whether a sample is covered depends only on the fill's edge at the sample's x, at
(i + 0.5) / 4 device pixels from the image's left edge.
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
alone (4.7 % before). Vertices closer to a sample than the rasteriser's snapping (:data:`SNAP`)
may land on it, so those rows are kept too while they are few (dense data, a log x's right end).
This needs the x scale Vega draws (:func:`_drawn_domain`): a linear quantitative x over the
data's extent rounded by d3's ``nice`` (nice.py), a log x rounded out to powers of ten, symlog,
sqrt and pow x rounded on their own values (d3's linearish scales), a time x over its extent
(Vega-Lite does not round it; tick steps such as ``{hour: 6}`` leave it so) or, with ``nice:
true``, rounded to the UTC time interval d3 picks for ten ticks (timenice.py), the given domain
(which ``nice: true`` still rounds, as Vega does), or the extent with ``nice: false`` (measured:
areas on a log x 3.3 % -> 0.000 %, a time x 8.5 % -> 0.001 %, a sqrt x 2.8 % -> 0.001 %; 100,000
noisy steps on a time x with a domain, ``nice: true`` or tick steps 4.2-5.1 % -> 0.002 %),
widened by the annotations' x (and zero, with ``zero: true``) as Vega widens it, running from the
right on a reversed x, or to whole ``tick_step``s as the compiler widens it (compiler/scales.domain).

It also needs where the plot's left edge falls among the samples. Vega puts it on a whole CSS
pixel past the ``padding`` (the axes' room rounded up), known only once Vega has laid the axes
out. Where a CSS pixel is a whole number of samples (--scale 1, 1.25, 1.5, 2) every whole pixel is
on a sample; elsewhere the pixels fall on as many places among the samples as the denominator of
the samples a CSS pixel (--ppi 96: 16/3, 3 places; --ppi 100: 50/9, 9), and the cut keeps a grid
for each (:func:`edge_phases`): the rows of the right one are among them, and rows beyond a
grid's do not move the edge at its samples. That keeps up to that many times the rows, so only
while the table's rows or the grids' (4 a cell a curve) stay within :data:`~.m4grid.WHOLE_ROWS`
(measured, 100,000 noisy steps at 600 px: --ppi 100 area 4.9 % -> 0.000 % and errorband 1.5 %
-> 0.000 %, keeping every row, so drawn as slowly as the full chart, 5-9 s; --ppi 96 40,000-45,000
rows, 0.000-0.004 %, where one grid kept 15,000 and differed 4.4 % unless the edge fell on a
sample; 1,000,000 steps at --ppi 100: 122,000 rows, drawn in 2 s). The curves are counted as the
M4 budget counts them (each value of a band a curve), which overstates a band's grids. More places (a --scale of 1.2345), grids past that many rows and a
``nice`` local-time x (``scale: time``: rounded in the renderer's zone) keep M4 alone, and so does
a connection's table or one cut where it lives (Postgres and Spark run M4 remotely; a DuckDB file
must draw as they do).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

from ..spec.model import ChartSpec
from .checks import MAX_TICKS
from .engine import Relation, quote
from .m4grid import WHOLE_ROWS
from .nice import nice_domain, step_domain
from .sources import written_date
from .timenice import utc_nice

__all__ = ["FILLED_MARKS", "SAMPLES", "SNAPPED_ROWS", "edge_phases", "fill_cells", "fill_part"]

#: marks drawn with a filled area (an errorband's band)
FILLED_MARKS = frozenset({"area", "errorband"})
#: the rasteriser's samples across one device pixel (tiny-skia: 1 << SUPERSAMPLE_SHIFT)
SAMPLES = 4
#: how near a sample (device pixels) a vertex may land on it (tiny-skia snaps supersampled
#: coordinates to 1/64 and steps edges in fixed point; Vega writes 3 decimals): measured, 1/256
#: left 0.26 % of a dense log-x area's pixels differing, 2/256 none
SNAP = 2 / 256
#: the most places the plot's edge may take among the samples that the cut keeps a grid for
MAX_PHASES = 9
#: Vega-Lite's padding around a chart whose spec gives none (px)
VEGA_PADDING = 5
#: the most rows kept for being near a sample, per series group
SNAPPED_ROWS = 30_000
#: x scale -> (exponent -> (its transform as xmap.py maps it, the inverse))
_WARPS: dict[str, Callable[[float], tuple[Callable[[float], float], Callable[[float], float]]]] = {
    "linear": lambda _: (float, float),
    "log": lambda _: (math.log, math.exp),
    "symlog": lambda _: (lambda v: math.copysign(math.log1p(abs(v)), v), lambda v: math.copysign(math.expm1(abs(v)), v)),
    "sqrt": lambda e: (lambda v: math.copysign(abs(v) ** e, v), lambda v: math.copysign(abs(v) ** (1 / e), v)),
    "pow": lambda e: (lambda v: math.copysign(abs(v) ** e, v), lambda v: math.copysign(abs(v) ** (1 / e), v)),
}


def fill_cells(model: ChartSpec, x_map: tuple[str, float, float], scale: float,
               drawn: tuple[float, int] = (1.0, 0)) -> tuple[str, ...] | None:
    """SQL placing each row among the fill's sample positions: whole at the samples (its floor
    numbers the cell from sample ``i`` to sample ``i + 1``) for images at ``scale`` device pixels per
    CSS pixel, once for each place the plot's left edge may take among the samples
    (:func:`edge_phases`) while that keeps at most :data:`~.m4grid.WHOLE_ROWS` rows of the table
    (``drawn``: its curves, as reduce._series_count counts them, and rows); None when where Vega
    draws x is not known here (module docstring)."""
    x = model.x
    kind = x.scale or "linear"  # also the unset default of a temporal x (spec/model.py)
    if (kind not in (("linear", "time", "utc") if x.type == "temporal" else _WARPS if x.type == "quantitative" else ())
            or x.time_unit is not None or x.zero and (x.tick_step is not None or kind == "log")
            or x.tick_step is not None and (kind != "linear" or isinstance(x.tick_step, dict))):
        return None
    if (reach := _annotations_x(model)) is None:
        return None  # an annotation's x that is no number or date (Vega's domain is not known here)
    phases, (series, rows) = edge_phases(model, scale), drawn
    if phases is None or len(phases) > 1 and min(rows, series * len(phases) * 4 * model.width * SAMPLES * scale) > WHOLE_ROWS:
        return None  # too many places for the plot's edge, each grid 4 rows a cell a curve: M4 alone
    col, lo, hi = x_map  # x as the scale maps it linearly, and its extent so (xmap.py)
    if (drawn := _drawn_domain(model, kind, lo, hi, reach)) is None:
        return None
    lo, hi = drawn
    if not hi > lo:
        return None
    per_css = SAMPLES * scale
    offset = f"{hi!r} - {col}" if x.reverse else f"{col} - {lo!r}"  # a reversed x runs from the right
    # whole at the samples, which lie half a sample past whole ones (tiny-skia), the edge ``phase`` past one
    return tuple(f"(({offset}) / {hi - lo!r} * {model.width * per_css!r} {'-' if phase < 0.5 else '+'} {abs(phase - 0.5)!r})"
                 for phase in phases)


def edge_phases(model: ChartSpec, scale: float) -> tuple[float, ...] | None:
    """Where the plot's left edge may fall among the rasteriser's samples, in samples past the last
    whole one (0 at --scale 1 and 2): Vega puts the edge on a whole CSS pixel past the ``padding``
    (the axes' room, ceil'ed: vega-view-transforms' viewLayout), which is only known once Vega has
    laid the axes out, so every whole pixel is a candidate; at ``scale`` device pixels a CSS pixel
    they give as many places as the denominator of the samples a CSS pixel (--ppi 96: 16/3, three).
    None past :data:`MAX_PHASES` places or for a padding Vega-Lite takes from elsewhere."""
    pad = VEGA_PADDING if model.padding is None else model.padding.get("left", 0) if isinstance(
        model.padding, dict) else model.padding  # (Vega reads a side left out as 0)
    per_css = Fraction(SAMPLES * scale).limit_denominator(MAX_PHASES)
    if abs(float(per_css) - SAMPLES * scale) > 1e-9 or not isinstance(pad, (int, float)) or not math.isfinite(pad):
        return None
    start = Fraction(pad) * per_css
    return tuple(sorted({float((start + n * per_css) % 1) for n in range(per_css.denominator)}))


def _drawn_domain(model: ChartSpec, kind: str, lo: float, hi: float, reach: list[float]) -> tuple[float, float] | None:
    """The x domain Vega draws (as the scale maps it linearly, as ``lo`` and ``hi``, the data's
    extent, are) as the compiler writes it (compiler/scales.vl_scale): the given domain, or the
    extent joined with the annotations' x ``reach`` (and zero), or whole ``tick_step``s; rounded by
    d3's ``nice`` where the scale is nice (numbers without a domain or steps, unless ``nice: false``;
    any axis with ``nice: true``, a time axis too). None where that is not known here."""
    x = model.x
    if x.type == "temporal":  # epoch milliseconds; Vega-Lite leaves a time scale's domain unrounded unless 'nice' is set
        raw = x.domain if x.domain is not None else (min([lo, *reach]), max([hi, *reach]))
        if not x.nice:
            return raw
        return utc_nice(*raw) if kind != "time" else None  # (a local time's intervals: the renderer's zone)
    exponent = 0.5 if kind == "sqrt" else float(x.exponent) if x.exponent is not None else 1.0
    warp, unwarp = _WARPS[kind](exponent)
    try:
        raw = (float(x.domain[0]), float(x.domain[1])) if x.domain is not None else (
            min([unwarp(lo), *reach, *[0.0] * bool(x.zero)]), max([unwarp(hi), *reach, *[0.0] * bool(x.zero)]))
        fixed = x.domain is not None
        if not fixed and x.tick_step is not None:  # whole steps (compiler/scales.domain)
            if raw[0] == raw[1] or (raw[1] - raw[0]) / x.tick_step > MAX_TICKS:
                return None  # a flat axis, or ticks left to Vega (compiler/tickroom.py)
            raw, fixed = step_domain(raw[0], raw[1], x.tick_step), True
        if x.nice if x.nice is not None else not fixed:  # d3 rounds the domain's own values (linearish)
            raw = nice_domain(raw[0], raw[1], "log" if kind == "log" else "linear")
        return warp(raw[0]), warp(raw[1])
    except (ValueError, OverflowError, ZeroDivisionError):
        return None


def _annotations_x(model: ChartSpec) -> list[float] | None:
    """The x values the annotations are drawn at (dates as epoch ms, as the data's), which Vega's x
    domain joins to the data's; None when one is neither a number nor a date."""
    fmt = dict(model.data.parse).get(model.x.field)
    found = []
    for value in (v for a in model.annotations for v in a.x):
        try:
            found.append(float(written_date(value, fmt) if isinstance(value, str) else value))
        except (TypeError, ValueError):
            return None
    return found if all(map(math.isfinite, found)) else None


def fill_part(rel: Relation, members: Sequence[Any], x: str, cells: str, snapped: int = SNAPPED_ROWS) -> str:
    """SQL: per series and cell, the first two and last two rows by x (``r``), and the rows the
    rasteriser may snap onto a sample (up to ``snapped``: :data:`SNAPPED_ROWS` shared by the
    grids), with the bits of the layers ``members`` (reduce.py's plans sharing their rows and
    series keys). ``cells``: one of :func:`fill_cells`' positions, whole at the samples."""
    first = members[0]
    keys = "".join(f"{quote(k)}, " for k in first.keys)
    rows = f"SELECT *, floor({cells}) AS __c FROM {first.source} WHERE {first.where} AND {x} IS NOT NULL"
    window = f"WINDOW w AS (PARTITION BY {keys}__c)"
    ends = f"SELECT *, min({x}) OVER w AS __lo, max({x}) OVER w AS __hi FROM ({rows}) {window}"
    near = (f"SELECT *, min(CASE WHEN {x} > __lo THEN {x} END) OVER w AS __lo2, "
            f"max(CASE WHEN {x} < __hi THEN {x} END) OVER w AS __hi2 FROM ({ends}) {window}")
    # the smallest row of a repeated x first, the largest last, as M4 picks them (m4sql.py)
    picks = [f"min(__row) FILTER (WHERE {x} = __lo)", f"min(__row) FILTER (WHERE {x} = __lo2)",
             f"max(__row) FILTER (WHERE {x} = __hi2)", f"max(__row) FILTER (WHERE {x} = __hi)"]
    bits = sum(1 << plan.layer.index for plan in members)
    edges = f"SELECT unnest([{', '.join(picks)}]) AS r, {bits} AS bit FROM ({near}) GROUP BY {keys}__c"
    # Rows within SNAP of a sample: the rasteriser may snap them onto it, so the edge there is theirs
    # (a log x has 2,000 rows a pixel at its right end: 0.53 % of pixels differed without them). Only
    # while they are few: dense data puts ~6 % of its rows there (1,000,000 rows at 600 px: 62,000)
    at = f"SELECT __row AS r, {bits} AS bit FROM {first.source} WHERE {first.where} AND {x} IS NOT NULL " \
         f"AND abs({cells} - round({cells})) < {SNAP * SAMPLES!r}"
    (count,), = rel.sql(f"SELECT count(*) FROM ({at})")
    return f"{edges} UNION ALL {at}" if count <= snapped else edges
