"""Source positions: where each node of a loaded YAML document came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import Diagnostic, JsonPath

#: what PyYAML counts as a line break; lines and columns everywhere follow its count
LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as YAML numbers them (a final line break opens no new line)."""
    lines = LINE_BREAK.split(text)
    return lines[:-1] if lines[-1] == "" else lines


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass
class SourceMap:
    """Maps JSON paths of a document to the positions of their values and keys."""

    file: str | None
    text: str = ""
    values: dict[JsonPath, Position] = field(default_factory=dict)
    keys: dict[JsonPath, Position] = field(default_factory=dict)

    def __repr__(self) -> str:  # not the whole text and every position
        return f"SourceMap(file={self.file!r}, lines={self.text.count(chr(10)) + bool(self.text)})"

    def position(self, path: JsonPath, *, key: bool = False) -> Position:
        """The position of ``path`` (its key if ``key``), else of its nearest known ancestor."""
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), Position(1, 1) if self.text else Position(0, 0))

    def source_line(self, line: int) -> str | None:
        if line < 1:
            return None
        lines = split_lines(self.text)
        return lines[line - 1] if line <= len(lines) else None

    def diagnostic(self, message: str, path: JsonPath = (), *, key: bool = False,
                   hint: str | None = None) -> Diagnostic:
        pos = self.position(path, key=key)
        return Diagnostic(message, file=self.file, line=pos.line, column=pos.column,
                          path=tuple(path), hint=hint, source_line=self.source_line(pos.line))


def offset_to_position(text: str, offset: int) -> Position:
    """Convert a character offset into a 1-based line/column."""
    breaks = list(LINE_BREAK.finditer(text, 0, offset))
    start = breaks[-1].end() if breaks else 0
    return Position(len(breaks) + 1, offset - start + 1)
