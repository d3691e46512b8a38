"""A reduced filled area or band is as faithful as the picture allows (data/fillgrid.py).

The full chart's PNG against the reduced one's, at --scale 1 and 2, on noisy steps with a
single-sample spike: an ``area`` and an ``errorband`` with ``band: {extent: stdev}`` over seeds
(aggregated in the engine, engineagg.py, then reduced). Any channel differing counts.

The chart is narrow (200 px) rather than many rows: what the fill grid is for depends on the rows
per pixel (66 here, as 40,000 rows at 600 px), and the full render's cost on the rows alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree
from fidelity import full_pngs, image

import chartspec

WIDTH = 200
HEAD = f"width: {WIDTH}\nheight: 360\nx: {{field: step}}\nlegend: {{position: none}}\n"
#: steps per series: 66 a CSS pixel, so even at --scale 2 (16 fill cells a pixel) a fill keeps well
#: under every row; M4 alone left 2.6-2.8 % (area) and 0.8-0.9 % (errorband) of the pixels differing
STEPS = 66 * WIDTH
#: case -> (seeds, layer)
CASES = {
    "area": (1, "{mark: area, y: {field: loss}}"),
    "errorband": (3, "{mark: errorband, y: {field: loss}, band: {extent: stdev}}"),
}


def _write(tmp_path: Path, case: str) -> None:
    steps, (seeds, layer) = STEPS, CASES[case]
    rng = np.random.default_rng(5)
    step = np.arange(steps)
    lines = ["step,seed,loss"]
    for seed in range(seeds):
        loss = 2 * np.exp(-step / (steps / 4)) + 0.15 * rng.standard_normal(steps) + 0.05 * seed
        if seed == 0:
            loss[int(steps * 0.69)] = 6.0  # one sample: the spike must stay
        lines += [f"{s},{seed},{v:.5f}" for s, v in zip(step, loss)]
    body = HEAD + f"data: run.csv\nlayers:\n  - {layer}\n"
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "\n".join(lines) + "\n",
                          "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})



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
        if case == "area":  # the spike's row is kept (the band draws aggregated rows: its image tells)
            assert max(float(r["loss"]) for r in cut.rows if r["loss"] is not None) == 6.0, scale
        full = full_png(scale)
        reduced = image(chartspec.save(spec, tmp_path / f"reduced.{scale}.png", scale=scale).read_bytes())
        assert full.shape == reduced.shape
        differ = np.any(full != reduced, axis=2)
        assert differ.mean() < 0.005, f"--scale {scale}: {differ.mean():.3%} of pixels differ"
        # drawn at least as high (a fill's spike one sample wide may fall between the rasteriser's samples)
        assert _top_of_spike(reduced) <= _top_of_spike(full) + scale, scale
