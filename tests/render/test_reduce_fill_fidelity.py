"""A reduced filled area or band is as faithful as the picture allows (data/fillgrid.py).

The full chart's PNG against the reduced one's, at --scale 1 and 2, on noisy steps with a
single-sample spike: an ``area`` and an ``errorband`` with ``band: {extent: stdev}`` over seeds
(aggregated in the engine, engineagg.py, then reduced). Any channel differing counts.

The chart is narrow (200 px) rather than many rows: what the fill grid is for depends on the rows
per pixel (66 here, as 40,000 rows at 600 px), and the full render's cost on the rows alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree
from fidelity import full_pngs, image

import chartspec
from chartspec.data import reduce

WIDTH = 200


@pytest.fixture(autouse=True)
def cut_as_larger_tables_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """A table whose fill grids keep half its rows or more is drawn whole (reduce.py), as these
    narrow charts' grids at --scale 2 or between samples do: here the grids are what is tested,
    so they cut as a larger table's grids would."""
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 0)
HEAD = f"width: {WIDTH}\nheight: 360\nlegend: {{position: none}}\n"
#: steps per series: 66 a CSS pixel, so even at --scale 2 (16 fill cells a pixel) a fill keeps well
#: under every row; M4 alone left 2.6-2.8 % (area) and 0.8-0.9 % (errorband) of the pixels differing
STEPS = 66 * WIDTH
#: case -> (seeds, layer, x); a log x puts ~700 rows in each of its last pixels (vertices the
#: rasteriser snaps onto a sample: 0.5 % differed without them), a time x is drawn over its extent
#: (M4 alone: 8.5 % differed), a sqrt x rounded on its own values as d3 does
CASES = {
    "area": (1, "{mark: area, y: {field: loss}}", "{field: step}"),
    "errorband": (3, "{mark: errorband, y: {field: loss}, band: {extent: stdev}}", "{field: step}"),
    "area, log x": (1, "{mark: area, y: {field: loss}}", "{field: step, scale: log}"),
    "area, time x": (1, "{mark: area, y: {field: loss}}", "{field: step, type: temporal}"),
    "area, sqrt x": (1, "{mark: area, y: {field: loss}}", "{field: step, scale: sqrt}"),
    # annotations widen Vega's x domain: a vline past the data (M4 alone: 3.8 % differed)
    "area, vline past the data": (1, "{mark: area, y: {field: loss}}", "{field: step}\nannotations: [{vline: 20000}]"),
    # a reversed x runs from the right (M4 alone: 2.0 % differed)
    "area, reversed x": (1, "{mark: area, y: {field: loss}}", "{field: step, reverse: true}"),
    # whole tick steps (M4 alone: 3.6 % differed)
    "area, tick_step x": (1, "{mark: area, y: {field: loss}}", "{field: step, tick_step: 1100}"),
    # a given domain that 'nice: true' still rounds, as Vega does (cells on the given one: 3.8 % differed)
    "area, domain and nice x": (1, "{mark: area, y: {field: loss}}", "{field: step, domain: [-300, 13100], nice: true}"),
    # a time x rounded to d3's time intervals: 00:00:07 to 01:40:00 the next day to whole 3 hours;
    # a given domain (an hour before the data, two after); tick steps, which leave the domain alone
    # (M4 alone: 2.6-2.8 %)
    "area, nice time x": (1, "{mark: area, y: {field: loss}}", "{field: step, type: temporal, nice: true}"),
    "area, time x with a domain": (1, "{mark: area, y: {field: loss}}",
                                   "{field: step, type: temporal, domain: [1767222000000, 1767325200000]}"),
    "area, time x with tick_step hours": (1, "{mark: area, y: {field: loss}}",
                                          "{field: step, type: temporal, tick_step: {hour: 6}}"),
    "errorband, time x with tick_step days": (3, "{mark: errorband, y: {field: loss}, band: {extent: stdev}}",
                                              "{field: step, type: temporal, tick_step: {day: 1}, nice: true}"),
}


def _write(tmp_path: Path, case: str, width: int = WIDTH, steps: int = STEPS) -> None:
    seeds, layer, x = CASES[case]
    rng = np.random.default_rng(5)
    step = np.arange(1, steps + 1)
    lines = ["step,seed,loss"]
    for seed in range(seeds):
        loss = 2 * np.exp(-step / (steps / 4)) + 0.15 * rng.standard_normal(steps) + 0.05 * seed
        if seed == 0:
            loss[int(steps * 0.69)] = 6.0  # one sample: the spike must stay
        lines += [f"{_x(s, case)},{seed},{v:.5f}" for s, v in zip(step, loss)]
    body = HEAD.replace(f"width: {WIDTH}", f"width: {width}") + f"x: {x}\ndata: run.csv\nlayers:\n  - {layer}\n"
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "\n".join(lines) + "\n",
                          "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})



def _x(step: int, case: str) -> str:
    """A step as the case's x: seconds of a run logged every 7 s (time x), else the number."""
    if "time" not in case:
        return str(step)
    moment = datetime(2026, 1, 1) + timedelta(seconds=7 * int(step) + int(step) % 3)
    return moment.isoformat() + "Z"


def _top_of_spike(img: np.ndarray) -> int:
    """The highest pixel row holding the series' blue (the spike's tip)."""
    blue = (img[:, :, 2] - img[:, :, 0] > 40) & (img[:, :, 2] > 150)
    rows, _ = np.nonzero(blue)
    return int(rows.min())


@pytest.mark.parametrize("case", list(CASES))
def test_reduced_fill_differs_from_the_full_one_in_few_pixels_and_keeps_the_spike(tmp_path: Path, case: str) -> None:
    _write(tmp_path, case)
    full_png = full_pngs(tmp_path / "full.yaml")  # Vega draws the full chart once, for both scales
    for scale in (1, 2):
        spec = chartspec.load(tmp_path / "reduced.yaml", scale=scale)  # cut for this scale's pixels
        # the reduction did run, on the steps (the band's after the engine aggregated its seeds)
        [cut] = [t for t in (spec.table, *spec.layer_tables) if t is not None and t.reduced_from]
        assert cut.reduced_from == STEPS and len(cut.rows) < 0.7 * STEPS, (scale, len(cut.rows), cut.reduced_from)
        if case.startswith("area"):  # the spike's row is kept (the band draws aggregated rows: its image tells)
            assert max(float(r["loss"]) for r in cut.rows if r["loss"] is not None) == 6.0, scale
        full = full_png(scale)
        reduced = image(chartspec.save(spec, tmp_path / f"reduced.{scale}.png", scale=scale).read_bytes())
        assert full.shape == reduced.shape
        differ = np.any(full != reduced, axis=2)
        assert differ.mean() < 0.005, f"--scale {scale}: {differ.mean():.3%} of pixels differ"
        # drawn at least as high (a fill's spike one sample wide may fall between the rasteriser's samples)
        assert _top_of_spike(reduced) <= _top_of_spike(full) + scale, scale


#: (case, scale, width, steps): scales at which a whole CSS pixel need not be on a sample. The
#: plot's left edge is on one past the padding, but where it is only Vega's layout tells, so the
#: cut keeps a grid for each place it may take (fillgrid.edge_phases): 2 at --ppi 81 (4.5 samples
#: a CSS pixel), 9 at --ppi 100 (50/9: on 100 px and 400 steps a pixel, so 9 grids keep under
#: every row); one at --scale 1.5, where the plot of 201 px is 301.5 device px wide. M4 alone
#: (which the last two kept) and a grid for an edge on a sample (the first) left 0.7-4.5 % differing.
SUBPIXEL = [("area", 81 / 72, WIDTH, STEPS), ("area", 100 / 72, 100, 40_000), ("errorband", 1.5, 201, STEPS)]


@pytest.mark.parametrize(("case", "scale", "width", "steps"), SUBPIXEL)
def test_a_fill_is_faithful_where_the_plot_edge_falls_between_samples(tmp_path: Path, case: str, scale: float,
                                                                      width: int, steps: int) -> None:
    _write(tmp_path, case, width, steps)
    spec = chartspec.load(tmp_path / "reduced.yaml", scale=scale)
    [cut] = [t for t in (spec.table, *spec.layer_tables) if t is not None and t.reduced_from]
    assert cut.reduced_from == steps and len(cut.rows) < 0.7 * steps, (len(cut.rows), cut.reduced_from)
    full = full_pngs(tmp_path / "full.yaml")(scale)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png", scale=scale).read_bytes())
    assert full.shape == reduced.shape
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"
    assert _top_of_spike(reduced) <= _top_of_spike(full) + 2


def test_a_dense_fill_keeps_the_rows_the_rasteriser_snaps_onto_its_samples(tmp_path: Path) -> None:
    """At ~2,000 rows a pixel (the right end of a log x over 40,000 steps) vertices lie within the
    rasteriser's snapping of a sample: the segment around the sample alone left 0.5 % of the pixels
    differing (fillgrid.SNAP)."""
    steps = 40_000
    rng = np.random.default_rng(8)
    loss = 1 + 0.15 * rng.standard_normal(steps)
    body = HEAD + "x: {field: step, scale: log}\ndata: run.csv\nlayers:\n  - {mark: area, y: {field: loss}}\n"
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "step,loss\n" + "\n".join(
        f"{s},{v:.5f}" for s, v in enumerate(loss, start=1)) + "\n", "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert spec.table.reduced_from == steps and len(spec.table.rows) < steps / 4
    full = full_pngs(tmp_path / "full.yaml")(1)
    reduced = image(chartspec.save(spec, tmp_path / "reduced.png").read_bytes())
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.001, f"{differ.mean():.3%} of pixels differ"
