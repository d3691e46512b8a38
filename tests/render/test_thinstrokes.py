"""render/thinstrokes.py: long line paths under a device pixel are stroked once in the PNG's SVG."""

from __future__ import annotations

import re

import pytest

from chartspec.render.thinstrokes import SOLID_PX, solid_thin_strokes

LONG = "M0 0" + "l.1 5.2" * 1000


def _line(width: str, d: str = LONG, extra: str = "") -> str:
    return (f'<svg><g class="mark-line"><path aria-roledescription="line mark" d="{d}" stroke="#1f77b4" '
            f'stroke-width="{width}"{extra}/></g></svg>')


def _attrs(svg: str) -> dict[str, str]:
    tag = re.search(r"<path\b[^>]*>", svg)
    assert tag is not None
    return dict(re.findall(r'\s([a-z-]+)="([^"]*)"', tag.group(0).replace(LONG, "")))


@pytest.mark.parametrize(("width", "scale", "opacity"), [("1", 0.5, 0.5), ("1.5", 0.5, 0.75), ("0.5", 1.0, 0.5),
                                                         ("0.8", 1.0, 0.8)])
def test_a_long_thin_line_is_widened_to_just_over_a_device_pixel_at_its_width_s_opacity(
        width: str, scale: float, opacity: float) -> None:
    attrs = _attrs(solid_thin_strokes(_line(width), scale))
    assert float(attrs["stroke-width"]) * scale == pytest.approx(SOLID_PX)
    assert float(attrs["opacity"]) == pytest.approx(opacity)


def test_an_opacity_of_its_own_is_multiplied() -> None:
    attrs = _attrs(solid_thin_strokes(_line("1", extra=' opacity="0.8"'), 0.5))
    assert float(attrs["opacity"]) == pytest.approx(0.4)
    assert list(attrs).count("opacity") == 1


@pytest.mark.parametrize("svg", [_line("2"), _line("1"), _line("1", d="M0 0l1 1"),
                                 _line("1").replace("line mark", "area mark")])
def test_lines_of_a_device_pixel_or_more_short_paths_and_other_marks_are_left_as_they_are(svg: str) -> None:
    assert solid_thin_strokes(svg, 1.0) == svg
