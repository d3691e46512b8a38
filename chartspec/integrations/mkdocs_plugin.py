"""MkDocs plugin: charts from chartspec specs, drawn in the pages of an MkDocs site.

Install with ``pip install 'chartspec[mkdocs]'`` and enable it in ``mkdocs.yml``::

    plugins:
      - search
      - chartspec:
          on_error: fail                # default; "show": the error in the page instead (and a warning)
          cache_dir: .cache/chartspec   # relative to mkdocs.yml; "" keeps the cache in memory only
          fallback: true                # the static SVG shows until (or unless) scripts draw the chart
          root: ""                      # folder data files must stay in (default: the nearest folder
                                        # at or above mkdocs.yml holding chartspec.toml, pyproject.toml
                                        # or .git, else mkdocs.yml's folder)
          theme:                        # default: theme and dark_theme of chartspec.toml, else these
            light: chartspec            # charts on a light page (a theme name or file)
            dark: chartspec-dark        # charts on a dark page; "theme: NAME" is one look on both

Charts follow the page's colour scheme: Material's palette toggle (``data-md-color-scheme``,
``slate`` is dark) redraws them in the dark theme and back, as do furo's and pydata-sphinx-theme's
switches; the static SVG shown before scripts run follows it too. A spec that names its own
``theme:`` keeps it on both. Material's instant navigation (``navigation.instant``) is supported:
the charts of each new page are drawn when Material announces it (``document$``).

A chart is a fenced block of language ``chartspec``. Its body is either a whole spec (data paths in
it are relative to the Markdown file; ``data: {values: [...]}`` works too)::

    ```chartspec
    title: Loss
    data: ../data/loss.csv
    x: {field: epoch}
    layers: [{mark: line, y: {field: loss}}]
    ```

or the single line ``file: PATH`` naming a spec file, relative to the Markdown file (a path
starting with ``/`` is relative to ``docs_dir``)::

    ```chartspec
    file: ../specs/throughput.yaml
    ```

Fences may be indented (in lists, admonitions); a `````chartspec`` fence shown inside a longer
fence of another language stays an example.

Each chart becomes chartspec's HTML fragment (``<figure class="chartspec">``, the static SVG in
it until the interactive chart is drawn). The Vega libraries are written once per build to
``SITE/_chartspec/vega-bundle.<hash>.js``; every page refers to that file by a relative URL and
loads it once however many charts it holds. Rendered charts are cached (by a hash of the spec
text and of every data file it reads), so rebuilds render only the charts that changed; after a
full build the entries no chart used are removed from ``cache_dir``. Under
``mkdocs serve`` the spec and data files are watched, inside ``docs_dir`` or not.

An error fails the build with chartspec's message, located in the Markdown file (an inline spec's
lines are counted in the page) or in the spec file, followed by the line of the page including it.
"""

from __future__ import annotations

import logging
import posixpath
import re
import secrets
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from ..errors import ChartspecError
from ..spec.project import find_project_root
from .common import (
    Chart,
    ChartCache,
    Fence,
    Looks,
    bundle_href,
    chart_from_file,
    chart_from_text,
    describe,
    error_html,
    find_fences,
    fragment_html,
    install_bundle,
    page_chart_id,
    project_file,
    reference,
    referenced_spec,
    replace_lines,
    site_looks,
)

__all__ = ["ChartspecConfig", "ChartspecPlugin"]

log = logging.getLogger("mkdocs.plugins.chartspec")


class ChartspecConfig(Config):
    on_error = c.Choice(("fail", "show"), default="fail")
    cache_dir = c.Type(str, default=".cache/chartspec")
    fallback = c.Type(bool, default=True)
    root = c.Type(str, default="")
    #: a theme name or file (one look), or {light: ..., dark: ...}; unset: chartspec.toml's
    theme = c.Optional(c.Type((str, dict)))


class ChartspecPlugin(BasePlugin[ChartspecConfig]):
    """Replaces `````chartspec`` fences with charts; see the module's docstring."""

    def __init__(self) -> None:
        self._nonce = secrets.token_hex(6)
        self._cache: ChartCache | None = None
        self._server: Any = None
        self._watched: set[Path] = set()
        self._inputs: set[Path] = set()
        self._slots: dict[str, dict[str, str]] = {}
        self._charts = 0
        self._root = Path.cwd()
        self._looks = Looks()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Defined so that MkDocs keeps this plugin, and its cache, across ``serve`` rebuilds."""
        self._dirty = dirty  # a dirty rebuild renders only changed pages: the cache is not pruned

    def on_config(self, config: Any) -> Any:
        folder = Path(config.config_file_path).parent if config.config_file_path else Path.cwd()
        self._root = (folder / self.config.root).resolve() if self.config.root else find_project_root(folder, folder)
        try:
            self._looks = site_looks(self.config.theme, base=folder, root=self._root,
                                     where="the chartspec plugin's theme setting")
        except ChartspecError as err:
            raise PluginError(f"chartspec: {describe(err)}") from None
        cache_dir = (folder / self.config.cache_dir).resolve() if self.config.cache_dir else None
        if self._cache is None or self._cache.folder != cache_dir:
            self._cache = ChartCache(cache_dir)
        self._cache.start_build()
        self._inputs, self._slots, self._charts = set(), {}, 0
        return config

    @event_priority(50)  # before other plugins change the page's lines
    def on_page_markdown(self, markdown: str, *, page: Any, config: Any, files: Any) -> str:
        fences = find_fences(markdown)
        if not fences:
            return markdown
        source = Path(page.file.abs_src_path) if page.file.abs_src_path else Path(config.docs_dir) / page.file.src_uri
        shown = project_file(source, self._root)  # the page names no path of the build machine
        offset = _line_offset(source, markdown)
        href = bundle_href(posixpath.dirname(page.file.dest_uri))
        replacements: dict[Fence, str] = {}
        slots: dict[str, str] = {}
        failed: list[str] = []
        for number, fence in enumerate(fences, start=1):
            ref = reference(fence.body)
            try:
                chart = self._chart(fence, ref, source, shown, offset, config)
                html = fragment_html(chart, chart_id=page_chart_id(chart.name, number), bundle_href=href,
                                     fallback=self.config.fallback)
            except ChartspecError as err:
                message = describe(err, included_from=f"{shown}:{fence.line + offset}" if ref is not None else None)
                if self.config.on_error == "fail":
                    failed.append(message)
                    continue
                log.warning("chartspec: a chart failed:\n%s", message)
                html = error_html(message)
            token = f"chartspec{self._nonce}x{len(self._slots)}x{number}"
            slots[token] = html
            replacements[fence] = f"\n{fence.indent}{token}\n"
        if failed:
            raise PluginError("chartspec: " + ("a chart" if len(failed) == 1 else f"{len(failed)} charts")
                              + f" in {shown} failed:\n" + "\n".join(failed))
        self._slots[page.file.src_uri] = slots
        return replace_lines(markdown, replacements)

    def _chart(self, fence: Fence, ref: str | None, source: Path, shown: str, offset: int, config: Any) -> Chart:
        if ref is not None:
            spec = referenced_spec(ref, source.parent, Path(config.docs_dir), "the docs folder (docs_dir)", self._root)
            self._inputs.add(spec.resolve())  # watched even while it fails, so that fixing it rebuilds
            chart = chart_from_file(spec, root=self._root, cache=self._cache, looks=self._looks)
        else:
            chart = chart_from_text(fence.body, page=source, file=shown, root=self._root,
                                    first_line=fence.line + 1 + offset, indent=len(fence.indent), cache=self._cache,
                                    looks=self._looks)
        self._inputs.update(chart.files)
        self._charts += 1
        return chart

    def on_page_content(self, html: str, *, page: Any, config: Any, files: Any) -> str:
        # The charts go in after the search plugin has read the page (on_post_page), so that their
        # data and scripts do not end up in the search index: until then each is a comment.
        for token in self._slots.get(page.file.src_uri, {}):
            html, count = re.subn(rf"<p>\s*{token}\s*</p>", f"<!--{token}-->", html)
            if not count:
                html = html.replace(token, f"<!--{token}-->")
        return html

    @event_priority(50)
    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        for token, html in self._slots.pop(page.file.src_uri, {}).items():
            if f"<!--{token}-->" not in output:
                log.warning("chartspec: a chart of %s was lost by the theme or another plugin", page.file.src_uri)
            output = output.replace(f"<!--{token}-->", html)
        return output

    def on_post_build(self, *, config: Any) -> None:
        cache = self._cache
        if self._charts:
            install_bundle(Path(config.site_dir), cache.folder if cache else None)
            log.info("chartspec: %d chart(s), %d rendered, %d from the cache", self._charts,
                     cache.rendered if cache else self._charts, cache.hits if cache else 0)
        if cache is not None and not getattr(self, "_dirty", False):
            removed = cache.prune()  # entries of edited or deleted charts
            if removed:
                log.info("chartspec: removed %d stale cache entr%s", removed, "y" if removed == 1 else "ies")
        if self._server is not None:
            self._watch()

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        """Watch every spec and data file the charts read, also those outside ``docs_dir``."""
        self._server = server
        self._watch()
        return server

    def _watch(self) -> None:
        for path in sorted(self._inputs - self._watched):
            if path.exists():
                self._server.watch(str(path))
                self._watched.add(path)


def _line_offset(source: Path, markdown: str) -> int:
    """How many lines of the file precede ``markdown`` (MkDocs strips the front matter first)."""
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return 0
    return text[: len(text) - len(markdown)].count("\n") if markdown and text.endswith(markdown) else 0
