"""Fields a plain Vega-Lite transform reads that its data does not have.

Vega fails on some of them with a bare ``TypeError: Cannot read properties of undefined`` (a
``flatten`` or ``density`` of a missing field) and silently draws nothing or NaN for the others
(``fold``, ``pivot``, ``aggregate``). Once the data files are inlined (plain.py), the columns of
each table are known: :func:`missing_fields` walks every view's transforms with them and reports a
field no row has, at the place it is written. Where the columns stop being known (a ``pivot``'s
are its data's values, a ``lookup`` adds another table's, a generator or TopoJSON has none here,
an option or an ``as`` this module does not model exactly), the check stops for that view and those
under it: it only reports what is certainly missing.
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
        if isinstance(op, dict) and op.get("field") != "*":  # {op: count, field: "*"}: every row, no column
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


def _names(value: Any, count: int | None = None) -> list[str] | None:
    """``value`` as a list of field names (``count`` of them, when given), or None if it is not one."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return value if count is None or len(value) == count else None


def _pair(t: dict[str, Any], default: list[str] | None) -> list[str] | None:
    """A two-field ``as`` (a fold's key and value, a density's value and density), else ``default``
    when there is no ``as``; None for any other ``as``."""
    return _names(t["as"], 2) if "as" in t else default


def _start_end(t: dict[str, Any]) -> list[str] | None:
    """A bin's or stack's ``as``: a string ``v`` makes ``v`` and ``v_end``, a list names both."""
    value = t.get("as")
    return [value, f"{value}_end"] if isinstance(value, str) else _names(value, 2)


def _made(t: dict[str, Any], key: str) -> list[str] | None:
    """The ``as`` of every operation of an aggregate, window or joinaggregate; None when one has none
    (Vega then names it after its op and field: not modelled)."""
    ops = t.get(key)
    if not isinstance(ops, list):
        return None
    names = [op.get("as") if isinstance(op, dict) else None for op in ops]
    return names if all(isinstance(n, str) for n in names) else None  # type: ignore[return-value]


def _fit(kind: str, t: dict[str, Any]) -> list[str] | None:
    """A regression's or loess' output: its groupby and the x and y it writes (named as the input
    unless ``as`` says), or a regression's ``params``: one row per group of ``keys`` (the group's
    values), ``coef`` and ``rSquared``, as Vega writes them (no groupby fields)."""
    if kind == "regression" and t.get("params"):
        return ["keys", "coef", "rSquared"]
    on, fitted, groupby = t.get("on"), t.get(kind), _names(t.get("groupby", []))
    if not isinstance(on, str) or not isinstance(fitted, str) or groupby is None:
        return None
    made = _pair(t, [on, fitted])
    return None if made is None else groupby + made


def _grouped(t: dict[str, Any], made: list[str] | None) -> list[str] | None:
    groupby = _names(t.get("groupby", []))
    return None if groupby is None or made is None else groupby + made


def _adding(made: list[str] | None) -> Callable[[frozenset[str]], Columns]:
    return lambda c: None if made is None else c | set(made)


def _flattened(t: dict[str, Any]) -> list[str] | None:
    """A flatten writes each element at its ``as`` name, by default its field's own (plain names only:
    how Vega names a nested path's output is not modelled)."""
    fields = _names(t.get("flatten"))
    if fields is None or "as" not in t:
        return None if fields is None or any(c in f for f in fields for c in ".[]\\") else fields
    return _names(t["as"], len(fields))


def _same(c: frozenset[str], t: dict[str, Any]) -> Columns:
    return c


#: the columns after a transform, from those before it (each output exactly as the Vega-Lite docs
#: and Vega write it); None where that is not known ahead of Vega or not modelled here
_AFTER: dict[str, Callable[[frozenset[str], dict[str, Any]], Columns]] = {
    "filter": _same, "sample": _same, "extent": _same, "impute": _same,
    "calculate": lambda c, t: _adding([t["as"]] if isinstance(t.get("as"), str) else None)(c),
    "fold": lambda c, t: _adding(_pair(t, ["key", "value"]))(c),
    "flatten": lambda c, t: _adding(_flattened(t))(c),
    "bin": lambda c, t: _adding(None if isinstance(t.get("bin"), dict) and t["bin"].get("binned")
                                else _start_end(t))(c),
    # a time unit writes its end too (the next unit's start): "month" as "m" makes m and m_end
    "timeUnit": lambda c, t: _adding([t["as"], f"{t['as']}_end"] if isinstance(t.get("as"), str) else None)(c),
    "stack": lambda c, t: _adding(_start_end(t))(c),
    "joinaggregate": lambda c, t: _adding(_made(t, "joinaggregate"))(c),
    "window": lambda c, t: _adding(_made(t, "window"))(c),
    "aggregate": lambda c, t: _columns(_grouped(t, _made(t, "aggregate"))),
    "density": lambda c, t: _columns(_grouped(t, _pair(t, ["value", "density"]))),
    "quantile": lambda c, t: _columns(_grouped(t, _pair(t, ["prob", "value"]))),
    "regression": lambda c, t: _columns(_fit("regression", t)),
    "loess": lambda c, t: _columns(_fit("loess", t)),
}

#: the options each transform takes (Vega-Lite's schema): after one with any other key, the columns
#: are not known (a newer Vega-Lite's option may make others)
_OPTIONS: dict[str, frozenset[str]] = {kind: frozenset(keys.split()) for kind, keys in {
    "filter": "filter", "sample": "sample", "extent": "extent param", "calculate": "calculate as",
    "impute": "impute key keyvals method value frame groupby", "fold": "fold as", "flatten": "flatten as",
    "bin": "bin field as", "timeUnit": "timeUnit field as", "stack": "stack groupby offset sort as",
    "joinaggregate": "joinaggregate groupby", "window": "window frame groupby ignorePeers sort",
    "aggregate": "aggregate groupby", "quantile": "quantile groupby probs step as",
    "density": "density groupby cumulative counts bandwidth extent minsteps maxsteps steps resolve as",
    "regression": "regression on groupby method order extent params as", "loess": "loess on groupby bandwidth as",
}.items()}


#: transforms whose output columns are their groupby and what they compute, no others
_REPLACING = ("aggregate", "density", "quantile", "regression", "loess")


def _columns(names: list[str] | None) -> Columns:
    return None if names is None else frozenset(names)


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
        if kind not in _AFTER or missing and kind in _REPLACING or not t.keys() <= _OPTIONS[kind]:
            return None  # what a typo in a groupby makes is a guess: no errors that fixing it removes
        after = _AFTER[kind](columns, t)
        columns = None if after is None else after - missing  # a flatten's output named as its input: not made
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
