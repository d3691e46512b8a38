"""``tick_step`` axes that annotations widen past the tick limit: ticks left to Vega, with a note.

A ``tick_step`` lists its ticks (scales.py, times.py), at most ``MAX_TICKS`` of them; the data's
own span past that is an error (data/checks.py). An annotation far off (a vline at step 2100 on
an axis of steps 0..19 with ``tick_step: 1``) widens the axis Vega draws: listing 2,100 ticks
would hang the renderer, and keeping the data's domain cut the annotation off (its label then
stretched the chart to 66,000 px). Here such an axis drops its ``tick_step``: the annotation is
drawn, Vega places the ticks, and a note at the ``tick_step`` says so and how to keep it.
Also here: whether an x of whole steps gets whole-number ticks (:func:`whole_steps`).
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..data.checks import MAX_TICKS, bound_text, step_size, step_text
from ..data.layerdata import LayerData
from ..data.table import Table
from ..data.values import value_span
from ..errors import Diagnostic
from ..spec.model import Axis, ChartSpec
from ..spec.source import SourceMap
from .annotations import x_reach, y_reach
from .axes import Span, axis_groups, group_span, joined_span

__all__ = ["steps_that_fit", "whole_steps"]


def _too_many(axis: Axis, span: Span | None, reach: list[float]) -> Span | None:
    """The widened span when ``reach`` (annotations) takes ``axis``' ticks past the limit while its
    data alone keeps within it (past it already: the checks' error); None otherwise."""
    step = step_size(axis)
    wide = joined_span(span, reach)
    if step is None or axis.domain is not None or span is None or wide is None or wide == span:
        return None  # (an explicit domain clips the annotations: its ticks are the domain's)
    return wide if (wide[1] - wide[0]) / step > MAX_TICKS >= (span[1] - span[0]) / step else None


def _note(axis: Axis, wide: Span, source: SourceMap) -> Diagnostic:
    step = step_size(axis)
    assert step is not None
    low, high = bound_text(wide[0], axis), bound_text(wide[1], axis)
    return replace(source.diagnostic(
        f"tick_step {step_text(axis)} would give more than {MAX_TICKS} ticks over [{low}, {high}], "
        f"where the annotations reach: the ticks are left to Vega", axis.json_path + ("tick_step",),
        hint=f"use a tick_step of at least {_least(axis, step, wide)}, or set 'domain' to cut the annotations off"),
        severity="note")


def _least(axis: Axis, step: float, wide: Span) -> str:
    """The smallest step that lists at most ``MAX_TICKS`` ticks over ``wide``, as the spec writes it."""
    if axis.tick_interval is None:
        return f"{(wide[1] - wide[0]) / MAX_TICKS:.3g}"
    unit, count = axis.tick_interval
    return f"{{{unit}: {math.ceil((wide[1] - wide[0]) / MAX_TICKS / (step / count))}}}"  # step: count units in ms


def steps_that_fit(model: ChartSpec, data: LayerData, source: SourceMap) -> tuple[ChartSpec, list[Diagnostic]]:
    """``model`` without the ``tick_step`` of each axis its annotations widen past ``MAX_TICKS``
    ticks, and a note for each such axis."""
    notes: list[Diagnostic] = []
    y_spans = {axis_id: (group_span(members, [data.of(m) for m in members]), y_reach(model, axis_id))
               for axis_id, members in axis_groups(model.layers).items()}
    x = model.x  # (times as epoch ms, as the checks count them; extent() knows numbers alone)
    x_span = value_span([v for layer in model.layers if x.field in (t := data.of(layer)).columns
                         for v in t.numbers(x.field)])
    if (wide := _too_many(model.x, x_span, x_reach(model))) is not None:
        notes.append(_note(model.x, wide, source))
        model = replace(model, x=replace(model.x, tick_step=None, tick_interval=None))
    for axis_id, (span, more) in y_spans.items():
        owner = next(layer.y for layer in model.layers if layer.y.axis == axis_id)  # the axis' settings
        if (wide := _too_many(owner, span, more)) is not None:
            notes.append(_note(owner, wide, source))
            model = replace(model, layers=tuple(
                replace(layer, y=replace(layer.y, tick_step=None)) if layer.y.axis == axis_id else layer
                for layer in model.layers))
    return model, notes


def whole_steps(x: Axis, span: Span | None, tables: list[Table]) -> bool:
    """Whether a linear x of a short whole-number span (at most 20: where Vega's ticks would fall
    between whole numbers) holds whole numbers only, as steps and epochs do."""
    if x.type != "quantitative" or x.scale != "linear" or span is None or not 0 < span[1] - span[0] <= 20:
        return False
    if not (float(span[0]).is_integer() and float(span[1]).is_integer()):
        return False
    values = (row.get(x.field) for t in tables for row in t.rows)
    # 1.0 too: pandas writes whole steps so once a column had a missing value
    return all(v is None or isinstance(v, int) or (isinstance(v, float) and v.is_integer()) for v in values)
