"""The issue's training-log examples drawn and read back from the SVG (data/steps.py, table.py).

Each chart is rendered through the library (``chartspec.save``), on both readers (Python, and
the engine forced with ``ENGINE_BYTES`` = 0), then parsed with tests/svgchart.py: the line's
pieces per series (a new piece at each ``M`` of its paths) and its vertices mapped back to data
through the axes' ticks.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree
from svgchart import Chart, LinearFit, apply, parse_svg, path_commands

import chartspec
from chartspec.data import engine

RESUMED = "step,loss\n0,2.0\n10,1.6\n20,1.5\n30,1.7\n20,1.3\n30,1.1\n40,0.9\n"
ALTERNATING = "step,train_loss,val_loss\n10,1.9,\n20,1.7,\n20,,1.8\n30,1.5,\n40,1.3,\n40,,1.5\n50,1.2,\n60,1.1,\n60,,1.35\n"
DIVERGING = "step,loss\n0,2.4\n10,1.9\n20,3.7\n30,inf\n40,nan\n"
BLUE, ORANGE = "#1f77b4", "#ff7f0e"


@pytest.fixture(params=["python", "engine"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "engine":
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0)
    return str(request.param)


def _render(tmp_path: Path, csv: str, body: str, x: str = "step") -> Chart:
    write_tree(tmp_path, {"chartspec.toml": "", "m.csv": csv,
                          "chart.yaml": f"data: m.csv\nx: {{field: {x}}}\n{body}"})
    spec = chartspec.load(tmp_path / "chart.yaml")
    chartspec.save(spec, tmp_path / "chart.svg")
    return parse_svg(tmp_path / "chart.svg")


def _pieces(chart: Chart, stroke: str, opaque: bool = True) -> list[list[tuple[float, float]]]:
    """The pieces of the lines drawn in ``stroke``: each path's subpaths, as absolute vertices."""
    found = []
    for item in chart.items:
        if item.role != "mark" or item.mark != "line" or item.stroke != stroke:
            continue
        if opaque != (float(item.attrib.get("stroke-opacity", item.attrib.get("opacity", "1"))) > 0.5):
            continue
        for cmd, args in path_commands(item.attrib["d"]):
            if cmd in "Mm":
                found.append([])
            if cmd in "MmLl":
                found[-1].append(apply(item.matrix, args[0], args[1]))
    return found


def _values(piece: list[tuple[float, float]], fx: LinearFit, fy: LinearFit) -> list[float]:
    """The piece's vertices as data, flattened (x0, y0, x1, y1, ...) for pytest.approx."""
    return [v for px, py in piece for v in (fx.value(px), fy.value(py))]


def _flat(points: list[tuple[float, float]]) -> list[float]:
    return [v for point in points for v in point]


def test_resumed_run_is_one_line_through_the_later_rows(tmp_path: Path, path_kind: str) -> None:
    chart = _render(tmp_path, RESUMED, "layers: [{y: {field: loss}}]\n")
    [piece] = _pieces(chart, BLUE)
    fx, fy = chart.axis("step").scale(), chart.axis("loss").scale()
    assert _values(piece, fx, fy) == pytest.approx(_flat([(0, 2.0), (10, 1.6), (20, 1.3), (30, 1.1), (40, 0.9)]), abs=0.05)


def test_alternating_rows_draw_two_continuous_lines(tmp_path: Path, path_kind: str) -> None:
    body = ("layers:\n  - {y: {field: train_loss, axis: loss}, smooth: {ema: 0.6}}\n"
            "  - {y: {field: val_loss, axis: loss}}\n")
    chart = _render(tmp_path, ALTERNATING, body)
    fx, fy = chart.axis("step").scale(), chart.axis("train_loss, val_loss").scale()
    [raw] = _pieces(chart, BLUE, opaque=False)  # the raw train curve behind its EMA
    assert _values(raw, fx, fy) == pytest.approx(_flat([(10, 1.9), (20, 1.7), (30, 1.5), (40, 1.3), (50, 1.2), (60, 1.1)]), abs=0.05)
    [smooth] = _pieces(chart, BLUE)
    assert len(smooth) == 6
    [val] = _pieces(chart, ORANGE)
    assert _values(val, fx, fy) == pytest.approx(_flat([(20, 1.8), (40, 1.5), (60, 1.35)]), abs=0.05)


def _hourly(empty_cells: bool) -> str:
    lines = ["hour,cpu"]
    for h in range(48):
        if 20 <= h < 26:
            lines += [f"{h},"] if empty_cells else []
        else:
            lines.append(f"{h},{40 + (h * 7) % 13}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("empty_cells", [False, True], ids=["rows-missing", "cells-empty"])
def test_six_missing_hours_show_as_a_gap(tmp_path: Path, path_kind: str, empty_cells: bool) -> None:
    chart = _render(tmp_path, _hourly(empty_cells), "layers: [{y: {field: cpu}}]\n", x="hour")
    fx = chart.axis("hour").scale()
    pieces = _pieces(chart, BLUE)
    assert [(round(fx.value(p[0][0])), round(fx.value(p[-1][0]))) for p in pieces] == [(0, 19), (26, 47)]
    chart = _render(tmp_path, _hourly(empty_cells), "layers: [{y: {field: cpu}, gaps: connect}]\n", x="hour")
    assert len(_pieces(chart, BLUE)) == 1


def test_gaps_break_breaks_at_empty_cells(tmp_path: Path, path_kind: str) -> None:
    chart = _render(tmp_path, ALTERNATING, "layers: [{y: {field: train_loss}, gaps: break}]\n")
    assert len(_pieces(chart, BLUE)) == 3  # Vega's own behaviour: every empty cell breaks the line


def test_diverging_run_draws_its_finite_values(tmp_path: Path, path_kind: str) -> None:
    chart = _render(tmp_path, DIVERGING, "layers: [{y: {field: loss}, smooth: {ema: 0.5}}]\n")
    fx, fy = chart.axis("step").scale(), chart.axis("loss").scale()
    [raw] = _pieces(chart, BLUE, opaque=False)
    assert _values(raw, fx, fy) == pytest.approx(_flat([(0, 2.4), (10, 1.9), (20, 3.7)]), abs=0.05)
    # the y axis spans the finite values only
    labels = [float(t) for t in chart.axis("loss").label_texts]
    assert min(labels) >= 1.8 and max(labels) <= 3.8
