"""Loading a spec file: bytes in, a validated :class:`~chartspec.data.loaded.Spec` out, or one error
listing every problem (:class:`~chartspec.errors.ChartspecError`).

Dispatches on what the file is: plain Vega-Lite (plain.py), a layout of charts (concat.py) or
one chart (chart.py). ``chartspec.load``/``loads``/``validate`` are these functions.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from ..errors import ChartspecError, Diagnostic, SpecValidationError, UsageError, display_path
from ..spec.files import NotRegularFile, not_a_file, path_argument, read_regular
from ..spec.jsonload import read_document
from ..spec.layout import is_layout
from ..spec.plain import is_plain_vegalite
from ..spec.project import find_project_root
from ..spec.themes import resolve_theme
from ..spec.yamlload import Document
from .chart import load_chart
from .concat import load_concat
from .engine import close_all
from .images import with_images
from .loaded import Spec
from .plain import load_plain


def with_build_theme(spec: Spec, value: str | None) -> Spec:
    """``spec`` in the build's theme, unless it names its own (a spec's ``theme:`` wins)."""
    if value is None or getattr(spec.model, "theme", "") is not None or getattr(spec, "theme", None) is not None:
        return spec  # no build theme; the spec chose; or not a single chart (layouts keep their look)
    return replace(spec, theme=resolve_theme(value, base=Path.cwd(), root=None, source=None, shown="--theme"))


def loads(text: str | bytes, *, file: str | None = None, path: Path | None = None,
          root: Path | None = None, scale: float = 1.0) -> Spec:
    """Load a spec from YAML text (JSON when ``file`` ends in ``.json``). Raises :class:`ChartspecError` listing every problem found.
    ``scale``: device pixels per CSS pixel of the images to be rendered, for the reduction.
    Raises :class:`TypeError` when ``text`` is neither (a caller's mistake, as ``json.loads`` does)."""
    if not isinstance(text, (str, bytes, bytearray)):
        raise TypeError(f"the spec text must be str or bytes, not {type(text).__name__}")
    doc = read_document(bytes(text) if isinstance(text, bytearray) else text, file)
    if not isinstance(doc.data, dict):
        raise SpecValidationError(doc.source.diagnostic("a spec must be a YAML mapping (key: value lines)", ()))
    if path is not None and root is None:
        root = find_project_root(path.parent)
    return load_document(doc, path=path, root=root, scale=scale)


def load_document(doc: Document, *, path: Path | None, root: Path | None, scale: float = 1.0) -> Spec:
    """Validate a loaded YAML mapping and read its data (and the images it draws from project
    files): one chart, or a layout of several."""
    try:
        if is_plain_vegalite(doc):  # *.vl.yaml, *.vl.json, or a Vega-Lite $schema
            spec = load_plain(doc, path=path, root=root)
        elif is_layout(doc.data):  # hconcat / vconcat: each item is loaded through this function
            spec = load_concat(doc, path=path, root=root, load_item=partial(load_document, scale=scale))
        else:
            spec = load_chart(doc, path=path, root=root, scale=scale)
    finally:
        if close_all():  # the rows drawn are out of the engine: its memory goes back before Vega runs
            _trim_heap()
    return with_images(spec, root)


def _trim_heap() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim(0)``, malloc_trim(3)):
    what the engine freed stays resident otherwise while Vega draws in another process (measured
    after a 1,000,000-row CSV: 104 -> 97 MB). Without glibc (musl, macOS) there is nothing to do."""
    import ctypes

    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def load(path: str | Path, *, root: str | Path | None = None, scale: float = 1.0) -> Spec:
    """Load and validate a spec file and read its data.

    ``root`` is the folder data paths must stay in; by default the nearest folder above the
    spec holding ``chartspec.toml``, ``pyproject.toml`` or ``.git``, else the spec's folder.
    """
    path = path_argument(path, "chartspec.load(path)", "a spec file's path")
    shown = display_path(path)
    try:
        raw = read_regular(path)  # a named pipe would hang the build
    except NotRegularFile as err:
        raise UsageError(Diagnostic(not_a_file(shown, err.kind, "a spec file"), file=shown)) from None
    except FileNotFoundError:
        raise UsageError(Diagnostic(f"no such file: {shown}", file=shown)) from None
    except OSError as err:
        raise UsageError(Diagnostic(f"cannot read {shown}: {err.strerror}", file=shown)) from None
    except ValueError:  # a NUL or an unencodable character in the name (Python API callers)
        raise UsageError(Diagnostic(f"no such file: {shown!r}", file=shown)) from None
    return loads(raw, file=shown, path=path.absolute(), root=Path(root) if root else None, scale=scale)


def validate(path: str | Path, *, root: str | Path | None = None) -> list[Diagnostic]:
    """Every problem of a spec file, or an empty list when it is valid."""
    try:
        load(path, root=root)
    except ChartspecError as err:
        return list(err.diagnostics)
    return []
