"""Several whole charts in one Vega-Lite concat (``hconcat:`` / ``vconcat:``).

Keys Vega-Lite allows only at the top (``$schema``, ``config``, ``background``, ``padding``) are
taken from the layout (the config from the first item), data that every item shares is written
once, and every item keeps its own colour and shape scales, so each has its own merged legend.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..data.loaded import ConcatSpec, Spec
from ..errors import CompileError, Diagnostic
from ..spec.model import ChartSpec
from .chart import compile_chart_noted
from .common import VEGA_LITE_SCHEMA, apply_patch
from .interactive import distinct_params
from .scales import heading_limit

#: keys of a compiled chart that Vega-Lite accepts only at the top of the whole specification
_TOP_ONLY = ("$schema", "config", "background", "padding", "autosize", "usermeta", "datasets")
_ITEM_TITLE_SIZE = 13  # px; the layout's title keeps the configured size
#: config.axis keys an item's own ``grid:`` sets; moved onto that item's axes (config is shared)
_GRID_KEYS = ("gridColor", "gridDash", "gridWidth")


def _set_axes(node: Any, settings: dict[str, Any]) -> None:
    """Give every axis of a compiled chart ``settings`` it does not set itself."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "axis" and isinstance(value, dict):
                for name, setting in settings.items():
                    value.setdefault(name, setting)
            else:
                _set_axes(value, settings)
    elif isinstance(node, list):
        for item in node:
            _set_axes(item, settings)


def compile_concat(spec: Spec) -> tuple[dict[str, Any], list[Diagnostic]]:
    """The Vega-Lite concat of the layout's compiled charts, and the charts' notes."""
    model: ConcatSpec = spec.model  # type: ignore[assignment]
    compiled: list[tuple[dict[str, Any], list[Diagnostic]]] = []
    errors: list[Diagnostic] = []
    for index, item in enumerate(model.items):  # every item's errors, located with the item's place in front
        try:
            compiled.append(compile_chart_noted(item))
        except CompileError as err:
            errors += [replace(d, path=(model.direction, index, *d.path)) for d in err.diagnostics]
    if errors:
        raise CompileError(errors)
    charts = [chart for chart, _ in compiled]
    # an item's notes are located in the file already; their paths get the item's place in front
    notes = [replace(n, path=(model.direction, i, *n.path)) for i, (_, found) in enumerate(compiled) for n in found]
    parts = [{k: v for k, v in chart.items() if k not in _TOP_ONLY} for chart in charts]
    shared = charts[0].get("config", {}).get("axis", {})
    for chart, part in zip(charts[1:], parts[1:]):
        own = {k: v for k, v in chart.get("config", {}).get("axis", {}).items() if k in _GRID_KEYS}
        if any(shared.get(k) != v for k, v in own.items()):
            _set_axes(part, own)
    for part in parts:  # item titles a step below the layout's own
        if isinstance(part.get("title"), dict):
            part["title"] = {"fontSize": _ITEM_TITLE_SIZE, **part["title"]}
    vl: dict[str, Any] = {
        "$schema": VEGA_LITE_SCHEMA,
        "description": model.description or model.title or "chart",
    }
    if "background" in charts[0] or "background" not in charts[0].get("config", {}):  # a theme's lives in config
        vl["background"] = charts[0].get("background", "white")
    if all("data" in part and part["data"] == parts[0]["data"] for part in parts):
        vl["data"] = parts[0]["data"]  # written once, inherited by every item
        parts = [{k: v for k, v in part.items() if k != "data"} for part in parts]
    distinct_params(parts)  # interactive.py: one hover/zoom signal name per item
    vl[model.direction] = parts
    # each item has its own series: its own colour and shape scales, so its own legend
    vl["resolve"] = {"scale": {"color": "independent", "shape": "independent"}}
    vl["config"] = charts[0].get("config", {})
    if model.title:  # over the whole layout, cut as a chart's title is over its plot (scales.py)
        widths = [item.model.width if isinstance(item.model, ChartSpec) else 0.0 for item in model.items]
        room = sum(widths) if model.direction == "hconcat" else max(widths)
        vl["title"] = heading_limit({"text": model.title, **({"subtitle": model.subtitle} if model.subtitle else {})},
                                    room)
    if model.padding is not None:
        vl["padding"] = model.padding
    if model.vega_lite:
        vl = apply_patch(vl, spec)
    return vl, notes
