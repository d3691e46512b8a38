"""Plain Vega-Lite is drawn as Vega-Lite draws it: each spec in ``plainvl/`` rendered by chartspec
(data files read, confined and inlined) and by vl-convert directly on the original spec (its data
files fetched by Vega's own loader from a local HTTP server) gives the same SVG.

vl-convert resolves a relative ``url`` against https://vega.github.io/vega-datasets/ and cannot
read local files, so the direct render gets the spec with only the start of each ``url`` changed
(``data/x.csv`` -> ``http://127.0.0.1:PORT/data/x.csv``) and may fetch from that server alone.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import vl_convert
import yaml
from svgchart import parse_svg

import chartspec
from chartspec.render.engine import VEGA_LITE_VERSION
from chartspec.render.html import numbered_svg_ids

HERE = Path(__file__).parent / "plainvl"
SPECS = sorted(p.name for p in HERE.iterdir() if p.name.endswith((".vl.json", ".vl.yaml")))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    # a process of its own: vl-convert holds the GIL while Vega loads, so a thread could never answer
    proc = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                             "--directory", str(HERE)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        port = re.search(r"port (\d+)", proc.stdout.readline())
        assert port is not None
        yield f"http://127.0.0.1:{port.group(1)}/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _original(name: str) -> dict[str, Any]:
    text = (HERE / name).read_text()
    return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)


def _served(node: Any, base: str) -> Any:
    """The spec with each data ``url`` prefixed by the server's address: nothing else changes."""
    node = copy.deepcopy(node)
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("data"), dict) and isinstance(item["data"].get("url"), str):
                item["data"]["url"] = base + item["data"]["url"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return node


def _vega_svg(spec: dict[str, Any], base: str) -> str:
    svg = vl_convert.vegalite_to_svg(_served(spec, base), vl_version=VEGA_LITE_VERSION, allowed_base_urls=[base])
    return numbered_svg_ids(svg)  # Vega numbers clip paths per process; chartspec numbers them per chart


def _chartspec_svg(name: str, out: Path) -> str:
    spec = chartspec.load(HERE / name, root=HERE)
    chartspec.save(spec, out)
    svg = out.read_text()
    # chartspec labels a standalone SVG (role, aria-label, <title>): take exactly that away again
    match = re.match(r'(<svg\b[^>]*?) role="img" aria-label="[^"]*">(<title>[^<]*</title>)', svg)
    assert match is not None, svg[:300]
    return match.group(1) + ">" + svg[match.end():]


@pytest.mark.parametrize("name", SPECS)
def test_same_svg_as_vega_lite_on_the_original(name: str, server: str, tmp_path: Path) -> None:
    ours = _chartspec_svg(name, tmp_path / "out.svg")
    theirs = _vega_svg(_original(name), server)
    assert parse_svg(theirs).items, "the direct render drew nothing: did the server answer?"
    assert ours == theirs


def test_the_suite_is_a_dozen_specs_with_data_files() -> None:
    assert len(SPECS) >= 12
    formats = {Path(p).suffix for p in (HERE / "data").iterdir()}
    assert {".csv", ".tsv", ".json", ".topojson", ".dsv"} <= formats


def _chart(name: str, tmp_path: Path) -> Any:
    return parse_svg(_chartspec_svg(name, tmp_path / "out.svg"))


def test_years_in_a_csv_are_years(tmp_path: Path) -> None:
    labels = _chart("line_years.vl.json", tmp_path).axis("year").label_texts
    assert labels[0] == "2000" and labels[-1] == "2010"


def test_zip_codes_keep_their_zeros_and_an_empty_cell_stays_empty_text(tmp_path: Path) -> None:
    chart = _chart("bar_zip_codes.vl.json", tmp_path)
    assert chart.axis("zip").label_texts == ["00501", "00544", "01001", "01002", "02108"]
    legend = [label.text for label in chart.legends[0].labels]
    assert "null" not in legend and "North" in legend and "South" in legend
    vl = chartspec.to_vegalite(chartspec.load(HERE / "bar_zip_codes.vl.json", root=HERE))
    assert vl["data"]["values"][1] == {"zip": "00544", "region": "", "count": "7"}  # as d3-dsv reads it


def test_format_property_picks_the_rows_of_a_nested_json_file(tmp_path: Path) -> None:
    chart = _chart("json_nested_property.vl.json", tmp_path)
    assert len(chart.by_role("mark", "symbol")) == 4
    assert sorted(chart.texts("mark")) == ["007", "011", "042", "100"]  # text stays text


def test_topojson_is_drawn_as_its_features_and_mesh(tmp_path: Path) -> None:
    chart = _chart("topojson_regions.vl.json", tmp_path)
    shapes = chart.mark_groups("shape")
    assert sorted(len(items) for items in shapes.values()) == [1, 2]  # one mesh, two regions
    vl = chartspec.to_vegalite(chartspec.load(HERE / "topojson_regions.vl.json", root=HERE))
    assert vl["layer"][0]["data"]["format"] == {"type": "topojson", "feature": "regions"}
    assert vl["layer"][0]["data"]["values"]["type"] == "Topology"
