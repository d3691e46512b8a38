"""JSON loading that remembers the line and column of every node, for ``.json`` spec and theme files.

A ``.json`` file is JSON, not YAML: tabs may indent it, ``{"a":1}`` needs no space, and a YAML
reading would refuse or misread valid JSON. The result is the same :class:`Document` as
:func:`~chartspec.spec.yamlload.load_yaml` gives, under the same limits: nesting deeper than
``MAX_DEPTH``, more than ``MAX_NODES`` nodes, duplicate keys, characters an SVG cannot hold
(an escape such as ``"\\u0001"`` or a lone surrogate) and non-finite numbers are positioned errors.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from json.decoder import scanstring
from typing import Any

from ..errors import JsonPath, SpecSyntaxError
from .source import LINE_BREAK, Position, SourceMap
from .yamlload import _CONTROL, MAX_DEPTH, MAX_NODES, Document, _syntax_error, source_text

__all__ = ["load_json"]

_SPACE = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _Failure(Exception):
    def __init__(self, message: str, offset: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.offset, self.hint = offset, hint


class _Parser:
    """A recursive-descent JSON reader over ``text``; strings are decoded by the json module's own scanner."""

    def __init__(self, text: str, source: SourceMap) -> None:
        self.text, self.source, self.count = text, source, 0
        self.starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]  # offset of each line's start

    def position(self, offset: int) -> Position:
        line = bisect.bisect_right(self.starts, offset)
        return Position(line, offset - self.starts[line - 1] + 1)

    def skip(self, i: int) -> int:
        match = _SPACE.match(self.text, i)
        assert match is not None  # the pattern matches the empty string
        return match.end()

    def value(self, i: int, path: JsonPath, depth: int) -> tuple[Any, int]:
        self.count += 1
        if self.count > MAX_NODES:
            raise _Failure(f"the document has more than {MAX_NODES:,} nodes", i)
        if depth > MAX_DEPTH:
            raise _Failure(f"nesting deeper than {MAX_DEPTH} levels", i)
        self.source.values.setdefault(path, self.position(i))
        char = self.text[i: i + 1]
        if char == "{":
            return self.mapping(i + 1, path, depth)
        if char == "[":
            return self.sequence(i + 1, path, depth)
        if char == '"':
            return self.string(i)
        if number := _NUMBER.match(self.text, i):
            return self.number(number.group(), i), number.end()
        word = re.match(r"[A-Za-z]+", self.text[i:])
        if word and word.group() in _LITERALS:
            return _LITERALS[word.group()], i + len(word.group())
        shown = word.group() if word else char
        if char in ("]", "}"):
            raise _Failure(f"expected a value before {char!r}", i, "JSON allows no comma after the last item")
        raise _Failure("the file ends where a value should be" if not char else f"{shown[:20]!r} is not a JSON value",
                       i, "JSON values are objects, arrays, \"strings\", numbers, true, false and null")

    def number(self, text: str, i: int) -> int | float:
        value: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        if isinstance(value, float) and not math.isfinite(value) or abs(value) > 1.8e308:
            raise _Failure(f"number {text[:40]} is too large", i, "numbers in a spec must lie within about ±1.8e308")
        return value

    def string(self, i: int) -> tuple[str, int]:
        try:
            value, end = scanstring(self.text, i + 1, True)
        except json.JSONDecodeError as err:
            raise _Failure(err.msg.lower(), err.pos) from None
        if found := _CONTROL.search(value):
            raise _Failure(f"text holds U+{ord(found.group()):04X}, a character charts cannot draw", i,
                           "remove the escape that writes it")
        return value, end

    def mapping(self, i: int, path: JsonPath, depth: int) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        i = self.skip(i)
        if self.text[i: i + 1] == "}":
            return result, i + 1
        while True:
            if self.text[i: i + 1] != '"':
                raise _Failure("expected a \"key\" in double quotes", i)
            key_at = i
            key, i = self.string(i)
            if key in result:
                first = self.source.keys[path + (key,)]
                raise _Failure(f"duplicate key {key!r}", key_at,
                               f"first defined at line {first.line}, column {first.column}")
            self.source.keys[path + (key,)] = self.position(key_at)
            i = self.skip(i)
            if self.text[i: i + 1] != ":":
                raise _Failure(f"expected ':' after the key {key!r}", i)
            result[key], i = self.value(self.skip(i + 1), path + (key,), depth + 1)
            i = self.skip(i)
            if self.text[i: i + 1] == "}":
                return result, i + 1
            if self.text[i: i + 1] != ",":
                raise _Failure("expected ',' or '}' after a value in an object", i)
            i = self.skip(i + 1)

    def sequence(self, i: int, path: JsonPath, depth: int) -> tuple[list[Any], int]:
        result: list[Any] = []
        i = self.skip(i)
        if self.text[i: i + 1] == "]":
            return result, i + 1
        while True:
            item, i = self.value(i, path + (len(result),), depth + 1)
            result.append(item)
            i = self.skip(i)
            if self.text[i: i + 1] == "]":
                return result, i + 1
            if self.text[i: i + 1] != ",":
                raise _Failure("expected ',' or ']' after a value in an array", i)
            i = self.skip(i + 1)


def load_json(raw: bytes | str, file: str | None = None) -> Document:
    """Parse one JSON document strictly (RFC 8259), keeping source positions."""
    source, text = source_text(raw, file)
    parser = _Parser(text, source)
    start = parser.skip(0)
    if start == len(text):
        raise _syntax_error(source, "the spec is empty", Position(1, 1), hint="a spec is a JSON object")
    try:
        data, end = parser.value(start, (), 0)
        end = parser.skip(end)
        if end < len(text):
            raise _Failure("more text after the JSON value", end, "a JSON file holds one value")
    except _Failure as err:
        raise _fail(source, parser, err) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting long before Python's stack
        raise _syntax_error(source, f"nesting deeper than {MAX_DEPTH} levels", None) from None
    return Document(data, source)


def _fail(source: SourceMap, parser: _Parser, err: _Failure) -> SpecSyntaxError:
    return _syntax_error(source, str(err), parser.position(err.offset), err.hint)


def read_document(raw: bytes | str, file: str | None = None) -> Document:
    """A spec or theme file by its name: ``.json`` files are JSON, everything else is YAML."""
    from .yamlload import load_yaml

    if file is not None and file.lower().endswith(".json"):
        return load_json(raw, file)
    return load_yaml(raw, file)
