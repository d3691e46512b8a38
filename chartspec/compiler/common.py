"""What every compile step shares: the Vega-Lite version and schema, field references, the patch.

``vega_lite:`` on a spec is a JSON Merge Patch (RFC 7386) laid over the compiled Vega-Lite;
:func:`apply_patch` checks the result against the official Vega-Lite schema.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..data.loaded import Spec

VEGA_LITE_VERSION = "6.4"
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"


# Vega reads a field as an access path: a backslash makes the next character plain
_ACCESS = re.compile(r"[\\.\[\]'\"]")


def apply_patch(vl: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """Lay the spec's ``vega_lite:`` patch over ``vl``; the result must still be valid Vega-Lite."""
    from ..errors import CompileError
    from ..spec.suggest import did_you_mean
    from ..spec.vegalite_schema import vega_lite_errors
    from .patch import merge_patch

    patched = merge_patch(vl, spec.model.vega_lite)
    problems = []
    patch = spec.model.vega_lite if isinstance(spec.model.vega_lite, dict) else {}
    for key in ("layer", "hconcat", "vconcat", "concat"):  # the chart's structure: replaced whole, it breaks
        if isinstance(patch.get(key), list) and isinstance(vl.get(key), list):
            where = ("vega_lite", key) if ("vega_lite", key) in spec.source.values else ("vega_lite",)
            problems.append(spec.source.diagnostic(
                f"'vega_lite.{key}' replaces the compiled chart's {len(vl[key])} {key} entries with "
                f"{len(patch[key])}: a merge patch (RFC 7386) replaces an array whole, so their marks, encodings "
                "and legends would be lost", where,
                hint="restyle a layer with its own keys (stroke_width: 4, opacity, stroke_dash, ...), or write the "
                     "chart as plain Vega-Lite (a .vl.yaml file)"))
    # checked without the compiled rows past the first: jsonschema took 20 s over 180,000 inline rows
    for error in vega_lite_errors(merge_patch(_first_rows(vl), spec.model.vega_lite)):
        where = ("vega_lite", *error.absolute_path)
        known = where if where in spec.source.values else ("vega_lite",)
        location = "/".join(map(str, error.absolute_path)) or "(top level)"
        hint = None
        if error.validator == "enum" and isinstance(error.instance, str):
            hint = did_you_mean(error.instance, map(str, error.validator_value))
        message = (f"{error.instance!r} is not a valid value" if error.validator == "enum" else error.message[:200])
        problems.append(spec.source.diagnostic(
            f"the patched Vega-Lite is invalid at {location}: {message}", known,
            hint=hint or "'vega_lite' is merged into the compiled Vega-Lite (RFC 7386); see the Vega-Lite docs"))
    if problems:
        raise CompileError(sorted(problems, key=lambda d: (d.line, d.column)))
    return patched


def _first_rows(node: Any, key: str = "") -> Any:
    """``node`` with every inline dataset (``data.values``, ``datasets``) cut to its first row."""
    if isinstance(node, list):
        return [_first_rows(item) for item in node]
    if not isinstance(node, dict):
        return node
    if key == "datasets":
        return {name: rows[:1] if isinstance(rows, list) else rows for name, rows in node.items()}
    rows = key == "data" and isinstance(node.get("values"), list)
    return {k: v[:1] if rows and k == "values" else _first_rows(v, k) for k, v in node.items()}


def field_ref(name: str) -> str:
    """Escape a column name so Vega-Lite does not read dots, brackets or quotes as nested access."""
    return _ACCESS.sub(r"\\\g<0>", name)



_LINE_BREAKS = ("\r\n", "\r", "\u2028", "\u2029", "\x85")
_GUIDES = {"x": "axis", "y": "axis", "x2": None, "y2": None, "row": "header", "column": "header", "facet": "header"}


def one_line_titles(node: Any) -> Any:
    """Give every encoding title a one-line form, in place; returns ``node``.

    Vega-Lite writes channel titles into expressions (the tooltip's object keys, the marks' ARIA
    description) without escaping line breaks or backslashes, so a title such as
    ``"Loss\\n(nats)"`` or ``gpu\\util`` makes Vega fail to parse the chart. The channel keeps the
    title on one line, backslashes doubled, and its axis, legend or header gets the real title
    (lines as Vega-Lite's multi-line form, a list of strings)."""
    if isinstance(node, dict):
        for channel, definition in (node.get("encoding") or {}).items():
            for item in definition if isinstance(definition, list) else [definition]:
                _one_line(channel, item)
        for key, value in node.items():
            if key not in ("data", "datasets"):  # rows hold no encodings (a reduced chart's 20,000)
                one_line_titles(value)
    elif isinstance(node, list):
        for value in node:
            one_line_titles(value)
    return node


def _one_line(channel: str, item: Any) -> None:
    title = item.get("title") if isinstance(item, dict) else None
    if not isinstance(title, str):
        return
    for mark in _LINE_BREAKS:
        title = title.replace(mark, "\n")
    if "\n" not in title and "\\" not in title:
        return
    # in an expression Vega-Lite escapes a title's quotes but not its backslashes: doubled here
    item["title"] = " ".join(title.split("\n")).replace("\\", "\\\\")
    guide = _GUIDES.get(channel, "legend") if channel != "tooltip" else None
    if guide and (guide not in item or item[guide] is not None):  # axis: null draws no title
        item[guide] = {**(item.get(guide) or {})}
        item[guide].setdefault("title", title.split("\n") if "\n" in title else title)


def expr_string(value: Any) -> str:
    """``value`` (a string, list or object) as a Vega expression literal: JSON's, with U+2028 and
    U+2029 escaped (JSON allows them raw; Vega's expression parser, like older JavaScript, does not)."""
    import json

    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
