"""Values near the largest float (about 1.8e308). Values of -1e308 and 1e308 span more than a
float holds: Vega's scale divides by that span, put 0 on the bottom edge and labelled the one tick
'NaN'; now a positioned error. A constant 1.7e308 failed inside chartspec (OverflowError: d3's
nice step written as an int past any float); now it builds, centred, its ticks numbers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import RunCli, drawn_vegalite, write_tree
from svgchart import parse_svg

import chartspec
from chartspec.data.nice import linear_nice

SPEC = "data: d.csv\nx: {field: step}\n"


@pytest.mark.parametrize(("csv", "layers", "where"), [
    ("step,v\n0,1e308\n1,-1e308\n2,0\n", "layers: [{y: {field: v}}]\n", "c.yaml:3:22"),
    ("step,v\n0,1e308\n1,-1e308\n", "layers: [{y: {field: v, scale: symlog}}]\n", "c.yaml:3:22"),
    ("step,a,b\n0,1e308,1\n1,1e308,-1e308\n", "layers:\n  - {y: {field: a, axis: s}}\n  - {y: {field: b, axis: s}}\n",
     "c.yaml:4:17"),  # one scale for both: their values together
    ("step,v\n1e308,1\n-1e308,2\n", "layers: [{y: {field: v}}]\n", "c.yaml:2:12"),  # x
])
def test_a_span_past_the_largest_float_is_a_positioned_error(tmp_path: Path, run_cli: RunCli, csv: str, layers: str,
                                                            where: str) -> None:
    write_tree(tmp_path, {"d.csv": csv, "c.yaml": SPEC + layers})
    proc = run_cli("build", "-j", "0", "-f", "svg", "c.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert f"{where}: error: the values of " in proc.stderr and "-1e+308 to 1e+308, more than a number can hold" \
        in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr  # numpy's overflow warning
    assert not (tmp_path / "build" / "c.svg").exists()


def test_a_field_a_transform_scales_down_is_not_refused(tmp_path: Path) -> None:
    write_tree(tmp_path, {"d.csv": "step,v\n0,1e308\n1,-1e308\n2,0\n", "c.yaml": SPEC + (
        "transform: [{calculate: datum.v / 1e300, as: v}]\nlayers: [{y: {field: v, title: V}}]\n")})
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))))
    assert chart.axis("V").label_texts[0] == "\u2212100,000,000"


@pytest.mark.parametrize("value", ["1.7e308", "-1.7e308", "1.79e308"])
def test_a_constant_near_the_largest_float_builds_with_number_ticks(tmp_path: Path, value: str) -> None:
    write_tree(tmp_path, {"d.csv": f"step,v\n0,{value}\n1,{value}\n", "c.yaml": SPEC + "layers: [{y: {field: v, title: V}}]\n"})
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))))
    labels = chart.axis("V").label_texts
    assert labels and all(math.isfinite(float(t.replace("\u2212", "-"))) for t in labels), labels
    (line,) = chart.by_role("mark", "line")
    assert {round(y) for _, y in line.vertices()} == {round(chart.plot.top + chart.plot.height / 2)}


def test_nice_stays_within_floats() -> None:
    assert linear_nice(1.615e308, 1.785e308) == (1.615e308, 1.785e308)  # 1.8e308 would be inf
    assert linear_nice(-1e308, 1e308) == (-1e308, 1e308)  # no step at all
    assert linear_nice(0.000285, 0.000315) == pytest.approx((0.00028, 0.00032))
    assert linear_nice(95, 105) == (95, 105)
