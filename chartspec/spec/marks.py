"""The model of marks that need more than x and y: a band's two fields (or its computed extent).

Which marks need what is checked against the data in :mod:`chartspec.data.layer_checks`; how each
is drawn is in :mod:`chartspec.compiler.marks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["BAND_MARKS", "LABEL_MARKS", "SPAN_MARKS", "Band", "TextStyle", "parse_band", "parse_text_style",
           "starts_at_zero"]

#: marks that need ``band: {lower, upper}``
BAND_MARKS = ("errorband", "rule", "rect")
#: marks that may span a band: these, and ``area`` (filled between two columns, no line on top)
SPAN_MARKS = (*BAND_MARKS, "area")
#: marks a direct label (``label: end``) can follow: one line (or row of points) per series
LABEL_MARKS = ("line", "area", "point", "errorband")
#: the keys of a text mark's placement and look, as the spec spells them
TEXT_STYLE_KEYS = ("align", "baseline", "dx", "dy", "angle", "font_size")


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


@dataclass(frozen=True)
class TextStyle:
    """How a ``text`` mark writes: alignment and offsets at its point, rotation, size (None: default)."""

    align: str | None = None
    baseline: str | None = None
    dx: float | None = None
    dy: float | None = None
    #: degrees clockwise, 0 <= angle < 360 as Vega-Lite wants it
    angle: float | None = None
    font_size: float | None = None


def parse_text_style(raw: dict[str, Any]) -> TextStyle | None:
    """The layer's text keys, or None when it has none."""
    if not any(key in raw for key in TEXT_STYLE_KEYS):
        return None
    angle = raw.get("angle")
    return TextStyle(align=raw.get("align"), baseline=raw.get("baseline"), dx=raw.get("dx"), dy=raw.get("dy"),
                     angle=float(angle) % 360 if angle is not None else None, font_size=raw.get("font_size"))


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

