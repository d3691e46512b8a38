"""Interactivity of the HTML output: one tooltip for every series at the hovered x, a hover rule
across all layers, and zoom/pan on x.

Everything interactive lives in one extra unit layer named :data:`LAYER_NAME`: a rule at every x
value, invisible until hovered, holding a nearest-x point selection (hover) and an interval
selection bound to the x scale (zoom). Binding only ``x`` leaves every independent y scale
alone, so all y axes stay as they are while x zooms. Static outputs (SVG, PNG, PDF and the SVG
fallback in HTML) are rendered from :func:`static_view`, which drops that layer: a chart looks the
same at rest whether or not it is interactive.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import Spec

__all__ = ["HOVER_PARAM", "LAYER_NAME", "ZOOM_PARAM", "add_interactivity", "distinct_params", "static_view"]

LAYER_NAME = "chartspec_interactive"
HOVER_PARAM = "chartspec_hover"
ZOOM_PARAM = "chartspec_zoom"
_RULE_COLOR = "#888888"  # mid grey: visible on light and dark themes alike


def add_interactivity(vl: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """``vl`` (a compiled layer chart) with the spec's ``interactive`` settings applied."""
    settings = getattr(spec.model, "interactive", None)
    if settings is None or "layer" not in vl:
        return vl  # not asked for: each point keeps its own tooltip, as before
    units = list(_units(vl["layer"]))
    if not settings.tooltip:
        for unit in units:
            unit.get("encoding", {}).pop("tooltip", None)
    if settings.zoom:
        for unit in units:  # zoomed-in lines must not spill over the axes
            if isinstance(unit.get("mark"), dict):
                unit["mark"]["clip"] = True
    layer = _interactive_layer(spec, units, settings)
    if layer is not None:
        vl["layer"] = [*vl["layer"], layer]
    return vl


def _units(layers: list[Any]) -> Any:
    for item in layers:
        if isinstance(item, dict) and "layer" in item:
            yield from _units(item["layer"])
        elif isinstance(item, dict) and "mark" in item:
            yield item


def _interactive_layer(spec: Spec, units: list[dict[str, Any]], settings: Any) -> dict[str, Any] | None:
    from .compiler import field_ref

    model = spec.model
    x = next((copy.deepcopy(u["encoding"]["x"]) for u in units if "x" in u.get("encoding", {})), None)
    if x is None or model.x.field not in spec.table.columns:
        return None  # x is made by a transform: the chart's rows cannot place a rule
    params: list[dict[str, Any]] = []
    encoding: dict[str, Any] = {"x": x, "opacity": {"value": 0}}
    if settings.tooltip or settings.hover_rule:
        params.append({"name": HOVER_PARAM, "select": {"type": "point", "encodings": ["x"], "nearest": True,
                                                       "on": "pointerover", "clear": "pointerout"}})
    if settings.hover_rule:
        encoding["opacity"] = {"condition": {"param": HOVER_PARAM, "empty": False, "value": 0.9}, "value": 0}
    if settings.tooltip:
        encoding["tooltip"] = [{"field": x["field"], "type": x["type"], "title": model.x.title or model.x.field},
                               *(_series_tooltip(layer, field_ref) for layer in _wide_layers(spec))]
    if settings.zoom:
        params.append({"name": ZOOM_PARAM, "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"})
    if not params:
        return None
    return {"name": LAYER_NAME, "mark": {"type": "rule", "color": _RULE_COLOR, "strokeWidth": 1},
            "params": params, "encoding": encoding}


def _wide_layers(spec: Spec) -> list[Any]:
    """Layers whose values sit in the chart's own rows, one column per series (the rule reads those)."""
    columns = set(spec.table.columns)
    return [layer for layer in spec.model.layers
            if getattr(layer, "data", None) is None and not getattr(layer, "transform", ())
            and getattr(layer, "series", None) is None and layer.y.field in columns]


def _series_tooltip(layer: Any, field_ref: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"field": field_ref(layer.y.field), "type": "quantitative", "title": layer.name}
    if layer.y.format:
        item["format"] = layer.y.format
    return item


def static_view(vl: dict[str, Any]) -> dict[str, Any]:
    """``vl`` without its interactive layer: what static outputs draw (``vl`` itself if it has none)."""
    if not _has_layer({k: v for k, v in vl.items() if k not in ("data", "datasets")}):
        return vl
    out = copy.deepcopy(vl)
    _drop(out)
    return out


def _has_layer(node: Any) -> bool:
    if isinstance(node, dict):
        return node.get("name") == LAYER_NAME or any(_has_layer(v) for k, v in node.items() if k != "data")
    return isinstance(node, list) and any(_has_layer(item) for item in node)


def _drop(node: Any) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("layer"), list):
            node["layer"] = [item for item in node["layer"]
                             if not (isinstance(item, dict) and item.get("name") == LAYER_NAME)]
        for value in node.values():
            _drop(value)
    elif isinstance(node, list):
        for item in node:
            _drop(item)


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
