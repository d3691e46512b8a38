"""The schema in editors: completing a key inserts a useful snippet, never the defaults.

The YAML language server (VS Code's YAML extension, Neovim, Helix) completes a key whose value is a
mapping with that mapping's required keys and every key that has a ``default`` (``y:`` came with
``color_axis: true``), unless the schema gives one ``defaultSnippets`` entry, which it inserts
instead. So every mapping with defaulted keys carries one snippet: valid, and with no defaults in it.
"""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from chartspec.spec.schema import load_schema, resolve

SCHEMA = load_schema()
DEFS = SCHEMA["$defs"]


def _defaulted(schema: dict[str, Any]) -> dict[str, Any]:
    """Keys of an object schema (own and through allOf) that have a default, with the default."""
    schema = resolve(schema)
    found = {k: v["default"] for k, v in schema.get("properties", {}).items() if isinstance(v, dict) and "default" in v}
    for part in schema.get("allOf", []):
        found.update(_defaulted(part))
    return found


def _filled(body: Any) -> Any:
    """A snippet body as the user gets it when accepting the placeholders: ``${1:step}`` -> ``step``."""
    if isinstance(body, dict):
        return {k: _filled(v) for k, v in body.items()}
    if isinstance(body, list):
        return [_filled(v) for v in body]
    return re.sub(r"\$\{\d+:([^}]*)\}", r"\1", body) if isinstance(body, str) else body


WITH_DEFAULTS = sorted(name for name, schema in DEFS.items() if _defaulted(schema) and name != "axisCommon")


def test_the_mappings_with_defaults_are_known() -> None:
    """axisCommon is only used through xAxis and yAxis (allOf), which carry the snippets."""
    assert WITH_DEFAULTS == ["annotation", "colorByField", "concatItem", "dataObject", "facet", "foldTransform", "grid",
                             "interactive", "layer", "legend", "smooth", "xAxis", "yAxis"]


@pytest.mark.parametrize("name", WITH_DEFAULTS)
def test_one_valid_snippet_without_defaults(name: str) -> None:
    schema = DEFS[name]
    [snippet] = schema["defaultSnippets"]
    assert snippet["label"] and snippet["description"]
    body = _filled(snippet["body"])
    validator = jsonschema.Draft202012Validator(SCHEMA).evolve(schema=schema)  # $refs resolve in the whole schema
    assert not list(validator.iter_errors(body)), body
    defaults = _defaulted(schema)
    assert not [k for k in body if k in defaults and body[k] == defaults[k]], f"{name}'s snippet injects defaults"


def test_a_layer_y_completes_to_its_field() -> None:
    """The reported case: completing ``y`` in a layer inserts ``field``, not ``color_axis: true``."""
    y = resolve(DEFS["layer"]["properties"]["y"])
    assert y["defaultSnippets"][0]["body"] == {"field": "${1:loss}"}
    assert json.dumps(y["defaultSnippets"]).find("color_axis") == -1
