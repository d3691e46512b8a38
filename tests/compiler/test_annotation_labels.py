"""Reference line labels stay off the drawn lines (compiler/annolabels.py), read back from the SVG.

An hline's label goes to the right end above its line; when a drawn line crosses that box it
moves to right-below, then left-above, then left-below. Checked on the rendered SVG: the label's
box (from its anchor, baseline and font size) against every segment of the drawn line paths.
"""

from __future__ import annotations

import pytest
import vl_convert as vlc
from conftest import assert_valid_vega_lite, drawn_vegalite
from svgchart import Item, Rect, parse_svg

import chartspec

WIDTH, HEIGHT = 400, 200


def _spec(points: list[tuple[float, float]], hline: float, *, mark: str = "line") -> str:
    values = ", ".join(f"{{x: {x}, y: {y}}}" for x, y in points)
    return (f"data: {{values: [{values}]}}\nwidth: {WIDTH}\nheight: {HEIGHT}\nx: {{field: x}}\n"
            f"layers: [{{mark: {mark}, y: {{field: y, domain: [0, 100]}}}}]\n"
            f"annotations: [{{hline: {hline}, label: target line}}]\n")


def _render(text: str) -> tuple[Item, Item, list[list[tuple[float, float]]]]:
    vl = drawn_vegalite(chartspec.loads(text))
    assert_valid_vega_lite(vl)
    chart = parse_svg(vlc.vegalite_to_svg(vl))
    label = next(i for i in chart.by_role("mark", "text") if i.text == "target line")
    rule = next(i for i in chart.by_role("mark", "rule") if i.tag == "line" and i.is_horizontal)
    lines = [i.vertices() for i in chart.by_role("mark", "line") if i.tag == "path"]
    return label, rule, lines


def _box(label: Item) -> Rect:
    """The text's box: width from its characters (an upper bound), height the font size."""
    size = float(label.attrib.get("font-size", "11").removesuffix("px"))
    width = len(label.text) * size * 0.62
    anchor = label.attrib.get("text-anchor", "start")
    left = label.x - width if anchor == "end" else label.x - width / 2 if anchor == "middle" else label.x
    # Vega writes the text at its baseline: the glyphs sit above y (less a descender)
    return Rect(left, label.y - size, left + width, label.y + 0.25 * size)


def _crosses(box: Rect, vertices: list[tuple[float, float]]) -> bool:
    for (x0, y0), (x1, y1) in zip(vertices, vertices[1:]):
        for k in range(101):  # points along the segment, 1 % apart: a crossing cannot slip through
            t = k / 100
            if box.contains(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t):
                return True
    return False


def _where(label: Item, rule: Item) -> tuple[str, str]:
    (x0, y), (x1, _) = rule.line_ends()
    side = "right" if label.x > (x0 + x1) / 2 else "left"
    return side, "above" if label.y < y else "below"


@pytest.mark.parametrize(("points", "hline", "expected"), [
    # far below the line everywhere: the usual place
    ([(0, 10), (100, 12)], 50, ("right", "above")),
    # level with the label above the line at the right end: below it
    ([(0, 10), (50, 10), (60, 55), (100, 55)], 50, ("right", "below")),
    # a diagonal through the whole right end, between two points only: the left end
    ([(0, 0), (100, 100)], 90, ("left", "above")),
    # the other way round: through the right end, free at the left end above
    ([(0, 100), (100, 0)], 10, ("left", "above")),
    # a steep climb through the right end, a flat stretch above the line's left end: left below
    ([(0, 55), (20, 55), (30, 20), (85, 0), (100, 100)], 50, ("left", "below")),
])
def test_hline_label_moves_off_the_line(points: list[tuple[float, float]], hline: float,
                                        expected: tuple[str, str]) -> None:
    label, rule, lines = _render(_spec(points, hline))
    assert _where(label, rule) == expected
    assert lines and not any(_crosses(_box(label), v) for v in lines)


def test_points_count_as_drawn_data() -> None:
    # a cloud of points right above the line's right end: the label goes below
    points = [(90 + k, 53 + (k % 3)) for k in range(11)] + [(0, 10)]
    label, rule, _ = _render(_spec(points, 50, mark="point"))
    assert _where(label, rule) == ("right", "below")


def test_label_over_everything_takes_the_place_crossing_fewest_series() -> None:
    # two flat lines hugging the reference line from above and below: every place is crossed,
    # the label is kept (never dropped) at the first place crossing the fewest lines
    text = _spec([(0, 55), (100, 55)], 50).replace("y: 55}", "y: 55, z: 45}").replace(
        "domain: [0, 100]}}]", "domain: [0, 100]}}, {mark: line, y: {field: z, axis: y}}]")
    label, rule, lines = _render(text)
    assert len(lines) == 2
    assert _where(label, rule) == ("right", "above")
