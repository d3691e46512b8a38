"""export.draw_ahead: Vega starts on the chart at rest before render() asks, exactly when render()
will use the SVG, and render() gets the same SVG, or the same error, as from a draw of its own."""

from __future__ import annotations

from typing import Any

import pytest

from chartspec.render import engine
from chartspec.render.export import draw_ahead

VL: dict[str, Any] = {"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a"}}}


def _counting() -> tuple[list[dict[str, Any]], Any]:
    calls: list[dict[str, Any]] = []

    def draw(vl: dict[str, Any]) -> str:
        calls.append(vl)
        return '<svg xmlns="http://www.w3.org/2000/svg"></svg>'

    return calls, draw


@pytest.mark.parametrize(("formats", "fallback", "drawn"), [
    (("svg",), True, True), (("png",), False, True), (("html",), True, True), (("html",), False, False),
    (("json",), True, False), (("fragment", "json"), False, False)])
def test_it_draws_ahead_only_what_render_will_use(formats: tuple[str, ...], fallback: bool, drawn: bool) -> None:
    calls, draw = _counting()
    got = draw_ahead(VL, formats, draw, fallback=fallback)
    if drawn:
        assert got is not draw and got(VL).startswith("<svg") and calls == [VL]
    else:
        assert got is draw and calls == []


def test_an_error_of_the_draw_reaches_render_as_it_was() -> None:
    def fails(vl: dict[str, Any]) -> str:
        raise engine.EngineError("Vega refused it")

    with pytest.raises(engine.EngineError, match="Vega refused it"):
        draw_ahead(VL, ("svg",), fails)(VL)
