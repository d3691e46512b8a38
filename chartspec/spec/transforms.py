"""The typed model of a ``transform:`` list: filter, calculate, aggregate, fold, rolling.

Their Vega-Lite form is in :mod:`chartspec.compiler.transforms`, their Python evaluation in
:mod:`chartspec.data.evaluate` and the field flow the checks use in :mod:`chartspec.data.flow`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import JsonPath

__all__ = ["Aggregate", "AggregateOp", "Calculate", "Filter", "Fold", "Rolling", "Transform", "expression_fields",
           "parse_transforms"]

#: comparison keys of the simple filter form and the Vega-Lite predicate each becomes
_COMPARISONS = {"gte": "gte", "lte": "lte", "gt": "gt", "lt": "lt", "equal": "equal", "one_of": "oneOf"}
# `datum.name` and `datum["name"]` / `datum['name']` inside a Vega expression
_DATUM_FIELD = re.compile(r"""\bdatum\s*(?:\.\s*([A-Za-z_$][\w$]*)|\[\s*(["'])(.*?)\2\s*\])""")


def expression_fields(expr: str) -> list[str]:
    """Fields a Vega expression reads through ``datum``."""
    return [m.group(1) or m.group(3) for m in _DATUM_FIELD.finditer(expr)]


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
    #: ``argmin``/``argmax``: the column read from the row where ``field`` is extreme
    value: str | None = None


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
    """Mean over ``window`` rows in x order: the current row and the ones before it, or around it."""

    field: str
    window: int
    as_field: str
    groupby: tuple[str, ...]
    json_path: JsonPath
    #: centre the window on the row (pandas' ``center=True``) instead of ending it there
    center: bool = False

    def frame(self) -> tuple[int, int]:
        """Rows before and after the current one that the window holds."""
        if self.center:
            return self.window // 2, (self.window - 1) // 2
        return self.window - 1, 0


Transform = Filter | Calculate | Aggregate | Fold | Rolling
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
                            as_field=o.get("as") or "_".join(filter(None, (o["op"], o.get("field")))),
                            value=o.get("value", o.get("field")) if o["op"] in ("argmin", "argmax") else None)
                for o in raw["aggregate"])
    return Aggregate(ops=ops, groupby=tuple(raw.get("groupby", ())), json_path=path)


def _fold(raw: dict[str, Any], path: JsonPath) -> Fold:
    key, value = raw.get("as", ("key", "value"))
    return Fold(fields=tuple(raw["fold"]), key=key, value=value, json_path=path)


def _rolling(raw: dict[str, Any], path: JsonPath) -> Rolling:
    r = raw["rolling"]
    return Rolling(field=r["field"], window=int(r["window"]), as_field=r.get("as") or f"{r['field']}_rolling",
                   groupby=tuple(r.get("groupby", ())), json_path=path, center=bool(r.get("center", False)))


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


# -- the field flow, for the checks --------------------------------------------------------------


# -- per-layer views of the data, for the checks -------------------------------------------------


