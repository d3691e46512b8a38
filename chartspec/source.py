"""Source positions: where each node of a loaded YAML document came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Diagnostic, JsonPath


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
        lines = self.text.splitlines()
        return lines[line - 1] if line <= len(lines) else None

    def diagnostic(self, message: str, path: JsonPath = (), *, key: bool = False,
                   hint: str | None = None) -> Diagnostic:
        pos = self.position(path, key=key)
        return Diagnostic(message, file=self.file, line=pos.line, column=pos.column,
                          path=tuple(path), hint=hint, source_line=self.source_line(pos.line))


def offset_to_position(text: str, offset: int) -> Position:
    """Convert a character offset into a 1-based line/column."""
    before = text[:offset]
    line = before.count("\n") + 1
    column = offset - (before.rfind("\n") + 1) + 1
    return Position(line, column)
