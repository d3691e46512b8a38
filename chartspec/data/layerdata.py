"""What each compiled layer draws from: its own data or the chart's, evaluated transforms, EMA columns.

Pure: the rows each layer draws, with transforms evaluated in Python where they can be (so the
compiler knows axis extents and series) and smoothed columns added. The compiler's
:func:`chartspec.compiler.layers.finish_layer` writes them into the Vega-Lite.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Transform
from .evaluate import evaluate
from .isodate import ISO
from .rows import DRAWS
from .smoothing import draws, smooth_column, smoothed_rows
from .smoothkeys import keyed_rows
from .stepsplain import series_plan
from .table import Table
from .timeunits import floor_rows

if TYPE_CHECKING:
    from .loaded import Spec

__all__ = ["LayerData", "layer_data", "layer_view"]


@dataclass(frozen=True)
class LayerData:
    """The chart's table and each layer's own table (None: the chart's), smoothed columns added,
    and what each layer draws: its table after its transforms, where Python can run them."""

    main: Table
    own: tuple[Table | None, ...]
    views: tuple[Table, ...] = ()
    #: per layer: do its view's rows follow all its transforms? (False: a Vega expression ran none)
    exact: tuple[bool, ...] = ()

    def of(self, layer: Layer) -> Table:
        """The rows ``layer`` draws, for axis extents and series (evaluate.py); not what is embedded."""
        if layer.index < len(self.views):
            return self.views[layer.index]
        own = self.own[layer.index] if layer.index < len(self.own) else None
        return own if own is not None else self.main


def layer_steps(layer: Layer, model: ChartSpec, has_own: bool) -> tuple[Transform, ...]:
    """The chart's transforms (unless the layer reads its own data), then the layer's."""
    return (*(() if has_own else model.transform), *layer.transform)


def layer_dates(layer: Layer, model: ChartSpec) -> dict[str, str]:
    """The format of each date field a layer's filters compare with: its data's ``parse``, and ISO
    for the temporal x and y it draws otherwise (their text is UTC epoch ms by then: dates.py)."""
    parsed = dict((layer.data or model.data).parse)
    iso = {a.field: ISO for a in (model.x, layer.y) if a.type == "temporal" and a.field not in parsed}
    return {**iso, **parsed}


def layer_view(table: Table, layer: Layer, model: ChartSpec, has_own: bool) -> tuple[Table, bool]:
    """The rows ``layer`` draws from ``table`` after its transforms, and whether Python could run
    them all (False: ``table`` as it is)."""
    return _view(table, layer, model, has_own)


def _view(table: Table, layer: Layer, model: ChartSpec, has_own: bool) -> tuple[Table, bool]:
    steps = layer_steps(layer, model, has_own)
    rows: tuple[dict[str, Any], ...] | None = table.rows
    if DRAWS in table.columns:  # only the rows the layer draws (steps.py): not a replaced step
        rows = tuple(row for row in rows if draws(row, layer.index))
    if model.x.time_unit is not None:  # dates floored first, as the compiled timeUnit transform does
        floored = floor_rows(rows, model.x.field, model.x.time_unit)
        if floored is None:
            return table, False
        rows = tuple(floored)
    if not steps and DRAWS in table.columns and model.x.time_unit is None:
        return replace(table, rows=rows), True
    names = frozenset({layer.series.field} if layer.series is not None else ())  # named by toString
    rows = evaluate(rows, steps, model.x.field, layer_dates(layer, model), names=names) if steps else rows
    if rows is None:
        return table, False
    columns = tuple(dict.fromkeys(k for row in rows for k in row)) if rows else table.columns
    return replace(table, rows=rows, columns=columns), True


def _smoothed(table: Table, layers: list[Layer], spec: Spec, has_own: bool) -> Table:
    rows, model, added = table.rows, spec.model, []
    for layer in layers:
        assert layer.smooth is not None
        if smooth_column(layer.index) in table.columns:
            continue  # smoothed by the engine before the reduction (smoothframe.py)
        # series a calculate makes: computed on each row first (smoothkeys.py); the EMA runs before transforms
        series, made = series_plan(layer, model, has_own)
        keyed = keyed_rows(table.rows, made, model.x.field, layer_dates(layer, model))
        rows = smoothed_rows(rows, x=model.x.field, y=layer.y.field, weight=layer.smooth.ema,
                             column=smooth_column(layer.index), series=series, index=layer.index, keyed=keyed)
        added.append(smooth_column(layer.index))
    # the columns name the EMA columns too: a view keeping the table's columns (a log whose
    # steps rules dropped rows, _view) must still offer them, or the hover table shows raw y
    return replace(table, rows=rows, columns=(*table.columns, *added)) if added else table


def layer_data(spec: Spec) -> LayerData:
    """The tables the compiled chart embeds, each with the EMA columns of the layers drawing from it."""
    model = spec.model
    own = [spec.layer_tables[i] if i < len(spec.layer_tables) else None for i in range(len(model.layers))]
    smoothed = [layer for layer in model.layers if layer.smooth is not None]
    main = _smoothed(spec.table, [lyr for lyr in smoothed if own[lyr.index] is None], spec, False)
    for layer in smoothed:
        table = own[layer.index]
        if table is not None:
            own[layer.index] = _smoothed(table, [layer], spec, True)
    made = [_view(own[lyr.index] or main, lyr, model, own[lyr.index] is not None) for lyr in model.layers]
    return LayerData(main=main, own=tuple(own), views=tuple(view for view, _ in made),
                     exact=tuple(ok for _, ok in made))


