"""The reduction is pixel-faithful: the reduced chart's PNG equals the full chart's to within 0.5 %.

Measured on a chart narrow enough that a few thousand points get reduced (data/reduce.py), at
--scale 1 and 2, with a single-sample spike that must stay visible. Any channel differing counts.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree
from PIL import Image

import chartspec

N = 40_000
WIDTH = 600
SPIKE = 27_777


def _write(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    step = np.arange(N)
    loss = 2 * np.exp(-step / 10_000) + 0.15 * rng.standard_normal(N)
    loss[SPIKE] = 6.0
    reward = np.cumsum(rng.standard_normal(N)) * 0.05
    lines = ["step,loss,reward", *(f"{s},{a:.5f},{b:.5f}" for s, a, b in zip(step, loss, reward))]
    body = (f"width: {WIDTH}\nheight: 360\ndata: run.csv\nx: {{field: step}}\nlegend: {{position: none}}\n"
            "layers:\n  - {mark: line, y: {field: loss}}\n  - {mark: line, y: {field: reward, axis: right}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "\n".join(lines) + "\n",
                          "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})


def _png(path: Path, scale: float) -> np.ndarray:
    out = path.with_suffix(f".{scale}.png")
    chartspec.save(path, out, scale=scale)
    return np.asarray(Image.open(io.BytesIO(out.read_bytes())).convert("RGBA")).astype(int)


@pytest.mark.parametrize("scale", [1, 2])
def test_reduced_png_differs_from_the_full_one_in_under_half_a_percent_of_pixels(tmp_path: Path, scale: int) -> None:
    _write(tmp_path)
    reduced_rows = len(chartspec.load(tmp_path / "reduced.yaml", scale=scale).table.rows)
    assert reduced_rows < 0.7 * N  # the reduction did run
    full, reduced = _png(tmp_path / "full.yaml", scale), _png(tmp_path / "reduced.yaml", scale)
    assert full.shape == reduced.shape
    differ = np.any(full != reduced, axis=2)
    assert differ.mean() < 0.005, f"{differ.mean():.3%} of pixels differ"
    # the spike: the first series' colour reaches as high in the full and the reduced image
    def top_of_spike(img: np.ndarray) -> int:
        blue = (img[:, :, 2] > 150) & (img[:, :, 0] < 100) & (img[:, :, 1] < 160)
        rows, cols = np.nonzero(blue)
        return int(rows.min())
    assert abs(top_of_spike(full) - top_of_spike(reduced)) <= 1
