"""The reduction is pixel-faithful: the reduced chart's PNG equals the full chart's to within 0.5 %.

Measured on a chart narrow enough that a few thousand points get reduced (data/reduce.py), at
--scale 1 and 2, with a single-sample spike that must stay visible. Any channel differing counts.
The chart is 200 px wide with 66 rows a pixel (as 40,000 rows at 600 px): the rows per pixel
decide what the reduction is tested on, the rows alone what the full render costs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree
from fidelity import full_pngs, image

import chartspec
from chartspec.data import m4grid, reduce

WIDTH = 200
N = 66 * WIDTH
SPIKE = int(N * 0.69)


def _write(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    step = np.arange(N)
    loss = 2 * np.exp(-step / (N / 4)) + 0.15 * rng.standard_normal(N)
    loss[SPIKE] = 6.0
    reward = np.cumsum(rng.standard_normal(N)) * 0.05
    lines = ["step,loss,reward", *(f"{s},{a:.5f},{b:.5f}" for s, a, b in zip(step, loss, reward))]
    body = (f"width: {WIDTH}\nheight: 360\ndata: run.csv\nx: {{field: step}}\nlegend: {{position: none}}\n"
            "layers:\n  - {mark: line, y: {field: loss}}\n  - {mark: line, y: {field: reward, axis: right}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "\n".join(lines) + "\n",
                          "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})



def _top_of_spike(img: np.ndarray) -> int:
    """The highest pixel row of the first series' colour (the spike's tip)."""
    blue = (img[:, :, 2] > 150) & (img[:, :, 0] < 100) & (img[:, :, 1] < 160)
    rows, _ = np.nonzero(blue)
    return int(rows.min())


def test_reduced_png_differs_from_the_full_one_in_under_half_a_percent_of_pixels(tmp_path: Path) -> None:
    _write(tmp_path)
    full_png = full_pngs(tmp_path / "full.yaml")  # Vega draws the full chart once, for both scales
    for scale in (1, 2):
        spec = chartspec.load(tmp_path / "reduced.yaml", scale=scale)  # cut for this scale's pixels
        assert spec.table.reduced_from == N and len(spec.table.rows) < 0.7 * N, scale  # the reduction did run
        full = full_png(scale)
        reduced = image(chartspec.save(spec, tmp_path / f"reduced.{scale}.png", scale=scale).read_bytes())
        assert full.shape == reduced.shape
        differ = np.any(full != reduced, axis=2)
        assert differ.mean() < 0.005, f"--scale {scale}: {differ.mean():.3%} of pixels differ"
        # the spike: the first series' colour reaches as high in the full and the reduced image
        assert abs(_top_of_spike(full) - _top_of_spike(reduced)) <= 1, scale


def test_a_log_y_line_with_values_at_or_below_zero_keeps_its_downward_spikes(tmp_path: Path) -> None:
    """On a log scale Vega leaves out values at or below zero: the extremes kept are those of the
    values above it, so a dip in a sub-column that also holds a zero survives the reduction."""
    rng = np.random.default_rng(11)
    v = np.exp(np.cumsum(rng.standard_normal(N)) * 0.02)
    bad = rng.choice(N - 1, 300, replace=False)
    v[bad] = np.where(rng.random(300) < 0.5, 0.0, -rng.random(300))
    dips = rng.choice(bad, 10, replace=False)
    v[dips + 1] = 0.01  # downward spikes next to a zero: the smallest value drawn in their sub-column
    body = (f"width: {WIDTH}\nheight: 360\ndata: run.csv\nx: {{field: step}}\n"
            "layers:\n  - {mark: line, y: {field: v, scale: log}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "step,v\n" + "\n".join(
        f"{s},{x:.6g}" for s, x in enumerate(v)) + "\n", "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})
    assert len(chartspec.load(tmp_path / "reduced.yaml").table.rows) < 0.5 * N  # the reduction did run
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(tmp_path / "reduced.yaml", tmp_path / "reduced.1.png").read_bytes())
    assert full.shape == reduced.shape  # the same y domain (its lowest value is a dip's), so the same axis
    differ = np.any(full != reduced, axis=2)
    far = np.any(np.abs(full - reduced) > 64, axis=2)  # a stroke missing, not its anti-aliasing
    assert differ.mean() < 0.005 and far.mean() < 0.0005, f"{differ.mean():.3%} differ, {far.mean():.3%} by > 64"


def _noisy_line(tmp_path: Path, seed: int, extra: str) -> str:
    """reduced.yaml and full.yaml (reduce: false) drawing one noisy line of N steps, its layer with
    ``extra``; the chart's text."""
    rng = np.random.default_rng(seed)
    step = np.arange(N)
    loss = 2 * np.exp(-step / (N / 4)) + 0.15 * rng.standard_normal(N)
    body = (f"width: {WIDTH}\nheight: 360\ndata: run.csv\nx: {{field: step}}\n"
            f"layers:\n  - {{mark: line, y: {{field: loss}}, {extra}}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "step,loss\n" + "\n".join(
        f"{s},{v:.5f}" for s, v in zip(step, loss)) + "\n", "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})
    return body


def test_a_one_pixel_line_over_large_data_is_no_hairline(tmp_path: Path) -> None:
    """resvg draws a stroke of 1 device pixel as a hairline, one segment at a time, so the full
    chart's overlapping segments darkened and the reduced line (fewer segments) differed from it in
    1.6-4 % of pixels. Over large data a 1 px line is drawn 1.001 px wide (compiler/marks.py): one
    outline, whatever the number of segments; a small chart keeps its 1 px."""
    body = _noisy_line(tmp_path, 5, "stroke_width: 1")
    write_tree(tmp_path, {"small.yaml": body.replace("run.csv", "{values: [{step: 0, loss: 1}, {step: 1, loss: 2}]}")})
    assert chartspec.to_vegalite(tmp_path / "small.yaml")["layer"][0]["mark"]["strokeWidth"] == 1
    assert chartspec.to_vegalite(tmp_path / "reduced.yaml")["layer"][0]["mark"]["strokeWidth"] == 1.001
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(tmp_path / "reduced.yaml", tmp_path / "reduced.1.png").read_bytes())
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"


def test_a_line_one_device_pixel_wide_at_a_smaller_scale_is_no_hairline(tmp_path: Path) -> None:
    """The hairline is judged in device pixels: at --scale 0.5 a line's default 2 px is 1 device
    pixel, and the reduced PNG differed from the full one in 1.9 % of pixels."""
    _noisy_line(tmp_path, 8, "name: loss")
    spec = chartspec.load(tmp_path / "reduced.yaml", scale=0.5)
    assert chartspec.to_vegalite(spec)["layer"][0]["mark"]["strokeWidth"] == 2.002
    assert chartspec.to_vegalite(tmp_path / "reduced.yaml")["layer"][0]["mark"]["strokeWidth"] == 2  # at scale 1
    full = full_pngs(tmp_path / "full.yaml", loaded_for=0.5)(0.5)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png", scale=0.5).read_bytes())
    assert full.shape == reduced.shape
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"


@pytest.mark.parametrize(("width", "scale"), [(1, 0.5), (1.5, 0.5), (0.5, 1)])
def test_a_line_thinner_than_a_device_pixel_is_rasterised_as_one_stroke(tmp_path: Path, width: float,
                                                                       scale: float) -> None:
    """Under one device pixel resvg draws hairlines, one segment at a time, so the full chart darkened
    with its rows: 1 px and 1.5 px at --scale 0.5 differed from the reduced chart in 6 % and 23 % of
    pixels. The PNG's copy of the SVG strokes such long lines once (render/thinstrokes.py); the
    SVG keeps the width the spec gives."""
    _noisy_line(tmp_path, 12, f"stroke_width: {width}")
    spec = chartspec.load(tmp_path / "reduced.yaml", scale=scale)
    assert chartspec.to_vegalite(spec)["layer"][0]["mark"]["strokeWidth"] == width
    full = full_pngs(tmp_path / "full.yaml", loaded_for=scale)(scale)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png", scale=scale).read_bytes())
    assert full.shape == reduced.shape
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"
    assert f'stroke-width="{width:g}"' in chartspec.save(spec, tmp_path / "reduced.svg").read_text()


def test_a_sweep_the_cut_would_keep_half_of_is_drawn_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Many runs share the row budget, so each gets a few columns a pixel: 15 runs x 6,667 noisy
    steps at 600 px kept 59 % of the rows and differed from the full render in 0.71 % of pixels.
    A cut keeping half the rows or more saves Vega little: such a table is drawn whole. Here at
    200 px with the budget lowered in proportion (the same columns a pixel, 1/3 of the rows:
    0.79 % differed)."""
    monkeypatch.setattr(m4grid, "ROW_BUDGET", 20_000)
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 40_000)
    rng = np.random.default_rng(9)
    runs, steps = 15, 2_200  # 11 steps a pixel, as 6,667 at 600 px
    lines = [f"{s},r{r},{np.exp(-s / (steps / 3)) * (1 + r / 10) + 0.05 * rng.standard_normal():.5f}"
             for r in range(runs) for s in range(steps)]
    body = (f"width: {WIDTH}\nheight: 360\ndata: runs.csv\nx: {{field: step}}\nlegend: {{position: none}}\n"
            "layers:\n  - {mark: line, color: {field: run}, y: {field: loss}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "runs.csv": "step,run,loss\n" + "\n".join(lines) + "\n",
                          "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert spec.table.reduced_from is None and len(spec.table.rows) == runs * steps
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png").read_bytes())
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"


def test_a_sweep_is_judged_by_the_rows_its_layers_filters_keep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """45 runs in the table, 15 drawn (a layer filter): the 15 runs' rows decide, as for a table of
    them alone (the table's rows, three times the limit, had the 15 runs cut: 1.5 % of pixels)."""
    monkeypatch.setattr(m4grid, "ROW_BUDGET", 20_000)
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 40_000)
    rng = np.random.default_rng(10)
    runs, steps = 45, 2_200
    lines = [f"{s},r{r},{np.exp(-s / (steps / 3)) * (1 + r / 30) + 0.05 * rng.standard_normal():.5f}"
             for r in range(runs) for s in range(steps)]
    drawn = ", ".join(f"r{r}" for r in range(15))
    body = (f"width: {WIDTH}\nheight: 360\ndata: runs.csv\nx: {{field: step}}\nlegend: {{position: none}}\n"
            f"layers:\n  - {{mark: line, color: {{field: run}}, y: {{field: loss}}, "
            f"transform: [{{filter: {{field: run, one_of: [{drawn}]}}}}]}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "runs.csv": "step,run,loss\n" + "\n".join(lines) + "\n",
                          "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert spec.table.reduced_from is None and len(spec.table.rows) == 15 * steps  # the rows the filter keeps
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png").read_bytes())
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"


def test_translucent_points_below_the_whole_table_limit_are_drawn_whole(tmp_path: Path) -> None:
    """Vega-Lite draws points at opacity 0.7, so a pixel's shade is the count of markers on it: one
    row a pixel cell differed from the full render in 6 % of PNG pixels (100,000 noisy points at
    600 px). Up to reduce.WHOLE_ROWS drawn rows a point layer's table is drawn whole."""
    rng = np.random.default_rng(5)
    step = np.arange(N)
    loss = 2 * np.exp(-step / (N / 4)) + 0.15 * rng.standard_normal(N)
    body = (f"width: {WIDTH}\nheight: 200\ndata: run.csv\nx: {{field: step}}\nlegend: {{position: none}}\n"
            "layers:\n  - {mark: point, y: {field: loss}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "step,loss\n" + "\n".join(
        f"{s},{v:.5f}" for s, v in zip(step, loss)) + "\n", "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert N > m4grid.small_rows(spec.model) and N <= reduce.WHOLE_ROWS  # large data, under the limit
    assert spec.table.reduced_from is None and len(spec.table.rows) == N
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png").read_bytes())
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"


@pytest.mark.parametrize("look", ["stroke_dash: [6, 3]", "interpolate: basis", "interpolate: natural"])
def test_dashed_lines_and_curves_below_the_whole_table_limit_are_drawn_whole(tmp_path: Path, look: str) -> None:
    """A dash follows the path's length, which every zigzag M4 drops shortens, and a d3 curve
    through M4's rows bends elsewhere than through every row: cut, 100,000 noisy rows at 600 px
    differed from the full render in 0.97 % (dashed), 1.8 % (basis) and 2.3 % (natural) of PNG
    pixels. Up to reduce.WHOLE_ROWS drawn rows such a table is drawn whole."""
    rng = np.random.default_rng(6)
    step = np.arange(N)
    loss = 2 * np.exp(-step / (N / 4)) + 0.15 * rng.standard_normal(N)
    body = (f"width: {WIDTH}\nheight: 200\ndata: run.csv\nx: {{field: step}}\nlegend: {{position: none}}\n"
            f"layers:\n  - {{mark: line, y: {{field: loss}}, {look}}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "step,loss\n" + "\n".join(
        f"{s},{v:.5f}" for s, v in zip(step, loss)) + "\n", "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert spec.table.reduced_from is None and len(spec.table.rows) == N
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png").read_bytes())
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"


def test_dashed_lines_past_the_whole_table_limit_are_cut(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole-table rule stops at WHOLE_ROWS drawn rows (Vega's time and the SVG grow with every
    row): beyond it a dashed line is cut as any other line."""
    monkeypatch.setattr(reduce, "WHOLE_ROWS", N - 1)
    step = np.arange(N)
    body = (f"width: {WIDTH}\nheight: 200\ndata: run.csv\nx: {{field: step}}\n"
            "layers:\n  - {mark: line, y: {field: loss}, stroke_dash: [6, 3]}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "step,loss\n" + "\n".join(
        f"{s},{np.sin(s / 7):.5f}" for s in step) + "\n", "reduced.yaml": body})
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert spec.table.reduced_from == N and len(spec.table.rows) < N / 2


def _sweep(tmp_path: Path, runs: int, steps: int, loss_layer: str) -> None:
    """``runs`` noisy losses with their cosine learning rates, on two y axes (the sweep chart)."""
    rng = np.random.default_rng(8)
    lines = [f"{s},r{r},{(1 + r / 10) * np.exp(-s / (steps / 3)) + 0.1 * rng.standard_normal():.5f},"
             f"{1e-3 * (1 + r) * 0.5 * (1 + np.cos(np.pi * s / steps)):.6g}" for r in range(runs) for s in range(steps)]
    body = (f"width: {WIDTH}\nheight: 360\ndata: runs.csv\nx: {{field: step}}\nlegend: {{position: none}}\n"
            f"layers:\n  - {loss_layer}\n  - {{mark: line, y: {{field: lr, axis: right}}, color: {{field: run}}, "
            "stroke_dash: [1, 0]}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "runs.csv": "step,run,loss,lr\n" + "\n".join(lines) + "\n",
                          "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})


def test_smooth_curves_leave_the_budget_to_noisy_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget counts 2 rows a column for every curve, but a smooth learning rate keeps far
    fewer: 5 runs x 20,000 noisy losses with their learning rates at 600 px kept 42,000 rows of a
    60,000 budget and differed from the full render in 0.62 % of PNG pixels. The columns grow
    until the rows kept fill the budget. (200 px, budget and rows a third: the same columns.)"""
    monkeypatch.setattr(m4grid, "ROW_BUDGET", 20_000)
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 0)  # cut, as a larger sweep is
    _sweep(tmp_path, 5, 20_000 // 3, "{mark: line, y: {field: loss}, color: {field: run}}")
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert spec.table.reduced_from == 5 * (20_000 // 3)
    assert 0.8 * 20_000 < len(spec.table.rows) < 1.1 * 20_000  # the budget used, not overrun
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png").read_bytes())
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"


def test_a_smoothed_sweep_within_the_whole_table_limit_is_drawn_whole(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """10 smoothed runs x 10,000 noisy steps with their learning rates (600 px): the runs' raw lines
    and EMAs share the budget, the cut kept 47 % of the rows at 2 columns a pixel and differed in
    3.5 % of PNG pixels; they match only once nearly every row is kept. Within the whole-table
    limit (and Vega's, counting each line layer's rows) such a sweep is drawn whole."""
    monkeypatch.setattr(m4grid, "ROW_BUDGET", 20_000)
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 40_000)
    _sweep(tmp_path, 10, 10_000 // 3, "{mark: line, y: {field: loss}, color: {field: run}, smooth: {ema: 0.9}}")
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert spec.table.reduced_from is None and len(spec.table.rows) == 10 * (10_000 // 3)
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png").read_bytes())
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"
