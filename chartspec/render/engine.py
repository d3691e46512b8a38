"""Every call into vl-convert: no network or file access, its console captured, its errors explained.

What vl-convert 1.9 does on its own, and what is done about it here:

- It fetches what a specification names unless ``allowed_base_urls=[]`` is passed, per call (there
  is no module-level setting): every Vega-Lite conversion passes it.
- ``svg_to_png`` / ``svg_to_pdf`` take no such policy: they read local files and fetch ``http``
  addresses named by ``<image>`` elements of the SVG. So the SVG is checked first
  (:func:`guard_svg`): every ``href`` but a link (``<a>``) and an in-document reference (``#id``)
  must be a ``data:image`` URL. The compiler refuses such addresses with positions
  (compiler/safety.py); this catches what an expression or transform made at run time.
- It writes Vega's run-time errors ("ERROR Error: ...", then a JavaScript stack) straight to file
  descriptor 2, not to ``sys.stderr``, and returns an empty chart. fd 2 is redirected to a file
  around each call: nothing is printed, and an ERROR line fails the render with its first line.
- Its exceptions put the reason on the second line, after "... conversion failed:", followed by a
  stack of CDN URLs: :func:`reason` keeps the one line that says what went wrong.
- After refusing a link (``href``) it fails the *next* call too, with the same message: such an
  error "poisons" the engine (:func:`poisons_engine`), and one throw-away call clears it.
- A process that aborts (out of memory) leaves its console in ``chartspec-engine-<pid>-*.log`` in
  the temporary folder: :func:`crash_cause` reads the known causes from it and removes it (what no
  one read is removed by the next engine's start: scratch.py).
"""

from __future__ import annotations

import atexit
import html
import os
import re
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

from ..compiler.common import VEGA_LITE_VERSION
from ..errors import Diagnostic, ExportError

__all__ = ["PROBE", "EngineError", "crash_cause", "draw_png", "draw_svg", "guard_svg", "poisons_engine", "reason",
           "svg_to_pdf", "svg_to_png", "vegalite_to_svg"]

#: the only base URLs the renderer may load from: none
POLICY: list[str] = []

T = TypeVar("T")


class EngineError(Exception):
    """vl-convert failed; ``reason`` is its message in one line, without stack or URLs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- the console -----------------------------------------------------------------------------------

_LOCK = threading.Lock()  # fd 2 belongs to the whole process: one captured call at a time
_LOG: list[IO[bytes]] = []


def _log() -> IO[bytes]:
    """This process' console file, made once (named by the pid, so a crash can be explained)."""
    if not _LOG:
        from ..scratch import own_prefix, sweep

        sweep()  # what processes killed before they could clean up left
        fd, name = tempfile.mkstemp(prefix=own_prefix(), suffix=".log")
        _LOG.append(os.fdopen(fd, "w+b"))
        atexit.register(_remove, Path(name))
    return _LOG[0]


def _remove(path: Path) -> None:
    for log in _LOG:
        log.close()
    path.unlink(missing_ok=True)


def _captured(call: Callable[[], T]) -> T:
    """``call()`` with fd 2 sent to the console file; its failure or an ERROR line, as EngineError."""
    with _LOCK:
        log = _log()
        log.seek(0)
        log.truncate()
        if sys.stderr is not None:
            sys.stderr.flush()  # what Python wrote before goes where it was going
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)
        try:
            result, error = call(), None
        except Exception as err:  # vl-convert raises plain ValueError / RuntimeError with JS messages
            result, error = None, err
            if poisons_engine(str(err)):
                _clear()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        log.seek(0)
        console = log.read().decode("utf-8", errors="replace")
    if error is not None:
        raise EngineError(reason(str(error))) from error
    errors = [line for line in console.splitlines() if line.startswith("ERROR")]
    if errors:
        raise EngineError(reason(errors[0]))
    return result  # type: ignore[return-value]


_LINK_REFUSED = "Cannot read properties of null (reading 'href')"


def poisons_engine(message: str) -> bool:
    """Whether an error leaves the engine failing its next call (vl-convert 1.9: a refused link)."""
    return _LINK_REFUSED in message or "not an address Vega accepts" in message


def _clear() -> None:
    """Spend the failure a poisoned engine keeps for its next call (called while captured)."""
    import vl_convert as vlc

    tiny = {"mark": "point"}
    for _ in range(3):
        try:
            vlc.vegalite_to_svg(tiny, vl_version=VEGA_LITE_VERSION, allowed_base_urls=POLICY)
            return
        except Exception:  # noqa: S112 - the failure being spent
            continue


_HEADER = re.compile(r"(?:conversion|rendering) failed:?$|:$", re.IGNORECASE)  # "... failed:", "Error:"
_URL = re.compile(r"\(?\b(?:https?|file|ext):/?/?\S*\)?")


def reason(text: str) -> str:
    """The first line of a renderer message that says something: no "... failed:" header, no
    "at ..." stack line, no CDN URLs."""
    for line in text.splitlines():
        line = re.sub(r"^ERROR\s+", "", line.strip())
        if not line or line.startswith("at ") or _HEADER.search(line):
            continue
        line = _URL.sub("", line).strip()
        if _LINK_REFUSED in line:
            return "a link (href) of the chart is not an address Vega accepts (http, https, mailto, ...)"
        if line:
            return line[:300]
    return "the renderer gave no reason"


#: what an aborting engine prints, most telling first
_CRASHES = (r"memory allocation of \d+ bytes failed", r"Fatal JavaScript out of memory[^\n]*",
            r"JavaScript heap out of memory", r"Fatal process out of memory[^\n]*", r"Invalid array length")


def crash_cause(pid: int) -> str | None:
    """Why the engine of process ``pid`` aborted, when its console says (the file is removed)."""
    cause = None
    for path in Path(tempfile.gettempdir()).glob(f"chartspec-engine-{pid}-*.log"):
        try:
            if hasattr(os, "getuid") and path.stat().st_uid != os.getuid():  # only our own files
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            path.unlink()
        except OSError:
            continue
        for pattern in _CRASHES:
            if cause is None and (found := re.search(pattern, text)):
                cause = found.group(0).strip()
    return cause


# -- the calls -------------------------------------------------------------------------------------

#: a chart the engine draws without a word on its console (starts it, or checks that it is fit)
PROBE: dict[str, Any] = {"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {"x": {"field": "a"}}}


def draw_svg(vl: dict[str, Any]) -> str:
    """The SVG Vega draws for ``vl``, unchecked: the call itself, for :func:`vegalite_to_svg` here
    or in the build's renderer process (builder/renderer.py)."""
    import vl_convert as vlc

    from .vegadata import without_tables

    light, tables = without_tables(vl)
    if tables:  # large inline tables: Vega-Lite compiles the chart without them (vegadata.py)
        try:
            return _captured(lambda: _draw_compiled(vlc, light, tables))
        except EngineError:
            pass  # drawn again in one call below: its errors as that call gives them
    return _captured(lambda: vlc.vegalite_to_svg(vl, vl_version=VEGA_LITE_VERSION, allowed_base_urls=POLICY))


def _draw_compiled(vlc: Any, light: dict[str, Any], tables: list[list[Any]]) -> str:
    from .vegadata import at_rest, with_tables

    vega = at_rest(vlc.vegalite_to_vega(light, vl_version=VEGA_LITE_VERSION))
    if not with_tables(vega, tables):
        raise ValueError("the compiled chart does not hold its tables where expected")
    return vlc.vega_to_svg(vega, allowed_base_urls=POLICY)


def vegalite_to_svg(vl: dict[str, Any], draw: Callable[[dict[str, Any]], str] = draw_svg) -> str:
    """The SVG of ``vl``, checked by :func:`guard_svg` and the size limits; ``draw`` draws it
    (:func:`draw_svg`, or the build's renderer process)."""
    svg = draw(vl)
    guard_svg(svg)
    check_size(svg, 1.0, "chart")  # what the compiler could not add up (steps x categories, fonts)
    return svg


def svg_to_png(svg: str, scale: float) -> bytes:
    guard_svg(svg)
    check_size(svg, scale, "PNG")
    return draw_png(svg, scale)


def draw_png(svg: str, scale: float) -> bytes:
    """The PNG of ``svg`` without the size limits' check: the call itself, for :func:`svg_to_png`
    here or in the build's renderer process, which the build asks only once it checked the size."""
    import vl_convert as vlc

    from .longdashes import split_long_dashes
    from .thinstrokes import solid_thin_strokes

    guard_svg(svg)
    svg = split_long_dashes(svg)  # dashed lines of 10^6 dashes or more: tiny-skia drops them whole
    svg = solid_thin_strokes(svg, scale)  # long lines under a device pixel: one stroke, as a browser draws them
    # The PNG's pHYs chunk says how big it is on paper: 72 ppi at scale 1 (an SVG px is 1/72 in, as in
    # the PDF), so --scale 2 declares 144 ppi and --ppi 300 renders at 300/72. vl-convert draws at
    # scale x ppi/72 and writes ppi: scale 1 at 72 x scale ppi gives the pixels scale alone gave.
    return _captured(lambda: vlc.svg_to_png(svg, scale=1.0, ppi=72 * scale))


def svg_to_pdf(svg: str) -> bytes:
    import vl_convert as vlc

    guard_svg(svg)
    check_size(svg, 1.0, "PDF")
    return _captured(lambda: vlc.svg_to_pdf(svg))


_TAG = re.compile(r"""<([A-Za-z][\w:.-]*)((?:[^<>"']|"[^"]*"|'[^']*')*)>""")
_HREF = re.compile(r"""(?:^|\s)(?:xlink:)?href\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def guard_svg(svg: str) -> None:
    """Refuse an SVG naming anything the renderer would load: an ``href`` other than a link's, an
    in-document ``#id`` or a ``data:image`` URL (an image whose address a transform made)."""
    if "href" not in svg:
        return
    from ..data.images import data_image_problem  # here: the data stage is not needed to start the engine

    for tag in _TAG.finditer(svg):
        if tag.group(1).lower() == "a":
            continue  # a link is followed by a reader, never loaded by the renderer
        for href in _HREF.finditer(tag.group(2)):
            value = html.unescape(href.group(1) if href.group(1) is not None else href.group(2)).strip()
            if value.startswith("#") or (value.lower().startswith("data:") and data_image_problem(value) is None):
                continue
            shown = value if len(value) <= 80 else value[:77] + "..."
            raise ExportError(f"the chart draws an image from {shown!r}: builds draw only images inlined as data: URLs",
                              hint="an image address made by an expression or transform cannot be checked or read "
                                   "ahead: put the image paths in the data or the spec")


# numbers as Vega writes them, exponent form included ("7e+22" from a font size of 1e22)
_NUMBER = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_SIZE = re.compile(rf"""<svg\b[^>]*?\swidth="{_NUMBER}"[^>]*?\sheight="{_NUMBER}\"""")


def check_size(svg: str, scale: float, what: str) -> None:
    """Refuse an image over the size limits (compiler/limits.py) before anything allocates it."""
    found = _SIZE.match(svg)
    if found is None:
        return
    # here, not at the top: the renderer's process (builder/renderer.py) imports this module and
    # never checks sizes; limits.py would bring the data stage in (~20 MB, 0.1-0.3 s of its start)
    from ..compiler.limits import limits

    lim = limits()
    width, height = float(found.group(1)) * scale, float(found.group(2)) * scale
    if max(width, height) > lim.side or width * height > lim.pixels:
        name = "side" if max(width, height) > lim.side else "pixels"
        limit = f"{lim.side:,} px a side" if name == "side" else f"{lim.pixels:,} pixels"
        at = f" at scale {scale:g}" if scale != 1 else ""
        raise ExportError(Diagnostic(
                          f"the {what} would be {width:,.0f} x {height:,.0f} px{at}: more than the limit of {limit}",
                          # export.render places it in the spec, where it knows one: at the longer side
                          path=("height",) if height > width else ("width",),
                          hint=("build at a lower --scale, or " if scale > 1 else "") + "look for what makes it "
                               "this big around its views (which passed the size check): many facet panels or "
                               "concatenated charts, step-sized views over many categories, a huge font size, "
                               f"padding, offset or label; make that smaller, or {lim.hint(name)}"))
