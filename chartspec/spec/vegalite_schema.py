"""Validation against the official Vega-Lite JSON Schema (the copy Altair ships).

Only needed when a spec patches its compiled Vega-Lite (``vega_lite:``): chartspec's own compile
output is proven schema-valid by the tests, so the build's hot path skips this.
"""

from __future__ import annotations

import importlib.util
import json
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError

__all__ = ["chart_keys", "config_errors", "config_keys", "vega_lite_errors"]


@cache
def _validator() -> Draft7Validator:
    # Located without importing altair (~0.3 s): only its schema file is needed.
    found = importlib.util.find_spec("altair")
    assert found is not None and found.submodule_search_locations, "altair is a required dependency"
    folder = Path(next(iter(found.submodule_search_locations)))
    schema = json.loads((folder / "vegalite" / "v6" / "schema" / "vega-lite-schema.json").read_text("utf-8"))
    return Draft7Validator(schema)


@cache
def _config_validator() -> Draft7Validator:
    """The same schema, rooted at its ``Config`` definition (themes are config objects)."""
    return Draft7Validator({**_validator().schema, "$ref": "#/definitions/Config"})


def config_keys() -> frozenset[str]:
    """The top-level keys a Vega-Lite ``config`` may hold."""
    return frozenset(_validator().schema["definitions"]["Config"]["properties"])


@cache
def chart_keys() -> frozenset[str]:
    """The top-level keys a Vega-Lite chart may hold, of any kind (unit, layer, facet, repeat, concat)."""
    definitions = _validator().schema["definitions"]
    keys: set[str] = set()
    todo = [definitions["TopLevelSpec"]]
    while todo:
        node = todo.pop()
        if "$ref" in node:
            todo.append(definitions[node["$ref"].rsplit("/", 1)[-1]])
        keys |= node.get("properties", {}).keys()
        todo += node.get("anyOf", [])
    return frozenset(keys)


def config_errors(config: dict[str, Any]) -> list[ValidationError]:
    """One actionable error per location of a Vega-Lite ``config`` object (empty when valid)."""
    return _actionable(_config_validator(), config)


def _actionable(validator: Draft7Validator, instance: Any) -> list[ValidationError]:
    """One error per location of ``instance``: the leaf of each error a person can act on."""
    found: dict[tuple[Any, ...], ValidationError] = {}
    for error in validator.iter_errors(instance):
        for leaf in _leaves(error):
            found.setdefault(tuple(leaf.absolute_path), leaf)
    return list(found.values())


def _leaves(error: ValidationError) -> list[ValidationError]:
    """The errors a person can act on, under anyOf/oneOf: those of the branch that matched
    furthest (deepest error path; on a tie the one with an enum mismatch, then the fewest errors)."""
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = defaultdict(list)
    for sub in error.context:
        branches[sub.schema_path[0] if sub.schema_path else None].append(sub)
    # depth counted at the leaves: a branch whose error sits under a nested anyOf is still deep
    leaves = {key: [leaf for sub in errs for leaf in _leaves(sub)] for key, errs in branches.items()}
    return max(leaves.values(), key=lambda errs: (max(map(_depth, errs)),
                                                  any(e.validator == "enum" for e in errs), -len(errs)))


def _depth(error: ValidationError) -> int:
    """How far into the document an error is: an unknown key counts as one level below its object."""
    return len(error.absolute_path) + (error.validator == "additionalProperties")


def vega_lite_errors(spec: dict[str, Any]) -> list[ValidationError]:
    """One actionable schema error per location of ``spec`` (empty when valid)."""
    return _actionable(_validator(), spec)
