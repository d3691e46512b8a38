"""Where a node of the compiled Vega-Lite was written: a position in the spec for its errors.

A plain Vega-Lite file compiles to itself, so a path of the output is a path of the file. A
chart's output is chartspec's own work except what its ``vega_lite:`` patch wrote: the patch is a
JSON Merge Patch, so a path that exists in the patch came from it, at ``vega_lite`` + that path
(lists are replaced whole, mappings merged key by key). A layout's items are found under their
``hconcat``/``vconcat`` index. Anything else is located at the patch, or the file.

Errors of the renderer name no place at all ("Unexpected end of input"); :func:`trace_render_error`
finds the expression they are probably about, and its text in the spec's source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..data.loaded import ConcatSpec, Spec
from ..errors import Diagnostic, JsonPath
from ..spec.model import ChartSpec
from ..spec.plain import PlainVegaLite
from ..spec.source import SourceMap, offset_to_position

__all__ = ["locate", "source_of", "trace_render_error", "written"]

#: keys a layout takes from its first item (compiler/concat.py)
_FROM_FIRST_ITEM = ("config", "background", "padding", "autosize", "datasets")
#: top-level keys a chart or layout compiles to the same key it was written as
_SAME_PLACE = ("hconcat", "vconcat", "width", "height", "padding")


def _in_patch(patch: Any, path: JsonPath) -> bool:
    node = patch
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return False
    return True


def _origin(spec: Spec, path: JsonPath) -> tuple[SourceMap, JsonPath, bool]:
    """(source map, path in it, whether the spec wrote exactly that node) for a compiled ``path``."""
    model = spec.model
    if isinstance(model, PlainVegaLite):
        return spec.source, path, True
    patch = model.vega_lite
    if patch is not None and path and _in_patch(patch, path):
        return spec.source, ("vega_lite", *path), True
    if isinstance(model, ConcatSpec):
        if len(path) >= 2 and path[0] == model.direction and isinstance(path[1], int) and path[1] < len(model.items):
            return _origin(model.items[path[1]], path[2:])
        if path and path[0] in _FROM_FIRST_ITEM:
            return _origin(model.items[0], path)
    if len(path) == 1 and path[0] in _SAME_PLACE and path in spec.source.values:
        return spec.source, path, True
    return spec.source, ("vega_lite",) if patch is not None else (), False


def source_of(spec: Spec, path: JsonPath) -> tuple[SourceMap, JsonPath]:
    """The source map and the path in it where the compiled node at ``path`` was written (or
    the nearest place that is known: the patch, the file)."""
    source, where, _ = _origin(spec, path)
    return source, where


def written(spec: Spec, path: JsonPath) -> bool:
    """Whether the spec itself writes the compiled node at ``path`` (its exact place is known)."""
    source, where, exact = _origin(spec, path)
    return exact and where in source.values


def locate(spec: Spec, path: JsonPath, message: str, *, hint: str | None = None, key: bool = False,
           fallback: JsonPath = ()) -> Diagnostic:
    """A diagnostic at the place of the spec that wrote the compiled node at ``path`` (else at
    ``fallback`` in the spec, when it is there)."""
    source, where = source_of(spec, path)
    if not where and fallback and tuple(fallback) in source.values:
        where = fallback
    if not where:  # nothing better than the file
        return Diagnostic(message, file=source.file, hint=hint)
    return source.diagnostic(message, where, key=key, hint=hint)


# -- errors of the renderer ------------------------------------------------------------------------

#: keys whose string values are Vega expressions
_EXPRESSION_KEYS = ("calculate", "filter", "expr", "test", "update", "labelExpr")
#: keys whose values may be predicates: an expression, or and/or/not of predicates
_PREDICATE_KEYS = ("filter", "test")


def _predicates(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """The expressions of a predicate's ``and``/``or``/``not`` composition."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key in ("and", "or", "not"):
            if key in value:
                yield from _predicates(value[key], path + (key,))
    elif isinstance(value, list) and path[-1:] in (("and",), ("or",)):
        for index, item in enumerate(value):
            yield from _predicates(item, path + (index,))


def expressions(vl: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every Vega expression of a specification, with its path, in document order."""
    if isinstance(vl, dict):
        for key, value in vl.items():
            if key in _EXPRESSION_KEYS and isinstance(value, str):
                yield path + (key,), value
            elif key in _PREDICATE_KEYS and isinstance(value, dict) and {"and", "or", "not"} & value.keys():
                yield from _predicates(value, path + (key,))
            elif key not in ("usermeta", "datasets", "values"):
                yield from expressions(value, path + (key,))
    elif isinstance(vl, list):
        for index, item in enumerate(vl):
            yield from expressions(item, path + (index,))


_QUOTED = re.compile(r"""["'`]([^"'`]{1,80})["'`]|:\s*(\S{1,80})\s*$""")
_SYNTAX = re.compile(r"^(?:\w*Error:\s*)?(?:Unexpected|Unterminated|Invalid|Illegal|Unrecognized|Expected)", re.I)


def _incomplete(text: str) -> bool:
    """An expression a parser cannot finish: unbalanced brackets or quotes, or a trailing operator."""
    body = re.sub(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"", "''", text.strip())
    if body.count("'") % 2 or body.count('"') % 2:
        return True
    if any(body.count(a) != body.count(b) for a, b in ("()", "[]", "{}")):
        return True
    return bool(re.search(r"[-+*/%&|!=<>?:,.(\[{]$", body)) or not body


def _suspects(candidates: list[tuple[JsonPath, str]], reason: str) -> list[tuple[JsonPath, str]]:
    """The expressions ``reason`` is about: the unfinished ones for a syntax error, else those
    naming what the message quotes or the function it names."""
    if re.search(r"end of input|Unterminated", reason, re.I):
        return [c for c in candidates if _incomplete(c[1])]
    named = [m.group(1) or m.group(2) for m in _QUOTED.finditer(reason)]
    if named and _SYNTAX.search(reason):
        return [c for c in candidates if any(n in c[1] for n in named)]
    words = set(re.findall(r"[A-Za-z_]\w{2,}", reason)) - {"Error", "TypeError", "RangeError", "argument", "Please",
                                                           "pass", "string", "the", "and", "not", "function"}
    return [c for c in candidates if any(re.search(rf"\b{re.escape(w)}\s*\(", c[1]) for w in words)]


def _in_text(source: SourceMap, text: str) -> Diagnostic | None:
    """The first place the spec's text holds ``text`` verbatim (how a compiled expression that
    chartspec copied from the spec is found again), or None."""
    offset = source.text.find(text) if source.text and text else -1
    if offset < 0:
        return None
    pos = offset_to_position(source.text, offset)
    return Diagnostic("", file=source.file, line=pos.line, column=pos.column, source_line=source.source_line(pos.line))


#: how Vega fails inside a transform that reads a field no row has
_UNDEFINED = "Cannot read properties of undefined"
#: transforms that fail so (a fold, pivot or aggregate of a missing field draws nothing instead);
#: data/plainfields.py refuses their missing fields ahead where the columns are known
_FRAGILE = ("flatten", "density")


def _fragile_transforms(vl: Any, path: JsonPath = ()) -> list[tuple[JsonPath, str]]:
    """(path, kind) of every flatten and density transform of a specification."""
    found: list[tuple[JsonPath, str]] = []
    if isinstance(vl, dict):
        for key, value in vl.items():
            if key == "transform" and isinstance(value, list):
                found += [(path + (key, i, kind), kind) for i, t in enumerate(value) if isinstance(t, dict)
                          for kind in _FRAGILE if kind in t]
            elif key not in ("usermeta", "datasets", "data"):
                found += _fragile_transforms(value, path + (key,))
    elif isinstance(vl, list):
        for index, item in enumerate(vl):
            found += _fragile_transforms(item, path + (index,))
    return found


#: how Vega fails drawing an axis whose ticks it cannot place (a tick interval on a zero-width time
#: domain, a span of subnormal numbers)
_AXIS_FAILURE = "reading 'marktype'"


def _axis_suspect(spec: Spec) -> JsonPath | None:
    """Where the axis a ``marktype`` failure is probably about was written: the one axis of a chart
    whose ticks the spec sets, else its x axis (None for other specs)."""
    model = spec.model
    if not isinstance(model, ChartSpec):
        return None
    axes = [model.x, *(layer.y for layer in model.layers)]
    set_ticks = {a.json_path for a in axes if a.tick_step is not None or a.tick_interval is not None
                 or a.values is not None or a.domain is not None}
    path = next(iter(set_ticks)) if len(set_ticks) == 1 else model.x.json_path
    return path if path in spec.source.values else None


def trace_render_error(spec: Spec, vl: dict[str, Any], reason: str, *, message: str) -> Diagnostic:
    """The renderer's ``reason`` located at the expression it is about when that can be told
    (one suspect), else at the ``vega_lite`` patch, else at the file. ``message`` is the text
    of the diagnostic; the expression is added to it."""
    from .halfchars import cuts_a_character, half_character_error

    if cuts_a_character(reason):  # text with half an emoji: found at the calculate that cut it
        return half_character_error(spec, message)
    suspects = _suspects(list(expressions(vl)), reason)
    if len({text for _, text in suspects}) != 1:
        fragile = _fragile_transforms(vl) if _UNDEFINED in reason else []
        if len(fragile) == 1 and written(spec, fragile[0][0]):  # the one transform Vega fails inside
            path, kind = fragile[0]
            return locate(spec, path, f"{message} (in this {kind} transform)",
                          hint="Vega fails here when a field it reads is not in the data at this point")
        if _AXIS_FAILURE in reason and (axis := _axis_suspect(spec)) is not None:
            return spec.source.diagnostic(f"{message} (drawing the ticks of an axis, probably this one)", axis,
                                          key=True, hint="Vega could not place this axis' ticks; "
                                          "try other 'tick_step', 'values' or 'domain' settings, or none")
        return locate(spec, (), message)
    path, text = suspects[0]
    shown = text if len(text) <= 60 else text[:57] + "..."
    message = f"{message} (in the expression {shown!r})"
    hint = "Vega refused this expression; see https://vega.github.io/vega/docs/expressions/"
    source, _, exact = _origin(spec, path)
    if not exact and (found := _in_text(source, text)) is not None:
        # chartspec copied it from the spec (a transform): found by its text
        return Diagnostic(message, file=found.file, line=found.line, column=found.column, hint=hint,
                          source_line=found.source_line)
    return locate(spec, path, message, hint=hint)
