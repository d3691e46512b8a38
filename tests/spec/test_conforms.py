"""The quick schema check (chartspec/spec/conforms.py) against jsonschema, which it stands in for.

conforms() lets a spec skip jsonschema only when it is certainly valid, and its certain "invalid"
answers are turned around by ``not``/``oneOf``/``if``: so wherever the walk gives an answer it
must be jsonschema's (one wrong "valid" would let a broken spec through without a message). Checked on
every spec of the gallery and of the error cases, on specs generated from the schema and broken
at random, and on the type and equality corners where Python and JSON Schema differ. The
gallery's specs must also get an answer ("valid"): a walk that gave up on them would only make
``validate`` slow again, which no other test would notice.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from test_schema_fuzz import SCHEMA as GENERATED

from chartspec.spec.conforms import _Walk, conforms
from chartspec.spec.jsonload import read_document
from chartspec.spec.schema import load_schema

REPO = Path(__file__).resolve().parents[2]
VALIDATOR = Draft202012Validator(load_schema())
GALLERY = sorted(p for p in (REPO / "specs").glob("*.yaml") if not p.name.endswith(".vl.yaml"))
CASES = sorted((REPO / "tests" / "cases").glob("*/spec.yaml"))


def _verdict(instance: Any, schema: dict[str, Any]) -> bool | None:
    return _Walk(schema).check(instance, schema)


def _agrees(instance: Any, schema: dict[str, Any] | None = None) -> bool | None:
    """The walk's answer, asserted to be jsonschema's whenever it gives one."""
    schema = load_schema() if schema is None else schema
    verdict = _verdict(instance, schema)
    if verdict is not None:
        assert verdict == Draft202012Validator(schema).is_valid(instance), (verdict, instance)
    return verdict


def _data(path: Path) -> Any:
    try:
        return read_document(path.read_bytes(), str(path)).data
    except Exception:  # a case whose YAML itself is broken never reaches the schema
        return None


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_gallery_chart_is_certainly_valid(path: Path) -> None:
    data = _data(path)
    if "hconcat" in data or "vconcat" in data:
        # items that take data or x from the top level fail the schema as a whole: jsonschema
        # words what concat.py keeps (a known slow path, see conforms.py)
        _agrees(data)
        return
    assert VALIDATOR.is_valid(data)
    assert _agrees(data) is True, "the quick check gave up on a valid spec: validate would import jsonschema"
    assert conforms(data, load_schema())


@pytest.mark.parametrize("path", [p for p in CASES if _data(p) is not None], ids=lambda p: p.parent.name)
def test_error_cases_get_jsonschemas_answer(path: Path) -> None:
    """Every case whose YAML parses (the others never reach the schema)."""
    data = _data(path)
    verdict = _agrees(data)
    assert conforms(data, load_schema()) is (verdict is True)


def test_the_cases_with_schema_errors_are_not_passed() -> None:
    invalid = [p for p in CASES if (d := _data(p)) is not None and not VALIDATOR.is_valid(d)]
    assert len(invalid) >= 20  # the error cases do reach the schema
    assert not [p.parent.name for p in invalid if conforms(_data(p), load_schema())]


_JSON = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.floats(allow_nan=True)
                     | st.sampled_from(["", "line", "x", "#fff", "step", "a.b", "1"]),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.sampled_from(["field", "mark", "y", "x", "type", "path", "values",
                                                        "op", "titel", "axis"]), inner, max_size=3), max_leaves=6)


def _paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*at, index))
    return found


@st.composite
def _broken(draw: st.DrawFn) -> Any:
    """A spec generated from the schema, then changed in one to three places."""
    spec = copy.deepcopy(draw(GENERATED_SPECS))
    for _ in range(draw(st.integers(0, 3))):
        paths = _paths(spec)
        at = draw(st.sampled_from(paths))
        if not at:
            continue
        parent = spec
        for part in at[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "delete":
            del parent[at[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["titel", "axis", "type", "op", "value", "files", "as", "hline"]))] = \
                draw(_JSON)
        else:
            parent[at[-1]] = draw(_JSON)
    return spec


GENERATED_SPECS = __import__("schema_strategies").from_schema(GENERATED)


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(spec=_broken())
def test_generated_and_broken_specs_get_jsonschemas_answer(spec: Any) -> None:
    _agrees(spec)


# Corners where Python and JSON Schema part: each against jsonschema on a schema of its own.
CORNERS: list[tuple[dict[str, Any], Any]] = [
    ({"type": "integer"}, 1.0), ({"type": "integer"}, 1.5), ({"type": "integer"}, True),
    ({"type": "number"}, False), ({"type": "number"}, math.nan), ({"type": ["string", "null"]}, None),
    ({"enum": [1, "a"]}, True), ({"enum": [True]}, 1), ({"enum": [0]}, False), ({"enum": [1]}, 1.0),
    ({"enum": [[1, 2]]}, [1, 2]), ({"enum": [[1]]}, [True]), ({"const": {"a": 1}}, {"a": 1}),
    ({"minimum": 0}, -1), ({"minimum": 0}, True), ({"minimum": 0}, "x"), ({"exclusiveMinimum": 0}, 0),
    ({"exclusiveMinimum": 0}, math.nan), ({"not": {"exclusiveMinimum": 0}}, math.nan),
    ({"maximum": 1}, math.inf), ({"exclusiveMaximum": 1}, 1.0),
    ({"minLength": 1}, ""), ({"minLength": 2}, "é"), ({"maxItems": 1}, [1, 2]), ({"minItems": 1}, "x"),
    ({"pattern": "^a"}, "ba"), ({"pattern": "b"}, "ab"), ({"pattern": "^a"}, 3),
    ({"required": ["a"]}, {}), ({"required": ["a"]}, []), ({"minProperties": 1}, {}),
    ({"properties": {"a": False}}, {"a": 1}), ({"properties": {"a": False}}, {"b": 1}),
    ({"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}),
    ({"prefixItems": [{"type": "string"}], "items": False}, ["a"]),
    ({"prefixItems": [{"type": "string"}], "items": False}, ["a", 1]),
    ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1, 2.0]),
    ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"a": 1, "b": 2}),
    ({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"a": 1}),
    ({"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}, {"c": 1}),
    ({"if": {"required": ["a"]}, "then": {"required": ["b"]}}, {"a": 1}),
    ({"if": {"required": ["a"]}, "else": {"required": ["b"]}}, {"c": 1}),
    ({"then": {"required": ["b"]}}, {}),
    ({"allOf": [{"properties": {"a": {}}}], "properties": {"b": {}}, "unevaluatedProperties": False},
     {"a": 1, "b": 2}),
    ({"allOf": [{"$ref": "#/$defs/a"}], "unevaluatedProperties": False, "$defs": {"a": {"properties": {"a": {}}}}},
     {"a": 1}),
    ({"$ref": "#/$defs/a", "$defs": {"a": {"type": "string"}}}, 1),
]


@pytest.mark.parametrize(("schema", "instance"), CORNERS, ids=lambda v: repr(v)[:40])
def test_corners_get_jsonschemas_answer(schema: dict[str, Any], instance: Any) -> None:
    assert _agrees(instance, schema) is not None


def test_unknown_keywords_and_references_leave_the_answer_open() -> None:
    assert _verdict("a", {"format": "email"}) is None
    assert _verdict([1, 1], {"uniqueItems": True}) is None
    assert _verdict(1, {"$ref": "https://example.com/schema"}) is None
    assert _verdict(1, {"$ref": "#/$defs/missing"}) is None
    assert not conforms("a", {"format": "email"})
    # a key unevaluatedProperties may or may not cover (jsonschema also counts additionalProperties, if, ...)
    assert _verdict({"a": 1, "c": 2}, {"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False}) is None
    # open inside "not" stays open: never turned into a certain answer
    assert _verdict("a", {"not": {"format": "email"}}) is None
