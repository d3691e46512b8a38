"""A reduced filled area or band is as faithful as the picture allows (data/fillgrid.py).

The full chart's PNG against the reduced one's, at --scale 1 and 2, on noisy steps with a
single-sample spike: an ``area`` and an ``errorband`` with ``band: {extent: stdev}`` over seeds
(aggregated in the engine, engineagg.py, then reduced). Any channel differing counts.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree
from PIL import Image

import chartspec

WIDTH = 600
HEAD = f"width: {WIDTH}\nheight: 360\nx: {{field: step}}\nlegend: {{position: none}}\n"
#: case -> (steps, seeds, layer); M4 alone left 1.4-6 % of such pixels differing
CASES = {
    "area": (40_000, 1, "{mark: area, y: {field: loss}}"),
    "errorband": (20_000, 3, "{mark: errorband, y: {field: loss}, band: {extent: stdev}}"),
}


def _write(tmp_path: Path, case: str) -> int:
    steps, seeds, layer = CASES[case]
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
    return steps * seeds


def _png(path: Path, scale: float) -> np.ndarray:
    out = path.with_suffix(f".{scale}.png")
    chartspec.save(path, out, scale=scale)
    return np.asarray(Image.open(io.BytesIO(out.read_bytes())).convert("RGBA")).astype(int)


def _drawn(path: Path, scale: float) -> tuple[int, float]:
    """How many rows the chart hands Vega, and the largest loss among them."""
    spec = chartspec.load(path, scale=scale)
    rows = [r for t in (spec.table, *spec.layer_tables) if t is not None for r in t.rows]
    return len(rows), max(float(r.get("loss", 0.0) or 0.0) for r in rows)


def _top_of_spike(img: np.ndarray) -> int:
    """The highest pixel row holding the series' blue (the spike's tip)."""
    blue = (img[:, :, 2] - img[:, :, 0] > 40) & (img[:, :, 2] > 150)
    rows, _ = np.nonzero(blue)
    return int(rows.min())


@pytest.mark.parametrize("scale", [1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_reduced_fill_differs_from_the_full_one_in_few_pixels_and_keeps_the_spike(
        tmp_path: Path, case: str, scale: int) -> None:
    rows = _write(tmp_path, case)
    drawn, highest = _drawn(tmp_path / "reduced.yaml", scale)
    assert drawn < 0.7 * rows  # the reduction did run
    if case == "area":  # the spike's row is kept (the band draws aggregated rows: its image tells)
        assert highest == 6.0
    full, reduced = _png(tmp_path / "full.yaml", scale), _png(tmp_path / "reduced.yaml", scale)
    assert full.shape == reduced.shape
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"
    # drawn at least as high (a fill's spike one sample wide may fall between the rasteriser's samples)
    assert _top_of_spike(reduced) <= _top_of_spike(full) + scale
