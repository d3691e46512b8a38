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
- :class:`Looks` is a site's light and dark theme (:func:`site_looks` reads the site's setting,
  else ``chartspec.toml``): every chart is rendered in both, and its page draws the one matching
  the site's colour scheme (render/runtime.py).
- :func:`install_bundle` puts the one shared Vega bundle into a site's output folder
  (``_chartspec/vega-bundle.<hash>.js``) and :func:`bundle_href` gives a page's relative URL to it.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..builder.cache import input_key
from ..errors import ChartspecError, Diagnostic
from ..render.html import BUNDLE_DIR, Dark, HtmlOptions, bundle_filename, fragment, rename_svg_ids
from ..render.runtime import FALLBACK_CSS
from ..render.versions import library_versions
from ..spec.themes import DARK_THEME, build_theme_value, dark_theme_for, resolve_theme
from .fences import Fence, find_fences, reference, replace_lines
from .pagepaths import confine, for_page, project_file, referenced_spec

__all__ = ["Chart", "ChartCache", "Fence", "Looks", "bundle_href", "chart_from_file", "chart_from_text", "describe",
           "error_html", "find_fences", "for_page", "fragment_html", "install_bundle", "page_chart_id", "project_file",
           "reference", "referenced_spec", "replace_lines", "site_looks", "static_html"]

_CACHE_FORMAT = 2


@dataclass(frozen=True)
class Looks:
    """A site's themes: ``light`` for charts on a light page (``None``: the spec's own, else
    chartspec's), ``dark`` on a dark page (``None``: no dark look, the light one everywhere).
    A spec that names its own ``theme:`` keeps it on both."""

    light: str | None = None
    dark: str | None = DARK_THEME


def site_looks(setting: Any, *, base: Path, root: Path, where: str) -> Looks:
    """The :class:`Looks` of a site setting: a theme name or file (one look on light and dark
    pages), ``{light: ..., dark: ...}`` (either may be left out), or ``None``: ``theme`` and
    ``dark_theme`` of the project's ``chartspec.toml`` (found from ``root``), else chartspec's
    light and dark looks. Theme files are relative to ``base`` (the site's config file's folder).
    Errors name ``where``."""
    if setting is None:
        from ..builder.config import find_config, load_config

        found = find_config(root)
        config = load_config(found) if found is not None else None
        light, dark = (config.theme, config.dark_theme) if config is not None else (None, None)
    elif isinstance(setting, str):
        light = dark = build_theme_value(setting, base)
    elif isinstance(setting, dict) and set(setting) <= {"light", "dark"} and all(
            isinstance(v, str) for v in setting.values()):
        light, dark = (build_theme_value(setting[k], base) if k in setting else None for k in ("light", "dark"))
    else:
        raise ChartspecError(Diagnostic(f"{where} must be a theme name or file, or {{light: THEME, dark: THEME}}",
                                        hint="for example theme: {light: chartspec, dark: chartspec-dark}"))
    for value in (light, dark):
        if value is not None:
            resolve_theme(value, base=base, root=None, source=None, shown=where)  # an unknown name: an error now
    return Looks(light, dark_theme_for(light, dark))


@dataclass(frozen=True)
class Chart:
    """A rendered chart: what a page needs to show it, and what it was made from."""

    vl: dict[str, Any]
    svg: str
    #: the spec file (when the chart has one) and its data files, absolute: watch these
    files: tuple[Path, ...]
    #: a short name for ids and labels: the spec file's stem, or "chart"
    name: str = "chart"
    #: the chart in the site's dark theme (None: one look on light and dark pages)
    dark_vl: dict[str, Any] | None = None
    dark_svg: str | None = None

    @property
    def dark(self) -> Dark | None:
        return Dark(self.dark_vl, self.dark_svg) if self.dark_vl is not None else None


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
                 "name": chart.name, "vl": chart.vl, "svg": chart.svg, "dark_vl": chart.dark_vl,
                 "dark_svg": chart.dark_svg}
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
                          name=entry["name"], dark_vl=entry["dark_vl"], dark_svg=entry["dark_svg"])
            return entry["digest"], chart
        except (OSError, ValueError, KeyError, TypeError):
            return None


_KEY_NAME = re.compile(r"[0-9a-f]{64}")


def _key(kind: str, data: bytes, where: Path, root: Path | None, looks: Looks) -> str:
    head = json.dumps([_CACHE_FORMAT, library_versions(), kind, str(where), str(root), looks.light, looks.dark])
    return hashlib.sha256(head.encode() + b"\0" + data).hexdigest()


def _render(spec: Any, looks: Looks, files: tuple[Path, ...], name: str = "chart") -> Chart:
    """The chart in the site's light look and, unless the spec names its own theme, its dark look."""
    from ..compiler.vegalite import compile_vegalite
    from ..data.loader import with_build_theme
    from ..render.export import render

    def drawn(themed: Any) -> tuple[dict[str, Any], str]:
        vl = compile_vegalite(themed)
        return vl, render(vl, ("svg",), spec=themed)["svg"].decode()

    vl, svg = drawn(with_build_theme(spec, looks.light))
    dark = with_build_theme(spec, looks.dark) if looks.dark is not None else spec
    dark_vl, dark_svg = drawn(dark) if dark is not spec else (None, None)
    return Chart(vl=vl, svg=svg, files=files, name=name, dark_vl=dark_vl, dark_svg=dark_svg)


def chart_from_text(text: str, *, page: Path, file: str, root: Path | None = None, first_line: int = 1,
                    indent: int = 0, cache: ChartCache | None = None, looks: Looks = Looks()) -> Chart:
    """The chart of an inline spec found in the page ``page``, shown in errors as ``file``.

    ``first_line`` is the page's line number of the spec's first line and ``indent`` the number
    of characters the spec's lines were indented by in the page: errors are located in the page.
    Data paths are relative to the page's folder and must stay in ``root`` (by default the
    nearest project folder above the page).
    """
    from ..data.loader import loads

    cache = cache if cache is not None else ChartCache()
    key = _key("inline", text.encode(), page.parent.resolve(), root, looks)
    if (hit := cache.get(key)) is not None:
        return hit
    try:
        spec = loads("\n" * (first_line - 1) + text, file=file, path=page.absolute(), root=root)
        files = tuple(f.resolve() for f in spec.table.files)
        digest = input_key([str(f) for f in files], key)
        chart = _render(spec, looks, files)
        cache.rendered += 1
    except ChartspecError as err:
        raise for_page(type(err)([_in_page(d, file, max(first_line - 1, 1), indent) for d in err.diagnostics]),
                       root) from None
    cache.put(key, chart, digest)
    return chart


def _in_page(d: Diagnostic, file: str, fence_line: int, indent: int) -> Diagnostic:
    if d.file is None:  # rendering errors: at the fence
        return replace(d, file=file, line=fence_line, column=0)
    if d.file == file and indent and d.line >= fence_line and d.column:
        prefix = " " * indent
        return replace(d, column=d.column + indent, source_line=None if d.source_line is None else prefix + d.source_line)
    return d


def chart_from_file(path: Path, *, root: Path | None = None, cache: ChartCache | None = None,
                    looks: Looks = Looks()) -> Chart:
    """The chart of the spec file ``path`` (data paths relative to it, kept inside ``root``)."""
    from ..data.loader import load

    cache = cache if cache is not None else ChartCache()
    confine(path, root)
    try:
        raw = path.read_bytes()
    except OSError:
        try:
            # raises the usual "no such file" / "cannot read" error, naming the path without "docs/.."
            load(Path(os.path.normpath(path.absolute())), root=root)
        except ChartspecError as err:
            raise for_page(err, root) from None
        raise
    key = _key("file", raw, path.resolve(), root, looks)
    if (hit := cache.get(key)) is not None:
        return hit
    try:
        spec = load(path, root=root)
        files = tuple(f.resolve() for f in spec.inputs)
        digest = input_key([str(f) for f in files], key)
        chart = _render(spec, looks, files, path.stem)
        cache.rendered += 1
    except ChartspecError as err:
        shown = project_file(path, root)
        raise for_page(type(err)([d if d.file else replace(d, file=shown) for d in err.diagnostics]), root) from None
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
                    options=HtmlOptions(bundle="shared", fallback=fallback), bundle_href=bundle_href, svg=chart.svg,
                    dark=chart.dark)


def static_html(chart: Chart, *, chart_id: str, label: str | None = None) -> str:
    """The static SVG, in a labelled ``<div>``, its ids prefixed with ``chart_id``; no script. With
    a dark look, both SVGs, the page's colour scheme showing one (render/runtime.py's CSS)."""
    from ..render.export import chart_label

    def one(svg: str, prefix: str, scheme: str | None) -> str:
        svg = rename_svg_ids(svg, lambda old: f"{prefix}-{old}")
        if scheme:
            svg = svg.replace('class="marks"', f'class="marks chartspec-fallback-{scheme}"', 1)
        return svg.replace("<svg ", '<svg style="max-width:100%;height:auto" ', 1)

    two = chart.dark_svg is not None
    svg = one(chart.svg, chart_id, "light" if two else None)
    if chart.dark_svg is not None:
        svg += one(chart.dark_svg, f"{chart_id}-dark", "dark") + f"<style>{FALLBACK_CSS}</style>"
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
