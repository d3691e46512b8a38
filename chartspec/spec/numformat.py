"""d3 number formats checked before anything renders: d3 throws on a specifier it cannot read,
and Vega then fails the whole chart with a message that names no place in the spec."""

from __future__ import annotations

import re

from ..errors import Diagnostic, JsonPath
from .model import ChartSpec
from .source import SourceMap

__all__ = ["D3_NUMBER_FORMAT", "number_format_diagnostics"]

#: d3-format's specifier: [[fill]align][sign][symbol][0][width][,][.precision][~][type]
D3_NUMBER_FORMAT = re.compile(r"^(?:(.)?([<>=^]))?([+\-( ])?([$#])?(0)?(\d+)?(,)?(\.\d+)?(~)?([a-z%])?$",
                              re.IGNORECASE)
_HINT = "a d3 number format: '.1f', ',d', '~s', '.0%', '.2e', '$,'"


def number_format_diagnostics(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    """Every number format of the chart (axes not temporal, text marks, colour legends) d3 can read."""
    formats: list[tuple[str | None, JsonPath, str]] = []
    for axis, where in ((spec.x, "x axis"), *((layer.y, "y axis") for layer in spec.layers)):
        if axis.type != "temporal":  # a temporal axis takes a time format, which d3 never refuses
            formats.append((axis.format, axis.json_path + ("format",), f"the {where} of numbers"))
    for layer in spec.layers:
        formats.append((layer.text_format, layer.json_path + ("text_format",), "the text mark"))
        if layer.heat is not None:
            formats.append((layer.heat.format, layer.json_path + ("color", "format"), "the colour legend"))
    return [source.diagnostic(f"{fmt!r} is not a number format d3 can read (for {what})", path,
                              hint=_HINT + (" (dates: 'type: temporal' on the axis)" if "%" in fmt[:-1] else ""))
            for fmt, path, what in formats if fmt is not None and not D3_NUMBER_FORMAT.match(fmt)]
