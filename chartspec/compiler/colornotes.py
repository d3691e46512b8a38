"""Series that share a colour: more series than the palette has colours.

The series take the palette's colours in turn (the theme's ``range.category``, chartspec's ten
by default; series.py), or a layer's ``scheme``: a categorical scheme is taken in turn too. So the
11th run of a ten-colour palette gets the first run's colour, and Vega-Lite draws the two alike
without a word. The build says so in a note, counted from the legend entries the compiler made,
which is where the colours are chosen; series told apart by their marker or dash are not alike,
nor are series named where they are drawn (:func:`named_in_place`): a direct label at each line's
end, a panel header when the colour field is the facet's, a tick label when it is a discrete axis'.
Colours the spec sets itself are its author's choice and are never counted; a run that meets one
of them is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ..data.layerdata import LayerData, layer_steps
from ..data.values import shared_color_layers
from ..errors import Diagnostic, quoted
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Calculate
from .schemes import scheme_colors
from .series import Entry

__all__ = ["named_in_place", "nonfinite_series_notes", "shared_color_notes"]

_HINT = ("colour by a scheme with more colours ('scheme: tableau20' has 20; a sequential one such as 'turbo' "
         "spreads its colours over the series, distinct up to a few hundred), give the theme a longer "
         "'range.category', or draw the series in panels with 'facet'")


def shared_color_notes(model: ChartSpec, found: Sequence[Entry], palette: Sequence[str],
                       source: SourceMap) -> list[Diagnostic]:
    """A note per layer of a colour field whose series share a colour with another legend entry,
    and one for the single-series layers that do."""
    layers = {layer.index: layer for layer in model.layers}
    # a series named where it is drawn is told apart from its look-alikes by that name
    bare = _drawn_unnamed(model)
    found = [e for e in found if e.layer not in layers or e.layer in bare]
    uses = Counter(_look(e) for e in found)
    shared = [e for e in found if uses[_look(e)] > 1]
    if not shared:
        return []
    notes: list[Diagnostic] = []
    for layer in model.layers:
        if layer.series is None:
            continue
        mine = [e for e in found if e.layer == layer.index]
        alike = [e for e in mine if uses[_look(e)] > 1]
        if not alike:
            continue
        scheme = layer.series.scheme
        colours = len({c.lower() for c in scheme_colors(scheme, len(mine))}) if scheme else len(palette)
        where = f"scheme {scheme!r} gives {colours:,} colours" if scheme else f"the palette has {colours:,} colours"
        notes.append(_note(source, f"{len(alike):,} of the {len(mine):,} series of {layer.series.field!r} share their "
                           f"colour with another series drawn alike ({where}): they look the same in the chart",
                           bare[layer.index].json_path + ("color", "field")))
    plain = [e for e in shared if e.layer in layers and _palette_coloured(layers[e.layer])]
    if plain:
        first = layers[plain[-1].layer]  # the later of two alike: the one that took a used colour
        notes.append(_note(source, f"{len(plain):,} of the {len(layers):,} layers share their colour with another "
                           f"series drawn alike (the palette has {len(palette):,} colours): they look the same in the "
                           "chart", first.json_path,
                           hint="give the layers their own 'color', or the theme a longer 'range.category'"))
    return notes


def named_in_place(layer: Layer, model: ChartSpec) -> bool:
    """Does the chart write each series' name of ``layer`` beside what it draws, legend or not: a
    direct label at the line's end (``label: end``), the header of the panel when the colour field
    is a facet field (one series of the layer per panel), or the tick label of a discrete x or y
    axis on the colour field (one series per tick)?"""
    if layer.series is None:
        return layer.label is not None
    field = layer.series.field
    facet = model.facet
    panels = facet is not None and field in (facet.field, facet.row, facet.column)
    ticks = any(axis.field == field and axis.type in ("nominal", "ordinal") for axis in (model.x, layer.y))
    return layer.label is not None or panels or ticks


def _drawn_unnamed(model: ChartSpec) -> dict[int, Layer]:
    """Per layer listing legend entries, the first layer drawing them without their names. Layers
    sharing a colour field (``loss`` and ``val_loss`` by ``run``) list its runs once, under the
    first: a label at the end of one layer's lines leaves another layer's lines unnamed."""
    shared = [layer for layer in model.layers if layer.index in shared_color_layers(model)]
    out = {}
    for layer in model.layers:
        drawing = shared if layer in shared else [layer]
        if (unnamed := next((m for m in drawing if not named_in_place(m, model)), None)) is not None:
            out[layer.index] = unnamed
    return out


def _look(entry: Entry) -> tuple[object, ...]:
    """What tells two series apart in the chart and legend: colour, marker and dash (twelve
    layers of one palette colour each with its own marker are not alike)."""
    return entry.color.lower(), entry.shape, entry.dash, entry.glyph


def _palette_coloured(layer: Layer) -> bool:
    """A single-series layer whose colour the palette chose (not the spec, not a colour field)."""
    return layer.series is None and layer.heat is None and layer.color is None


def _note(source: SourceMap, message: str, path: tuple[str | int, ...], hint: str = _HINT) -> Diagnostic:
    return replace(source.diagnostic(message, path, hint=hint), severity="note")


#: the series names Vega's toString gives a calculated NaN or infinity (evaluate.py keeps them so)
_NONFINITE_NAMES = ("NaN", "Infinity", "-Infinity")


def nonfinite_series_notes(model: ChartSpec, data: LayerData, source: SourceMap) -> list[Diagnostic]:
    """A note at the calculate that makes a colour field NaN or infinite on some rows. The chart
    draws those rows as Vega names them, a series 'NaN' or 'Infinity' in a colour of its own (data
    is never hidden), but a run named 'Infinity' is seldom what a division by zero meant: the note
    says which transform made it and how to leave those rows out instead."""
    notes = []
    for layer in model.layers:
        if layer.series is None or layer.index >= len(data.exact) or not data.exact[layer.index]:
            continue
        field, own = layer.series.field, layer.index < len(data.own) and data.own[layer.index] is not None
        steps = layer_steps(layer, model, bool(own))
        made = next((t for t in reversed(steps) if isinstance(t, Calculate) and t.as_field == field), None)
        view = data.of(layer)
        counts = {name: n for name in _NONFINITE_NAMES if (n := sum(row.get(field) == name for row in view.rows))}
        if made is None or not counts:
            continue
        # a large table's rows are those the reduction kept: a count of them would mislead
        named = " and ".join(quoted(name) if view.reduced_from else
                             f"{quoted(name)} on {n:,} {'row' if n == 1 else 'rows'}" for name, n in counts.items())
        notes.append(replace(source.diagnostic(
            f"the colour field {field!r} of layer {quoted(layer.name)} is not a finite number here: {named}; "
            "drawn as series of those names",
            made.json_path + ("calculate",),
            hint="to leave those rows out instead, give them no value (isFinite(x) ? x : null) or filter them"),
            severity="note"))
    return notes
