"""Plain Vega-Lite's data: every ``data: {url: ...}`` read from a local file and inlined.

At any depth (layers, concat items, lookups), each URL is read in Python from a file inside the
project and inlined as ``values`` that Vega parses exactly as it would the file (see
:mod:`chartspec.data.vegaread`), so the build stays offline and deterministic. URLs are refused. Which
files are plain Vega-Lite, and its schema check, are in :mod:`chartspec.spec.plain`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ChartspecError, JsonPath, SpecValidationError
from ..spec.plain import PLAIN_SUFFIXES, PlainVegaLite, random_notes, schema_problems
from ..spec.yamlload import Document
from .loaded import Spec, in_order
from .plainfields import missing_fields
from .table import Table
from .vegaread import inline_vega_data

__all__ = ["PLAIN_SUFFIXES", "PlainVegaLite", "load_plain"]


def load_plain(doc: Document, *, path: Path | None, root: Path | None) -> Spec:
    """Validate plain Vega-Lite and inline its data files; raises listing every problem."""

    source = doc.source
    if not isinstance(doc.data, dict):
        raise SpecValidationError(source.diagnostic("a Vega-Lite specification must be a mapping", ()))
    problems = schema_problems(doc.data, source)
    vl = copy.deepcopy(doc.data)
    files: list[Path] = []
    if not problems:  # data of a valid specification only: an invalid one says what to fix first
        for where, data in _data_nodes(vl, ()):
            try:
                node, read = inline_vega_data(data, where, path, root, source)
            except ChartspecError as err:
                problems += err.diagnostics
                continue
            files += read
            data.clear()
            data.update(node)
        if not problems:  # Vega fails on some (TypeError: Cannot read properties of undefined), draws nothing for others
            problems += missing_fields(vl, source)
    if problems:
        raise SpecValidationError(in_order(problems, source.file))
    table = Table(name="vega-lite", columns=(), rows=(), files=tuple(dict.fromkeys(files)))
    # Vega's randomness cannot be seeded through vl-convert: the build says where it is used
    return Spec(model=PlainVegaLite(vl), table=table, source=source, path=path,
                notes=tuple(random_notes(vl, source)))


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
