"""Plain Vega-Lite as an input: a ``*.vl.yaml`` / ``*.vl.json`` file, or a YAML file whose
``$schema`` names a Vega-Lite schema, builds like a chartspec spec.

It is loaded with positions (JSON is YAML), checked against the official Vega-Lite JSON Schema
with the same located diagnostics as a spec (``file:line:col``, did-you-mean hints), and every
``data: {url: ...}`` in it (at any depth: layers, concat items) is read in Python from a local
file inside the project and inlined as ``values``, so the build stays offline and
deterministic. URLs are refused. The result goes through the same writers as a compiled spec.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data import FORMATS_BY_SUFFIX, Table, read_data
from .discover import PLAIN_SUFFIXES
from .errors import ChartspecError, Diagnostic, JsonPath, SpecValidationError
from .model import DataSource
from .source import SourceMap
from .suggest import did_you_mean
from .yamlload import Document

if TYPE_CHECKING:
    from .api import Spec

__all__ = ["PlainVegaLite", "PLAIN_SUFFIXES", "is_plain_vegalite", "load_plain"]

#: a "$schema" naming Vega-Lite marks a YAML file of any name as plain Vega-Lite
_VEGA_LITE_SCHEMA = re.compile(r"vega-lite", re.IGNORECASE)
_MAX_ERRORS = 50


@dataclass(frozen=True)
class PlainVegaLite:
    """A Vega-Lite specification written by hand, its data files already inlined."""

    vega_lite: dict[str, Any] = field(default_factory=dict)

    def compile(self, spec: Spec) -> dict[str, Any]:
        return copy.deepcopy(self.vega_lite)


def is_plain_vegalite(doc: Document) -> bool:
    """Whether a loaded file is plain Vega-Lite: by its name, or by the schema it declares."""
    name = (doc.source.file or "").lower()
    if name.endswith(PLAIN_SUFFIXES):
        return True
    schema = doc.data.get("$schema") if isinstance(doc.data, dict) else None
    return isinstance(schema, str) and bool(_VEGA_LITE_SCHEMA.search(schema))


def load_plain(doc: Document, *, path: Path | None, root: Path | None) -> Spec:
    """Validate plain Vega-Lite and inline its data files; raises listing every problem."""
    from .api import Spec, _in_order

    source = doc.source
    if not isinstance(doc.data, dict):
        raise SpecValidationError(source.diagnostic("a Vega-Lite specification must be a mapping", ()))
    problems = schema_problems(doc.data, source)
    vl = copy.deepcopy(doc.data)
    tables: list[Table] = []
    if not problems:  # data of a valid specification only: an invalid one says what to fix first
        for where, data in _data_nodes(vl, ()):
            try:
                table = _read(data, where, path, root, source)
            except ChartspecError as err:
                problems += err.diagnostics
                continue
            tables.append(table)
            data.pop("url")
            fmt = {k: v for k, v in data.get("format", {}).items() if k != "type"}
            data.pop("format", None)
            data["values"] = [dict(row) for row in table.rows]
            if fmt:
                data["format"] = fmt  # e.g. 'parse' of dates still applies to inline values
    if problems:
        raise SpecValidationError(_in_order(problems, source.file))
    files = tuple(dict.fromkeys(f for t in tables for f in t.files))
    return Spec(model=PlainVegaLite(vl), table=Table(name="vega-lite", columns=(), rows=(), files=files),
                source=source, path=path)


def _data_nodes(node: Any, where: JsonPath) -> Iterator[tuple[JsonPath, dict[str, Any]]]:
    """Every ``data`` object with a ``url``, wherever it sits in the specification."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "data" and isinstance(value, dict) and isinstance(value.get("url"), str):
                yield where + (key,), value
            else:
                yield from _data_nodes(value, where + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _data_nodes(item, where + (index,))


def _read(data: dict[str, Any], where: JsonPath, path: Path | None, root: Path | None,
          source: SourceMap) -> Table:
    fmt = data.get("format", {}).get("type") if isinstance(data.get("format"), dict) else None
    url = data["url"]
    if fmt is not None and fmt not in FORMATS_BY_SUFFIX.values():
        raise SpecValidationError(source.diagnostic(
            f"chartspec reads csv, tsv, json and jsonl data files, not {fmt!r}", where + ("format", "type"),
            hint="convert the file, or give its rows as 'values'"))
    return read_data(DataSource(path=url, format=fmt, values=None, json_path=where + ("url",)), path, root, source)


def schema_problems(vl: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """The Vega-Lite schema's objections to ``vl``, one per location, located in the file."""
    from .vegalite_schema import vega_lite_errors

    found = []
    for error in vega_lite_errors(vl)[:_MAX_ERRORS]:
        where = tuple(error.absolute_path)
        schema = error.schema if isinstance(error.schema, dict) else {}
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = list(schema.get("properties", {}))
            found += [source.diagnostic(f"unknown key {key!r}", where + (key,), key=True,
                                        hint=did_you_mean(key, allowed, what="a key") or _SEE_DOCS)
                      for key in error.instance if key not in allowed]
        elif error.validator == "enum" and isinstance(error.instance, str):
            options = [str(v) for v in error.validator_value]
            found.append(source.diagnostic(f"{error.instance!r} is not a valid value here", where,
                                           hint=did_you_mean(error.instance, options) or
                                           f"expected one of: {', '.join(options[:12])}"))
        else:
            found.append(source.diagnostic(error.message[:200], where, key=error.validator == "required",
                                           hint=_SEE_DOCS))
    return sorted(dict.fromkeys(found), key=lambda d: (d.line, d.column, d.message))


_SEE_DOCS = "see https://vega.github.io/vega-lite/docs/"
