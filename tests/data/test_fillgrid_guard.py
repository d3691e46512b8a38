"""Where fillgrid.py cannot know the rasteriser's sample positions, the fill keeps plain M4.

A breaker's findings: an annotation past the data widened Vega's x domain (the cells no longer
lined up with the samples: 3.2 % of an area's pixels differed, spikes drawn as strong lines), and
at --ppi 100 the plot is 833.3 device pixels wide (4.5 %). The first now widens the grid as Vega
widens its domain, the second falls back to M4 alone; whole device widths and a fixed domain keep
the sample grid, and so does a domain Vega rounds (``nice: true``, on numbers and on times).
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


def test_a_given_domain_with_nice_is_rounded_as_vega_rounds_it() -> None:
    """``nice: true`` beside a domain: Vega rounds the given domain too (-300..13,100 to -2,000..14,000)."""
    nice = BASE.replace("x: {field: step}", "x: {field: step, domain: [-300, 13100], nice: true}") + LAYERS
    assert _cells(nice) == '(("step" - -2000.0) / 16000.0 * 2400.0 - 0.5)'


TIMES = ('data: {values: [{t: "2026-01-01T03:17:11Z", loss: 1}, {t: "2026-01-03T01:00:00Z", loss: 2}]}\n'
         "width: 600\nx: {field: t, type: temporal%s}\n" + LAYERS)
#: the data's extent in epoch milliseconds, as xmap.py gives it
SPAN = ('"t"', 1767237431000.0, 1767409200000.0)


def test_a_time_x_gets_the_domain_vega_draws() -> None:
    """A time x is drawn over its extent, the given domain, or (``nice: true``) its extent rounded
    to d3's time interval: 03:17:11 on the 1st to 01:00 on the 3rd to whole 6 hours, 00:00 to 06:00."""
    def cells(options: str) -> str | None:
        return fill_cells(chartspec.loads(TIMES % options).model, SPAN, 1.0)
    assert cells("") == '(("t" - 1767237431000.0) / 171769000.0 * 2400.0 - 0.5)'
    assert cells(", tick_step: {hour: 6}") == cells("")  # ticks: the domain stays the extent
    assert cells(", tick_step: {day: 1}") == cells("")
    assert cells(", nice: true") == '(("t" - 1767225600000.0) / 194400000.0 * 2400.0 - 0.5)'
    assert cells(", domain: [1767222000000, 1767430800000]") == '(("t" - 1767222000000.0) / 208800000.0 * 2400.0 - 0.5)'
    assert cells(", scale: time, nice: true") is None  # local time: rounded in the renderer's zone
