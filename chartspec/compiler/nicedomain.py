"""The y domain Vega would choose, and where a value lands in pixels on it.

Vega rounds a scale's data extent outward with d3's ``nice()`` (ten ticks' worth for linear-like
scales, whole powers of ten for log scales); :func:`nice_domain` does the same, in floating point
the same way, so the compiler can write the domain down and know every pixel of the axis.
"""

from __future__ import annotations

import math

from ..data.nice import nice_domain
from ..spec.model import Axis

__all__ = ["NICE_SCALES", "nice_domain", "to_pixel"]

#: the scales whose pixel positions :func:`to_pixel` computes
NICE_SCALES = ("linear", "log", "sqrt", "pow", "symlog")


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
