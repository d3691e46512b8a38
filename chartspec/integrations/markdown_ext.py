"""Python-Markdown extension and pymdownx.superfences fence: chartspec charts in Markdown.

For static-site tools built on Python-Markdown. Install with ``pip install 'chartspec[markdown]'``.
A chart is a fenced block of language ``chartspec`` holding a spec, or the single line
``file: PATH`` naming a spec file (relative to the page's folder; ``/PATH``: relative to ``root``)::

    ```chartspec
    title: Throughput
    data: {values: [{batch: 1, tps: 40}, {batch: 2, tps: 75}]}
    x: {field: batch, type: ordinal}
    layers: [{mark: bar, y: {field: tps}}]
    ```

**The extension** finds the fences itself (before any other fence extension, so it works with or
without superfences) and locates errors in the Markdown file::

    import markdown
    from chartspec.integrations.markdown_ext import ChartspecExtension, write_bundle

    ext = ChartspecExtension(page="docs/guide.md", bundle_url="/_chartspec/" + bundle_name())
    html = markdown.markdown(text, extensions=[ext])
    write_bundle("site")            # writes site/_chartspec/vega-bundle.<hash>.js once

or by name: ``extensions=["chartspec.integrations.markdown_ext"]`` with the same settings in
``extension_configs``. Settings:

- ``page``: the Markdown file being converted. Data paths and ``file:`` paths are relative to its
  folder and errors name it (default: ``<markdown>`` in the working folder). To convert many
  files with one ``Markdown`` instance, call ``ext.setConfig("page", path)`` before each.
- ``bundle_url``: the URL of the shared Vega bundle as the pages see it. Default:
  ``/_chartspec/vega-bundle.<hash>.js`` (:func:`bundle_url`), right for a site served from its
  domain's root; pages in sub-folders of a site served under a path need a relative URL or
  ``bundle_url(prefix="/docs/")``. :func:`write_bundle` writes the file into the site's folder.
- ``root``: the folder data files must stay in (default: the nearest folder above the page
  holding chartspec.toml, pyproject.toml or .git).
- ``on_error``: ``raise`` (default: the :class:`~chartspec.errors.ChartspecError`, its
  diagnostics located in the page) or ``show`` (the escaped message in the page).
- ``fallback``: the static SVG in the page until the chart is drawn (default ``True``).
- ``cache_dir``: a folder to keep rendered charts in across runs (default: memory only).

**The superfences fence** (``pymdownx.superfences``' ``custom_fences``)::

    markdown_extensions:
      - pymdownx.superfences:
          custom_fences:
            - name: chartspec
              class: chartspec
              format: !!python/name:chartspec.integrations.markdown_ext.fence_format

It uses the settings of a :class:`ChartspecExtension` loaded in the same ``Markdown`` instance
(which then handles the fences itself anyway), else the defaults. Superfences does not tell where a
fence is, so errors are located inside the fence (``<chartspec fence>:3:5``); they are raised as
``SuperFencesException``, which superfences lets through.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from ..errors import ChartspecError, Diagnostic
from ..render.html import BUNDLE_DIR, bundle_filename
from ..spec.project import find_project_root
from .common import (
    ChartCache,
    Fence,
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
)

__all__ = ["ChartspecExtension", "bundle_name", "bundle_url", "fence_format", "makeExtension", "write_bundle"]


def bundle_name() -> str:
    """The shared bundle's file name, ``vega-bundle.<hash>.js`` (the hash follows the versions)."""
    return bundle_filename()


def bundle_url(prefix: str = "/") -> str:
    """``PREFIX_chartspec/vega-bundle.<hash>.js``: the bundle's URL on a site served at ``prefix``."""
    return f"{prefix.rstrip('/')}/{BUNDLE_DIR}/{bundle_filename()}"


def write_bundle(site: str | Path) -> Path:
    """Write the shared bundle to ``SITE/_chartspec/vega-bundle.<hash>.js`` (unless there); its path."""
    return install_bundle(Path(site))


class ChartspecExtension(Extension):
    """Replaces `````chartspec`` fences with charts; see the module docstring."""

    def __init__(self, **kwargs: Any) -> None:
        self.config = {
            "page": ["", "the Markdown file being converted (paths are relative to its folder, errors name it)"],
            "bundle_url": ["", "URL of the shared Vega bundle (default /_chartspec/vega-bundle.<hash>.js)"],
            "root": ["", "folder data files must stay in (default: the page's project folder)"],
            "on_error": ["raise", "'raise' a ChartspecError, or 'show' the error in the page"],
            "fallback": [True, "the static SVG in the page until the chart is drawn"],
            "cache_dir": ["", "folder to keep rendered charts in across runs (default: memory only)"],
        }
        super().__init__(**kwargs)
        self.cache = ChartCache()
        self.count = 0

    def extendMarkdown(self, md: Markdown) -> None:  # Python-Markdown's name
        md.registerExtension(self)
        md.chartspec = self  # type: ignore[attr-defined]  # found there by fence_format
        # after normalize_whitespace (30), before meta (27) and fenced code (25): lines are the file's
        md.preprocessors.register(_FencePreprocessor(md, self), "chartspec", 28)

    def reset(self) -> None:
        self.count = 0

    def render(self, body: str, *, first_line: int = 1, indent: int = 0, fence_line: int | None = None,
               file: str | None = None) -> str:
        """The HTML of one fence's chart (or of its error, with ``on_error: show``)."""
        page = Path(self.getConfig("page") or "<markdown>").absolute()
        root = Path(self.getConfig("root")).resolve() if self.getConfig("root") else find_project_root(page.parent)
        shown = file or (project_file(page, root) if self.getConfig("page") else "<markdown>")
        cache_dir = Path(self.getConfig("cache_dir")).resolve() if self.getConfig("cache_dir") else None
        if self.cache.folder != cache_dir:
            self.cache = ChartCache(cache_dir)
        self.count += 1
        ref = reference(body)
        try:
            if ref is not None:
                spec = referenced_spec(ref, page.parent, root, "the project folder", root)
                chart = chart_from_file(spec, root=root, cache=self.cache)
            else:
                chart = chart_from_text(body, page=page, file=shown, root=root, first_line=first_line, indent=indent,
                                        cache=self.cache)
        except ChartspecError as err:
            if ref is not None and fence_line:
                err = type(err)([*err.diagnostics, Diagnostic("chart included here", file=shown, line=fence_line,
                                                              severity="note")])
            if self.getConfig("on_error") == "show":
                return error_html(describe(err))
            raise err from None
        return fragment_html(chart, chart_id=page_chart_id(chart.name, self.count),
                             bundle_href=self.getConfig("bundle_url") or bundle_url(),
                             fallback=bool(self.getConfig("fallback")))


class _FencePreprocessor(Preprocessor):
    def __init__(self, md: Markdown, ext: ChartspecExtension) -> None:
        super().__init__(md)
        self.ext = ext

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        fences = find_fences(text)
        if not fences:
            return lines
        replacements: dict[Fence, str] = {}
        for fence in fences:
            html = self.ext.render(fence.body, first_line=fence.line + 1, indent=len(fence.indent),
                                   fence_line=fence.line)
            replacements[fence] = f"\n{fence.indent}{self.md.htmlStash.store(html)}\n"
        return replace_lines(text, replacements).split("\n")


def fence_format(source: str, language: str, class_name: str, options: dict[str, Any], md: Markdown,
                 **kwargs: Any) -> str:
    """pymdownx.superfences ``format`` function for `````chartspec`` fences."""
    ext = getattr(md, "chartspec", None)
    if ext is None:
        ext = md.chartspec = ChartspecExtension()  # type: ignore[attr-defined]
    try:
        return ext.render(source, file="<chartspec fence>")
    except ChartspecError as err:
        from pymdownx.superfences import SuperFencesException

        raise SuperFencesException(describe(err)) from err


def makeExtension(**kwargs: Any) -> ChartspecExtension:  # Python-Markdown's entry point
    return ChartspecExtension(**kwargs)
