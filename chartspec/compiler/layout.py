"""Layout of one chart: small multiples (``facet:``) and the space around it (``padding:``).

The compiler builds a layer chart as usual; :func:`apply_layout` then wraps it. A facet moves
everything a panel draws (size, layers, their scale resolution) into the facet's inner ``spec``
and keeps data, transforms, title and config at the top, so the merged legend and the
independent y axes work unchanged inside every panel.

Vega-Lite cannot share a scale across panels when the panels' layers resolve it independently
(the compiled Vega fails with "Unrecognized scale name: child_layer_0_y"), so a faceted chart
with several y axes gives each panel its own y scales; a chart with one y axis keeps one y scale
for all panels. ``domain`` on an axis makes the panels agree when that matters.
"""

from __future__ import annotations

import json
from typing import Any

from ..spec.layout import Facet
from ..spec.model import ChartSpec

# Keys of a compiled chart that stay at the top of a facet spec; the rest is what one panel draws.
_FACET_TOP = ("$schema", "description", "background", "padding", "autosize", "data", "datasets", "transform",
              "params", "title", "config", "usermeta")


def apply_layout(vl: dict[str, Any], spec: ChartSpec) -> dict[str, Any]:
    """The compiled layer chart ``vl`` with the spec's facet and padding applied."""
    if spec.padding is not None:
        vl["padding"] = spec.padding
    return _facet(vl, spec.facet, spec.width, spec.height) if spec.facet is not None else vl


def _facet(vl: dict[str, Any], facet: Facet, width: float, height: float) -> dict[str, Any]:
    from .common import field_ref
    from .scales import heading_limit, label_limit, title_limit

    _partition_own_data(vl, [f for f in (facet.field, facet.row, facet.column) if f])
    rows = [row for row in vl.get("data", {}).get("values") or [] if isinstance(row, dict)]

    def panels(name: str | None) -> int:
        """How many panels side by side a facet field makes (a wrapped facet: its columns)."""
        count = len({str(row.get(name)) for row in rows}) if name else 1
        return max(1, min(count, facet.columns or count) if name == facet.field else count)

    def header(name: str, room: float, span: float) -> dict[str, Any]:
        out: dict[str, Any] = {"field": field_ref(name), "type": "nominal", "title": facet.title}
        if facet.sort != "ascending":
            out["sort"] = list(facet.sort) if isinstance(facet.sort, tuple) else facet.sort
        # a header's label as long as its panel's side at most (a row's is written upwards), its
        # title as the panels together: Vega draws them whole, and a 500-character value spread
        # the panels 3,400 px apart
        longest = max((str(row.get(name, "")) for row in rows), key=len, default="")
        if limits := {**label_limit([longest], room), **title_limit(facet.title, span)}:
            out["header"] = limits
        return out

    if "title" in vl:  # over every column of panels
        vl["title"] = heading_limit(vl["title"], width * panels(facet.field or facet.column))
    if facet.field is not None:
        encoding: dict[str, Any] = header(facet.field, width, width * panels(facet.field))
    else:
        encoding = {key: header(name, width, width * panels(name)) if key == "column" else
                    header(name, height, height * panels(name))
                    for key in ("row", "column") if (name := getattr(facet, key))}
    panel = {k: v for k, v in vl.items() if k not in _FACET_TOP}
    out: dict[str, Any] = {}
    for key, value in vl.items():
        if key in _FACET_TOP:
            out[key] = value
        elif "facet" not in out:  # where the panel's keys began
            out["facet"] = encoding
            if facet.field is not None and facet.columns is not None:
                out["columns"] = facet.columns
            out["spec"] = panel
    if panel.get("resolve", {}).get("scale", {}).get("y") == "independent":
        out["resolve"] = {"scale": {"y": "independent"}}  # see the module docstring
    return out


PART_FIELD = "__chartspec_data"  # in a facet's data: which layer's own rows a row is (none: the chart's)


def _partition_own_data(vl: dict[str, Any], fields: list[str]) -> None:
    """Move the layers' own rows into the facet's data, so the facet splits them into panels too.

    A layer with its own ``data`` inside a facet is drawn whole in every panel: Vega-Lite splits
    only the facet's data. Rows that carry the facet fields are appended to it, tagged with
    :data:`PART_FIELD`, and every layer filters its own part back out. Own data without the facet
    fields (a baseline, an annotation's one row) stays where it is: drawn in every panel, as meant.
    """
    parts: list[tuple[Any, list[dict[str, Any]]]] = []  # (part id, rows)

    def splittable(node: dict[str, Any]) -> bool:
        rows = node.get("data", {}).get("values")
        return bool(rows) and isinstance(rows, list) and all(
            isinstance(row, dict) and all(f in row for f in fields) for row in rows)

    def owns_data(node: Any) -> bool:
        return isinstance(node, dict) and ("data" in node or any(owns_data(n) for n in node.get("layer", [])))

    def keep_only(node: dict[str, Any], test: str) -> None:
        node["transform"] = [{"filter": test}, *node.get("transform", [])]

    def visit(node: dict[str, Any]) -> None:
        if splittable(node):
            part = node.get("name", len(parts) + 1)  # a named layer (the hover layer) by its name
            parts.append((part, node.pop("data")["values"]))
            keep_only(node, f"datum[{json.dumps(PART_FIELD)}] === {json.dumps(part)}")
        elif "data" in node:
            return
        elif owns_data(node):
            for child in node["layer"]:
                visit(child)
        else:  # draws the chart's rows: not the parts appended to them
            keep_only(node, f"!isValid(datum[{json.dumps(PART_FIELD)}])")

    layers = vl.get("layer", [])
    if not any(splittable(n) for n in _walk(layers)) or "values" not in vl.get("data", {}):
        return
    for node in layers:
        visit(node)
    vl["data"] = {**vl["data"], "values": [*vl["data"]["values"], *(
        {**row, PART_FIELD: part} for part, rows in parts for row in rows)]}


def _walk(layers: list[Any]) -> Any:
    for node in layers:
        if isinstance(node, dict):
            yield node
            yield from _walk(node.get("layer", []))
