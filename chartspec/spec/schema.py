"""Access to chartspec's JSON Schema, the single definition of the spec language."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["LONG_TEXT_HINT", "SCHEMA_FILENAME", "allowed_keys", "load_schema", "max_text_length", "schema_path",
           "schema_text"]

SCHEMA_FILENAME = "chartspec.schema.json"
#: what to do about a title, name or label over the schema's ``maxLength`` (spec/validate.py,
#: compiler/limits.py say the same for chartspec's keys and for Vega-Lite's own)
LONG_TEXT_HINT = ("a chart's text is drawn on one line: shorten it to a few words, and put the long text in "
                  "'description' (read by screen readers, never drawn) or beside the chart")
# In a source checkout the schema lives in ../schemas; wheels carry a copy inside the package.
_REPO_SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / SCHEMA_FILENAME
# The package's own copy as a plain file (any install but a zip): read without importlib.resources,
# which brings tempfile, random, shutil and zipfile (~15 ms of every cold validate).
_PACKAGED = Path(__file__).resolve().parents[1] / SCHEMA_FILENAME


def schema_path() -> Path:
    """The schema file of this installation (for editors: ``chartspec schema --path``)."""
    if _PACKAGED.is_file():
        return _PACKAGED
    from importlib import resources

    packaged = resources.files("chartspec").joinpath(SCHEMA_FILENAME)
    if isinstance(packaged, Path) and packaged.is_file():
        return packaged
    return _REPO_SCHEMA


def schema_text() -> str:
    if _PACKAGED.is_file():
        return _PACKAGED.read_text(encoding="utf-8")
    from importlib import resources

    packaged = resources.files("chartspec").joinpath(SCHEMA_FILENAME)
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return _REPO_SCHEMA.read_text(encoding="utf-8")


@cache
def load_schema() -> dict[str, Any]:
    return json.loads(schema_text())


def resolve(schema: dict[str, Any], root: dict[str, Any] | None = None) -> dict[str, Any]:
    """Follow a local ``$ref`` (``#/$defs/name``) to the schema it names."""
    root = root or load_schema()
    while "$ref" in schema:
        node: Any = root
        for part in filter(None, schema["$ref"].removeprefix("#").split("/")):  # "#" is the whole chart
            node = node[part]
        schema = {**node, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def allowed_keys(schema: dict[str, Any]) -> list[str]:
    """Property names an object schema accepts, through ``$ref``, ``allOf`` and ``anyOf``."""
    schema = resolve(schema)
    keys = list(schema.get("properties", {}))
    for part in schema.get("allOf", []) + schema.get("anyOf", []):
        keys += [k for k in allowed_keys(part) if k not in keys]
    return keys


@cache
def max_text_length() -> int:
    """The most characters a drawn text (a title, a legend name, a label) may have: the schema's
    ``maxLength`` of ``title``, which every such key shares (tests/spec/test_text_limits.py)."""
    return int(load_schema()["properties"]["title"]["maxLength"])
