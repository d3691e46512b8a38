"""Column names with quotes, dots, brackets and backslashes are drawn as the columns they name.

Vega reads a field name as an access path: ``a.b`` is field ``b`` of ``a``, and a quote opens a
quoted part, so ``say "hi"`` fails to render ("Access path missing closing quote") and ``'x'`` is
read as ``x``. Every such character must be escaped wherever chartspec writes a field.
"""

from __future__ import annotations

import json

import pytest
import vl_convert as vlc
from conftest import assert_valid_vega_lite, drawn_vegalite
from svgchart import parse_svg

import chartspec

NAMES = ["it's", 'say "hi"', '"quoted"', "'x'", "a.b", "c[0]", "back\\slash", "x'].y['z"]


def _spec(y: str, run: str) -> str:
    rows = [{"step": s, y: v, run: r} for r in ("a", "b") for s, v in ((0, 3.0), (1, 2.0), (2, 1.5))]
    return json.dumps({"data": {"values": rows}, "x": {"field": "step"},
                       "layers": [{"y": {"field": y}, "color": {"field": run}}]})


@pytest.mark.parametrize("name", NAMES)
def test_odd_names_draw_their_lines(name: str) -> None:
    vl = drawn_vegalite(chartspec.loads(_spec(name, "run " + name)))
    assert_valid_vega_lite(vl)
    chart = parse_svg(vlc.vegalite_to_svg(vl))
    lines = [i for i in chart.by_role("mark", "line") if i.tag == "path"]
    assert [len(line.vertices()) for line in lines] == [3, 3]
    # at three heights (3.0, 2.0, 1.5): a field Vega misreads draws a flat line along the top
    assert [len({round(y, 2) for _, y in line.vertices()}) for line in lines] == [3, 3]
    assert sorted(a.title for a in chart.axes) == sorted(["step", name])
    assert sorted(chart.texts("legend-label")) == ["a", "b"]


@pytest.mark.parametrize("name", NAMES)
def test_odd_names_in_the_hover_view_compile(name: str) -> None:
    vl = chartspec.to_vegalite(chartspec.loads(_spec(name, "run " + name)))
    assert_valid_vega_lite(vl)
    svg = vlc.vegalite_to_svg(vl)  # the interactive view (hover layer included) renders too
    assert "mark-line" in svg
