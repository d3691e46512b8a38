"""Large data through the real CLI: reduced charts build, charts too large for Vega fail alone.

The data is generated per test (not committed): a CSV above the engine's size threshold, so the
columnar engine (data/engine.py) reads it and the reduction (data/reduce.py) cuts it.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
from conftest import RunCli, write_tree
from PIL import Image
from svgchart import path_vertices

from chartspec.data.engine import ENGINE_BYTES
from chartspec.data.reduce import MAX_DRAWN_ROWS

N = MAX_DRAWN_ROWS + 50_000


def _big_csv(path: Path) -> None:
    rng = np.random.default_rng(0)
    step = np.arange(N)
    loss = 2 * np.exp(-step / (N / 4)) + 0.1 * rng.standard_normal(N)
    loss[N // 2] = 40.0  # one spike, one sample wide
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        f.write("step,loss\n")
        np.savetxt(f, np.column_stack([step, loss]), fmt=["%d", "%.5f"], delimiter=",")
    assert path.stat().st_size > ENGINE_BYTES


def test_large_line_builds_reduced_and_a_bar_chart_too_large_fails_alone(tmp_path: Path, run_cli: RunCli) -> None:
    _big_csv(tmp_path / "specs" / "data" / "run.csv")
    write_tree(tmp_path, {
        "chartspec.toml": "",
        "specs/line.yaml": "data: data/run.csv\nx: {field: step}\nlayers:\n  - {mark: line, y: {field: loss}}\n",
        "specs/bars.yaml": "data: data/run.csv\nx: {field: step}\nlayers:\n  - {mark: bar, y: {field: loss}}\n",
        "specs/whole.yaml": "reduce: false\ndata: data/run.csv\nx: {field: step}\n"
                            "layers:\n  - {mark: line, y: {field: loss}}\n",
    })
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg,png,html", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert (f"specs/bars.yaml:4:12: error: layer 'loss' draws bars at {N:,} x values across a plot 600 device pixels wide"
            in proc.stderr), proc.stderr
    assert "hint: draw it as an area or a line, which chartspec cuts to what the pixels show, or aggregate" in proc.stderr
    # the chart's 'reduce: false' is blamed where it is written, not on its first layer
    assert "specs/whole.yaml:1:9: error: the chart would hand" in proc.stderr and "remove 'reduce: false'" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(("_", "."))) == [
        "line.html", "line.png", "line.svg"]
    svg = (tmp_path / "out" / "line.svg").read_bytes()
    assert len(svg) < 400_000
    html = (tmp_path / "out" / "line.html").read_bytes()
    assert len(html) < 2_000_000
    # the spike is drawn: the line reaches the top of the plot in the middle of the image
    root = ET.fromstring(svg)
    lines = [p.get("d") or "" for g in root.iter("{http://www.w3.org/2000/svg}g")
             if "mark-line" in (g.get("class") or "") for p in g.iter("{http://www.w3.org/2000/svg}path")]
    assert len(lines) == 1 and 5_000 < len(lines[0]) < 300_000  # one line of thousands of vertices, not 300,000
    # the spike is drawn: the line's highest vertex is the middle step, at the top of the plot
    points = path_vertices(lines[0])  # written relative (render/svgpaths.py)
    top = min(points, key=lambda p: p[1])
    assert abs(top[0] - 300) < 1 and top[1] < 1  # 600 px plot: x=300 is step N/2; y=0 is the domain's top
    png = Image.open(io.BytesIO((tmp_path / "out" / "line.png").read_bytes()))
    assert png.size[0] > 600 and np.asarray(png.convert("L")).min() < 128  # a real image, with dark ink
