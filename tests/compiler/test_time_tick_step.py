"""``tick_step`` of an hour, minute or second on a time axis. As Vega's ``tickCount`` ({interval:
hour, step: 6}) such a step failed every render ("TypeError: Cannot read properties of undefined
(reading 'marktype')"); the ticks are now listed, where d3's ``utcHour.every(6)`` puts them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree
from svgchart import parse_svg

import chartspec
from chartspec.compiler.origin import trace_render_error

CSV = "t,v\n2024-03-01T00:00:00,1\n2024-03-01T09:00:00,3\n2024-03-02T00:00:00,2\n"


@pytest.mark.parametrize(("step", "labels"), [
    ("{hour: 6}", ["March", "06:00", "12:00", "18:00", "Sat 02"]),  # a 24-hour clock (test_clock_labels.py)
    ("{hour: 5}", ["March", "05:00", "10:00", "15:00", "20:00", "Sat 02"]),  # the hours of each day divisible by 5
    ("{minute: 30}", ["March", "00:30", "01:00", "01:30", "02:00"]),
])
def test_an_hourly_tick_step_renders_with_ticks_at_those_hours(tmp_path: Path, run_cli: RunCli, step: str,
                                                             labels: list[str]) -> None:
    write_tree(tmp_path, {"d.csv": CSV if "minute" not in step else "t,v\n2024-03-01T00:00:00,1\n2024-03-01T02:00:00,2\n",
                          "c.yaml": f"data: d.csv\nx: {{field: t, type: temporal, title: T, tick_step: {step}}}\n"
                                    "layers: [{mark: line, y: {field: v}}]\n"})
    proc = run_cli("build", "-j", "0", "-f", "svg", "c.yaml", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    axis = parse_svg((tmp_path / "out" / "c.svg").read_text(encoding="utf-8")).axis("T")
    assert axis.label_texts == labels
    positions = axis.tick_positions()
    gaps = {round(b - a, 1) for a, b in zip(positions, positions[1:])}
    assert len(gaps) <= 2  # evenly spaced (the last gap may be shorter: a day is not a multiple of 5 hours)


@pytest.mark.parametrize("step", ["{hour: 6}", "{minute: 15}", "{second: 10}"])
@pytest.mark.parametrize(("csv", "annotations"), [
    ("t,v\n2024-03-01T18:30:00,1.0\n", ""),  # one moment: its one tick
    ("t,v\n2024-03-01T18:30:00,1.0\n", "annotations: [{vline: '2024-03-01T18:31:00', label: a}]\n"),
    ("t,v\n2024-03-01T18:30:00,1\n2024-03-01T18:30:05,2\n", ""),  # no 6th hour (15th minute) within: Vega's ticks
])
def test_a_clock_tick_step_over_times_holding_no_such_tick_renders(tmp_path: Path, run_cli: RunCli, step: str,
                                                                  csv: str, annotations: str) -> None:
    """These kept Vega's ``tickCount: {interval: hour, step: 6}``: 'reading marktype', no chart."""
    write_tree(tmp_path, {"d.csv": csv, "c.yaml": f"data: d.csv\nx: {{field: t, type: temporal, title: T, "
                          f"tick_step: {step}}}\nlayers: [{{mark: line, point: true, y: {{field: v}}}}]\n" + annotations})
    proc = run_cli("build", "-j", "0", "-f", "svg", "c.yaml", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    chart = parse_svg((tmp_path / "out" / "c.svg").read_text(encoding="utf-8"))
    assert chart.axis("T").label_texts and chart.by_role("mark", "symbol")
    if not annotations and csv.count("\n") == 2:
        assert chart.axis("T").label_texts == ["Mar 01, 2024 18:30"]


def test_vegas_marktype_failure_is_placed_at_the_axis_it_is_about(tmp_path: Path) -> None:

    write_tree(tmp_path, {"d.csv": CSV, "c.yaml": "data: d.csv\nx: {field: t, type: temporal}\n"
                          "layers: [{mark: line, y: {field: v, tick_step: 0.5}}]\n"})
    spec = chartspec.load(tmp_path / "c.yaml")
    reason = "TypeError: Cannot read properties of undefined (reading 'marktype')"
    found = trace_render_error(spec, {}, reason, message=f"rendering svg failed: {reason}")
    assert (found.line, found.column) == (3, 23) and "axis" in found.message and found.hint
