"""The M4 grid: how many columns a plot is cut into, and how many rows that keeps.

reduce.py (DuckDB and numpy), sparkm4.py and postgres.py cut on the same grid, so a chart reduced
in any engine keeps the same rows. See reduce.py for what the columns keep and why these numbers.
"""

from __future__ import annotations

import math
import os

from ..spec.model import ChartSpec, Layer
from .values import is_dashed, layer_dash

__all__ = ["CURVES", "MAX_DRAWN_ROWS", "SUBPIXELS", "every_row_shapes", "columns_per_pixel", "m4_columns", "m4_group", "m4_rows", "max_drawn_rows",
           "small_rows"]

#: M4 columns (each value's extremes) per CSS pixel at --scale 1; the first and last row per pixel
SUBPIXELS = 7
#: and at least this many per device pixel at larger scales
DEVICE_SUBPIXELS = 4
#: with zoom on (HTML), this many times more columns, so zooming in this far stays exact
ZOOM_COLUMNS = 4
#: the reduced rows of one chart stay near this many: many series get fewer sub-columns each
#: (10 runs x 10,000 noisy steps at 600 px: 40,000 gave 2.2 columns a pixel and 0.67 % of PNG
#: pixels differing from the full render, 60,000 gives 4 and 0.35 %; Vega draws ~25 us a row)
ROW_BUDGET = 60_000
#: a table drawing at most this many rows is drawn whole where a cut would cost fidelity and save
#: Vega little (reduce.py: sweeps with few columns a pixel, translucent points)
WHOLE_ROWS = 2 * ROW_BUDGET
#: the most rows one chart may hand to Vega (beyond it Vega takes minutes or exhausts its heap);
#: a build can raise it with the environment variable CHARTSPEC_MAX_DRAWN_ROWS
MAX_DRAWN_ROWS = 250_000
#: d3's curves that bend through every row (the step curves keep their corners, which M4 keeps)
CURVES = frozenset({"monotone", "basis", "cardinal", "natural"})


def every_row_shapes(model: ChartSpec, layer: Layer) -> bool:
    """Whether every row shapes what ``layer`` draws, so that no cut keeps its look: translucent
    points and ticks darken where they overlap (one per pixel cell: 6 % of PNG pixels differed at
    100,000 noisy points), a dash pattern follows the path's length, which each zigzag M4 drops
    shortens (0.97 %), and a d3 curve (:data:`CURVES`) through M4's rows bends elsewhere than
    through every row (basis 1.8 %, natural 2.3 %). reduce.py draws such a table whole up to
    :data:`WHOLE_ROWS` marks."""
    if layer.mark in ("point", "tick"):
        return True
    if layer.mark not in ("line", "area", "rule", "errorband"):
        return False
    return layer.interpolate in CURVES or (layer.mark in ("line", "rule") and is_dashed(layer_dash(model, layer)))


def columns_per_pixel(scale: float) -> float:
    """M4 columns per CSS pixel of the plot for images at ``scale`` device pixels per CSS pixel."""
    return max(SUBPIXELS, DEVICE_SUBPIXELS * scale)


def m4_columns(model: ChartSpec, scale: float, series: float) -> int:
    """M4 columns across the plot for ``series`` curves (series x values drawn)."""
    per_pixel = columns_per_pixel(scale) * (ZOOM_COLUMNS if model.interactive.zoom else 1)
    # many series (a sweep of runs): fewer columns each, so the chart stays drawable, down to one a
    # pixel; below that only when one a pixel hands Vega more than half the rows it may draw (the
    # hover table may add as many), where a sweep of 110 runs failed: a column then spans a few
    # pixels, its extremes still kept
    rows_a_pixel = 4 * max(1, series) * model.width  # M4's rows at one column a pixel
    at_least = min(1.0, max_drawn_rows() / 2 / rows_a_pixel)
    # the most columns whose rows (2 a column, 2 a group of them: m4_group) stay within the budget
    zoom = ZOOM_COLUMNS if model.interactive.zoom else 1
    fits = [p / 20 for p in range(math.floor(per_pixel * 20), 0, -1)
            if max(1, series) * model.width * _rows_a_css_pixel(p / 20, zoom, scale) <= ROW_BUDGET]
    per_pixel = max(at_least, min(per_pixel, fits[0] if fits else 0.0))
    return max(1, math.ceil(model.width * per_pixel))


def _rows_a_css_pixel(per_pixel: float, zoom: int, scale: float) -> float:
    """Rows one series keeps a CSS pixel with ``per_pixel`` columns: each value's extremes per
    column, the first and last row per group of columns (m4_group)."""
    group = max(1, int(per_pixel / zoom // max(1.0, scale)))
    return 2 * per_pixel + 2 * per_pixel / group


def m4_rows(model: ChartSpec, scale: float, columns: int) -> int:
    """The most rows M4 keeps of one value of one series over ``columns`` columns: tables of at
    most this many rows are drawn as they are."""
    return 2 * columns + 2 * math.ceil(columns / m4_group(model, scale, columns))


def small_rows(model: ChartSpec) -> int:
    """The most rows a table may have and still be drawn as it is (what the cut keeps of one value
    at --scale 1: 9,600 rows at 600 px): small data is never changed by the reduction."""
    return m4_rows(model, 1.0, math.ceil(model.width * SUBPIXELS))


def m4_group(model: ChartSpec, scale: float, columns: int) -> int:
    """How many neighbouring M4 columns (of ``columns``) share one first and last row: those of a
    device pixel (7 at scale 1, 4 at scale 2); 1 (plain M4) once a sweep's many series leave a
    pixel fewer columns than that. Column ``b`` belongs to group ``floor(b / group)``."""
    per_css = columns / model.width / (ZOOM_COLUMNS if model.interactive.zoom else 1)
    return max(1, int(per_css // max(1.0, scale)))


def max_drawn_rows() -> int:
    """:data:`MAX_DRAWN_ROWS`, or what CHARTSPEC_MAX_DRAWN_ROWS sets (a positive whole number)."""
    raw = os.environ.get("CHARTSPEC_MAX_DRAWN_ROWS", "").strip().replace("_", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else MAX_DRAWN_ROWS
