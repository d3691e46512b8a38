"""Compiling one chart: a loaded :class:`~chartspec.spec.model.ChartSpec` with its data in, Vega-Lite out.

Layout of the output: one layer per y axis, each holding the spec layers that share that axis,
with ``resolve.scale.y = independent`` when there is more than one axis. Where the axes go and
their aligned ticks are in axes.py, each axis' scale in scales.py, and the merged legend (colour,
shape and dash on one ``__series`` field) in series.py. No I/O.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from ..data.hovertable import HoverTable, hover_table
from ..data.layerdata import LayerData, layer_data
from ..data.table import Table
from ..data.values import extent, svg_dash
from ..errors import Diagnostic
from ..spec.marks import starts_at_zero
from ..spec.model import Axis, ChartSpec, Layer, YAxis
from .annolabels import hline_corners
from .annotations import GAP, LABEL_SIZE, annotation_layers, x_reach, y_reach
from .axes import (
    Span,
    align_domains,
    axis_color,
    axis_groups,
    axis_tags,
    group_span,
    joined_span,
    place_axes,
    tick_reach,
)
from .colornotes import nonfinite_series_notes, shared_color_notes
from .common import VEGA_LITE_SCHEMA, apply_patch, field_ref, one_line_titles
from .directlabels import drawn_domain, flat_alone, label_layers, labelled, pin_domain, plan_labels, with_label_room
from .drawnnames import check_drawn_names
from .emptylayers import empty_layer_notes, silent_axis
from .facetflat import flat_panel_layer
from .fieldalias import alias_backslash_fields
from .halfchars import layer_cut
from .inline import inline_values, shared_values, shows_every_field
from .interactive import add_interactivity
from .layers import finish_layer, split_layers
from .layout import apply_layout
from .logscale import missing_outside_log
from .lonerows import lone_row_notes
from .marks import apply_mark, legend_symbols, text_limit
from .scales import axis_values, heading_limit, label_room, legend_title_limit, num, title_limit, vl_axis, vl_scale
from .series import CATEGORY10, SERIES_FIELD, entries, for_layer, layer_colors, series_encodings, series_transform
from .styles import styles
from .themes import apply_theme, theme_palette
from .tickroom import steps_that_fit, whole_steps
from .times import time_ticks, time_tooltip

if TYPE_CHECKING:
    from ..data.loaded import Spec

__all__ = ["SERIES_FIELD", "VEGA_LITE_SCHEMA", "axis_values"]


def compile_chart(spec: Spec, *, checked_only: bool = False, share_rows: bool = False) -> dict[str, Any]:
    """Compile a loaded single chart (``spec.model`` a :class:`ChartSpec`) to a Vega-Lite dict."""
    return compile_chart_noted(spec, checked_only=checked_only, share_rows=share_rows)[0]


def compile_chart_noted(spec: Spec, *, checked_only: bool = False,
                        share_rows: bool = False) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The Vega-Lite dict of a single chart and the notes on what compiling it chose (series
    sharing a colour: colornotes.py). ``checked_only``: compiled to be checked, never drawn (``chartspec validate``): the hover
    table is left out where it cannot change the verdict (:func:`_hover_matters`). ``share_rows``:
    the data rows are the loaded table's own dicts, not copies (see :func:`inline.shared_values`)."""
    values = shared_values if share_rows else inline_values
    theme = getattr(spec, "theme", None)
    if shows_every_field(theme.config if theme is not None else None, spec.model.vega_lite):  # keep every column
        values = partial(lambda pick, t: pick(replace(t, drawn_columns=None)), values)
    model = spec.model
    assert isinstance(model, ChartSpec)
    if labelled(model) and not model.legend.explicit:  # every series named at its line: no legend
        model = replace(model, legend=replace(model.legend, position="none"))
    data = layer_data(spec)  # the chart's and layers' own rows, EMA columns added
    _series_known(spec, data)
    table = data.main
    model, tick_notes = steps_that_fit(model, data, spec.source)  # annotations far off: Vega's ticks
    groups = axis_groups(model.layers)
    spans = {axis_id: tick_reach(members[0].y, group_span(members, [data.of(m) for m in members]), y_reach(model, axis_id))
             for axis_id, members in groups.items()}
    owners = _owners(model, groups, spans)
    sides = place_axes(owners, spans, model.height)
    tags = _tags(model, groups, owners, sides)
    palette = theme_palette(getattr(spec, "theme", None)) or CATEGORY10
    colors = layer_colors(model, palette)
    x_tables = [data.of(layer) for layer in model.layers]
    x_encoding = silent_axis(_x_encoding(model, extent(model.x, x_tables), x_tables), model.layers, model, data, None)
    found = entries(model, data.of, tags, palette)
    style = styles(model, tags)
    check_drawn_names(model, found, tags, style, data, spec.source)  # legend names, headers: not too long
    notes = (shared_color_notes(model, found, palette, spec.source) + empty_layer_notes(model, data, spec.source)
             + lone_row_notes(model, data, spec.source)
             + nonfinite_series_notes(model, data, spec.source) + tick_notes)
    direct = plan_labels(model, data, groups, owners, colors, found, tags, spec.source.diagnostic)
    sides = with_label_room(sides, direct)
    series = legend_symbols(series_encodings(model, found, style), model, found)
    corners = hline_corners(model, data, groups, owners,
                            lambda a: drawn_domain(a, groups[a], owners[a], data, model), x_encoding["scale"],
                            gap=GAP, size=LABEL_SIZE)
    layers = []
    for rank, (axis_id, members) in enumerate(groups.items()):
        y_axis = pin_domain(_y_encoding(members, owners[axis_id], spans[axis_id], rank, sides[axis_id], colors, model,
                                        axis_id, data), direct, axis_id)
        y_axis = silent_axis(y_axis, members, model, data, axis_id)  # nothing drawn on it: no "NaN to NaN"
        sub = [finish_layer(_marked(_layer(layer, x_encoding, y_axis, series, tags.get(layer.index, ""), model,
                                           data.of(layer)), layer, model, data), layer, spec, data,
                            colors.get(layer.index), values)
               for layer in members]
        if (flat := flat_panel_layer(axis_id, members, owners[axis_id], y_axis, model, data, len(groups) > 1)):
            sub.append(flat)  # a facet panel whose values are one: widened, as a flat chart is
        sub += annotation_layers(model, axis_id, corners)  # inside the group: drawn on this axis' y scale
        sub += label_layers(direct, model, x_encoding, axis_id)
        layers.append(sub[0] if len(sub) == 1 else {"layer": sub})
    # zero on a log axis: left out, not a spike to the edge (logscale.py); where Python ran every transform
    missing_outside_log(layers, [data.main, *(t for t in data.own if t is not None), *data.views]
                        if all(data.exact) else [])
    vl: dict[str, Any] = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": model.description or model.title or "chart",
        "width": model.width,
        "height": model.height,
        "background": model.background,
        # none when every layer drawing from the chart's table carries its own rows (layers.py)
        **({} if split_layers(spec, table) else {"data": {"values": values(table)}}),
        "layer": layers,
        "config": _config(model),
    }
    if model.title:
        vl["title"] = heading_limit({"text": model.title, **({"subtitle": model.subtitle} if model.subtitle else {})},
                                    model.width)
    if len(groups) > 1:
        vl["resolve"] = {"scale": {"y": "independent"}}
    if any(layer.heat is not None for layer in model.layers) and len(model.layers) > 1:
        # a number's colour scale is not the series' colour scale: each keeps its own legend
        vl.setdefault("resolve", {}).setdefault("scale", {})["color"] = "independent"
    hover = _hover_table(spec, model, data, tags) if not checked_only or _hover_matters(vl, model, data) else _NO_HOVER
    vl = add_interactivity(vl, spec, hover)  # interactive.py: HTML only
    vl = apply_layout(vl, model)  # facet, padding
    vl = apply_theme(vl, spec)  # themes.py: the theme's config under what the spec says
    vl = alias_backslash_fields(vl)  # fieldalias.py: Vega-Lite drops a backslash's escape
    vl = one_line_titles(vl)  # Vega-Lite writes titles into expressions unescaped
    if model.vega_lite:
        vl = apply_patch(vl, spec)
    return vl, notes


#: the last chart's hover table: an HTML page compiles its chart twice (light and dark looks), and
#: the table (0.35 s for 35,000 reduced rows) does not depend on the theme
_LAST_HOVER: list[tuple[tuple[Any, ...], dict[int, str], HoverTable]] = []


_NO_HOVER = HoverTable(rows=[], columns=[], panels=[], left_out=[])


def _hover_matters(vl: dict[str, Any], model: ChartSpec, data: LayerData) -> bool:
    """Whether the hover table (a Python pass over every drawn row: 0.2 s of the 3 s ``validate``
    of a 200 MB CSV) can change what the checks say: a ``vega_lite:`` patch may address its layer,
    and its rows (at most one per row some layer draws) count towards the drawn-rows limit."""
    from ..data.images import inline_rows
    from .limits import limits

    bound = sum(len(rows) for _, rows in inline_rows(vl)) + sum(len(data.of(layer).rows) for layer in model.layers)
    return bool(model.vega_lite) or bound > limits().drawn


def _hover_table(spec: Spec, model: ChartSpec, data: LayerData, tags: dict[int, str]) -> HoverTable:
    """:func:`hover_table`, once per loaded chart: the same model and tables (by identity, held here so
    no other object can take their ids) and the same tags give the same table. Each caller gets rows
    of its own, so a compiled chart changed later never changes another's."""
    key = (spec.model, spec.table, spec.layer_tables)
    if not (_LAST_HOVER and all(a is b for a, b in zip(_LAST_HOVER[0][0], key)) and _LAST_HOVER[0][1] == tags):
        _LAST_HOVER[:] = [(key, dict(tags), hover_table(model, data, tags))]
    found = _LAST_HOVER[0][2]
    return replace(found, rows=[dict(row) for row in found.rows], columns=list(found.columns), panels=list(found.panels),
                   left_out=list(found.left_out))


def _series_known(spec: Spec, data: LayerData) -> None:
    """A ``color: {field}`` must have values the legend can list; a field an expression makes that
    Python cannot evaluate (vegaexpr.py) has none here, and the chart would lose its colours."""
    from ..errors import CompileError

    problems = [layer_cut(spec, layer) or spec.source.diagnostic(  # half an emoji: at the calculate
        f"cannot list the series of {layer.series.field!r}: a transform makes it with an expression "
        "chartspec cannot evaluate ahead of Vega", layer.json_path + ("color", "field"),
        hint="colour by a column of the data, or make the field with arithmetic, comparisons and text "
             "functions (see 'calculate' in the spec reference)")
        for layer in spec.model.layers
        if layer.series is not None and not data.exact[layer.index] and layer.series.field not in data.of(layer).columns]
    if problems:
        raise CompileError(problems)


def _x_encoding(model: ChartSpec, span: Span | None, tables: list[Table]) -> dict[str, Any]:
    x = model.x
    grid = x.grid if x.grid is not None else model.grid.show
    unit = {"timeUnit": {"unit": x.time_unit, "utc": True}} if x.time_unit else {}  # labels name the unit
    # a vline, a shaded x range or a point may reach past one logged step: Vega's domain joins them
    flat = span is not None and all(v == span[0] for a in model.annotations for v in a.x)
    reach = x_reach(model)  # annotations widen Vega's domain: ticks must span it all
    drawn, wide = tick_reach(x, span, reach), joined_span(span, reach)
    axis, scale = vl_axis(x, drawn, grid), vl_scale(x, drawn, zero=False, flat=flat)
    padded = span is not None and span[0] == span[1] and "domain" in scale
    # one step logged so far (a padded zero-width domain, scales.flat_domain): the steps beside it
    # else whole numbers within the data and annotations (a vline at 7.5 over steps 0..5: Vega's ticks were halves)
    steps = (span[0] - 1, span[1] + 1) if padded and span is not None else wide and (math.ceil(wide[0]), math.floor(wide[1]))
    if (steps is not None and "values" not in axis and "format" not in axis and model.interactive.zoom is None
            and whole_steps(x, steps, tables)):  # (zoomed in, fixed ticks would stay put)
        # steps 0..1: ticks at 0 and 1, not 0.05 apart with the end labels colliding (Vega's
        # tickMinStep still asks d3 for 2 ticks, which gives 0.5)
        room = max(2, math.ceil(model.width / 40))  # Vega-Lite's own tick count for the width
        step = next(s for s in (1, 2, 5, 10, 20) if (steps[1] - steps[0]) / s + 1 <= room)
        values = [num(v) for v in range(math.ceil(steps[0] / step) * step, int(steps[1]) + 1, step)]
        if len(values) >= 2:  # (-2..2 in 80 px would show 0 alone: Vega's ticks then)
            axis.update(values=values, format="d")
            if padded:
                scale["domain"] = [num(steps[0]), num(steps[1])]
    # one moment (an annotation at it too): one tick naming it; {hour: 6}: its ticks listed
    time_ticks(x, [*(row.get(x.field) for t in tables for row in t.rows), *reach], scale, axis)
    axis.update(title_limit(x.title or x.field, model.width))
    return {"field": field_ref(x.field), "type": x.type, **unit, "title": x.title, "scale": scale, "axis": axis}


def _owners(model: ChartSpec, groups: dict[str, list[Layer]], spans: dict[str, Span | None]) -> dict[str, YAxis]:
    """The settings of each y axis (its first layer's), with aligned domains under ``align_ticks``."""
    owners = {axis_id: members[0].y for axis_id, members in groups.items()}
    if model.align_ticks:
        zero = {axis_id: any(starts_at_zero(m.mark, m.band) for m in members) for axis_id, members in groups.items()}
        owners.update(align_domains(owners, spans, model.height, zero))
    return owners


def _tags(model: ChartSpec, groups: dict[str, list[Layer]], owners: dict[str, YAxis],
          sides: dict[str, tuple[str, float]]) -> dict[int, str]:
    """Per layer index, the axis tag its legend entry ends with (``legend: {axis_tags: true}``)."""
    if not model.legend.axis_tags:
        return {}
    by_axis = axis_tags(owners, sides)
    return {m.index: by_axis[axis_id] for axis_id, members in groups.items() for m in members}


def _y_encoding(members: list[Layer], owner: YAxis, span: Span | None, rank: int, placement: tuple[str, float],
                colors: dict[int, str], model: ChartSpec, axis_id: str, data: LayerData) -> dict[str, Any]:
    grid = owner.grid if owner.grid is not None else (model.grid.show and rank == 0)
    zero = any(starts_at_zero(layer.mark, layer.band) for layer in members)
    axis = vl_axis(owner, span, grid)
    side, offset = placement
    axis["orient"] = side
    if offset:
        axis["offset"] = offset
    if len(members) == 1 and owner.color_axis and members[0].index in colors:  # one series: its colour
        axis.update(axis_color(colors[members[0].index]))
    title = owner.title if len(members) == 1 or owner.title != owner.field else ", ".join(m.name for m in members)
    axis.update(title_limit(title or owner.field, model.height))
    scale = vl_scale(owner, span, zero=zero, flat=flat_alone(axis_id, members, model, data))
    # a time y of one moment: one tick naming it; {hour: 6}: its ticks listed (as on x)
    time_ticks(owner, [*(row.get(owner.field) for m in members for row in data.of(m).rows), *y_reach(model, axis_id)],
               scale, axis)
    return {"field": field_ref(owner.field), "type": owner.type, "title": title, "scale": scale, "axis": axis}


def _outside(axis: Axis, table: Table, domain: list[float] | None = None) -> bool:
    """Does data leave the axis' domain? ``domain``: the compiled one (a shared axis' owner sets it)."""
    domain = domain or (list(axis.domain) if axis.domain is not None else None)
    if domain is None or axis.type != "quantitative":
        return False
    lo, hi = domain
    return any(v < lo or v > hi for v in table.numbers(axis.field))


def _layer(layer: Layer, x: dict[str, Any], y: dict[str, Any], series: dict[str, Any], tag: str,
           model: ChartSpec, table: Table) -> dict[str, Any]:
    # Clip only data that leaves an explicit domain: markers on the domain edge stay whole.
    mark: dict[str, Any] = {"type": layer.mark, "clip": _outside(model.x, table) or _outside(layer.y, table, y["scale"].get("domain"))}
    if layer.mark in ("line", "area"):
        mark["strokeWidth"] = layer.stroke_width
        if layer.point:
            mark["point"] = {**_marker(layer), "shape": layer.point, "size": layer.point_size}
    if layer.mark == "point":
        mark.update(_marker(layer), size=layer.point_size)
        if layer.point and "shape" not in for_layer(series, layer, model):  # beside a style legend, or glyphs
            mark["shape"] = layer.point
    if layer.stroke_dash:
        mark["strokeDash"] = svg_dash(layer.stroke_dash)
    if layer.opacity is not None:
        mark["opacity"] = layer.opacity
    if layer.interpolate and layer.mark in ("line", "area"):
        mark["interpolate"] = layer.interpolate
    y_field = field_ref(layer.y.field)
    x = _x_of(layer, x, model)
    encoding = {
        "x": x,
        "y": {**y, "field": y_field},
        **(_heat(layer, model) if layer.heat is not None else for_layer(series, layer, model)),
        "tooltip": [  # dates in UTC, as the axes write them (times.py); a time unit's as its axis
            _x_tooltip(x, model, table),
            time_tooltip({"field": y_field, "type": layer.y.type,
                          "title": layer.name if layer.heat is None else layer.y.title},
                         layer.y, _known(table, layer.y.field)),
        ],
    }
    if layer.heat is not None:
        encoding["tooltip"].append({"field": field_ref(layer.heat.field), "type": "quantitative",
                                    "title": layer.heat.title, **_fmt(layer.heat.format)})
    return {
        "transform": series_transform(layer, tag, model),
        "mark": mark,
        "encoding": encoding,
    }


def _known(table: Table, field: str) -> list[Any] | None:
    """The values of ``field`` the layer draws, or None where a transform makes them in Vega."""
    if field not in table.columns or field in table.derived:
        return None
    return [row.get(field) for row in table.rows]


def _marker(layer: Layer) -> dict[str, Any]:
    """Markers are filled; a 'stroke' marker has no area, so it is drawn by its outline."""
    if layer.point == "stroke":
        return {"filled": False, "strokeWidth": layer.stroke_width}
    return {"filled": True}


def _x_of(layer: Layer, x: dict[str, Any], model: ChartSpec) -> dict[str, Any]:
    """The x encoding of one layer: in a time unit, marks other than bars sit in the middle of
    their unit, where the bar of that unit has its middle (Vega-Lite puts them at its start)."""
    if model.x.time_unit is None or layer.mark in ("bar", "rect"):
        return x
    return {**x, "bandPosition": 0.5}


def _x_tooltip(x: dict[str, Any], model: ChartSpec, table: Table) -> dict[str, Any]:
    """The tooltip's x entry: a date in UTC (times.py), or with x's own time unit the unit's value."""
    item = {"field": x["field"], "type": x["type"], "title": model.x.title or model.x.field}
    if "timeUnit" in x:
        return {**item, "timeUnit": x["timeUnit"], **({"format": model.x.format} if model.x.format else {})}
    return time_tooltip(item, model.x, _known(table, model.x.field))


def _heat(layer: Layer, model: ChartSpec) -> dict[str, Any]:
    """A continuous colour on a number, its own gradient legend where the series legend would be."""
    assert layer.heat is not None
    heat = layer.heat
    position = model.legend.position
    legend: dict[str, Any] | None = None
    if position != "none":  # a gradient inside the plot would hide cells: a corner means the right side
        orient = "right" if position in ("top-left", "top-right", "bottom-left", "bottom-right") else position
        legend = {"title": heat.title, "orient": orient, **_fmt(heat.format),
                  **legend_title_limit(heat.title or heat.field, label_room(model.width))}
        if position in ("top", "bottom"):
            legend["direction"] = "horizontal"
    return {"color": {"field": field_ref(heat.field), "type": "quantitative", "scale": {"scheme": heat.scheme},
                      "legend": legend}}


def _marked(compiled: dict[str, Any], layer: Layer, model: ChartSpec, data: LayerData) -> dict[str, Any]:
    """The layer drawn as its mark; a text mark's long values cut as a legend's labels are."""
    out = apply_mark(compiled, layer)
    if layer.mark != "text" or layer.text is None:
        return out
    written = (str(value) for row in data.of(layer).rows if (value := row.get(layer.text)) is not None)
    return text_limit(out, layer, written, label_room(model.width))


def _fmt(fmt: str | None) -> dict[str, str]:
    return {"format": fmt} if fmt else {}


def _config(model: ChartSpec) -> dict[str, Any]:
    axis: dict[str, Any] = {"gridColor": model.grid.color}
    if model.grid.dash is not None:
        axis["gridDash"] = svg_dash(model.grid.dash)
    if model.grid.width is not None:
        axis["gridWidth"] = model.grid.width
    # Round joins: a dense line's miter tips poke out up to 10 px at sharp turns, and the reduction
    # (data/reduce.py) drops most turns; with round joins the reduced line matches the full one
    # to within 0.5 % of pixels (README, Performance) and small charts move by under 0.02 %.
    return {"axis": axis, "legend": {"labelLimit": 0}, "line": {"strokeJoin": "round"},
            "title": {"fontSize": 15, "anchor": "middle"}}
