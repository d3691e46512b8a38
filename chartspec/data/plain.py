"""Plain Vega-Lite's data: every ``data: {url: ...}`` read from a local file and inlined.

At any depth (layers, concat items), each URL is read in Python from a file inside the project
and inlined as ``values``, so the build stays offline and deterministic. URLs are refused. Which
files are plain Vega-Lite, and its schema check, are in :mod:`chartspec.spec.plain`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ChartspecError, JsonPath, SpecValidationError
from ..spec.model import DataSource
from ..spec.plain import PLAIN_SUFFIXES, PlainVegaLite, schema_problems
from ..spec.source import SourceMap
from ..spec.yamlload import Document
from .loaded import Spec, in_order
from .reduce import whole
from .table import FORMATS_BY_SUFFIX, Table, read_data

__all__ = ["PLAIN_SUFFIXES", "PlainVegaLite", "load_plain"]


def load_plain(doc: Document, *, path: Path | None, root: Path | None) -> Spec:
    """Validate plain Vega-Lite and inline its data files; raises listing every problem."""

    source = doc.source
    if not isinstance(doc.data, dict):
        raise SpecValidationError(source.diagnostic("a Vega-Lite specification must be a mapping", ()))
    problems = schema_problems(doc.data, source)
    vl = copy.deepcopy(doc.data)
    tables: list[Table] = []
    if not problems:  # data of a valid specification only: an invalid one says what to fix first
        for where, data in _data_nodes(vl, ()):
            try:
                table = whole(_read(data, where, path, root, source), source, where + ("url",))
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
        raise SpecValidationError(in_order(problems, source.file))
    files = tuple(dict.fromkeys(f for t in tables for f in t.files))
    return Spec(model=PlainVegaLite(vl), table=Table(name="vega-lite", columns=(), rows=(), files=files),
                source=source, path=path, notes=tuple(dict.fromkeys(n for t in tables for n in t.notes)))


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


