"""Titles with line breaks: Vega-Lite writes channel titles into expressions unescaped (tooltip keys,
the ARIA description), so they reach the renderer on one line and the axis shows them as lines."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import chartspec
from chartspec.render.export import render

SPEC = """\
data:
  values: [{a: 1, b: 2}, {a: 2, b: 3}]
x: {field: a, title: "Step\\n(thousands)"}
layers:
  - {y: {field: b, title: "Loss%s(nats)"}}
"""


def _axis_title_lines(svg: bytes) -> list[list[str]]:
    root = ET.fromstring(svg)
    titles = []
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if "role-axis-title" in (group.get("class") or ""):
            for text in group.iter("{http://www.w3.org/2000/svg}text"):
                titles.append([t.text or "" for t in text.iter("{http://www.w3.org/2000/svg}tspan")])
    return titles


@pytest.mark.parametrize("mark", ["\\n", "\\r\\n", "\\u2028"])
def test_line_breaks_in_titles_render_as_lines(mark: str) -> None:
    vl = chartspec.to_vegalite(chartspec.loads(SPEC % mark, file="t.yaml"))
    out = render(vl, ("svg", "html"))  # the HTML adds the hover tooltip, which Vega parsed and failed on
    assert sorted(_axis_title_lines(out["svg"])) == [["Loss", "(nats)"], ["Step", "(thousands)"]]
    tooltips = [t for layer in vl["layer"] for t in layer.get("encoding", {}).get("tooltip", [])]
    assert tooltips and all("\n" not in t["title"] for t in tooltips)


def test_a_break_only_title_does_not_stop_the_build() -> None:
    """Found by the property test: an x title of a single line break made every output fail."""
    text = SPEC.replace("Step\\n(thousands)", "\\n") % " "
    out = render(chartspec.to_vegalite(chartspec.loads(text + "interactive: true\n", file="t.yaml")), ("svg", "html"))
    assert out["svg"].startswith(b"<svg") and b"<html" in out["html"][:400].lower()
