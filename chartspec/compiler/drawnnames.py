"""Names the chart takes from its data and draws: legend entries, direct labels, panel headers.

Every text a spec writes is held to the schema's one length limit (``max_text_length``: a title,
a layer's name), because Vega draws text on one line and a 30,000-character one takes minutes.
A name the data gives is held to the same limit where the chart draws it, and only there: a
colour field's values (a run's name, a folded column's, a ``calculate``'s value) in the legend or
a direct label, a layer's name taken from its y field in the same, a text mark's values, a facet
field's values in the panel headers. With no legend and no direct labels a run's name is drawn by
nothing (a hover tooltip shows it in HTML, alone), so it is not refused. Each error names the
spec's key that draws the text. The values exist only here, after the transforms ran
(data/layerdata.py): the data checks see a transform's columns without values. Axis titles are
defaults, not names telling series apart: one longer than its side of the plot ends in an ellipsis
there (scales.py: ``title_limit``); an hline's default label is checked with its value
(data/refvalues.py).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..data.layerdata import LayerData
from ..data.values import field_values, shared_color_layers
from ..errors import CompileError, Diagnostic, quoted
from ..spec.model import ChartSpec, Layer
from ..spec.schema import max_text_length
from ..spec.source import SourceMap
from ..spec.transforms import Aggregate, Calculate, Fold, Rolling, Transform
from .series import Entry, legend_shown
from .styles import Style

__all__ = ["check_drawn_names", "drawn_name_diagnostics"]

_FACET_KEYS = ("field", "row", "column")


def check_drawn_names(model: ChartSpec, found: Sequence[Entry], tags: dict[int, str], style: Sequence[Style],
                      data: LayerData, source: SourceMap) -> None:
    """Raise :class:`CompileError` for every name :func:`drawn_name_diagnostics` finds too long;
    ``style``: the line styles of layers sharing a colour field (styles.py), which show the legend."""
    if problems := drawn_name_diagnostics(model, found, tags, legend_shown(model, found, style), data, source):
        raise CompileError(problems)


def drawn_name_diagnostics(model: ChartSpec, found: Sequence[Entry], tags: dict[int, str], legend: bool,
                           data: LayerData, source: SourceMap) -> list[Diagnostic]:
    """Legend entries (``legend``: is the legend drawn), direct labels, a text mark's values and
    panel headers taken from the data that are longer than the limit, one error per spec key.
    ``found``: the legend entries (series.py); ``data``: the rows each layer draws."""
    limit = max_text_length()
    out = _series_names(model, found, tags, legend, source, limit)
    shared = shared_color_layers(model)  # their names are a line style's legend entry and in their labels
    for layer in model.layers:
        named = layer.heat is None and (layer.series is None or layer.index in shared)
        if named and len(layer.name) > limit and (legend or layer.label):
            # a spec's 'name' and y 'title' have the schema's limit: this name is the y field's
            out.append(source.diagnostic(
                f"the layer's name, its y field {quoted(layer.name)}, is {len(layer.name):,} characters long: more "
                f"than the limit of {limit:,} for {'a legend name' if legend else 'a direct label'}",
                layer.y.json_path + ("field",), hint="give the layer a short 'name'"))
        view = data.of(layer)
        if layer.mark == "text" and layer.text is not None and layer.text in view.columns:
            if (long := next((v for v in field_values(layer.text, [view]) if len(v) > limit), None)) is not None:
                out.append(source.diagnostic(
                    f"the value {quoted(long)} of field {layer.text!r} is {len(long):,} characters long: more than the "
                    f"limit of {limit:,} for a text mark", layer.json_path + ("text",),
                    hint="shorten the values in the data, or write a field of short ones"))
    if model.facet is not None:
        tables = list({id(t): t for t in (data.main, *(t for t in data.own if t is not None), *data.views)}.values())
        for key in _FACET_KEYS:
            field = getattr(model.facet, key)
            long = next((v for v in field_values(field, tables) if len(v) > limit), None) if field else None
            if long is not None:
                out.append(source.diagnostic(
                    f"the value {quoted(long)} of facet field {field!r} is {len(long):,} characters long: more than "
                    f"the limit of {limit:,} for a panel header", ("facet", key),
                    hint="shorten the values in the data, or split the panels by a field of short names"))
    return out


def _series_names(model: ChartSpec, found: Sequence[Entry], tags: dict[int, str], legend: bool, source: SourceMap,
                  limit: int) -> list[Diagnostic]:
    """The values of each colour field, where a legend or a direct label draws them."""
    shared = shared_color_layers(model)
    out: list[Diagnostic] = []
    for layer in model.layers:
        if layer.series is None or (layer.index in shared and layer.index != min(shared)):
            continue  # a sharing layer's runs are listed with the first (series.py)
        group = [m for m in model.layers if m.index in shared] if layer.index in shared else [layer]
        what = "a legend name" if legend else "a direct label" if any(m.label for m in group) else None
        if what is None:
            continue
        tag = "" if layer.index in shared else tags.get(layer.index, "")
        names = (e.name[:len(e.name) - len(tag)] for e in found if e.layer == layer.index)
        if (long := next((n for n in names if len(n) > limit), None)) is not None:
            out.append(source.diagnostic(
                f"the series {quoted(long)} of field {layer.series.field!r} is {len(long):,} characters long: more "
                f"than the limit of {limit:,} for {what}", layer.json_path + ("color", "field"),
                hint=f"shorten {_origin(layer, model, source)}, or colour by a field of short names (a run id)"))
    return out


def _origin(layer: Layer, model: ChartSpec, source: SourceMap) -> str:
    """What holds the colour field's values: the data, or the transform that makes the field (the last)."""
    assert layer.series is not None
    field = layer.series.field
    steps = (*(() if layer.data is not None else model.transform), *layer.transform)
    maker = next((t for t in reversed(steps) if field in _made(t)), None)
    if maker is None:
        return "the names in the data"
    line = source.position(maker.json_path).line
    if isinstance(maker, Fold) and field == maker.key:
        return f"the names of the columns the 'fold' on line {line} lists (rename them in the data)"
    return f"the values the transform on line {line} makes for {field!r}"


def _made(step: Transform) -> tuple[str, ...]:
    if isinstance(step, (Calculate, Rolling)):
        return (step.as_field,)
    if isinstance(step, Aggregate):
        return tuple(o.as_field for o in step.ops)
    if isinstance(step, Fold):
        return step.key, step.value
    return ()
