"""Time units on a temporal x (``time_unit``, a d3 time ``format``), text placement on text marks
and the line width of annotations: read back from the rendered SVG, Vega-Lite checked against
its schema."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import vl_convert as vlc
import yaml
from conftest import assert_valid_vega_lite, drawn_vegalite, write_tree
from svgchart import Chart, parse_svg

from chartspec.data.timeunits import floor_rows, floor_time, unit_parts


def _daily_csv(start: dt.date, days: int) -> str:
    rows = ["day,sales"]
    for i in range(days):
        rows.append(f"{(start + dt.timedelta(days=i)).isoformat()},{i % 7 + 1}")
    return "\n".join(rows) + "\n"


def render(folder: Path, spec: dict[str, Any], data: str) -> Chart:
    write_tree(folder, {"daily.csv": data, "chart.yaml": yaml.safe_dump(spec)})
    vl = drawn_vegalite(folder / "chart.yaml")
    assert_valid_vega_lite(vl)
    return parse_svg(vlc.vegalite_to_svg(vl))


def monthly(unit: str, fmt: str | None = None) -> dict[str, Any]:
    x: dict[str, Any] = {"field": "day", "type": "temporal", "time_unit": unit, "title": "Month"}
    if fmt:
        x["format"] = fmt
    return {"data": {"path": "daily.csv", "parse": {"day": "%Y-%m-%d"}}, "x": x,
            "transform": [{"aggregate": [{"op": "sum", "field": "sales", "as": "sales"}], "groupby": ["day"]}],
            "layers": [{"mark": "bar", "y": {"field": "sales", "title": "Sales"}}]}


def bar_heights(chart: Chart, axis_title: str) -> list[float]:
    scale = chart.axis(axis_title).scale()
    bars = [item for item in chart.by_role("mark", "rect") if item.tag == "path"]
    return [round(scale.value(min(y for _, y in b.vertices())) - scale.value(max(y for _, y in b.vertices())), 3)
            for b in sorted(bars, key=lambda b: b.x)]


def test_yearmonth_sums_each_month_into_one_bar_labelled_by_the_month(tmp_path: Path) -> None:
    data = _daily_csv(dt.date(2024, 1, 1), 91)  # Jan, Feb, Mar 2024 (31 + 29 + 31 days)
    chart = render(tmp_path, monthly("yearmonth"), data)
    assert chart.axis("Month").label_texts[:3] == ["Jan 2024", "Feb 2024", "Mar 2024"]
    sums = [sum(i % 7 + 1 for i in range(lo, hi)) for lo, hi in ((0, 31), (31, 60), (60, 91))]
    assert bar_heights(chart, "Sales") == pytest.approx(sums, abs=0.5)


def test_a_d3_time_format_writes_the_tick_labels(tmp_path: Path) -> None:
    chart = render(tmp_path, monthly("yearmonth", "%Y-%m"), _daily_csv(dt.date(2024, 1, 1), 91))
    assert chart.axis("Month").label_texts[:3] == ["2024-01", "2024-02", "2024-03"]


def test_month_folds_the_years_onto_one(tmp_path: Path) -> None:
    chart = render(tmp_path, monthly("month"), _daily_csv(dt.date(2023, 11, 1), 120))  # Nov 2023 - Feb 2024
    bars = [item for item in chart.by_role("mark", "rect") if item.tag == "path"]
    assert len(bars) == 4  # Jan, Feb, Nov, Dec of one (folded) year
    assert "Jan" in chart.axis("Month").label_texts and "2024" not in " ".join(chart.axis("Month").label_texts)


def test_python_floors_dates_as_vega_does() -> None:
    ms = dt.datetime(2024, 5, 17, 13, 45, 12, 345000, tzinfo=dt.UTC).timestamp() * 1000

    def floored(unit: str) -> dt.datetime:
        return dt.datetime.fromtimestamp(floor_time(ms, unit_parts(unit)) / 1000, dt.UTC)

    assert floored("yearmonth") == dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
    assert floored("yearquarter") == dt.datetime(2024, 4, 1, tzinfo=dt.UTC)
    assert floored("month") == dt.datetime(2012, 5, 1, tzinfo=dt.UTC)  # Vega's year for no year
    assert floored("hoursminutes") == dt.datetime(2012, 1, 1, 13, 45, tzinfo=dt.UTC)
    assert unit_parts("yeardayofyear") == ("year", "dayofyear")
    assert floor_rows([{"d": ms}], "d", "yearweek") is None  # weeks: Vega floors them, Python does not


def test_text_marks_take_align_baseline_offsets_angle_and_size(tmp_path: Path) -> None:
    rows = "step,acc,label\n0,10,first\n10,20,second\n"
    layers = [{"mark": "point", "name": "dots", "y": {"field": "acc", "title": "Acc"}},
              {"mark": "text", "text": "label", "y": {"field": "acc", "title": "Acc"}, "align": "left",
               "baseline": "top", "dx": 5, "dy": 7, "font_size": 14}]
    spec = {"data": "daily.csv", "x": {"field": "step"}, "layers": layers}
    chart = render(tmp_path, spec, rows)
    points = sorted(chart.by_role("mark", "symbol"), key=lambda p: p.x)
    texts = sorted((t for t in chart.by_role("mark", "text") if t.tag == "text"), key=lambda t: t.x)
    assert [t.text for t in texts] == ["first", "second"]
    for point, text in zip(points, texts):
        assert text.attrib["text-anchor"] == "start" and text.attrib["font-size"] == "14px"
        assert text.x - point.x == pytest.approx(5, abs=0.01)
        assert text.y - point.y > 7  # moved down 7 px, its top at that height: the baseline is lower
    rotated = render(tmp_path / "r", {**spec, "layers": [layers[0], {**layers[1], "angle": -90}]}, rows)
    (first, _) = sorted((t for t in rotated.by_role("mark", "text") if t.tag == "text"), key=lambda t: t.x)
    assert first.direction == (0.0, -1.0)  # reads upward


def test_annotation_width_sets_the_rule_width(tmp_path: Path) -> None:
    rows = "step,acc\n0,10\n10,20\n"
    spec = {"data": "daily.csv", "x": {"field": "step"}, "layers": [{"y": {"field": "acc"}}],
            "annotations": [{"hline": 15, "width": 3}, {"vline": 5}]}
    chart = render(tmp_path, spec, rows)
    rules = [r for r in chart.by_role("mark", "rule") if r.tag == "line"]
    assert sorted(r.attrib.get("stroke-width") for r in rules) == ["1.5", "3"]
