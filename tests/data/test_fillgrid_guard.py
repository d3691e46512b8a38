"""Where fillgrid.py cannot know the rasteriser's sample positions, the fill keeps plain M4.

A breaker's findings: an annotation past the data widened Vega's x domain (the cells no longer
lined up with the samples: 3.2 % of an area's pixels differed, spikes drawn as strong lines), and
at --ppi 100 the plot's edge need not be on a sample (4.5 %). The first now widens the grid as
Vega widens its domain; the second keeps a grid for each place the edge may take among the samples
(Vega puts it on a whole CSS pixel past the padding), or M4 alone where those grids would keep
too many rows. A fixed domain keeps the sample grid, and so does a domain Vega rounds (``nice:
true``, on numbers and on times).
"""

from __future__ import annotations

import pytest

import chartspec
from chartspec.data.fillgrid import edge_phases, fill_cells

BASE = "data: {values: [{step: 0, loss: 1}, {step: 10, loss: 2}]}\nwidth: 600\nx: {field: step}\n"
LAYERS = "layers: [{mark: area, y: {field: loss}}]\n"


def _cells(text: str, scale: float = 1.0) -> str | None:
    """The one grid of a chart whose plot edge is on a sample at ``scale`` (None: plain M4)."""
    found = fill_cells(chartspec.loads(text).model, ('"step"', 0.0, 10.0), scale)
    assert found is None or len(found) == 1
    return found and found[0]


def test_whole_device_widths_keep_the_sample_grid() -> None:
    for scale in (1, 1.25, 1.5, 2, 3):
        assert _cells(BASE + LAYERS, scale) is not None


def test_a_plot_edge_between_samples_gets_a_grid_for_each_place_it_may_take() -> None:
    """Vega puts the plot's left edge on a whole CSS pixel past the padding: at --ppi 100 (50/9
    samples a CSS pixel) that is one of 9 places among the samples, at --ppi 96 (16/3) one of 3;
    at --scale 1.5 (6) always on a sample, whatever the plot's width (601 px: 901.5 device px)."""
    model = chartspec.loads(BASE + LAYERS).model
    assert edge_phases(model, 100 / 72) == tuple(k / 9 for k in range(9))
    assert edge_phases(model, 96 / 72) == (0.0, 1 / 3, 2 / 3)
    assert _cells(BASE.replace("600", "601") + LAYERS, 1.5) == '(("step" - 0.0) / 10.0 * 3606.0 - 0.5)'
    # a padding of 7.3 px puts every whole pixel past it 0.2 samples past one (29.2 samples)
    padded = _cells("padding: 7.3\n" + BASE + LAYERS)
    assert padded is not None and padded.startswith('(("step" - 0.0) / 10.0 * 2400.0 - ')
    assert float(padded.rsplit(" - ", 1)[1].rstrip(")")) == pytest.approx(0.3)
    grids = fill_cells(model, ('"step"', 0.0, 10.0), 100 / 72)
    assert grids is not None and len(grids) == 9 and grids[1].endswith("* 3333.333333333333 - 0.3888888888888889)")
    assert grids[8].endswith("* 3333.333333333333 + 0.38888888888888884)")


def test_too_many_places_or_rows_keep_plain_m4() -> None:
    model = chartspec.loads(BASE + LAYERS).model
    assert edge_phases(model, 1.2345) is None  # 4.938 samples a CSS pixel: no few places
    # 9 grids of 3,333 cells, 4 rows a cell, for 3 curves over 1,000,000 rows: 360,000 rows
    assert fill_cells(model, ('"step"', 0.0, 10.0), 100 / 72, (3.0, 1_000_000)) is None
    assert fill_cells(model, ('"step"', 0.0, 10.0), 100 / 72, (1.0, 1_000_000)) is not None  # 120,000
    assert fill_cells(model, ('"step"', 0.0, 10.0), 100 / 72, (3.0, 100_000)) is not None  # the table's rows


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
        found = fill_cells(chartspec.loads(TIMES % options).model, SPAN, 1.0)
        return found and found[0]
    assert cells("") == '(("t" - 1767237431000.0) / 171769000.0 * 2400.0 - 0.5)'
    assert cells(", tick_step: {hour: 6}") == cells("")  # ticks: the domain stays the extent
    assert cells(", tick_step: {day: 1}") == cells("")
    assert cells(", nice: true") == '(("t" - 1767225600000.0) / 194400000.0 * 2400.0 - 0.5)'
    assert cells(", domain: [1767222000000, 1767430800000]") == '(("t" - 1767222000000.0) / 208800000.0 * 2400.0 - 0.5)'
    assert cells(", scale: time, nice: true") is None  # local time: rounded in the renderer's zone
