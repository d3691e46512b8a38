"""Safe YAML loading that remembers the line and column of every node.

Only plain data is accepted: mappings with string keys, sequences and scalars resolved with
YAML 1.2 core-schema rules (``yes``/``no``/``on`` stay strings, ``12:30`` is not a number,
dates stay strings). Hostile input is refused with a positioned :class:`SpecSyntaxError`:
duplicate keys, undefined tags, several documents, nesting deeper than ``MAX_DEPTH``, aliases
that expand past ``MAX_NODES`` nodes (billion laughs), non-UTF-8 bytes and huge files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

from ..errors import Diagnostic, JsonPath, SpecSyntaxError
from .source import Position, SourceMap, offset_to_position

__all__ = ["Document", "MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "load_yaml"]

MAX_DEPTH = 64
MAX_NODES = 100_000
MAX_BYTES = 8 * 1024 * 1024

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_MERGE = "tag:yaml.org,2002:merge"
# Characters XML (so SVG) cannot hold; YAML escapes such as "\x02" or "\ud800" can produce them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _in_rows(path: JsonPath) -> bool:
    """Whether ``path`` is inside the rows of inline data (``data: {values: [...]}`` at any level)."""
    return any(k == "values" and i > 0 and path[i - 1] == "data" for i, k in enumerate(path))


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema instead of PyYAML's YAML 1.1 rules."""


_Resolver.yaml_implicit_resolvers = {}
for _tag, _regex, _first in [
    (_BOOL, r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (_NULL, r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    (_INT, r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (_FLOAT, r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$", "-+.0123456789"),
    (_FLOAT, r"^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$", "-+."),  # numbers in data rows only (scalar)
    (_MERGE, r"^(?:<<)$", "<"),
]:
    _Resolver.add_implicit_resolver(_tag, re.compile(_regex), list(_first))


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
              yaml.composer.Composer, _Resolver):
    """Composes a node graph only; chartspec builds Python values itself."""

    def __init__(self, stream: str) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Resolver.__init__(self)
        self._depth = 0
        #: where each alias (*name) was written: (id(parent node), index or id(key node)) -> mark
        self.alias_marks: dict[tuple[int, Any], Any] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        # PyYAML composes recursively: stop absurd nesting before Python's stack does.
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise yaml.MarkedYAMLError(None, None, f"nesting deeper than {MAX_DEPTH} levels", mark)
        try:
            alias = self.peek_event() if self.check_event(yaml.AliasEvent) else None
            node = super().compose_node(parent, index)
            if alias is not None and parent is not None:
                # an alias node is the anchored node itself: keep the alias' own position
                self.alias_marks[(id(parent), id(index) if isinstance(index, yaml.Node) else index)] = alias.start_mark
            return node
        finally:
            self._depth -= 1


@dataclass(frozen=True)
class Document:
    """A loaded YAML document: plain data plus the position of every node."""

    data: Any
    source: SourceMap


def _syntax_error(source: SourceMap, message: str, pos: Position | None,
                  hint: str | None = None) -> SpecSyntaxError:
    pos = pos or Position(0, 0)
    return SpecSyntaxError(Diagnostic(message, file=source.file, line=pos.line, column=pos.column,
                                      hint=hint, source_line=source.source_line(pos.line)))


def _mark(mark: Any) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _tag(tag: str) -> str:
    """A tag as it is written in YAML: ``!!python/object``, not ``tag:yaml.org,2002:python/object``."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def decode(raw: bytes | str, source: SourceMap) -> str:
    if isinstance(raw, str):
        return raw
    if len(raw) > MAX_BYTES:
        raise _syntax_error(source, f"file is {len(raw):,} bytes; specs are limited to {MAX_BYTES:,}",
                            None, hint="put large data in a data file, not in the spec")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        good = raw[: err.start].decode("utf-8-sig", errors="replace")
        source.text = good
        raise _syntax_error(source, f"file is not valid UTF-8 (byte 0x{raw[err.start]:02x})",
                            offset_to_position(good, len(good)),
                            hint="save the file as UTF-8") from None


def source_text(raw: bytes | str, file: str | None) -> tuple[SourceMap, str]:
    """A spec file's text (UTF-8, BOM dropped) and its source map; SpecSyntaxError over the size limit."""
    source = SourceMap(file)
    text = decode(raw, source)
    source.text = text
    if len(text) > MAX_BYTES:
        raise _syntax_error(source, f"spec is longer than {MAX_BYTES:,} characters", None)
    return source, text


def load_yaml(raw: bytes | str, file: str | None = None) -> Document:
    """Parse one YAML document safely, keeping source positions."""
    source, text = source_text(raw, file)
    loader = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        raise _yaml_error(source, err) from None
    except yaml.reader.ReaderError as err:
        raise _syntax_error(source, f"unacceptable character #x{err.character:04x} in the file",
                            offset_to_position(text, err.position)) from None
    except yaml.YAMLError as err:  # pragma: no cover - PyYAML's other errors carry no mark
        raise _syntax_error(source, f"invalid YAML: {err}", None) from None
    finally:
        if loader is not None:
            loader.dispose()
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL and node.value == ""):
        raise _syntax_error(source, "the spec is empty", Position(1, 1),
                            hint="a spec is a YAML mapping with at least 'data', 'x' and 'layers'")
    builder = _Builder(source, loader.alias_marks)
    data = builder.build(node, (), 0)
    return Document(data, source)


def _yaml_error(source: SourceMap, err: yaml.MarkedYAMLError) -> SpecSyntaxError:
    mark = err.problem_mark or err.context_mark
    problem = err.problem or err.context or "invalid YAML"
    context, start = err.context or "", err.context_mark
    hint = None
    if "expected a single document" in context:
        problem, hint = "the file holds more than one YAML document", "keep one chart per file (remove '---')"
    elif "found character '\\t'" in problem:
        hint = "YAML indentation uses spaces, not tabs"
    elif context.startswith("found duplicate anchor") and start is not None:
        problem = context.split(";")[0].removeprefix("found ")
        hint = f"first defined at line {start.line + 1}, column {start.column + 1}"
    elif context and err.problem:
        problem = f"{problem} ({context})"
        what = context.removeprefix("while ").removeprefix("scanning ").removeprefix("parsing ")
        what = what.replace("quoted scalar", "quoted string")
        if "end of stream" in problem and start is not None:
            # the file ended inside something: point where that something starts
            problem, mark = f"{what} is never closed: the file ends first", start
        elif start is not None and mark is not None and start.line != mark.line:
            hint = f"{what} starts at line {start.line + 1}, column {start.column + 1}"
    return _syntax_error(source, problem, _mark(mark) if mark else None, hint)


class _Builder:
    """Turns a composed node graph into plain Python data, recording positions."""

    def __init__(self, source: SourceMap, alias_marks: dict[tuple[int, Any], Any] | None = None) -> None:
        self.source = source
        self.count = 0
        self.alias_marks = alias_marks or {}
        self.expanding: list[Any] = []  # marks of the aliases being expanded, outermost first

    def error(self, message: str, node: Any, hint: str | None = None) -> SpecSyntaxError:
        return _syntax_error(self.source, message, _mark(node.start_mark), hint)

    def tag_error(self, node: Any) -> SpecSyntaxError:
        return self.error(f"unsupported tag {_short(_tag(node.tag))!r}", node,
                          hint="chartspec reads plain YAML data only; remove the '!' tag")

    def child(self, parent: Any, index: Any, node: Any, path: JsonPath, depth: int) -> Any:
        alias = self.alias_marks.get((id(parent), index))
        if alias is not None:
            self.expanding.append(alias)
        try:
            return self.build(node, path, depth)
        finally:
            if alias is not None:
                self.expanding.pop()

    def build(self, node: Any, path: JsonPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            where = self.expanding[0] if self.expanding else node.start_mark
            if not self.alias_marks:  # no alias multiplied it: the document is this large as written
                raise _syntax_error(self.source, f"the document holds more than {MAX_NODES:,} values", _mark(where),
                                    hint="move inline rows (data: {values: ...}) to a CSV or Parquet file beside the "
                                         "spec: files are read by the data engine, which takes millions of rows")
            raise _syntax_error(self.source, f"the document expands to more than {MAX_NODES:,} nodes",
                                _mark(where),
                                hint="aliases (*name) that repeat large anchors multiply the document")
        if depth > MAX_DEPTH:
            where = self.expanding[-1] if self.expanding else node.start_mark
            raise _syntax_error(self.source, f"nesting deeper than {MAX_DEPTH} levels (a recursive alias?)",
                                _mark(where))
        self.source.values.setdefault(path, _mark(node.start_mark))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                raise self.tag_error(node)
            return [self.child(node, i, item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, in_rows=_in_rows(path))

    def mapping(self, node: Any, path: JsonPath, depth: int) -> dict[str, Any]:
        if node.tag != _MAP:
            raise self.tag_error(node)
        result: dict[str, Any] = {}
        merges: list[Any] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merges.append(value_node)
                continue
            key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise self.error("mapping keys must be plain strings", key_node,
                                 hint="quote the key if it looks like a number, e.g. '1': ...")
            if key in result:
                first = self.source.keys[path + (key,)]
                raise self.error(f"duplicate key {key!r}", key_node,
                                 hint=f"first defined at line {first.line}, column {first.column}")
            self.source.keys[path + (key,)] = _mark(key_node.start_mark)
            result[key] = self.child(node, id(key_node), value_node, path + (key,), depth + 1)
        for merge in merges:  # '<<: *base' fills in keys not set explicitly
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src in sources:
                value = self.build(src, path, depth + 1)
                if not isinstance(value, dict):
                    raise self.error("'<<' merges only mappings", src)
                for key, item in value.items():
                    result.setdefault(key, item)
        return result

    def scalar(self, node: Any, *, in_rows: bool = False) -> Any:
        """A scalar's value; ``in_rows``: inside inline data rows, where YAML 1.2's .nan and .inf are
        numbers (missing values with a note, as in a data file); elsewhere they stay text, as before:
        a spec's numbers are finite."""
        value: str = node.value
        tag = node.tag
        try:
            if tag == _STR:
                if found := _CONTROL.search(value):  # only "\x.." escapes can write them
                    raise self.error(f"text holds U+{ord(found.group()):04X}, a character charts cannot draw", node,
                                     hint="remove the escape that writes it")
                return value
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return value.lower() == "true"
            if tag == _INT:
                number = int(value, 0) if value.startswith(("0o", "0x")) else int(value, 10)
                float(number)  # OverflowError past the float range: no chart can use it
                return number
            if tag == _FLOAT and value.lstrip("+-")[:1] == "." and value[-1:].isalpha():  # .inf, .nan
                return float(value.replace(".", "", 1)) if in_rows else value
            if tag == _FLOAT:
                result = float(value)
                if not math.isfinite(result):
                    raise OverflowError
                return result
        except ValueError:
            raise self.error(f"{_short(value)!r} is not a valid {tag.rsplit(':', 1)[-1]}", node) from None
        except OverflowError:
            raise self.error(f"number {_short(value)} is too large", node,
                             hint="numbers in a spec must lie within about ±1.8e308") from None
        raise self.tag_error(node)
