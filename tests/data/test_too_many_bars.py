"""Bars and rects with more rows than pixel columns are refused with a position and a hint
(issue 12: "bars, rects and heatmaps with more rows than pixels: aggregate or a positioned error
that says what to do"): breaker17 drew 100,000 bars in 40 s into a 17.7 MB SVG, every bar under a
pixel wide and on top of the others."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load_error, write_tree

import chartspec


def _rows(n: int) -> str:
    return "step,loss,run\n" + "".join(f"{i},{1 / (i + 1):.6f},r{i % 3}\n" for i in range(n))


BARS = "data: run.csv\nwidth: 300\nx: {field: step}\nlayers:\n  - mark: bar\n    y: {field: loss}\n"


@pytest.mark.parametrize("mark", ["bar", "rect"])
def test_more_bars_than_pixel_columns_is_an_error_at_the_mark(tmp_path: Path, mark: str) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": _rows(20_000)})
    err = load_error(tmp_path / "c.yaml", BARS.replace("mark: bar", f"mark: {mark}"))
    [d] = err.diagnostics
    assert f"draws {mark}s at 20,000 x values across a plot 300 device pixels wide" in d.message, d.message
    assert (d.line, d.column) == (5, 11)  # the layer's mark
    assert "aggregate" in (d.hint or "") and "area or a line" in (d.hint or "")


def test_the_columns_are_device_pixels_and_the_rows_those_the_filters_keep(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": _rows(20_000)})
    # 500 rows kept of 20,000: fewer than the 600 device pixel columns at --scale 2 (300 at 1)
    (tmp_path / "c.yaml").write_text(BARS + "    transform: [{filter: {field: step, lt: 500}}]\n")
    assert chartspec.load(tmp_path / "c.yaml", scale=2).table is not None
    with pytest.raises(chartspec.ChartspecError, match="draws bars at 500 x values across a plot 300 device pixels"):
        chartspec.load(tmp_path / "c.yaml", scale=1)


def test_the_hint_works_and_reduce_false_draws_every_bar(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": _rows(20_000)})
    (tmp_path / "agg.yaml").write_text(
        "data: run.csv\nwidth: 300\nx: {field: bucket}\nlayers:\n  - mark: bar\n    y: {field: mean_loss}\n"
        "    transform:\n      - {calculate: 'floor(datum.step / 1000) * 1000', as: bucket}\n"
        "      - aggregate: [{op: mean, field: loss, as: mean_loss}]\n        groupby: [bucket]\n")
    svg = chartspec.save(tmp_path / "agg.yaml", tmp_path / "agg.svg").read_text()
    assert svg.count('aria-roledescription="bar"') == 20  # the aggregate leaves a bar per 1,000 steps
    (tmp_path / "all.yaml").write_text(BARS.replace("    y: {field: loss}\n", "    y: {field: loss}\n    reduce: false\n"))
    assert len(chartspec.load(tmp_path / "all.yaml").table.rows) == 20_000  # as asked, within Vega's limit


def test_bars_stacked_by_run_or_split_into_panels_count_their_x_values(tmp_path: Path) -> None:
    """12 runs' bars at each of 1,000 steps stack: the steps are what is drawn across the plot, not
    12,000 bars; and four panels of 250 steps each are each as wide as the plot."""
    rows = "".join(f"{s},{1 / (s + 1):.6f},r{r},p{s % 4}\n" for r in range(12) for s in range(1000))
    write_tree(tmp_path, {"chartspec.toml": "", "big.csv": "step,loss,run,split\n" + rows})  # 12,000 rows: large
    body = "data: big.csv\nwidth: 300\nx: {field: step}\nlayers:\n  - {mark: bar, y: {field: loss}, color: {field: run}}\n"
    (tmp_path / "stacked.yaml").write_text(body + "transform: [{filter: {field: step, lt: 250}}]\n")
    assert len(chartspec.load(tmp_path / "stacked.yaml").table.rows) == 12_000  # 250 x values: drawn (Vega filters)
    (tmp_path / "panels.yaml").write_text(body + "facet: {field: split}\n")
    assert len(chartspec.load(tmp_path / "panels.yaml").table.rows) == 12_000  # 250 steps a panel
    (tmp_path / "all.yaml").write_text(body)
    with pytest.raises(chartspec.ChartspecError, match="draws bars at 1,000 x values across a plot 300"):
        chartspec.load(tmp_path / "all.yaml")
