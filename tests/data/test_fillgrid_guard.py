"""Where fillgrid.py cannot know the rasteriser's sample positions, the fill keeps plain M4.

A breaker's findings: an annotation past the data widened Vega's x domain (the cells no longer
lined up with the samples: 3.2 % of an area's pixels differed, spikes drawn as strong lines), and
at --ppi 100 the plot is 833.3 device pixels wide (4.5 %). Both now fall back to M4 alone, as a
time or log x does; whole device widths and a fixed domain keep the sample grid.
"""

from __future__ import annotations

import chartspec
from chartspec.data.fillgrid import fill_cells

BASE = "data: {values: [{step: 0, loss: 1}, {step: 10, loss: 2}]}\nwidth: 600\nx: {field: step}\n"
LAYERS = "layers: [{mark: area, y: {field: loss}}]\n"


def _cells(text: str, scale: float = 1.0) -> str | None:
    return fill_cells(chartspec.loads(text).model, ('"step"', 0.0, 10.0), scale)


def test_whole_device_widths_keep_the_sample_grid() -> None:
    for scale in (1, 1.25, 1.5, 2, 3):
        assert _cells(BASE + LAYERS, scale) is not None


def test_a_plot_off_the_device_pixel_grid_keeps_plain_m4() -> None:
    assert _cells(BASE + LAYERS, 100 / 72) is None  # --ppi 100: 833.33 px
    assert _cells(BASE.replace("600", "601") + LAYERS, 1.5) is None  # 901.5 px


def test_annotations_widen_the_grid_as_they_widen_vega_s_domain() -> None:
    """Vega's shared x scale joins the annotations' x to the data's extent, then rounds it (nice):
    the data's 0..10 and a vline at 52,000 make 0..55,000; a fixed domain is kept as it is."""
    annotated = BASE + LAYERS + "annotations: [{vline: 52000}]\n"
    assert _cells(annotated) == '(("step" - 0.0) / 55000.0 * 2400.0 - 0.5)'
    fixed = annotated.replace("x: {field: step}", "x: {field: step, domain: [0, 60000]}")
    assert _cells(fixed) == '(("step" - 0.0) / 60000.0 * 2400.0 - 0.5)'
