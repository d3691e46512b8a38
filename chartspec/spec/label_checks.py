"""Checks of text placement, direct labels and time units that the JSON Schema cannot express.

Each names the key that has no effect where it is written, at that key: text placement on a mark
that writes no text, a direct label on a mark without lines or in a facet (whose panels would
each need their own nudging), a time unit on an x axis of numbers.
"""

from __future__ import annotations

from dataclasses import fields

from ..errors import Diagnostic
from .marks import LABEL_MARKS, TextStyle
from .model import ChartSpec
from .source import SourceMap

__all__ = ["label_diagnostics"]


def _text_keys(style: TextStyle | None) -> list[str]:
    return [f.name for f in fields(TextStyle) if style is not None and getattr(style, f.name) is not None]


def label_diagnostics(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for layer in spec.layers:
        path = layer.json_path
        if layer.mark != "text":
            out += [source.diagnostic(f"{key!r} places the text of mark 'text', not of {layer.mark!r}",
                                      path + (key,), key=True,
                                      hint="remove it, or write the text with a separate 'mark: text' layer")
                    for key in _text_keys(layer.text_style)]
        if layer.label is not None and layer.mark not in LABEL_MARKS:
            out.append(source.diagnostic(f"'label' follows the end of a line; mark {layer.mark!r} has none",
                                         path + ("label",), key=True,
                                         hint=f"use it on marks {', '.join(LABEL_MARKS)}"))
        elif layer.label is not None and spec.facet is not None:
            out.append(source.diagnostic("'label: end' is not drawn in a facet: each panel would need its own "
                                         "labels", path + ("label",), key=True,
                                         hint="use the legend in a facet, or 'hconcat' the panels"))
    if spec.x.time_unit is not None and spec.x.type != "temporal":
        out.append(source.diagnostic(f"'time_unit' floors dates, but the x axis is {spec.x.type}",
                                     spec.x.json_path + ("time_unit",), key=True,
                                     hint="add 'type: temporal' to the x axis (with 'parse' for text dates)"))
    return out
