"""A layer's filters as SQL for the engine (reduce.py, steps.py, the series and aggregate counts).

``{field, equal, ...}`` filters become comparisons on the table's columns (dates by the layer's
``parse`` format), Vega expressions go through vegasql.py; what cannot be translated exactly is
None, and the caller then keeps every row (Vega filters them again).
"""

from __future__ import annotations

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Calculate, Filter
from .engine import Relation, literal, quote
from .layerdata import layer_dates, layer_steps
from .rows import mentioned
from .sources import date_value
from .vegasql import to_sql

__all__ = ["filter_sql", "filtered_fields", "filters_sql"]


def filter_sql(t: Filter, dates: dict[str, str], text: bool) -> str | None:
    """A ``{field, gte, ...}`` filter as SQL (``text``: the column holds text), None if it cannot be."""
    if t.expr is not None or t.field is None:
        return None
    col, fmt = quote(t.field), dates.get(t.field)
    parts = []
    for key, wanted in t.tests:
        values = [date_value(v, fmt) for v in wanted] if key == "one_of" else [date_value(wanted, fmt)]
        if text and key in ("equal", "one_of") and all(isinstance(v, str) for v in values):
            parts.append(f"{col} IN ({', '.join(literal(v) for v in values)})")  # a run, a split, ...
            continue
        if text or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            return None
        if key == "one_of":
            parts.append(f"{col} IN ({', '.join(repr(float(v)) for v in values)})")
        else:
            op = {"equal": "=", "gte": ">=", "lte": "<=", "gt": ">", "lt": "<"}[key]
            parts.append(f"{col} {op} {float(values[0])!r}")
    return " AND ".join(parts) or "TRUE"


def filters_sql(layer: Layer, model: ChartSpec, has_own: bool, rel: Relation | None) -> str | None:
    """The layer's filters as one SQL condition (for steps.py), None when one cannot be
    translated or a filter reads a field a calculate makes."""
    assert rel is not None
    kinds = {c: "number" if c in rel.numeric else "text" for c in rel.columns}
    found = []
    for step in layer_steps(layer, model, has_own):
        if isinstance(step, Calculate):
            kinds.pop(step.as_field, None)  # a filter reading it cannot run on the table's columns
            continue
        if not isinstance(step, Filter):
            return None
        if step.expr is not None:
            sql = to_sql(step.expr, kinds, context="filter")
        else:
            text = kinds.get(step.field or "")
            sql = filter_sql(step, layer_dates(layer, model), text == "text") if text else None
        if sql is None:
            return None
        found.append(f"({sql})")
    return " AND ".join(found) or None


def filtered_fields(layer: Layer, model: ChartSpec) -> set[str]:
    """Fields the layer's filters read (a calculate they read must run in the engine too); an
    expression's are over-counted (any word in it), which only makes the engine do more."""
    found: set[str] = set()
    for step in layer_steps(layer, model, layer.data is not None):
        if isinstance(step, Filter):
            found |= {step.field} if step.field else mentioned(step.expr or "")
    return found
