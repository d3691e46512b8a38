"""The gallery's training-log charts read back from their SVGs (issue 13: one spec per source).

Each line is checked by content: how many pieces it is drawn in (a new piece at each ``M``) and
its vertices mapped back to data through the axes, against the table chartspec's reader gives
for the same logs (tests/data/test_loggers.py checks those tables against the loggers' files).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO, build_specs
from svgchart import Chart, apply, parse_svg, path_commands

import chartspec

SPECS = REPO / "specs"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gallery_logs")
    return build_specs(out, [SPECS / "logs_tensorboard_loss_lr.yaml", SPECS / "logs_dvclive_experiments.yaml"], "svg")


def _lines(chart: Chart, stroke: str | None = None) -> dict[str, list[list[tuple[float, float]]]]:
    """Pieces (lists of absolute vertices) of the line marks, by stroke colour."""
    found: dict[str, list[list[tuple[float, float]]]] = {}
    for item in chart.items:
        if item.role != "mark" or item.mark != "line" or (stroke is not None and item.stroke != stroke):
            continue
        pieces = found.setdefault(item.stroke, [])
        for cmd, args in path_commands(item.attrib["d"]):
            if cmd in "Mm":
                pieces.append([])
            if cmd in "MmLl":
                pieces[-1].append(apply(item.matrix, args[0], args[1]))
    return found


def test_tensorboard_loss_and_learning_rate_each_one_line_on_its_axis(built: Path) -> None:
    rows = chartspec.load(SPECS / "logs_tensorboard_loss_lr.yaml").table.rows
    chart = parse_svg(built / "logs_tensorboard_loss_lr.svg")
    fx = chart.axis("Step").scale()
    for colour, field, title in (("#1f77b4", "train/loss", "Training loss"), ("#ff7f0e", "train/lr", "Learning rate")):
        [piece] = _lines(chart, colour)[colour]  # one piece: every logged step, no gap
        fy = chart.axis(title).scale()
        expected = [(r["step"], r[field]) for r in rows if r[field] is not None]
        assert [round(fx.value(x)) for x, _ in piece] == [s for s, _ in expected]
        span = max(v for _, v in expected) - min(v for _, v in expected)
        assert all(abs(fy.value(y) - v) < 0.01 * span for (_, y), (_, v) in zip(piece, expected))


def test_dvclive_two_experiments_two_colours_one_line_each(built: Path) -> None:
    rows = chartspec.load(SPECS / "logs_dvclive_experiments.yaml").table.rows
    chart = parse_svg(built / "logs_dvclive_experiments.svg")
    fx, fy = chart.axis("Step").scale(), chart.axis("Training loss").scale()
    lines = _lines(chart)
    assert len(lines) == 2 and all(len(pieces) == 1 for pieces in lines.values())
    drawn = sorted([(round(fx.value(x)), round(fy.value(y), 2)) for x, y in pieces[0]] for pieces in lines.values())
    expected = sorted([(r["step"], round(r["train/loss"], 2)) for r in rows if r["run"] == run]
                      for run in ("exp1", "exp2"))
    assert [[s for s, _ in line] for line in drawn] == [[s for s, _ in line] for line in expected]
    assert all(abs(a[1] - b[1]) <= 0.02 for d, e in zip(drawn, expected) for a, b in zip(d, e))
