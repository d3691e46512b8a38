"""The JSON Schema is the spec language: complete, documented, shipped, and in step with the code."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import REPO, SPECS

import chartspec
from chartspec.data.loaded import ConcatSpec
from chartspec.spec import model
from chartspec.spec.marks import TextStyle
from chartspec.spec.reference import markdown_reference
from chartspec.spec.schema import SCHEMA_FILENAME, load_schema, schema_text


def _walk(node: Any, path: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every property schema in the document, with its location."""
    found = []
    if isinstance(node, dict):
        for key, prop in node.get("properties", {}).items():
            found.append((f"{path}/properties/{key}", prop))
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                found += _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _walk(item, f"{path}/{i}")
    return found


def test_schema_is_valid_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_property_has_description_and_example() -> None:
    schema = load_schema()
    props = _walk(schema)
    assert len(props) > 40
    for where, prop in props:
        target = prop
        if "$ref" in prop and "description" not in prop:
            pytest.fail(f"{where}: a $ref property needs its own description")
        assert target.get("description"), f"{where} has no description"
        if "$ref" not in prop or "#/$defs/color" in prop["$ref"]:
            assert prop.get("examples") or prop.get("$ref"), f"{where} has no examples"


def test_examples_are_valid_for_their_property() -> None:
    schema = load_schema()
    # evolved from the whole schema, so "$ref": "#" (a chart inside a chart) still names the chart
    root = jsonschema.Draft202012Validator(schema)
    for where, prop in _walk(schema):
        for example in prop.get("examples", []):
            errors = list(root.evolve(schema=prop).iter_errors(example))
            assert not errors, f"{where}: example {example!r} is invalid: {errors[0].message}"


def test_schema_defaults_match_the_model() -> None:
    """The schema documents the defaults; the model applies them. They must agree."""
    defs = load_schema()["$defs"]
    top = load_schema()["properties"]
    assert top["width"]["default"] == model.DEFAULT_WIDTH
    assert top["height"]["default"] == model.DEFAULT_HEIGHT
    assert top["background"]["default"] == model.DEFAULT_BACKGROUND
    assert defs["layer"]["properties"]["point_size"]["default"] == model.DEFAULT_POINT_SIZE
    assert defs["layer"]["properties"]["stroke_width"]["default"] == model.DEFAULT_STROKE_WIDTH
    assert defs["grid"]["properties"]["color"]["default"] == model.DEFAULT_GRID_COLOR
    assert defs["legend"]["properties"]["position"]["default"] == model.DEFAULT_LEGEND_POSITION
    spec = chartspec.loads("data: {values: [{a: 1, b: 2}]}\nx: {field: a}\nlayers: [{y: {field: b}}]\n").model
    layer = spec.layers[0]
    assert layer.mark == defs["layer"]["properties"]["mark"]["default"]
    assert spec.x.type == defs["axisCommon"]["properties"]["type"]["default"]
    assert spec.x.scale == defs["axisCommon"]["properties"]["scale"]["default"]
    assert layer.y.color_axis is defs["yAxis"]["properties"]["color_axis"]["default"]
    assert layer.point is None and defs["layer"]["properties"]["point"]["default"] is False


def test_every_schema_key_reaches_the_model() -> None:
    """A key the schema accepts but the model ignores would be a silent no-op for users."""
    defs = load_schema()["$defs"]
    layer_fields = {f.name for f in dataclasses.fields(model.Layer)}
    layer_fields |= {f.name for f in dataclasses.fields(TextStyle)}  # a text mark's keys: Layer.text_style
    for key in defs["layer"]["properties"]:
        assert key in layer_fields, f"layer key {key!r} is not in model.Layer"
    y_fields = {f.name for f in dataclasses.fields(model.YAxis)}
    for key in list(defs["axisCommon"]["properties"]) + list(defs["yAxis"]["properties"]):
        assert key in y_fields, f"axis key {key!r} is not in model.YAxis"
    x_fields = {f.name for f in dataclasses.fields(model.Axis)}
    for key in defs["xAxis"]["properties"]:
        assert key in x_fields, f"x axis key {key!r} is not in model.Axis"
    chart_fields = {f.name for f in dataclasses.fields(model.ChartSpec)}
    chart_fields |= {f.name for f in dataclasses.fields(ConcatSpec)}  # hconcat / vconcat: a layout of charts
    assert set(load_schema()["properties"]) - {"$schema"} <= chart_fields


# specs/data holds data, training logs among it (MLflow's meta.yaml, DVC's dvc.yaml): not specs
@pytest.mark.parametrize("spec", sorted(p for p in SPECS.rglob("*.yaml") if "data" not in p.relative_to(SPECS).parts),
                         ids=lambda p: p.name)
def test_example_specs_follow_the_schema_and_modeline(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), "specs carry the editor modeline"
    if spec.name.endswith(".vl.yaml"):  # plain Vega-Lite: checked against the Vega-Lite schema
        assert first.split("=", 1)[1].startswith("https://vega.github.io/schema/vega-lite/")
        assert chartspec.validate(spec) == []
        return
    target = (spec.parent / first.split("=", 1)[1]).resolve()
    assert target == (REPO / "schemas" / SCHEMA_FILENAME).resolve()
    assert chartspec.validate(spec) == []


def test_installed_schema_is_the_published_one() -> None:
    assert json.loads(schema_text()) == json.loads((REPO / "schemas" / SCHEMA_FILENAME).read_text())
    packaged = resources.files("chartspec").joinpath(SCHEMA_FILENAME)
    source_tree = (Path(chartspec.__file__).parent.parent / "pyproject.toml").exists()
    assert packaged.is_file() or source_tree, "a wheel install must carry chartspec/chartspec.schema.json"


def test_cli_prints_the_schema(run_cli) -> None:  # type: ignore[no-untyped-def]
    proc = run_cli("schema")
    assert proc.returncode == 0
    assert json.loads(proc.stdout) == load_schema()


def test_reference_docs_are_generated_from_the_schema() -> None:
    committed = (REPO / "docs" / "spec-reference.md").read_text(encoding="utf-8")
    assert committed == markdown_reference(), "run: python -m chartspec.spec.reference > docs/spec-reference.md"
    for where, _prop in _walk(load_schema()):
        assert f"`{where.rsplit('/', 1)[1]}`" in committed, f"{where} missing from the reference"
