"""The hover tooltip's table: one row per x (per facet panel) holding every series' value there.

Series come in several shapes: one column per layer in the chart's rows, a layer's own ``data``,
the long rows of ``color: {field: run}`` (one series per run), rows a transform made (``fold``,
``aggregate``), a smoothed column. Vega-Lite's ``pivot`` widens one dataset, not several, so the
table is built here from what the compiler already knows each layer draws (LayerData views,
transforms run in Python). A layer whose transforms Python cannot run (a Vega expression) is
left out of the table rather than shown with values it does not draw. Series logged at other x
values than the hovered one show their value at their nearest logged x (data/nearest.py has the
rule), and that x.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..spec.model import ChartSpec, Layer
from .isodate import iso_ms
from .layerdata import LayerData
from .m4grid import small_rows
from .nearest import nearest_logged
from .smoothing import order_key, smooth_column
from .table import Table
from .values import series_text, series_values, shared_color_layers

__all__ = ["AT_SUFFIX", "HoverColumn", "HoverTable", "X0_FIELD", "X1_FIELD", "hover_table"]

_PREFIX = "__hover_"
#: where each row's hover area starts and ends on x: halfway to the neighbouring x values
X0_FIELD, X1_FIELD = "__hover_x0", "__hover_x1"
#: a series' column + this: the x its value was logged at, where that is not the row's x
#: (a number; epoch milliseconds on a time axis)
AT_SUFFIX = "_at"


@dataclass(frozen=True)
class HoverColumn:
    """One series in the tooltip: the column holding its values, its legend name, its format."""

    field: str
    title: str
    format: str | None
    #: do some rows show this series' value from another x (``field + AT_SUFFIX``)?
    at: bool = False


@dataclass(frozen=True)
class HoverTable:
    rows: list[dict[str, Any]]
    columns: list[HoverColumn]
    #: the facet fields each row carries (the tooltip names the panel first)
    panels: list[str]
    #: names of layers not in the table (what they draw is known only when Vega runs)
    left_out: list[str]
    #: rows carry X0_FIELD / X1_FIELD (False: x is a band or point scale, or not numbers)
    bounded: bool = False


def _value_field(layer: Layer, columns: tuple[str, ...]) -> str | None:
    """The column the layer's line is drawn from: the smoothed one when smoothed."""
    if layer.smooth is not None and smooth_column(layer.index) in columns:
        return smooth_column(layer.index)
    return layer.y.field if layer.y.field in columns else None


def hover_table(model: ChartSpec, data: LayerData, tags: Mapping[int, str]) -> HoverTable:
    """Every legend entry's value at each x; ``tags``: per layer index, its legend-entry suffix."""
    x = model.x.field
    if any(layer.heat is not None for layer in model.layers):
        # a heatmap's cells hold no series along x: each cell keeps its own tooltip instead
        return HoverTable(rows=[], columns=[], panels=[], left_out=[layer.name for layer in model.layers])
    panels = [f for f in (model.facet.field, model.facet.row, model.facet.column) if f] if model.facet else []
    keys: dict[tuple[Any, ...], None] = {}  # every (panel..., x) some series draws
    points: dict[str, dict[tuple[Any, ...], dict[Any, Any]]] = {}  # column -> panel -> x -> its first value
    columns: list[HoverColumn] = []
    left_out: list[str] = []
    for layer in model.layers:
        if layer.mark == "text":  # labels of other marks: their values are already listed
            continue
        view = data.of(layer)
        exact = data.exact[layer.index] if layer.index < len(data.exact) else True
        value_field = _value_field(layer, view.columns)
        if not exact or value_field is None or x not in view.columns:
            left_out.append(layer.name)
            continue
        fields: dict[Any, str] = {}
        for series, title in _series_titles(model, layer, view, tags.get(layer.index, "")).items():
            fields[series] = f"{_PREFIX}{len(columns)}"
            columns.append(HoverColumn(fields[series], title, layer.y.format))
        if panels or layer.series is not None:
            _gather(view.rows, x, panels, value_field, layer.series.field if layer.series else None, fields, keys, points)
        else:
            _gather_one(view.rows, x, value_field, fields[None], keys, points)
    grid = _sorted_keys(keys)
    # reduced data, or drawn whole ('reduce: false') but past what the reduction leaves as it is:
    # one x a pixel column (the pointer cannot pick finer), before the rows and values are made
    if any(t is not None and t.reduced_from for t in (data.main, *data.own)) or len(grid) > _whole_keys(model):
        grid = _one_per_column(grid, model)
    rows: list[dict[str, Any]] = ([{**dict(zip(panels, key[:-1])), x: key[-1]} for key in grid] if panels
                                  else [{x: key[0]} for key in grid])
    shifted = _fill(rows, points, panels, x, model)
    columns = [replace(c, at=c.field in shifted) for c in columns]
    order = [*panels, x, *(f for c in columns for f in (c.field, c.field + AT_SUFFIX))]
    rows = [{k: line[k] for k in order if k in line} for line in rows]
    bounded = model.x.type in ("quantitative", "temporal") and _add_bounds(rows, panels, x, model.x.scale == "log")
    return HoverTable(rows=rows, columns=columns, panels=panels, left_out=left_out, bounded=bounded)


def _gather(rows: tuple[dict[str, Any], ...], x: str, panels: list[str], value_field: str, series_field: str | None,
            fields: dict[Any, str], keys: dict[tuple[Any, ...], None],
            points: dict[str, dict[tuple[Any, ...], dict[Any, Any]]]) -> None:
    """Each (panel..., x) the rows draw into ``keys``, and each series' first value at each x
    into ``points`` (column -> panel -> x -> value)."""
    for row in rows:
        at = row.get(x)
        if at is None:
            continue
        key = (*(row.get(p) for p in panels), at)
        keys.setdefault(key, None)
        series = None if series_field is None or row.get(series_field) is None else series_text(row.get(series_field))
        column, value = fields.get(series), row.get(value_field)
        if column is not None and _present(value):  # several rows at one x: the first value
            points.setdefault(column, {}).setdefault(key[:-1], {}).setdefault(at, value)


def _gather_one(rows: tuple[dict[str, Any], ...], x: str, value_field: str, column: str,
                keys: dict[tuple[Any, ...], None], points: dict[str, dict[tuple[Any, ...], dict[Any, Any]]]) -> None:
    """:func:`_gather` for one series without panels, the common case (a reduced chart's
    thousands of rows per layer): the same entries, a third of the time."""
    logged: dict[Any, Any] = {}
    for row in rows:
        at = row.get(x)
        if at is None:
            continue
        keys.setdefault((at,), None)
        value = row.get(value_field)
        if value is not None and value == value and at not in logged:  # value == value: not NaN
            logged[at] = value
    if logged:
        column_points = points.setdefault(column, {}).setdefault((), {})
        for at, value in logged.items():
            column_points.setdefault(at, value)


def _sorted_keys(keys: dict[tuple[Any, ...], None]) -> list[tuple[Any, ...]]:
    """The (panel..., x) keys in order: numbers before text, missing last (``order_key``)."""
    if all(len(key) == 1 and type(key[0]) in (int, float) and math.isfinite(key[0]) for key in keys):
        return sorted(keys)  # plain numbers: the same order, without a key per element
    return sorted(keys, key=lambda key: [order_key(v) for v in key])


def _series_titles(model: ChartSpec, layer: Layer, view: Table, tag: str) -> dict[Any, str]:
    """The tooltip title of each series the layer draws (by series value; None: the layer's one).
    Where layers share their colour field, a run's name alone would repeat: the layer's name follows."""
    if layer.series is None:
        return {None: layer.name + tag}
    suffix = f" \u00b7 {layer.name}{tag}" if layer.index in shared_color_layers(model) else tag
    return {value: value + suffix for value in series_values(layer, view)}


def _present(value: Any) -> bool:
    """Is ``value`` a logged value (not an empty cell or a NaN)?"""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def _fill(rows: list[dict[str, Any]], points: dict[str, dict[tuple[Any, ...], dict[Any, Any]]],
          panels: list[str], x: str, model: ChartSpec) -> set[str]:
    """Each row's value of every series, at the series' nearest logged x (data/nearest.py) where x
    is a number or a date, else at the same x only. Returns the columns some row shows from another
    x: those rows carry that x in ``column + AT_SUFFIX``."""
    log = model.x.scale == "log"
    spots = [_spot(row[x], log) for row in rows] if model.x.type in ("quantitative", "temporal") else []
    by_panel: dict[tuple[Any, ...], list[int]] = {}
    for i, row in enumerate(rows):
        by_panel.setdefault(tuple(row.get(p) for p in panels), []).append(i)
    shifted: set[str] = set()
    for column, panel_points in points.items():
        for panel, indices in by_panel.items():
            logged = panel_points.get(panel, {})
            if not spots or any(spots[i] is None for i in indices):  # categories: the same x only
                for i in indices:
                    if rows[i][x] in logged:
                        rows[i][column] = logged[rows[i][x]]
            elif _fill_nearest(rows, indices, [spots[i] for i in indices], logged, column, model):
                shifted.add(column)
    return shifted


def _fill_nearest(rows: list[dict[str, Any]], indices: list[int], spots: list[Any], logged: dict[Any, Any],
                  column: str, model: ChartSpec) -> bool:
    """One series in one panel: ``rows[indices]`` (at ``spots``) get its value at its nearest
    logged x. True if some row shows a value from another x."""
    log = model.x.scale == "log"
    placed = sorted((spot, at) for at in logged if (spot := _number_spot(at) if not log else _spot(at, log)) is not None)
    exact: dict[Any, int] = {}
    for k, (spot, _) in enumerate(placed):
        exact.setdefault(spot, k)  # the first of equal spots, as the search finds it
    # logged at every row's x (the usual case): its own x answers, no search (and no numpy to import)
    found = [exact[spot] for spot in spots] if all(spot in exact for spot in spots) else nearest_logged(
        [spot for spot, _ in placed], spots).tolist()
    shifted = False
    for i, spot, k in zip(indices, spots, found):
        if k < 0:
            continue
        place, at = placed[k]
        rows[i][column] = logged[at]
        if place != spot:  # the x it was logged at, as a number (epoch milliseconds on a time axis)
            rows[i][column + AT_SUFFIX] = at if model.x.type == "quantitative" else _position(at)
            shifted = True
    return shifted


def _number_spot(value: Any) -> float | None:
    """:func:`_spot` on a linear scale, quicker for plain numbers (thousands per series)."""
    if type(value) in (int, float):
        return float(value) if math.isfinite(value) else None
    return _position(value)


def _spot(value: Any, log: bool) -> float | None:
    """Where ``value`` sits on the x scale as the pointer measures it: its position, its log."""
    place = _position(value)
    if place is None or not log:
        return place
    return math.log(place) if place > 0 else None


#: with zoom on, hover rows per CSS pixel column (zoomed in this far the tooltip still finds each)
HOVER_ZOOM = 4


def _whole_keys(model: ChartSpec) -> int:
    """The most x values an unreduced chart's tooltip keeps whole: as many as the rows a table may
    have and still be drawn as it is (reduce.py), so small charts keep every x (100,000 x values
    of a 'reduce: false' chart made a 100,000-row table that counted against Vega's drawing limit,
    for SVG and PNG builds too, which never show it)."""
    return small_rows(model)


def _one_per_column(keys: list[tuple[Any, ...]], model: ChartSpec) -> list[tuple[Any, ...]]:
    """Reduced data (reduce.py) keeps several rows per pixel column; the pointer picks one column,
    so the tooltip needs one: the first (panel..., x) key of each column (per panel), of the same
    reduced rows. Keys, not rows: the rows of the keys dropped here are never made."""
    columns = model.width * (HOVER_ZOOM if model.interactive.zoom else 1)
    log = model.x.scale == "log"
    places = [_number_spot(key[-1]) for key in keys]
    found = [p for p in places if p is not None and (p > 0 or not log)]
    if len(keys) <= columns or not found:
        return keys
    lo, hi = (math.log(min(found)), math.log(max(found))) if log else (min(found), max(found))
    span = (hi - lo) or 1.0
    seen: set[tuple[Any, ...]] = set()
    kept = []
    for key, p in zip(keys, places):
        if p is None or (log and p <= 0):
            continue
        column = (*key[:-1], math.floor(((math.log(p) if log else p) - lo) / span * columns))
        if column not in seen:
            seen.add(column)
            kept.append(key)
    return kept


def _position(value: Any) -> float | None:
    """An x value as the number Vega places: itself, or an ISO date's UTC epoch milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            return float(iso_ms(value))  # the data stage's one rule (isodate.py)
        except ValueError:
            return None
    return None


def _add_bounds(rows: list[dict[str, Any]], panels: list[str], x: str, log: bool) -> bool:
    """Give each row the span of x it answers for, panel by panel (rows are sorted by panel, x):
    from halfway to the previous x to halfway to the next; the first and last end at their own x,
    so the spans never widen the x domain. False, rows untouched, when an x is not a number."""
    places = [_position(row[x]) for row in rows]
    if any(p is None or (log and p <= 0) for p in places):
        return False

    def middle(a: float, b: float) -> float:
        return math.sqrt(a * b) if log else (a + b) / 2

    for i, row in enumerate(rows):
        here = places[i]
        same = [j for j in (i - 1, i + 1) if 0 <= j < len(rows) and all(rows[j].get(p) == row.get(p) for p in panels)]
        before = next((places[j] for j in same if j < i), None)
        after = next((places[j] for j in same if j > i), None)
        row[X0_FIELD] = middle(before, here) if before is not None else here
        row[X1_FIELD] = middle(here, after) if after is not None else here
        if before is None and after is None:  # a lone x: a sliver you can still hover
            row[X0_FIELD], row[X1_FIELD] = here - 0.5, here + 0.5
    return True
