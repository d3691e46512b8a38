"""Lines draw no hidden symbols: the merged legend gets its symbols without a point per vertex.

Vega-Lite adds a point overlay to every line given a ``shape`` encoding. A line without markers
would then draw an invisible symbol at each of its points (a filled 'stroke' shape draws nothing),
costing ~300 bytes of SVG and a Vega scenegraph item per row. These tests render charts of
growing size and read the SVG back: symbol marks are only the markers a spec asks for, the SVG
grows by a few bytes per point, and the legend still lists every series in its colour and symbol.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import build_specs, built_vegalite, write_tree
from svgchart import Chart, glyph_parts, parse_color, parse_svg

BLUE, ORANGE, GREEN = "#1f77b4", "#ff7f0e", "#2ca02c"
RUN_COLORS = {"a": BLUE, "b": ORANGE}  # palette colours, runs in sorted order

SPEC = """\
title: Many points
data: data.csv
x: {field: step}
legend: {position: right}
layers:
  - {name: Loss, y: {field: loss}, color: "#1f77b4"}
  - {name: Reward, y: {field: reward}, color: "#ff7f0e", stroke_dash: [4, 2]}
"""
RUNS_SPEC = """\
data: data.csv
x: {field: step}
layers:
  - {y: {field: loss}, color: {field: run}}
"""
MIXED_SPEC = """\
data: data.csv
x: {field: step}
layers:
  - {name: Loss, y: {field: loss}}
  - {name: Reward, mark: point, y: {field: reward}}
"""


def _rows(n: int, runs: tuple[str, ...] = ("",)) -> str:
    head = "step,loss,reward" + (",run" if runs != ("",) else "")
    lines = [head]
    for run in runs:
        for i in range(n):
            loss, reward = 3 + math.sin(i / 7) + 0.5 * math.sin(i * 1.3), 10 * math.cos(i / 11) + (i % 5)
            lines.append(f"{i},{loss:.4f},{reward:.4f}" + (f",{run}" if run else ""))
    return "\n".join(lines) + "\n"


def _build(tmp_path: Path, spec: str, data: str, name: str = "chart") -> tuple[Chart, int, Path]:
    src = write_tree(tmp_path / "src", {f"{name}.yaml": spec, "data.csv": data})
    out = build_specs(tmp_path / "out", [src / f"{name}.yaml"], "svg,json", "-j", "0")
    svg = out / f"{name}.svg"
    return parse_svg(svg), svg.stat().st_size, out


def _data_symbols(chart: Chart) -> int:
    """Symbols drawn as data marks (role-mark in a symbol group): points and markers, hidden or not."""
    return len(chart.by_role("mark", "symbol"))


@pytest.mark.parametrize("n", [11, 1461])
def test_a_line_without_markers_draws_no_symbols(tmp_path: Path, n: int) -> None:
    chart, _, out = _build(tmp_path, SPEC, _rows(n))
    assert _data_symbols(chart) <= 2, f"{_data_symbols(chart)} symbol marks for two lines of {n} points"
    assert len(chart.by_role("mark", "line")) == 2
    vl = built_vegalite(out, "chart")  # still valid against the Vega-Lite schema
    assert all("shape" not in layer["encoding"] for layer in vl["layer"])


def test_svg_grows_by_a_few_bytes_per_point(tmp_path: Path) -> None:
    """Two lines, 300 then 3,000 points: the per-point cost is that of the lines' path data
    (~2 x 20 bytes), not of a symbol per vertex (~300 bytes each)."""
    _, small, _ = _build(tmp_path / "small", SPEC, _rows(300))
    _, large, _ = _build(tmp_path / "large", SPEC, _rows(3000))
    per_point = (large - small) / (3000 - 300)
    assert per_point < 60, f"{per_point:.0f} bytes of SVG per point"


def test_legend_keeps_every_entry_in_its_colour_and_symbol(tmp_path: Path) -> None:
    chart, _, _ = _build(tmp_path, SPEC, _rows(500))
    assert len(chart.legends) == 1
    entries = chart.legends[0].entries
    assert [label for label, _ in entries] == ["Loss", "Reward"]
    for (_, symbol), color in zip(entries, (BLUE, ORANGE)):
        assert parse_color(symbol.stroke) == parse_color(color)
        assert symbol.vertices() and len({round(y, 6) for _, y in symbol.vertices()}) == 1, (
            f"a line's legend symbol should be a horizontal stroke, got d={symbol.attrib['d']!r}")
    # the dash is cut into the glyph's geometry (legend glyphs), not drawn by a stroke-dasharray
    solid, dashed = (glyph_parts(symbol.attrib["d"]) for _, symbol in entries)
    assert len(solid.dashes) == 1 and [round(b - a) for a, b in dashed.dashes][:3] == [4, 4, 4]
    assert round(dashed.dashes[1][0] - dashed.dashes[0][1]) == 2


def test_runs_of_a_colour_field_keep_their_legend(tmp_path: Path) -> None:
    chart, _, _ = _build(tmp_path, RUNS_SPEC, _rows(400, runs=("b", "a")))
    assert _data_symbols(chart) == 0
    entries = chart.legends[0].entries
    assert [label for label, _ in entries] == ["a", "b"]
    assert [parse_color(s.stroke) for _, s in entries] == [parse_color(RUN_COLORS[r]) for r in ("a", "b")]


def test_points_beside_a_plain_line_keep_their_symbols_and_a_solid_legend(tmp_path: Path) -> None:
    """The point layer carries the shape scale alone now: its points are all drawn, the line's
    vertices are not, and the legend symbols stay opaque (Vega-Lite would give them the points'
    default opacity of 0.7)."""
    chart, _, _ = _build(tmp_path, MIXED_SPEC, _rows(200))
    assert _data_symbols(chart) == 200
    (_, line), (_, point) = chart.legends[0].entries
    assert line.shape != "circle" and point.shape == "circle"
    assert parse_color(line.stroke) == parse_color(BLUE) and parse_color(point.fill) == parse_color(ORANGE)
    assert {line.attrib.get("opacity"), point.attrib.get("opacity")} <= {None, "1"}
