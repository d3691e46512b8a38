"""Hypothesis strategies for instances of a JSON Schema (the subset chartspec's schema uses).

hypothesis-jsonschema would be the obvious tool, but its last release (0.23, 2024) relies on
Hypothesis internals that current Hypothesis no longer has. This generator covers the keywords
chartspec's schema is written with (type, enum, const, properties/required/additionalProperties,
items/prefixItems, min/max bounds, allOf/anyOf/oneOf, if/then/else) and mixes in each node's ``examples``, so
colours, marks and expressions are realistic as often as they are random. Keywords it does not
model (``not``, ``pattern``, oneOf exclusivity ...) are left to the caller, who validates each
instance against the schema and discards the few that miss.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

__all__ = ["from_schema"]

MAX_ITEMS = 4
# control characters are refused by the loader (test_properties covers that): leave them out here
_CHARS = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
_TEXT = st.text(_CHARS, max_size=12)


def _merge(parts: list[Any]) -> Any:
    """allOf as one schema (properties and required united, other keywords: the last one wins)."""
    out: dict[str, Any] = {}
    for part in parts:
        if part is False:
            return False
        if part is True:
            continue
        for key, value in part.items():
            if key == "properties":
                out["properties"] = {**out.get("properties", {}), **value}
            elif key == "required":
                out["required"] = sorted(set(out.get("required", [])) | set(value))
            else:
                out[key] = value
    return out


def _single_keys(schema: dict[str, Any]) -> set[str]:
    """The keys ``{"required": [k]}`` or ``{"anyOf": [{"required": [k]}, ...]}`` names one at a time."""
    parts = schema.get("anyOf", [schema])
    return {p["required"][0] for p in parts if isinstance(p, dict) and len(p.get("required", [])) == 1}


def _without(schema: dict[str, Any], keys: set[str]) -> dict[str, Any]:
    if "properties" not in schema:
        return schema
    return {**schema, "properties": {k: v for k, v in schema["properties"].items() if k not in keys}}


def from_schema(schema: Any) -> st.SearchStrategy[Any]:
    """Instances of ``schema`` (refs already inlined), most of them valid."""
    if schema is False:
        return st.nothing()
    if schema is True or not schema:
        return st.one_of(st.none(), st.booleans(), st.integers(-5, 5), _TEXT)
    if "allOf" in schema:
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return from_schema(_merge([*schema["allOf"], rest]))
    if "if" in schema:  # if/then/else as a choice between its two cases (a chart, or a layout of charts)
        rest = {k: v for k, v in schema.items() if k not in ("if", "then", "else")}
        then = schema.get("then", True)
        # keys the "if" asks for are absent in the "else" case; keys "then" forbids are absent in the other
        banned = _single_keys(then.get("not", {})) if isinstance(then, dict) else set()
        cases = [[schema["if"], then, _without(rest, banned)],
                 [schema.get("else", True), _without(rest, _single_keys(schema["if"]))]]
        return st.one_of([from_schema(_merge(case)) for case in cases])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            rest = {k: v for k, v in schema.items() if k != key}
            return st.one_of([from_schema(_merge([branch, rest])) for branch in schema[key]])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    generated = _by_type(schema)
    examples = [e for e in schema.get("examples", []) if e is not None]
    return st.one_of(st.sampled_from(examples), generated) if examples else generated


def _by_type(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of([_by_type({**schema, "type": k}) for k in kind])
    if kind == "object" or (kind is None and "properties" in schema):
        return _object(schema)
    if kind == "array" or (kind is None and ("items" in schema or "prefixItems" in schema)):
        return _array(schema)
    if kind in ("number", "integer"):
        return _number(schema, integer=kind == "integer")
    if kind == "string":
        return st.text(_CHARS, min_size=schema.get("minLength", 0), max_size=max(12, schema.get("minLength", 0)))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    return from_schema(True)


def _number(schema: dict[str, Any], *, integer: bool) -> st.SearchStrategy[Any]:
    lo = schema.get("minimum", schema.get("exclusiveMinimum"))
    hi = schema.get("maximum", schema.get("exclusiveMaximum"))
    if integer:
        lo_i = int(lo) + (1 if "exclusiveMinimum" in schema and lo == int(lo) else 0) if lo is not None else -1000
        hi_i = int(hi) - (1 if "exclusiveMaximum" in schema and hi == int(hi) else 0) if hi is not None else 1000
        return st.integers(lo_i, hi_i)
    return st.floats(min_value=lo if lo is not None else -1e6, max_value=hi if hi is not None else 1e6,
                     exclude_min="exclusiveMinimum" in schema, exclude_max="exclusiveMaximum" in schema,
                     allow_nan=False, allow_infinity=False)


def _array(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    prefix = schema.get("prefixItems")
    lo = schema.get("minItems", 0)
    hi = min(schema.get("maxItems", MAX_ITEMS), max(lo, MAX_ITEMS))
    if prefix:
        head = st.tuples(*(from_schema(p) for p in prefix)).map(list)
        if schema.get("items", True) is False or hi <= len(prefix):
            return head
        tail = st.lists(from_schema(schema.get("items", True)), max_size=hi - len(prefix))
        return st.tuples(head, tail).map(lambda ht: ht[0] + ht[1])
    return st.lists(from_schema(schema.get("items", True)), min_size=lo, max_size=hi)


def _object(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    props: dict[str, Any] = schema.get("properties", {})
    required = [k for k in schema.get("required", []) if k in props]
    optional = {k: from_schema(v) for k, v in props.items() if k not in required and v is not False}
    return st.fixed_dictionaries({k: from_schema(props[k]) for k in required}, optional=optional)
