"""Column names holding a backslash (or other characters Vega reads specially) are drawn as the
columns they name, through every output, with the real name in titles, tooltips and ARIA labels.

Vega-Lite (6.4) drops a field's backslash escape on its way to Vega's encoders, so ``gpu\\util``
was read as ``gpuutil``: a flat line along the top, an axis "from NaN to NaN"; and it writes titles
into expressions without escaping backslashes (``"gpu\\util"`` is a bad escape, ``"a\\b"`` a
backspace that XML cannot hold). compiler/fieldalias.py and common.one_line_titles fix both.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import build_specs, built_vegalite
from svgchart import parse_svg

NAMES = ["gpu\\util", "a\\b", "back\\slash", "x.y\\z", "end\\", "\\\\", "q\\\"uote", "c[0]\\n", "it's"]
VALUES = [5.0, 6.0, 8.0]


def _project(tmp_path: Path, name: str) -> Path:
    rows = [{"step": s, name: v, "run": "r"} for s, v in enumerate(VALUES)]
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "d.json").write_text(json.dumps(rows), encoding="utf-8")
    spec = {"data": "d.json", "x": {"field": "step"}, "layers": [{"y": {"field": name}}]}
    (tmp_path / "c.yaml").write_text(json.dumps(spec), encoding="utf-8")  # JSON is YAML
    return tmp_path / "c.yaml"


def _line_values(svg: str, name: str) -> list[float]:
    chart = parse_svg(svg)
    [line] = [i for i in chart.by_role("mark", "line") if i.tag == "path"]
    fit = chart.axis(name).scale()
    return [fit.value(y) for _, y in line.vertices()]


@pytest.mark.parametrize("name", NAMES)
def test_every_output_draws_the_column(tmp_path: Path, name: str) -> None:
    out = build_specs(tmp_path / "out", [_project(tmp_path, name)], "svg,png,html,json")
    svg = (out / "c.svg").read_text(encoding="utf-8")
    assert _line_values(svg, name) == pytest.approx(VALUES, abs=0.05)  # not flat: the real values
    assert f"values from {VALUES[0]:.1f} to {VALUES[-1]:.1f}" in svg.replace("&#39;", "'")
    assert "NaN" not in svg
    # the mark's ARIA description names the column as it is
    import html

    labels = [html.unescape(a) for a in re.findall(r'aria-label="([^"]*)"', svg)]
    assert f"step: 0; {name}: 5" in labels

    from PIL import Image  # the PNG draws the same line (rendered, not only written)

    png = Image.open(io.BytesIO((out / "c.png").read_bytes())).convert("RGB")
    blue = {px for px in png.getdata() if px[2] > 150 and px[0] < 100}
    assert blue  # the line's colour is in the picture

    vl = built_vegalite(out, "c", hover=True)
    page = (out / "c.html").read_text(encoding="utf-8")
    assert "chart could not be read" not in page or "NaN" not in page
    hover_svg = vlc.vegalite_to_svg(vl)  # the interactive view (hover layer, tooltips) renders
    assert _line_values(hover_svg, name) == pytest.approx(VALUES, abs=0.05)
    signals = _tooltip_keys(vlc.vegalite_to_vega(vl))
    assert name in signals  # the hover tooltip's title is the real name, not an escaped one


def _tooltip_keys(vega: dict) -> set[str]:  # type: ignore[type-arg]
    """Every object key of the tooltip expressions Vega will evaluate, as JavaScript reads it."""
    keys: set[str] = set()
    for text in re.findall(r'"signal": "((?:[^"\\]|\\.)*)"', json.dumps(vega)):
        expr = json.loads(f'"{text}"')
        if expr.startswith("{"):
            for literal in re.findall(r'(?:^\{|, )("(?:[^"\\]|\\.)*"): ', expr):
                keys.add(json.loads(literal))
    return keys


def test_a_calculated_column_with_a_backslash_and_a_series_field(tmp_path: Path) -> None:
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "d.csv").write_text("step,v,r\\un\n0,1,a\n1,3,a\n2,2,a\n0,2,b\n1,4,b\n2,3,b\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text(
        'data: d.csv\ntransform: [{calculate: "datum.v * 10", as: "v\\\\k"}]\nx: {field: step}\n'
        'layers: [{y: {field: "v\\\\k"}, color: {field: "r\\\\un"}}]\n', encoding="utf-8")
    out = build_specs(tmp_path / "out", [tmp_path / "c.yaml"], "svg")
    chart = parse_svg(out / "c.svg")
    fit = chart.axis("v\\k").scale()
    lines = [[round(fit.value(y)) for _, y in i.vertices()] for i in chart.by_role("mark", "line") if i.tag == "path"]
    assert sorted(lines) == [[10, 30, 20], [20, 40, 30]]
    assert sorted(chart.texts("legend-label")) == ["a", "b"]


def test_a_column_named_like_the_alias_is_not_overwritten(tmp_path: Path) -> None:
    # a breaker's finding: columns 'st\ep' and 'st⧵ep' (U+29F5); the y axis showed the first's values
    rows = [{"st\\ep": s, "st\u29f5ep": 100 * s, "v": s} for s in (1, 2, 3)]
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "d.json").write_text(json.dumps(rows), encoding="utf-8")
    spec = {"data": "d.json", "x": {"field": "st\\ep"}, "layers": [{"y": {"field": "st\u29f5ep"}}]}
    (tmp_path / "c.yaml").write_text(json.dumps(spec), encoding="utf-8")
    out = build_specs(tmp_path / "out", [tmp_path / "c.yaml"], "svg")
    assert _line_values((out / "c.svg").read_text(encoding="utf-8"), "st\u29f5ep") == pytest.approx(
        [100, 200, 300], abs=3)


def test_series_values_with_a_backslash_and_a_digit_draw_literally(tmp_path: Path) -> None:
    # a breaker's finding: runs named g\0 and g\1 failed the spec ("the escape \0 makes a control
    # character"): the colour scale's domain lists data values, which no renderer reads as JavaScript
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "d.csv").write_text("step,loss,grp\n0,1,g\\0\n1,2,g\\0\n0,3,g\\1\n1,4,g\\1\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("data: d.csv\nx: {field: step}\nlayers: [{y: {field: loss}, color: {field: grp}}]\n",
                                     encoding="utf-8")
    out = build_specs(tmp_path / "out", [tmp_path / "c.yaml"], "svg")
    legend = parse_svg(out / "c.svg").by_role("legend-label")
    assert sorted(item.text for item in legend) == ["g\\0", "g\\1"]
