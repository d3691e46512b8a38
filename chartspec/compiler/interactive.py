"""Interactivity of the HTML output: one tooltip for every series at the hovered x, a hover rule
across all layers (both on unless turned off), and zoom/pan on x (on request).

Everything interactive lives in one extra unit layer named :data:`LAYER_NAME`: a rule at every x
value, on its own data (one row per x with every series' value, data/hovertable.py), invisible until
hovered, holding a nearest-x point selection (hover) and an interval
selection bound to the x scale (zoom). Binding only ``x`` leaves every independent y scale
alone, so all y axes stay as they are while x zooms. Static outputs (SVG, PNG, PDF and the SVG
fallback in HTML) are rendered from :func:`static_view`, which drops that layer: a chart looks the
same at rest whether or not it is interactive.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING, Any

from ..data.hovertable import AT_SUFFIX, X0_FIELD, X1_FIELD, HoverColumn, HoverTable
from ..spec.model import Axis, Interactive
from .layout import PART_FIELD
from .times import time_tooltip

if TYPE_CHECKING:
    from ..data.loaded import Spec

__all__ = ["AREA_NAME", "HOVER_PARAM", "LAYER_NAME", "RULE_NAME", "ZOOM_PARAM", "add_interactivity", "distinct_params", "static_view"]

LAYER_NAME = "chartspec_interactive"
AREA_NAME = LAYER_NAME + "_area"  # the rects that catch the pointer (their marks: AREA_NAME + "_marks")
RULE_NAME = LAYER_NAME + "_rule"
HOVER_PARAM = "chartspec_hover"
ZOOM_PARAM = "chartspec_zoom"
_RULE_COLOR = "#888888"  # mid grey: visible on light and dark themes alike
NO_VALUE = "\u2013"  # what the tooltip shows for a series with no value at the hovered x


def add_interactivity(vl: dict[str, Any], spec: Spec, hover: HoverTable) -> dict[str, Any]:
    """``vl`` (a compiled layer chart) with the spec's ``interactive`` settings applied; ``hover``:
    every series' value at each x, what the hover tooltip shows (data/hovertable.py)."""
    settings = spec.model.interactive
    if "layer" not in vl:
        return vl
    units = list(_units(vl["layer"]))
    if not settings.tooltip:
        for unit in units:
            unit.get("encoding", {}).pop("tooltip", None)
    if settings.zoom:
        for unit in units:  # zoomed-in lines must not spill over the axes
            if isinstance(unit.get("mark"), dict):
                unit["mark"]["clip"] = True
    layer = _interactive_layer(spec, units, settings, hover)
    if layer is not None:
        vl["layer"] = [*vl["layer"], layer]
    return vl


def _units(layers: list[Any]) -> Any:
    for item in layers:
        if isinstance(item, dict) and "layer" in item:
            yield from _units(item["layer"])
        elif isinstance(item, dict) and "mark" in item:
            yield item


def _interactive_layer(spec: Spec, units: list[dict[str, Any]], settings: Interactive,
                       hover: HoverTable) -> dict[str, Any] | None:
    """A layer group on the hover table: transparent rects tiling the plot, one per x (they catch
    the pointer and carry the tooltip), and the rule drawn at the hovered x.

    Rects rather than Vega-Lite's ``nearest`` voronoi: the voronoi's tooltip reads fields of its
    own datum instead of the hovered one's for every field but numbers and dates, so text columns
    (the formatted values, the dash for a gap) would show 'undefined'."""
    from .common import field_ref

    model = spec.model
    x = next((copy.deepcopy(u["encoding"]["x"]) for u in units if "x" in u.get("encoding", {})), None)
    tooltip = settings.tooltip and bool(hover.columns)  # no series known here: the points keep theirs
    if x is None or not hover.rows or not (tooltip or settings.hover_rule or settings.zoom):
        return None  # x is made by a transform: no rows to place a rule at
    mark, tiles = _tiles(x, hover, model)
    catcher: dict[str, Any] = {"name": AREA_NAME, "mark": mark, "params": [], "encoding": tiles}
    if tooltip or settings.hover_rule:
        catcher["params"].append({"name": HOVER_PARAM, "select": {
            "type": "point", "fields": [model.x.field], "on": "pointerover", "clear": "pointerout"}})
    if settings.zoom:
        catcher["params"].append({"name": ZOOM_PARAM, "select": {"type": "interval", "encodings": ["x"]},
                                  "bind": "scales"})
    group: dict[str, Any] = {"name": LAYER_NAME, "data": {"values": hover.rows}}
    if tooltip:
        group["transform"] = [{"calculate": _as_text(c, model.x), "as": c.field + "_text"} for c in hover.columns]
        catcher["encoding"]["tooltip"] = [
            *({"field": field_ref(p), "type": "nominal", "title": p} for p in hover.panels),
            time_tooltip({"field": x["field"], "type": x["type"], "title": model.x.title or model.x.field},
                         model.x, [row.get(model.x.field) for row in hover.rows]),
            *({"field": c.field + "_text", "type": "nominal", "title": c.title} for c in hover.columns)]
    layers = [catcher]
    if settings.hover_rule:
        layers.append({"name": RULE_NAME, "mark": {"type": "rule", "color": _RULE_COLOR, "strokeWidth": 1}, "encoding": {
            "x": x, "opacity": {"condition": {"param": HOVER_PARAM, "empty": False, "value": 0.9}, "value": 0}}})
    return {**group, "layer": layers}


def _tiles(x: dict[str, Any], hover: HoverTable, model: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """The transparent mark that catches the pointer for each x, and its x encoding: a rect from
    halfway to one neighbour to halfway to the other (data/hovertable.py), or where those are unknown
    (categories, dates Python cannot read) a rule as wide as the plot's share of one x."""
    if hover.bounded:  # x2 on the same axis: Vega-Lite merges the two into the x scale
        return ({"type": "rect", "color": "transparent", "clip": True},
                {"x": {**x, "field": X0_FIELD}, "x2": {"field": X1_FIELD}})
    count = len({repr(row.get(model.x.field)) for row in hover.rows}) or 1
    return {"type": "rule", "color": "transparent", "clip": True, "strokeWidth": max(4.0, model.width / count)}, {"x": x}


def _as_text(column: HoverColumn, x: Axis) -> str:
    """The Vega expression writing one series' value as the tooltip shows it: in the axis'
    format, and a dash where the series has no value at that x (not 'NaN'); a value logged at
    another x than the hovered one (data/nearest.py) is followed by that x: ``1.52 (at 20)``.

    Without a format Vega-Lite prints every digit (a smoothed reward reads 59.1382329255): six
    significant digits instead, except that from 100,000 up whole numbers stay whole (a token
    count of 1,234,567 must not read 1,234,570)."""
    value = f"datum[{json.dumps(column.field)}]"
    written = _number(value, column.format)
    if column.at:
        at = f"datum[{json.dumps(column.field + AT_SUFFIX)}]"
        where = (f"utcFormat({at}, {json.dumps(x.format or _TIME_FORMAT)})" if x.type == "temporal"
                 else _number(at, x.format))
        written = f"{written} + (isValid({at}) ? ' (at ' + {where} + ')' : '')"
    return f"isValid({value}) ? {written} : {json.dumps(NO_VALUE)}"


_TIME_FORMAT = "%Y-%m-%d %H:%M"  # where a series was logged, on a time axis without a format


def _number(value: str, fmt: str | None) -> str:
    if fmt:
        return f"format({value}, {json.dumps(fmt)})"
    return f"(abs({value}) >= 1e5 ? format({value}, ',.2~f') : format({value}, '~r'))"


def static_view(vl: dict[str, Any]) -> dict[str, Any]:
    """``vl`` without its interactive layer: what static outputs draw (``vl`` itself if it has none)."""
    if not _has_layer({k: v for k, v in vl.items() if k not in ("data", "datasets")}):
        return vl
    out = _without_layer(vl)
    rows = out.get("data", {}).get("values")
    if isinstance(rows, list):  # a facet holds the hover layer's rows in its data (layout.py)
        out["data"] = {**out["data"], "values": [r for r in rows if not (isinstance(r, dict)
                                                                          and r.get(PART_FIELD) == LAYER_NAME)]}
    return out


def _has_layer(node: Any) -> bool:
    if isinstance(node, dict):
        return node.get("name") == LAYER_NAME or any(_has_layer(v) for k, v in node.items() if k != "data")
    return isinstance(node, list) and any(_has_layer(item) for item in node)


def _without_layer(node: Any) -> Any:
    """``node`` without the interactive layer, sharing every part it leaves as it is: the data
    (a reduced large chart's 20,000 rows) is never copied, nor walked."""
    if isinstance(node, list):
        return [_without_layer(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: v if k in ("data", "datasets") else _without_layer(v) for k, v in node.items()}
    if isinstance(out.get("layer"), list):
        out["layer"] = [item for item in out["layer"] if not (isinstance(item, dict) and item.get("name") == LAYER_NAME)]
    return out


def distinct_params(charts: list[dict[str, Any]]) -> None:
    """Give the interactive params of each chart of a concat their own names (``_1``, ``_2``, ...
    after the first): Vega refuses two signals of one name in one view."""
    for number, chart in enumerate(charts[1:], start=1):
        _rename(chart, {HOVER_PARAM: f"{HOVER_PARAM}_{number}", ZOOM_PARAM: f"{ZOOM_PARAM}_{number}"})


def _rename(node: Any, names: dict[str, str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("name", "param") and isinstance(value, str) and value in names:
                node[key] = names[value]
            else:
                _rename(value, names)
    elif isinstance(node, list):
        for item in node:
            _rename(item, names)
