"""Fields a plain Vega-Lite transform reads that its data does not have.

Vega fails on some of them with a bare ``TypeError: Cannot read properties of undefined`` (a
``flatten`` or ``density`` of a missing field) and silently draws nothing or NaN for the others
(``fold``, ``pivot``, ``aggregate``). Once the data files are inlined (plain.py), the columns of
each table are known: :func:`missing_fields` walks every view's transforms with them and reports a
field no row has, at the place it is written. Where the columns stop being known (a ``pivot``'s
are its data's values, a ``lookup`` adds another table's, a generator or TopoJSON has none here),
the check stops for that view and those under it: it only reports what is certainly missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..errors import Diagnostic, JsonPath
from ..spec.source import SourceMap
from ..spec.suggest import did_you_mean
from .vegaread import split_access_path

__all__ = ["missing_fields"]

Columns = frozenset[str] | None  # None: not known here
Reads = Iterator[tuple[Any, JsonPath]]  # (field as written, its path inside the transform)


def _field_list(t: dict[str, Any], key: str) -> Reads:
    value = t.get(key)
    if isinstance(value, list):
        yield from ((v, (key, i)) for i, v in enumerate(value))
    elif value is not None:
        yield value, (key,)


def _ops(t: dict[str, Any], key: str) -> Reads:
    for i, op in enumerate(t.get(key) or ()):
        if isinstance(op, dict):
            yield op.get("field"), (key, i, "field")


def _sort(t: dict[str, Any]) -> Reads:
    sort = t.get("sort")
    for i, item in enumerate(sort if isinstance(sort, list) else ()):
        if isinstance(item, dict):
            yield item.get("field"), ("sort", i, "field")


def _reads(kind: str, t: dict[str, Any]) -> Reads:
    """Every field transform ``t`` (of ``kind``, its first key) reads."""
    keys = {"flatten": ("flatten",), "fold": ("fold",), "pivot": ("pivot", "value", "groupby"),
            "density": ("density", "groupby"), "regression": ("regression", "on", "groupby"),
            "loess": ("loess", "on", "groupby"), "quantile": ("quantile", "groupby"), "aggregate": ("groupby",),
            "joinaggregate": ("groupby",), "window": ("groupby",), "bin": ("field",), "timeUnit": ("field",),
            "impute": ("impute", "key", "groupby"), "stack": ("stack", "groupby"), "extent": ("extent",)}
    for key in keys.get(kind, ()):
        yield from _field_list(t, key)
    if kind in ("aggregate", "joinaggregate", "window"):
        yield from _ops(t, kind)
    if kind in ("window", "stack"):
        yield from _sort(t)


def _as(t: dict[str, Any], default: list[str]) -> list[str]:
    value = t.get("as")
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else default


def _strings(value: Any) -> list[str]:
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]


def _made(t: dict[str, Any], key: str) -> list[str]:
    return [op["as"] for op in t.get(key) or () if isinstance(op, dict) and isinstance(op.get("as"), str)]


#: the columns after a transform, from those before it; None: not known ahead of Vega
_AFTER: dict[str, Callable[[frozenset[str], dict[str, Any]], Columns]] = {
    "filter": lambda c, t: c, "sample": lambda c, t: c, "extent": lambda c, t: c, "impute": lambda c, t: c,
    "calculate": lambda c, t: c | set(_as(t, [])),
    "fold": lambda c, t: c | set(_as(t, ["key", "value"])),
    "flatten": lambda c, t: c | set(_as(t, _strings(t.get("flatten")))),
    "bin": lambda c, t: c | set(_as(t, [])) | {f"{a}_end" for a in _as(t, []) if isinstance(t.get("as"), str)},
    "timeUnit": lambda c, t: c | set(_as(t, [])),
    "stack": lambda c, t: c | set(_as(t, [])),
    "joinaggregate": lambda c, t: c | set(_made(t, "joinaggregate")),
    "window": lambda c, t: c | set(_made(t, "window")),
    "aggregate": lambda c, t: frozenset(_strings(t.get("groupby")) + _made(t, "aggregate")),
    "density": lambda c, t: frozenset(_strings(t.get("groupby")) + _as(t, ["value", "density"])),
    "quantile": lambda c, t: frozenset(_strings(t.get("groupby")) + _as(t, ["prob", "value"])),
    "regression": lambda c, t: frozenset(_strings(t.get("groupby")) + _as(t, _strings(t.get("on"))
                                                                           + _strings(t.get("regression")))),
    "loess": lambda c, t: frozenset(_strings(t.get("groupby")) + _as(t, _strings(t.get("on"))
                                                                      + _strings(t.get("loess")))),
}

#: transforms whose output columns are their groupby and what they compute, no others
_REPLACING = ("aggregate", "density", "quantile", "regression", "loess")


def _table_columns(data: Any, datasets: Any) -> Columns:
    """The columns of inline rows (a data node's ``values``, or a named dataset's); None otherwise."""
    if not isinstance(data, dict):
        return None
    rows = data.get("values")
    if isinstance(data.get("name"), str) and rows is None and isinstance(datasets, dict):
        rows = datasets.get(data["name"])
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        return None  # text Vega parses, a generator, TopoJSON, no rows: nothing certain to check against
    return frozenset().union(*rows)  # every key of any row (C speed: 100,000 rows in ms)


def _first_name(field: str) -> str:
    """The column an access path (``a.b``, ``a\\.b``, ``a[0]``) starts from."""
    parts = split_access_path(field)
    return parts[0] if parts else field


def _transforms(view: dict[str, Any], path: JsonPath, columns: Columns, source: SourceMap,
                out: list[Diagnostic]) -> Columns:
    """The columns after ``view``'s transforms, reporting the fields they read that are missing."""
    steps = view.get("transform")
    for index, t in enumerate(steps if isinstance(steps, list) else ()):
        if columns is None or not isinstance(t, dict):
            return None
        kind = next((k for k in _KINDS if k in t), None)
        missing: set[str] = set()
        for field, at in _reads(kind or "", t):
            if isinstance(field, str) and field and field not in columns and _first_name(field) not in columns:
                missing.add(field)
                hint = did_you_mean(_first_name(field), columns, what="a field") or (
                    f"fields: {', '.join(sorted(columns))}" if len(columns) <= 30 else None)
                out.append(source.diagnostic(f"field {field!r} is not in the data of this {kind} transform",
                                             path + ("transform", index, *at), hint=hint))
        if kind not in _AFTER or missing and kind in _REPLACING:
            return None  # what a typo in a groupby makes is a guess: no errors that fixing it removes
        columns = _AFTER[kind](columns, t) - missing  # a flatten's output is named as its input: not made either
    return columns


#: a transform's kind is the first of these keys it has ("extent" is also a setting of density and regression)
_KINDS = (*(k for k in _AFTER if k != "extent"), "pivot", "lookup", "extent")
_CHILDREN = ("layer", "hconcat", "vconcat", "concat")


def _walk(view: Any, path: JsonPath, inherited: Columns, datasets: Any, source: SourceMap,
          out: list[Diagnostic]) -> None:
    if not isinstance(view, dict) or not _has_transforms(view):
        return  # nothing reads fields here: no table's columns gathered
    columns = _table_columns(view["data"], datasets) if "data" in view else inherited
    columns = _transforms(view, path, columns, source, out)
    for key in _CHILDREN:
        for index, child in enumerate(view.get(key) if isinstance(view.get(key), list) else ()):
            _walk(child, path + (key, index), columns, datasets, source, out)
    if isinstance(view.get("spec"), dict):  # facet and repeat: a repeated field is not a name here
        _walk(view["spec"], path + ("spec",), columns, datasets, source, out)


def _has_transforms(node: Any) -> bool:
    """Does any view of ``node`` have transforms? (rows are not searched: 100,000 of them cost)"""
    if isinstance(node, dict):
        return bool(node.get("transform")) or any(_has_transforms(v) for k, v in node.items()
                                                   if k in (*_CHILDREN, "spec"))
    return isinstance(node, list) and any(_has_transforms(v) for v in node)


def missing_fields(vl: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """An error for each field a transform of ``vl`` (data inlined) reads that its data lacks."""
    out: list[Diagnostic] = []
    _walk(vl, (), None, vl.get("datasets"), source, out)
    return out
