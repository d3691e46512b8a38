"""chartspec's own HTML: standalone pages and embeddable fragments.

Neither Altair's nor vl-convert's HTML escapes the spec inside its ``<script>``, so a title
holding ``</script>`` breaks out of it. Here the spec travels as the text of a ``<template>``
with ``<``, ``>`` and ``&`` escaped, is read through ``textContent``, and errors are shown with
``textContent``. The script that draws it, and the page's light and dark looks, are in runtime.py. vega-embed's "open in editor" action,
which would send the chart and its data to an outside site, is off.

The embed options are chartspec's alone (``EMBED_OPTIONS``). vega-embed lets a spec's
``usermeta.embedOptions`` override the page's own (re-enabling the editor, ``editorUrl:
"javascript:..."``, a ``sourceHeader`` holding a script), so the compiler refuses them and, in
case a spec got past it, they are removed from the embedded spec here and again by the runtime
before vega-embed sees the spec.

Where the Vega libraries come from (``BundleMode``):

- ``shared`` (default): one file ``OUT/_chartspec/vega-bundle.<hash>.js`` per build, referred to
  relatively by every page and fragment; works offline as long as the output folder stays whole.
- ``inline``: the bundle inside the page (standalone pages only; ~0.8 MB each).
- ``cdn``: jsDelivr URLs pinned to exact versions, with Subresource Integrity hashes.

In every mode they are the same files: the builds vendored in ``vendor/`` (see vegajs.py), not
vl-convert's bundle, whose Vega has published advisories.

A fragment's script loads the bundle only if no other fragment on the page already did, and
renders into its own ``<figure>`` found through ``document.currentScript``, so any number of
fragments can share a page. With ``fallback``, the pre-rendered SVG sits inside the figure and is
replaced by the interactive chart when scripts run (and stays where they do not).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from .formats import BundleMode
from .runtime import FALLBACK_CSS, RUNTIME_JS
from .vegajs import bundle_digest, bundle_text, vendored

__all__ = [
    "BUNDLE_DIR",
    "BundleMode",
    "CDN_SCRIPTS",  # noqa: F822 - served by the module __getattr__ below
    "Dark",
    "HtmlOptions",
    "PageContext",
    "bundle_filename",
    "bundle_js",
    "cdn_scripts",
    "dark_patch",
    "fragment",
    "numbered_svg_ids",
    "page",
    "rename_svg_ids",
    "script_json",
    "strict_json",
    "without_embed_options",
]

BUNDLE_DIR = "_chartspec"


def cdn_scripts() -> tuple[tuple[str, str], ...]:
    """(URL, SRI) of each library on jsDelivr: the vendored versions, hashed from the vendored bytes."""
    return tuple((script.cdn_url, script.integrity) for script in vendored())


def __getattr__(name: str) -> Any:
    # CDN_SCRIPTS is read from the vendored manifest when first used, so that a broken install
    # fails with an ExportError where a page needs it rather than on import.
    if name == "CDN_SCRIPTS":
        return cdn_scripts()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EMBED_OPTIONS = {"renderer": "svg", "actions": {"export": True, "source": False, "compiled": False, "editor": False}}


@dataclass(frozen=True)
class HtmlOptions:
    bundle: BundleMode = "shared"
    #: put the pre-rendered SVG in fragments, replaced when scripts run
    fallback: bool = True


@cache
def bundle_js() -> str:
    """Vega, Vega-Lite and vega-embed in one script that defines them once per page (the
    globals ``vega``, ``vegaLite`` and ``vegaEmbed``, as the fragment runtime expects)."""
    return bundle_text()


def bundle_filename() -> str:
    """The shared bundle's file name, fixed by the vendored files and their wrapper (cheap: the
    manifest's hashes, not the files, are read)."""
    return f"vega-bundle.{bundle_digest()[:16]}.js"


@dataclass(frozen=True)
class PageContext:
    """What an HTML output needs besides the chart: its id, texts and where the bundle is."""

    chart_id: str
    title: str
    label: str
    bundle_href: str
    options: HtmlOptions = HtmlOptions()
    #: the chart in its dark theme (its SVG is drawn by render()), for dark pages; None: one look
    dark_vl: dict[str, Any] | None = None


def strict_json(value: Any, **options: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, **options)`` refusing NaN and infinities: Python
    writes them as ``NaN``/``Infinity``, which no JSON reader (the HTML page's) accepts. The data
    stage makes every such value missing (null), so one reaching here is chartspec's bug, reported
    as an ExportError rather than written as a file that looks built but cannot be read."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, **options)
    except ValueError as err:
        from ..errors import ExportError

        raise ExportError(f"internal error: a NaN or infinite number reached the chart's JSON ({err})",
                          hint="please report this; the data's NaN and infinite values should be missing") from err


def script_json(value: Any) -> str:
    """JSON that cannot end or alter the <script> element holding it (NaN refused, see strict_json)."""
    text = strict_json(value, separators=(",", ":"))
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


# A tag of Vega's SVG (attribute values double-quoted, < and > escaped), and in a tag an id or an
# attribute that can refer to one: clip-path="url(#clip1)", href="#clip1".
_SVG_TAG = re.compile(r'<(?:[^<>"]|"[^"]*")*>')
_SVG_ID_ATTR = re.compile(r'(?<=\s)(id|clip-path|fill|stroke|mask|filter|marker-start|marker-mid|marker-end|href|'
                          r'xlink:href)="([^"]*)"')


def _svg_ids(svg: str) -> list[str]:
    """The element ids of ``svg``, in document order."""
    return [m.group(2) for tag in _SVG_TAG.findall(svg) for m in _SVG_ID_ATTR.finditer(tag) if m.group(1) == "id"]


def rename_svg_ids(svg: str, rename: Callable[[str], str]) -> str:
    """``svg`` with every element id, and every ``url(#id)`` / ``href="#id"`` naming one, renamed."""
    ids = set(_svg_ids(svg))
    if not ids:
        return svg

    def attr(m: re.Match[str]) -> str:
        name, value = m.groups()
        if name == "id" and value in ids:
            value = rename(value)
        elif value.startswith("url(#") and value.endswith(")") and value[5:-1] in ids:
            value = f"url(#{rename(value[5:-1])})"
        elif name.endswith("href") and value.startswith("#") and value[1:] in ids:
            value = "#" + rename(value[1:])
        else:
            return m.group()
        return f'{name}="{value}"'

    return _SVG_TAG.sub(lambda tag: _SVG_ID_ATTR.sub(attr, tag.group()), svg)


def numbered_svg_ids(svg: str) -> str:
    """Vega numbers its clip paths (``clip1``, ...) with a counter that lives as long as the
    process, so a chart got other ids when other charts were drawn before it: number them from 1
    in every SVG, so that the output depends on the chart alone."""
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    for old in _svg_ids(svg):
        if old not in names:
            stem = old.rstrip("0123456789")
            counts[stem] = counts.get(stem, 0) + 1
            names[old] = f"{stem}{counts[stem]}"
    return rename_svg_ids(svg, names.__getitem__) if names else svg


def without_embed_options(vl: dict[str, Any]) -> dict[str, Any]:
    """``vl`` without ``usermeta.embedOptions``: a page's embed options are chartspec's."""
    usermeta = vl.get("usermeta")
    if not isinstance(usermeta, dict) or "embedOptions" not in usermeta:
        return vl
    return {**vl, "usermeta": {k: v for k, v in usermeta.items() if k != "embedOptions"}}


def _bundle_urls(options: HtmlOptions, bundle_href: str) -> tuple[list[str], list[str]]:
    if options.bundle == "cdn":
        scripts = cdn_scripts()
        return [url for url, _ in scripts], [sri for _, sri in scripts]
    if options.bundle == "shared":
        return [bundle_href], [""]
    return [], []


@dataclass(frozen=True)
class Dark:
    """The chart in its dark theme, for pages that follow a dark colour scheme (runtime.py)."""

    vl: dict[str, Any]
    svg: str | None = None


def dark_patch(light: Any, dark: Any, path: tuple[str | int, ...] = ()) -> list[list[Any]]:
    """What turns ``light`` into ``dark``: ``[path, value]`` to set, ``[path]`` to remove. The
    data, usually the bulk of a spec, stays written once."""
    if isinstance(light, dict) and isinstance(dark, dict):
        ops: list[list[Any]] = [[[*path, key]] for key in light if key not in dark]
        for key, value in dark.items():
            ops += dark_patch(light[key], value, (*path, key)) if key in light else [[[*path, key], value]]
        return ops
    if isinstance(light, list) and isinstance(dark, list) and len(light) == len(dark):
        if path and path[-1] == "values" and light == dark:  # rows of the same table: one comparison in C
            return []  # (walking 10^4 rows value by value took 0.25 s)
        return [op for i, (a, b) in enumerate(zip(light, dark)) for op in dark_patch(a, b, (*path, i))]
    same = type(light) is type(dark) and light == dark  # True == 1, but not in a spec
    return [] if same else [[list(path), dark]]


def _fallback_svg(svg: str, prefix: str, scheme: str | None) -> str:
    """The static SVG, its ids prefixed; with ``scheme``, marked as that scheme's fallback."""
    svg = rename_svg_ids(svg, lambda old: f"{prefix}-{old}")
    return svg.replace('class="marks"', f'class="marks chartspec-fallback-{scheme}"', 1) if scheme else svg


def fragment(vl: dict[str, Any], *, chart_id: str, label: str, options: HtmlOptions, bundle_href: str,
             svg: str | None = None, dark: Dark | None = None) -> str:
    """A ``<figure>`` that draws the chart wherever it is pasted (in ``dark``'s look on a dark page)."""
    vl = without_embed_options(vl)
    urls, hashes = _bundle_urls(options, bundle_href)
    # The fallback's ids get the chart's id in front, so that fragments sharing a page keep them apart.
    fallback = ""
    two = dark is not None and dark.svg is not None and options.fallback
    if svg is not None and options.fallback:
        fallback = _fallback_svg(svg, chart_id, "light" if two else None)
    if two:
        fallback += _fallback_svg(dark.svg, f"{chart_id}-dark", "dark")
    attr = html.escape(label, quote=True)
    dark_block = ""
    if dark is not None:
        patch = dark_patch(vl, without_embed_options(dark.vl))
        dark_block = f'<template class="chartspec-spec-dark">{script_json(patch)}</template>'
    return (
        f'<figure class="chartspec" id="{html.escape(chart_id, quote=True)}" role="figure" aria-label="{attr}">'
        f'<div class="chartspec-chart" role="img" aria-label="{attr}">{fallback}</div>'
        '<pre class="chartspec-error" role="alert" hidden></pre>'
        f'<template class="chartspec-spec" data-embed="{html.escape(json.dumps(EMBED_OPTIONS))}"'
        f' data-bundle="{html.escape(script_json(urls))}" data-integrity="{html.escape(script_json(hashes))}">'
        f"{script_json(vl)}</template>{dark_block}"
        + (f"<style>{FALLBACK_CSS}</style>" if two else "")
        + f"<script>{RUNTIME_JS}</script>"
        "</figure>\n"
    )


_PAGE_STYLE = ("body{margin:0;padding:16px;font-family:sans-serif;background:#fff}"
               "figure.chartspec{margin:0}"
               "pre.chartspec-error{color:#a00;background:#fff4f4;border:1px solid #e0b0b0;padding:8px;"
               "white-space:pre-wrap}")


#: What a page may load besides its scripts: images and fonts only from data: and blob: URLs, no
#: fetches, frames, plugins, forms or base URL. The build refuses remote addresses it can see; an
#: address only the viewer's browser computes (a condition on hover, a date in an expression) is
#: blocked here, so opening a page never contacts another host.
CONTENT_SECURITY_POLICY = ("img-src data: blob:; font-src data:; media-src 'none'; connect-src 'none'; "
                           "frame-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'")


def _background(vl: dict[str, Any]) -> str:
    value = vl.get("background", vl.get("config", {}).get("background", "white"))
    return value if isinstance(value, str) and re.fullmatch(r"#?[\w(),.% ]+", value) else "white"


def page(vl: dict[str, Any], *, chart_id: str, title: str, label: str, options: HtmlOptions,
         bundle_href: str, svg: str | None = None, dark: Dark | None = None) -> str:
    """A complete HTML document showing one chart; with ``dark``, the page follows the system's
    colour scheme (``prefers-color-scheme``), its background the chart's."""
    from ..version import __version__

    head_script = ""
    if options.bundle == "inline":
        # HTML ends a script at "</script" in any case; "<\/" means "</" in JS strings and regexes.
        inline = re.sub(r"</(script)", r"<\\/\1", bundle_js(), flags=re.IGNORECASE)
        head_script = f"<script>{inline}</script>"
    body = fragment(vl, chart_id=chart_id, label=label, options=options, bundle_href=bundle_href, svg=svg,
                    dark=dark)
    style, scheme = _PAGE_STYLE, ""
    if dark is not None:
        style += ("@media (prefers-color-scheme:dark){body{background:" + _background(dark.vl) + ";color:#e6e6e6}}")
        scheme = "<meta name=\"color-scheme\" content=\"light dark\">\n"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\" data-chartspec-scheme=\"auto\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"{scheme}"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{CONTENT_SECURITY_POLICY}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<meta name=\"generator\" content=\"chartspec {html.escape(__version__)}\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{style}</style>\n{head_script}\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )
