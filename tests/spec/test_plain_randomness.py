"""Plain Vega-Lite that draws with Vega's random numbers is found and located, for a build note:
vl-convert has no seed, so such a chart is the one exception to byte-identical outputs."""

from __future__ import annotations

from pathlib import Path

import pytest
import vl_convert

from chartspec.render.engine import VEGA_LITE_VERSION
from chartspec.spec.jsonload import read_document
from chartspec.spec.plain import random_notes, random_uses
from chartspec.spec.yamlload import load_yaml

SPEC = """\
title: random() in a title is text
data: {values: [{a: "random()"}]}
transform:
  - {calculate: "random() * 2", as: r}
  - {sample: 10}
  - {filter: "datum.a > 0"}
layer:
  - mark: {type: errorband, extent: ci}
  - {mark: bar, encoding: {y: {aggregate: ci1, field: a}}}
  - params: [{name: p, expr: "myrandom(1) + random (2)"}]
  - transform: [{joinaggregate: [{op: ci0, field: a, as: lo}]}]
config: {errorbar: {extent: ci}}
"""


def test_every_use_of_randomness_is_found_and_nothing_else() -> None:
    doc = load_yaml(SPEC, "r.vl.yaml")
    assert random_uses(doc.data) == [
        (("transform", 0, "calculate"), "the expression function random()"),
        (("transform", 1, "sample"), "the sample transform"),
        (("layer", 0, "mark", "extent"), "a bootstrap confidence interval"),
        (("layer", 1, "encoding", "y", "aggregate"), "a bootstrap confidence interval"),
        (("layer", 2, "params", 0, "expr"), "the expression function random()"),
        (("layer", 3, "transform", 0, "joinaggregate", 0, "op"), "a bootstrap confidence interval"),
        (("config", "errorbar", "extent"), "a bootstrap confidence interval"),
    ]


def test_notes_point_at_the_place() -> None:
    doc = load_yaml(SPEC, "r.vl.yaml")
    notes = random_notes(doc.data, doc.source)
    assert {n.severity for n in notes} == {"note"}
    first = notes[0]
    assert (first.file, first.line, first.column) == ("r.vl.yaml", 4, 17)
    assert first.format().startswith("r.vl.yaml:4:17: note: Vega draws the expression function random() with random")
    assert "stderr" in (first.hint or "")


@pytest.mark.parametrize("name", sorted(p.name for p in (Path(__file__).parents[1] / "render" / "plainvl").glob("*.vl.*")))
def test_deterministic_specs_get_no_note(name: str) -> None:
    path = Path(__file__).parents[1] / "render" / "plainvl" / name
    assert random_uses(read_document(path.read_text(), name).data) == []


def test_vega_bootstrap_really_differs_between_renders() -> None:
    # the reason for the note: if vl-convert ever seeds Vega's random numbers, this fails; drop the note then
    rows = [{"x": i % 3, "y": (i * 7) % 11} for i in range(60)]
    spec = {"data": {"values": rows}, "mark": {"type": "errorband", "extent": "ci"},
            "encoding": {"x": {"field": "x", "type": "quantitative"}, "y": {"field": "y", "type": "quantitative"}}}
    svgs = {vl_convert.vegalite_to_svg(spec, vl_version=VEGA_LITE_VERSION) for _ in range(3)}
    assert len(svgs) > 1
