"""Dashed lines of more dashes than the PNG rasteriser makes are cut into pieces (render/longdashes.py)."""

from __future__ import annotations

import io

import numpy as np
import pytest
import vl_convert as vlc
from PIL import Image

from chartspec.render import longdashes
from chartspec.render.svgpaths import compact_paths


def _svg(n: int, dash: str, *, moves: bool = False, amplitude: float = 360) -> str:
    rng = np.random.default_rng(4)
    ys = 200 + amplitude * (rng.random(n) - 0.5)
    d = "".join(("M" if i == 0 or (moves and i % 997 == 0) else "L") + f"{i * 600 / n:.3f},{y:.3f}"
                for i, y in enumerate(ys))
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><path aria-roledescription="line mark" '
            f'd="{d}" fill="none" stroke="#1f77b4" stroke-width="2" stroke-linejoin="round" stroke-dasharray="{dash}"/></svg>')


def _pixels(svg: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(vlc.svg_to_png(svg))).convert("RGBA")).astype(int)


def test_a_path_of_millions_of_dashes_is_drawn_not_dropped() -> None:
    svg = _svg(60_000, "2,2")  # ~7 million px long: 1.8 million dashes
    assert (_pixels(svg)[:, :, 3] > 0).sum() == 0  # what tiny-skia does with it whole (if this fails, resvg changed)
    split = longdashes.split_long_dashes(svg)
    assert split.count("<path") > 1
    assert (_pixels(split)[:, :, 3] > 0).mean() > 0.5  # the noise covers most of the picture


@pytest.mark.parametrize("moves", [False, True])
@pytest.mark.parametrize("compact", [False, True])
def test_the_pieces_draw_the_dashes_where_the_whole_path_drew_them(monkeypatch: pytest.MonkeyPatch, moves: bool,
                                                                    compact: bool) -> None:
    """Cut where tiny-skia still draws the whole path: the pieces' PNG is the path's, so each piece
    carries the dash on from where the last stopped (and restarts it at each moveto, as SVG does).
    (On a path hundreds of thousands of pixels long tiny-skia's own dashes drift from the exact
    lengths the pieces start at, by its single-precision sums: a moderate zigzag here.)"""
    monkeypatch.setattr(longdashes, "MAX_DASHES", 500)
    monkeypatch.setattr(longdashes, "PIECE_DASHES", 200)
    svg = _svg(3_000, "6,3,2", moves=moves, amplitude=30)  # odd: the pattern is repeated, a period of 22
    if compact:
        svg = compact_paths(svg)  # the relative form the build writes
        assert ' d="M' in svg and "l" in svg
    split = longdashes.split_long_dashes(svg)
    assert split.count("<path") > 3
    whole, pieces = _pixels(svg), _pixels(split)
    differ = np.any(np.abs(whole - pieces) > 8, axis=2)  # the joins at the cuts: a few pixels
    assert differ.mean() < 0.002, f"{differ.mean():.3%}"


def test_short_curved_and_solid_paths_are_left_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(longdashes, "MAX_DASHES", 10)
    long = _svg(3_000, "6,3")
    assert longdashes.split_long_dashes(long.replace(' stroke-dasharray="6,3"', "")) == long.replace(
        ' stroke-dasharray="6,3"', "")
    curved = long.replace("L", "C", 1)  # a curve command: not a polyline
    assert longdashes.split_long_dashes(curved) == curved
    short = _svg(100, "6,3")
    assert longdashes.split_long_dashes(short) == short


def test_a_built_png_keeps_a_long_dashed_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """End to end: 30,000 rows of noise drawn whole with a [1, 1] dash make ~3 million dashes."""
    import chartspec

    rng = np.random.default_rng(5)
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "run.csv").write_text("step,loss\n" + "\n".join(f"{i},{v:.4f}" for i, v in enumerate(rng.random(30_000))))
    (tmp_path / "c.yaml").write_text("reduce: false\ndata: run.csv\nx: {field: step}\n"
                                     "layers:\n  - {mark: line, y: {field: loss}, stroke_dash: [1, 1]}\n")
    png = chartspec.save(tmp_path / "c.yaml", tmp_path / "c.png").read_bytes()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    blue = np.all(np.abs(pixels - [0x1f, 0x77, 0xb4]) < 60, axis=2)
    assert blue.mean() > 0.3, f"{blue.mean():.1%}"  # the line covers the plot (0 % when tiny-skia dropped it)
