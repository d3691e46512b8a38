"""A notebook run for real (nbclient, an ipykernel): the compiled chart shows offline, with the Vega
chartspec ships, and draws in a browser that may not touch the network."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
from conftest import SPECS
from nbclient import NotebookClient

from chartspec.render.html import bundle_js

CELLS = [
    "import chartspec",
    "chart = chartspec.compile('rl_training.yaml')\nchart",
    "(chart | chart).properties(title='twice')",
]


def _run(tmp_path: Path) -> Any:
    shutil.copy(SPECS / "rl_training.yaml", tmp_path)
    shutil.copytree(SPECS / "data", tmp_path / "data", ignore=lambda d, names: [n for n in names if n != "rl_training.csv"])
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in CELLS])
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return notebook


def test_a_notebook_shows_the_chart_offline(tmp_path: Path, browser: Any) -> None:
    notebook = _run(tmp_path)
    outputs = [cell.outputs for cell in notebook.cells[1:]]
    frames = []
    for cell_outputs in outputs:
        (result,) = [o for o in cell_outputs if o.output_type == "execute_result"]
        frame = result.data["text/html"]
        assert frame.startswith('<iframe class="chartspec-frame"') and "image/svg+xml" in result.data
        page = html.unescape(re.search(r'srcdoc="([^"]*)"', frame).group(1))
        assert bundle_js() in page  # the vendored Vega, inline
        assert not re.search(r"<script[^>]*\bsrc=[\"']?https?:", page, re.I)  # nothing from a CDN
        assert "cdn.jsdelivr" not in page
        frames.append(frame)
    # drawn by the vendored scripts in a browser that may not fetch anything
    context = browser.new_context()
    requests: list[str] = []
    context.route("**/*", lambda route: (requests.append(route.request.url), route.abort()))
    web = context.new_page()
    errors: list[str] = []
    web.on("pageerror", lambda err: errors.append(str(err)))
    web.set_content(f"<!DOCTYPE html><html><body>{''.join(frames)}</body></html>")
    for index, expected in enumerate((1, 3)):  # the titles: one chart; two and the layout's
        frame = web.frames[index + 1]
        frame.wait_for_selector("figure.chartspec[data-chartspec=ready]", timeout=30_000)
        assert frame.locator("figure.chartspec svg .role-title-text").count() == expected
        assert frame.locator("figure.chartspec svg path").count() > 10
    assert errors == [] and [u for u in requests if u.startswith("http")] == []
    context.close()
