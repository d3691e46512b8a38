"""The seed chart (specs/rl_training.yaml) reproduces the reference chart point by point.

The reference is /work/shared/seed/rl_training_chart.md: a dual-axis line chart "RL Training
Progression" with Token Length (blue, squares, left axis) and Reproduced Rate (%) (red, circles,
right axis) against RL Training Steps. Every check below reads the built outputs back (the SVG's
geometry, the PNG's pixels, the PDF's text and drawing operators, the HTML's scripts) instead of
comparing bytes with a stored copy, so it states *what* must be true of the chart.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from conftest import SPECS, assert_valid_vega_lite
from svgchart import Chart, Item, glyph_parts, parse_color, parse_svg

from chartspec.compiler.interactive import static_view
from chartspec.render import vegajs

SPEC = SPECS / "rl_training.yaml"
CSV = SPECS / "data" / "rl_training.csv"
NAME = "rl_training"

TITLE = "RL Training Progression"
X_TITLE, TOKEN_TITLE, RATE_TITLE = "RL Training Steps", "Token Length", "Reproduced Rate (%)"
BLUE, RED, GRID_GREY = "#1f77b4", "#d62728", "#d9d9d9"
STEPS = list(range(0, 501, 25))

X_LABELS = [str(v) for v in range(0, 501, 50)]
TOKEN_LABELS = [str(v) for v in range(3000, 6501, 500)]
RATE_LABELS = [f"{20 + 2.5 * i:.1f}" for i in range(7)]  # 20.0, 22.5, ... 35.0

# "Key Data Points (Approximate)" of the description.
TOKEN_KEY_POINTS = {0: 3050, 50: 3000, 100: 3500, 150: 3650, 200: 4050, 250: 4600, 300: 4900,
                    350: 5100, 400: 6100, 450: 6200, 500: 6400}
RATE_KEY_POINTS = {0: 20.0, 50: 22.5, 100: 27.5, 150: 27.5, 200: 27.5, 250: 32.5, 300: 32.5,
                   350: 32.5, 400: 35.0, 450: 32.5, 500: 32.0}
# "Approximately" = within a tenth of the axis' tick step.
TOKEN_TOL, RATE_TOL = 50.0, 0.25
RATE_DIPS = (75, 175, 275, 425)
RATE_LOCAL_PEAKS = (100, 250)

# Values read back from pixels may be off by rounding (Vega rounds tick positions to whole
# pixels) and by the half-pixel offset of the axis groups; 1.5 px covers both.
PIXEL_TOL = 1.5


# -- the description, as assertions on a {step: value} series -------------------------------------

def turns(series: dict[int, float]) -> int:
    """How many times the series changes direction (up -> down or down -> up)."""
    values = [series[s] for s in sorted(series)]
    signs = [(b > a) - (b < a) for a, b in zip(values, values[1:]) if b != a]
    return sum(1 for a, b in zip(signs, signs[1:]) if a != b)


def slope(series: dict[int, float]) -> float:
    xs, ys = list(series), list(series.values())
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def assert_matches_description(token: dict[int, float], rate: dict[int, float], source: str) -> None:
    """Every quantitative statement of the reference description, checked on ``source``'s data."""
    assert sorted(token) == STEPS, f"{source}: token length steps {sorted(token)} != 0..500 every 25"
    assert sorted(rate) == STEPS, f"{source}: reproduced rate steps {sorted(rate)} != 0..500 every 25"

    for step, expected in TOKEN_KEY_POINTS.items():
        assert token[step] == pytest.approx(expected, abs=TOKEN_TOL), (
            f"{source}: token length at step {step} is {token[step]:.0f}, description says ~{expected}")
    for step, expected in RATE_KEY_POINTS.items():
        assert rate[step] == pytest.approx(expected, abs=RATE_TOL), (
            f"{source}: reproduced rate at step {step} is {rate[step]:.2f}, description says ~{expected}")

    # Token length: strong, generally consistent upward trend with minor local fluctuations.
    assert slope(token) > 0 and token[500] > token[0], f"{source}: token length does not trend upward"
    assert token[50] < token[25] and token[50] < token[75], f"{source}: step 50 is not a local minimum"
    assert abs(token[50] - token[0]) <= 100, f"{source}: the first 50 steps should show minimal growth"
    assert max(token, key=token.get) == 500, f"{source}: token length should peak at step 500"
    later = [token[s] for s in STEPS if s >= 150]
    assert all(b > a for a, b in zip(later, later[1:])), f"{source}: growth from step 150 on is not smooth: {later}"
    rises = {s: token[s + 50] - token[s] for s in STEPS if s + 50 <= 500}
    assert max(rises, key=rises.get) == 350, (
        f"{source}: the steepest 50-step rise should be 350 -> 400 (notable acceleration), got {rises}")

    # Reproduced rate: volatile but overall upward.
    assert slope(rate) > 0, f"{source}: reproduced rate does not trend upward"
    first, second = [rate[s] for s in STEPS if s < 250], [rate[s] for s in STEPS if s > 250]
    assert sum(second) / len(second) > sum(first) / len(first), f"{source}: reproduced rate does not rise overall"
    assert all(rate[s] > rate[0] for s in STEPS if s), f"{source}: step 0 is not the global minimum of the rate"
    assert all(rate[s] < rate[400] for s in STEPS if s != 400), f"{source}: step 400 is not the global maximum"
    for step in RATE_DIPS:
        assert rate[step] < rate[step - 25] and rate[step] < rate[step + 25], (
            f"{source}: no dip at step {step}: {rate[step - 25]}, {rate[step]}, {rate[step + 25]}")
    for step in RATE_LOCAL_PEAKS:
        assert rate[step] > rate[step - 25] and rate[step] > rate[step + 25], f"{source}: no local peak at {step}"
    assert turns(rate) > 2 * turns(token), (
        f"{source}: the rate ({turns(rate)} turns) should be far more volatile than token length ({turns(token)})")
    assert [rate[s] for s in (0, 25, 50, 75)] != sorted(rate[s] for s in (0, 25, 50, 75)), (
        f"{source}: the rate should fluctuate during the first steps")
    assert all(rate[s] <= 22.5 + RATE_TOL for s in (0, 25, 50, 75)), f"{source}: the early rate should stay low"

    # Peak window 380-420 while token length climbs from ~5500 to ~6100; erratic decline after.
    assert 380 <= max(rate, key=rate.get) <= 420, f"{source}: the rate peak is outside steps 380-420"
    assert token[375] == pytest.approx(5500, abs=TOKEN_TOL) and token[400] == pytest.approx(6100, abs=TOKEN_TOL)
    after = {s: rate[s] for s in STEPS if s >= 400}
    assert turns(after) >= 2, f"{source}: the rate after step 400 should be erratic: {after}"


# -- fixtures ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chart(seed_build: Path) -> Chart:
    return parse_svg(seed_build / f"{NAME}.svg")


def marks_by_color(chart: Chart, mark: str) -> dict[str, list[Item]]:
    """The data marks of one kind, grouped by mark group and keyed by their (single) colour."""
    out: dict[str, list[Item]] = {}
    for classes, items in chart.mark_groups(mark).items():
        colors = {(i.stroke if mark == "line" else i.fill) for i in items}
        assert len(colors) == 1, f"{mark} group {classes} mixes colours {colors}"
        color = colors.pop()
        assert color not in out, f"two {mark} groups coloured {color}"
        out[color] = items
    return out


def read_back(chart: Chart, markers: list[Item], y_axis_title: str) -> dict[int, float]:
    """Marker positions turned into data through the scales fitted from the axes' ticks."""
    x_scale, y_scale = chart.axis(X_TITLE).scale(), chart.axis(y_axis_title).scale()
    out: dict[int, float] = {}
    for m in markers:
        step = x_scale.value(m.x)
        nearest = round(step / 25) * 25
        assert step == pytest.approx(nearest, abs=PIXEL_TOL * x_scale.slope), f"marker off the 25-step grid: {step}"
        assert nearest not in out, f"two {y_axis_title} markers at step {nearest}"
        out[nearest] = y_scale.value(m.y)
    return out


@pytest.fixture(scope="module")
def series(chart: Chart) -> dict[str, dict[int, float]]:
    symbols = marks_by_color(chart, "symbol")
    return {TOKEN_TITLE: read_back(chart, symbols[BLUE], TOKEN_TITLE),
            RATE_TITLE: read_back(chart, symbols[RED], RATE_TITLE)}


def read_csv() -> tuple[dict[int, float], dict[int, float]]:
    with CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and list(rows[0]) == ["step", "token_length", "reproduced_rate"], f"columns: {list(rows[0])}"
    token = {int(r["step"]): float(r["token_length"]) for r in rows}
    rate = {int(r["step"]): float(r["reproduced_rate"]) for r in rows}
    assert len(token) == len(rows) == 21, f"{len(rows)} rows, {len(token)} distinct steps"
    return token, rate


# -- data -------------------------------------------------------------------------------------------

def test_csv_matches_description() -> None:
    token, rate = read_csv()
    assert sorted(token) == STEPS
    assert_matches_description(token, rate, "the CSV")


# -- SVG: texts, axes, grid -------------------------------------------------------------------------

def test_title(chart: Chart) -> None:
    titles = chart.by_role("title-text")
    assert [t.text for t in titles] == [TITLE]
    assert titles[0].y < chart.plot.top, "the title should sit above the plot"
    assert titles[0].x == pytest.approx((chart.plot.left + chart.plot.right) / 2, abs=1), "the title is not centred"


def test_axis_titles_sides_and_colours(chart: Chart) -> None:
    plot = chart.plot
    assert sorted(a.title for a in chart.axes) == sorted([X_TITLE, TOKEN_TITLE, RATE_TITLE])

    x = chart.axis(X_TITLE)
    assert x.is_horizontal, "RL Training Steps should be the horizontal axis"
    assert x.title_item.y > plot.bottom, "the x axis title should be below the plot"
    assert all(label.y > plot.bottom for label in x.labels), "the x tick labels should be below the plot"
    assert x.title_item.direction == (1.0, 0.0), "the x axis title should read left to right"

    left, right = chart.axis(TOKEN_TITLE), chart.axis(RATE_TITLE)
    assert not left.is_horizontal and not right.is_horizontal
    assert left.title_item.x < plot.left and all(label.x < plot.left for label in left.labels), (
        "Token Length should be the axis left of the plot")
    assert left.domain[0].x == pytest.approx(plot.left, abs=1), "the Token Length axis line is not on the left edge"
    assert right.title_item.x > plot.right and all(label.x > plot.right for label in right.labels), (
        "Reproduced Rate (%) should be the axis right of the plot")
    assert right.domain[0].x == pytest.approx(plot.right, abs=1), "the rate axis line is not on the right edge"
    for axis in (left, right):
        assert axis.title_item.direction[0] == pytest.approx(0, abs=1e-9), f"{axis.title!r} title is not vertical"
        assert plot.top <= axis.title_item.y <= plot.bottom, f"{axis.title!r} title is not beside the plot"

    assert parse_color(left.title_item.fill) == parse_color(BLUE), f"Token Length title is {left.title_item.fill}"
    assert parse_color(right.title_item.fill) == parse_color(RED), f"rate title is {right.title_item.fill}"


@pytest.mark.parametrize(("title", "labels"), [(X_TITLE, X_LABELS), (TOKEN_TITLE, TOKEN_LABELS),
                                                (RATE_TITLE, RATE_LABELS)])
def test_tick_labels(chart: Chart, title: str, labels: list[str]) -> None:
    axis = chart.axis(title)
    assert axis.label_texts == labels
    assert len(axis.ticks) == len(labels), f"{title}: {len(axis.ticks)} ticks for {len(labels)} labels"
    # Each label sits at its tick (centred on it across the axis).
    for label, tick in zip(axis.labels, axis.ticks):
        along = (label.x - tick.x) if axis.is_horizontal else (label.y - tick.y)
        assert abs(along) <= 4, f"{title}: label {label.text!r} is {along:.1f}px away from its tick"


@pytest.mark.parametrize(("title", "low", "high"), [(X_TITLE, 0, 500), (TOKEN_TITLE, 3000, 6500),
                                                    (RATE_TITLE, 20, 35)])
def test_axes_are_linear_and_span_the_plot(chart: Chart, title: str, low: float, high: float) -> None:
    axis, plot = chart.axis(title), chart.plot
    scale = axis.scale()
    assert scale.max_residual < 0.6, f"{title}: ticks are not evenly spaced for their values (linear scale)"
    if axis.is_horizontal:
        assert scale.slope > 0, f"{title}: values should grow to the right"
        ends = (plot.left, plot.right)
    else:
        assert scale.slope < 0, f"{title}: values should grow upwards"
        ends = (plot.bottom, plot.top)
    # The domain [low, high] fills the plot exactly (no nice-rounding beyond it).
    assert scale.pixel(low) == pytest.approx(ends[0], abs=1), f"{title}: {low} is not at the plot edge"
    assert scale.pixel(high) == pytest.approx(ends[1], abs=1), f"{title}: {high} is not at the plot edge"


def test_grid_is_dashed_light_grey_at_the_ticks(chart: Chart) -> None:
    grid, plot = chart.grid_lines, chart.plot
    assert grid, "no grid lines"
    for line in grid:
        assert parse_color(line.stroke) == parse_color(GRID_GREY), f"grid line stroke {line.stroke}"
        assert line.dasharray == [4.0, 4.0], f"grid line dash {line.dasharray}"

    vertical = [g for g in grid if g.is_vertical]
    horizontal = [g for g in grid if g.is_horizontal]
    assert len(vertical) + len(horizontal) == len(grid), "grid lines should be vertical or horizontal"

    x_ticks = chart.axis(X_TITLE).tick_positions()
    assert sorted(g.x for g in vertical) == pytest.approx(sorted(x_ticks), abs=0.01), (
        "vertical grid lines should sit exactly at the x ticks")
    for g in vertical:
        r = g.bbox()
        assert r.top == pytest.approx(plot.top, abs=1) and r.bottom == pytest.approx(plot.bottom, abs=1)

    # The horizontal grid follows the primary (left) y axis; a second set for the right axis would
    # double the grid at unrelated positions.
    y_ticks = chart.axis(TOKEN_TITLE).tick_positions()
    assert sorted(g.y for g in horizontal) == pytest.approx(sorted(y_ticks), abs=0.01), (
        "horizontal grid lines should sit exactly at the Token Length ticks")
    for g in horizontal:
        r = g.bbox()
        assert r.left == pytest.approx(plot.left, abs=1) and r.right == pytest.approx(plot.right, abs=1)

    first_mark = min(i.order for i in chart.items if i.role == "mark")
    assert max(g.order for g in grid) < first_mark, "the grid should be drawn beneath the data"


# -- SVG: data marks --------------------------------------------------------------------------------

def test_two_lines_with_square_and_circle_markers(chart: Chart) -> None:
    lines = marks_by_color(chart, "line")
    assert sorted(lines) == sorted([BLUE, RED]), f"line colours {sorted(lines)}"
    for color, paths in lines.items():
        assert len(paths) == 1, f"{color}: {len(paths)} line paths"
        assert paths[0].fill in (None, "none"), f"{color} line is filled"
        assert len(paths[0].vertices()) == 21, f"{color} line has {len(paths[0].vertices())} vertices"

    symbols = marks_by_color(chart, "symbol")
    assert sorted(symbols) == sorted([BLUE, RED]), f"marker colours {sorted(symbols)}"
    assert len(symbols[BLUE]) == 21 and len(symbols[RED]) == 21
    assert {m.shape for m in symbols[BLUE]} == {"square"}, "Token Length markers should be squares"
    assert {m.shape for m in symbols[RED]} == {"circle"}, "Reproduced Rate markers should be circles"


@pytest.mark.parametrize("color", [BLUE, RED])
def test_lines_pass_through_their_markers(chart: Chart, color: str) -> None:
    line = marks_by_color(chart, "line")[color][0]
    markers = sorted(marks_by_color(chart, "symbol")[color], key=lambda m: m.x)
    vertices = line.vertices()
    assert [v[0] for v in vertices] == sorted(v[0] for v in vertices), "the line does not run left to right"
    for (vx, vy), m in zip(vertices, markers):
        assert (vx, vy) == pytest.approx((m.x, m.y), abs=0.01), f"{color} line misses the marker at {m.x, m.y}"


def test_data_read_back_matches_the_csv(chart: Chart, series: dict[str, dict[int, float]]) -> None:
    """Point by point: every marker, inverted through its axis, lands on its CSV value."""
    token, rate = read_csv()
    tol_token = PIXEL_TOL * abs(chart.axis(TOKEN_TITLE).scale().slope)
    tol_rate = PIXEL_TOL * abs(chart.axis(RATE_TITLE).scale().slope)
    assert sorted(series[TOKEN_TITLE]) == STEPS and sorted(series[RATE_TITLE]) == STEPS
    for step in STEPS:
        assert series[TOKEN_TITLE][step] == pytest.approx(token[step], abs=tol_token), (
            f"blue marker at step {step} reads {series[TOKEN_TITLE][step]:.1f} on the left axis, CSV {token[step]}")
        assert series[RATE_TITLE][step] == pytest.approx(rate[step], abs=tol_rate), (
            f"red marker at step {step} reads {series[RATE_TITLE][step]:.3f} on the right axis, CSV {rate[step]}")


def test_data_read_back_matches_description(chart: Chart, series: dict[str, dict[int, float]]) -> None:
    assert_matches_description(series[TOKEN_TITLE], series[RATE_TITLE], "the rendered chart")
    # The extremes sit on the plot's edges, where the axes' end labels are.
    red = {round(chart.axis(X_TITLE).scale().value(m.x) / 25) * 25: m for m in marks_by_color(chart, "symbol")[RED]}
    assert red[400].y == pytest.approx(chart.plot.top, abs=1), "the 35.0 peak should touch the top of the plot"
    assert red[0].y == pytest.approx(chart.plot.bottom, abs=1), "the 20.0 start should touch the bottom"
    assert series[RATE_TITLE][400] == pytest.approx(35.0, abs=0.05)


# -- SVG: legend ------------------------------------------------------------------------------------

def test_one_legend_with_both_series(chart: Chart) -> None:
    assert len(chart.legends) == 1, f"{len(chart.legends)} legends (colour and shape should merge into one)"
    entries = chart.legends[0].entries
    assert [label for label, _ in entries] == [TOKEN_TITLE, RATE_TITLE]
    (_, square), (_, circle) = entries
    # each entry is its line with its marker on it, as matplotlib's legend draws a line with markers
    for symbol, shape, color in ((square, "square", BLUE), (circle, "circle", RED)):
        glyph = glyph_parts(symbol.attrib["d"])
        assert glyph.marker == shape and len(glyph.dashes) == 1, f"legend symbol {symbol.attrib['d']}"
        start, end = glyph.dashes[0]
        assert end - start >= 20 and start < -glyph.marker_width / 2 and end > glyph.marker_width / 2
        assert parse_color(symbol.fill) == parse_color(symbol.stroke) == parse_color(color)
    assert square.y < circle.y, "Token Length should be listed first (on top)"
    assert not chart.by_role("legend-title"), "the legend should have no title"


def test_legend_inside_the_top_left_corner(chart: Chart) -> None:
    box, plot = chart.legends[0].bbox(), chart.plot
    assert plot.contains_rect(box), f"legend {box} is not inside the plot {plot}"
    assert box.left - plot.left <= 20 and box.top - plot.top <= 20, f"legend {box} is not in the top-left corner"
    assert box.right < (plot.left + plot.right) / 2 and box.bottom < (plot.top + plot.bottom) / 2


def test_legend_hides_no_data(chart: Chart) -> None:
    box = chart.legends[0].bbox()
    for color, markers in marks_by_color(chart, "symbol").items():
        hidden = [(m.x, m.y) for m in markers if box.contains(m.x, m.y, tol=4)]
        assert not hidden, f"{color} markers under the legend: {hidden}"
    for color, (line,) in marks_by_color(chart, "line").items():
        vertices = line.vertices()
        for (x1, y1), (x2, y2) in zip(vertices, vertices[1:]):
            samples = [(x1 + (x2 - x1) * t / 50, y1 + (y2 - y1) * t / 50) for t in range(51)]
            assert not any(box.contains(x, y, tol=1) for x, y in samples), f"the {color} line crosses the legend"


# -- PNG --------------------------------------------------------------------------------------------

def _near(pixel: tuple[int, ...], color: str, tol: float = 60) -> bool:
    target = parse_color(color)
    assert target is not None
    return sum((a - b) ** 2 for a, b in zip(pixel[:3], target)) <= tol * tol


def _count_near(image, color: str, tol: float = 40) -> int:  # type: ignore[no-untyped-def]
    """How many pixels of an RGB image are within ``tol`` (per channel) of ``color``."""
    target = parse_color(color)
    assert target is not None
    data = image.tobytes()
    r0, g0, b0 = target
    return sum(1 for i in range(0, len(data), 3)
               if abs(data[i] - r0) <= tol and abs(data[i + 1] - g0) <= tol and abs(data[i + 2] - b0) <= tol)


def test_png_matches_svg_size_and_colours(seed_build: Path, chart: Chart) -> None:
    from PIL import Image

    with Image.open(seed_build / f"{NAME}.png") as im:
        assert im.format == "PNG"
        assert im.size == (int(chart.width), int(chart.height)), f"PNG {im.size} vs SVG {chart.width}x{chart.height}"
        rgba = im.convert("RGBA")
    assert rgba.getchannel("A").getextrema() == (255, 255), "the PNG should be opaque (white background)"
    rgb = rgba.convert("RGB")
    total = rgb.width * rgb.height
    white = _count_near(rgb, "#ffffff", tol=8)
    assert white / total > 0.85, f"only {white / total:.0%} of the PNG is white background"
    # Two 600px-long, 2px-wide lines plus 21 markers each: well over a thousand pixels per colour.
    for color in (BLUE, RED):
        count = _count_near(rgb, color)
        assert count > 1000, f"only {count} pixels close to {color}"
    assert _count_near(rgb, GRID_GREY, tol=10) > 1000, "the light grey grid is missing from the PNG"


def test_png_markers_where_the_svg_puts_them(seed_build: Path, chart: Chart) -> None:
    from PIL import Image

    with Image.open(seed_build / f"{NAME}.png") as im:
        rgb = im.convert("RGB")
    for color, markers in marks_by_color(chart, "symbol").items():
        wrong = [(m.x, m.y, rgb.getpixel((int(m.x), int(m.y)))) for m in markers
                 if not _near(rgb.getpixel((int(m.x), int(m.y))), color)]
        # A marker may be overdrawn by a later series' line; most must show their colour.
        assert len(wrong) <= 2, f"{color} markers not visible in the PNG at {wrong}"
    # Markers on the plot edge are not clipped: the 35.0 peak's circle pokes above the plot.
    peak = min(marks_by_color(chart, "symbol")[RED], key=lambda m: m.y)
    assert _near(rgb.getpixel((int(peak.x), int(peak.y) - 2)), RED), "the peak marker is clipped at the plot edge"


def test_png_scale_2_doubles_the_size(run_cli, tmp_path: Path, chart: Chart) -> None:  # type: ignore[no-untyped-def]
    from PIL import Image

    proc = run_cli("build", SPEC, "-o", tmp_path, "--format", "png", "--scale", "2")
    assert proc.returncode == 0, proc.stderr
    with Image.open(tmp_path / f"{NAME}.png") as im:
        assert im.size == (2 * int(chart.width), 2 * int(chart.height)), f"--scale 2 gave {im.size}"
        rgb = im.convert("RGB")
    assert _count_near(rgb, BLUE) > 4000 and _count_near(rgb, RED) > 4000


# -- PDF --------------------------------------------------------------------------------------------

def _pdf_texts(page) -> dict[tuple[float, float], str]:  # type: ignore[no-untyped-def]
    """Text runs by their anchor (the current transformation matrix's origin), in PDF units."""
    runs: dict[tuple[float, float], str] = {}

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            key = (round(cm[4], 1), round(cm[5], 1))
            runs[key] = runs.get(key, "") + text

    page.extract_text(visitor_text=visit)
    return runs


def test_pdf_is_one_vector_page_like_the_svg(seed_build: Path, chart: Chart) -> None:
    import pypdf

    reader = pypdf.PdfReader(seed_build / f"{NAME}.pdf")
    assert len(reader.pages) == 1
    page = reader.pages[0]
    box = page.mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((chart.width, chart.height), abs=1), (
        f"PDF page {box} vs SVG {chart.width}x{chart.height} (1 px = 1 pt)")

    text = page.extract_text()
    for expected in [TITLE, X_TITLE, TOKEN_TITLE, RATE_TITLE, *X_LABELS, *TOKEN_LABELS, *RATE_LABELS]:
        assert expected in text, f"{expected!r} not in the PDF's text"

    # Every text of the SVG is in the PDF as real text, at the same place (PDF y runs upwards).
    # (The glyph visitor skips spaces: svg2pdf positions words instead of drawing blanks.)
    runs = _pdf_texts(page)
    svg_texts = {(round(t.x, 1), round(chart.height - t.y, 1)): t.text for t in chart.items if t.tag == "text"}
    assert len(runs) == len(svg_texts), f"{len(runs)} PDF text runs, {len(svg_texts)} SVG texts"
    for (x, y), expected in svg_texts.items():
        found = [t for (px, py), t in runs.items() if abs(px - x) <= 0.2 and abs(py - y) <= 0.2]
        assert found == [expected.replace(" ", "")], f"SVG text {expected!r} at ({x}, {y}): PDF has {found}"

    # Vector drawing with the chart's colours: blue and red strokes and fills, dashed grey grid.
    ops = page.get_contents().get_data().decode("latin-1")
    colors = {(tuple(round(float(v) * 255) for v in m.group(1, 2, 3)), m.group(4))
              for m in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) (SCN|scn|SC|sc|RG|rg)\b", ops)}
    for color in (BLUE, RED):
        rgb = parse_color(color)
        assert any(c == rgb and op.isupper() for c, op in colors), f"no {color} stroke in the PDF"
        assert any(c == rgb and op.islower() for c, op in colors), f"no {color} fill in the PDF"
    assert any(c == parse_color(GRID_GREY) for c, _ in colors), "no grid grey in the PDF"
    assert "[4 4] 0 d" in ops, "no 4,4 dash pattern in the PDF"
    assert not page.images, "the PDF should be vector, not an embedded raster"


# -- HTML and Vega-Lite JSON ------------------------------------------------------------------------

def _offline_checks(html: str) -> None:
    assert not re.search(r"<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//", html, flags=re.I), "external stylesheet"
    assert not re.search(r"""\bimport\b[^;]{0,200}?["'](https?:)?//""", html), "ES module import from a URL"
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs.cloudflare.com", "esm.sh", "skypack.dev", "jspm.io"):
        assert cdn not in html, f"CDN {cdn} referenced"


def _holds_the_vendored_libraries(text: str) -> None:
    """vega, vega-lite and vega-embed as vendored (byte for byte, less source-map comments), and a
    vega with no known advisory."""
    for script in vegajs.vendored():
        body = re.sub(r"^//# sourceMappingURL=\S*[ \t]*$", "", vegajs.read_script(script), flags=re.M).rstrip()
        assert body in text, f"{script.package} {script.version} is not in the page's scripts"
    assert vegajs.audit("vega", text) == []


def _embedded_spec(html: str) -> dict:  # type: ignore[type-arg]
    match = re.search(r'<template class="chartspec-spec"[^>]*>(.*?)</template>', html, re.S)
    assert match, "no embedded spec"
    return json.loads(match.group(1))


def test_html_is_offline_with_one_shared_bundle(seed_build: Path) -> None:
    html = (seed_build / f"{NAME}.html").read_text(encoding="utf-8")
    _offline_checks(html)
    # The page loads the libraries from the build's own shared bundle, by a relative path.
    (bundle,) = re.findall(r'data-bundle="\[&quot;(_chartspec/vega-bundle\.[0-9a-f]+\.js)&quot;\]"', html)
    text = (seed_build / bundle).read_text(encoding="utf-8")
    _holds_the_vendored_libraries(text)
    assert len(text) > 300_000, "too small to hold the Vega libraries"
    assert len(html) < 100_000, "the page should not carry the libraries itself"
    # The embedded spec is the chart's Vega-Lite spec.
    spec = _embedded_spec(html)
    assert spec["title"]["text"] == TITLE
    assert spec == json.loads((seed_build / f"{NAME}.vl.json").read_text(encoding="utf-8")), (
        "the HTML embeds a different spec than the .vl.json")


def test_html_inline_bundle_is_one_standalone_file(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("build", SPECS / f"{NAME}.yaml", "-o", tmp_path, "-f", "html", "--html-bundle", "inline")
    assert proc.returncode == 0, proc.stderr
    html = (tmp_path / f"{NAME}.html").read_text(encoding="utf-8")
    _offline_checks(html)
    assert not [t for t in re.findall(r"<script\b[^>]*>", html) if re.search(r"\bsrc\s*=", t)]
    _holds_the_vendored_libraries(html)
    assert not (tmp_path / "_chartspec").exists()
    assert _embedded_spec(html)["title"]["text"] == TITLE


def _leaf_layers(spec: dict) -> list[dict]:  # type: ignore[type-arg]
    if "layer" in spec:
        return [leaf for sub in spec["layer"] for leaf in _leaf_layers(sub)]
    return [spec]


def test_vl_json_valid_with_independent_y_and_one_legend_field(seed_build: Path) -> None:
    spec = json.loads((seed_build / f"{NAME}.vl.json").read_text(encoding="utf-8"))
    assert_valid_vega_lite(spec)
    assert spec["resolve"]["scale"]["y"] == "independent"
    assert spec["title"]["text"] == TITLE

    leaves = _leaf_layers(static_view(spec))  # the drawn layers; the HTML's hover layer is tested apart
    assert len(leaves) == 2
    color_field = leaves[0]["encoding"]["color"]["field"]
    for leaf, shape in zip(leaves, ("square", "circle")):
        enc = leaf["encoding"]
        assert enc["color"]["field"] == color_field, "the layers' colours use different fields"
        assert enc["color"]["legend"] == leaves[0]["encoding"]["color"]["legend"], "legends differ (would not merge)"
        assert enc["color"]["scale"]["domain"] == [TOKEN_TITLE, RATE_TITLE]
        assert enc["color"]["scale"]["range"] == [BLUE, RED]
        # the marker is the layer's own (the legend draws line and marker as one glyph)
        assert "shape" not in enc and leaf["mark"]["point"]["shape"] == shape


# -- determinism ------------------------------------------------------------------------------------

FORMATS = {"svg": ".svg", "png": ".png", "pdf": ".pdf", "html": ".html", "json": ".vl.json"}


def test_builds_are_byte_identical(run_cli, tmp_path: Path, seed_build: Path) -> None:  # type: ignore[no-untyped-def]
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        proc = run_cli("build", SPEC, "-o", out, "--format", ",".join(FORMATS))
        assert proc.returncode == 0, proc.stderr
        outs.append(out)
    for fmt, suffix in FORMATS.items():
        first, second = ((out / f"{NAME}{suffix}").read_bytes() for out in outs)
        assert first == second, f"two builds of the same spec give different {fmt} bytes"
        # Building the file or its folder (the session build) makes no difference either.
        assert first == (seed_build / f"{NAME}{suffix}").read_bytes(), f"{fmt} differs from the folder build"


def test_pdf_bytes_stable_within_one_process(seed_build: Path) -> None:
    """svg2pdf numbers its font objects in HashMap order, which varies from call to call (not only
    from process to process); the exported PDF must not."""
    from chartspec.render.export import render

    spec = json.loads((seed_build / f"{NAME}.vl.json").read_text(encoding="utf-8"))
    pdfs = {render(spec, ["pdf"])["pdf"] for _ in range(8)}
    assert len(pdfs) == 1, f"{len(pdfs)} different PDFs from 8 renders of the same spec"
