"""What the documentation-site integrations share.

- :func:`find_fences` finds the `````chartspec`` fences of a Markdown text; :func:`reference`
  tells a fence that names a spec file (its body is the one line ``file: PATH``) from an inline
  spec.
- :func:`chart_from_text` and :func:`chart_from_file` load, compile and render a chart to a
  :class:`Chart` (the Vega-Lite spec, its static SVG and the files it was made from). Errors are
  :class:`~chartspec.errors.ChartspecError` whose diagnostics point into the page: an inline spec
  is loaded with as many blank lines in front as the page has above it, so its line numbers are
  the page's.
- :class:`ChartCache` keeps rendered charts by a hash of the spec text, where it was found and
  the library versions; a hit counts only while every file the chart read still hashes the same.
- :func:`install_bundle` puts the one shared Vega bundle into a site's output folder
  (``_chartspec/vega-bundle.<hash>.js``) and :func:`bundle_href` gives a page's relative URL to it.
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..builder.cache import input_key
from ..errors import ChartspecError, Diagnostic
from ..render.html import BUNDLE_DIR, HtmlOptions, bundle_filename, fragment, rename_svg_ids
from ..render.versions import library_versions

__all__ = ["Chart", "ChartCache", "Fence", "bundle_href", "chart_from_file", "chart_from_text", "describe",
           "error_html", "find_fences", "fragment_html", "install_bundle", "page_chart_id", "reference",
           "replace_lines", "static_html"]

_CACHE_FORMAT = 1


@dataclass(frozen=True)
class Chart:
    """A rendered chart: what a page needs to show it, and what it was made from."""

    vl: dict[str, Any]
    svg: str
    #: the spec file (when the chart has one) and its data files, absolute: watch these
    files: tuple[Path, ...]
    #: a short name for ids and labels: the spec file's stem, or "chart"
    name: str = "chart"


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


# -- loading and rendering -------------------------------------------------------------------------

class ChartCache:
    """Rendered charts by key, in memory and (with ``folder``) on disk as ``KEY.json`` files.

    Entries of specs that changed are never read again; :meth:`prune` after a full build removes
    them (and those of charts no page holds any more), so the folder does not grow for ever.
    """

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder
        self.memory: dict[str, tuple[str | None, Chart]] = {}
        self.hits = 0
        self.misses = 0
        #: charts the cache did not have, rendered without error
        self.rendered = 0
        #: keys read or written since :meth:`start_build`
        self.used: set[str] = set()

    def start_build(self) -> None:
        self.hits = self.misses = self.rendered = 0
        self.used = set()

    def prune(self) -> int:
        """Forget every entry the build since :meth:`start_build` did not use; the number removed
        from disk. Only ``KEY.json`` files are touched (the cached bundle stays)."""
        self.memory = {k: v for k, v in self.memory.items() if k in self.used}
        removed = 0
        for path in self.folder.glob("*.json") if self.folder is not None and self.folder.is_dir() else ():
            if _KEY_NAME.fullmatch(path.stem) and path.stem not in self.used:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass  # another build may hold it; a stale entry only costs disk
        return removed

    def get(self, key: str) -> Chart | None:
        found = self.memory.get(key) or self._read(key)
        if found is not None:
            digest, chart = found
            if digest is not None and input_key([str(f) for f in chart.files], key) == digest:
                self.memory[key] = found
                self.hits += 1
                self.used.add(key)
                return chart
        self.misses += 1
        return None

    def put(self, key: str, chart: Chart, digest: str | None) -> None:
        """Keep ``chart``; ``digest`` is :func:`~chartspec.builder.cache.input_key` of its files taken
        when they were read (``None``: do not keep it)."""
        if digest is None:
            return
        self.memory[key] = (digest, chart)
        self.used.add(key)
        if self.folder is None:
            return
        entry = {"format": _CACHE_FORMAT, "digest": digest, "files": [str(f) for f in chart.files],
                 "name": chart.name, "vl": chart.vl, "svg": chart.svg}
        try:
            from ..render.atomic import write_atomic

            write_atomic(self.folder / f"{key}.json", json.dumps(entry, ensure_ascii=False).encode())
        except (OSError, ChartspecError):
            pass  # a cache that cannot be written only costs time

    def _read(self, key: str) -> tuple[str | None, Chart] | None:
        if self.folder is None:
            return None
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            if entry.get("format") != _CACHE_FORMAT:
                return None
            chart = Chart(vl=entry["vl"], svg=entry["svg"], files=tuple(Path(f) for f in entry["files"]),
                          name=entry["name"])
            return entry["digest"], chart
        except (OSError, ValueError, KeyError, TypeError):
            return None


_KEY_NAME = re.compile(r"[0-9a-f]{64}")


def _key(kind: str, data: bytes, where: Path, root: Path | None) -> str:
    head = json.dumps([_CACHE_FORMAT, library_versions(), kind, str(where), str(root)])
    return hashlib.sha256(head.encode() + b"\0" + data).hexdigest()


def _render(spec: Any) -> tuple[dict[str, Any], str]:
    from ..compiler.vegalite import compile_vegalite
    from ..render.export import render

    vl = compile_vegalite(spec)
    return vl, render(vl, ("svg",), spec=spec)["svg"].decode()


def chart_from_text(text: str, *, page: Path, file: str, root: Path | None = None, first_line: int = 1,
                    indent: int = 0, cache: ChartCache | None = None) -> Chart:
    """The chart of an inline spec found in the page ``page``, shown in errors as ``file``.

    ``first_line`` is the page's line number of the spec's first line and ``indent`` the number
    of characters the spec's lines were indented by in the page: errors are located in the page.
    Data paths are relative to the page's folder and must stay in ``root`` (by default the
    nearest project folder above the page).
    """
    from ..data.loader import loads

    cache = cache if cache is not None else ChartCache()
    key = _key("inline", text.encode(), page.parent.resolve(), root)
    if (hit := cache.get(key)) is not None:
        return hit
    try:
        spec = loads("\n" * (first_line - 1) + text, file=file, path=page.absolute(), root=root)
        files = tuple(f.resolve() for f in spec.table.files)
        digest = input_key([str(f) for f in files], key)
        vl, svg = _render(spec)
        cache.rendered += 1
    except ChartspecError as err:
        raise type(err)([_in_page(d, file, max(first_line - 1, 1), indent) for d in err.diagnostics]) from None
    chart = Chart(vl=vl, svg=svg, files=files)
    cache.put(key, chart, digest)
    return chart


def _in_page(d: Diagnostic, file: str, fence_line: int, indent: int) -> Diagnostic:
    if d.file is None:  # rendering errors: at the fence
        return replace(d, file=file, line=fence_line, column=0)
    if d.file == file and indent and d.line >= fence_line and d.column:
        prefix = " " * indent
        return replace(d, column=d.column + indent, source_line=None if d.source_line is None else prefix + d.source_line)
    return d


def chart_from_file(path: Path, *, root: Path | None = None, cache: ChartCache | None = None) -> Chart:
    """The chart of the spec file ``path`` (data paths relative to it, kept inside ``root``)."""
    from ..data.loader import load
    from ..errors import display_path

    cache = cache if cache is not None else ChartCache()
    try:
        raw = path.read_bytes()
    except OSError:
        load(path, root=root)  # raises the usual "no such file" / "cannot read" error
        raise
    key = _key("file", raw, path.resolve(), root)
    if (hit := cache.get(key)) is not None:
        return hit
    try:
        spec = load(path, root=root)
        files = tuple(f.resolve() for f in spec.inputs)
        digest = input_key([str(f) for f in files], key)
        vl, svg = _render(spec)
        cache.rendered += 1
    except ChartspecError as err:
        shown = display_path(path)
        raise type(err)([d if d.file else replace(d, file=shown) for d in err.diagnostics]) from None
    chart = Chart(vl=vl, svg=svg, files=files, name=path.stem)
    cache.put(key, chart, digest)
    return chart


def describe(err: ChartspecError, *, included_from: str | None = None) -> str:
    """The error as chartspec prints it (with source excerpts); for a chart included from a spec
    file, followed by ``PAGE:LINE: note: chart included here``."""
    text = err.format(context=True)
    if included_from:
        text += f"\n{included_from}: note: chart included here"
    return text


# -- HTML ------------------------------------------------------------------------------------------

def page_chart_id(name: str, number: int) -> str:
    """The id of the ``number``-th chart of a page (unique on the page)."""
    from ..render.export import chart_id

    return chart_id(f"{name}-{number}")


def fragment_html(chart: Chart, *, chart_id: str, bundle_href: str, label: str | None = None,
                  fallback: bool = True) -> str:
    """The interactive chart (chartspec's fragment): loads the shared bundle once per page."""
    from ..render.export import chart_label

    return fragment(chart.vl, chart_id=chart_id, label=label or chart_label(chart.vl, chart.name),
                    options=HtmlOptions(bundle="shared", fallback=fallback), bundle_href=bundle_href, svg=chart.svg)


def static_html(chart: Chart, *, chart_id: str, label: str | None = None) -> str:
    """The static SVG, in a labelled ``<div>``, its ids prefixed with ``chart_id``; no script."""
    from ..render.export import chart_label

    svg = rename_svg_ids(chart.svg, lambda old: f"{chart_id}-{old}")
    svg = svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)
    attr = html.escape(label or chart_label(chart.vl, chart.name), quote=True)
    return (f'<div class="chartspec-static" id="{html.escape(chart_id, quote=True)}" role="img" aria-label="{attr}">'
            f"{svg}</div>\n")


def error_html(message: str) -> str:
    """A chart that failed, shown in the page instead of it."""
    return f'<pre class="chartspec-build-error" role="alert">{html.escape(message)}</pre>\n'


def bundle_href(page_folder: str) -> str:
    """The URL of the shared bundle from a page in ``page_folder`` (POSIX, relative to the site's
    root, ``""`` for the root itself)."""
    return posixpath.relpath(f"{BUNDLE_DIR}/{bundle_filename()}", page_folder or ".")


def install_bundle(out: Path, cache_folder: Path | None = None) -> Path:
    """Write the shared bundle into ``out/_chartspec/`` unless there already; with
    ``cache_folder``, copy it from there (making it takes a second or two) and keep it there."""
    from ..builder.target import write_shared_bundle
    from ..render.atomic import write_atomic

    target = out / BUNDLE_DIR / bundle_filename()
    if target.is_file():
        return target
    kept = cache_folder / bundle_filename() if cache_folder is not None else None
    if kept is not None and kept.is_file():
        write_atomic(target, kept.read_bytes())
        return target
    write_shared_bundle(out)
    if kept is not None:
        try:
            write_atomic(kept, target.read_bytes())
        except ChartspecError:
            pass
    return target
