"""The field flow of a transform list, and each layer's view of the data, for the checks.

Transforms run in the renderer, as Vega-Lite transforms, so expressions keep their Vega meaning.
Before that, :func:`field_flow` walks the list in Python knowing only column *names*: it reports
fields a transform reads that do not exist at that point (with did-you-mean), and tells the
checks which fields transforms create, so a later axis may plot ``loss_pct`` while a typo in
``datum.los`` is still caught.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from ..errors import Diagnostic, JsonPath
from ..spec.model import ChartSpec, Layer
from ..spec.source import SourceMap
from ..spec.suggest import did_you_mean
from ..spec.transforms import Aggregate, Calculate, Filter, Fold, Rolling, Transform, expression_fields
from .layerdata import layer_dates
from .table import Table


@dataclass(frozen=True)
class FieldFlow:
    """The columns after a list of transforms, which of them transforms made, and what was wrong."""

    columns: tuple[str, ...]
    derived: frozenset[str]
    diagnostics: tuple[Diagnostic, ...]


Diagnose = Callable[[str, JsonPath, str | None], Diagnostic]

#: columns chartspec adds to the rows it draws (``__series``, ``__draws``, ``__row``, ...) start with it
RESERVED_PREFIX = "__"


def _reads(t: Transform, x_field: str) -> list[tuple[str, JsonPath]]:
    """(field, where it is written) for every field ``t`` reads."""
    p = t.json_path
    if isinstance(t, Filter):
        if t.expr is not None:
            return [(f, p + ("filter",)) for f in expression_fields(t.expr)]
        return [(t.field or "", p + ("filter", "field"))]
    if isinstance(t, Calculate):
        return [(f, p + ("calculate",)) for f in expression_fields(t.expr)]
    if isinstance(t, Aggregate):
        return ([(o.field, p + ("aggregate", i, "field")) for i, o in enumerate(t.ops) if o.field]
                + [(o.value, p + ("aggregate", i, "value")) for i, o in enumerate(t.ops)
                   if o.value and o.value != o.field]
                + [(g, p + ("groupby", i)) for i, g in enumerate(t.groupby)])
    if isinstance(t, Fold):
        return [(f, p + ("fold", i)) for i, f in enumerate(t.fields)]
    return ([(t.field, p + ("rolling", "field")), (x_field, p + ("rolling",))]
            + [(g, p + ("rolling", "groupby", i)) for i, g in enumerate(t.groupby)])


def _writes(t: Transform, columns: list[str]) -> tuple[list[str], list[str]]:
    """The columns after ``t`` and the ones it creates."""
    if isinstance(t, Filter):
        return columns, []
    if isinstance(t, (Calculate, Rolling)):
        return [c for c in columns if c != t.as_field] + [t.as_field], [t.as_field]
    if isinstance(t, Aggregate):
        made = [o.as_field for o in t.ops]
        return list(dict.fromkeys([*t.groupby, *made])), made
    return [c for c in columns if c not in (t.key, t.value)] + [t.key, t.value], [t.key, t.value]


def field_flow(columns: Sequence[str], transforms: Iterable[Transform], x_field: str, table_name: str,
               diagnose: Diagnose) -> FieldFlow:
    """Walk ``transforms`` over ``columns``: report reads of missing fields, collect the new ones.

    ``diagnose(message, json_path, hint)`` makes a positioned diagnostic in the spec.
    """
    cols = list(columns)
    derived: set[str] = set()
    problems: list[Diagnostic] = []
    for t in transforms:
        for name, where in _reads(t, x_field):
            if name not in cols:
                what = "the x field " if isinstance(t, Rolling) and where[-1] == "rolling" else ""
                hint = did_you_mean(name, cols, what="a column") or f"columns here: {', '.join(cols)}"
                problems.append(diagnose(f"{what}field {name!r} not in {table_name} at this transform", where, hint))
        cols, made = _writes(t, cols)
        # a transform the spec wrote (not one chartspec adds, as for band: {extent}) may not shadow ours
        problems += [diagnose(f"a transform may not make the column {m!r}: names starting with '__' are "
                              "chartspec's own", t.json_path, "choose another name in 'as'")
                     for m in made if m.startswith(RESERVED_PREFIX) and t.json_path[-2:-1] == ("transform",)]
        derived = (derived & set(cols)) | set(made)
    return FieldFlow(columns=tuple(cols), derived=frozenset(derived), diagnostics=tuple(problems))


def layer_views(spec: ChartSpec, table: Table, layer_tables: Sequence[Table | None], source: SourceMap
                ) -> tuple[list[Table], list[Diagnostic]]:
    """Each layer's table as its marks will see it: its own data or the chart's, after transforms.

    Columns made by transforms are listed (``Table.derived``) without values; the checks accept
    them as fields but cannot test their values.
    """
    views: list[Table] = []
    problems: list[Diagnostic] = []

    def diagnose(message: str, path: JsonPath, hint: str | None) -> Diagnostic:
        return source.diagnostic(message, path, hint=hint)

    for layer in spec.layers:
        own = layer_tables[layer.index] if layer.index < len(layer_tables) else None
        base = own if own is not None else table
        steps = (*(() if own is not None else spec.transform), *layer.transform)
        flow = field_flow(base.columns, steps, spec.x.field, base.name, diagnose)
        problems += flow.diagnostics
        problems += _date_filter_problems(steps, layer_dates(layer, spec), source)
        views.append(replace(base, columns=flow.columns, derived=flow.derived) if steps else base)
        if layer.smooth is not None:
            problems += _smooth_problems(spec, layer, base, flow, source, own is not None)
    return views, problems


def _date_filter_problems(steps: Sequence[Transform], dates: dict[str, str], source: SourceMap) -> list[Diagnostic]:
    """Dates written in a filter of a parsed date column must fit that column's format."""
    from .sources import parse_date

    out = []
    for t in steps:
        fmt = dates.get(t.field or "") if isinstance(t, Filter) else None
        if fmt is None:
            continue
        for key, value in t.tests:  # type: ignore[union-attr]
            items = [(value[i], (key, i)) for i in range(len(value))] if key == "one_of" else [(value, (key,))]
            for item, sub in items:
                try:
                    if isinstance(item, str):
                        parse_date(item, fmt)
                except ValueError:
                    out.append(source.diagnostic(f"{item!r} is not a date in the format {fmt!r} of {t.field!r}",
                                                 t.json_path + ("filter", *sub),
                                                 hint="write it as the data's dates are written (see 'parse')"))
    return out


def _smooth_problems(spec: ChartSpec, layer: Layer, base: Table, flow: FieldFlow, source: SourceMap,
                     has_own: bool) -> list[Diagnostic]:
    from .smoothing import duplicate_x, repeated_x, smooth_column
    from .smoothkeys import keyed_rows
    from .stepsplain import series_plan

    where = layer.json_path + ("smooth",)
    if layer.y.field in flow.derived:
        return [source.diagnostic(
            f"cannot smooth {layer.y.field!r}: a transform makes it, and smoothing runs on the data before "
            "transforms", where, key=True, hint="smooth a column of the data, or use a 'rolling' transform instead")]
    series, made = series_plan(layer, spec, has_own)
    rows = base.rows
    if base.reduced_from and smooth_column(layer.index) in base.columns:
        # smoothed by the engine on every row, which found any repeated x (smoothframe.py); rows
        # without an x are not its x values, and only they are left to look at here
        rows = tuple(row for row in rows if row.get(spec.x.field) is None)
    # the series a calculate makes, computed on the rows before transforms, as the EMA reads them
    rows = keyed_rows(rows, made, spec.x.field, layer_dates(layer, spec)) or rows
    columns = {*base.columns, *(t.as_field for t in made)}
    if all(f in columns for f in series):  # else the field checks report the missing one
        twice = duplicate_x(rows, spec.x.field, series, layer.y.field, layer.index)
        if twice is not None:
            return [repeated_x(twice, layer, spec, source)]
    return []
