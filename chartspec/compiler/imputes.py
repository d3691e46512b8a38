"""Rows Vega-Lite's ``impute`` adds: counted against the limit of rows a chart hands to Vega.

An impute fills every group (the values of its ``groupby`` fields) out to every value of its key:
groups x keys rows, whatever came in. Vega-Lite writes one itself when it stacks an area by its
colour or detail fields (stack.ts: path marks are imputed with 0 before stacking), so an area drawn
in 200 pieces (a ``detail`` per hole in x, steps.py) over 50,000 rows became 10,000,000 rows: a
37 MB SVG, or an engine out of memory, from a chart whose inline rows were well within the limit.
The compiler never stacks pieces (layers.py); this check counts what any impute left in the final
Vega-Lite would make (a ``vega_lite:`` patch, plain Vega-Lite), so none passes the limit unseen.

The count is an upper bound read from the inline rows: distinct keys times distinct combinations
of the group fields. A field a ``calculate`` makes is replaced by the fields its expression reads
(a constant one, chartspec's ``__series`` of one y field, is one group).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import JsonPath
from ..spec.transforms import expression_fields

__all__ = ["Impute", "imputes"]

#: mark types Vega-Lite stacks by default (with a colour or detail field) and path marks it imputes
_STACKED = ("area", "bar", "arc")
_PATHS = ("area", "line", "trail")
#: the channels Vega-Lite stacks by (stack.ts STACK_BY_CHANNELS)
_STACK_BY = ("color", "fill", "stroke", "strokeWidth", "opacity", "fillOpacity", "strokeOpacity", "size",
             "detail", "key", "strokeDash", "shape")
_CONTINUOUS = ("quantitative", "temporal")


@dataclass(frozen=True)
class Impute:
    """An impute found at ``path`` of the Vega-Lite: the rows it would hand Vega (groups x keys)."""

    path: JsonPath
    rows: int
    groups: int
    keys: int


def _fields(channel: Any) -> list[str]:
    items = channel if isinstance(channel, list) else [channel]
    return [i["field"] for i in items if isinstance(i, dict) and isinstance(i.get("field"), str)]


def _stack_impute(unit: dict[str, Any]) -> tuple[str, list[str]] | None:
    """(key, groupby) of the impute Vega-Lite adds to stack ``unit``'s path mark, or None."""
    mark = unit.get("mark")
    kind = mark.get("type") if isinstance(mark, dict) else mark
    encoding = unit.get("encoding")
    if kind not in _PATHS or not isinstance(encoding, dict):
        return None
    for value, dim in (("y", "x"), ("x", "y")):
        vdef, ddef = encoding.get(value), encoding.get(dim)
        if not isinstance(vdef, dict) or not isinstance(ddef, dict) or f"{value}2" in encoding:
            continue
        # stacked by default on y only (an area on two continuous axes is vertical), on x when asked
        stack = vdef.get("stack", "zero" if kind in _STACKED and value == "y" else None)
        if stack in (None, False) or vdef.get("type") != "quantitative" or ddef.get("type") not in _CONTINUOUS:
            continue
        groupby = [f for channel in _STACK_BY for f in _fields(encoding.get(channel))]
        if groupby and isinstance(ddef.get("field"), str):
            return ddef["field"], groupby
    return None


def _made(transforms: Sequence[Any]) -> dict[str, list[str]]:
    """Fields made by a ``calculate``: the fields its expression reads."""
    return {t["as"]: expression_fields(t["calculate"]) for t in transforms
            if isinstance(t, dict) and isinstance(t.get("calculate"), str) and isinstance(t.get("as"), str)}


def _count(rows: list[Any], fields: Sequence[str], made: Mapping[str, list[str]]) -> int:
    """Distinct combinations of ``fields`` in ``rows`` (a made field: of the fields it reads)."""
    read: list[str] = []
    todo, seen = list(fields), set()
    while todo:
        field = todo.pop(0)
        if field in seen:
            continue
        seen.add(field)
        if field in made:
            todo += made[field]
        elif field not in read:
            read.append(field)
    first = rows[0] if rows and isinstance(rows[0], dict) else {}
    present = [f for f in read if f in first]
    if not present:
        return 1
    return len({tuple(repr(r.get(f)) for f in present) for r in rows if isinstance(r, dict)})


def imputes(vl: dict[str, Any], limit: int | None = None) -> Iterator[Impute]:
    """Every impute of ``vl`` (a transform, an encoding's ``impute``, Vega-Lite's own for a
    stacked path mark) with the rows it would make from its view's inline rows; with ``limit``,
    only those that may make more (keys are not counted when groups x rows is within it)."""
    datasets = vl.get("datasets") if isinstance(vl.get("datasets"), dict) else {}
    yield from _walk(vl, (), [], [], datasets, limit)


def _walk(view: Any, path: JsonPath, rows: list[Any], above: list[Any], datasets: dict[str, Any],
          limit: int | None) -> Iterator[Impute]:
    if not isinstance(view, dict):
        return
    data = view.get("data")
    if isinstance(data, dict) and isinstance(data.get("values"), list):
        rows, above = data["values"], []
    elif isinstance(data, dict) and isinstance(datasets.get(data.get("name")), list):
        rows, above = datasets[data["name"]], []
    transforms = [*above, *(view.get("transform") if isinstance(view.get("transform"), list) else [])]
    made = _made(transforms)
    found: list[tuple[JsonPath, str, list[str]]] = []
    for index, step in enumerate(view.get("transform") or ()):
        if isinstance(step, dict) and isinstance(step.get("impute"), str) and isinstance(step.get("key"), str):
            groupby = step.get("groupby") if isinstance(step.get("groupby"), list) else []
            found.append((path + ("transform", index), step["key"], [g for g in groupby if isinstance(g, str)]))
    encoding = view.get("encoding") if isinstance(view.get("encoding"), dict) else {}
    for channel, fdef in encoding.items():
        if isinstance(fdef, dict) and fdef.get("impute") is not None:
            other = encoding.get("x" if channel == "y" else "y")
            key = other.get("field") if isinstance(other, dict) else None
            groupby = [f for c in _STACK_BY for f in _fields(encoding.get(c))]
            if isinstance(key, str):
                found.append((path + ("encoding", channel), key, groupby))
    if (stacked := _stack_impute(view)) is not None:
        found.append((path + ("mark",), *stacked))
    for where, key, groupby in found:
        groups = _count(rows, groupby, made)
        if limit is not None and groups * len(rows) <= limit:  # one group (a single series): no count of x
            continue
        keys = _count(rows, [key], made)
        yield Impute(where, groups * keys, groups, keys)
    for name in ("layer", "hconcat", "vconcat", "concat"):
        for index, child in enumerate(view.get(name) or ()):
            yield from _walk(child, path + (name, index), rows, transforms, datasets, limit)
    yield from _walk(view.get("spec"), path + ("spec",), rows, transforms, datasets, limit)
