"""Transforms in their Vega-Lite form (filter, calculate, aggregate, fold, rolling window).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ..data.sources import date_value
from ..spec.transforms import _COMPARISONS, Aggregate, Calculate, Filter, Fold, Transform
from .common import field_ref


def _ref(name: str) -> str:
    return field_ref(name)  # dots, brackets and quotes in a column name are not nested access


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
        raise AssertionError("aggregates are written by _aggregate")
    if isinstance(t, Fold):
        return {"fold": [_ref(f) for f in t.fields], "as": [t.key, t.value]}
    before, after = t.frame()
    window: dict[str, Any] = {"window": [{"op": "mean", "field": _ref(t.field), "as": t.as_field}],
                              "frame": [-before, after], "sort": [{"field": _ref(x_field)}]}
    if t.groupby:
        window["groupby"] = [_ref(g) for g in t.groupby]
    return window


def vegalite_transforms(transforms: Iterable[Transform], x_field: str, dates: Mapping[str, str] | None = None
                        ) -> list[dict[str, Any]]:
    """The Vega-Lite transforms of ``transforms``; rolling windows run in the order of ``x_field``.

    ``dates`` maps parsed date columns to their format: a filter comparing one of them with a date
    written as text (``gte: "2024-03-10"``) compares with that date's epoch milliseconds.
    """
    out: list[dict[str, Any]] = []
    for t in transforms:
        out += _aggregate(t) if isinstance(t, Aggregate) else [_vl(t, x_field, dates or {})]
    return out


#: chartspec's row ops in Vega-Lite: an aggregate op giving a row (or the group's rows), and the
#: expression reading the field from it (``{}``: the aggregate's column)
_ROW_OPS = {"first": ("values", "{}[0]"), "last": ("values", "peek({})"),
            "argmin": ("argmin", "{}"), "argmax": ("argmax", "{}")}


def _aggregate(t: Aggregate) -> list[dict[str, Any]]:
    """An aggregate, and for ``first``/``last``/``argmin``/``argmax`` (which Vega-Lite has not, or
    which give a row there) the calculate steps reading the wanted column out of the row."""
    ops, reads = [], []
    for o in t.ops:
        if o.op not in _ROW_OPS:
            ops.append({"op": o.op, **({"field": _ref(o.field)} if o.field else {}), "as": o.as_field})
            continue
        op, row = _ROW_OPS[o.op]
        held = f"__{o.op}_{o.as_field}"
        ops.append({"op": op, "field": _ref(o.field or ""), "as": held})
        column = o.value or o.field or ""
        reads.append({"calculate": f"{row.format(f'datum[{json.dumps(held)}]')}[{json.dumps(column)}]",
                      "as": o.as_field})
    return [{"aggregate": ops, "groupby": [_ref(g) for g in t.groupby]}, *reads]
