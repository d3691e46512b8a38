"""Markdown fences: finding the `````chartspec`` blocks of a page, and what a fence's body names.

Re-exported by common.py, which the MkDocs plugin and the Markdown extension import them from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Fence", "find_fences", "reference", "replace_lines"]


# -- Markdown fences -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fence:
    """A fenced code block: lines ``start`` (the opening fence) to ``end`` (exclusive), 0-based."""

    start: int
    end: int
    indent: str
    info: str
    body: str

    @property
    def line(self) -> int:
        """1-based line of the opening fence."""
        return self.start + 1


_OPEN = re.compile(r"(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)")


def find_fences(text: str, language: str = "chartspec") -> list[Fence]:
    """The fences of ``text`` whose info string starts with ``language`` (```` ```chartspec ````,
    ``~~~chartspec``, ```` ```{.chartspec} ````), at any indentation (lists, admonitions).

    Fences of other languages are skipped whole, so a `````chartspec`` example shown inside a
    longer ````` ````markdown ````` fence is left alone. An unclosed fence runs to the end.
    """
    lines = text.split("\n")
    found: list[Fence] = []
    i = 0
    while i < len(lines):
        m = _OPEN.fullmatch(lines[i])
        if not m or (m["fence"][0] == "`" and "`" in m["info"]):
            i += 1
            continue
        fence = m["fence"]
        close = re.compile(rf"[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
        j = i + 1
        while j < len(lines) and not close.fullmatch(lines[j]):
            j += 1
        words = m["info"].strip().strip("{}").split()
        if words and words[0].lstrip(".").lower() == language:
            body = [_dedent(line, m["indent"]) for line in lines[i + 1:j]]
            text = "\n".join(body).rstrip("\n") + "\n"
            found.append(Fence(i, min(j + 1, len(lines)), m["indent"], m["info"].strip(), text))
        i = j + 1
    return found


def _dedent(line: str, indent: str) -> str:
    """``line`` without the fence's indentation (or as much of it as the line has)."""
    if line.startswith(indent):
        return line[len(indent):]
    n = 0
    while n < len(indent) and n < len(line) and line[n] in " \t":
        n += 1
    return line[n:]


def replace_lines(text: str, replacements: dict[Fence, str]) -> str:
    """``text`` with each fence's lines replaced by its text."""
    lines = text.split("\n")
    for fence in sorted(replacements, key=lambda f: -f.start):
        lines[fence.start:fence.end] = replacements[fence].split("\n")
    return "\n".join(lines)


_REFERENCE = re.compile(r"file:[ \t]*(?P<path>\"[^\"]+\"|'[^']+'|[^\s#'\"][^#]*?)[ \t]*(?:#.*)?")


def reference(body: str) -> str | None:
    """The path of a fence whose body is the single line ``file: PATH``; ``None`` for an inline spec."""
    lines = [s for s in (line.strip() for line in body.split("\n")) if s and not s.startswith("#")]
    if len(lines) != 1 or not (m := _REFERENCE.fullmatch(lines[0])):
        return None
    path = m["path"]
    return path[1:-1] if path[0] in "'\"" else path
