"""The y axes of a chart: which layers share one, where each is drawn, and aligned ticks.

Layers naming the same ``axis`` share one axis and scale. Axes without a ``side`` go left, right,
left, ... and every further axis on a side is pushed outward by the estimated width of the axes
inside it (tick labels, title, a gap), so their labels never overlap. With ``align_ticks`` the
domains of the free linear axes are chosen so every axis has the same number of tick intervals,
hence ticks and grid lines at the same heights, with zero at one height on axes that cross it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import replace
from decimal import Decimal

from ..data.checks import MAX_TICKS
from ..data.table import Table
from ..data.values import value_span
from ..spec.model import Axis, Layer, YAxis
from .scales import decimals, domain, flat_domain, step_ticks, tiny

__all__ = ["Span", "align_domains", "axis_color", "axis_groups", "axis_tags", "group_span", "joined_span", "place_axes",
           "tick_reach"]

Span = tuple[float, float]
AXIS_GAP = 12  # px between stacked axes on one side
_CHAR_WIDTH = 6.2  # px per character of a 10px tick label (digits are ~5.6 px; a margin for safety)
_LABEL_HEIGHT = 12  # px of a tick label across its reading direction
_TICK_AND_PADDING = 8  # tick (5 px) plus the padding between tick and label
_TITLE_WIDTH = 20  # an 11px bold title, rotated, plus its padding
_NICE = (1, 2, 2.5, 5)


def axis_groups(layers: Sequence[Layer]) -> dict[str, list[Layer]]:
    groups: dict[str, list[Layer]] = {}
    for layer in layers:
        groups.setdefault(layer.y.axis, []).append(layer)
    return groups


def group_span(members: Sequence[Layer], tables: Sequence[Table]) -> Span | None:
    """The data extent over every layer on one axis (each layer's own y field and table)."""
    return value_span([v for layer, table in zip(members, tables) if layer.y.field in table.columns
                       for v in table.numbers(layer.y.field)])


def axis_color(color: str) -> dict[str, str]:
    """Axis properties that draw the title, labels, ticks and axis line in the series' colour."""
    return {"titleColor": color, "labelColor": color, "tickColor": color, "domainColor": color}


# -- placement ---------------------------------------------------------------------------------------

def place_axes(owners: dict[str, YAxis], spans: dict[str, Span | None], height: int
               ) -> dict[str, tuple[str, float]]:
    """Side and offset (px outward from the plot) of each axis: explicit sides, then alternating."""
    placed: dict[str, tuple[str, float]] = {}
    used = {"left": 0.0, "right": 0.0}
    count = {"left": 0, "right": 0}
    for axis_id, y in owners.items():
        side = y.side or ("left" if count["left"] <= count["right"] else "right")
        offset = used[side] + (AXIS_GAP if count[side] else 0.0)
        placed[axis_id] = (side, round(offset, 1))
        used[side] = offset + axis_width(y, spans.get(axis_id), height)
        count[side] += 1
    return placed


def axis_width(y: YAxis, span: Span | None, height: int) -> float:
    """Estimated width of a vertical axis: ticks, the widest label, the title."""
    try:
        texts = _label_texts(y, span, height)
    except (OverflowError, ValueError):  # extents near the float limits
        texts = ["0" * 10]
    longest = max((len(text) for text in texts), default=4)
    angle = math.radians(y.label_angle or 0)
    label = longest * _CHAR_WIDTH * abs(math.cos(angle)) + _LABEL_HEIGHT * abs(math.sin(angle))
    return label + _TICK_AND_PADDING + (_TITLE_WIDTH if y.title else 0)


def _label_texts(y: YAxis, span: Span | None, height: int) -> list[str]:
    fixed = domain(y, span) or flat_domain(y, span, False) or span  # one value: widened as the scale is
    if fixed is not None and tiny(y, span):  # d3's "~g" as Python's "g" writes it: 2.5e-22
        return [f"{v:.3g}" for v in (fixed if y.values is None else y.values) if not isinstance(v, str)]
    if y.values is not None:
        values: list[float | int | str] = list(y.values)
    elif fixed is None:
        return ["00000"]  # values known only when Vega-Lite runs: a typical width
    elif (ticks := step_ticks(y, span)) is not None:
        values = list(ticks)
    else:  # Vega's default: about one tick per 40 px at a d3 "nice" step; the ends are the widest
        step = _d3_step(fixed[0], fixed[1], max(2, math.ceil(height / 40)))
        ends = (math.floor(fixed[0] / step) * step, math.ceil(fixed[1] / step) * step)
        default = y.format or f",.{min(decimals(step), 20)}f"
        return [_format(v, default) for v in ends]
    return [_format(v, y.format) for v in values]


def _format(value: float | int | str, fmt: str | None) -> str:
    if isinstance(value, str):
        return value
    try:  # most d3 formats (".1f", ",d", ".0%") read the same in Python
        return format(value, (fmt or ",").replace("~", ""))
    except (ValueError, OverflowError):
        return f"{value:g}" + "00"  # "~s" and friends: a generous guess


def _d3_step(lo: float, hi: float, count: int) -> float:
    raw = max(hi - lo, 1e-12) / count
    power = 10 ** math.floor(math.log10(raw))
    error = raw / power
    factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else 2 if error >= math.sqrt(2) else 1
    return factor * power


def axis_tags(owners: dict[str, YAxis], placement: dict[str, tuple[str, float]]) -> dict[str, str]:
    """Legend suffix per axis: ' (right axis)', or the title when several axes share that side."""
    per_side: dict[str, int] = {}
    for side, _ in placement.values():
        per_side[side] = per_side.get(side, 0) + 1
    tags = {}
    for axis_id, (side, _) in placement.items():
        title = owners[axis_id].title or axis_id
        tags[axis_id] = f" ({side} axis)" if per_side[side] == 1 else f" ({side} axis: {title})"
    return tags


# -- aligned ticks -----------------------------------------------------------------------------------

def align_domains(owners: dict[str, YAxis], spans: dict[str, Span | None], height: int,
                  zero: dict[str, bool]) -> dict[str, YAxis]:
    """Owners of the aligned axes with ``domain`` and ``tick_step`` set so their ticks coincide.

    Axes with an explicit ``domain`` or ``values``, non-linear scales and fields known only when
    Vega-Lite runs keep their own ticks; an axis with both ``domain`` and ``tick_step`` is the
    reference the others follow (its number of steps, and where its zero is). ``zero``: axes whose
    marks start at zero (bars, areas).
    """
    references = {grid for y in owners.values() if (grid := _reference(y)) is not None}
    counts = range(3, max(4, min(10, height // 30)) + 1)
    fixed_below: int | None = None
    if len(references) == 1:  # several references that disagree: nothing can align with all of them
        (count, fixed_below), = references
        counts = range(count, count + 1)
    free = {}
    for axis_id, y in owners.items():
        span = spans.get(axis_id)
        if (y.type == "quantitative" and y.scale == "linear" and y.domain is None and y.values is None
                and span is not None):
            lo, hi = (min(span[0], 0.0), max(span[1], 0.0)) if zero.get(axis_id) or y.zero else span
            free[axis_id] = (lo, hi) if hi > lo else (lo - (abs(lo) or 1) * 0.1, hi + (abs(hi) or 1) * 0.1)
    if len(free) + len(references) < 2 or not free:
        return {}
    best: tuple[float, dict[str, tuple[Span, float]]] | None = None
    for n in counts:
        crossing = any(lo < 0 < hi for lo, hi in free.values())
        belows = (fixed_below,) if fixed_below is not None else range(1, n) if crossing else (0,)
        for below in belows:
            fitted = {i: _safe_fit(free[i], n, below, owners[i].tick_step, _flat(spans.get(i))) for i in free}
            if any(f is None for f in fitted.values()):
                continue
            chosen = {i: f for i, f in fitted.items() if f is not None}
            waste = sum(1 - (free[i][1] - free[i][0]) / (d[1] - d[0]) for i, (d, _) in chosen.items())
            score = waste + 0.02 * n * len(chosen)  # a little wasted height beats a crowded axis
            if best is None or score < best[0] - 1e-12:
                best = (score, chosen)
    if best is None:
        return {}
    return {i: replace(owners[i], domain=d, tick_step=step, values=_flat_values(d, step, _flat(spans.get(i))))
            for i, (d, step) in best[1].items()}


def _flat_values(fitted: Span, step: float, flat: float | None) -> tuple[float, ...] | None:
    """The ticks of an aligned axis whose data is one value set on a tick (:func:`_fit`): the value
    and whole steps from it (0.31, 0.33, ... 0.43 around 0.37), where multiples of the step would
    name no tick 0.37; None otherwise (the step's multiples, as for any axis)."""
    if flat is None or abs(round(flat / step) - flat / step) < 1e-9:
        return None
    below = round((flat - fitted[0]) / step)
    if abs((flat - fitted[0]) / step - below) > 1e-6:
        return None  # (fitted the old way: the value between two ticks)
    places = min(20, max(decimals(step), decimals(flat)))
    n = round((fitted[1] - fitted[0]) / step)
    return tuple(flat if k == below else round(flat + (k - below) * step, places) for k in range(n + 1))


def _reference(y: YAxis) -> tuple[int, int | None] | None:
    """(steps, steps below zero or None) of a linear axis whose domain and tick step are given."""
    if y.domain is None or y.tick_step is None or y.scale != "linear" or y.type != "quantitative":
        return None
    lo, hi = y.domain
    steps, below = (hi - lo) / y.tick_step, -lo / y.tick_step
    if abs(steps - round(steps)) > 1e-6 or not 1 <= round(steps) <= 50:
        return None  # the ticks do not reach both ends: no grid to follow
    crosses = lo < 0 < hi and abs(below - round(below)) < 1e-6
    return round(steps), round(below) if crosses else None


def _flat(span: Span | None) -> float | None:
    """The one value of an axis whose data is one value, else None."""
    return span[0] if span is not None and span[0] == span[1] else None


def _safe_fit(span: Span, n: int, below: int, fixed_step: float | None, flat: float | None = None
              ) -> tuple[Span, float] | None:
    try:
        return _fit(span, n, below, fixed_step, flat)
    except (OverflowError, ValueError):  # extents near the float limits: leave the axis to Vega
        return None


def _fit(span: Span, n: int, below: int, fixed_step: float | None, flat: float | None = None
         ) -> tuple[Span, float] | None:
    """A domain of ``n`` whole steps around ``span``; ``below`` steps under zero when it crosses zero;
    ``flat``: the one value of the data, put on the middle tick (or next to it) when nothing else decides."""
    lo, hi = span
    crosses = lo < 0 < hi
    need = max(-lo / below, hi / (n - below)) if crosses else (hi - lo) / n
    for step in _steps(need, fixed_step):
        places = decimals(step) + 1
        if crosses:
            if math.ceil(-lo / step - 1e-9) > below or math.ceil(hi / step - 1e-9) > n - below:
                continue
            start = -below * step
        elif flat is not None:  # a constant 0.001 with 6 steps of 0.0001: [0.0007, 0.0013], not on the first tick
            start = _flat_start(flat, step, n, lo, hi)
        elif hi <= 0:  # all negative: anchor at the top so the domain stays below zero
            start = math.ceil(hi / step - 1e-9) * step - n * step
        else:
            start = math.floor(lo / step + 1e-9) * step
        end = start + n * step
        if start <= lo + 1e-9 * step and end >= hi - 1e-9 * step:
            return (round(start, places), round(end, places)), step
    return None


def _flat_start(flat: float, step: float, n: int, lo: float, hi: float) -> float:
    """Where the domain of one value ``flat`` starts: the value on a tick (the middle one, or nearer
    the zero it does not cross) and inside ``[lo, hi]``, else on the multiple of the step nearest to
    that (a value between ticks, named by none: 0.37 on steps of 0.5)."""
    below = n // 2
    if flat > 0:
        below = min(below, math.floor(flat / step + 1e-9))
    elif flat < 0:
        below = max(below, n - math.floor(-flat / step + 1e-9))
    start = flat - below * step
    if start <= lo + 1e-9 * step and start + n * step >= hi - 1e-9 * step:
        return start
    start = (round(flat / step) - n // 2) * step
    return max(start, 0.0) if flat > 0 else min(start, -n * step) if flat < 0 else start  # no sign change


def _steps(need: float, fixed: float | None) -> Iterator[float]:
    """Candidate steps from the smallest nice one >= ``need`` upward (or only ``fixed``)."""
    if fixed is not None:
        if fixed >= need - 1e-12:
            yield fixed
        return
    power = math.floor(math.log10(need)) if need > 0 else 0
    for exponent in (power - 1, power, power + 1, power + 2):
        for mantissa in _NICE:
            step = float(Decimal(str(mantissa)) * Decimal(10) ** exponent)
            if step >= need - 1e-12:
                yield step


def joined_span(span: Span | None, more: list[float]) -> Span | None:
    """The data's span widened to ``more`` (where annotations are drawn); None stays None (not numeric)."""
    return (min(span[0], *more), max(span[1], *more)) if span is not None and more else span


def tick_reach(axis: Axis, span: Span | None, more: list[float]) -> Span | None:
    """``span`` joined to ``more`` (annotations) for a tick_step's domain, else fitted to the data it
    clips them; the data's alone past MAX_TICKS ticks (a vline at 1e21 with steps of 1)."""
    wide = joined_span(span, more)
    return wide if axis.tick_step and wide is not None and (wide[1] - wide[0]) / axis.tick_step <= MAX_TICKS else span
