"""Ticks over an x an annotation widens past the data. Steps 0..7 got explicit whole-number ticks
0..7 even with a ``vline: 100``: the axis reached 100 but its eight labels sat in its first 42 px.
A ``tick_step: {minute: 15}`` over three rows at one moment beside a ``vline`` half an hour on
gave one tick, and ``{hour: 1}`` over 15 minutes of data beside an ``x_range`` to the next day
gave Vega's 30-minute ticks: the ticks were computed over the data alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import drawn_vegalite, write_tree
from svgchart import Axis, parse_svg

import chartspec
from chartspec.compiler.times import interval_ticks

STEPS = "step,v\n" + "".join(f"{i},{1 / (i + 1):.3f}\n" for i in range(8))
ONE_MOMENT = "time,v\n" + "2024-01-01T18:30:00,1\n" * 3
QUARTER = "time,v\n2024-01-01T18:30:00,1\n2024-01-01T18:45:00,2\n"
WIDTH = 600


def _x_axis(tmp_path: Path, csv: str, x: str, annotation: str) -> Axis:
    write_tree(tmp_path, {"d.csv": csv, "c.yaml": f"data: d.csv\nwidth: {WIDTH}\nx: {{title: X, {x}}}\n"
                          "layers: [{y: {field: v}, point: true}]\n"
                          f"annotations: [{annotation}]\n"})
    vl = drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))
    return parse_svg(vlc.vegalite_to_svg(vl)).axis("X")


def _even_across(positions: list[float]) -> None:
    """Ticks from the plot's left edge to its right one (the annotation's end), evenly spaced."""
    assert positions[-1] - positions[0] == pytest.approx(WIDTH, abs=1)
    gaps = [b - a for a, b in zip(positions, positions[1:])]
    assert max(gaps) - min(gaps) < 1


@pytest.mark.parametrize(("csv", "annotation", "last"), [
    (STEPS, "{vline: 100, label: far}", 100),
    (STEPS, "{x_range: [50, 100]}", 100),
    ("step,v\n0,1\n1,0.5\n2,0.3\n", "{vline: 1000}", 1000),
], ids=["vline", "x_range", "three-steps"])
def test_whole_steps_with_an_annotation_far_beyond_get_ticks_across_the_axis(tmp_path: Path, csv: str,
                                                                             annotation: str, last: int) -> None:
    axis = _x_axis(tmp_path, csv, "field: step", annotation)
    values = [float(t.replace(",", "")) for t in axis.label_texts]
    assert values[0] == 0 and values[-1] == last
    _even_across(axis.tick_positions())


def test_whole_steps_a_little_beyond_stay_whole_over_the_widened_axis(tmp_path: Path) -> None:
    axis = _x_axis(tmp_path, STEPS, "field: step", "{vline: 10, label: near}")
    assert axis.label_texts == [str(i) for i in range(11)]  # whole steps still, up to the vline
    _even_across(axis.tick_positions())


@pytest.mark.parametrize(("csv", "step", "annotation", "count"), [
    (ONE_MOMENT, "{minute: 15}", "{vline: '2024-01-01T19:00:00'}", 3),  # 18:30, 18:45, 19:00
    (QUARTER, "{hour: 1}", "{x_range: ['2024-01-01T18:30:00', '2024-01-02T02:00:00']}", 8),  # 19:00 .. 02:00
], ids=["one-moment", "quarter-hour"])
def test_a_clock_tick_step_covers_the_time_an_annotation_widens(tmp_path: Path, csv: str, step: str,
                                                                annotation: str, count: int) -> None:
    axis = _x_axis(tmp_path, csv, f"field: time, type: temporal, tick_step: {step}", annotation)
    positions = axis.tick_positions()
    assert len(positions) == count
    gaps = [b - a for a, b in zip(positions, positions[1:])]
    assert max(gaps) - min(gaps) < 1
    assert positions[-1] - positions[0] >= WIDTH * 0.85  # to the annotation's end, not 15 minutes of it


def test_minutes_divisible_by_seven_over_a_widened_moment(tmp_path: Path) -> None:
    # (d3's utcMinute.every(7): minutes 35, 42, 49, 56 and the hour; not 31 one-minute ticks)
    axis = _x_axis(tmp_path, ONE_MOMENT, "field: time, type: temporal, tick_step: {minute: 7}",
                   "{vline: '2024-01-01T19:00:00'}")
    positions = axis.tick_positions()
    assert len(positions) == 5
    assert [round((p - positions[0]) / (WIDTH / 30)) for p in positions] == [0, 7, 14, 21, 25]


def test_a_clock_tick_step_to_an_annotation_far_off_lists_no_flood_of_ticks(tmp_path: Path) -> None:
    """Ten days of seconds: 864,000 ticks listed (a vline in 2100 hung the build); data this long is
    refused at load (checks.py, MAX_TICKS), an annotation this far leaves the ticks to Vega."""
    write_tree(tmp_path, {"d.csv": ONE_MOMENT, "c.yaml": "data: d.csv\nx: {field: time, type: temporal, "
                          "tick_step: {second: 1}}\nlayers: [{y: {field: v}}]\n"})
    x = chartspec.load(tmp_path / "c.yaml").model.x
    start = 1_704_133_800_000  # 2024-01-01T18:30
    assert interval_ticks(x, [start, start + 10 * 86_400_000]) == []
    assert len(interval_ticks(x, [start, start + 60_000]) or []) == 61  # a minute of seconds: listed


def test_a_tick_step_domain_reaches_an_annotation_beyond_the_data(tmp_path: Path) -> None:
    """``tick_step: 10`` fitted the domain to the data, 0..10: a ``vline: 100`` was clipped away."""
    axis = _x_axis(tmp_path, STEPS, "field: step, tick_step: 10", "{vline: 100}")
    assert axis.label_texts[0] == "0" and axis.label_texts[-1] == "100"
    _even_across(axis.tick_positions())
    # past MAX_TICKS steps Vega places the ticks, up to the vline (1e21 steps of 1 are not listed one
    # by one; the build notes it: test_far_annotation_ticks.py)
    far = _x_axis(tmp_path, STEPS, "field: step, tick_step: 1", "{vline: 1e21}")
    assert far.label_texts[0] == "0" and far.label_texts[-1] == "1e+21" and len(far.label_texts) < 30


def test_a_y_tick_step_domain_reaches_an_hline_beyond_the_data(tmp_path: Path) -> None:
    """``tick_step: 0.5`` fitted y to the data, 0..1: an ``hline: 3`` was clipped away."""
    write_tree(tmp_path, {"d.csv": STEPS, "c.yaml": "data: d.csv\nx: {field: step}\n"
                          "layers: [{y: {field: v, title: Y, tick_step: 0.5}}]\nannotations: [{hline: 3, label: far}]\n"})
    svg = vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml")))
    axis = parse_svg(svg).axis("Y")
    assert axis.label_texts == ["0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"]


@pytest.mark.parametrize("step", ["", ", tick_step: {minute: 15}"])
def test_one_moment_with_a_vline_at_it_keeps_its_one_tick_naming_it(tmp_path: Path, step: str) -> None:
    """Any x annotation turned the one-moment tick off: Vega's '06:30' (18:30 on a 12-hour clock) on
    a zero-width domain."""
    axis = _x_axis(tmp_path, ONE_MOMENT, f"field: time, type: temporal{step}", "{vline: '2024-01-01T18:30:00', label: now}")
    assert axis.label_texts == ["Jan 01, 2024 18:30"]
