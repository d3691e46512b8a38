"""Transforms run in Python too, when they can be, so the compiler knows what a layer will draw.

Vega-Lite runs every transform when the chart renders; the compiler still needs the values
layers draw to size axes, fit ``tick_step`` domains and list the series of ``color: {field}``
(``fold`` makes the series ``train_loss`` and ``val_loss`` out of column names). Filters in the
simple ``{field, gte, ...}`` form, ``aggregate``, ``fold`` and ``rolling`` are evaluated here
with Vega's semantics, and so are Vega expressions (``calculate``, a filter string) as far as
vegaexpr.py knows the language. Beyond that a layer keeps its rows before transforms, and the
fields those transforms make have no values here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..spec.transforms import Aggregate, Calculate, Filter, Fold, Rolling, Transform
from .jsvalues import UNDEFINED, js_string, truthy
from .smoothing import order_key
from .sources import date_value
from .vegaexpr import CutCharacter, compile_expression

__all__ = ["cut_in_half", "evaluate"]

Rows = list[dict[str, Any]]


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


def _quantile(values: list[float], p: float) -> float:
    # linear interpolation between order statistics, as d3.quantile computes it
    ordered = sorted(values)
    h = (len(ordered) - 1) * p
    lo = math.floor(h)
    return ordered[lo] + (ordered[min(lo + 1, len(ordered) - 1)] - ordered[lo]) * (h - lo)


def _statistics(name: str) -> Callable[..., Any]:
    """``statistics.NAME``, imported when first called: statistics brings random, fractions and
    decimal, ~10 ms of every cold start (validate), and most charts never aggregate."""
    def call(*args: Any, **kwargs: Any) -> Any:
        import statistics

        return getattr(statistics, name)(*args, **kwargs)
    return call


_fmean, _stdev, _variance = _statistics("fmean"), _statistics("stdev"), _statistics("variance")


def _missing(v: Any) -> bool:
    return v is None or v is UNDEFINED or v == ""  # Vega's aggregate: missing, not counted


def _over_valid(fn: Callable[[list[float]], Any], least: int = 1) -> Callable[[list[Any]], Any]:
    """An op over the valid numbers, ``undefined`` below ``least`` of them, as Vega's measures set it
    (``undefined``, not ``null``: a calculate after the aggregate reads NaN, never 0)."""
    return lambda vs: fn(n) if len(n := [v for v in vs if _number(v)]) >= least else UNDEFINED


def _spread(fn: Callable[[list[float]], float]) -> Callable[[list[float]], float]:
    """A deviation or variance: NaN over an infinite value, as Vega's running sums give (Python's
    ``statistics`` raises on one: an internal error where a calculate divided by zero)."""
    return lambda n: fn(n) if all(math.isfinite(v) for v in n) else math.nan


_OPS: dict[str, Callable[[list[Any]], Any]] = {
    "count": len,
    "valid": lambda vs: sum(1 for v in vs if not _missing(v) and v == v),
    "missing": lambda vs: sum(1 for v in vs if _missing(v)),
    "distinct": lambda vs: len({repr(v) for v in vs}),
    "sum": _over_valid(sum),
    "mean": _over_valid(_fmean),
    "median": _over_valid(lambda n: _quantile(n, 0.5)),
    "q1": _over_valid(lambda n: _quantile(n, 0.25)),
    "q3": _over_valid(lambda n: _quantile(n, 0.75)),
    "min": _over_valid(min),
    "max": _over_valid(max),
    "stdev": _over_valid(_spread(_stdev), 2),
    "stderr": _over_valid(_spread(lambda n: _stdev(n) / math.sqrt(len(n))), 2),
    "variance": _over_valid(_spread(_variance), 2),
}  # ci0 / ci1 are bootstrap estimates: random, so not evaluated


def _passes(value: Any, key: str, wanted: Any) -> bool:
    try:
        if key == "equal":
            return bool(value == wanted)
        if key == "one_of":
            return value in wanted
        if value is None:
            return False
        return bool({"gte": value >= wanted, "lte": value <= wanted, "gt": value > wanted, "lt": value < wanted}[key])
    except TypeError:  # text against a number: Vega compares them differently; treat as not kept
        return False


def _filter(rows: Rows, t: Filter, dates: Mapping[str, str]) -> Rows:
    fmt = dates.get(t.field or "")
    tests = [(k, [date_value(i, fmt) for i in v] if k == "one_of" else date_value(v, fmt)) for k, v in t.tests]
    return [r for r in rows if all(_passes(r.get(t.field or ""), k, v) for k, v in tests)]


def _aggregate(rows: Rows, t: Aggregate) -> Rows | None:
    if any(o.op not in _OPS and o.op not in _ROW_OPS for o in t.ops):
        return None
    groups: dict[tuple[Any, ...], Rows] = {}
    for r in rows:  # groups in order of first appearance, as Vega emits them
        groups.setdefault(tuple(repr(r.get(g)) for g in t.groupby), []).append(r)
    out = []
    for members in groups.values():
        row = {g: members[0].get(g) for g in t.groupby}
        for o in t.ops:
            if o.op in _ROW_OPS:
                row[o.as_field] = _ROW_OPS[o.op](members, o.field or "", o.value or o.field or "")
            else:
                row[o.as_field] = _OPS[o.op]([m.get(o.field) for m in members] if o.field else members)
        out.append(row)
    return out


def _arg(members: Rows, field: str, value: str, pick: Callable[..., Any]) -> Any:
    # Vega's argmin/argmax: the first row with the extreme number; rows without one are skipped
    valid = [m for m in members if _number(m.get(field))]
    return pick(valid, key=lambda m: m[field]).get(value) if valid else None


#: ops that read whole rows: the row order (first, last) or another column (argmin, argmax)
_ROW_OPS: dict[str, Callable[[Rows, str, str], Any]] = {
    "first": lambda ms, f, _: ms[0].get(f),
    "last": lambda ms, f, _: ms[-1].get(f),
    "argmin": lambda ms, f, v: _arg(ms, f, v, min),
    "argmax": lambda ms, f, v: _arg(ms, f, v, max),
}


def _fold(rows: Rows, t: Fold) -> Rows:
    return [{**r, t.key: f, t.value: r.get(f)} for r in rows for f in t.fields]


def _rolling(rows: Rows, t: Rolling, x_field: str) -> Rows:
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, r in enumerate(rows):
        groups.setdefault(tuple(repr(r.get(g)) for g in t.groupby), []).append(i)
    out = [dict(r) for r in rows]
    for members in groups.values():
        ordered = sorted(members, key=lambda i: order_key(rows[i].get(x_field)))
        before, after = t.frame()
        for pos, i in enumerate(ordered):
            frame = [rows[j].get(t.field) for j in ordered[max(0, pos - before): pos + after + 1]]
            valid = [v for v in frame if _number(v)]
            out[i][t.as_field] = _fmean(valid) if valid else None
    return out


def _stored(value: Any) -> Any:
    """A calculated value as the rows hold it: NaN, infinities and undefined become missing (a
    continuous scale leaves them out in Vega-Lite too)."""
    if value is UNDEFINED or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def _named(value: Any) -> Any:
    """A calculated value read as a name (a series' colour field): NaN and the infinities as the
    text Vega's toString gives them, 'NaN', 'Infinity', '-Infinity'. The chart names each row's
    series with toString, so those rows form series of that name; stored as missing, the colour
    domain lacked them and their lines were drawn in no colour at all."""
    if isinstance(value, float) and not math.isfinite(value):
        return js_string(value)
    return _stored(value)


def _calculate(rows: Rows, t: Calculate) -> Rows | None:
    fn = compile_expression(t.expr)
    if fn is None:
        return None
    return [{**r, t.as_field: fn(r)} for r in rows]  # as Vega holds it: the next calculate reads NaN


def _filter_expr(rows: Rows, expr: str) -> Rows | None:
    fn = compile_expression(expr)
    return None if fn is None else [r for r in rows if truthy(fn(r))]


def evaluate(rows: Sequence[dict[str, Any]], transforms: Sequence[Transform], x_field: str,
             dates: Mapping[str, str], *, names: frozenset[str] = frozenset()) -> tuple[dict[str, Any], ...] | None:
    """The rows after ``transforms``, or None when one of them is beyond Python here (a Vega
    expression vegaexpr.py does not know, or a random aggregate). ``names``: made fields read as
    names (series), whose non-finite values are kept as Vega writes them (:func:`_named`)."""
    try:
        return _evaluate(rows, transforms, x_field, dates, names)
    except ValueError:  # an expression hit something unsupported on some row
        return None


def _evaluate(rows: Sequence[dict[str, Any]], transforms: Sequence[Transform], x_field: str,
              dates: Mapping[str, str], names: frozenset[str]) -> tuple[dict[str, Any], ...] | None:
    out: Rows | None = list(rows)
    made = {t.as_field for t in transforms if isinstance(t, Calculate)} | {
        o.as_field for t in transforms if isinstance(t, Aggregate) for o in t.ops}
    for t in transforms:
        if out is None:
            return None
        out = _step(out, t, x_field, dates)
    if out is None:
        return None
    store = {k: _named if k in names else _stored for k in made}
    return tuple({k: store[k](v) if k in store else v for k, v in r.items()} for r in out)  # as the marks see them


def _step(rows: Rows, t: Transform, x_field: str, dates: Mapping[str, str]) -> Rows | None:
    if isinstance(t, Calculate):
        return _calculate(rows, t)
    if isinstance(t, Filter) and t.expr is not None:
        return _filter_expr(rows, t.expr)
    if isinstance(t, Filter):
        return _filter(rows, t, dates)
    if isinstance(t, Aggregate):
        return _aggregate(rows, t)
    if isinstance(t, Fold):
        return _fold(rows, t)
    return _rolling(rows, t, x_field)


def cut_in_half(rows: Sequence[dict[str, Any]], transforms: Sequence[Transform], x_field: str,
                dates: Mapping[str, str]) -> Calculate | None:
    """The first calculate of ``transforms`` that cuts a character past U+FFFF in half on one of
    ``rows`` (``substring('😀abc', 0, 1)``: JavaScript counts such a character as two units), or
    None: none does, or a step before it is beyond Python here."""
    out: Rows | None = list(rows)
    for t in transforms:
        if out is None:
            return None
        try:
            out = _step(out, t, x_field, dates)
        except CutCharacter:
            return t if isinstance(t, Calculate) else None
        except ValueError:
            return None
    return None
