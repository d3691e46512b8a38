"""Legend labels longer than half the chart's width end in an ellipsis: a 500-character layer name
(within the schema's limit) made a legend 3,000 px wide beside a 600 px plot."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.render.export import render

LONG = "validation loss of the ablation without warmup " * 11  # 517 characters, cut to 500 below
LONG = LONG[:500]
SVG = "{http://www.w3.org/2000/svg}"


def _legend_labels(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for g in root.iter(f"{SVG}g") if "role-legend-label" in (g.get("class") or "")
            for t in g.iter(f"{SVG}text")]


def _svg(tmp_path: Path, spec: str) -> bytes:
    runs = "".join(f"{run},{step},{step * 0.1 + len(run) % 3}\n" for run in ("a", LONG) for step in range(3))
    write_tree(tmp_path, {"chartspec.toml": "", "runs.csv": "run,step,loss\n" + runs, "c.yaml": spec})
    return render(chartspec.to_vegalite(chartspec.load(tmp_path / "c.yaml")), ("svg",))["svg"]


def _drawn(tmp_path: Path, spec: str) -> tuple[float, list[str]]:
    svg = _svg(tmp_path, spec)
    return float(ET.fromstring(svg).get("width")), _legend_labels(svg)


def test_a_long_layer_name_is_cut_in_the_legend_and_short_ones_are_left_alone(tmp_path: Path) -> None:
    width, labels = _drawn(tmp_path, f"data: runs.csv\nwidth: 400\nx: {{field: step}}\nlayers:\n"
                                     f"  - {{y: {{field: loss}}, name: short}}\n"
                                     f"  - {{y: {{field: loss}}, name: '{LONG}'}}\n")
    assert "short" in labels
    [cut] = [t for t in labels if t.endswith("…")]
    assert LONG.startswith(cut[:-1]) and 20 < len(cut) < 60, cut
    assert width < 400 + 200 + 120, width  # the plot, half its width of label, axes and symbols


def test_long_series_names_from_the_data_and_in_the_line_style_legend_are_cut(tmp_path: Path) -> None:
    width, labels = _drawn(tmp_path, "data: runs.csv\nwidth: 400\nx: {field: step}\nlayers:\n"
                                     "  - {y: {field: loss}, color: {field: run}}\n")
    assert "a" in labels and sum(t.endswith("…") for t in labels) == 1 and width < 720, (width, labels)
    # two layers sharing the colour field: the runs' legend and the layers' line-style legend
    width, labels = _drawn(tmp_path, f"data: runs.csv\nwidth: 400\nx: {{field: step}}\nlayers:\n"
                                     f"  - {{y: {{field: loss}}, color: {{field: run}}}}\n"
                                     f"  - {{y: {{field: loss}}, name: '{LONG}', color: {{field: run}}}}\n")
    assert sum(t.endswith("…") for t in labels) == 2 and width < 720, (width, labels)


def _texts(svg: bytes) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


BASE = "data: runs.csv\nwidth: 300\nheight: 200\nx: {field: step}\n"


@pytest.mark.parametrize(("spec", "widest"), [
    pytest.param(BASE + "layers:\n  - {y: {field: loss}, color: {field: run}, label: end}\n", 300 + 150 + 150,
                 id="direct label"),
    pytest.param(BASE + "facet: {field: run}\nlayers:\n  - {y: {field: loss}}\n", 2 * 300 + 200, id="panel header"),
    pytest.param(BASE + "facet: {row: run}\nlayers:\n  - {y: {field: loss}}\n", -(2 * 200 + 200), id="row header"),
    pytest.param(f"title: '{LONG}'\nsubtitle: '{LONG}'\n" + BASE + "layers:\n  - {y: {field: loss}}\n", 300 + 150,
                 id="title"),
    pytest.param(BASE + f"facet: {{field: run, title: '{LONG}'}}\nlayers:\n  - {{y: {{field: loss}}}}\n", 2 * 300 + 200,
                 id="panel title"),
    pytest.param(BASE + f"layers:\n  - {{y: {{field: loss}}}}\nannotations:\n  - {{hline: 0.1, label: '{LONG}'}}\n",
                 300 + 150, id="annotation label"),
    pytest.param(BASE + "layers:\n  - {mark: text, y: {field: loss}, text: run}\n", 300 + 150 + 150, id="text mark"),
])
def test_direct_labels_panel_headers_and_the_title_are_cut_as_well(tmp_path: Path, spec: str, widest: int) -> None:
    """The same kind: each drew a 500-character text whole (charts 2,400-3,600 px wide; a row
    header, written upwards, 2,200 px tall). ``widest``: the chart's width at most (negative: height)."""
    svg = _svg(tmp_path, spec)
    width = float(ET.fromstring(svg).get("width" if widest > 0 else "height"))
    widest = abs(widest)
    cut = [t for t in _texts(svg) if t.endswith("…")]
    assert width < widest and cut and all(LONG.startswith(t[:-1]) for t in cut), (width, cut)


@pytest.mark.parametrize(("spec", "widest"), [
    pytest.param(f"title: '{LONG}'\nsubtitle: '{LONG}'\ndata: runs.csv\nwidth: 300\nheight: 200\nx: {{field: step}}\n"
                 "hconcat:\n  - layers: [{y: {field: loss}}]\n  - layers: [{y: {field: loss}}]\n", 2 * 300 + 200,
                 id="hconcat title"),
    pytest.param(f"title: '{LONG}'\ndata: runs.csv\nwidth: 300\nheight: 200\nx: {{field: step}}\n"
                 "vconcat:\n  - layers: [{y: {field: loss}}]\n  - layers: [{y: {field: loss}}]\n", 300 + 150,
                 id="vconcat title"),
])
def test_a_layout_s_own_title_is_cut_at_the_width_of_its_charts(tmp_path: Path, spec: str, widest: int) -> None:
    """The same kind again: a layout's title spans its charts, and a 500-character one drew whole
    (an hconcat of two 300 px charts was 3,900 px wide)."""
    svg = _svg(tmp_path, spec)
    width = float(ET.fromstring(svg).get("width"))
    cut = [t for t in _texts(svg) if t.endswith("…")]
    assert width < widest and len(cut) >= 1 and all(LONG.startswith(t[:-1]) for t in cut), (width, cut)


def _legend_title(svg: bytes) -> str:
    root = ET.fromstring(svg)
    [title] = ["".join(t.itertext()) for g in root.iter(f"{SVG}g") if "role-legend-title" in (g.get("class") or "")
               for t in g.iter(f"{SVG}text")]
    return title


TWO = "data: runs.csv\nwidth: {width}\nx: {{field: step}}\nlegend: {{title: '{title}'}}\nlayers:\n" \
      "  - {{y: {{field: loss}}, name: train}}\n  - {{y: {{field: loss}}, name: eval}}\n"
HEAT = "data: runs.csv\nwidth: {width}\nx: {{field: step, type: ordinal}}\nlayers:\n" \
       "  - {{mark: rect, y: {{field: run, type: nominal}}, color: {{field: loss, type: quantitative, title: '{title}'}}}}\n"


@pytest.mark.parametrize("spec", [pytest.param(TWO, id="series legend"), pytest.param(HEAT, id="gradient legend")])
def test_a_legend_title_is_cut_where_its_labels_are(tmp_path: Path, spec: str) -> None:
    """A legend's title has its labels' room, half the chart's width: Vega's default cut every title
    at 180 px, so a 40-character title beside a 1,000 px chart ended in '…' with 500 px to spare."""
    medium = "mean validation loss over five seeds (nats)"  # ~280 px in 11 px bold
    assert _legend_title(_svg(tmp_path, spec.format(width=1000, title=medium))) == medium
    svg = _svg(tmp_path, spec.format(width=1000, title=LONG))
    cut = _legend_title(svg)
    assert cut.endswith("…") and LONG.startswith(cut[:-1]) and 60 < len(cut) < 100, cut  # ~500 px of text
    assert float(ET.fromstring(svg).get("width")) < 1000 + 500 + 250  # and axes (the heatmap: its y labels)
    cut = _legend_title(_svg(tmp_path, spec.format(width=300, title=LONG)))
    assert cut.endswith("…") and len(cut) < 35, cut  # 160 px: the narrowest room, as for labels
