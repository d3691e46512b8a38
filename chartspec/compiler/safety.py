"""The last step of every compile: what the final Vega-Lite may ask of a build and of a page.

Whatever wrote it (chartspec, a ``vega_lite:`` patch, a plain Vega-Lite file), the compiled
specification is checked here, so ``chartspec validate`` reports the same as a build:

- **Images** (``url`` of image marks: values, mark and config properties, and the rows of a
  ``url`` field) are drawn only from ``data:image`` URLs and files inside the project, which the
  data stage read (data/images.py) and which are swapped in here as ``data:`` URLs. Any other
  address (``http:``, ``file:``, an absolute path, a path leaving the project) is refused: the
  renderer would fetch it at build time, or resolve it against a remote base.
- **Links** (``href``) must be ``http(s)`` addresses: a reader follows them by clicking, a build
  never fetches them. ``javascript:``, ``data:`` and other schemes, and relative links (the
  renderer joins them to its own remote base), are refused.
- **Data URLs** left in the output (a patch's ``data: {url}``) are refused: chartspec reads data
  files itself and inlines them.
- **Embed options** (``usermeta.embedOptions``) are refused: a page's menu and editor links are
  chartspec's to decide (render/html.py), not a spec's.
- **Image sizes**: an image (inlined file or ``data:`` URL) whose header claims more pixels than a
  chart may have (``CHARTSPEC_MAX_PIXELS``) is refused before the renderer decodes it (a 4 MB PNG
  can claim 32,000 x 32,000 pixels: 4 GB once decoded).
- **Escapes of undrawable characters** (``'A\\u0001B'`` in an expression): the renderer aborts the
  process on such a character (data/undrawable.py), so no string may write one as an escape.
- **Font names** (``font``, ``labelFont``, ``fontStyle``, ...) with ``<`` or ``&``: the renderer
  aborts the process measuring text in such a font (spec/fonts.py).
- **Sizes and sequences** over the limits (compiler/limits.py).
- **Expressions** Vega would refuse, or that ask for gigabytes (compiler/expressions.py).

Addresses the output makes at run time (an expression, a transform) cannot be seen here; the
renderer refuses any image in the rendered SVG that is not a ``data:`` URL (render/engine.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..data.images import (
    Spot,
    data_image,
    data_image_problem,
    field_path,
    field_value,
    inline_rows,
    is_local_path,
    url_spots,
)
from ..data.imagesize import image_size
from ..data.loaded import ConcatSpec, Spec
from ..data.undrawable import undrawable_escape
from ..errors import CompileError, Diagnostic, JsonPath
from ..spec.fonts import FONT_HINT, font_problems
from .expressions import expression_diagnostics
from .limits import Finding, Limits, limit_findings, limits
from .origin import locate, written

__all__ = ["checked"]

_WEB_LINK = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)
_IMAGE_HINT = ("draw images from files inside the project (a path relative to the spec file) or data:image URLs; "
               "builds never use the network")
_LINK_HINT = "links must be http:// or https:// addresses: a reader follows them, a build never fetches them"


def _images(spec: Spec) -> tuple[dict[str, str], dict[str, str]]:
    """Every inlined image of the spec and of the charts of a layout: (urls, problems)."""
    urls, problems = dict(spec.images.urls), dict(spec.images.problems)
    if isinstance(spec.model, ConcatSpec):
        for item in spec.model.items:
            more = _images(item)
            urls.update(more[0])
            problems.update(more[1])
    return urls, problems


def _size_problem(url: str, lim: Limits) -> tuple[str, str] | None:
    """Why the image of a ``data:`` URL is too big to draw (and the hint), read from its header."""
    found = data_image(url)
    if found is None:
        return None  # data_image_problem says what is wrong with it
    mime, body = found
    size = image_size(body, mime)
    if size is None:  # an SVG's size may be unwritten (it is drawn at the mark's size); a raster's must not
        return None if mime == "image/svg+xml" else ("has a header that gives no size", _IMAGE_HINT)
    width, height = size
    if width * height <= lim.pixels:
        return None
    return (f"is {width:,} x {height:,} px: more than the limit of {lim.pixels:,} pixels",
            "use a smaller image; " + lim.hint("pixels"))


def _image_problem(value: str, urls: dict[str, str], problems: dict[str, str]) -> str | None:
    if value in urls:
        return None
    if value.lower().startswith("data:"):
        return data_image_problem(value)
    if value in problems:
        return problems[value]
    if is_local_path(value):
        return "is not a file of the project chartspec has read"
    return "is a network address"


def _link_problem(value: str) -> str | None:
    if _WEB_LINK.match(value.strip()):
        return None
    scheme = re.match(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    return f"uses the {scheme.group(1).lower()}: scheme" if scheme else "is not a full address"


def _set(vl: dict[str, Any], path: JsonPath, value: Any) -> None:
    node: Any = vl
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value


def _url_findings(vl: dict[str, Any], spec: Spec, lim: Limits) -> list[Finding]:
    """Addresses of images, links and data, checked; local images swapped for their data: URLs."""
    urls, problems = _images(spec)
    sizes: dict[str, tuple[str, str] | None] = {}  # data: URL -> its size problem (a field's rows repeat them)
    found: list[Finding] = []
    rows = list(inline_rows(vl))
    for spot in list(url_spots(vl)):
        if spot.kind == "data":
            found.append(Finding(spot.path, f"data is read from a URL ({spot.value!r})",
                                 "give the data in the spec's 'data:'; chartspec reads local files and inlines them"))
        elif spot.value is not None:
            found += _value(vl, spot, spot.value, spot.path, "", urls, problems, sizes, lim)
        elif spot.field is not None:
            for where, table in rows:
                for number, row in enumerate(table, start=1):
                    value = field_value(row, spot.field)
                    if isinstance(value, str):
                        row_path = where + (number - 1, *field_path(row, spot.field))
                        # at the value when the spec writes the row, else at the channel naming the field
                        at = row_path if written(spec, row_path) else spot.path
                        found += _value(vl, spot, value, row_path, f"row {number} of the data, field {spot.field!r}: ",
                                        urls, problems, sizes, lim, at=at)
    return found


def _value(vl: dict[str, Any], spot: Spot, value: str, path: JsonPath, prefix: str, urls: dict[str, str],
           problems: dict[str, str], sizes: dict[str, tuple[str, str] | None], lim: Limits,
           at: JsonPath | None = None) -> list[Finding]:
    """One address: refused (at ``at``, the channel naming the field, for a data row), or a local image swapped in."""
    shown = value if len(value) <= 80 else value[:77] + "..."
    if spot.kind == "href":
        problem = _link_problem(value)
        return [] if problem is None else [Finding(at or path, f"{prefix}the link {shown!r} {problem}", _LINK_HINT)]
    problem = _image_problem(value, urls, problems)
    if problem is not None:
        return [Finding(at or path, f"{prefix}the image {shown!r} {problem}", _IMAGE_HINT)]
    url = urls.get(value, value)
    if url not in sizes:
        sizes[url] = _size_problem(url, lim)
    if (too_big := sizes[url]) is not None:
        return [Finding(at or path, f"{prefix}the image {shown!r} {too_big[0]}", too_big[1])]
    if value in urls:
        _set(vl, path, urls[value])
    return []


def _embed_findings(vl: dict[str, Any]) -> list[Finding]:
    usermeta = vl.get("usermeta")
    if isinstance(usermeta, dict) and "embedOptions" in usermeta:
        return [Finding(("usermeta", "embedOptions"), "a spec cannot set the page's embed options (usermeta.embedOptions)",
                        "remove it: chartspec decides what a page's menu offers (the export menu only)", key=True)]
    return []


def _strings(node: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every string the renderer reads as part of the specification (not rows of data: a value
    there is never read as JavaScript, nor as a style)."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in ("usermeta", "datasets") and not (key == "values" and path[-1:] == ("data",)):
                yield from _strings(value, path + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, path + (index,))


def _escape_findings(vl: dict[str, Any]) -> list[Finding]:
    """Strings that write an undrawable character as a JavaScript escape (an expression builds it
    when the chart renders)."""
    return [Finding(path, f"the escape {escape} makes a control character, which cannot be drawn",
                    "remove it; write tab, newline or a printable character instead")
            for path, text in _strings(vl) if not _domain_value(path) and (escape := undrawable_escape(text)) is not None]


def _domain_value(path: JsonPath) -> bool:
    """A scale's domain lists values of the data (runs named ``g\\0``): never read as JavaScript."""
    return any(a == "scale" and b == "domain" for a, b in zip(path, path[1:]))


def _font_findings(vl: dict[str, Any]) -> list[Finding]:
    return [Finding(path, message, FONT_HINT) for path, message in font_problems(_strings(vl))]


def checked(vl: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """``vl`` with local images inlined, or :class:`CompileError` listing what it may not ask for."""
    lim = limits()
    # escapes first: the image check swaps in data: URLs, which are long and need no scan
    findings = _escape_findings(vl) + _font_findings(vl)
    findings += _url_findings(vl, spec, lim) + _embed_findings(vl) + limit_findings(vl, lim)
    problems: list[Diagnostic] = expression_diagnostics(vl, spec)  # Vega's grammar and names (expressions.py)
    if findings or problems:
        problems += [locate(spec, f.path, f.message, hint=f.hint, key=f.key, fallback=f.fallback) for f in findings]
        unique = list(dict.fromkeys(problems))
        raise CompileError(sorted(unique, key=lambda d: (d.file or "", d.line, d.column)))
    return vl
