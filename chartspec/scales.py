"""One axis' scale and axis properties: type, domain, nice/zero/reverse/clamp, ticks and labels.

The compiler asks :func:`vl_scale` and :func:`vl_axis` for the Vega-Lite ``scale`` and ``axis``
of an encoding; :func:`scale_diagnostics` refuses what Vega would draw wrongly or not at all
(a log scale over zero, a band scale on numbers) with a positioned error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from .data import Table
from .errors import Diagnostic
from .model import Axis, ChartSpec
from .source import SourceMap

__all__ = ["SCALE_AXIS_TYPES", "axis_values", "decimals", "domain", "extent", "num", "scale_diagnostics",
           "vl_axis", "vl_scale"]

#: which kinds of values each scale draws (``linear`` is also the unset default of every kind)
SCALE_AXIS_TYPES: dict[str, tuple[str, ...]] = {
    "linear": ("quantitative",), "log": ("quantitative",), "symlog": ("quantitative",),
    "sqrt": ("quantitative",), "pow": ("quantitative",), "time": ("temporal",), "utc": ("temporal",),
    "band": ("ordinal", "nominal"), "point": ("ordinal", "nominal"),
}
_ZERO_SCALES = ("linear", "sqrt", "symlog", "pow")

# Integers beyond 2**53 are no more exact than floats, and vl-convert refuses those past 2**63.
_MAX_EXACT_INT = 2**53


def num(value: float) -> float | int:
    return int(value) if float(value).is_integer() and abs(value) < _MAX_EXACT_INT else value


def decimals(step: float) -> int:
    exponent = Decimal(repr(step)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def axis_values(lo: float, hi: float, step: float) -> list[float | int]:
    """Tick values at whole multiples of ``step`` within ``[lo, hi]``, free of float noise."""
    places = decimals(step)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    values = [round(k * step, places) for k in range(first, last + 1)]
    return [num(v) for v in values] if places == 0 else values


def extent(axis: Axis, tables: Iterable[Table]) -> tuple[float, float] | None:
    """Smallest and largest value of the axis field over every table drawn on the axis."""
    if axis.type != "quantitative":
        return None
    values = [v for table in tables if axis.field in table.columns for v in table.numbers(axis.field)]
    return (min(values), max(values)) if values else None


def domain(axis: Axis, span: tuple[float, float] | None) -> tuple[float, float] | None:
    """The explicit domain, or the data ``span`` widened to whole tick steps when ``tick_step`` is set."""
    if axis.domain is not None:
        return axis.domain
    if axis.tick_step is None or axis.type != "quantitative" or span is None:
        return None  # span None: a field a transform makes, known only when Vega-Lite runs
    step = axis.tick_step
    lo = math.floor(span[0] / step + 1e-9) * step
    hi = math.ceil(span[1] / step - 1e-9) * step
    return (lo, hi if hi > lo else lo + step)


def vl_scale(axis: Axis, span: tuple[float, float] | None, *, zero: bool) -> dict[str, Any]:
    """The Vega-Lite scale; ``zero`` is the mark's default (bars and areas start at zero)."""
    scale: dict[str, Any] = {}
    if axis.scale != "linear":
        scale["type"] = axis.scale
    elif axis.type == "temporal":
        scale["type"] = "utc"  # times are UTC (sources.py): labels must not depend on the machine's zone
    fixed = domain(axis, span)
    if fixed is not None:
        scale.update(domain=[num(fixed[0]), num(fixed[1])], nice=False)
    if axis.nice is not None and axis.type != "nominal":
        scale["nice"] = axis.nice
    if axis.type == "quantitative" and axis.scale in _ZERO_SCALES:
        scale["zero"] = axis.zero if axis.zero is not None else (zero and fixed is None)
    if axis.scale == "pow" and axis.exponent is not None:
        scale["exponent"] = axis.exponent
    if axis.reverse:
        scale["reverse"] = True
    if axis.clamp:
        scale["clamp"] = True
    return scale


def vl_axis(axis: Axis, span: tuple[float, float] | None, grid: bool) -> dict[str, Any]:
    props: dict[str, Any] = {"grid": grid}
    fixed = domain(axis, span)
    if axis.values is not None:
        props["values"] = [num(v) if isinstance(v, (int, float)) else v for v in axis.values]
    elif axis.tick_step is not None and fixed is not None:
        props["values"] = axis_values(fixed[0], fixed[1], axis.tick_step)
    fmt = axis.format or (f".{decimals(axis.tick_step)}f"
                          if axis.tick_step is not None and axis.type == "quantitative" else None)
    if fmt and axis.type in ("quantitative", "temporal"):
        props["format"] = fmt
    elif axis.format:  # numbers on a band or point scale (learning rates of a grid): a number format
        props.update(format=axis.format, formatType="number")
    if axis.label_angle is not None:
        props["labelAngle"] = axis.label_angle
    return props


def scale_diagnostics(spec: ChartSpec, views: Sequence[Table], source: SourceMap) -> list[Diagnostic]:
    """Scales that do not suit their axis or their data; ``views``: each layer's table."""
    axes = [(spec.x, list(views))] + [(layer.y, [view]) for layer, view in zip(spec.layers, views)]
    found: list[Diagnostic] = []
    for axis, tables in axes:
        found += _check_axis(axis, tables, source)
    return found


def _check_axis(axis: Axis, tables: list[Table], source: SourceMap) -> list[Diagnostic]:
    at = axis.json_path
    out: list[Diagnostic] = []
    written = (at + ("scale",)) in source.keys
    if written and axis.type not in SCALE_AXIS_TYPES[axis.scale]:
        fits = [name for name, kinds in SCALE_AXIS_TYPES.items() if axis.type in kinds]
        out.append(source.diagnostic(
            f"a {axis.scale} scale cannot draw {axis.type} values", at + ("scale",),
            hint=f"for type {axis.type} use scale: {_either(fits)}, or change 'type'"))
    if axis.format and axis.type in ("nominal", "ordinal"):
        for table in tables:
            text = table.first_text(axis.field) if axis.field in table.columns else None
            if text is not None:
                out.append(source.diagnostic(
                    f"'format' writes numbers, but row {text[0]} of {table.name} holds {text[1]!r} in {axis.field!r}",
                    at + ("format",), hint="remove 'format' from this axis, or fix the data"))
                break
    if axis.exponent is not None and axis.scale != "pow":
        out.append(source.diagnostic("'exponent' applies only to 'scale: pow'", at + ("exponent",), key=True,
                                     hint="add 'scale: pow' or remove 'exponent'"))
    if axis.values is not None and axis.tick_step is not None:
        out.append(source.diagnostic("give either 'values' or 'tick_step', not both", at + ("values",), key=True,
                                     hint="'values' lists the ticks; 'tick_step' spaces them evenly"))
    if axis.scale == "log":
        out += _check_log(axis, tables, source)
    return out


def _either(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def _check_log(axis: Axis, tables: list[Table], source: SourceMap) -> list[Diagnostic]:
    at = axis.json_path
    if axis.tick_step is not None:
        return [source.diagnostic("'tick_step' does not suit a log scale (its ticks are not evenly spaced)",
                                  at + ("tick_step",), key=True, hint="list the ticks with 'values: [0.01, 0.1, 1]'")]
    if axis.domain is not None:
        return []  # a domain above zero hides non-positive data (checks.py refuses one that is not)
    for table in tables:
        if axis.field not in table.columns or axis.field in table.derived:
            continue
        for row, record in enumerate(table.rows, start=1):
            value = record.get(axis.field)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0:
                return [source.diagnostic(
                    f"a log scale cannot show {value!r} (row {row} of {table.name}, field {axis.field!r})",
                    at + ("scale",),
                    hint="use 'scale: symlog' (allows zero and negatives), filter the rows, or set a 'domain' above zero")]
    return []
