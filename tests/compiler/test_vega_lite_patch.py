"""The `vega_lite:` escape hatch: an RFC 7386 merge patch over the compiled Vega-Lite."""

from __future__ import annotations

from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import RunCli, assert_valid_vega_lite

import chartspec
from chartspec.compiler.patch import merge_patch

BASE = """\
title: Patched
data: {values: [{a: 1, b: 2}, {a: 2, b: 3}, {a: 3, b: 1}]}
x: {field: a}
layers: [{y: {field: b}, point: circle}]
"""


@pytest.mark.parametrize("target, patch, expected", [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
])
def test_merge_patch_follows_rfc_7386(target: object, patch: object, expected: object) -> None:
    before = repr(target)
    assert merge_patch(target, patch) == expected
    assert repr(target) == before  # the target is not modified


def test_patch_reaches_the_rendered_chart() -> None:
    spec = chartspec.loads(BASE + "vega_lite:\n  config: {axis: {labelFontSize: 21}}\n  title: {anchor: start}\n")
    vl = chartspec.to_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert vl["config"]["axis"]["labelFontSize"] == 21
    assert vl["config"]["axis"]["gridColor"] == "#dddddd"  # merged, not replaced
    assert vl["title"] == {"text": "Patched", "anchor": "start"}
    svg = vlc.vegalite_to_svg(vl)
    assert 'font-size="21px"' in svg


def test_null_deletes_compiled_keys() -> None:
    spec = chartspec.loads(BASE + "vega_lite: {background: null}\n")
    vl = chartspec.to_vegalite(spec)
    assert "background" not in vl
    assert_valid_vega_lite(vl)


def test_invalid_patch_is_a_positioned_error_with_a_hint() -> None:
    spec = chartspec.loads(BASE + "vega_lite:\n  width: wide\n  layer: [{mark: lines}]\n", file="p.yaml")
    with pytest.raises(chartspec.CompileError) as info:
        chartspec.to_vegalite(spec)
    width, replaced, mark = info.value.diagnostics  # (the layer list replaced whole: its own error, below)
    assert "replaces the compiled chart's" in replaced.message
    assert (width.file, width.line, width.column) == ("p.yaml", 6, 10)
    assert "width" in width.message
    assert (mark.line, mark.column) == (7, 18)
    assert "'lines' is not a valid value" in mark.message and mark.hint == "did you mean 'line'?"


def test_patch_must_be_a_mapping() -> None:
    with pytest.raises(chartspec.SpecValidationError, match="'vega_lite': expected a mapping"):
        chartspec.loads(BASE + "vega_lite: [1, 2]\n")


def test_bad_patch_fails_only_its_spec_in_a_build(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "good.yaml").write_text(BASE)
    (tmp_path / "bad.yaml").write_text(BASE + "vega_lite: {layer: [{mark: lines}]}\n")
    proc = run_cli("build", ".", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 1
    assert "bad.yaml:5:28: error: the patched Vega-Lite is invalid at layer/0/mark" in proc.stderr
    assert (tmp_path / "out" / "good.svg").exists() and not (tmp_path / "out" / "bad.svg").exists()


def test_the_patch_is_checked_without_the_compiled_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    """jsonschema walked every inline row of the patched chart: 20 s for 180,000 rows to report a
    bad `config` patch (breaker16 #7). The check sees the first row of each dataset; the chart
    keeps every row."""
    from chartspec.spec import vegalite_schema

    seen: list[dict] = []
    check = vegalite_schema.vega_lite_errors
    monkeypatch.setattr(vegalite_schema, "vega_lite_errors", lambda vl: seen.append(vl) or check(vl))
    rows = ", ".join(f"{{step: {i}, loss: {i % 7}}}" for i in range(500))
    vl = chartspec.to_vegalite(chartspec.loads(
        f"data: {{values: [{rows}]}}\nx: {{field: step}}\nlayers: [{{mark: line, y: {{field: loss}}}}]\n"
        "vega_lite: {config: {view: {stroke: transparent}}}\n"))
    assert vl["config"]["view"]["stroke"] == "transparent" and len(vl["data"]["values"]) == 500
    assert seen and len(seen[0]["data"]["values"]) == 1


def test_a_patch_replacing_the_charts_layers_is_an_error_before_vega(run_cli: RunCli, tmp_path: Path) -> None:
    """breaker17 F9: 'vega_lite: {layer: [{mark: ...}]}' validated, then the build failed inside
    Vega ('Cannot read properties of undefined'): the patch replaced the compiled layers whole."""
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "p.yaml").write_text(BASE + "vega_lite: {layer: [{mark: {type: line, strokeWidth: 4}}]}\n")
    for command in ("validate", "build"):
        proc = run_cli(command, "p.yaml", cwd=tmp_path)
        assert proc.returncode == 1 and "p.yaml:5:20: error: 'vega_lite.layer' replaces the compiled chart's" in \
            proc.stderr, proc.stderr
        assert "RFC 7386" in proc.stderr and "hint: restyle a layer with its own keys" in proc.stderr
        assert "Traceback" not in proc.stderr and "TypeError" not in proc.stderr
