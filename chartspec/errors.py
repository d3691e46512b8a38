"""chartspec's error tree.

Every error a user can see is a :class:`ChartspecError` carrying one or more
:class:`Diagnostic` records (file, line, column, JSON path, message, hint)::

    ChartspecError                 base class; ``.diagnostics`` holds every problem found
    ├── SpecSyntaxError            the file is not readable YAML (encoding, syntax, duplicate
    │                              keys, aliases that expand too far, nesting too deep)
    ├── SpecValidationError        the YAML does not follow the spec language (JSON Schema)
    │                              or refers to things that do not exist (fields, colours)
    ├── DataError                  a data file is missing, unreadable, or outside the project
    ├── CompileError               the spec is valid but cannot become a chart
    ├── ExportError                vl-convert failed to render or a file could not be written
    └── UsageError                 the command line or API call itself is wrong (exit code 2)

Third-party exceptions are wrapped with ``raise ... from err`` so that no traceback reaches
a user of the command line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "ChartspecError",
    "CompileError",
    "DataError",
    "Diagnostic",
    "ExportError",
    "SpecSyntaxError",
    "SpecValidationError",
    "UsageError",
    "quoted",
]

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Diagnostic:
    """One problem, located in a source file.

    ``line`` and ``column`` are 1-based; 0 means "unknown" (a file-level problem).
    """

    message: str
    file: str | None = None
    line: int = 0
    column: int = 0
    path: JsonPath = ()
    hint: str | None = None
    severity: str = "error"
    source_line: str | None = field(default=None, compare=False)

    @property
    def location(self) -> str:
        parts = [self.file or "<spec>"]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)

    @property
    def json_pointer(self) -> str:
        return "".join(f"/{p}" for p in self.path) or "/"

    def format(self, *, context: bool = False) -> str:
        """Render as ``file:line:col: error: message`` plus hint (and source excerpt)."""
        # a problem of no file and no line (a usage error): named by the program, not a "<spec>"
        where = self.location if self.file or self.line else "chartspec"
        lines = [f"{where}: {self.severity}: {self.message}"]
        if context and self.source_line is not None and self.line:
            gutter = f"{self.line:>5} | "
            text, column = _excerpt(self.source_line, self.column)
            lines.append(gutter + text)
            # tabs before the caret stay tabs so the caret lines up in a terminal
            indent = "".join(c if c == "\t" else " " for c in text[: max(column - 1, 0)])
            lines.append(" " * (len(gutter) - 2) + "| " + indent + "^")
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


EXCERPT_WIDTH = 100


def _excerpt(line: str, column: int) -> tuple[str, int]:
    """At most ``EXCERPT_WIDTH`` characters of ``line`` around ``column``, and the column in them."""
    if len(line) <= EXCERPT_WIDTH:
        return line, column
    start = min(max(column - 1 - EXCERPT_WIDTH // 2, 0), len(line) - EXCERPT_WIDTH)
    text = line[start: start + EXCERPT_WIDTH]
    if start > 0:
        text = "..." + text[3:]
    if start + EXCERPT_WIDTH < len(line):
        text = text[:-3] + "..."
    return text, column - start


class ChartspecError(Exception):
    """Base class of every error chartspec reports to a user."""

    #: how many diagnostics ``str()`` shows before "... and N more"
    max_shown = 20

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic] | str, *, file: str | None = None,
                 hint: str | None = None) -> None:
        if isinstance(diagnostics, str):
            diagnostics = Diagnostic(diagnostics, file=file, hint=hint)
        if isinstance(diagnostics, Diagnostic):
            diagnostics = (diagnostics,)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.format())

    def __reduce__(self) -> tuple[type, tuple[tuple[Diagnostic, ...]]]:
        # Errors cross process boundaries in parallel builds; keep the diagnostics, not the text.
        return (type(self), (self.diagnostics,))

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]

    def format(self, *, context: bool = False) -> str:
        shown = [d.format(context=context) for d in self.diagnostics[: self.max_shown]]
        rest = len(self.diagnostics) - self.max_shown
        if rest > 0:
            shown.append(f"... and {rest} more")
        return "\n".join(shown)


class SpecSyntaxError(ChartspecError):
    """The spec file is not acceptable YAML."""


class SpecValidationError(ChartspecError):
    """The spec does not follow the spec language or names things that do not exist."""


class DataError(ChartspecError):
    """A data file cannot be used."""


class CompileError(ChartspecError):
    """A valid spec could not be turned into a chart."""


class ExportError(ChartspecError):
    """Rendering or writing an output failed."""


class UsageError(ChartspecError):
    """The command line or API call is wrong."""


def display_path(path: str | Path) -> str:
    """A path as users typed it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def hide_paths(text: str, root: Path | None) -> str:
    """``text`` without the build machine's absolute paths: ``root``'s (the project's) become relative
    to it, the home folder's start with ``~``. For messages a spec's author may read (a docs page, an
    engine's error): where the machine keeps things is not theirs to learn."""
    import re

    places = [(str(root.resolve()), ".")] if root is not None else []
    try:
        places.append((str(Path.home()), "~"))
    except RuntimeError:  # no home folder known
        pass
    for place, shown in places:
        if len(place) <= 1:  # "/" itself: nothing to hide
            continue
        below = "" if shown == "." else shown + "/"  # root/a -> a, home/a -> ~/a
        # the folder itself, or a path below it; not /srv/project2 or /srv/project.d for /srv/project
        text = re.sub(re.escape(place) + r"(/+|(?![\w-]|\.\w))", lambda m: below if m[1] else shown, text)
    return text


#: the longest a value quoted in a message is shown (Python's repr, quotes included)
QUOTED_CHARS = 60


def quoted(value: object, limit: int = QUOTED_CHARS) -> str:
    """``repr(value)`` for a message, a long one cut in the middle (``'run-2024…seed-3'``): a
    500-character layer name quoted whole made a 600-character line, and the message's position
    already points at the whole value. Its start and end stay, where names differ most."""
    text = repr(value)
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + "…" + text[len(text) - (limit - 1 - head):]


def collect(errors: Iterable[ChartspecError]) -> tuple[Diagnostic, ...]:
    return tuple(d for e in errors for d in e.diagnostics)
