"""Runs of an area or bar layer (``color: {field: run}``) are overlaid, each at its own values.

Vega-Lite stacks area and bar marks coloured by a field: run b was drawn on top of run a, so
accuracies summed past 1 on the axis, and runs logged on different step grids drew spikes where
one run had a step the other had not. chartspec's tooltip, extents and direct labels all read
each run's own values; the marks now say the same.
"""

from __future__ import annotations

import json

import pytest
import vl_convert as vlc
from conftest import assert_valid_vega_lite, drawn_vegalite
from svgchart import parse_svg

import chartspec


def _spec(mark: str) -> str:
    rows = [{"run": "a", "step": s, "acc": 0.9} for s in range(0, 101, 10)]
    rows += [{"run": "b", "step": s, "acc": 0.8} for s in range(0, 101, 25)]
    return json.dumps({"data": {"values": rows}, "x": {"field": "step"},
                       "layers": [{"mark": mark, "y": {"field": "acc"}, "color": {"field": "run"}}]})


@pytest.mark.parametrize("mark", ["area", "bar"])
def test_runs_are_not_stacked(mark: str) -> None:
    vl = drawn_vegalite(chartspec.loads(_spec(mark)))
    assert_valid_vega_lite(vl)
    chart = parse_svg(vlc.vegalite_to_svg(vl))
    [y_axis] = [a for a in chart.axes if a.title == "acc"]
    top = max(float(t) for t in y_axis.label_texts)
    assert top < 1.2, f"the axis reaches {top}: the runs were summed"


def test_area_tops_are_each_runs_own_values() -> None:
    vl = drawn_vegalite(chartspec.loads(_spec("area")))
    chart = parse_svg(vlc.vegalite_to_svg(vl))
    heights: dict[str, set[float]] = {}
    for area in (i for i in chart.by_role("mark", "area") if i.tag == "path"):
        heights.setdefault(area.attrib["fill"], set()).update(round(y, 1) for _x, y in area.vertices())
    assert len(heights) == 2
    for fill, ys in heights.items():  # a constant run: its top edge and the baseline, no spikes
        assert len(ys) == 2, (fill, ys)


def test_bars_of_runs_on_a_discrete_x_stand_side_by_side() -> None:
    rows = [{"opt": o, "run": r, "acc": v} for o, r, v in
            [("adam", "a", 0.9), ("sgd", "a", 0.7), ("adam", "b", 0.85), ("sgd", "b", 0.75)]]
    spec = json.dumps({"data": {"values": rows}, "x": {"field": "opt", "type": "nominal"},
                       "layers": [{"mark": "bar", "y": {"field": "acc"}, "color": {"field": "run"}}]})
    vl = drawn_vegalite(chartspec.loads(spec))
    assert_valid_vega_lite(vl)
    chart = parse_svg(vlc.vegalite_to_svg(vl))
    bars = [i for i in chart.by_role("mark", "rect") if i.tag == "path"]
    lefts = sorted(round(min(x for x, _y in b.vertices())) for b in bars)
    assert len(bars) == 4 and len(set(lefts)) == 4, lefts  # grouped: no bar hidden behind another
    assert {b.attrib["fill"] for b in bars} == {"#1f77b4", "#ff7f0e"}
