"""A time axis whose rows are all one moment (the first row a run has logged): Vega's ticks on a
zero-width time domain named a part of it alone ("March"; "06:30" for 18:30, a 12-hour clock) or
repeated it. One tick names the moment in full, at the marks. Read back from the SVG."""

from __future__ import annotations

from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import RunCli, drawn_vegalite, write_tree
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


def _y_chart(tmp_path: Path, csv: str, y: str = "{field: t, type: temporal, title: Time}") -> tuple[list[str], list[float],
                                                                                                    list[float]]:
    """The time y axis' tick labels, their positions, and the points' y positions."""
    write_tree(tmp_path, {"d.csv": csv, "c.yaml": f"data: d.csv\nx: {{field: step}}\nlayers: [{{mark: point, y: {y}}}]\n"})
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))))
    axis = chart.axis("Time")
    return axis.label_texts, axis.tick_positions(), [item.y for item in chart.by_role("mark", "symbol")]


@pytest.mark.parametrize(("moment", "label"), [("2024-03-01", "Mar 01, 2024"),
                                               ("2024-03-01T18:30:00", "Mar 01, 2024 18:30"),
                                               ("2024-03-01T18:30:15", "Mar 01, 2024 18:30:15")])
def test_a_time_y_of_one_moment_gets_one_tick_naming_it_as_x_does(tmp_path: Path, moment: str, label: str) -> None:
    """y named a part of the moment alone ("12:00", "March"), as x did before it had this handling."""
    labels, ticks, points = _y_chart(tmp_path, "step,t\n" + "".join(f"{i},{moment}\n" for i in range(5)))
    assert labels == [label]
    assert len(points) == 5 and all(p == pytest.approx(ticks[0], abs=0.5) for p in points)


def test_a_time_y_of_one_moment_and_a_tick_step_gets_one_tick(tmp_path: Path) -> None:
    labels, ticks, points = _y_chart(tmp_path, "step,t\n0,2024-03-01T06:00:00\n1,2024-03-01T06:00:00\n",
                                     "{field: t, type: temporal, title: Time, tick_step: {hour: 6}}")
    assert labels == ["Mar 01, 2024 06:00"] and all(p == pytest.approx(ticks[0], abs=0.5) for p in points)


def test_a_large_time_y_of_one_moment_gets_one_tick(tmp_path: Path, run_cli: RunCli) -> None:
    """20,000 rows, read by the engine and reduced: the same one tick."""
    csv = "step,t\n" + "".join(f"{i},2024-03-01T12:00:00Z\n" for i in range(20_000))
    write_tree(tmp_path, {"chartspec.toml": 'formats = ["svg"]\n', "d.csv": csv,
                          "c.yaml": "data: d.csv\nx: {field: step}\nlayers: [{y: {field: t, type: temporal, title: Time}}]\n"})
    proc = run_cli("build", "c.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    chart = parse_svg(tmp_path / "build" / "c.svg")
    assert chart.axis("Time").label_texts == ["Mar 01, 2024 12:00"]
    (line,) = chart.by_role("mark", "line")
    tick = chart.axis("Time").tick_positions()[0]
    assert all(y == pytest.approx(tick, abs=0.5) for _, y in line.vertices())


def test_two_moments_on_y_keep_vegas_ticks(tmp_path: Path) -> None:
    labels, _, _ = _y_chart(tmp_path, "step,t\n0,2024-03-01\n1,2024-03-05\n")
    assert len(labels) > 1


def test_a_time_y_with_a_clock_tick_step_is_drawn_with_those_ticks(tmp_path: Path) -> None:
    """``tick_step: {hour: 6}`` failed to render on y ("reading 'marktype'"): x listed its ticks, y did not."""
    csv = "step,t\n" + "".join(f"{i},2024-03-0{1 + i // 5}T{i * 5 % 24:02d}:00:00Z\n" for i in range(10))
    labels, _, _ = _y_chart(tmp_path, csv, "{field: t, type: temporal, title: Time, tick_step: {hour: 6}}")
    assert labels == ["March", "06:00", "12:00", "18:00", "Sat 02", "06:00", "12:00", "18:00"]
