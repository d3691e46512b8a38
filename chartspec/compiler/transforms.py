"""Transforms in their Vega-Lite form (filter, calculate, aggregate, fold, rolling window).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..data.sources import date_value
from ..spec.transforms import _COMPARISONS, Aggregate, Calculate, Filter, Fold, Transform


def _ref(name: str) -> str:
    # as compiler.field_ref: dots and brackets in a column name are not nested access
    return name.replace("\\", "\\\\").replace(".", "\\.").replace("[", "\\[").replace("]", "\\]")


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
