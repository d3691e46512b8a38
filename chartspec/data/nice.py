"""d3's ``nice()`` of a scale's extent, as Vega rounds a domain outward (pure arithmetic).

Both the compiler (compiler/nicedomain.py: the y domain Vega would choose) and the reduction
(data/fillgrid.py: where Vega draws each x) need the domain Vega draws, so it lives here, below
both.
"""

from __future__ import annotations

import math
from decimal import Decimal

__all__ = ["decimals", "linear_nice", "nice_domain", "step_domain", "tick_step"]

_E10, _E5, _E2 = math.sqrt(50), math.sqrt(10), math.sqrt(2)


def _tick_increment(start: float, stop: float, count: int) -> float:
    # d3-array's tickIncrement: a nice step, negative for the inverse of steps below one
    step = (stop - start) / max(0, count)
    power = math.floor(math.log10(step))
    error = step / 10**power
    factor = 10 if error >= _E10 else 5 if error >= _E5 else 2 if error >= _E2 else 1
    # floats: 10**307 as an int made bounds no float holds (a constant 1.7e308: OverflowError)
    return factor * 10.0**power if power >= 0 else -(10.0 ** -power) / factor


def tick_step(start: float, stop: float, count: int) -> float:
    """d3-array's ``tickStep``: the nice step of about ``count`` ticks over ``start < stop``."""
    step = _tick_increment(start, stop, count)
    return step if step > 0 else 1 / -step


def linear_nice(lo: float, hi: float, count: int = 10) -> tuple[float, float]:
    """d3-scale's linear ``nice(count)``: rounded to the step until the step settles."""
    previous = None
    for _ in range(10):
        if hi <= lo or not math.isfinite(hi - lo):  # a span past the largest float: no nice step
            break
        step = _tick_increment(lo, hi, count)
        if step == previous:
            break
        if step > 0:
            nice = math.floor(lo / step) * step, math.ceil(hi / step) * step
        elif step < 0:
            nice = math.ceil(lo * step) / step, math.floor(hi * step) / step
        else:
            break
        if not all(map(math.isfinite, nice)):
            break  # rounded out past the largest float (1.785e308 to 1.8e308): as it was
        lo, hi = nice
        previous = step
    return lo, hi


def nice_domain(lo: float, hi: float, scale: str) -> tuple[float, float]:
    """The nice domain Vega gives a scale of type ``scale`` over the data extent [lo, hi]."""
    if scale == "log" and lo > 0:  # d3 log.nice(): out to whole powers of ten
        return 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(hi))
    return linear_nice(lo, hi)


def decimals(step: float) -> int:
    """The decimals ``step`` is written with (0.0001: 4; 5: 0)."""
    exponent = Decimal(repr(step)).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def step_domain(low: float, high: float, step: float) -> tuple[float, float]:
    """[low, high] widened to whole multiples of ``step`` (a ``tick_step`` axis' domain), free of
    float noise: 9 * 0.0001 is 0.0009000000000000001, above the tick 0.0009."""
    places = decimals(step)
    lo = round(math.floor(low / step + 1e-9) * step, places)
    hi = round(math.ceil(high / step - 1e-9) * step, places)
    return lo, hi if hi > lo else round(lo + step, places)
