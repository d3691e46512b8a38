"""Legend symbols stay clear of their labels, whatever mix of marks the merged legend shows.

Vega sizes a legend's symbol column from ``symbolSize`` and ``symbolStrokeWidth`` only when both
are numbers; a per-entry width (a line beside a point layer) left the column at the label's font
size and the 24 px glyphs ran into their labels. Each test renders the SVG and measures, for every
entry, where the symbol's drawn extent ends and where its label starts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from svgchart import Item, Legend, glyph_parts, parse_svg

import chartspec

SPECS = Path(__file__).resolve().parents[2] / "specs"
_GAP = 2.0  # px: the least room between a symbol and its label (Vega's labelOffset is 4)


def _stroke_shows(symbol: Item) -> bool:
    """Is the symbol's outline drawn: a stroke colour, a width, and a dash pattern with a dash?"""
    if symbol.stroke in (None, "none", "transparent") or float(symbol.attrib.get("stroke-width", "1")) <= 0:
        return False
    dashes = symbol.dasharray
    return not dashes or any(d > 0 for d in dashes[0::2])


def _x_extent(symbol: Item) -> tuple[float, float]:
    """Left and right of what the symbol draws, in page pixels: its path's points, widened by half
    the stroke when the outline shows (the circle's Bézier end points are its extremes)."""
    box = symbol.bbox()
    half = float(symbol.attrib.get("stroke-width", "1")) / 2 if _stroke_shows(symbol) else 0.0
    return box.left - half, box.right + half


def _clearances(legend: Legend) -> dict[str, float]:
    """Per entry: the label's start minus the symbol's right end (px; must be positive)."""
    out = {}
    for label, symbol in legend.entries:
        left, right = _x_extent(symbol)
        label_item = next(item for item in legend.labels if item.text == label)
        assert label_item.attrib.get("text-anchor", "start") == "start"
        assert right - left > 0, f"{label!r}: an empty symbol {symbol.attrib['d']}"
        out[label] = label_item.x - right
    return out


def _render(spec: chartspec.Spec, tmp_path: Path) -> list[Legend]:
    out = tmp_path / "chart.svg"
    chartspec.save(spec, out)
    legends = parse_svg(out).legends
    assert legends, "no legend drawn"
    return legends


def _assert_clear(legends: list[Legend]) -> None:
    for legend in legends:
        clear = _clearances(legend)
        crowded = {name: round(gap, 2) for name, gap in clear.items() if gap < _GAP}
        assert not crowded, f"legend symbols reach their labels (px left): {crowded}; all: {clear}"


def _inline(tmp_path: Path, layers: str, position: str = "top-right") -> chartspec.Spec:
    (tmp_path / "m.csv").write_text("step,a,b,lo,hi,run\n" + "".join(
        f"{i},{i * 1.5},{10 - i},{i - 1},{i + 1},{'xy'[i % 2]}\n" for i in range(10)), encoding="utf-8")
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "spec.yaml").write_text(
        f"data: m.csv\nx: {{field: step}}\nlegend: {{position: {position}}}\nlayers:\n{layers}", encoding="utf-8")
    return chartspec.load(tmp_path / "spec.yaml")


_DASHED = "  - {y: {field: a}, name: Alpha series, stroke_dash: [6, 3]}\n"
_POINTS = "  - {y: {field: b}, mark: point, name: Beta series}\n"
MIXES = {
    "dashed line + point": _DASHED + _POINTS,
    "solid line + point": "  - {y: {field: a}, name: Alpha series}\n" + _POINTS,
    "dashed lines only": _DASHED + "  - {y: {field: b}, name: Beta series, stroke_dash: [2, 2]}\n",
    "line with markers + bar": "  - {y: {field: a}, name: Alpha series, point: square, stroke_dash: [4, 2]}\n"
                               "  - {y: {field: b}, mark: bar, name: Beta series}\n",
    "area + thin and thick lines": "  - {y: {field: a}, mark: area, name: Area series}\n"
                                   "  - {y: {field: b}, name: Thin line, stroke_width: 1, stroke_dash: [3, 1]}\n"
                                   "  - {y: {field: a}, name: Thick line, stroke_width: 4}\n",
    "rule + stroke marker + errorband": "  - {y: {field: a}, mark: rule, name: Range, band: {lower: lo, upper: hi}}\n"
                                        "  - {y: {field: b}, mark: point, point: stroke, name: Stroke marker}\n"
                                        "  - {y: {field: a}, mark: errorband, name: Band, band: {lower: lo, upper: hi}}\n",
}


@pytest.mark.parametrize("mix", sorted(MIXES))
def test_symbols_clear_labels_for_every_mix(mix: str, tmp_path: Path) -> None:
    _assert_clear(_render(_inline(tmp_path, MIXES[mix]), tmp_path))


@pytest.mark.parametrize("position", ["top-left", "bottom-right", "top", "bottom", "left", "right"])
def test_symbols_clear_labels_at_every_position(position: str, tmp_path: Path) -> None:
    _assert_clear(_render(_inline(tmp_path, MIXES["dashed line + point"], position), tmp_path))


def test_line_and_point_legend_keeps_glyphs(tmp_path: Path) -> None:
    """The fix keeps each glyph: the dashed line's dashes drawn, the point's outline hidden."""
    (legend,) = _render(_inline(tmp_path, MIXES["dashed line + point"]), tmp_path)
    entries = dict(legend.entries)
    line, point = entries["Alpha series"], entries["Beta series"]
    assert _stroke_shows(line) and line.attrib["d"].count("M") == 3, line.attrib  # three dashes across 24 px
    assert _x_extent(line)[1] - _x_extent(line)[0] >= 24
    assert not _stroke_shows(point) and point.fill == "#ff7f0e"
    assert _x_extent(point)[1] - _x_extent(point)[0] == pytest.approx(6, abs=0.01)  # point_size 36 px²


def test_style_legend_with_markers_clears_labels(tmp_path: Path) -> None:
    """Two layers sharing a colour field: the line-style legend mixes a dash and a marker."""
    layers = ("  - {y: {field: a}, name: Loss, color: {field: run}, stroke_dash: [6, 3]}\n"
              "  - {y: {field: b}, mark: point, name: Lowest, color: {field: run}}\n")
    legends = _render(_inline(tmp_path, layers), tmp_path)
    assert len(legends) == 2
    _assert_clear(legends)


def test_four_axes_gallery_legend_clears_labels(tmp_path: Path) -> None:
    """The gallery's four-axes chart: three lines, one dashed, and a point layer (bottom legend)."""
    (legend,) = _render(chartspec.load(SPECS / "axes_gpu_dashboard_four_axes.yaml"), tmp_path)
    assert [name.split(" (")[0] for name, _ in legend.entries] == ["Utilisation", "Memory", "Power", "Temperature"]
    _assert_clear([legend])


def test_thinner_entries_are_drawn_filled_at_their_width(tmp_path: Path) -> None:
    """One stroke width per legend (the widest, 4 px): the 1 px dashed line is drawn as filled
    1 px dashes, its triangle marker whole (no hole where marker and dash overlap), the area as
    its bar, and none of them outlined."""
    layers = ("  - {y: {field: a}, name: Thin, stroke_width: 1, stroke_dash: [3, 1], point: triangle-up,"
              " point_size: 64}\n  - {y: {field: b}, name: Thick, stroke_width: 4}\n"
              "  - {y: {field: a}, mark: area, name: Area}\n")
    spec = _inline(tmp_path, layers)
    (legend,) = _render(spec, tmp_path)
    entries = dict(legend.entries)
    thick, thin, area = entries["Thick"], entries["Thin"], entries["Area"]
    assert _stroke_shows(thick) and float(thick.attrib["stroke-width"]) == 4
    assert not _stroke_shows(thin) and not _stroke_shows(area)
    glyph = glyph_parts(thin.attrib["d"])
    assert glyph.thickness == pytest.approx(1) and glyph.marker == "other"  # the triangle
    assert [round(b - a, 6) for a, b in glyph.dashes][:3] == [3, 3, 3] and glyph.dashes[0][0] == -12
    png = tmp_path / "chart.png"
    chartspec.save(spec, png, scale=4)
    with Image.open(png) as image:
        rgb = image.convert("RGB")
        # the symbol's centre, a dash's start under the triangle: the triangle's blue, not white
        x, y = round(thin.x * 4), round(thin.y * 4)
        assert rgb.getpixel((x + 1, y)) == rgb.getpixel((x - 1, y - 4)) != (255, 255, 255)
