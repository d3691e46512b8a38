"""The model of ``smooth:`` on a layer: the EMA weight and how the raw series shows behind it.

The smoothing itself (TensorBoard's debiased EMA) is computed in :mod:`chartspec.data.smoothing`,
and drawn by :mod:`chartspec.compiler.layers`.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_RAW_OPACITY = 0.25


@dataclass(frozen=True)
class Smooth:
    """``smooth:`` of a layer: the EMA weight and whether the raw series shows behind."""

    ema: float
    show_raw: bool = True
    raw_opacity: float = DEFAULT_RAW_OPACITY


