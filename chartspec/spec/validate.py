"""JSON Schema validation of a loaded spec, reported as positioned diagnostics.

jsonschema reports trees of errors; users want one readable message per location. For
``anyOf``/``oneOf`` we descend into the branch that got furthest, unknown keys point at the key
with a "did you mean" hint, and wrong values point at the value.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic
from .conforms import conforms
from .schema import LONG_TEXT_HINT, allowed_keys, load_schema, resolve
from .source import SourceMap
from .suggest import did_you_mean

if TYPE_CHECKING:  # jsonschema is imported only for a spec the quick check cannot pass (conforms.py)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

__all__ = ["schema_diagnostics"]

_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "a string", "number": "a number",
               "integer": "a whole number", "boolean": "true or false", "null": "null"}


@cache
def _validator() -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(load_schema())


def schema_diagnostics(data: Any, source: SourceMap) -> list[Diagnostic]:
    """Every schema violation of ``data``, one diagnostic per location, in file order.

    A spec the quick walk of the schema passes has none; jsonschema decides (and words) the rest."""
    if conforms(data, load_schema()):
        return []
    found: dict[tuple[Any, ...], Diagnostic] = {}
    for error in _validator().iter_errors(data):
        for diag in _describe(error, source):
            found.setdefault((diag.path, diag.message), diag)
    return sorted(found.values(), key=lambda d: (d.line, d.column, d.message))


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_of(value: Any) -> str:
    for name, kind in (("null", type(None)), ("boolean", bool), ("whole number", int), ("number", float),
                       ("string", str), ("list", list), ("mapping", dict)):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _expected(schema: dict[str, Any]) -> str:
    types = schema.get("type")
    if isinstance(types, str):
        types = [types]
    if types:
        return " or ".join(_TYPE_NAMES.get(t, t) for t in types)
    if "enum" in schema:
        return "one of " + ", ".join(_show(v) for v in schema["enum"])
    return "a different value"


def _describe(error: ValidationError, source: SourceMap) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}

    if kind in ("additionalProperties", "unevaluatedProperties"):
        allowed = allowed_keys(error.schema)
        extra = [k for k in value if k not in allowed] if isinstance(value, dict) else []
        return [source.diagnostic(f"unknown key {k!r}", path + (k,), key=True,
                                  hint=did_you_mean(k, allowed, what="a key"))
                for k in extra]
    if kind in ("anyOf", "oneOf"):
        return _describe_choice(error, source)
    if kind == "required":
        missing = error.message.split("'")[1] if "'" in error.message else str(error.validator_value)
        where = "the spec" if not path else f"{_name(path)}"
        return [source.diagnostic(f"{where} is missing the required key {missing!r}", path, key=True,
                                  hint=_required_hint(missing))]
    if kind == "type":
        message = f"{_name(path)}: expected {_expected(schema)}, got {_type_of(value)} {_show(value)}"
        return [source.diagnostic(message, path)]
    if kind == "enum":
        options = [str(v) for v in error.validator_value]
        hint = did_you_mean(str(value), options) if isinstance(value, str) else None
        return [source.diagnostic(f"{_show(value)} is not a valid {_name(path)}", path,
                                  hint=hint or f"expected one of: {', '.join(options)}")]
    if kind == "maxLength" and isinstance(value, str):
        # a chart's text is drawn on one line: a longer one makes an image wider than any limit,
        # found only after Vega has measured and drawn it (seconds to minutes); refused here instead
        return [source.diagnostic(f"{_name(path)} is {len(value):,} characters long: more than the limit of "
                                  f"{error.validator_value:,}", path, hint=LONG_TEXT_HINT)]
    messages = {
        "minItems": lambda: f"needs at least {error.validator_value} item(s), got {len(value)}",
        "maxItems": lambda: f"allows at most {error.validator_value} item(s), got {len(value)}",
        "minimum": lambda: f"must be at least {error.validator_value}, got {_show(value)}",
        "maximum": lambda: f"must be at most {error.validator_value}, got {_show(value)}",
        "exclusiveMinimum": lambda: f"must be greater than {error.validator_value}, got {_show(value)}",
        "minLength": lambda: "must not be empty",
        "not": lambda: f"{_name(path)} has keys that cannot be used together",
    }
    text = messages.get(kind, lambda: error.message)()
    return [source.diagnostic(f"{_name(path)} {text}" if kind not in ("not",) else text, path)]


def _connection_keys(value: dict[str, Any], path: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]] | None:
    """What is wrong with a data object's ``connection``, ``table`` and ``sql`` keys, if anything."""
    if "connection" not in value:
        bad = next((k for k in ("table", "sql") if k in value), None)
        return None if bad is None else (f"{_name(path)}: {bad!r} reads from a 'connection'", path + (bad,))
    if "table" in value and "sql" in value:
        return f"{_name(path)} has both 'table' and 'sql'", path + ("sql",)
    other = next((k for k in ("path", "files", "values", "format", "as") if k in value), None)
    if other is not None:
        return f"{_name(path)} has both 'connection' and {other!r}", path + (other,)
    if "table" not in value and "sql" not in value:
        return f"{_name(path)}: 'connection' needs a 'table' or an 'sql' query", path + ("connection",)
    return None


def _describe_choice(error: ValidationError, source: SourceMap) -> list[Diagnostic]:
    path = tuple(error.absolute_path)
    value = error.instance
    branches = [resolve(b) for b in error.validator_value]
    if error.validator == "anyOf" and isinstance(value, dict) and branches and all(
            list(b) == ["required"] and len(b["required"]) == 1 for b in branches):
        # "at least one of these keys" (a transform's kind, a filter's comparison)
        keys = ", ".join(repr(b["required"][0]) for b in branches)
        return [source.diagnostic(f"{_name(path)} needs one of the keys {keys}", path, key=bool(path))]
    if error.validator == "oneOf" and isinstance(value, dict) and branches and all(
            list(b) == ["required"] for b in branches):
        # exactly one kind key (an annotation's hline / vline / ...): none, or several
        kinds = [b["required"][0] for b in branches]
        given = [k for k in kinds if k in value]
        keys = ", ".join(repr(k) for k in kinds)
        if len(given) > 1:
            return [source.diagnostic(f"{_name(path)} has both {given[0]!r} and {given[1]!r}", path + (given[1],),
                                      key=True, hint=f"use exactly one of {keys}; write two items for two")]
        missing = [k for b in branches if b["required"][0] in value for k in b["required"] if k not in value]
        if missing:
            return [source.diagnostic(f"{_name(path)} is missing the required key {missing[0]!r}", path, key=True)]
        return [source.diagnostic(f"{_name(path)} needs exactly one of the keys {keys}", path, key=bool(path))]
    if error.validator == "oneOf" and isinstance(value, dict) and all(
            e.validator in ("required", "not") for e in error.context):
        # the data object's key combinations: say which keys clash instead of quoting the schema
        if (found := _connection_keys(value, path)) is not None:
            message, at = found
        elif "path" in value and "values" in value:
            message, at = f"{_name(path)} has both 'path' and 'values'", path + ("values",)
        elif "files" in value and ("path" in value or "values" in value):
            other = "path" if "path" in value else "values"
            message, at = f"{_name(path)} has both 'files' and '{other}'", path + ("files",)
        elif "values" in value and "format" in value:
            message, at = f"{_name(path)}: 'format' applies to data files, not to inline 'values'", path + ("format",)
        elif "as" in value and "files" not in value:
            message, at = f"{_name(path)}: 'as' names the file column of several 'files'", path + ("as",)
        else:
            message, at = f"{_name(path)} needs exactly one of 'path', 'files' or 'values'", path
        return [source.diagnostic(message, at, key=True, hint="use 'path' (and optionally 'format') for a file, "
                                  "'files' for several, 'values' for inline rows, or 'connection' with 'table' "
                                  "or 'sql'" if "connection" in value or "table" in value or "sql" in value
                                  else "use 'path' (and optionally 'format') for a file, "
                                  "'files' for several, or 'values' for inline rows")]
    # If the value has the wrong type for every branch, say which types would do.
    type_errors = [e for e in error.context if e.validator == "type" and not e.relative_path]
    if error.context and len(type_errors) == len(branches):
        wanted = " or ".join(dict.fromkeys(_expected(b) for b in branches))
        return [source.diagnostic(f"{_name(path)}: expected {wanted}, got {_type_of(value)} {_show(value)}",
                                  path)]
    # Otherwise report the deepest error of the branch whose type matched.
    deep = [e for e in error.context if not (e.validator == "type" and not e.relative_path)]
    if deep:
        from jsonschema.exceptions import best_match, relevance

        branch = best_match(deep, key=relevance)
        siblings = [e for e in deep if e.schema_path[0] == branch.schema_path[0]]
        out: list[Diagnostic] = []
        for e in siblings:
            out += _describe(e, source)
        return out
    return [source.diagnostic(f"{_name(path)} is not valid: {error.message}", path)]


def _name(path: tuple[Any, ...]) -> str:
    if not path:
        return "the spec"
    parts = []
    for p in path:
        parts.append(f"[{p}]" if isinstance(p, int) else (("." if parts else "") + str(p)))
    return "'" + "".join(parts) + "'"


def _required_hint(key: str) -> str | None:
    return {
        "data": "add e.g. 'data: data/metrics.csv' (a path relative to the spec)",
        "x": "add the shared x axis, e.g. 'x: {field: step}'",
        "layers": "add a list of layers, e.g. 'layers: [{mark: line, y: {field: loss}}]'",
        "y": "each layer needs 'y: {field: COLUMN}'",
        "field": "name a column of the data, e.g. 'field: step'",
    }.get(key)
