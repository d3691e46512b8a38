"""Text holding half a character: the renderer's error placed at the calculate that cut it.

JavaScript counts a character past U+FFFF (an emoji) as two UTF-16 units, so ``substring('😀abc',
0, 1)`` keeps half of it: a lone surrogate. Vega holds such text, but vl-convert cannot measure it
("Failed to deserialize text info: unexpected end of hex escape"), so drawing a label, legend entry
or header of it failed with that message and no place in the spec. The calculates of the chart run
again in Python (data/evaluate.py, which counts units as JavaScript does) to find the one that cut
a character; the error is given at it, else at the file, in words a user can act on.
"""

from __future__ import annotations

from ..data.evaluate import cut_in_half
from ..data.layerdata import layer_dates, layer_steps
from ..data.loaded import ConcatSpec, Spec
from ..errors import Diagnostic
from ..spec.model import ChartSpec, Layer

__all__ = ["cuts_a_character", "half_character_error", "layer_cut"]

#: how vl-convert fails on text with a lone surrogate (serde_json reading the text Vega measures)
_SIGN = "Failed to deserialize text info"
_HINT = ("JavaScript counts a character past U+FFFF (an emoji) as two units: cut text at whole characters "
         "(substring(text, 0, 2) keeps all of '\U0001F600'), or leave such characters out of it")


def cuts_a_character(reason: str) -> bool:
    """Is the renderer's ``reason`` the failure of text with half a character?"""
    return _SIGN in reason and ("hex escape" in reason or "surrogate" in reason)


def layer_cut(chart: Spec, layer: Layer, head: str = "cannot draw the chart") -> Diagnostic | None:
    """The error at the calculate of ``layer`` that cuts a character in half on one of its rows
    (None: none does, or Python cannot run its transforms)."""
    model = chart.model
    assert isinstance(model, ChartSpec)
    own = chart.layer_tables[layer.index] if layer.index < len(chart.layer_tables) else None
    steps = layer_steps(layer, model, own is not None)
    rows = (own if own is not None else chart.table).rows
    found = cut_in_half(rows, steps, model.x.field, layer_dates(layer, model)) if steps else None
    if found is None:
        return None
    return chart.source.diagnostic(f"{head}: this calculate cuts a character past U+FFFF in half, and text "
                                   "holding half a character cannot be drawn", found.json_path + ("calculate",),
                                   hint=_HINT)


def half_character_error(spec: Spec, message: str) -> Diagnostic:
    """The error for text with half a character: at the calculate that cut it, when Python finds
    it, else at the file. ``message`` starts as 'rendering svg failed'."""
    head = message.split(": ", 1)[0]
    for chart in _charts(spec):
        assert isinstance(chart.model, ChartSpec)
        for layer in chart.model.layers:
            if (found := layer_cut(chart, layer, head)) is not None:
                return found
    return Diagnostic(f"{head}: a text to draw holds half a character past U+FFFF (an emoji cut in half by "
                      "substring, slice or a regular expression), which cannot be drawn",
                      file=spec.source.file, hint=_HINT)


def _charts(spec: Spec) -> list[Spec]:
    """The single charts of ``spec``: itself, or a layout's items (nested layouts included)."""
    model = spec.model
    if isinstance(model, ConcatSpec):
        return [chart for item in model.items for chart in _charts(item)]
    return [spec] if isinstance(model, ChartSpec) else []
