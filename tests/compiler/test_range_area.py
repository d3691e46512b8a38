"""``mark: area`` with ``band: {lower, upper}``: filled between two columns, no line on top.

Read back from the rendered SVG: one filled path whose two edges follow the band's columns through
the y axis, no stroke; the legend draws it as a filled box; large data is reduced with M4 keeping
both columns' extremes; misuse is a positioned error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from conftest import build_specs, write_tree
from svgchart import parse_color, parse_svg

import chartspec
from chartspec.data.reduce import SUBPIXELS

ROWS = "step,lo,mid,hi\n" + "".join(f"{s},{1 + (s % 3) * 0.25},{2 + (s % 4) * 0.1},{3 + (s % 5) * 0.5}\n"
                                    for s in range(0, 100, 10))
SPEC = ("data: r.csv\nx: {field: step, title: Step}\nlegend: {position: right}\nlayers:\n"
        "  - {mark: area, name: range, color: '#2ca02c', y: {field: mid, title: Loss}, band: {lower: lo, upper: hi}}\n"
        "  - {name: median, y: {field: mid, title: Loss}}\n")


def test_the_area_fills_from_lower_to_upper_with_no_line(tmp_path: Path) -> None:
    src = write_tree(tmp_path / "src", {"chart.yaml": SPEC, "r.csv": ROWS})
    chart = parse_svg(build_specs(tmp_path / "out", [src / "chart.yaml"], "svg", "-j", "0") / "chart.svg")
    rows = [line.split(",") for line in ROWS.splitlines()[1:]]
    (area,) = chart.by_role("mark", "area")
    assert parse_color(area.fill) == parse_color("#2ca02c") and area.stroke is None
    # one line only (the median layer): the area draws none on top
    assert [parse_color(line.stroke) for line in chart.by_role("mark", "line")] == [parse_color("#ff7f0e")]
    x, y = chart.axis("Step").scale(), chart.axis("Loss").scale()
    points = area.vertices()
    n = len(rows)
    assert len(points) == 2 * n
    lower, upper = points[:n], points[n:][::-1]  # Vega runs along y, then back along y2
    for row, low, high in zip(rows, lower, upper):
        assert abs(x.value(low[0]) - float(row[0])) < 0.5 and abs(x.value(high[0]) - float(row[0])) < 0.5
        assert abs(y.value(low[1]) - float(row[1])) < 0.01 and abs(y.value(high[1]) - float(row[3])) < 0.01
    # the axis is not stretched to zero, as it would be under an area from zero
    assert min(float(label.text) for label in chart.axis("Loss").labels) > 0
    legend = dict(chart.legends[0].entries)
    assert parse_color(legend["range"].fill) == parse_color("#2ca02c")
    assert legend["range"].bbox().height > 5  # a filled box, not the stroke of a line


def test_large_data_is_reduced_keeping_both_columns_extremes(tmp_path: Path) -> None:
    n, width = 20_000, 200
    rng = np.random.default_rng(3)
    mid = np.round(rng.standard_normal(n), 6)
    lo, hi = mid - np.round(rng.random(n), 6), mid + np.round(rng.random(n), 6)
    lo[777], hi[4321] = -40.0, 40.0  # one-sample spikes of each edge
    text = "step,lo,mid,hi\n" + "".join(f"{i},{a},{b},{c}\n" for i, (a, b, c) in enumerate(zip(lo, mid, hi)))
    write_tree(tmp_path, {"chartspec.toml": "", "r.csv": text, "chart.yaml": (
        f"data: r.csv\nwidth: {width}\nx: {{field: step}}\n"
        "layers:\n  - {mark: area, y: {field: mid}, band: {lower: lo, upper: hi}}\n")})
    spec = chartspec.load(tmp_path / "chart.yaml")
    rows = spec.table.rows
    assert spec.table.reduced_from == n and len(rows) <= 8 * (width * SUBPIXELS + 1)
    kept = {r["step"] for r in rows}
    assert {777, 4321} <= kept
    assert min(r["lo"] for r in rows) == lo.min() and max(r["hi"] for r in rows) == hi.max()


def test_markers_on_a_range_area_are_a_positioned_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    spec = "data: r.csv\nx: {field: step}\nlayers:\n  - {mark: area, y: {field: mid}, band: {lower: lo, upper: hi}, point: circle}\n"
    src = write_tree(tmp_path, {"chart.yaml": spec, "r.csv": ROWS})
    result = run_cli("validate", str(src / "chart.yaml"))
    out = result.stdout + result.stderr
    assert result.returncode == 1
    assert "chart.yaml:4:65: error: 'point' markers are drawn on line and area marks, not 'area' with a 'band'" in out
    assert "hint: add a separate 'mark: point' layer" in out


def test_a_band_on_a_line_names_the_marks_that_take_one(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    spec = "data: r.csv\nx: {field: step}\nlayers:\n  - {mark: line, y: {field: mid}, band: {lower: lo, upper: hi}}\n"
    src = write_tree(tmp_path, {"chart.yaml": spec, "r.csv": ROWS})
    out = run_cli("validate", str(src / "chart.yaml"))
    assert "chart.yaml:4:35: error: 'band' is only used by marks errorband, rule, rect, area, not 'line'" in out.stdout + out.stderr
    assert "'mark: area' to fill it alone" in out.stdout + out.stderr
