"""Rendering through vl-convert: a Vega-Lite dict in, the bytes of every requested format out.

Each chart goes through Vega once: the SVG is rendered from the Vega-Lite spec and PNG and PDF
are derived from that SVG (``svg_to_png`` gives the same bytes as a second full render, at a third
of the cost). Everything is rendered in memory before anything is written (atomic.py), so a
failed render leaves no partial file. Every call into vl-convert goes through engine.py: no
network or file access, its console captured, its errors in one line (located in the spec by
compiler/origin.py when the spec is given).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..compiler.interactive import static_view
from ..data.undrawable import UNDRAWABLE
from ..errors import ChartspecError, Diagnostic, ExportError
from . import engine
from .background import in_background
from .formats import DEFAULT_FORMATS, FORMATS, PAGE_FORMATS, SUFFIXES, suffix_format
from .html import Dark, HtmlOptions, PageContext, numbered_svg_ids, strict_json
from .svgpaths import compact_paths

if TYPE_CHECKING:
    from ..data.loaded import Spec

__all__ = ["DEFAULT_FORMATS", "FORMATS", "SUFFIXES", "draw_ahead", "render", "suffix_format"]


def _json(vl: dict[str, Any], svg: Callable[[], str], scale: float) -> bytes:
    return (strict_json(vl, indent=2) + "\n").encode()


def _svg(vl: dict[str, Any], svg: Callable[[], str], scale: float) -> bytes:
    return labelled_svg(svg(), chart_label(vl, "chart")).encode()


def labelled_svg(svg: str, label: str) -> str:
    """The SVG as an accessible image: ``role="img"``, an ``aria-label`` and a ``<title>`` (shown
    as a tooltip, read by screen readers), since a standalone file has no ``alt`` around it."""
    from html import escape

    match = re.match(r"<svg\b[^>]*>", svg)
    if match is None:
        return svg
    tag = match.group(0)[:-1] + f' role="img" aria-label="{escape(label, quote=True)}">'
    return tag + f"<title>{escape(label, quote=False)}</title>" + svg[match.end():]


def _png(vl: dict[str, Any], svg: Callable[[], str], scale: float) -> bytes:
    return engine.svg_to_png(svg(), scale)


def _pdf(vl: dict[str, Any], svg: Callable[[], str], scale: float) -> bytes:
    from .pdfbytes import canonical_pdf

    # svg2pdf orders the font objects differently from run to run: fix one order.
    return canonical_pdf(engine.svg_to_pdf(svg()))


def _page(vl: dict[str, Any], svg: Callable[[], str], page: PageContext, dark: Callable[[], Dark | None]) -> bytes:
    from .html import page as html_page

    fallback = svg() if page.options.fallback else None
    return html_page(vl, chart_id=page.chart_id, title=page.title, label=page.label, options=page.options,
                     bundle_href=page.bundle_href, svg=fallback, dark=dark()).encode()


def _fragment(vl: dict[str, Any], svg: Callable[[], str], page: PageContext, dark: Callable[[], Dark | None]) -> bytes:
    from .html import fragment

    fallback = svg() if page.options.fallback else None
    return fragment(vl, chart_id=page.chart_id, label=page.label, options=page.options,
                    bundle_href=page.bundle_href, svg=fallback, dark=dark()).encode()


PAGE_WRITERS: dict[str, Callable[[dict[str, Any], Callable[[], str], PageContext, Callable[[], Dark | None]],
                                  bytes]] = {
    "html": _page, "fragment": _fragment,
}


WRITERS: dict[str, Callable[[dict[str, Any], Callable[[], str], float], bytes]] = {
    "json": _json, "svg": _svg, "png": _png, "pdf": _pdf,
}


# UNDRAWABLE: characters XML (so SVG) cannot hold. vl-convert 1.9 aborts the whole process on them
# instead of raising, so they are refused before it runs (data/undrawable.py).


def _undrawable(vl: dict[str, Any]) -> str | None:
    """Where the chart would draw an undrawable character: its settings, or a data column it plots
    (in the chart's data or a layer's own)."""
    fields: set[str] = set()
    tables: list[Any] = []
    stack: list[Any] = [vl]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if found := UNDRAWABLE.search(item):
                return f"{_what(found.group())} in {item[:40]!r}"
        elif isinstance(item, dict):
            if isinstance(item.get("field"), str):
                fields.add(re.sub(r"\\(.)", r"\1", item["field"]))  # undo compiler.field_ref
            if isinstance(item.get("data"), dict):
                tables.append(item["data"].get("values", ()))
            stack += [*item.keys(), *(v for k, v in item.items() if k != "data")]
        elif isinstance(item, list):
            stack += item
    for rows in reversed(tables):  # the chart's data first
        for number, row in enumerate(rows if isinstance(rows, list) else (), start=1):
            # a row's own items, not every plotted field's lookup: rows of reduced data are narrow
            # and mostly numbers (0.27 -> 0.05 s for 70,000 rows)
            for name, value in row.items() if isinstance(row, dict) else ():
                if isinstance(value, str) and name in fields and (found := UNDRAWABLE.search(value)):
                    return f"{_what(found.group())} in column {name!r}, row {number}"
    return None


def _what(char: str) -> str:
    """An undrawable character named for what it is: Python reads a byte of a file or folder
    name that is not UTF-8 as a lone surrogate U+DC80-U+DCFF (PEP 383)."""
    if "\udc80" <= char <= "\udcff":
        return f"byte 0x{ord(char) - 0xDC00:02X}, which is not UTF-8 (from a file or folder name?),"
    return f"control character U+{ord(char):04X}"


def _placed(err: ChartspecError, spec: Spec | None) -> ChartspecError:
    """``err`` with its diagnostics that name no line placed in ``spec`` at their ``path`` (the
    renderer does not know the spec: a size limit names ``width``, a character ``data``)."""
    if spec is None or all(d.line or not d.path for d in err.diagnostics):
        return err
    def place(d: Diagnostic) -> Diagnostic:
        at = spec.source.diagnostic(d.message, d.path, hint=d.hint)
        return d if d.line or not d.path else replace(at, severity=d.severity)

    return type(err)([place(d) for d in err.diagnostics])


def default_page(vl: dict[str, Any], name: str = "chart") -> PageContext:
    """Page settings for a single file saved on its own: the bundle inside the page."""
    return PageContext(chart_id=chart_id(name), title=chart_title(vl, name), label=chart_label(vl, name),
                       bundle_href="", options=HtmlOptions(bundle="inline"))


def chart_id(stem: str) -> str:
    return "chartspec-" + (re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-") or "chart")


def _text(value: Any) -> str:
    """A title or description as one line of text, from every form Vega-Lite allows: a string,
    lines (a list of strings), ``{text: ...}``, or an expression (``{expr: ...}``: not known
    before Vega runs, so no text)."""
    if isinstance(value, dict):
        return _text(value.get("text")) if "text" in value else ""
    if isinstance(value, list):
        return " ".join(filter(None, (_text(line) for line in value)))
    return value if isinstance(value, str) else ""


def chart_title(vl: dict[str, Any], fallback: str) -> str:
    return _text(vl.get("title")) or fallback


def chart_label(vl: dict[str, Any], fallback: str) -> str:
    return _text(vl.get("description")) or chart_title(vl, fallback)


def draw_ahead(vl: dict[str, Any], formats: Iterable[str], draw: Callable[[dict[str, Any]], str], *,
               fallback: bool = True) -> Callable[[dict[str, Any]], str]:
    """``draw`` already started on ``vl`` at rest, in a thread: give the result to :func:`render`
    as its ``draw``. ``draw`` must draw elsewhere (the build's renderer process), so this process
    only waits for it, and can compile the page's dark look meanwhile (0.1-0.2 s of a large
    chart's build). Nothing starts for a chart :func:`render` would refuse or draws no SVG for
    (pages without ``fallback`` need none)."""
    wanted = {"svg", "png", "pdf", *(PAGE_FORMATS if fallback else ())}
    if not set(formats) & wanted or _undrawable(vl) is not None:
        return draw
    waiting = in_background("chartspec-draw-ahead", lambda: draw(static_view(vl)))
    return lambda at_rest: waiting()  # render() hands the view at rest it would draw: the same


#: an SVG this long has its PNG made in the renderer's process (:func:`_png_ahead`): its PNG takes
#: about as long as the compacting and the page (0.5 s and more), which it then overlaps. Below it
#: the renderer stops after the SVG: kept for the PNG, its Vega heap (~180 MB after a chart of
#: 18,000 rows) would add up with what this process holds (bench_large case 1: 318 MB against 299)
PNG_AHEAD_BYTES = 512 * 1024


def _png_ahead(drawn: str, scale: float, png: Callable[[float], bytes]) -> list[Callable[[], bytes]]:
    """The PNG of ``drawn`` started elsewhere (``png``), in a thread: the function that waits for
    it, in a list; an empty list when this process must make it (:func:`_png` says why). The PNG
    of the SVG as Vega drew it has the bytes of the PNG of the compacted one (svgpaths.py: the same
    vertices; html.py: other ids). Should the renderer die or hang, the PNG is made here."""
    try:  # what svg_to_png checks before it allocates the image
        engine.guard_svg(drawn)
        engine.check_size(drawn, scale, "PNG")
    except ChartspecError:
        return []
    waiting = in_background("chartspec-png-ahead", png, scale)

    def result() -> bytes:
        try:
            return waiting()
        except ExportError:  # the renderer died or ran out of time: made here, as before
            return engine.svg_to_png(drawn, scale)

    return [result]


def render(vl: dict[str, Any], formats: Iterable[str], *, scale: float = 1.0,
           page: PageContext | None = None, spec: Spec | None = None,
           draw: Callable[[dict[str, Any]], str] | None = None,
           png: Callable[[float], bytes] | None = None) -> dict[str, bytes]:
    """Render ``vl`` to every format in memory; the SVG is rendered at most once.

    ``spec``, the spec ``vl`` was compiled from, locates the renderer's errors in it (the
    expression Vega refused). ``draw`` draws the SVG somewhere else than in this process' engine
    (builder/renderer.py); PDF and pages are made from it here, and the PNG too unless ``png``
    makes it there (at a scale, of the SVG ``draw`` drew last) while this process goes on."""
    formats = tuple(formats)
    if set(formats) & {"svg", "png", "pdf", *PAGE_FORMATS} and (where := _undrawable(vl)) is not None:
        raise _placed(ExportError(Diagnostic(f"cannot draw the {where}", path=("data",),
                                             hint="remove it from the data or the spec (rename the file or folder)")),
                      spec)
    cache: list[str] = []
    ahead: list[Callable[[], bytes]] = []

    def svg() -> str:
        if not cache:
            # static outputs draw the chart at rest: without its hover/zoom layer (compiler/interactive.py);
            # long lines written compactly (svgpaths.py: the same vertices, a third fewer bytes)
            drawn = engine.vegalite_to_svg(static_view(vl), draw or engine.draw_svg)
            if png is not None and draw is not None and "png" in formats and len(drawn) >= PNG_AHEAD_BYTES:
                ahead.extend(_png_ahead(drawn, scale, png))
            cache.append(numbered_svg_ids(compact_paths(drawn)))
        return cache[0]

    def png_writer(vl: dict[str, Any], svg: Callable[[], str], scale: float) -> bytes:
        svg()
        return ahead[0]() if ahead else WRITERS["png"](vl, svg, scale)

    def dark() -> Dark | None:
        """The page's dark look, without a static SVG of its own: a second Vega run would cost a
        build about a quarter more, and scripts draw the dark chart as soon as the page opens (docs
        sites, whose charts are cached, carry both SVGs: integrations/common.py)."""
        return Dark(page.dark_vl) if page is not None and page.dark_vl is not None else None

    out: dict[str, bytes] = {}
    writers = {**WRITERS, "png": png_writer}
    # the PNG last when it is made elsewhere: this process writes the rest meanwhile
    for fmt in sorted(formats, key=lambda f: f == "png") if png is not None else formats:
        try:
            if fmt in PAGE_WRITERS:
                out[fmt] = PAGE_WRITERS[fmt](vl, svg, page or default_page(vl), dark)
            else:
                out[fmt] = writers[fmt](vl, svg, scale)
        except engine.EngineError as err:
            message = f"rendering {fmt} failed: {err.reason}"
            if spec is None:
                raise ExportError(Diagnostic(message)) from err
            from ..compiler.origin import trace_render_error

            raise ExportError(trace_render_error(spec, vl, err.reason, message=message)) from err
        except ChartspecError as err:
            raise _placed(err, spec) from None  # explained already (an image address, the size limits)
        except Exception as err:  # what the engine did not wrap (a write, a bug): one line, never a traceback
            raise ExportError(f"rendering {fmt} failed: {engine.reason(str(err) or type(err).__name__)}") from err
    return out


