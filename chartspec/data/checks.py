"""Checks the JSON Schema cannot express: fields against the data, colours, domains, ticks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import DataError, Diagnostic, JsonPath, quoted
from ..spec.checks import annotation_diagnostics
from ..spec.colors import CSS_COLOR_NAMES, is_color
from ..spec.label_checks import label_diagnostics
from ..spec.model import Axis, ChartSpec
from ..spec.numformat import number_format_diagnostics
from ..spec.source import SourceMap
from ..spec.suggest import did_you_mean
from .layer_checks import facet_diagnostics, mark_diagnostics, scale_diagnostics, scale_misfits, series_diagnostics
from .rows import first_texts
from .sources import written_date
from .table import Table
from .values import shown

if TYPE_CHECKING:
    from .engine import Relation

__all__ = ["MAX_TICKS", "bound_text", "semantic_diagnostics", "step_size", "step_text"]

MAX_TICKS = 500
_AXIS_SETTINGS = ("title", "type", "scale", "domain", "tick_step", "format", "side", "exponent", "nice", "zero",
                  "reverse", "clamp", "values", "label_angle")


def semantic_diagnostics(spec: ChartSpec, table: Table, source: SourceMap,
                         views: Sequence[Table] | None = None) -> list[Diagnostic]:
    """``views``: each layer's table after its transforms (see transforms.layer_views); default ``table``."""
    found: list[Diagnostic] = []
    views = list(views) if views is not None else [table] * len(spec.layers)
    # x is drawn by every layer, so it must exist in each layer's data; say so once per message
    axes = [(spec.x, view) for view in {id(v): v for v in views}.values()] or [(spec.x, table)]
    axes += [(layer.y, view) for layer, view in zip(spec.layers, views)]
    seen: set[tuple[str, JsonPath]] = set()
    for axis, view in axes:
        for d in _check_field(axis, view, source, axis is not spec.x) + _check_domain(axis, view, source):
            if (d.message, d.path) not in seen:
                seen.add((d.message, d.path))
                found.append(d)
    found += _check_colors(spec, source) + _check_dates(spec, source)
    found += _check_shared_axes(spec, source)
    found += _check_names(spec, source) + number_format_diagnostics(spec, source)
    found += scale_diagnostics(spec, views, source) + series_diagnostics(spec, views, source)
    found += mark_diagnostics(spec, views, source) + annotation_diagnostics(spec, source)
    found += facet_diagnostics(spec, [table, *views], source) + label_diagnostics(spec, source)
    return sorted(found, key=lambda d: (d.line, d.column))


def _check_field(axis: Axis, table: Table, source: SourceMap, empty_ok: bool = False) -> list[Diagnostic]:
    """Problems of the field an axis draws; ``empty_ok``: a column holding no value yet is a note."""
    path = axis.json_path + ("field",)
    if not axis.field.strip():  # a header's unnamed columns are left out (header.py): none has this name
        return [source.diagnostic(f"field {axis.field!r} is blank: no column is named so", path,
                                  hint="name the column in the data's header, then use that name here")]
    if table.pending:
        return []  # a layer's own file with nothing in it yet: noted where it is read (table.py)
    if axis.field not in table.columns:
        hint = did_you_mean(axis.field, table.columns, what="a column") or (
            f"columns: {', '.join(table.columns)}" if table.columns else "the data has no columns")
        return [source.diagnostic(f"field {axis.field!r} not in {table.name}", path, hint=hint)]
    if axis.field in table.derived:
        return []  # made by a transform: its values exist only when Vega-Lite runs
    if not table.rows and not table.numbers_in_data and not table.reduced_from and table.relation is None:
        return []  # no rows at all (a layer's own file not written yet): noted where it is read (table.py)
    if scale_misfits(axis, source):
        return []  # 'scale: band' on numbers: the type is wrong, not the data (layer_checks.py says so)
    if axis.type == "quantitative":
        text = table.first_text(axis.field)
        if text is not None:
            return [_text_in_numbers(axis, table, *text, source)]
        if not table.has_numbers(axis.field) and not empty_ok:  # x: rows without an x draw nothing
            return [source.diagnostic(f"field {axis.field!r} has no numeric values in {table.name}", path)]
        if not table.has_numbers(axis.field):
            # a metric not logged yet (val_loss before the first eval, a log being watched): its
            # layer draws nothing and the others build; a misspelt name is the error above
            return [replace(source.diagnostic(
                f"field {axis.field!r} has no values yet in {table.name}: the layer draws nothing", path,
                hint="a metric not logged yet appears once its first value is written"), severity="note")]
    return []


def _text_in_numbers(axis: Axis, table: Table, row: int, value: Any, source: SourceMap) -> Diagnostic:
    shown = str(value).lower() if isinstance(value, bool) else quoted(value)  # true/false, as the data writes them
    return source.diagnostic(f"field {axis.field!r} is plotted as numbers but {table.row_of(row)} holds {shown}",
                             axis.json_path + ("field",),
                             hint="fix the data, or set 'type: nominal' (or ordinal/temporal) on this axis")


def x_text_error(model: ChartSpec, table: Table, rel: Relation, source: SourceMap) -> DataError | None:
    """The field error for a quantitative x an engine table holds as text (a cell such as 'x1'),
    named by its row in its own file: said before the drawing limit's error, which it causes."""
    x = model.x
    if x.type != "quantitative" or x.field not in rel.columns or x.field in rel.numeric:
        return None
    found = first_texts(rel, frozenset({x.field})).get(x.field)
    return None if found is None else DataError(_text_in_numbers(x, table, *found, source))


def _check_domain(axis: Axis, table: Table, source: SourceMap) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    if axis.domain is not None:
        lo, hi = axis.domain
        if lo >= hi:
            out.append(source.diagnostic(f"domain [{_at(lo, axis)}, {_at(hi, axis)}] is empty or reversed",
                                         axis.json_path + ("domain",), hint="write it as [min, max] with min < max"))
        elif axis.scale == "log" and lo <= 0:
            out.append(source.diagnostic("a log scale needs a domain above zero", axis.json_path + ("domain",)))
    step = _step_ms(axis)
    if step is not None and not out:
        span = _span(axis, table)
        if span is not None and (span[1] - span[0]) / step > MAX_TICKS:
            out.append(source.diagnostic(
                f"tick_step {_step_text(axis)} gives more than {MAX_TICKS} ticks over "
                f"[{_at(span[0], axis)}, {_at(span[1], axis)}]",
                axis.json_path + ("tick_step",), hint="use a larger step"))
    return out


# a time interval's length in milliseconds, for counting ticks (a month and a year at their shortest)
_INTERVAL_MS = {"millisecond": 1, "second": 1000, "minute": 60_000, "hour": 3_600_000, "day": 86_400_000,
                "week": 7 * 86_400_000, "month": 28 * 86_400_000, "year": 365 * 86_400_000}


def _step_ms(axis: Axis) -> float | None:
    """The tick step in the axis' units; None where the step does not suit the axis (layer_checks.py)."""
    if axis.tick_interval is not None and axis.type == "temporal":
        unit, count = axis.tick_interval
        return _INTERVAL_MS[unit] * count
    return axis.tick_step if axis.tick_step is not None and axis.type != "temporal" else None


def _step_text(axis: Axis) -> str:
    if axis.tick_interval is not None:
        unit, count = axis.tick_interval
        return f"{{{unit}: {count}}}"
    return f"{axis.tick_step:g}"


def step_size(axis: Axis) -> float | None:
    """The tick step of ``axis`` in its own units (a time interval in ms at its shortest), or None."""
    return _step_ms(axis)


def step_text(axis: Axis) -> str:
    """The axis' ``tick_step`` as a message writes it (``1``, ``{second: 1}``)."""
    return _step_text(axis)


def bound_text(value: float, axis: Axis) -> str:
    """An axis bound as a message writes it (numbers short, times as UTC dates)."""
    return _at(value, axis)


def _at(value: float, axis: Axis) -> str:
    """A bound as a message writes it: numbers short (``%g``), times as UTC dates."""
    return shown(value, axis) if axis.type == "temporal" else f"{value:g}"


def _span(axis: Axis, table: Table) -> tuple[float, float] | None:
    if axis.domain is not None:
        return axis.domain
    values = table.numbers(axis.field) if axis.field in table.columns else []
    return (min(values), max(values)) if values else None


def _check_dates(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    """Dates the spec writes for a temporal axis (tick ``values``, annotations) must read as the
    data's do (UTC, sources.written_date): else Vega would read them in the viewer's time zone."""
    out: list[Diagnostic] = []
    hint = "write it as ISO 8601: 2024-03-01, or 2024-03-01T18:00 (UTC unless an offset such as +05:30 follows)"
    for axis in (spec.x, *(layer.y for layer in spec.layers)):
        for i, value in enumerate(axis.values or ()) if axis.type == "temporal" else ():
            if isinstance(value, str) and not _is_date(value, None):
                out.append(source.diagnostic(f"tick value {quoted(value)} is not a date", axis.json_path + ("values", i),
                                             hint=hint))
    fmt = dict(spec.data.parse).get(spec.x.field)
    for a in spec.annotations if spec.x.type == "temporal" else ():
        bad = next((v for v in a.x if isinstance(v, str) and not _is_date(v, fmt)), None)
        if bad is not None:
            out.append(source.diagnostic(f"x {bad!r} is not a date", a.json_path + (a.kind if a.kind != "text" else "at",),
                                         hint=hint + (f", or in the data's format {fmt!r}" if fmt else "")))
    return out


def _is_date(text: str, fmt: str | None) -> bool:
    try:
        written_date(text, fmt)
    except ValueError:
        return False
    return True


def _check_colors(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    found: list[tuple[str, JsonPath]] = [(spec.background, ("background",)), (spec.grid.color, ("grid", "color"))]
    found += [(layer.color, layer.json_path + ("color",)) for layer in spec.layers if layer.color]
    return [source.diagnostic(f"{color!r} is not a CSS colour", path,
                              hint=did_you_mean(color, CSS_COLOR_NAMES) or "use a name, #rrggbb or rgb(r, g, b)")
            for color, path in found if not is_color(color)]


def _check_shared_axes(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    """Layers sharing an axis may repeat its settings but not contradict them."""
    out: list[Diagnostic] = []
    first: dict[str, Axis] = {}
    raw_keys = source.keys
    for layer in spec.layers:
        y = layer.y
        owner = first.setdefault(y.axis, y)
        if owner is y:
            continue
        for name in _AXIS_SETTINGS:
            if y.json_path + (name,) not in raw_keys:
                continue  # not written here: the owner's setting applies
            if _setting(y, name) != _setting(owner, name):
                line = source.position(owner.json_path).line
                out.append(source.diagnostic(
                    f"'{name}' of axis {y.axis!r} differs from the layer that first uses it (line {line})",
                    y.json_path + (name,), key=True,
                    hint="set axis options once, on the first layer of the axis, or give this layer its own 'axis'"))
    return out


def _check_names(spec: ChartSpec, source: SourceMap) -> list[Diagnostic]:
    seen: dict[str, int] = {}
    out = []
    for layer in spec.layers:
        if layer.name in seen:
            out.append(source.diagnostic(
                f"two layers share the legend name {quoted(layer.name)} (layers {seen[layer.name] + 1} and {layer.index + 1})",
                layer.json_path + ("name",), hint="give each layer its own 'name'"))
        seen.setdefault(layer.name, layer.index)
    return out


def _setting(axis: Axis, name: str) -> object:
    return (axis.tick_step, axis.tick_interval) if name == "tick_step" else getattr(axis, name)
