"""d3 number formats checked before anything renders: d3 throws on a specifier it cannot read,
and Vega then fails the whole chart with a message that names no place in the spec."""

from __future__ import annotations

from ..errors import Diagnostic, JsonPath
from .expressions.check import D3_NUMBER_FORMAT, MAX_TEXT
from .model import ChartSpec
from .source import SourceMap

__all__ = ["D3_NUMBER_FORMAT", "number_format_diagnostics"]

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
    found = []
    for fmt, path, what in formats:
        if fmt is None:
            continue
        if (match := D3_NUMBER_FORMAT.match(fmt)) is None:
            found.append(source.diagnostic(f"{fmt!r} is not a number format d3 can read (for {what})", path,
                         hint=_HINT + (" (dates: 'type: temporal' on the axis)" if "%" in fmt[:-1] else "")))
        elif match.group(6) and int(match.group(6)) > MAX_TEXT:  # d3 clamps the precision, never the width
            found.append(source.diagnostic(f"the number format {fmt[:40]!r} pads every label to {int(match.group(6)):,} characters: "
                                           f"more than the limit of {MAX_TEXT:,} (for {what})", path,
                                           hint="write a width of a few characters (the digits before ',' or '.'), "
                                                "or none"))
    return found
