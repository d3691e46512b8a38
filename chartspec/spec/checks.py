"""Checks of the model that the JSON Schema cannot express and that need no data.

Annotations: their axes exist, ranges run low to high, colours are CSS colours, and keys that do
not apply to a kind are reported instead of silently ignored. Checks that need the rows are in
:mod:`chartspec.data.checks`.
"""

from __future__ import annotations

from ..errors import Diagnostic
from .annotations import Value
from .model import ChartSpec, axis_names
from .source import SourceMap

#: the styling keys each kind of annotation uses; any other is reported, not silently ignored
_STYLE_KEYS = {"axis", "label", "color", "opacity", "dash", "shape", "at", "offset"}
_APPLIES: dict[str, set[str]] = {
    "hline": {"axis", "label", "color", "opacity", "dash"}, "vline": {"label", "color", "opacity", "dash"},
    "x_range": {"label", "color", "opacity"}, "y_range": {"axis", "label", "color", "opacity"},
    "text": {"at", "axis", "color", "opacity"}, "point": {"axis", "label", "color", "opacity", "shape"},
    "arrow": {"axis", "label", "color", "opacity", "dash", "offset"}}


def annotation_diagnostics(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    """Axes that exist, ranges written low to high, colours, and what annotations cannot do yet."""
    from .colors import CSS_COLOR_NAMES, is_color
    from .suggest import did_you_mean

    out: list[Diagnostic] = []
    names = axis_names(spec.layers)
    for a in spec.annotations:
        path = a.json_path
        if a.axis is not None and a.axis not in names:
            out.append(source.diagnostic(f"annotation axis {a.axis!r} is not an axis of this chart", path + ("axis",),
                                         hint=did_you_mean(a.axis, names, what="an axis id, y field or layer name")))
        if a.axis is not None and a.kind in ("vline", "x_range"):
            out.append(source.diagnostic(f"'axis' names a y axis, but {a.kind!r} has no y value",
                                         path + ("axis",), key=True, hint="remove 'axis'"))
        for key in sorted(_STYLE_KEYS - _APPLIES[a.kind] - {"axis"}):
            if path + (key,) in source.keys:
                out.append(source.diagnostic(f"'{key}' does not apply to {a.kind!r}", path + (key,), key=True,
                                             hint=f"{a.kind!r} takes: {', '.join(sorted(_APPLIES[a.kind]))}"))
        if spec.x.type == "quantitative" and any(isinstance(v, str) for v in a.x):
            out.append(source.diagnostic(f"x {next(v for v in a.x if isinstance(v, str))!r} is text, but the x axis "
                                         "is quantitative", path + (a.kind if a.kind != "text" else "at",),
                                         hint="write the x value as a number"))
        pair = a.x if a.kind == "x_range" else a.y if a.kind == "y_range" else ()
        if len(pair) == 2 and _above(pair[0], pair[1]):
            out.append(source.diagnostic(f"{a.kind} [{pair[0]}, {pair[1]}] runs backwards", path + (a.kind,),
                                         hint="write it as [low, high]"))
        if a.kind == "arrow" and a.offset == (0.0, 0.0):
            out.append(source.diagnostic("an arrow with offset [0, 0] has no length", path + ("offset",),
                                         hint="give the tail's distance from the point in pixels, e.g. [40, -30]"))
        if a.color is not None and not is_color(a.color):
            out.append(source.diagnostic(f"{a.color!r} is not a CSS colour", path + ("color",),
                                         hint=did_you_mean(a.color, CSS_COLOR_NAMES) or "use a name or #rrggbb"))
    return out


def _above(low: Value, high: Value) -> bool:
    if isinstance(low, (int, float)) and isinstance(high, (int, float)):
        return low >= high
    return str(low) >= str(high)


def parse_diagnostics(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    """``parse`` formats that are no strftime format (``%s``, a stray ``%``): a mistake of the spec,
    reported at the format before any row is read rather than blamed on the first row."""
    import datetime as dt

    out: list[Diagnostic] = []
    sources = [spec.data, *(layer.data for layer in spec.layers)]
    for data in (d for d in sources if d is not None):
        for field, fmt in data.parse:
            try:
                dt.datetime.strptime("", fmt)
            except ValueError as err:
                if str(err).startswith(("time data", "unconverted data")):
                    continue  # the format reads: the empty text just does not fit it
                seconds = "%s" in fmt.replace("%%", "")
                datum = f"datum.{field}" if field.isidentifier() else f"datum[{field!r}]"
                out.append(source.diagnostic(
                    f"parse format {fmt!r} of field {field!r} is not a date format: {err}", data.parse_path + (field,),
                    hint=f"numbers in a temporal field are already times, in epoch milliseconds: for epoch seconds "
                    f"drop the parse and add 'transform: [{{calculate: \"{datum} * 1000\", as: time}}]', "
                    "then plot 'time' with type: temporal" if seconds else
                    "strftime codes: %Y-%m-%d %H:%M:%S (a literal % is written %%)"))
    return out
