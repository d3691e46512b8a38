"""An area or bar on a log y axis is drawn: Vega-Lite stacks them from zero, which a log scale
cannot place, and the chart came out with axes only (breaker9 #2)."""

from __future__ import annotations

import math
import re

import pytest

import chartspec
from chartspec.render.export import render

SPEC = "data:\n  values: [%s]\nx: {field: step}\nlayers:\n  - {mark: %s, y: {field: loss, scale: log}}\n"


@pytest.mark.parametrize("mark", ["area", "bar"])
def test_an_area_or_bar_on_a_log_y_is_drawn(mark: str) -> None:
    rows = ", ".join(f"{{step: {i}, loss: {math.exp((i % 10) / 3):.4f}}}" for i in range(40))
    vl = chartspec.to_vegalite(chartspec.loads(SPEC % (rows, mark), file="t.yaml"))
    svg = render(vl, ("svg",))["svg"].decode()
    marks = re.findall(r'<g class="mark-(?:area|rect) role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S)
    ys = [float(y) for part in marks for y in re.findall(r'[ML,]-?[\d.]+,(-?[\d.]+)', part)]
    if mark == "bar":
        ys = [float(h) for part in marks for h in re.findall(r'h[\d.]+v(-?[\d.]+)', part)]
    assert ys and max(ys) - min(ys) > 50, (mark, ys[:5])  # shapes of many heights, not a flat line at the top
