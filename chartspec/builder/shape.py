"""Is a parsed YAML file shaped like a chart, by the chart language's JSON Schema?

ML and plotting configs share chartspec's key names (``layers: [{type: conv}]``, ``x: {min: 0}``,
``legend: true``), and so does a theme file (``legend: {labelColor: ...}``): select.py's cheap scan
takes them for charts and a folder build failed on them. Here a chart key counts only when its value
has a shape the schema allows for it: the right type and, for a mapping (or a list of mappings), the
keys the schema requires there (x's ``field``, a layer's ``y``) or, where none are, one key it
names. One level deep and lenient, so a half-written chart (``x: {field: step}`` beside ``layers:
[{y: {feild: loss}}]``, a typo elsewhere) is still built and its errors reported.
"""

from __future__ import annotations

from typing import Any

from ..spec.schema import load_schema

__all__ = ["chart_shaped", "yaml_refs"]

_TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
                                       "null": (type(None),), "integer": (int,), "number": (int, float)}
#: keys naming another YAML file a chart reads (its theme, data, a data object's ``path``)
_REF_KEYS = frozenset({"theme", "data", "path"})


def chart_shaped(top: dict[str, Any], keys: frozenset[str]) -> bool:
    """Does one of ``keys`` (chartspec's chart keys) in ``top`` hold a value of a shape the schema
    allows? A mapping or list that fits counts alone; a scalar that fits (``legend: false``,
    ``align_ticks: true``) only when every top-level key is the language's: ``legend: true`` beside
    ``figsize`` and ``xlabel`` is a plotting config's. A beginner's misshapen ``x: step`` beside
    ``layers: [loss]`` is skipped too (an ML config's ``data: cifar10`` and ``layers: [conv, relu]``
    look the same): the note says so, and naming the file builds it and shows its errors."""
    properties = load_schema()["properties"]
    scalars = False
    for key in keys & top.keys():
        value = top[key]
        if _fits(value, properties.get(key, {}), items=True):
            if isinstance(value, (dict, list)):
                return True
            scalars = True
    return scalars and top.keys() <= properties.keys()


def yaml_refs(node: Any) -> set[str]:
    """The ``.yaml``/``.yml`` paths ``node`` names under ``theme``, ``data`` or ``path`` at any depth
    (real keys only: a comment or a string that mentions one names nothing)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in _REF_KEYS and isinstance(value, str) and value.strip().lower().endswith((".yaml", ".yml")):
                    found.add(value.strip())
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _fits(value: Any, node: dict[str, Any], *, items: bool) -> bool:
    """``value`` against ``node``: its type and, for a mapping, its required keys (or, when none
    are, one of its property names); a list's items likewise, one level down (``items``): one item
    that fits is enough; ``anyOf``/``oneOf``: any branch that says a type or shape."""
    types, names, required, item_node, branches = _flat(node)
    if types and not any(isinstance(value, _TYPES.get(t, ())) and not (isinstance(value, bool) and t in
                                                                        ("integer", "number")) for t in types):
        return False
    if isinstance(value, dict) and not (value.keys() >= required if required
                                        else names is None or not value or value.keys() & names):
        return False  # x without field, a layer without y: an ML config's {name: conv1, type: conv}
    if isinstance(value, list) and items and item_node is not None and value:
        if not any(_fits(item, item_node, items=False) for item in value):
            return False
    return not branches or any(_fits(value, branch, items=items) for branch in branches)


_Flat = tuple[frozenset[str], frozenset[str] | None, frozenset[str], dict[str, Any] | None, tuple[dict[str, Any], ...]]
#: schema nodes flattened, by identity (the schema is loaded once): discovery asks about every spec
_FLAT: dict[int, tuple[dict[str, Any], _Flat]] = {}


def _flat(node: dict[str, Any]) -> _Flat:
    if (hit := _FLAT.get(id(node))) is None or hit[0] is not node:
        hit = _FLAT[id(node)] = (node, _flatten(node))
    return hit[1]


def _flatten(node: dict[str, Any]) -> _Flat:
    """A schema node with its ``$ref`` and ``allOf`` parts merged: its types, its property names
    (``None``: any key), its required keys, its items' node, its ``anyOf``/``oneOf`` branches that
    say a type or shape."""
    types: set[str] = set()
    names: set[str] | None = None
    required: set[str] = set()
    item_node = None
    branches: list[dict[str, Any]] = []
    for part in _parts(node):
        kind = part.get("type")
        types |= {kind} if isinstance(kind, str) else set(kind or ())
        if "properties" in part:
            names = (names or set()) | part["properties"].keys()
        required |= set(part.get("required", ()))
        item_node = part.get("items", item_node)
        branches += [b for b in part.get("anyOf", []) + part.get("oneOf", []) if b.keys() - {"required", "description"}]
    return (frozenset(types), None if names is None else frozenset(names), frozenset(required), item_node,
            tuple(branches))


def _parts(node: dict[str, Any]) -> list[dict[str, Any]]:
    """``node`` and what its ``$ref`` and ``allOf`` bring (``#`` is the whole chart: a concat item)."""
    parts, todo, seen = [], [node], set()
    while todo:
        part = todo.pop()
        if id(part) in seen:
            continue
        seen.add(id(part))
        parts.append(part)
        if isinstance(ref := part.get("$ref"), str):
            todo.append(_resolve(ref))
        todo += part.get("allOf", [])
    return parts


def _resolve(ref: str) -> dict[str, Any]:
    target: Any = load_schema()
    for step in ref.removeprefix("#").strip("/").split("/"):
        if step:
            target = target[step]
    return target
