"""A compiled chart in Jupyter: chartspec's own HTML page, offline.

Altair's default renderer loads Vega from a CDN. A chartspec chart is shown instead as the page
``chartspec build --html-bundle inline`` writes (render/html.py: the vendored Vega, vega-lite and
vega-embed inside it, the pre-rendered SVG until they run, the page's Content-Security-Policy),
in an ``<iframe srcdoc>``: the notebook's CSS and scripts (RequireJS in classic notebooks would
catch the libraries' UMD definitions) cannot reach it, and it needs no network. The iframe is
sized from the pre-rendered SVG. The static SVG goes along for frontends that run no scripts.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["mimebundle"]

#: the page's body margin on each side (render/html.py), and room for vega-embed's action button
_PAGE_MARGIN = 16
_SLACK = 8


def mimebundle(vl: dict[str, Any]) -> dict[str, str]:
    """``text/html`` (the interactive chart) and ``image/svg+xml`` (the chart at rest) of ``vl``."""
    from ..render.export import render

    outputs = render(vl, ("html", "svg"))
    svg = outputs["svg"].decode("utf-8")
    width, height = _size(svg)
    frame = (f'<iframe class="chartspec-frame" title="{html.escape(_label(svg), quote=True)}" '
             f'srcdoc="{html.escape(outputs["html"].decode("utf-8"), quote=True)}" '
             f'width="{width + 2 * _PAGE_MARGIN + _SLACK}" height="{height + 2 * _PAGE_MARGIN + _SLACK}" '
             'style="border:0;max-width:100%"></iframe>')
    return {"text/html": frame, "image/svg+xml": svg}


def _size(svg: str) -> tuple[int, int]:
    head = svg[: svg.find(">") + 1]
    found = [re.search(rf'\b{name}="([\d.]+)"', head) for name in ("width", "height")]
    width, height = (round(float(m.group(1))) if m else 400 for m in found)
    return width, height


def _label(svg: str) -> str:
    found = re.search(r'aria-label="([^"]*)"', svg[: svg.find(">") + 1])
    return html.unescape(found.group(1)) if found else "chart"
