"""A time axis whose rows are all one moment (the first row a run has logged): Vega's ticks on a
zero-width time domain named a part of it alone ("March"; "06:30" for 18:30, a 12-hour clock) or
repeated it. One tick names the moment in full, at the marks. Read back from the SVG."""

from __future__ import annotations

from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import drawn_vegalite, write_tree
from svgchart import parse_svg

import chartspec


def _chart(tmp_path: Path, csv: str, x: str = "{field: t, type: temporal, title: Time}") -> tuple[list[str], list[float],
                                                                                                  list[float]]:
    """The x axis' tick labels, their positions, and the points' x positions."""
    write_tree(tmp_path, {"d.csv": csv, "c.yaml": f"data: d.csv\nx: {x}\n"
                          "layers: [{mark: line, point: circle, y: {field: v, title: V}}]\n"})
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))))
    axis = chart.axis("Time")
    return axis.label_texts, axis.tick_positions(), [item.x for item in chart.by_role("mark", "symbol")]


@pytest.mark.parametrize(("moment", "label"), [("2024-03-01", "Mar 01, 2024"),
                                               ("2024-03-01T18:30:00", "Mar 01, 2024 18:30"),
                                               ("2024-03-01T18:30:15", "Mar 01, 2024 18:30:15")])
def test_one_moment_gets_one_tick_naming_it_at_the_point(tmp_path: Path, moment: str, label: str) -> None:
    labels, ticks, points = _chart(tmp_path, f"t,v\n{moment},120\n")
    assert labels == [label]
    assert len(points) == 1 and ticks[0] == pytest.approx(points[0], abs=0.5)


def test_rows_of_one_moment_and_a_tick_step_get_one_tick(tmp_path: Path) -> None:
    labels, ticks, points = _chart(tmp_path, "t,v\n2024-03-01T06:00:00,1\n2024-03-01T06:00:00,2\n",
                                   "{field: t, type: temporal, title: Time, tick_step: {day: 1}}")
    assert labels == ["Mar 01, 2024 06:00"] and all(p == pytest.approx(ticks[0], abs=0.5) for p in points)


def test_two_moments_keep_vegas_ticks(tmp_path: Path) -> None:
    labels, _, _ = _chart(tmp_path, "t,v\n2024-03-01,1\n2024-03-08,2\n")
    assert len(labels) > 2 and "Mar 01, 2024" not in labels  # Vega's own: 'Fri 01', 'Mar 03', ...
