"""What an axis can show, read back from the rendered SVG: time intervals as ``tick_step``, values a
log scale cannot place (after transforms), number formats without a type letter.

Issue 14 items 6, 7 and 9, each with its small input.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_specs, write_tree
from svgchart import parse_svg

import chartspec
from chartspec import ChartspecError

DAYS = "day,v\n" + "".join(f"2023-{m:02d}-{d:02d},{(m * 7 + d) % 11}\n" for m in range(1, 13) for d in (1, 15))
GN = "step,gn\n1,0.5\n2,2\n3,0\n4,5\n"


def _project(tmp_path: Path, specs: dict[str, str]) -> Path:
    write_tree(tmp_path, {"d.csv": DAYS, "g.csv": GN, "n.csv": "step,tokens\n0,0\n1,4500\n2,9000\n",
                          **{f"{name}.yaml": text for name, text in specs.items()}})
    return tmp_path


def _svg(tmp_path: Path, name: str, text: str):  # type: ignore[no-untyped-def]
    project = _project(tmp_path, {name: text})
    out = build_specs(tmp_path / "out", [project / f"{name}.yaml"], "svg")
    return parse_svg(out / f"{name}.svg")


def _errors(tmp_path: Path, text: str) -> list[tuple[int, int, str, str | None]]:
    project = _project(tmp_path, {"bad": text})
    with pytest.raises(ChartspecError) as err:
        chartspec.load(project / "bad.yaml")
    return [(d.line, d.column, d.message, d.hint) for d in err.value.diagnostics]


# -- item 6: tick_step on a temporal axis is a time interval ----------------------------------------

TEMPORAL = 'data: {path: d.csv, parse: {day: "%Y-%m-%d"}}\nx: {field: day, type: temporal, tick_step: STEP}\n' \
           "layers:\n  - {mark: line, y: {field: v}}\n"


def test_a_time_interval_places_the_ticks_on_the_utc_calendar(tmp_path: Path) -> None:
    chart = _svg(tmp_path, "quarters", TEMPORAL.replace("STEP", "{month: 3}"))
    assert chart.axis("day").label_texts == ["2023", "April", "July", "October"]


def test_a_number_as_tick_step_on_a_temporal_axis_is_refused_and_the_hint_builds(tmp_path: Path) -> None:
    (error,) = _errors(tmp_path, TEMPORAL.replace("STEP", "86400000"))
    assert error[:3] == (2, 44, "'tick_step' on a temporal axis is a time interval, not the number 86400000")
    assert error[3] is not None and "'tick_step: {day: 1}'" in error[3]
    weekly = _svg(tmp_path / "fixed", "weekly", TEMPORAL.replace("STEP", "{week: 2}"))
    assert len(weekly.axis("day").labels) >= 20  # one every two weeks over a year


def test_a_time_interval_on_a_number_axis_is_refused(tmp_path: Path) -> None:
    (error,) = _errors(tmp_path, "data: g.csv\nx: {field: step, tick_step: {day: 1}}\nlayers:\n  - y: {field: gn}\n")
    assert error[:3] == (2, 29, "a time interval steps a temporal axis only, and this axis is quantitative")


def test_too_many_ticks_are_named_by_their_dates_not_epoch_milliseconds(tmp_path: Path) -> None:
    (error,) = _errors(tmp_path, TEMPORAL.replace("STEP", "{minute: 1}"))
    assert error[2] == "tick_step {minute: 1} gives more than 500 ticks over [2023-01-01, 2023-12-15]"


def test_a_repeated_date_is_named_as_a_date(tmp_path: Path) -> None:
    (tmp_path / "twice.csv").parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "twice.csv").write_text("day,v\n2024-03-01,1\n2024-03-01,2\n2024-03-02,3\n", encoding="utf-8")
    (error,) = _errors(tmp_path, 'data: {path: twice.csv, parse: {day: "%Y-%m-%d"}}\n'
                                 "x: {field: day, type: temporal}\nlayers:\n  - {y: {field: v}, smooth: {ema: 0.5}, "
                                 "duplicates: all}\n")
    assert "x value 2024-03-01 occurs more than once" in error[2]


# -- item 7: values a log scale cannot place, after transforms --------------------------------------

LOG = "data: g.csv\nx: {field: step}\nTRANSFORMlayers:\n  - mark: line\n    y: {field: gn, scale: AXIS}\n"


def _line(chart):  # type: ignore[no-untyped-def]
    (line,) = chart.by_role("mark", "line")
    return line.vertices()


def test_a_filter_before_a_log_scale_is_honoured(tmp_path: Path) -> None:
    spec = LOG.replace("TRANSFORM", "transform: [{filter: {field: gn, gt: 0}}]\n").replace("AXIS", "log")
    _project(tmp_path, {"filtered": spec})
    assert chartspec.load(tmp_path / "filtered.yaml").notes == ()
    chart = _svg(tmp_path, "filtered", spec)
    assert len(_line(chart)) == 3


@pytest.mark.parametrize("axis", ["log", "log, domain: [0.1, 10]"])
def test_zero_on_a_log_scale_is_left_out_with_a_note_never_drawn_at_the_edge(tmp_path: Path, axis: str) -> None:
    spec = LOG.replace("TRANSFORM", "").replace("AXIS", axis)
    _project(tmp_path, {"zero": spec})
    (note,) = chartspec.load(tmp_path / "zero.yaml").notes
    assert (note.severity, note.line, note.column) == ("note", 5, 27)
    assert note.message == ("1 value of 'gn' in g.csv at or below zero (first: 0 at step 3) cannot be placed on a "
                            "log scale: left out as missing values, not drawn at the edge")
    chart = _svg(tmp_path, "zero", spec)
    vertices = _line(chart)
    assert len(vertices) == 3  # steps 1, 2 and 4
    plot = chart.plot
    assert all(plot.top + 1 < y < plot.bottom - 1 for _, y in vertices), vertices
    # the hinted fixes build: the filter (without a note) and symlog (drawing the zero)
    filtered = LOG.replace("TRANSFORM", "transform: [{filter: {field: gn, gt: 0}}]\n").replace("AXIS", axis)
    _project(tmp_path / "a", {"fixed": filtered})
    assert chartspec.load(tmp_path / "a" / "fixed.yaml").notes == ()
    symlog = _svg(tmp_path / "b", "symlog", LOG.replace("TRANSFORM", "").replace("AXIS", "symlog"))
    assert len(_line(symlog)) == 4


def test_a_log_axis_with_nothing_above_zero_is_refused_and_symlog_builds(tmp_path: Path) -> None:
    spec = LOG.replace("TRANSFORM", "transform: [{filter: {field: gn, lte: 0}}]\n").replace("AXIS", "log")
    (error,) = _errors(tmp_path, spec)
    # g.csv has them: the filter left none (test_log_filtered.py)
    assert error[:3] == (6, 27, "a log scale shows values above zero, and the layers' filters leave no value of "
                                "'gn' above zero to draw (g.csv has 3 values above zero)")
    assert error[3] is not None and "'scale: symlog'" in error[3]
    chart = _svg(tmp_path / "fixed", "fixed", spec.replace("scale: log", "scale: symlog"))
    assert len(_line(chart)) == 1


def test_sqrt_draws_negatives_mirrored_inside_the_plot(tmp_path: Path) -> None:
    """The same kind, checked: d3's sqrt and pow scales take -sqrt(-x), so negatives have a place."""
    write_tree(tmp_path, {"s.csv": "step,v\n1,-9\n2,-4\n3,0\n4,4\n5,9\n"})
    chart = _svg(tmp_path, "sqrt", "data: s.csv\nx: {field: step}\nlayers:\n  - {mark: point, y: {field: v, scale: sqrt}}\n")
    ys = [item.y for item in chart.by_role("mark", "symbol")]
    assert len(ys) == 5 and ys == sorted(ys, reverse=True)  # up the plot as the values rise
    assert ys[0] - ys[1] == pytest.approx(ys[3] - ys[4], abs=0.5)  # mirrored about zero
    assert all(chart.plot.top - 1 <= y <= chart.plot.bottom + 1 for y in ys)


# -- item 9: number formats without a type letter ---------------------------------------------------

@pytest.mark.parametrize(("fmt", "labels"), [
    (",", ["0", "1,000", "2,000", "3,000", "4,000", "5,000", "6,000", "7,000", "8,000", "9,000"]),
    (".2", ["0", "1000", "2000", "3000", "4000", "5000", "6000", "7000", "8000", "9000"]),
    ("$,", ["$0", "$1,000", "$2,000", "$3,000", "$4,000", "$5,000", "$6,000", "$7,000", "$8,000", "$9,000"]),
    ("~s", ["0k", "1k", "2k", "3k", "4k", "5k", "6k", "7k", "8k", "9k"]),  # a typed format: as written
])
def test_a_format_without_a_type_never_writes_exponents(tmp_path: Path, fmt: str, labels: list[str]) -> None:
    chart = _svg(tmp_path, "tokens", f'data: n.csv\nx: {{field: step}}\nlayers:\n  - y: {{field: tokens, format: "{fmt}"}}\n')
    assert chart.axis("tokens").label_texts == labels


# -- whole steps: an x of steps or epochs spanning a few units gets whole-number ticks ----------------

@pytest.mark.parametrize(("csv", "extra", "labels"), [
    ("step,v\n0,1\n1,2\n", "", ["0", "1"]),  # Vega's own: 0.00, 0.05, ... 1.00, end labels colliding
    ("epoch,v\n1,1\n2,2\n3,1\n4,5\n5,2\n", "", ["1", "2", "3", "4", "5"]),
    ("step,v\n0,1\n1,2\n", "width: 40\n", ["0", "1"]),
    ("step,v\n0,1\n20,2\n", "width: 200\n", ["0", "5", "10", "15", "20"]),  # no more ticks than fit
    ("step,v\n0.0,1\n1.0,2\n2.0,3\n", "", ["0", "1", "2"]),  # as pandas writes whole steps
])
def test_whole_number_steps_get_whole_number_ticks(tmp_path: Path, csv: str, extra: str, labels: list[str]) -> None:
    field = csv.split(",", 1)[0]
    (tmp_path / "w.csv").write_text(csv)
    chart = _svg(tmp_path, "whole", f"data: w.csv\n{extra}x: {{field: {field}}}\nlayers:\n  - y: {{field: v}}\n")
    assert chart.axis(field).label_texts == labels


@pytest.mark.parametrize(("csv", "extra"), [
    ("step,v\n0,1\n0.5,3\n1,2\n", ""),  # not whole numbers: Vega's ticks
    ("step,v\n0,1\n1,2\n", "interactive: {zoom: x}\n"),  # zoomed in, fixed ticks would stay put
    ("step,v\n-2,1\n2,2\n", "width: 80\n"),  # whole ticks would leave 0 alone
])
def test_other_x_axes_keep_vegas_ticks(tmp_path: Path, csv: str, extra: str) -> None:
    (tmp_path / "w.csv").write_text(csv)
    chart = _svg(tmp_path, "vega", f"data: w.csv\n{extra}x: {{field: step}}\nlayers:\n  - y: {{field: v}}\n")
    labels = chart.axis("step").label_texts
    assert len(labels) >= 2 and ("width" in extra or "0.5" in labels or "0.50" in labels), labels


def test_a_log_x_counts_each_row_once_whatever_the_number_of_layers(tmp_path: Path) -> None:
    # a breaker's finding: 3 layers over one table said "3 values of 'step' ... at or below zero"
    (tmp_path / "l.csv").write_text("step,a,b\n0,1,2\n1,2,3\n10,3,4\n")
    _project(tmp_path, {"logx": "data: l.csv\nx: {field: step, scale: log}\nlayers:\n  - y: {field: a}\n"
                                "  - y: {field: b}\n  - {y: {field: a, axis: right}, name: again}\n"})
    (note,) = chartspec.load(tmp_path / "logx.yaml").notes
    assert note.message.startswith("1 value of 'step' in l.csv at or below zero (first: 0 at step 0)")
