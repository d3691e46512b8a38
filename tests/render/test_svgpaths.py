"""Long line paths are written compactly (render/svgpaths.py) and draw exactly the same picture."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree
from PIL import Image
from svgchart import parse_svg, path_vertices

import chartspec
from chartspec.compiler.interactive import static_view
from chartspec.compiler.vegalite import compile_vegalite
from chartspec.render import engine
from chartspec.render.svgpaths import MIN_VERTICES, RESYNC, compact_path_data, compact_paths


def _polyline(n: int, seed: int = 1) -> str:
    rng = np.random.default_rng(seed)
    xs = np.round(np.cumsum(rng.random(n) * 0.2), 3)
    ys = np.round(rng.normal(0, 80, n), 3)
    cells = [f"{x:g},{y:g}" for x, y in zip(xs, ys)]
    return "M" + "L".join(cells)


def test_a_long_polyline_keeps_every_vertex_exactly() -> None:
    d = _polyline(3 * RESYNC + 7)
    compact = compact_path_data(d)
    assert compact is not None and len(compact) < 0.8 * len(d)
    assert compact.startswith("M") and "l" in compact and compact.count("L") == 3  # resynced absolutely
    assert np.allclose(path_vertices(compact), path_vertices(d), rtol=0, atol=1e-9)


def test_gaps_and_closed_subpaths_keep_their_vertices() -> None:
    d = _polyline(600, 2) + "Z" + _polyline(600, 3) + _polyline(10, 4).replace("M", "M-", 1)
    compact = compact_path_data(d)
    assert compact is not None and compact.count("M") == 3 and compact.count("Z") == 1
    assert np.allclose(path_vertices(compact), path_vertices(d), rtol=0, atol=1e-9)


@pytest.mark.parametrize("d", [
    _polyline(MIN_VERTICES - 2),                      # short: as Vega wrote it
    _polyline(800) + "C1,2,3,4,5,6",                  # a curve: not a polyline
    _polyline(800).replace("L", "L1e-7,", 1),         # exponent form
    _polyline(800) + "L1.2345,6",                     # a fourth decimal
    _polyline(800) + "ZL1,2",                         # a lineto after a close
])
def test_anything_but_a_long_plain_polyline_is_left_alone(d: str) -> None:
    assert compact_path_data(d) is None
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><path d="{d}"/></svg>'
    assert compact_paths(svg) == svg


def test_the_rendered_png_is_pixel_identical_and_the_svg_smaller(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    rows = "\n".join(f"{i},{v:.4f},{w:.3f}" for i, (v, w) in
                     enumerate(zip(rng.standard_normal(3000), np.cumsum(rng.standard_normal(3000)))))
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "step,a,b\n" + rows + "\n", "c.yaml": (
        "data: d.csv\nx: {field: step}\nlayers:\n  - {mark: line, y: {field: a}}\n"
        "  - {mark: line, y: {field: b}}\n")})
    vl = compile_vegalite(chartspec.load(tmp_path / "c.yaml"))
    original = engine.vegalite_to_svg(static_view(vl))
    compact = compact_paths(original)
    assert len(compact) < 0.8 * len(original)
    for scale in (1, 2):
        a, b = engine.svg_to_png(original, scale), engine.svg_to_png(compact, scale)
        pixels = [np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")) for png in (a, b)]
        assert pixels[0].shape == pixels[1].shape and np.array_equal(pixels[0], pixels[1])
    # the built SVG carries the compact paths, and the chart parser reads the same lines from it
    chartspec.save(tmp_path / "c.yaml", tmp_path / "c.svg")
    built = (tmp_path / "c.svg").read_text()
    lines = [item for item in parse_svg(built).by_role("mark", "line") if item.tag == "path"]
    assert [len(item.vertices()) for item in lines] == [3000, 3000]
    assert all("l" in item.attrib["d"] for item in lines)
