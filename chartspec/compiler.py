"""The compiler: a validated spec plus its data in, a Vega-Lite specification out. No I/O.

Layout of the output: one layer per y axis, each holding the spec layers that share that axis,
with ``resolve.scale.y = independent`` when there is more than one axis. The merged legend is
schema-valid Vega-Lite: every layer adds a constant series field (its legend name) and maps it
through colour and shape scales whose domain lists every series, so Vega-Lite merges the
colour and shape legends of all layers into one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .data import Table
from .model import Axis, ChartSpec, Layer, YAxis

if TYPE_CHECKING:
    from .api import Spec

__all__ = ["compile_vegalite", "axis_values", "SERIES_FIELD", "VEGA_LITE_SCHEMA", "VEGA_LITE_VERSION"]

VEGA_LITE_VERSION = "6.4"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
SERIES_FIELD = "__series"
CATEGORY10 = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
              "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
_LEGEND_SYMBOL = {"line": "stroke", "area": "square", "bar": "square", "point": "circle"}
_INSIDE = ("top-left", "top-right", "bottom-left", "bottom-right")
_AXIS_GAP = 12  # px between stacked axes on one side
_CHAR_WIDTH = 6.2  # px per character of a 10px tick label, to estimate axis widths


def compile_vegalite(spec: Spec) -> dict[str, Any]:
    """Compile a loaded spec to a Vega-Lite dict (deterministic, JSON-ready)."""
    model, table = spec.model, spec.table
    groups = _axis_groups(model.layers)
    colors = {layer.index: layer.color or CATEGORY10[layer.index % len(CATEGORY10)] for layer in model.layers}
    sides = _place_axes(groups, table)
    x_encoding = _x_encoding(model, table)
    series = _series_encodings(model, colors)
    layers = []
    for rank, (axis_id, members) in enumerate(groups.items()):
        y_axis = _y_encoding(members, rank, sides[axis_id], colors, model, table)
        sub = [_layer(layer, x_encoding, y_axis, series, model, table) for layer in members]
        layers.append(sub[0] if len(sub) == 1 else {"layer": sub})
    vl: dict[str, Any] = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": model.description or model.title or "chart",
        "width": model.width,
        "height": model.height,
        "background": model.background,
        "data": {"values": [{k: _value(v) for k, v in row.items()} for row in table.rows]},
        "layer": layers,
        "config": _config(model),
    }
    if model.title:
        vl["title"] = {"text": model.title, **({"subtitle": model.subtitle} if model.subtitle else {})}
    if len(groups) > 1:
        vl["resolve"] = {"scale": {"y": "independent"}}
    if model.vega_lite:
        vl = _apply_patch(vl, spec)
    return vl


def _apply_patch(vl: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """Lay the spec's ``vega_lite:`` patch over ``vl``; the result must still be valid Vega-Lite."""
    from .errors import CompileError
    from .patch import merge_patch
    from .suggest import did_you_mean
    from .vegalite_schema import vega_lite_errors

    patched = merge_patch(vl, spec.model.vega_lite)
    problems = []
    for error in vega_lite_errors(patched):
        where = ("vega_lite", *error.absolute_path)
        known = where if where in spec.source.values else ("vega_lite",)
        location = "/".join(map(str, error.absolute_path)) or "(top level)"
        hint = None
        if error.validator == "enum" and isinstance(error.instance, str):
            hint = did_you_mean(error.instance, map(str, error.validator_value))
        message = (f"{error.instance!r} is not a valid value" if error.validator == "enum" else error.message[:200])
        problems.append(spec.source.diagnostic(
            f"the patched Vega-Lite is invalid at {location}: {message}", known,
            hint=hint or "'vega_lite' is merged into the compiled Vega-Lite (RFC 7386); see the Vega-Lite docs"))
    if problems:
        raise CompileError(sorted(problems, key=lambda d: (d.line, d.column)))
    return patched


def field_ref(name: str) -> str:
    """Escape a column name so Vega-Lite does not read dots and brackets as nested access."""
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def _axis_groups(layers: Sequence[Layer]) -> dict[str, list[Layer]]:
    groups: dict[str, list[Layer]] = {}
    for layer in layers:
        groups.setdefault(layer.y.axis, []).append(layer)
    return groups


def decimals(step: float) -> int:
    exponent = Decimal(repr(step)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def axis_values(lo: float, hi: float, step: float) -> list[float | int]:
    """Tick values at whole multiples of ``step`` within ``[lo, hi]``, free of float noise."""
    places = decimals(step)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    values = [round(k * step, places) for k in range(first, last + 1)]
    return [_num(v) for v in values] if places == 0 else values


def _domain(axis: Axis, table: Table) -> tuple[float, float] | None:
    if axis.domain is not None:
        return axis.domain
    if axis.tick_step is None or axis.type != "quantitative":
        return None
    values = table.numbers(axis.field)
    lo = math.floor(min(values) / axis.tick_step + 1e-9) * axis.tick_step
    hi = math.ceil(max(values) / axis.tick_step - 1e-9) * axis.tick_step
    return (lo, hi if hi > lo else lo + axis.tick_step)


def _scale(axis: Axis, table: Table, *, zero: bool) -> dict[str, Any]:
    scale: dict[str, Any] = {}
    if axis.scale != "linear":
        scale["type"] = axis.scale
    domain = _domain(axis, table)
    if domain is not None:
        scale.update(domain=[_num(domain[0]), _num(domain[1])], nice=False)
    if axis.type == "quantitative" and axis.scale in ("linear", "sqrt", "symlog"):
        scale["zero"] = zero and domain is None
    return scale


def _axis(axis: Axis, table: Table, grid: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"grid": grid}
    domain = _domain(axis, table)
    if axis.tick_step is not None and domain is not None:
        props["values"] = axis_values(domain[0], domain[1], axis.tick_step)
    fmt = axis.format or (f".{decimals(axis.tick_step)}f" if axis.tick_step is not None else None)
    if fmt and axis.type == "quantitative":
        props["format"] = fmt
    return props


def _x_encoding(model: ChartSpec, table: Table) -> dict[str, Any]:
    x = model.x
    grid = x.grid if x.grid is not None else model.grid.show
    return {"field": field_ref(x.field), "type": x.type, "title": x.title,
            "scale": _scale(x, table, zero=False), "axis": _axis(x, table, grid)}


def _place_axes(groups: dict[str, list[Layer]], table: Table) -> dict[str, tuple[str, float]]:
    """Side and offset of each y axis: explicit sides first, then alternate left/right."""
    placed: dict[str, tuple[str, float]] = {}
    used = {"left": 0.0, "right": 0.0}
    count = {"left": 0, "right": 0}
    for axis_id, members in groups.items():
        y = members[0].y
        side = y.side or ("left" if count["left"] <= count["right"] else "right")
        offset = used[side] + (_AXIS_GAP if count[side] else 0.0)
        placed[axis_id] = (side, round(offset, 1))
        used[side] = offset + _axis_width(y, table)
        count[side] += 1
    return placed


def _axis_width(y: YAxis, table: Table) -> float:
    domain = _domain(y, table) or ((min(v), max(v)) if (v := table.numbers(y.field)) else (0, 0))
    label = max(len(f"{_num(domain[0]):,}"), len(f"{_num(domain[1]):,}"))
    return label * _CHAR_WIDTH + 8 + (20 if y.title else 0)


def _y_encoding(members: list[Layer], rank: int, placement: tuple[str, float],
                colors: dict[int, str], model: ChartSpec, table: Table) -> dict[str, Any]:
    owner = members[0].y
    grid = owner.grid if owner.grid is not None else (model.grid.show and rank == 0)
    zero = any(layer.mark in ("bar", "area") for layer in members)
    axis = _axis(owner, table, grid)
    side, offset = placement
    axis["orient"] = side
    if offset:
        axis["offset"] = offset
    if len(members) == 1 and owner.color_axis:
        axis["titleColor"] = colors[members[0].index]
    title = owner.title if len(members) == 1 or owner.title != owner.field else ", ".join(m.name for m in members)
    return {"field": field_ref(owner.field), "type": owner.type, "title": title,
            "scale": _scale(owner, table, zero=zero), "axis": axis}


def _series_encodings(model: ChartSpec, colors: dict[int, str]) -> dict[str, Any]:
    names = [layer.name for layer in model.layers]
    shapes = [layer.point or _LEGEND_SYMBOL[layer.mark] for layer in model.layers]
    show = model.legend.position != "none" and (len(names) > 1 or model.legend.explicit)
    legend: dict[str, Any] | None = None
    if show:
        legend = {"title": model.legend.title, "orient": model.legend.position}
        if model.legend.position in _INSIDE:
            legend.update(fillColor="white", strokeColor="#cccccc", padding=6, cornerRadius=2, offset=8)
    common = {"field": SERIES_FIELD, "type": "nominal", "legend": legend}
    return {
        "color": {**common, "scale": {"domain": names, "range": [colors[lyr.index] for lyr in model.layers]}},
        "shape": {**common, "scale": {"domain": names, "range": shapes}},
    }


def _outside(axis: Axis, table: Table) -> bool:
    if axis.domain is None or axis.type != "quantitative":
        return False
    lo, hi = axis.domain
    return any(v < lo or v > hi for v in table.numbers(axis.field))


def _layer(layer: Layer, x: dict[str, Any], y: dict[str, Any], series: dict[str, Any],
           model: ChartSpec, table: Table) -> dict[str, Any]:
    # Clip only data that leaves an explicit domain: markers on the domain edge stay whole.
    mark: dict[str, Any] = {"type": layer.mark, "clip": _outside(model.x, table) or _outside(layer.y, table)}
    if layer.mark in ("line", "area"):
        mark["strokeWidth"] = layer.stroke_width
        if layer.point:
            mark["point"] = {"filled": True, "shape": layer.point, "size": layer.point_size}
    if layer.mark == "point":
        mark.update(filled=True, size=layer.point_size)
    if layer.stroke_dash:
        mark["strokeDash"] = list(layer.stroke_dash)
    if layer.opacity is not None:
        mark["opacity"] = layer.opacity
    if layer.interpolate and layer.mark in ("line", "area"):
        mark["interpolate"] = layer.interpolate
    y_field = field_ref(layer.y.field)
    encoding = {
        "x": x,
        "y": {**y, "field": y_field},
        **series,
        "tooltip": [
            {"field": x["field"], "type": x["type"], "title": model.x.title or model.x.field},
            {"field": y_field, "type": layer.y.type, "title": layer.name},
        ],
    }
    return {
        "transform": [{"calculate": json.dumps(layer.name, ensure_ascii=False), "as": SERIES_FIELD}],
        "mark": mark,
        "encoding": encoding,
    }


def _config(model: ChartSpec) -> dict[str, Any]:
    axis: dict[str, Any] = {"gridColor": model.grid.color}
    if model.grid.dash is not None:
        axis["gridDash"] = list(model.grid.dash)
    if model.grid.width is not None:
        axis["gridWidth"] = model.grid.width
    return {"axis": axis, "legend": {"labelLimit": 0}, "title": {"fontSize": 15, "anchor": "middle"}}


# Integers beyond 2**53 are no more exact than floats, and vl-convert refuses those past 2**63.
_MAX_EXACT_INT = 2**53


def _num(value: float) -> float | int:
    return int(value) if float(value).is_integer() and abs(value) < _MAX_EXACT_INT else value


def _value(value: Any) -> Any:
    """A data value for Vega-Lite: huge integers become floats (JavaScript reads them so anyway)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= _MAX_EXACT_INT:
        return float(value)
    return value
