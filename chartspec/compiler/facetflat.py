"""Flat and empty facet panels: a panel whose data on a y axis is one value, widened as a flat
chart is, and one with no value on it, given the range of all panels.

A faceted chart with several y axes gives each panel its own y scales (layout.py). A panel whose
learning rate is constant (while another panel's varies) then has a zero-width domain, and Vega
labels its one tick "0". A whole flat axis gets a fixed domain (scales.flat_domain), but one
domain cannot differ per panel: each flat panel gets two invisible rows at its widened bounds
instead, in a layer of the axis (a rule, drawn transparent, out of the accessible tree). The facet
splits that layer's rows into their panels (layout.py's own-data partition), so Vega's domain of
that panel, and only of that panel, reaches them: centred, with a tick naming the value. A panel
with nothing on the axis (its rows of that metric all empty) had the domain "from NaN to NaN"
(its SVG description); its rows are at the range the other panels draw together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..data.layerdata import LayerData
from ..data.smoothing import smooth_column
from ..data.values import value_span
from ..spec.model import ChartSpec, Layer, YAxis, axis_of
from .directlabels import flat_knowable
from .scales import flat_domain, num

__all__ = ["flat_panel_layer"]


def _panel_values(members: Sequence[Layer], data: LayerData, keys: Sequence[str]) -> dict[tuple[Any, ...], list[float]]:
    """The y values each panel draws on the axis (the columns of ``directlabels._drawn_values``)."""
    panels: dict[tuple[Any, ...], list[float]] = {}
    for layer in members:
        fields = [smooth_column(layer.index)] if layer.smooth is not None else [layer.y.field]
        if layer.smooth is not None and layer.smooth.show_raw:
            fields.append(layer.y.field)
        if layer.band is not None:
            fields += [layer.band.lower, layer.band.upper]
        for row in data.of(layer).rows:
            values = panels.setdefault(tuple(row.get(k) for k in keys), [])
            values += [v for f in fields if isinstance(v := row.get(f), (int, float)) and not isinstance(v, bool)
                       and math.isfinite(v)]
    return panels


def flat_panel_layer(axis_id: str, members: list[Layer], owner: YAxis, y_encoding: dict[str, Any],
                     model: ChartSpec, data: LayerData, independent: bool) -> dict[str, Any] | None:
    """The invisible layer widening the flat and empty panels of the y axis ``axis_id`` (module
    docstring), or None: no facet, panels sharing one scale, a fixed domain, no such panel."""
    facet = model.facet
    keys = [k for k in (facet.field, facet.row, facet.column) if k] if facet is not None else []
    if (not keys or not independent or owner.type != "quantitative" or "domain" in y_encoding.get("scale", {})
            or not all(i < len(data.exact) and data.exact[i] for i in (m.index for m in members))
            or not flat_knowable(members, model)):
        return None
    marked = [v for a in model.annotations if a.y and axis_of(a, model.layers) == axis_id for v in a.y]
    zero = bool(y_encoding.get("scale", {}).get("zero"))  # as the compiled scale: bars start at zero
    panels = _panel_values(members, data, keys)
    every = [v for values in panels.values() for v in values] + marked
    # panels drawing nothing on this axis: those of a row some layer certainly draws (a row of a
    # panel that does not exist would make one)
    for layer in model.layers:
        if layer.index < len(data.exact) and data.exact[layer.index]:
            for row in data.of(layer).rows:
                panels.setdefault(tuple(row.get(k) for k in keys), [])
    rows = []
    for panel, values in panels.items():
        values = (values + marked) or every  # an annotation is drawn in every panel; an empty one: all panels' range
        if not values:
            continue
        lo, hi = value_span(values) or (0.0, 0.0)  # (values is not empty)
        bounds = flat_domain(owner, (lo, lo), zero) if lo == hi else (lo, hi) if values is every else None
        if bounds is not None:
            rows += [{**dict(zip(keys, panel)), owner.field: num(bound)} for bound in bounds]
    if not rows:
        return None
    return {"name": f"chartspec_flat_{axis_id}", "data": {"values": rows},
            "mark": {"type": "rule", "opacity": 0, "aria": False, "tooltip": None},
            "encoding": {"y": dict(y_encoding)}}
