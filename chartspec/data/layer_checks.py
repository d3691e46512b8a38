"""Data-aware checks of each layer's marks, scales, series and of the facet.

Each takes the chart's model, each layer's table as its marks will see it (after transforms:
:func:`chartspec.data.flow.layer_views`) and the source map, and returns positioned diagnostics:
a log scale over zero, a band scale on numbers, a mark missing the fields it needs, a colour
field with no values, a facet sort naming a value the data does not hold.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from ..errors import Diagnostic, quoted
from ..spec.layout import _PATH, Facet
from ..spec.marks import BAND_MARKS, SPAN_MARKS
from ..spec.model import SCALE_AXIS_TYPES, Axis, ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.suggest import did_you_mean
from .table import Table
from .values import num, series_values, shared_color_layers


def facet_diagnostics(spec: ChartSpec, tables: Sequence[Table], source: SourceMap) -> list[Diagnostic]:
    """The facet names fields of the data and uses one form: ``field`` or ``row``/``column``.

    ``tables``: the chart's data, then each layer's after transforms (a facet may split by a
    column a transform made)."""
    facet = spec.facet
    if facet is None:
        return []
    table = tables[0]
    found: list[Diagnostic] = []
    if facet.field is not None and (facet.row or facet.column):
        key = "row" if facet.row else "column"
        found.append(source.diagnostic(f"'facet' takes either 'field' or '{key}', not both", _PATH + (key,),
                                       key=True, hint="'field' wraps panels into 'columns'; 'row'/'column' "
                                                      "make a grid"))
    elif facet.field is None and not (facet.row or facet.column):
        found.append(source.diagnostic("'facet' names no field", _PATH, key=True,
                                       hint="add 'field: COLUMN' (or 'row'/'column')"))
    if facet.columns is not None and facet.field is None:
        found.append(source.diagnostic("'columns' applies to 'facet: {field: ...}' only", _PATH + ("columns",),
                                       key=True, hint="a 'row'/'column' grid has one column per value"))
    if isinstance(facet.sort, tuple):
        found += _sort_diagnostics(facet, table, source)
    known = list(dict.fromkeys(c for t in tables for c in (*t.columns, *sorted(t.derived))))
    for key in ("field", "row", "column"):
        name = getattr(facet, key)
        if name is not None and name not in known:
            hint = did_you_mean(name, known, what="a column") or f"columns: {', '.join(table.columns)}"
            found.append(source.diagnostic(f"facet field {name!r} not in {table.name}", _PATH + (key,), hint=hint))
    return found


def _sort_diagnostics(facet: Facet, table: Table, source: SourceMap) -> list[Diagnostic]:
    """Every value a facet ``sort`` lists is a value of a facet field: a typo would silently
    put that panel last."""
    fields = [f for f in (facet.field, facet.row, facet.column) if f and f in table.columns]
    if not fields:
        return []  # the field checks report it
    values = {str(row.get(f)): row.get(f) for row in table.rows for f in fields if row.get(f) is not None}
    return [source.diagnostic(f"facet sort names {quoted(value)}, which is not a value of {' or '.join(map(repr, fields))}",
                              _PATH + ("sort", i), hint=did_you_mean(str(value), values) or
                              f"values: {', '.join(sorted(values)[:12])}")
            for i, value in enumerate(facet.sort) if str(value) not in values]


def mark_diagnostics(spec: ChartSpec, views: Sequence[Table], source: SourceMap) -> list[Diagnostic]:
    """Each mark has the fields it needs (``text``, ``band``), they exist, and none it would ignore."""
    from ..spec.suggest import did_you_mean

    out: list[Diagnostic] = []
    for layer, view in zip(spec.layers, views):
        path = layer.json_path
        needs_band = layer.mark in BAND_MARKS
        if layer.mark == "text" and layer.text is None:
            out.append(source.diagnostic("mark 'text' needs a 'text' field: the column whose values it writes",
                                         path + ("mark",), hint="add e.g. 'text: accuracy' to this layer"))
        if layer.text_format is not None and layer.mark != "text":
            out.append(source.diagnostic(f"'text_format' is only used by mark 'text', not {layer.mark!r}",
                                         path + ("text_format",), key=True, hint="remove 'text_format'"))
        elif layer.text_format is not None and layer.text in view.columns and layer.text not in view.derived:
            found = view.first_text(layer.text)
            if found is not None:
                out.append(source.diagnostic(
                    f"'text_format' writes numbers, but row {found[0]} of {view.name} holds {found[1]!r} in "
                    f"{layer.text!r}", path + ("text_format",), hint="remove 'text_format', or fix the data"))
        if layer.text is not None and layer.mark != "text":
            out.append(source.diagnostic(f"'text' is only used by mark 'text', not {layer.mark!r}",
                                         path + ("text",), key=True,
                                         hint="set 'mark: text', or add a separate text layer"))
        if layer.mark == "rect" and layer.band is None and layer.heat is not None:
            discrete = ("nominal", "ordinal")
            for axis, where in ((spec.x, ("x",)), (layer.y, path + ("y",))):
                if axis.type not in discrete:
                    out.append(source.diagnostic(
                        f"a heatmap cell ('rect' coloured by a number, without 'band') needs a {where[-1]} axis of "
                        f"type ordinal or nominal, not {axis.type}", where, key=True,
                        hint="add 'type: ordinal' to the axis, or give the rect a 'band' to span"))
        elif needs_band and layer.band is None:
            out.append(source.diagnostic(
                f"mark {layer.mark!r} needs 'band: {{lower: <field>, upper: <field>}}': the extent it draws",
                path + ("mark",), hint="e.g. 'band: {lower: min_loss, upper: max_loss}'"))
        spans = layer.mark in SPAN_MARKS
        if layer.band is not None and not spans:
            out.append(source.diagnostic(f"'band' is only used by marks {', '.join(SPAN_MARKS)}, not {layer.mark!r}",
                                         path + ("band",), key=True, hint="set 'mark: errorband' to draw a band "
                                         "with a line on top, or 'mark: area' to fill it alone"))
        fields = [(layer.text, path + ("text",))] if layer.mark == "text" and layer.text else []
        if layer.band is not None and spans:
            fields += [(layer.band.lower, path + ("band", "lower")), (layer.band.upper, path + ("band", "upper"))]
        for name, where in fields:
            if name not in view.columns:
                hint = did_you_mean(name, view.columns, what="a column") or f"columns: {', '.join(view.columns)}"
                out.append(source.diagnostic(f"field {name!r} not in {view.name}", where, hint=hint))
        out += _ignored(layer, source)
    return out


def _ignored(layer: Layer, source: SourceMap) -> list[Diagnostic]:
    """Markers and smoothing on a mark that draws no line: refused, not silently dropped."""
    banded = (*BAND_MARKS, "area") if layer.band is not None else BAND_MARKS  # a range area: no line
    if layer.mark not in ("text", "tick", *banded):
        return []
    what = f"{layer.mark!r}" + (" with a 'band' (a filled range)" if layer.mark == "area" else "")
    out = []
    if layer.point:
        out.append(source.diagnostic(f"'point' markers are drawn on line and area marks, not {what}",
                                     layer.json_path + ("point",), key=True,
                                     hint="add a separate 'mark: point' layer for markers"))
    if layer.smooth is not None:
        out.append(source.diagnostic(f"'smooth' does not apply to mark {what}", layer.json_path + ("smooth",),
                                     key=True))
    return out


def scale_diagnostics(spec: ChartSpec, views: Sequence[Table], source: SourceMap) -> list[Diagnostic]:
    """Scales that do not suit their axis or their data; ``views``: each layer's table."""
    axes = [(spec.x, list(views))] + [(layer.y, [view]) for layer, view in zip(spec.layers, views)]
    found: list[Diagnostic] = []
    for axis, tables in axes:
        found += _check_axis(axis, tables, source)
    shared: dict[str, list[tuple[Axis, Table]]] = {}  # the layers of one y axis share its scale
    for layer, view in zip(spec.layers, views):
        shared.setdefault(layer.y.axis, []).append((layer.y, view))
    for drawn in ([(spec.x, view) for view in views], *shared.values()):
        found += _span_overflow(drawn, source)
    return found


def _span_overflow(drawn: list[tuple[Axis, Table]], source: SourceMap) -> list[Diagnostic]:
    """An axis whose values span more than a float holds (-1e308 to 1e308): Vega's scale divides by
    that span, so every mark lands on an edge and the ticks read 'NaN' (on any scale: symlog places
    the marks, but its ticks still read 'NaN')."""
    values = [v for axis, table in drawn if axis.type == "quantitative"
              if axis.field not in table.derived for v in table.numbers(axis.field) if math.isfinite(v)]
    if not values or math.isfinite(max(values) - min(values)):
        return []
    axis, fields = drawn[0][0], " and ".join(repr(f) for f in dict.fromkeys(a.field for a, _ in drawn))
    return [source.diagnostic(
        f"the values of {fields} span from {min(values):g} to {max(values):g}, more than a number can hold "
        "(about 1.8e308): Vega cannot place them", axis.json_path + ("field",),
        hint=f"scale them down with a transform, e.g. 'calculate: datum.{axis.field} / 1e300'")]


#: what a scale draws and the type to write for it, when the type was left to its default
_MEANT = {**dict.fromkeys(("band", "point"), ("categories", "'type: nominal' (or 'type: ordinal' for ordered "
                                                            "categories)")),
          **dict.fromkeys(("time", "utc"), ("dates", "'type: temporal'"))}


def scale_misfits(axis: Axis, source: SourceMap) -> bool:
    """Is the axis' written scale one its type cannot use ('scale: band' on numbers)? Then that is
    the fault (checks.py does not also check the data against the type)."""
    return (axis.json_path + ("scale",)) in source.keys and axis.type not in SCALE_AXIS_TYPES[axis.scale]


def _check_axis(axis: Axis, tables: list[Table], source: SourceMap) -> list[Diagnostic]:
    at = axis.json_path
    out: list[Diagnostic] = []
    if scale_misfits(axis, source) and (at + ("type",)) not in source.keys and axis.scale in _MEANT:
        # categories or dates meant, the type left to its default: say which type to write, once
        what, write = _MEANT[axis.scale]
        out.append(source.diagnostic(f"a {axis.scale} scale draws {what}, but this axis' type is {axis.type} "
                                     "(the default)", at + ("scale",), hint=f"add {write} to this axis"))
    elif scale_misfits(axis, source):
        fits = [name for name, kinds in SCALE_AXIS_TYPES.items() if axis.type in kinds]
        out.append(source.diagnostic(
            f"a {axis.scale} scale cannot draw {axis.type} values", at + ("scale",),
            hint=f"for type {axis.type} use scale: {_either(fits)}, or change 'type'"))
    if axis.format and axis.type in ("nominal", "ordinal"):
        for table in tables:
            text = table.first_text(axis.field) if axis.field in table.columns else None
            if text is not None:
                out.append(source.diagnostic(
                    f"'format' writes numbers, but row {text[0]} of {table.name} holds {text[1]!r} in {axis.field!r}",
                    at + ("format",), hint="remove 'format' from this axis, or fix the data"))
                break
    if axis.exponent is not None and axis.scale != "pow":
        out.append(source.diagnostic("'exponent' applies only to 'scale: pow'", at + ("exponent",), key=True,
                                     hint="add 'scale: pow' or remove 'exponent'"))
    out += _check_tick_step(axis, source)
    if axis.values is not None and (axis.tick_step is not None or axis.tick_interval is not None):
        out.append(source.diagnostic("give either 'values' or 'tick_step', not both", at + ("values",), key=True,
                                     hint="'values' lists the ticks; 'tick_step' spaces them evenly"))
    if axis.scale == "log":
        out += _check_log(axis, source)
    return out


def _check_tick_step(axis: Axis, source: SourceMap) -> list[Diagnostic]:
    """A number steps a number axis, a time interval (``{month: 3}``) a temporal one."""
    at = axis.json_path + ("tick_step",)
    if axis.type == "temporal" and axis.tick_step is not None:
        return [source.diagnostic(f"'tick_step' on a temporal axis is a time interval, not the number {num(axis.tick_step)}",
                                  at, hint="e.g. 'tick_step: {day: 1}', '{week: 1}' or '{month: 3}'")]
    if axis.type != "temporal" and axis.tick_interval is not None:
        return [source.diagnostic(f"a time interval steps a temporal axis only, and this axis is {axis.type}",
                                  at, hint="give a number ('tick_step: 50'), or set 'type: temporal' for dates")]
    return []


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _check_log(axis: Axis, source: SourceMap) -> list[Diagnostic]:
    at = axis.json_path
    if axis.tick_step is not None or axis.tick_interval is not None:
        return [source.diagnostic("'tick_step' does not suit a log scale (its ticks are not evenly spaced)",
                                  at + ("tick_step",), key=True, hint="list the ticks with 'values: [0.01, 0.1, 1]'")]
    return []  # values at or below zero: logscale.py, on the rows after transforms


def _heat_diagnostics(layer: Layer, view: Table, source: SourceMap) -> list[Diagnostic]:
    """A quantitative colour field exists and holds numbers; a rect without a band is a heatmap
    cell, which needs discrete x and y."""
    assert layer.heat is not None
    path = layer.json_path + ("color", "field")
    field = layer.heat.field
    if field not in view.columns:
        hint = did_you_mean(field, view.columns, what="a column") or f"columns: {', '.join(view.columns)}"
        return [source.diagnostic(f"field {field!r} not in {view.name}", path, hint=hint)]
    text = view.first_text(field) if field not in view.derived else None
    if text is not None:
        return [source.diagnostic(f"colour field {field!r} is read as numbers but row {text[0]} of {view.name} "
                                  f"holds {text[1]!r}", path, hint="fix the data, or drop 'type: quantitative' "
                                                                   "to draw one series per value")]
    return []


def series_diagnostics(spec: ChartSpec, views: Sequence[Table], source: SourceMap) -> list[Diagnostic]:
    """``color: {field: ...}`` names a column of the layer's data; legend entries are unique."""
    out: list[Diagnostic] = []
    names: dict[str, int] = {layer.name: layer.index for layer in spec.layers if layer.series is None}
    shared = shared_color_layers(spec)  # their runs are one set of legend entries (compiler/styles.py)
    for layer, view in zip(spec.layers, views):
        if layer.heat is not None:
            out += _heat_diagnostics(layer, view, source)
        if layer.series is None:
            continue
        path = layer.json_path + ("color", "field")
        field = layer.series.field
        if view.pending:
            continue  # a layer's own file with nothing in it yet (table.py notes it)
        if field not in view.columns:
            hint = did_you_mean(field, view.columns, what="a column") or f"columns: {', '.join(view.columns)}"
            out.append(source.diagnostic(f"field {field!r} not in {view.name}", path, hint=hint))
            continue
        if field not in view.derived and (blank := sum(row.get(field) in (None, "") for row in view.rows)):
            # Vega draws a row only in its series' colour: without one it is not drawn at all
            out.append(replace(source.diagnostic(
                f"{blank:,} of the {len(view.rows):,} rows {'kept ' if view.reduced_from else ''}of layer "
                f"{quoted(layer.name)} have no value in {field!r}: not drawn", path,
                hint=f"fill {field!r} in the data, or filter those rows out"), severity="note"))
        # their length is checked where they are drawn, if they are (compiler/drawnnames.py)
        values = series_values(layer, view) if field not in view.derived else []
        for value in values:
            if value in names and not {names[value], layer.index} <= shared:  # sharing layers share runs
                out.append(source.diagnostic(
                    f"the series {quoted(value)} of field {field!r} has the same legend name as layer {names[value] + 1}",
                    path, hint="rename that layer with 'name', so the legend tells the two apart"))
            names.setdefault(value, layer.index)
    return out
