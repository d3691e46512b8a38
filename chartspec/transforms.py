"""Data transforms: the typed model of a `transform:` list, its Vega-Lite form, and the field flow.

Transforms run in the renderer, as Vega-Lite transforms, so expressions keep their Vega meaning.
Before that, :func:`field_flow` walks the list in Python knowing only column *names*: it reports
fields a transform reads that do not exist at that point (with did-you-mean), and tells the
checks which fields transforms create, so a later axis may plot ``loss_pct`` while a typo in
``datum.los`` is still caught.

This module imports the model only for type hints, so the model can build these objects.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Union

from .errors import Diagnostic, JsonPath
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .data import Table
    from .model import ChartSpec, Layer
    from .source import SourceMap

__all__ = ["Aggregate", "AggregateOp", "Calculate", "Filter", "Fold", "Rolling", "Transform",
           "FieldFlow", "date_value", "field_flow", "layer_views", "parse_transforms", "vegalite_transforms"]

#: comparison keys of the simple filter form and the Vega-Lite predicate each becomes
_COMPARISONS = {"gte": "gte", "lte": "lte", "gt": "gt", "lt": "lt", "equal": "equal", "one_of": "oneOf"}
# `datum.name` and `datum["name"]` / `datum['name']` inside a Vega expression
_DATUM_FIELD = re.compile(r"""\bdatum\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(["'])(.*?)\2\s*\])""")


@dataclass(frozen=True)
class Filter:
    """Keep rows where a Vega expression holds, or where ``field`` meets every comparison."""

    expr: str | None
    field: str | None
    tests: tuple[tuple[str, Any], ...]
    json_path: JsonPath


@dataclass(frozen=True)
class Calculate:
    expr: str
    as_field: str
    json_path: JsonPath


@dataclass(frozen=True)
class AggregateOp:
    op: str
    field: str | None
    as_field: str


@dataclass(frozen=True)
class Aggregate:
    ops: tuple[AggregateOp, ...]
    groupby: tuple[str, ...]
    json_path: JsonPath


@dataclass(frozen=True)
class Fold:
    """Wide to long: each listed column becomes a row holding its name (``key``) and ``value``."""

    fields: tuple[str, ...]
    key: str
    value: str
    json_path: JsonPath


@dataclass(frozen=True)
class Rolling:
    """Trailing mean over ``window`` rows in x order (the current row and the ones before it)."""

    field: str
    window: int
    as_field: str
    groupby: tuple[str, ...]
    json_path: JsonPath


Transform = Union[Filter, Calculate, Aggregate, Fold, Rolling]


# -- from the schema-valid mapping ---------------------------------------------------------------

def _filter(raw: dict[str, Any], path: JsonPath) -> Filter:
    test = raw["filter"]
    if isinstance(test, str):
        return Filter(expr=test, field=None, tests=(), json_path=path)
    tests = tuple((key, tuple(value) if key == "one_of" else value)
                  for key, value in test.items() if key in _COMPARISONS)
    return Filter(expr=None, field=test["field"], tests=tests, json_path=path)


def _calculate(raw: dict[str, Any], path: JsonPath) -> Calculate:
    return Calculate(expr=raw["calculate"], as_field=raw["as"], json_path=path)


def _aggregate(raw: dict[str, Any], path: JsonPath) -> Aggregate:
    ops = tuple(AggregateOp(op=o["op"], field=o.get("field"),
                            as_field=o.get("as") or "_".join(filter(None, (o["op"], o.get("field")))))
                for o in raw["aggregate"])
    return Aggregate(ops=ops, groupby=tuple(raw.get("groupby", ())), json_path=path)


def _fold(raw: dict[str, Any], path: JsonPath) -> Fold:
    key, value = raw.get("as", ("key", "value"))
    return Fold(fields=tuple(raw["fold"]), key=key, value=value, json_path=path)


def _rolling(raw: dict[str, Any], path: JsonPath) -> Rolling:
    r = raw["rolling"]
    return Rolling(field=r["field"], window=int(r["window"]), as_field=r.get("as") or f"{r['field']}_rolling",
                   groupby=tuple(r.get("groupby", ())), json_path=path)


_PARSERS: dict[str, Callable[[dict[str, Any], JsonPath], Transform]] = {
    "filter": _filter, "calculate": _calculate, "aggregate": _aggregate, "fold": _fold, "rolling": _rolling}


def parse_transforms(raw: Sequence[dict[str, Any]] | None, path: JsonPath) -> tuple[Transform, ...]:
    """The transforms of a schema-valid ``transform:`` list found at ``path``."""
    out = []
    for i, item in enumerate(raw or ()):
        kind = next((k for k in _PARSERS if k in item), None) if isinstance(item, dict) else None
        if kind is not None:  # else the schema has reported it; the rest is still checked
            out.append(_PARSERS[kind](item, path + (i,)))
    return tuple(out)


# -- to Vega-Lite --------------------------------------------------------------------------------

def _ref(name: str) -> str:
    # as compiler.field_ref: dots and brackets in a column name are not nested access
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


def date_value(value: Any, fmt: str | None) -> Any:
    """A comparison value written as a date, as the epoch milliseconds the parsed column holds."""
    if fmt is None or not isinstance(value, str):
        return value
    from .sources import parse_date

    try:
        return parse_date(value, fmt)
    except ValueError:
        return value  # reported by layer_views before any compile


def _vl(t: Transform, x_field: str, dates: Mapping[str, str]) -> dict[str, Any]:
    if isinstance(t, Filter):
        if t.expr is not None:
            return {"filter": t.expr}
        fmt = dates.get(t.field or "")
        preds = [{"field": _ref(t.field or ""),
                  _COMPARISONS[k]: [date_value(i, fmt) for i in v] if k == "one_of" else date_value(v, fmt)}
                 for k, v in t.tests]
        return {"filter": preds[0] if len(preds) == 1 else {"and": preds}}
    if isinstance(t, Calculate):
        return {"calculate": t.expr, "as": t.as_field}
    if isinstance(t, Aggregate):
        ops = [{"op": o.op, **({"field": _ref(o.field)} if o.field else {}), "as": o.as_field} for o in t.ops]
        return {"aggregate": ops, "groupby": [_ref(g) for g in t.groupby]}
    if isinstance(t, Fold):
        return {"fold": [_ref(f) for f in t.fields], "as": [t.key, t.value]}
    window: dict[str, Any] = {"window": [{"op": "mean", "field": _ref(t.field), "as": t.as_field}],
                              "frame": [-(t.window - 1), 0], "sort": [{"field": _ref(x_field)}]}
    if t.groupby:
        window["groupby"] = [_ref(g) for g in t.groupby]
    return window


def vegalite_transforms(transforms: Iterable[Transform], x_field: str, dates: Mapping[str, str] | None = None
                        ) -> list[dict[str, Any]]:
    """The Vega-Lite transforms of ``transforms``; rolling windows run in the order of ``x_field``.

    ``dates`` maps parsed date columns to their format: a filter comparing one of them with a date
    written as text (``gte: "2024-03-10"``) compares with that date's epoch milliseconds.
    """
    return [_vl(t, x_field, dates or {}) for t in transforms]


# -- the field flow, for the checks --------------------------------------------------------------

@dataclass(frozen=True)
class FieldFlow:
    """The columns after a list of transforms, which of them transforms made, and what was wrong."""

    columns: tuple[str, ...]
    derived: frozenset[str]
    diagnostics: tuple[Diagnostic, ...]


Diagnose = Callable[[str, JsonPath, str | None], Diagnostic]


def expression_fields(expr: str) -> list[str]:
    """Fields a Vega expression reads through ``datum``."""
    return [m.group(1) or m.group(3) for m in _DATUM_FIELD.finditer(expr)]


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
        derived = (derived & set(cols)) | set(made)
    return FieldFlow(columns=tuple(cols), derived=frozenset(derived), diagnostics=tuple(problems))


# -- per-layer views of the data, for the checks -------------------------------------------------

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
        problems += _date_filter_problems(steps, dict((layer.data or spec.data).parse), source)
        views.append(replace(base, columns=flow.columns, derived=flow.derived) if steps else base)
        if layer.smooth is not None:
            problems += _smooth_problems(spec, layer, base, flow, source)
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


def _smooth_problems(spec: ChartSpec, layer: Layer, base: Table, flow: FieldFlow, source: SourceMap
                     ) -> list[Diagnostic]:
    from .smoothing import duplicate_x, smooth_series

    where = layer.json_path + ("smooth",)
    if layer.y.field in flow.derived:
        return [source.diagnostic(
            f"cannot smooth {layer.y.field!r}: a transform makes it, and smoothing runs on the data before "
            "transforms", where, key=True, hint="smooth a column of the data, or use a 'rolling' transform instead")]
    series = smooth_series(layer, spec)
    if all(f in base.columns for f in series):  # else the field checks report the missing one
        twice = duplicate_x(base.rows, spec.x.field, series)
        if twice is not None:
            within = f" within one {' and '.join(map(repr, series))}" if series else " (the data holds several series)"
            return [source.diagnostic(
                f"cannot smooth: x value {twice!r} occurs more than once{within}", where, key=True,
                hint="draw one curve per series (colour the layer by a field), or give each series its own layer data")]
    return []
