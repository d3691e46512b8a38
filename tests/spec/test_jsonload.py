"""The JSON loader: ``.json`` spec and theme files are JSON with positions, never YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from svgchart import parse_svg

import chartspec
from chartspec.errors import SpecSyntaxError
from chartspec.spec.jsonload import load_json, read_document
from chartspec.spec.source import Position
from chartspec.spec.yamlload import MAX_DEPTH

TABBED = '{\n\t"mark": "point",\n\t"data": {"values": [{"a":1}, {"a":2}]},\n\t"encoding": {"x": {"field": "a"}}\n}\n'


def test_positions_of_values_and_keys_count_a_tab_as_one_column() -> None:
    doc = load_json(TABBED, "t.vl.json")
    assert doc.data["data"]["values"] == [{"a": 1}, {"a": 2}]
    src = doc.source
    assert src.keys[("mark",)] == Position(2, 2)
    assert src.values[("mark",)] == Position(2, 10)
    assert src.values[("data", "values", 1)] == Position(3, 31)
    assert src.keys[("data", "values", 1, "a")] == Position(3, 32)
    assert src.values[("encoding", "x", "field")] == Position(4, 30)


def test_json_that_yaml_misreads_is_read_as_json() -> None:
    # no space after ':' and escaped surrogate pairs are JSON; YAML refuses or mangles both
    doc = load_json('{"a":"\\ud83d\\ude00","b":[1,2.5e3,-0.0,true,null],"c":"\\/"}')
    assert doc.data == {"a": "\U0001F600", "b": [1, 2500.0, -0.0, True, None], "c": "/"}


def test_files_are_read_by_their_name() -> None:
    assert read_document("a: 1", "s.yaml").data == {"a": 1}
    assert read_document('{"a": 1}', "s.JSON").data == {"a": 1}
    with pytest.raises(SpecSyntaxError, match="is not a JSON value"):
        read_document("a: 1", "s.vl.json")  # YAML in a .json file is an error, not silently YAML


@pytest.mark.parametrize("text, line, column, message", [
    ('{"a": 1,\n "a": 2}', 2, 2, "duplicate key 'a'"),
    ('{"a": [1, 2,]}', 1, 13, "expected a value before ']'"),
    ('{"a": 1 "b": 2}', 1, 9, "expected ',' or '}'"),
    ('{"a": NaN}', 1, 7, "'NaN' is not a JSON value"),
    ('{"a": 1e999}', 1, 7, "too large"),
    ('{"a": "\\u0002"}', 1, 7, "U+0002"),
    ('{"a": "\\ud800"}', 1, 7, "U+D800"),
    ('{"a": "tab\tinside"}', 1, 11, "invalid control character"),
    ('{"a": 1} {"b": 2}', 1, 10, "more text after the JSON value"),
    ('{"a": "open', 1, 7, "unterminated string"),
    ('{"a": ', 1, 7, "ends where a value should be"),
    ('  \n\t', 1, 1, "the spec is empty"),
    ('{a: 1}', 1, 2, 'expected a "key"'),
])
def test_errors_point_at_the_problem(text: str, line: int, column: int, message: str) -> None:
    with pytest.raises(SpecSyntaxError) as info:
        load_json(text, "bad.vl.json")
    d = info.value.first
    assert (d.file, d.line, d.column) == ("bad.vl.json", line, column)
    assert message in d.message


def test_nesting_is_limited() -> None:
    with pytest.raises(SpecSyntaxError, match=f"deeper than {MAX_DEPTH}"):
        load_json("[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2))
    assert load_json("[" * MAX_DEPTH + "]" * MAX_DEPTH).data is not None


def test_a_tab_indented_plain_vegalite_file_builds_to_svg(tmp_path: Path) -> None:
    (tmp_path / "chartspec.toml").write_text("")
    spec = tmp_path / "tabs.vl.json"
    spec.write_text(TABBED.replace('"a"}}', '"a", "type": "quantitative"}}'))
    loaded = chartspec.load(spec)
    out = tmp_path / "tabs.svg"
    chartspec.save(loaded, out)
    chart = parse_svg(out)
    assert len(chart.by_role("mark", "symbol")) == 2  # one point per row
    assert chart.axis("a").label_texts[-1] == "2.0"


def test_a_json_theme_file_may_use_tabs(tmp_path: Path) -> None:
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "themes").mkdir()
    (tmp_path / "themes" / "brand.json").write_text('{\n\t"background": "#fafafa"\n}\n')
    (tmp_path / "s.yaml").write_text("theme: themes/brand.json\ndata: {values: [{a: 1, b: 2}]}\n"
                                     "x: {field: a}\nlayers: [{y: {field: b}}]\n")
    vl = chartspec.to_vegalite(chartspec.load(tmp_path / "s.yaml"))
    assert json.dumps(vl).count("#fafafa") >= 1
