"""A loaded spec: the model with its tables and theme, ready to compile (:class:`Spec`).

The model is one chart (:class:`~chartspec.spec.model.ChartSpec`), a layout of charts
(:class:`ConcatSpec`, whose items are loaded specs themselves) or plain Vega-Lite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import Diagnostic, display_path
from ..spec.model import ChartSpec
from ..spec.plain import PlainVegaLite
from ..spec.source import SourceMap
from ..spec.themes import Theme
from .table import Table


@dataclass(frozen=True)
class LocalImages:
    """Images a spec draws from files of its project (data/images.py), inlined as ``data:`` URLs.

    Keyed by the text the spec wrote (a path relative to the spec file); the compiler swaps each
    for its ``data:`` URL and refuses every other image address (compiler/safety.py)."""

    #: path as written -> ``data:image/...;base64,...``
    urls: dict[str, str] = field(default_factory=dict)
    #: path as written -> why it cannot be drawn ("leads outside the project (...)")
    problems: dict[str, str] = field(default_factory=dict)
    #: the image files read (build inputs)
    files: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Spec:
    """A validated spec with its data, ready to compile."""

    #: one chart; or a layout of charts (ConcatSpec); or a plain Vega-Lite file (spec/plain.py)
    model: ChartSpec | ConcatSpec | PlainVegaLite
    table: Table
    source: SourceMap
    path: Path | None = None
    #: per layer, the layer's own data (``data:`` on the layer), or None when it uses ``table``
    layer_tables: tuple[Table | None, ...] = ()
    #: the resolved theme (the spec's, else the build's); None: chartspec's default look
    theme: Theme | None = None
    #: images drawn from files of the project (``url`` of image marks), read and inlined
    images: LocalImages = LocalImages()
    #: what the build tells without failing (severity "note"): non-finite cells, replaced rows
    notes: tuple[Diagnostic, ...] = ()
    #: device pixels per CSS pixel of the images the data was loaded (and reduced) for: ``load(scale=)``
    scale: float = 1.0

    def __repr__(self) -> str:
        """``Spec(path='specs/a.yaml', title='Loss', layers=3, rows=1200)``: what a notebook shows of
        a loaded spec (the generated repr printed its every row and its source text, kilobytes);
        the parts stay attributes: ``model``, ``table``, ``source``..."""
        where = f"path={display_path(self.path)!r}" if self.path is not None else f"file={self.source.file!r}"
        return f"Spec({where}, {_summary(self.model, self.table)})"

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file the chart depends on: the spec and its data files (the layers' too), the
        folders data globs searched (the build cache counts a folder by what it lists) and the
        image files it inlines."""
        tables = [self.table, *(t for t in self.layer_tables if t is not None)]
        files = tuple(f for t in tables for f in (*t.files, *t.folders))
        theme_file = (self.theme.file,) if self.theme is not None and self.theme.file else ()
        return ((self.path,) if self.path else ()) + tuple(dict.fromkeys(files + theme_file + self.images.files))

    @property
    def fetched(self) -> tuple[Any, ...]:
        """The connections the chart read (connections.Fetched; their files are among ``inputs`` too)."""
        tables = [self.table, *(t for t in self.layer_tables if t is not None)]
        return tuple(dict.fromkeys(f for t in tables for f in t.fetched))


def _summary(model: ChartSpec | ConcatSpec | PlainVegaLite, table: Table) -> str:
    if isinstance(model, ConcatSpec):  # its charts hold the data
        return f"title={model.title!r}, {model.direction}={len(model.items)}"
    if isinstance(model, PlainVegaLite):
        return "kind='vega-lite'"
    # a table still in the engine: its count, not its rows; a reduced one: the data's and the drawn count
    rows = table.relation.count if table.relation is not None and not table.rows else len(table.rows)
    drawn = f"rows={table.reduced_from}, drawn={rows}" if table.reduced_from is not None else f"rows={rows}"
    return f"title={model.title!r}, layers={len(model.layers)}, {drawn}"


def in_order(problems: list[Diagnostic], file: str | None) -> list[Diagnostic]:
    """Diagnostics of the spec by position. Those located in a data file keep their order and stay
    just before the spec diagnostic that follows them (the note on the line naming that file)."""
    blocks: list[list[Diagnostic]] = [[]]
    for d in dict.fromkeys(problems):
        blocks[-1].append(d)
        if d.file == file:
            blocks.append([])
    return [d for block in sorted(filter(None, blocks), key=lambda b: (b[-1].file != file, b[-1].line, b[-1].column))
            for d in block]


Direction = Literal["hconcat", "vconcat"]


@dataclass(frozen=True)
class ConcatSpec:
    """A layout of whole charts; exactly one of ``hconcat`` and ``vconcat`` holds them."""

    title: str | None
    subtitle: str | None
    description: str | None
    padding: float | dict[str, float] | None
    vega_lite: dict[str, Any] | None
    hconcat: tuple[Spec, ...] = ()
    vconcat: tuple[Spec, ...] = ()

    def __repr__(self) -> str:
        return f"ConcatSpec(title={self.title!r}, {self.direction}={len(self.items)})"

    @property
    def direction(self) -> Direction:
        return "hconcat" if self.hconcat else "vconcat"

    @property
    def items(self) -> tuple[Spec, ...]:
        return self.hconcat or self.vconcat
