"""The model of marks that need more than x and y: a band's two fields (or its computed extent).

Which marks need what is checked against the data in :mod:`chartspec.data.layer_checks`; how each
is drawn is in :mod:`chartspec.compiler.marks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["BAND_MARKS", "SPAN_MARKS", "Band", "parse_band", "starts_at_zero"]

#: marks that need ``band: {lower, upper}``
BAND_MARKS = ("errorband", "rule", "rect")
#: marks that may span a band: these, and ``area`` (filled between two columns, no line on top)
SPAN_MARKS = (*BAND_MARKS, "area")


@dataclass(frozen=True)
class Band:
    """The two fields a band, error bar or box spans; with ``extent``, fields extents.py computes."""

    lower: str
    upper: str
    extent: str | None = None

    def titles(self) -> tuple[str, str]:
        """What the tooltip calls the two ends."""
        if self.extent is None:
            return self.lower, self.upper
        return {"minmax": ("min", "max"), "ci": ("95% CI low", "95% CI high"), "stdev": ("mean - stdev", "mean + stdev"),
                "stderr": ("mean - stderr", "mean + stderr")}[self.extent]


def parse_band(raw: dict[str, Any] | None) -> Band | None:
    if not raw:
        return None
    if "extent" in raw:
        from .extents import LOWER_FIELD, UPPER_FIELD

        return Band(lower=LOWER_FIELD, upper=UPPER_FIELD, extent=raw["extent"])
    return Band(lower=raw["lower"], upper=raw["upper"])


def starts_at_zero(mark: str, band: Band | None) -> bool:
    """Does the mark grow from zero (a bar, an area under its y), so its axis should hold zero?"""
    return mark == "bar" or (mark == "area" and band is None)


# -- checks ------------------------------------------------------------------------------------------

