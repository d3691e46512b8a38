"""A quick "certainly valid?" check of a spec against chartspec's JSON Schema, without jsonschema.

Importing jsonschema costs about a third of a cold ``chartspec validate`` (referencing, rpds,
attrs, and every draft's metaschema parsed at import), and almost every spec is valid. So the
schema (the same file, read at run time: the single source of truth) is first walked here, and
jsonschema runs, and writes the messages, only when this walk cannot say "valid".

The walk answers in three values: ``True`` (valid, as jsonschema would decide), ``False``
(invalid, as jsonschema would decide) and ``None`` (not sure: a keyword this module does not
know, a ``$ref`` it cannot follow, a key ``unevaluatedProperties`` may or may not cover). Only a
``True`` at the top skips jsonschema, so a ``None`` or a mistaken ``False`` costs time, never a
missed error; ``False`` must be certain only because ``not``, ``oneOf`` and ``if`` turn it
around. tests/spec/test_conforms.py checks the answers against jsonschema's on every example
spec, every error case and generated variations of them.

A layout (``hconcat``/``vconcat``) whose items take ``data`` or ``x`` from the top level takes the
slow path: such items fail the schema on their own, and concat.py keeps part of what jsonschema
says about them.

Keywords are the Draft 2020-12 ones the schema uses, with jsonschema's semantics: its type
checker (bool is not a number, 1.0 is an integer), its equality for ``enum``/``const`` (1 is not
true), ``re.search`` for ``pattern``.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable
from typing import Any

__all__ = ["conforms"]

# Keywords that only annotate: jsonschema ignores them when validating. ``then``/``else`` act
# through ``if``. Any keyword outside this set and _KEYWORDS makes the answer "not sure".
_ANNOTATIONS = frozenset({"$schema", "$defs", "$comment", "title", "description", "markdownDescription",
                          "examples", "default", "defaultSnippets", "deprecated", "readOnly", "writeOnly",
                          "then", "else"})

Verdict = bool | None


def conforms(instance: Any, schema: dict[str, Any]) -> bool:
    """True only when ``instance`` is certainly valid against ``schema`` (a whole schema with
    local ``#/...`` references); False when it is invalid or this check cannot tell."""
    return _Walk(schema).check(instance, schema) is True


def _all(verdicts: Any) -> Verdict:
    """And, in three values: one certain False decides; else any None leaves it open."""
    result: Verdict = True
    for verdict in verdicts:
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


def _is_type(instance: Any, name: str) -> Verdict:
    """jsonschema's Draft 2020-12 type checker; None for a type name it would not know."""
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "string":
        return isinstance(instance, str)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):  # bool inherits from int: never a number here
        return False if name in ("integer", "number") else None
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if name == "number":
        return isinstance(instance, numbers.Number)
    return None


def _plain(value: Any) -> bool:
    """Made of JSON's types only (as YAML and JSON loading give): where _equal is jsonschema's."""
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    return False


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's ``_utils.equal``: Python equality, except that true is not 1 nor false 0."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list | tuple) and isinstance(two, list | tuple):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and _equal(v, two[k]) for k, v in one.items())
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one is two
    return bool(one == two)


class _Walk:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root

    def check(self, instance: Any, schema: Any) -> Verdict:
        if schema is True or schema is False:
            return schema
        if not isinstance(schema, dict):
            return None
        result: Verdict = True
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or (keyword == "$id" and schema is self.root):
                continue
            rule = _KEYWORDS.get(keyword)
            verdict = rule(self, instance, value, schema) if rule is not None else None
            if verdict is False:
                return False
            if verdict is None:
                result = None
        return result

    def ref(self, instance: Any, ref: Any, schema: dict[str, Any]) -> Verdict:
        if not isinstance(ref, str) or not ref.startswith("#") or (ref != "#" and not ref.startswith("#/")):
            return None
        node: Any = self.root
        for part in ref[2:].split("/") if ref != "#" else ():
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return self.check(instance, node)

    def evaluated(self, instance: dict[str, Any], schema: Any) -> set[str]:
        """Keys of ``instance`` that ``properties`` here, behind ``$ref`` and in the certainly
        valid branches of ``allOf``/``anyOf``/``oneOf`` cover: a subset of what jsonschema counts
        as evaluated (it also counts ``additionalProperties``, ``if``, ...), so a key outside it
        failing ``unevaluatedProperties`` leaves the answer open, never wrongly valid."""
        if not isinstance(schema, dict):
            return set()
        keys = set(schema.get("properties", {})) & set(instance) if isinstance(schema.get("properties"), dict) else set()
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            node: Any = self.root
            for part in ref[2:].split("/"):
                node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
            keys |= self.evaluated(instance, node)
        for keyword in ("allOf", "anyOf", "oneOf"):
            for branch in schema.get(keyword, ()):
                if self.check(instance, branch) is True:
                    keys |= self.evaluated(instance, branch)
        return keys


def _type(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    names = [value] if isinstance(value, str) else value
    verdicts = [_is_type(instance, n) for n in names]
    return True if True in verdicts else (False if all(v is False for v in verdicts) else None)


def _properties(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(instance, dict):
        return True
    return _all(walk.check(instance[k], sub) for k, sub in value.items() if k in instance)


def _additional(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(instance, dict):
        return True
    if "patternProperties" in schema:
        return None
    known = schema.get("properties", {})
    return _all(walk.check(v, value) for k, v in instance.items() if k not in known)


def _unevaluated(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(instance, dict):
        return True
    covered = walk.evaluated(instance, schema)
    rest = _all(walk.check(v, value) for k, v in instance.items() if k not in covered)
    return None if rest is False else rest  # jsonschema may cover more keys: invalid is not certain


def _items(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(instance, list):
        return True
    return _all(walk.check(item, value) for item in instance[len(schema.get("prefixItems", ())):])


def _prefix_items(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    if not isinstance(instance, list):
        return True
    return _all(walk.check(item, sub) for item, sub in zip(instance, value))


def _any_of(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    verdicts = [walk.check(instance, sub) for sub in value]
    return True if True in verdicts else (False if all(v is False for v in verdicts) else None)


def _one_of(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    verdicts = [walk.check(instance, sub) for sub in value]
    valid = verdicts.count(True)
    if valid > 1:
        return False
    if None in verdicts:
        return None
    return valid == 1


def _not(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    verdict = walk.check(instance, value)
    return None if verdict is None else not verdict


def _if(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
    verdict = walk.check(instance, value)
    if verdict is None:
        return None
    branch = "then" if verdict else "else"
    return walk.check(instance, schema[branch]) if branch in schema else True


def _of_kind(kind: str, test: Callable[[Any, Any], bool]) -> Callable[..., Verdict]:
    """A keyword that applies to one JSON type (others pass it), as jsonschema's do."""
    def rule(walk: _Walk, instance: Any, value: Any, schema: dict[str, Any]) -> Verdict:
        return test(instance, value) if _is_type(instance, kind) else True
    return rule


_KEYWORDS: dict[str, Callable[..., Verdict]] = {
    "$ref": lambda walk, instance, value, schema: walk.ref(instance, value, schema),
    "type": _type,
    "enum": lambda walk, instance, value, schema: any(_equal(instance, v) for v in value) if _plain(instance) else None,
    "const": lambda walk, instance, value, schema: _equal(instance, value) if _plain(instance) else None,
    "required": lambda walk, instance, value, schema: not isinstance(instance, dict) or all(k in instance for k in value),
    "properties": _properties,
    "additionalProperties": _additional,
    "unevaluatedProperties": _unevaluated,
    "items": _items,
    "prefixItems": _prefix_items,
    "allOf": lambda walk, instance, value, schema: _all(walk.check(instance, sub) for sub in value),
    "anyOf": _any_of,
    "oneOf": _one_of,
    "not": _not,
    "if": _if,
    "minItems": _of_kind("array", lambda x, n: len(x) >= n),
    "maxItems": _of_kind("array", lambda x, n: len(x) <= n),
    "minLength": _of_kind("string", lambda x, n: len(x) >= n),
    "maxLength": _of_kind("string", lambda x, n: len(x) <= n),
    "pattern": _of_kind("string", lambda x, p: re.search(p, x) is not None),
    "minProperties": _of_kind("object", lambda x, n: len(x) >= n),
    "maxProperties": _of_kind("object", lambda x, n: len(x) <= n),
    # as jsonschema words them ("error if x < minimum"), so nan passes as it does there
    "minimum": _of_kind("number", lambda x, n: not x < n),
    "maximum": _of_kind("number", lambda x, n: not x > n),
    "exclusiveMinimum": _of_kind("number", lambda x, n: not x <= n),
    "exclusiveMaximum": _of_kind("number", lambda x, n: not x >= n),
}
