"""The y domain Vega would choose, and where a value lands in pixels on it.

Vega rounds a scale's data extent outward with d3's ``nice()`` (ten ticks' worth for linear-like
scales, whole powers of ten for log scales); :func:`nice_domain` does the same, in floating point
the same way, so the compiler can write the domain down and know every pixel of the axis.
"""

from __future__ import annotations

import math

from ..spec.model import Axis

__all__ = ["NICE_SCALES", "nice_domain", "to_pixel"]

#: the scales whose pixel positions :func:`to_pixel` computes
NICE_SCALES = ("linear", "log", "sqrt", "pow", "symlog")
_E10, _E5, _E2 = math.sqrt(50), math.sqrt(10), math.sqrt(2)


def _tick_increment(start: float, stop: float, count: int) -> float:
    # d3-array's tickIncrement: a nice step, negative for the inverse of steps below one
    step = (stop - start) / max(0, count)
    power = math.floor(math.log10(step))
    error = step / 10**power
    factor = 10 if error >= _E10 else 5 if error >= _E5 else 2 if error >= _E2 else 1
    return factor * 10**power if power >= 0 else -(10 ** -power) / factor


def _linear_nice(lo: float, hi: float, count: int = 10) -> tuple[float, float]:
    """d3-scale's linear ``nice(count)``: rounded to the step until the step settles."""
    previous = None
    for _ in range(10):
        if hi <= lo:
            break
        step = _tick_increment(lo, hi, count)
        if step == previous:
            break
        if step > 0:
            lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
        elif step < 0:
            lo, hi = math.ceil(lo * step) / step, math.floor(hi * step) / step
        else:
            break
        previous = step
    return lo, hi


def nice_domain(lo: float, hi: float, scale: str) -> tuple[float, float]:
    """The nice domain Vega gives a scale of type ``scale`` over the data extent [lo, hi]."""
    if scale == "log" and lo > 0:  # d3 log.nice(): out to whole powers of ten
        return 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(hi))
    return _linear_nice(lo, hi)


def _transform(value: float, axis: Axis) -> float:
    if axis.scale == "log":
        return math.log10(value) if value > 0 else -math.inf
    if axis.scale in ("sqrt", "pow"):
        exponent = 0.5 if axis.scale == "sqrt" else (axis.exponent if axis.exponent is not None else 1.0)
        return math.copysign(abs(value) ** exponent, value)
    if axis.scale == "symlog":  # d3 symlog with its default constant 1
        return math.copysign(math.log1p(abs(value)), value)
    return value


def to_pixel(value: float, domain: tuple[float, float], axis: Axis, height: float) -> float:
    """Pixels from the top of the plot where ``value`` is drawn on a y scale over ``domain``
    (clamped to the plot: a label never leaves it)."""
    lo, hi = _transform(domain[0], axis), _transform(domain[1], axis)
    t = 0.5 if hi == lo else (_transform(value, axis) - lo) / (hi - lo)
    t = min(1.0, max(0.0, t)) if math.isfinite(t) else 0.0
    return height * t if axis.reverse else height * (1 - t)
