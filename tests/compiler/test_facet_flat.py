"""A facet panel whose values on a y axis are one (a constant learning rate in one panel, a
varying one in another): with several y axes each panel has its own y scales, and Vega labelled
the flat panel's one tick '0'. Flat panels are widened as a flat chart is. Read from the SVG."""

from __future__ import annotations

from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import assert_valid_vega_lite, drawn_vegalite, write_tree
from svgchart import parse_svg

import chartspec

CSV = "opt,step,loss,lr\na,0,2,0.001\na,1,1.5,0.001\nb,0,2.2,0.002\nb,1,1.6,0.003\n"
SPEC = ("data: d.csv\nfacet: {field: opt}\nx: {field: step}\nlayers:\n  - {mark: line, y: {field: loss, title: Loss}}\n"
        "  - {mark: line, y: {field: lr, title: LR, axis: lr}}\n")


def _numbers(texts: list[str]) -> list[float]:
    return [float(t.replace("\u2212", "-")) for t in texts]


def test_a_flat_panel_gets_ticks_naming_its_value_and_the_others_keep_theirs(tmp_path: Path) -> None:
    write_tree(tmp_path, {"d.csv": CSV, "c.yaml": SPEC})
    vl = drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))
    assert_valid_vega_lite(vl)
    chart = parse_svg(vlc.vegalite_to_svg(vl))
    flat, varying = [axis for axis in chart.axes_all if axis.title == "LR"]  # panel a, then b
    values = _numbers(flat.label_texts)
    assert len(values) >= 3 and 0.001 in values and min(values) < 0.001 < max(values)  # not one '0'
    assert _numbers(varying.label_texts)[0] == pytest.approx(0.002)  # untouched: Vega's own
    assert [_numbers(a.label_texts)[0] for a in chart.axes_all if a.title == "Loss"] == [1.5, 1.6]
    # panel a's lr line sits where its axis names 0.001, mid-plot
    lines = [item for item in chart.by_role("mark", "line") if len({round(y, 3) for _, y in item.vertices()}) == 1]
    (line,) = lines
    y = line.vertices()[0][1]
    assert flat.scale().value(y) == pytest.approx(0.001, abs=1e-6)  # within 1 % of the axis
    assert not chart.by_role("mark", "rule") or all(r.attrib.get("opacity") == "0" for r in chart.by_role("mark", "rule"))


def test_panels_sharing_one_scale_and_fixed_domains_are_left_alone(tmp_path: Path) -> None:
    one_axis = "data: d.csv\nfacet: {field: opt}\nx: {field: step}\nlayers: [{y: {field: lr}}]\n"
    fixed = SPEC.replace("axis: lr}", "axis: lr, domain: [0, 0.004]}")
    for spec in (one_axis, fixed):
        write_tree(tmp_path, {"d.csv": CSV, "c.yaml": spec})
        vl = chartspec.to_vegalite(chartspec.load(tmp_path / "c.yaml"))
        assert "chartspec_flat_" not in str(vl)


def test_a_panel_with_nothing_on_an_axis_gets_the_range_of_the_others_not_nan(tmp_path: Path) -> None:
    """Panel a logged no learning rate: its LR axis was described "from NaN to NaN", with no tick."""
    csv = "opt,step,loss,lr\na,0,2,\na,1,1.5,\nb,0,2.2,0.002\nb,1,1.6,0.003\n"
    write_tree(tmp_path, {"d.csv": csv, "c.yaml": SPEC})
    svg = vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml")))
    assert "NaN" not in svg
    empty, drawn = [axis for axis in parse_svg(svg).axes_all if axis.title == "LR"]
    assert empty.label_texts == drawn.label_texts and _numbers(drawn.label_texts)[0] == pytest.approx(0.002)
