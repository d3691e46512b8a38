"""Sphinx extension: the ``chartspec`` directive draws a chart from a chartspec spec.

Install with ``pip install 'chartspec[sphinx]'`` and in ``conf.py``::

    extensions = ["chartspec.integrations.sphinx_ext"]
    chartspec_format = "html"      # default for :format:
    chartspec_fallback = True      # interactive charts hold the static SVG until they are drawn
    chartspec_root = None          # folder data files must stay in (default: the nearest folder at
                                   # or above the source folder holding chartspec.toml, pyproject.toml
                                   # or .git, else the source folder)
    chartspec_theme = {"light": "chartspec", "dark": "chartspec-dark"}
                                   # or one theme name/file for both; default: theme and dark_theme
                                   # of chartspec.toml, else the two above (files: relative to the
                                   # source folder)

Charts follow the page's colour scheme: furo's (``data-theme`` on ``<body>``) and
pydata-sphinx-theme's (on ``<html>``) light, dark and auto modes redraw them in the dark theme
and back; the static SVG (``:format: svg``, and the fallback before scripts run) follows too. A
spec that names its own ``theme:`` keeps it on both.

A spec file, its path relative to the document (``/specs/x.yaml``: relative to the source
folder), as with ``literalinclude``::

    .. chartspec:: specs/throughput.yaml
       :format: svg
       :width: 80%
       :alt: Tokens per second for four batch sizes
       :caption: Throughput by batch size

or the spec itself as the directive's content (data paths relative to the document)::

    .. chartspec::

       title: Loss
       data: data/loss.csv
       x: {field: epoch}
       layers: [{mark: line, y: {field: loss}}]

Options: ``:format: html`` (default: chartspec's interactive fragment, drawn by Vega) or
``svg`` (the static SVG inline in the page, no script); ``:width:`` a CSS length (``400px``,
``80%``; a bare number is pixels) of the box the chart is scaled into; ``:alt:`` the chart's
accessible label (default: the spec's description, else its title); ``:caption:`` a figure
caption (reST inline markup allowed); ``:name:`` a target to refer to the figure.

HTML builders get the Vega libraries once per build in ``OUT/_chartspec/vega-bundle.<hash>.js``;
each page refers to it by a relative URL, whatever its depth (``html``, ``dirhtml`` and
``singlehtml`` alike). The LaTeX builder gets each chart as a PDF beside the .tex file (vector
graphics, drawn at rest), the text builder its label; man and texinfo show the caption or
nothing. The spec and data files are dependencies of the document: changing one rebuilds it. Errors are logged as Sphinx errors located
at the document and line (an inline spec's own lines counted in the document), so ``-W`` fails the
build; the chart is left out of the page.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..errors import ChartspecError
from ..render.html import BUNDLE_DIR, bundle_filename
from ..spec.project import find_project_root
from .common import (
    Chart,
    ChartCache,
    Looks,
    chart_from_file,
    chart_from_text,
    describe,
    fragment_html,
    install_bundle,
    page_chart_id,
    project_file,
    site_looks,
    static_html,
)

__all__ = ["ChartspecDirective", "chartspec_chart", "setup"]

logger = logging.getLogger(__name__)

FORMATS = ("html", "svg")


class chartspec_chart(nodes.General, nodes.Element):  # docutils names nodes in lower case
    """A rendered chart; attributes ``vl``, ``svg``, ``name``, ``chart_id``, ``format``, ``width``,
    ``label``, ``fallback``. Written out by each builder's translator."""


def _format(argument: str) -> str:
    return directives.choice(argument, FORMATS)


def _width(argument: str) -> str:
    return directives.length_or_percentage_or_unitless(argument, "px")


class ChartspecDirective(SphinxDirective):
    """``.. chartspec:: [PATH]`` with a spec file or the spec as content; see the module docstring."""

    optional_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "format": _format,
        "width": _width,
        "alt": directives.unchanged,
        "caption": directives.unchanged,
        "name": directives.unchanged,
        "class": directives.class_option,
    }

    def run(self) -> list[nodes.Node]:
        if bool(self.arguments) == bool(self.content):
            return self._fail("give either a spec file (.. chartspec:: PATH) or the spec as content, not "
                              + ("both" if self.arguments else "neither"), self.lineno)
        try:
            chart = self._chart()
        except ChartspecError as err:
            inline = not self.arguments
            first = err.diagnostics[0]
            line = first.line if inline and first.line else self.lineno
            root = _root(Path(self.env.srcdir), self.config.chartspec_root)
            page = project_file(self.env.doc2path(self.env.docname), root)
            return self._fail(describe(err, included_from=None if inline else f"{page}:{self.lineno}"), line)
        for path in chart.files:
            self.env.note_dependency(str(path))
        fmt = self.options.get("format", self.config.chartspec_format)
        number = self.env.new_serialno("chartspec") + 1
        node = chartspec_chart(vl=chart.vl, svg=chart.svg, name=chart.name, format=fmt,
                               dark_vl=chart.dark_vl, dark_svg=chart.dark_svg,
                               # with the document's name: singlehtml puts every document in one page
                               chart_id=page_chart_id(f"{self.env.docname}-{chart.name}", number),
                               width=self.options.get("width", ""),
                               label=self.options.get("alt", ""), fallback=bool(self.config.chartspec_fallback),
                               classes=self.options.get("class", []))
        self.set_source_info(node)
        if fmt == "html":  # the page needs the bundle
            pages: set[str] = getattr(self.env, "chartspec_pages", set())
            self.env.chartspec_pages = pages | {self.env.docname}  # type: ignore[attr-defined]
        if "caption" not in self.options:
            self.add_name(node)
            return [node]
        figure = nodes.figure("", node, classes=["chartspec-figure"])
        self.set_source_info(figure)
        text_nodes, messages = self.state.inline_text(self.options["caption"], self.lineno)
        caption = nodes.caption(self.options["caption"], "", *text_nodes)
        self.set_source_info(caption)
        figure += caption
        self.add_name(figure)
        return [figure, *messages]

    def _chart(self) -> Chart:
        env = self.env
        root = _root(Path(env.srcdir), self.config.chartspec_root)
        cache = _cache(Path(env.doctreedir))
        looks = _looks(Path(env.srcdir), root, self.config.chartspec_theme)
        if self.arguments:
            _, path = env.relfn2path(self.arguments[0])
            env.note_dependency(path)  # also while it fails, so that fixing it rebuilds the document
            return chart_from_file(Path(path), root=root, cache=cache, looks=looks)
        source = Path(env.doc2path(env.docname))
        return chart_from_text("\n".join(self.content) + "\n", page=source, file=project_file(source, root), root=root,
                               first_line=self.content_offset + 1, indent=_indent(self.block_text), cache=cache,
                               looks=looks)

    def _fail(self, message: str, line: int) -> list[nodes.Node]:
        logger.error("chartspec: %s", message, location=(self.env.docname, line), type="chartspec")
        return []


def _indent(block_text: str) -> int:
    """How far the directive's options and content are indented in the document."""
    lines = [line for line in block_text.split("\n")[1:] if line.strip()]
    return min((len(line) - len(line.lstrip(" ")) for line in lines), default=0)


def _root(srcdir: Path, configured: str | None) -> Path:
    return (srcdir / configured).resolve() if configured else find_project_root(srcdir, srcdir)


def _looks(srcdir: Path, root: Path, setting: Any) -> Looks:
    """The site's light and dark themes (read once per build: chartspec.toml is not re-read per chart)."""
    key = (srcdir, root, json.dumps(setting, sort_keys=True, default=str))
    if key not in _LOOKS:
        _LOOKS[key] = site_looks(setting, base=srcdir, root=root, where="chartspec_theme (conf.py)")
    return _LOOKS[key]


_LOOKS: dict[tuple[Path, Path, str], Looks] = {}
_CACHES: dict[Path, ChartCache] = {}


def _cache(doctreedir: Path) -> ChartCache:
    """Rendered charts, kept beside the doctrees (so ``-E`` re-reads without re-rendering)."""
    if doctreedir not in _CACHES:
        _CACHES[doctreedir] = ChartCache(doctreedir / "chartspec-cache")
    return _CACHES[doctreedir]


# -- writing ---------------------------------------------------------------------------------------

# In a box of a given width, the chart (the static SVG and Vega's) is scaled to fill it.
_BOX_STYLE = ("<style>.chartspec-box[style] figure.chartspec{margin:0}"
              ".chartspec-box[style] .chartspec-chart{display:block;width:100%}"
              ".chartspec-box[style] svg.marks{width:100%;height:auto}</style>")


def visit_html(self: Any, node: chartspec_chart) -> None:
    chart = Chart(vl=node["vl"], svg=node["svg"], files=(), name=node["name"], dark_vl=node.get("dark_vl"),
                  dark_svg=node.get("dark_svg"))
    label = node["label"] or None
    if node["format"] == "svg":
        body = static_html(chart, chart_id=node["chart_id"], label=label)
    else:
        builder = self.builder
        page = Path(builder.get_outfilename(builder.current_docname)).parent
        href = Path(os.path.relpath(Path(builder.outdir) / BUNDLE_DIR / bundle_filename(), page)).as_posix()
        body = fragment_html(chart, chart_id=node["chart_id"], bundle_href=href, label=label,
                             fallback=node["fallback"])
    classes = " ".join(["chartspec-box", *node["classes"]])
    style = f' style="width:{html.escape(node["width"], quote=True)};max-width:100%"' if node["width"] else ""
    anchor = f' id="{html.escape(node["ids"][0], quote=True)}"' if node["ids"] else ""
    self.body.append(f'<div class="{html.escape(classes, quote=True)}"{anchor}{style}>{_BOX_STYLE if style else ""}'
                     f"{body}</div>\n")
    raise nodes.SkipNode


def visit_text(self: Any, node: chartspec_chart) -> None:
    from ..render.export import chart_label

    self.add_text(f"[chart: {node['label'] or chart_label(node['vl'], node['name'])}]")
    raise nodes.SkipNode


def visit_latex(self: Any, node: chartspec_chart) -> None:
    """The chart at rest as a PDF next to the .tex file (vector, so it prints sharp), included at
    the text width; inside a ``:caption:`` figure Sphinx writes the figure around it."""
    import vl_convert as vlc

    from ..render.atomic import write_atomic
    from ..render.pdfbytes import canonical_pdf

    name = f"{node['chart_id']}.pdf"
    data = canonical_pdf(vlc.svg_to_pdf(node["svg"]))
    target = Path(self.builder.outdir) / name
    if not target.is_file() or target.read_bytes() != data:  # unchanged charts keep their files
        write_atomic(target, data)
    graphic = f"\\sphinxincludegraphics[width=\\linewidth]{{{name}}}"
    inside_figure = isinstance(node.parent, nodes.figure)
    self.body.append(f"\n{graphic}\n" if inside_figure else f"\n\\begin{{center}}\n{graphic}\n\\end{{center}}\n")
    raise nodes.SkipNode


def skip(self: Any, node: chartspec_chart) -> None:
    raise nodes.SkipNode


# -- bookkeeping -----------------------------------------------------------------------------------

def purge_doc(app: Sphinx, env: Any, docname: str) -> None:
    getattr(env, "chartspec_pages", set()).discard(docname)


def merge_info(app: Sphinx, env: Any, docnames: Any, other: Any) -> None:
    env.chartspec_pages = getattr(env, "chartspec_pages", set()) | getattr(other, "chartspec_pages", set())


def build_finished(app: Sphinx, exception: Exception | None) -> None:
    """The one shared bundle, when an HTML build has an interactive chart."""
    if exception is None and app.builder.format == "html" and getattr(app.env, "chartspec_pages", None):
        install_bundle(Path(app.outdir))


def setup(app: Sphinx) -> dict[str, Any]:
    from ..version import __version__

    app.add_config_value("chartspec_format", "html", "env", types=[str])
    app.add_config_value("chartspec_fallback", True, "env", types=[bool])
    app.add_config_value("chartspec_root", None, "env", types=[str, type(None)])
    app.add_config_value("chartspec_theme", None, "env", types=[str, dict, type(None)])
    app.add_node(chartspec_chart, html=(visit_html, None), latex=(visit_latex, None), text=(visit_text, None),
                 man=(skip, None), texinfo=(skip, None))
    app.add_directive("chartspec", ChartspecDirective)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_info)
    app.connect("build-finished", build_finished)
    return {"version": __version__, "env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
