"""Annotations at whole numbers past 2**53. A ``vline: 1e21`` was written as the integer
1000000000000000000000, which vl-convert refused ("invalid type: integer ... as u128") and so no
SVG rendered; ``hline: -1e308`` became a 309-digit integer (OverflowError). Whole numbers within
2**53 stay ints (``vline: 3`` writes 3), all others are floats."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import drawn_vegalite, write_tree
from svgchart import parse_svg

import chartspec
from chartspec.data.values import num

CSV = "flops,loss\n1e19,1.0\n1e20,0.5\n1e21,0.33\n1e22,0.25\n"
SPEC = "data: d.csv\nx: {field: flops, scale: log}\nlayers: [{mark: line, y: {field: loss}}]\n"


def _render(tmp_path: Path, annotation: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    write_tree(tmp_path, {"d.csv": CSV, "c.yaml": SPEC + f"annotations: [{annotation}]\n"})
    vl = drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))
    return vl, vlc.vegalite_to_svg(vl)


@pytest.mark.parametrize("value", ["1e21", "1000000000000000000000"])  # a float, and a YAML int
def test_a_vline_past_2_53_renders_at_its_value(tmp_path: Path, value: str) -> None:
    vl, svg = _render(tmp_path, f"{{vline: {value}, label: compute budget}}")
    assert not re.search(r"\d{17}", json.dumps(vl))  # no integer longer than a float's digits
    chart = parse_svg(svg)
    axis = chart.axis("flops")
    tick = axis.tick_positions()[axis.label_texts.index("1e+21")]
    (rule,) = chart.by_role("mark", "rule")
    assert rule.is_vertical and abs(rule.x - tick) <= 1
    assert "compute budget" in chart.texts("mark")


def test_an_hline_at_minus_1e308_renders_at_the_bottom(tmp_path: Path) -> None:
    vl, svg = _render(tmp_path, "{hline: -1e308, label: low}")
    assert not re.search(r"\d{17}", json.dumps(vl))
    chart = parse_svg(svg)
    axis = chart.axis("loss")
    tick = axis.tick_positions()[axis.label_texts.index("\u22121e+308")]
    (rule,) = chart.by_role("mark", "rule")
    assert rule.is_horizontal and abs(rule.y - tick) <= 1


def test_num_keeps_exact_ints_only() -> None:
    assert num(3.0) == 3 and isinstance(num(3.0), int)
    assert num(2.0**53 - 1) == 2**53 - 1 and isinstance(num(2.0**53 - 1), int)
    assert isinstance(num(1e21), float) and isinstance(num(10**21), float) and isinstance(num(-1e308), float)
    assert num(0.5) == 0.5 and num(True) is True
