"""Specs generated from the JSON Schema itself compile or fail located.

test_properties.py builds specs from hand-picked parts of the schema's vocabulary; this test
reads nothing but ``schemas/chartspec.schema.json`` (through schema_strategies.py), so every key the language gains is fuzzed
the day it is added. Two narrowings keep most examples meaningful instead of failing the first
field check: every ``field`` property may only name a column of the inline data below, and
``data`` is that inline data. Everything else (marks, scales, legends, transforms, layouts,
annotations, patches) is whatever the schema allows.

The property: a generated spec either compiles to Vega-Lite that the official Vega-Lite schema
accepts, or raises a ChartspecError whose every diagnostic points inside the generated text.
"""

from __future__ import annotations

import copy
import json
import os
from typing import Any

import jsonschema
import yaml
from conftest import assert_valid_vega_lite
from hypothesis import HealthCheck, assume, event, given, settings
from schema_strategies import from_schema

import chartspec
from chartspec.spec.schema import load_schema

ROWS = [
    {"step": s, "loss": round(2.5 / (1 + s / 50), 4), "acc": round(min(0.95, s / 520), 4),
     "lr": 0.001 * (0.5 ** (s // 100)), "run": f"run-{s % 3}", "split": "train" if s % 2 else "val"}
    for s in range(0, 301, 25)
]
COLUMNS = sorted(ROWS[0])
MAX_DEPTH = 3  # how often a recursive $ref (a chart inside a chart) is unfolded


def _inline(node: Any, defs: dict[str, Any], depth: dict[str, int]) -> Any:
    """The schema with local ``$ref`` s replaced by what they name (recursion unfolded a little)."""
    if isinstance(node, list):
        return [_inline(item, defs, depth) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _inline(v, defs, depth) for k, v in node.items() if k not in ("$ref", "$defs", "$schema", "$id")}
    ref = node.get("$ref")
    if ref is None:
        return out
    name = ref.removeprefix("#/$defs/") if ref.startswith("#/$defs/") else "#"
    if depth.get(name, 0) >= MAX_DEPTH:
        return False  # too deep: this branch cannot be generated, others can
    depth[name] = depth.get(name, 0) + 1
    target = _inline(defs[name], defs, depth)
    depth[name] -= 1
    if target is False:
        return False
    return {"allOf": [target, out]} if out else target


def _foreign_field(example: Any) -> bool:
    """Whether an example names a ``field`` that ROWS does not have (the schema's own examples do)."""
    if isinstance(example, list):
        return any(_foreign_field(item) for item in example)
    if isinstance(example, dict):
        field = example.get("field")
        return (isinstance(field, str) and field not in COLUMNS) or any(map(_foreign_field, example.values()))
    return False


def _narrow(node: Any) -> Any:
    """Every ``field`` names a column of ROWS; top-level ``data`` is ROWS."""
    if isinstance(node, list):
        return [_narrow(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _narrow(v) for k, v in node.items() if k != "examples"}
    if "examples" in node:
        out["examples"] = [e for e in node["examples"] if not _foreign_field(e)]
    props = out.get("properties")
    if isinstance(props, dict) and isinstance(props.get("field"), dict):
        props["field"] = {"enum": COLUMNS}
    return out


def generated_spec_schema() -> dict[str, Any]:
    schema = copy.deepcopy(load_schema())
    defs = dict(schema.get("$defs", {}))
    defs["#"] = schema
    flat = _narrow(_inline(schema, defs, {}))
    flat["properties"]["data"] = {"const": {"values": ROWS}}
    # always there: the schema cannot require it (layout items take the top-level one), chartspec does
    flat["required"] = sorted({*flat.get("required", []), "data"})
    return flat


SCHEMA = generated_spec_schema()
VALIDATOR = jsonschema.Draft202012Validator(load_schema())
EXAMPLES = int(os.environ.get("CHARTSPEC_FUZZ_EXAMPLES", "60"))


def _located(err: chartspec.ChartspecError, text: str) -> None:
    lines = text.splitlines() or [""]
    assert err.diagnostics, err
    for d in err.diagnostics:
        assert d.file == "gen.yaml", d
        if not d.line:
            continue  # a problem of the whole file (e.g. the patched Vega-Lite as a whole)
        assert 1 <= d.line <= len(lines), (d, text)
        assert 1 <= d.column <= len(lines[d.line - 1]) + 1, (d, text)
        assert d.message.strip(), d


def test_schema_fuzz_specs_compile_to_valid_vega_lite_or_fail_located() -> None:
    outcomes: dict[str, int] = {}

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(spec=from_schema(SCHEMA))
    def check(spec: dict[str, Any]) -> None:
        # the generator does not model every keyword (``not``, patterns): keep only valid specs
        assume(VALIDATOR.is_valid(spec))
        text = yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
        try:
            vl = chartspec.to_vegalite(chartspec.loads(text, file="gen.yaml"))
        except chartspec.ChartspecError as err:
            _located(err, text)
            kind = type(err).__name__
            outcomes[kind] = outcomes.get(kind, 0) + 1
            event(f"refused: {kind}")
            return
        json.dumps(vl, allow_nan=False)
        assert_valid_vega_lite(vl)
        outcomes["compiled"] = outcomes.get("compiled", 0) + 1
        event("compiled")

    check()
    # The narrowing must leave room for success: a fuzz test where everything is refused
    # would only prove that errors are located.
    assert outcomes.get("compiled", 0) > 0, outcomes
