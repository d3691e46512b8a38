"""The chart chartspec.compile returns composes like any Altair chart and renders composed."""

from __future__ import annotations

import json
from typing import Any

import altair as alt
import pytest
import vl_convert as vlc
from conftest import SPECS, assert_valid_vega_lite

import chartspec
from chartspec.compiler.interactive import HOVER_PARAM

SEED = SPECS / "rl_training.yaml"


@pytest.fixture(scope="module")
def chart() -> Any:
    return chartspec.compile(SEED)


def _names(node: Any, key: str = "name") -> list[str]:
    if isinstance(node, dict):
        own = [node[key]] if isinstance(node.get(key), str) else []
        return own + [n for k, v in node.items() if k not in ("data", "datasets") for n in _names(v, key)]
    return [n for item in node for n in _names(item, key)] if isinstance(node, list) else []


def test_alone_it_is_the_compiled_vega_lite(chart: Any) -> None:
    """The top-level keys set aside for composition come back when the chart is written alone."""
    compiled = json.loads(json.dumps(chartspec.to_vegalite(SEED)))
    spec = chart.to_dict()
    assert (spec["$schema"], spec["background"]) == (compiled["$schema"], compiled["background"])
    assert {k: v for k, v in spec["config"].items() if k != "view"} == compiled["config"]  # Altair adds its view size
    assert spec["layer"] == compiled["layer"]


@pytest.mark.parametrize("op", ["|", "&", "+"])
def test_two_charts_of_one_spec_compose_and_render(chart: Any, op: str) -> None:
    composed = {"|": lambda a, b: a | b, "&": lambda a, b: a & b, "+": lambda a, b: a + b}[op](chart, chart)
    spec = composed.to_dict()
    assert_valid_vega_lite(spec)
    assert spec["config"]["axis"] == chartspec.to_vegalite(SEED)["config"]["axis"]  # chartspec's look kept
    params = [n for n in _names(spec) if n.startswith(HOVER_PARAM)]
    assert params == sorted(set(params)) and len(params) == 2, params  # renamed apart: Vega refuses duplicates
    svg = vlc.vegalite_to_svg(spec)
    assert svg.count(">RL Training Progression<") == (1 if op == "+" else 2)


def test_nested_layouts_keep_every_name_distinct(chart: Any) -> None:
    spec = ((chart | chart) & chart).to_dict()
    hover = [n for n in _names(spec) if n.startswith(HOVER_PARAM)]
    assert len(hover) == 3 == len(set(hover))
    assert vlc.vegalite_to_svg(spec).count(">RL Training Progression<") == 3


def test_with_a_plain_altair_chart_and_properties(chart: Any) -> None:
    bars = alt.Chart(alt.InlineData(values=[{"a": 1}, {"a": 2}])).mark_bar().encode(x="a:Q")
    spec = (chart.properties(width=200, title="Side by side") | bars).to_dict()
    assert spec["hconcat"][0]["width"] == 200 and spec["hconcat"][0]["title"] == "Side by side"
    assert "<svg" in vlc.vegalite_to_svg(spec)


def test_configure_on_the_composition_wins(chart: Any) -> None:
    spec = (chart | chart).configure_axis(labelFontSize=17).to_dict()
    assert spec["config"]["axis"]["labelFontSize"] == 17
    assert spec["background"] == chartspec.to_vegalite(SEED)["background"]


def test_interactive_zooms_x_and_clips_the_marks(chart: Any) -> None:
    spec = chart.interactive().to_dict()
    zoom = [p for p in _params(spec) if p.get("bind") == "scales"]
    assert zoom == [{"name": "chartspec_zoom", "select": {"type": "interval", "encodings": ["x"]}, "bind": "scales"}]
    assert all(unit["mark"]["clip"] is True for unit in _units(spec))
    assert "<svg" in vlc.vegalite_to_svg(spec)
    # the chart itself is left as it was, and a chart that zooms already gets no second zoom
    assert not [p for p in _params(chart.to_dict()) if p.get("bind") == "scales"]
    assert chart.interactive().interactive().to_dict() == spec


def _params(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return list(node.get("params", [])) + [p for k, v in node.items() if k not in ("data", "datasets", "params")
                                               for p in _params(v)]
    return [p for item in node for p in _params(item)] if isinstance(node, list) else []


def _units(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        own = [node] if "mark" in node else []
        return own + [u for k, v in node.items() if k not in ("data", "datasets") for u in _units(v)]
    return [u for item in node for u in _units(item)] if isinstance(node, list) else []


def test_a_facet_and_a_layout_spec_compose(chart: Any) -> None:
    facet = chartspec.compile(SPECS / "layout_facet_optimizers.yaml")
    layout = chartspec.compile(SPECS / "layout_hconcat_training.yaml")
    assert isinstance(facet, alt.FacetChart) and isinstance(layout, alt.HConcatChart)
    spec = (facet & layout & chart).to_dict()
    assert_valid_vega_lite(spec)
    assert "<svg" in vlc.vegalite_to_svg(spec)
