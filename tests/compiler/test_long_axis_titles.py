"""Axis titles longer than their side of the plot end in an ellipsis at the plot's edge: Vega drew
them whole, and a long metric name as the y title stretched a 200 px chart with blank space."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import chartspec
from chartspec.render.export import render

LONG = "train/episode_reward_mean_over_the_last_one_hundred_episodes_smoothed"
SPEC = f"""\
height: 200
width: 300
data:
  values: [{{step: 1, "{LONG}": 2, loss: 1}}, {{step: 2, "{LONG}": 3, loss: 0.5}}]
x: {{field: step, title: "{LONG} against steps"}}
layers:
  - {{y: {{field: "{LONG}"}}}}
  - {{y: {{field: loss, axis: right}}}}
"""
SVG = "{http://www.w3.org/2000/svg}"


def _titles(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for g in root.iter(f"{SVG}g") if "role-axis-title" in (g.get("class") or "")
            for t in g.iter(f"{SVG}text")]


def _encodings(node: object) -> list[dict]:
    if isinstance(node, dict):
        return ([node["encoding"]] if "encoding" in node else []) + [e for v in node.values() for e in _encodings(v)]
    return [e for v in node for e in _encodings(v)] if isinstance(node, list) else []


def test_a_long_axis_title_is_cut_at_the_plot_and_a_short_one_is_left_alone() -> None:
    vl = chartspec.to_vegalite(chartspec.loads(SPEC, file="t.yaml"))
    found = _encodings(vl["layer"])
    axes = {e["y"]["axis"]["orient"]: e["y"]["axis"] for e in found if "axis" in e.get("y", {})}
    assert axes["left"]["titleLimit"] == 200 and "titleLimit" not in axes["right"]
    assert {e["x"]["axis"].get("titleLimit") for e in found if "axis" in e.get("x", {})} == {300}
    svg = render(vl, ("svg",))["svg"]
    titles = _titles(svg)
    cut = [t for t in titles if t.endswith("…")]
    assert len(cut) == 2 and all(LONG.startswith(t[:-1]) for t in cut), titles
    assert "loss" in titles
    height = float(ET.fromstring(svg).get("height"))
    assert height < 200 + 80  # the plot, the x axis and its title: no room made for the whole title
