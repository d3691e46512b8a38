"""Large inline tables kept out of the Vega-Lite compiler (render/vegadata.py): the same SVG, and
the stand-ins refused wherever they are not a dataset's whole values."""

from __future__ import annotations

import copy
import json
from typing import Any

import vl_convert as vlc

from chartspec.compiler.common import VEGA_LITE_VERSION
from chartspec.render import engine
from chartspec.render.vegadata import MIN_ROWS, with_tables, without_tables


def _rows(n: int, shift: float) -> list[dict[str, Any]]:
    return [{"step": i, "loss": round(1 / (i + 1) + shift, 4), "run": f"r{i % 3}"} for i in range(n)]


def _layered(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> dict[str, Any]:
    line = {"mark": "line", "encoding": {"x": {"field": "step", "type": "quantitative"},
                                         "y": {"field": "loss", "type": "quantitative"},
                                         "color": {"field": "run", "type": "nominal"}}}
    return {"width": 300, "height": 200, "layer": [{**line, "data": {"values": first}},
                                                   {**line, "data": {"values": second}, "mark": "point"}]}


def _plain_svg(vl: dict[str, Any]) -> str:
    return vlc.vegalite_to_svg(vl, vl_version=VEGA_LITE_VERSION, allowed_base_urls=[])


def test_a_large_chart_draws_the_same_svg_through_the_stand_ins() -> None:
    vl = _layered(_rows(MIN_ROWS, 0.0), _rows(MIN_ROWS // 2, 0.5))
    kept = copy.deepcopy(vl)
    light, tables = without_tables(vl)
    assert [len(t) for t in tables] == [MIN_ROWS, MIN_ROWS // 2]
    assert vl == kept  # the caller's spec is not changed
    assert engine.draw_svg(vl) == _plain_svg(vl)


def test_equal_tables_share_one_stand_in_as_vega_lite_merges_them() -> None:
    rows = _rows(MIN_ROWS, 0.0)
    vl = _layered(rows, [dict(r) for r in rows])  # equal, not the same list
    light, tables = without_tables(vl)
    assert len(tables) == 1
    vega = vlc.vegalite_to_vega(light, vl_version=VEGA_LITE_VERSION)
    assert with_tables(vega, tables)
    assert sum(d.get("values") is tables[0] for d in vega["data"]) == 1
    assert engine.draw_svg(vl) == _plain_svg(vl)


def test_a_small_chart_is_left_as_it_is() -> None:
    vl = _layered(_rows(10, 0.0), _rows(10, 0.5))
    light, tables = without_tables(vl)
    assert light is vl and tables == []


def test_stand_ins_found_elsewhere_or_twice_are_refused() -> None:
    stand_in = [{"__chartspec_table": 0}]
    assert not with_tables({"data": [{"name": "a", "values": stand_in}, {"name": "b", "values": stand_in}]}, [[1]])
    assert not with_tables({"data": [{"name": "a", "values": stand_in}],
                            "marks": [{"from": {"data": "a"}, "name": "__chartspec_table"}]}, [[1]])
    assert not with_tables({"data": [{"name": "a", "values": [{"x": 1}]}]}, [[1]])  # not found at all
    assert not with_tables({"data": [{"name": "a", "values": [{"__chartspec_table": 5}]}]}, [[1]])
    vega = {"data": [{"name": "a", "values": stand_in}]}
    assert with_tables(vega, [[{"x": 1}]]) and vega["data"][0]["values"] == [{"x": 1}]


def test_a_refused_compile_is_drawn_in_one_call(monkeypatch: Any) -> None:
    import chartspec.render.vegadata as vegadata

    monkeypatch.setattr(vegadata, "with_tables", lambda vega, tables: False)
    vl = _layered(_rows(MIN_ROWS, 0.0), _rows(MIN_ROWS, 0.5))
    assert engine.draw_svg(vl) == _plain_svg(vl)


def _with_tooltips(mark: str, n: int) -> dict[str, Any]:
    enc = {"x": {"field": "step", "type": "quantitative"}, "y": {"field": "loss", "type": "quantitative"},
           "color": {"field": "run", "type": "nominal"},
           "tooltip": [{"field": "step", "type": "quantitative"}, {"field": "loss", "type": "quantitative", "format": ".2f"}]}
    if mark == "text":
        enc["text"] = {"field": "run"}
    if mark in ("bar", "rect"):
        enc["x"] = {"field": "step", "type": "ordinal", "axis": None}
    return {"width": 300, "height": 200, "data": {"values": _rows(n, 0.0)}, "mark": {"type": mark, "tooltip": True},
            "encoding": enc}


def test_tooltips_left_out_of_an_image_change_no_byte_of_it() -> None:
    from chartspec.render.vegadata import at_rest

    for mark in ("line", "area", "trail", "point", "bar", "rect", "tick", "text", "rule"):
        vl = _with_tooltips(mark, 200 if mark in ("bar", "rect", "text") else MIN_ROWS)
        vega = vlc.vegalite_to_vega(vl, vl_version=VEGA_LITE_VERSION)
        assert '"tooltip"' in json.dumps(vega), mark
        rest = at_rest(copy.deepcopy(vega))
        assert '"tooltip"' not in json.dumps({k: v for k, v in rest.items() if k != "data"}), mark
        drawn = vlc.vega_to_svg(rest, allowed_base_urls=[])
        assert drawn == vlc.vega_to_svg(vega, allowed_base_urls=[]), mark
        if mark not in ("bar", "rect", "text"):
            assert engine.draw_svg(vl) == _plain_svg(vl), mark  # through the stand-ins: at_rest applies
