"""The length limit of drawn text: titles, legend names, annotation labels.

Vega draws text on one line: a 30,000-character title took Vega 18-94 s to draw before the image
was refused as too wide, without a position. The schema caps every drawn text with one
``maxLength`` (its description says so, for editors and the reference); a spec's key over it is a
positioned schema error (tests/cases/text_too_long), Vega-Lite's own titles in a ``vega_lite:``
patch or plain Vega-Lite are held to the same limit after compiling (tests/cases/vega_lite_text_too_long),
and so are the names a legend or direct label takes from the data.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from conftest import build_specs, write_tree
from svgchart import parse_svg

import chartspec
from chartspec.errors import CompileError, quoted
from chartspec.spec.schema import load_schema, max_text_length

# every key whose string is drawn as text (not a field name, colour, format or path)
DRAWN_TEXT = [
    ("properties", "title"),
    ("properties", "subtitle"),
    ("$defs", "facet", "properties", "title"),
    ("$defs", "axisCommon", "properties", "title"),
    ("$defs", "layer", "properties", "name"),
    ("$defs", "colorByField", "properties", "title"),
    ("$defs", "legend", "properties", "title"),
    ("$defs", "annotation", "properties", "text"),
    ("$defs", "annotation", "properties", "label"),
]


def _node(path: tuple[str, ...]) -> dict:  # type: ignore[type-arg]
    node = load_schema()
    for part in path:
        node = node[part]
    return node


def _length_limits(node: object, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], int]]:
    if isinstance(node, dict):
        found = [(path, node["maxLength"])] if "maxLength" in node else []
        return found + [hit for k, v in node.items() for hit in _length_limits(v, path + (k,))]
    return []


def test_every_drawn_text_has_the_one_limit_and_says_so() -> None:
    limit = max_text_length()
    assert 100 <= limit <= 1000  # long enough for any real title, short enough to draw in well under a second
    for path in DRAWN_TEXT:
        node = _node(path)
        assert node.get("maxLength") == limit, path
        assert f"At most {limit} characters." in node["description"], path
    # and no other key has a different length limit (one rule for the editor, validator and reference)
    assert {path for path, _ in _length_limits(load_schema())} == set(DRAWN_TEXT)
    reference = (Path(__file__).parents[2] / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    assert reference.count(f"At most {limit} characters.") == len(DRAWN_TEXT)


def test_text_at_the_limit_draws_fast_and_within_the_chart(tmp_path: Path) -> None:
    limit = max_text_length()
    title = ("Loss " * limit)[:limit - 1] + "!"
    src = write_tree(tmp_path / "src", {"chart.yaml": f"""title: "{title}"
data: {{values: [{{step: 1, loss: 2.5}}, {{step: 2, loss: 1.5}}]}}
x: {{field: step, title: "{title}"}}
layers:
  - y: {{field: loss}}
"""})
    started = time.perf_counter()
    chart = parse_svg(build_specs(tmp_path / "out", [src / "chart.yaml"], "svg", "-j", "0") / "chart.svg")
    assert time.perf_counter() - started < 30  # a 30,000-character title took 18-94 s and failed
    # the chart's title ends in an ellipsis at the chart's width, as legend labels do (scales.heading_limit)
    [drawn] = [item.text for item in chart.items if item.role == "title-text"]
    assert drawn.endswith("…") and title.startswith(drawn[:-1]) and len(drawn) > 50, drawn
    # an axis title longer than its side of the plot ends in an ellipsis there (compiler/scales.py)
    axis_title = [item.text for item in chart.items if item.role == "axis-title"][0]
    assert axis_title.endswith("…") and title.startswith(axis_title[:-1]) and len(axis_title) > 50


def test_names_from_the_data_are_held_to_the_same_limit(tmp_path: Path) -> None:
    limit = max_text_length()
    long = "r" * (limit + 1)
    # a run's name is a direct label (and a legend entry): refused where the colour field is named
    # (more cases, names a chart does not draw among them: tests/compiler/test_drawn_names.py)
    runs = "step,run,loss\n" + "".join(f"{s},{r},{s + i}\n" for i, r in enumerate(["a", long]) for s in range(3))
    write_tree(tmp_path, {"runs.csv": runs, "runs.yaml": "data: runs.csv\nx: {field: step}\nlayers:\n"
                          "  - y: {field: loss}\n    color: {field: run}\n    label: end\n"})
    with pytest.raises(CompileError) as caught:
        chartspec.to_vegalite(chartspec.load(tmp_path / "runs.yaml"))
    [d] = caught.value.diagnostics
    assert (d.line, d.column) == (5, 20)
    assert d.message == (f"the series {quoted('r' * (limit + 1))} of field 'run' is {limit + 1} characters long: "
                         f"more than the limit of {limit} for a direct label")
    # a folded column's name is made by a transform: the same limit, at the colour field, the hint at the fold
    wide = json.dumps([{"step": 1, "a": 1, long: 2}, {"step": 2, "a": 2, long: 3}])
    write_tree(tmp_path, {"wide.json": wide, "fold.yaml": (f"data: wide.json\nx: {{field: step}}\ntransform:\n"
                                                            f"  - fold: [a, {long}]\nlayers:\n"
                                                            "  - y: {field: value}\n    color: {field: key}\n")})
    with pytest.raises(CompileError) as caught:
        chartspec.to_vegalite(chartspec.load(tmp_path / "fold.yaml"))
    [d] = caught.value.diagnostics
    assert (d.line, d.column, d.message) == (7, 20, f"the series {quoted('r' * (limit + 1))} of field 'key' is {limit + 1} "
                                                    f"characters long: more than the limit of {limit} for a legend name")
    assert d.hint is not None and "the names of the columns the 'fold' on line 4 lists" in d.hint


def test_what_chartspec_appends_to_a_text_at_the_limit_is_not_refused(tmp_path: Path) -> None:
    # an hline's label is followed by its value, a direct label by nothing; both at the limit
    text = ("Loss " * max_text_length())[:max_text_length()]
    write_tree(tmp_path, {"runs.csv": "step,loss\n1,2.5\n2,1.5\n", "chart.yaml": (
        f"data: runs.csv\nx: {{field: step}}\nannotations:\n"
        f"  - {{hline: {{aggregate: mean, field: loss}}, label: \"{text}\"}}\n"
        f"layers:\n  - {{y: {{field: loss}}, name: \"{text}\", label: end}}\n")})
    vl = chartspec.to_vegalite(chartspec.load(tmp_path / "chart.yaml"))
    assert f"{text} 2" in json.dumps(vl)  # the label with its value (mean 2.0) is in the chart


def test_plain_vega_lite_domain_values_are_held_to_twice_the_limit_where_a_legend_draws_them(tmp_path: Path) -> None:
    # plain Vega-Lite is not held to chartspec's schema: its texts get twice the spec's limit
    long = "r" * (2 * max_text_length() + 1)
    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "data": {"values": [{"x": 1, "c": long}]},
            "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"},
                                          "color": {"field": "c", "type": "nominal", "scale": {"domain": [long]}}}}
    (tmp_path / "drawn.vl.json").write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        chartspec.to_vegalite(chartspec.load(tmp_path / "drawn.vl.json"))
    assert [d.message for d in caught.value.diagnostics] == [
        f"a value of the scale's domain (a legend or axis label) is {len(long):,} characters long: more than the limit "
        f"of {2 * max_text_length():,} for Vega-Lite's own texts (twice the {max_text_length():,} of a spec's)"]
    # with no legend, the domain's values are drawn by nothing
    spec["encoding"]["color"]["legend"] = None  # type: ignore[index]
    (tmp_path / "hidden.vl.json").write_text(json.dumps(spec), encoding="utf-8")
    assert chartspec.to_vegalite(chartspec.load(tmp_path / "hidden.vl.json"))["encoding"]["color"]["legend"] is None
