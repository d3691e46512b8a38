"""The spec reference in Markdown, generated from the JSON Schema (the docs cannot drift).

    python -m chartspec.spec.reference > docs/spec-reference.md
"""

from __future__ import annotations

import json
from typing import Any

from .schema import load_schema, resolve

__all__ = ["markdown_reference"]

_SECTIONS = [
    ("Chart (top level)", "#"),
    ("`data` as an object", "#/$defs/dataObject"),
    ("`x` and every `y`: axis settings", "#/$defs/axisCommon"),
    ("`x`: extra settings of the x axis", "#/$defs/xAxis"),
    ("`y`: extra settings of a layer's y axis", "#/$defs/yAxis"),
    ("`tick_step` of a temporal axis: a time interval", "#/$defs/timeStep"),
    ("`layers[]`: a layer", "#/$defs/layer"),
    ("`legend`", "#/$defs/legend"),
    ("`grid`", "#/$defs/grid"),
    ("`interactive` as an object", "#/$defs/interactive"),
    ("`transform[]`: filter", "#/$defs/filterTransform"),
    ("`filter` as a field test", "#/$defs/fieldTest"),
    ("`transform[]`: calculate", "#/$defs/calculateTransform"),
    ("`transform[]`: aggregate", "#/$defs/aggregateTransform"),
    ("`aggregate[]`: one statistic", "#/$defs/aggregateOp"),
    ("`transform[]`: fold", "#/$defs/foldTransform"),
    ("`transform[]`: rolling", "#/$defs/rollingTransform"),
    ("`rolling`: the window", "#/$defs/rollingTransform/properties/rolling"),
    ("`smooth` of a layer", "#/$defs/smooth"),
    ("`facet`", "#/$defs/facet"),
    ("`padding` as an object", "#/$defs/padding"),
    ("`color` of a layer as an object: by a field", "#/$defs/colorByField"),
    ("`band` of a layer (marks errorband, rule, rect, area)", "#/$defs/layer/properties/band"),
    ("`annotations[]`: an annotation", "#/$defs/annotation"),
    ("`hline` of an annotation as an object: a statistic of the data", "#/$defs/referenceStat"),
]


def _node(pointer: str) -> dict[str, Any]:
    node: Any = load_schema()
    for part in pointer.removeprefix("#").strip("/").split("/"):
        if part:
            node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _type(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    if ref.endswith("/color"):
        return "colour"
    schema = resolve(schema)
    if "enum" in schema:
        return " | ".join(f"`{v}`" for v in schema["enum"])
    if "anyOf" in schema and "type" not in schema:  # with a type, anyOf only asks for keys
        return " or ".join(_type(s) for s in schema["anyOf"])
    if "allOf" in schema or (ref and schema.get("type") != "array"):
        return "mapping"
    types = schema.get("type", "any")
    types = types if isinstance(types, list) else [types]
    if "array" in types and "items" in schema:
        return f"list of {_type(schema['items'])}"
    return " or ".join({"object": "mapping", "array": "list", "null": "`null`"}.get(t, t) for t in types)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _example(schema: dict[str, Any]) -> str:
    examples = schema.get("examples") or resolve(schema).get("examples") or []
    return ", ".join(f"`{json.dumps(e, ensure_ascii=False)}`" for e in examples[:2])


def _table(schema: dict[str, Any]) -> list[str]:
    # the top level requires x and layers unless it is a layout (hconcat / vconcat): see "else"
    required = set(schema.get("required", [])) | set(schema.get("else", {}).get("required", []))
    rows = ["| key | type | default | description | example |", "|---|---|---|---|---|"]
    for key, prop in schema.get("properties", {}).items():
        desc = prop.get("description") or resolve(prop).get("description", "")
        default = prop.get("default", resolve(prop).get("default"))
        shown_default = "required" if key in required else ("" if default is None else f"`{json.dumps(default)}`")
        rows.append(f"| `{key}` | {_cell(_type(prop))} | {shown_default} | {_cell(desc)} | {_cell(_example(prop))} |")
    return rows


def markdown_reference() -> str:
    lines = ["# chartspec spec reference", "",
             "Generated from `schemas/chartspec.schema.json` by `python -m chartspec.spec.reference`; "
             "do not edit by hand.", ""]
    for title, pointer in _SECTIONS:
        node = _node(pointer)
        lines += [f"## {title}", "", node.get("description", ""), ""]
        if pointer in ("#/$defs/xAxis", "#/$defs/yAxis"):
            lines += ["Also takes every axis setting above; `field` is required.", ""]
        lines += _table(node) + [""]
    shape = _node("#/$defs/shape")
    lines += ["## Marker shapes", "", ", ".join(f"`{s}`" for s in shape["enum"]), "",
              "## Colours", "", _node("#/$defs/color")["description"], ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    print(markdown_reference(), end="")
