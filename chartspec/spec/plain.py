"""Plain Vega-Lite as an input: which files are plain Vega-Lite and what its JSON Schema refuses.

A ``*.vl.yaml`` / ``*.vl.yml`` / ``*.vl.json`` file, or a YAML file whose ``$schema`` names a
Vega-Lite schema, builds like a chartspec spec. It is checked against the official Vega-Lite
JSON Schema with the same located diagnostics as a spec (``file:line:col``, did-you-mean hints).
Its data files are inlined by :mod:`chartspec.data.plain`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import Diagnostic
from .source import SourceMap
from .suggest import did_you_mean
from .yamlload import Document

PLAIN_SUFFIXES = (".vl.yaml", ".vl.yml", ".vl.json")
#: a "$schema" naming Vega-Lite marks a YAML file of any name as plain Vega-Lite
_VEGA_LITE_SCHEMA = re.compile(r"vega-lite", re.IGNORECASE)
_MAX_ERRORS = 50


@dataclass(frozen=True)
class PlainVegaLite:
    """A Vega-Lite specification written by hand, its data files already inlined."""

    vega_lite: dict[str, Any] = field(default_factory=dict)


def is_plain_vegalite(doc: Document) -> bool:
    """Whether a loaded file is plain Vega-Lite: by its name, or by the schema it declares."""
    name = (doc.source.file or "").lower()
    if name.endswith(PLAIN_SUFFIXES):
        return True
    schema = doc.data.get("$schema") if isinstance(doc.data, dict) else None
    return isinstance(schema, str) and bool(_VEGA_LITE_SCHEMA.search(schema))


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
#: plain Vega-Lite inputs; ``.vl.json`` is also what a build writes, see _skip_dir


# -- Vega's randomness ------------------------------------------------------------------------------
# Vega draws bootstrap confidence intervals (ci0/ci1, extent "ci"), `sample` and `random()` with
# Math.random, and vl-convert 1.9 offers no seed: such a chart differs from build to build.
_RANDOM_CALL = re.compile(r"(?<![\w.$])random\s*\(")
_NOT_SPEC = ("values", "datasets", "usermeta")  # rows and metadata: never drawn by Vega's randomness
_TEXT = ("title", "subtitle", "description", "text")  # words, not expressions
_RANDOM_HINT = ("outputs of this chart differ from build to build; for outputs that stay the same, "
                "use extent 'stderr' or 'stdev', or compute the values in the data")


def random_uses(node: Any, where: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], str]]:
    """Where ``node`` (Vega-Lite) asks Vega for random numbers, and what for, in document order."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            path = where + (key,)
            if key in _NOT_SPEC:
                continue
            if key == "extent" and value == "ci" or key in ("op", "aggregate") and value in ("ci0", "ci1"):
                found.append((path, "a bootstrap confidence interval"))
            elif key == "sample" and where[-2:-1] == ("transform",):
                found.append((path, "the sample transform"))
            elif isinstance(value, str) and key not in _TEXT and _RANDOM_CALL.search(value):
                found.append((path, "the expression function random()"))
            else:
                found += random_uses(value, path)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += random_uses(item, where + (index,))
    return found


def random_notes(vl: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    """A note for each place Vega draws with random numbers (see :func:`random_uses`)."""
    from dataclasses import replace

    return [replace(source.diagnostic(f"Vega draws {what} with random numbers", path, hint=_RANDOM_HINT),
                    severity="note") for path, what in random_uses(vl)]
