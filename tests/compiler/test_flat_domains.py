"""An axis whose data is one value (a constant learning rate, the single row a run has logged so
far): Vega's ticks on a zero-width domain write 0.0003 as "0" and 0.5 as "1", so the compiler
widens it (scales.flat_domain). Read back from the rendered SVG's tick labels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import vl_convert as vlc
from conftest import drawn_vegalite, write_tree
from svgchart import parse_svg

import chartspec


def _labels(tmp_path: Path, csv: str, spec: str) -> dict[str, list[float]]:
    """Axis title -> its tick labels as numbers."""
    write_tree(tmp_path, {"log.csv": csv, "c.yaml": "data: log.csv\nx: {field: step, title: Step}\n" + spec})
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))))
    return {axis.title: [float(t.replace("\u2212", "-").replace(",", "")) for t in axis.label_texts]
            for axis in chart.axes}


@pytest.mark.parametrize(("value", "scale"), [(0.0003, "linear"), (0.5, "linear"), (2.5e-7, "linear"),
                                              (-1200.0, "linear"), (0.0003, "log"), (0.5, "sqrt")])
def test_a_constant_series_gets_ticks_that_name_its_value(tmp_path: Path, value: float, scale: str) -> None:
    csv = "step,loss,lr\n" + "".join(f"{s},{2 - s / 10},{value}\n" for s in range(5))
    labels = _labels(tmp_path, csv, "layers:\n  - {y: {field: loss, title: Loss}}\n"
                                    f"  - {{y: {{field: lr, title: LR, scale: {scale}}}}}\n")
    lr = labels["LR"]
    assert value in lr and len(lr) >= 2  # the value itself among several ticks, not one rounded "0"
    assert min(lr) < value < max(lr) or scale == "log"  # the line in the plot, not on its edge
    assert labels["Loss"] == pytest.approx([1.6, 1.65, 1.7, 1.75, 1.8, 1.85, 1.9, 1.95, 2.0])  # untouched


def test_a_single_logged_row_gets_its_step_and_value_on_both_axes(tmp_path: Path) -> None:
    labels = _labels(tmp_path, "step,loss\n7,0.25\n", "layers: [{y: {field: loss, title: Loss}}]\n")
    assert labels["Step"] == [6, 7, 8]  # whole steps beside it
    assert 0.25 in labels["Loss"] and min(labels["Loss"]) < 0.25 < max(labels["Loss"])
    fractional = _labels(tmp_path, "step,loss\n0.5,0.25\n", "layers: [{y: {field: loss, title: Loss}}]\n")
    assert 0.5 in fractional["Step"] and len(fractional["Step"]) >= 2


def test_bars_keep_zero_and_zero_itself_is_widened(tmp_path: Path) -> None:
    csv = "step,n,z\n0,32,0\n1,32,0\n"
    labels = _labels(tmp_path, csv, "layers:\n  - {mark: bar, y: {field: n, title: N}}\n"
                                    "  - {y: {field: z, title: Z, axis: z}}\n")
    assert min(labels["N"]) == 0 and 30 <= max(labels["N"]) <= 35  # from zero, as bars are
    assert 0 in labels["Z"] and min(labels["Z"]) < 0 < max(labels["Z"])


def _y_scale(text: str) -> dict[str, Any]:
    base = "data: {values: [{s: 0, a: 0.5, b: 1}, {s: 1, a: 0.5, b: 2}]}\nx: {field: s}\n"
    layers = [drawn_vegalite(chartspec.loads(base + text))]
    while "encoding" not in layers[0]:
        layers = layers[0]["layer"]
    return dict(layers[0]["encoding"]["y"]["scale"])


def test_explicit_domains_and_varying_data_keep_their_scales() -> None:
    assert _y_scale("layers: [{y: {field: a, domain: [0, 1]}}]\n")["domain"] == [0, 1]
    assert "domain" not in _y_scale("layers: [{y: {field: b}}]\n")  # Vega's own
    flat = _y_scale("layers: [{y: {field: a, nice: false}}]\n")
    assert flat["domain"] == pytest.approx([0.475, 0.525]) and flat["nice"] is False  # 5% either way, not rounded


def test_a_band_or_an_annotation_beside_a_flat_series_keeps_vegas_own_domain(tmp_path: Path) -> None:
    """A fixed domain 5 % around a constant mean cut its band (0.2..0.8 drawn as 0.475..0.525), and
    an hline or a vline beyond it pushed their labels 1,000 px off the plot (a 2,740 px PNG; one
    row with a vline: 28,892 px, refused). Vega's domain joins them: the axis reaches them."""
    csv = "step,mean,lo,hi\n" + "".join(f"{s},0.5,0.2,0.8\n" for s in range(5))
    band = _labels(tmp_path, csv, "layers:\n  - {mark: errorband, y: {field: mean, title: M},"
                                  " band: {lower: lo, upper: hi}}\n")["M"]
    assert min(band) <= 0.2 and max(band) >= 0.8
    hline = _labels(tmp_path, csv, "layers: [{y: {field: mean, title: M}}]\nannotations: [{hline: 0.9, label: top}]\n")
    assert max(hline["M"]) >= 0.9
    vl = chartspec.to_vegalite(chartspec.load(write_tree(tmp_path, {"one.yaml": (
        "data: {values: [{step: 7, v: 0.5}]}\nx: {field: step}\nlayers: [{y: {field: v}, mark: point}]\n"
        "annotations: [{vline: 100, label: decay}]\n")}) / "one.yaml"))
    svg = vlc.vegalite_to_svg(vl)
    chart = parse_svg(svg)
    assert chart.width < 800 and chart.height < 600, (chart.width, chart.height)


def test_an_hline_at_the_flat_value_itself_keeps_the_axis_widened(tmp_path: Path) -> None:
    """An hline at the constant (its own mean) made the axis look unwidened: one tick '0'."""
    csv = "step,lr\n" + "".join(f"{s},0.001\n" for s in range(5))
    labels = _labels(tmp_path, csv, "layers: [{name: L, y: {field: lr, title: LR}}]\n"
                                    "annotations: [{hline: {aggregate: mean, layer: L}}]\n")["LR"]
    assert 0.001 in labels and len(labels) >= 3


def test_a_value_a_transform_remakes_is_left_to_vega(tmp_path: Path) -> None:
    """A calculate remaking the constant (datum.lr + random()) drew far outside a domain fixed
    around the loaded value: 'the chart would be 669 x 3,519,986 px'."""
    csv = "step,lr\n" + "".join(f"{s},0.001\n" for s in range(5))
    write_tree(tmp_path, {"log.csv": csv, "c.yaml": "data: log.csv\nx: {field: step}\n"
                          "transform: [{calculate: 'datum.lr + random()', as: lr}]\nlayers: [{y: {field: lr}}]\n"})
    vl = chartspec.to_vegalite(chartspec.load(tmp_path / "c.yaml"))
    assert "domain" not in vl["layer"][0]["encoding"]["y"].get("scale", {})


@pytest.mark.parametrize(("value", "step", "ticks"), [(0.001, 0.0001, [0.0009, 0.001, 0.0011]),
                                                      (40.0, 10.0, [30, 40, 50]), (-2.0, 0.5, [-2.5, -2, -1.5]),
                                                      (0.00105, 0.0001, [0.00095, 0.00105, 0.00115]),
                                                      (0.001, 0.0003, [0.0007, 0.001, 0.0013])])
def test_a_constant_series_with_tick_step_sits_mid_axis(tmp_path: Path, value: float, step: float,
                                                        ticks: list[float]) -> None:
    """tick_step fixed a constant 0.001 to the domain [0.001, 0.0011]: the line lay on the bottom edge
    with one tick under it. Now a step either side of it: centred, on a tick naming it (also when it
    is no multiple of the step: a constant 0.001 with steps of 0.0003 had ticks 0.0006, 0.0009, 0.0012)."""
    csv = "step,lr\n" + "".join(f"{s},{value}\n" for s in range(5))
    write_tree(tmp_path, {"log.csv": csv, "c.yaml": "data: log.csv\nx: {field: step, title: Step}\n"
                          f"layers: [{{y: {{field: lr, title: LR, tick_step: {step}}}}}]\n"})
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))))
    axis = chart.axis("LR")
    assert [float(t.replace("\u2212", "-")) for t in axis.label_texts] == pytest.approx(ticks)
    assert float(axis.label_texts[1].replace("\u2212", "-")) == value  # the middle tick names the value
    (line,) = [item for item in chart.by_role("mark", "line")]
    heights = {round(y, 3) for _, y in line.vertices()}
    assert len(heights) == 1 and abs(axis.scale().value(next(iter(heights))) - value) < step / 100
    plot = chart.plot
    assert plot.top + plot.height / 4 < heights.pop() < plot.bottom - plot.height / 4  # not on an edge


@pytest.mark.parametrize(("value", "ticks"), [(0.001, [0.0007, 0.0008, 0.0009, 0.001, 0.0011, 0.0012, 0.0013]),
                                              (0.0001, [0, 0.0001, 0.0002, 0.0003, 0.0004, 0.0005, 0.0006])])
def test_an_aligned_flat_axis_with_tick_step_puts_its_value_mid_axis(tmp_path: Path, value: float,
                                                                     ticks: list[float]) -> None:
    """align_ticks fitted a constant 0.001 into six steps of 0.0001 from 0.0009: the line on the
    second tick of seven. Now the middle one, unless that would take the axis below zero."""
    csv = "step,loss,lr\n" + "".join(f"{s},{2 - s / 2},{value}\n" for s in range(3))
    labels = _labels(tmp_path, csv, "align_ticks: true\nlayers:\n"
                     "  - {y: {field: loss, title: Loss, domain: [0, 3], tick_step: 0.5}}\n"
                     "  - {y: {field: lr, title: LR, axis: lr, tick_step: 0.0001}}\n")
    assert labels["LR"] == pytest.approx(ticks)
    assert labels["Loss"] == [0, 0.5, 1, 1.5, 2, 2.5, 3]  # the reference: seven ticks at the same heights


@pytest.mark.parametrize(("value", "step", "gap"), [(0.37, "", 0.02), (0.375, ", tick_step: 0.01", 0.01),
                                                     (-0.37, "", 0.02)], ids=["free-step", "fixed-step", "negative"])
def test_an_aligned_flat_axis_names_its_value_off_the_steps(tmp_path: Path, value: float, step: str,
                                                            gap: float) -> None:
    """align_ticks fitted a constant 0.37 into steps of 0.02 from 0.30: ticks 0.30 ... 0.42, none
    of them 0.37 (a single axis of one value names it: scales._flat_ticks). The value is now on the
    middle tick, the others whole steps from it, at the heights of the other axis' ticks."""
    csv = "step,a,b\n" + "".join(f"{s},{value},{s + 1}\n" for s in range(4))
    labels = _labels(tmp_path, csv, "align_ticks: true\nlayers:\n"
                     f"  - {{y: {{field: a, title: A{step}}}}}\n  - {{y: {{field: b, title: B, axis: b}}}}\n")
    ticks = labels["A"]
    assert ticks[len(ticks) // 2] == value  # named, mid axis
    assert [b - a for a, b in zip(ticks, ticks[1:])] == pytest.approx([gap] * (len(ticks) - 1))
    assert len(labels["B"]) == len(ticks)  # one grid for both
