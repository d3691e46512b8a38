"""`chartspec serve`: a live preview on 127.0.0.1.

An index page shows every chart of the build (thumbnail, name, errors); each chart page shows
the interactive chart and reloads itself when its spec or data changes. Pages poll a small
JSON state endpoint; a background thread rebuilds on every save (see :mod:`chartspec.cli.watch`).
The server (:mod:`chartspec.cli.loopback`) listens on 127.0.0.1 only and refuses hostile requests.
"""

from __future__ import annotations

import html
import json
import mimetypes
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..builder.options import BuildOptions, BuildReport, SpecResult
from ..builder.run import build
from ..errors import ChartspecError
from .loopback import HOST, GuardedHandler, LoopbackServer, Response, Target

if TYPE_CHECKING:
    from ..builder.workers import WorkerPool

__all__ = ["PreviewState", "make_server", "serve"]

HTML = "text/html; charset=utf-8"


@dataclass
class ChartState:
    stem: str
    spec: str
    status: str = "pending"
    error: str = ""
    version: int = 0


class PreviewState:
    """What the pages show; updated by the build thread, read by request threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.generation = 0
        self.charts: dict[str, ChartState] = {}
        self.problem = ""  # a build-wide problem (e.g. no specs found)

    def update(self, report: BuildReport | None, problem: str = "") -> None:
        with self.lock:
            changed = problem != self.problem
            self.problem = problem
            seen = set()
            for result in report.results if report else ():
                stem = result.target.stem.as_posix()
                seen.add(stem)
                chart = self.charts.setdefault(stem, ChartState(stem, result.target.shown))
                error = result.error.format() if result.error else ""
                if result.status == "built" or error != chart.error or chart.status == "pending":
                    chart.version += 1
                    changed = True
                chart.status, chart.error = ("failed" if error else "ok"), error
            for stem in set(self.charts) - seen if report else ():
                del self.charts[stem]
                changed = True
            if changed:
                self.generation += 1

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {"generation": self.generation, "problem": self.problem,
                    "charts": {s: vars(c).copy() for s, c in sorted(self.charts.items())}}


_STYLE = """body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(320px,1fr));gap:1.2rem}
.card{border:1px solid #ddd;border-radius:6px;padding:.8rem;background:#fff}
.card img{width:100%;height:auto;display:block}.card a{color:inherit;text-decoration:none}
pre.error{background:#fff0f0;border:1px solid #e0a0a0;padding:.6rem;white-space:pre-wrap;color:#900}
iframe{width:100%;height:80vh;border:0}"""

_RELOAD = """<script>
(function(){const key=%s;let seen=null;
async function poll(){try{const r=await fetch('/_chartspec/state',{cache:'no-store'});const s=await r.json();
const v=key===null?s.generation:((s.charts[key]||{}).version);
if(seen!==null&&v!==seen){location.reload();return}seen=v}catch(e){}setTimeout(poll,1000)}
poll()})();
</script>"""


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, body: str, key: str | None) -> bytes:
    return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>{body}{_RELOAD % _script_json(key)}</body></html>").encode()


def _url(prefix: str, stem: str, suffix: str = "") -> str:
    """A URL of ours for a spec's stem, ready for an attribute: percent-encoded segment by segment
    (a name with "%", "#", "?" or spaces is still one path; the server decodes it back), then escaped."""
    return html.escape(prefix + quote(stem + suffix, safe="/"), quote=True)


def index_page(state: dict[str, Any]) -> bytes:
    cards = []
    for stem, chart in state["charts"].items():
        name = html.escape(chart["spec"])
        link = _url("/chart/", stem)
        if chart["status"] == "failed":
            inner = f"<pre class=\"error\">{html.escape(chart['error'])}</pre>"
        else:
            inner = (f"<img src=\"{_url('/out/', stem, '.svg')}?v={chart['version']}\" "
                     f"alt=\"{name}\" loading=\"lazy\">")
        cards.append(f"<div class=\"card\"><a href=\"{link}\"><h3>{name}</h3>{inner}</a></div>")
    problem = f"<pre class=\"error\">{html.escape(state['problem'])}</pre>" if state["problem"] else ""
    body = f"<h1>chartspec preview</h1>{problem}<div class=\"grid\">{''.join(cards)}</div>"
    return _page("chartspec preview", body, None)


def chart_page(chart: dict[str, Any]) -> bytes:
    if chart["status"] == "failed":
        inner = f"<pre class=\"error\">{html.escape(chart['error'])}</pre>"
    else:
        inner = (f"<iframe src=\"{_url('/out/', chart['stem'], '.html')}?v={chart['version']}\" "
                 f"title=\"{html.escape(chart['spec'])}\"></iframe>")
    body = f"<p><a href=\"/\">&larr; all charts</a></p><h1>{html.escape(chart['spec'])}</h1>{inner}"
    return _page(chart["spec"], body, chart["stem"])


def _output_file(out: Path, segments: tuple[str, ...]) -> Response | None:
    """A file of the output folder, or None: hidden files (the manifest lists the specs' absolute
    paths; temporary files) and anything a symlink leads out of the folder stay private."""
    if any(segment.startswith(".") for segment in segments) or (segments and not segments[-1]):
        return None  # a trailing "/" names a folder, never the file before it
    try:
        target = out.joinpath(*segments).resolve()
        if not target.is_relative_to(out) or any(p.startswith(".") for p in target.relative_to(out).parts):
            return None
        if not target.is_file():
            return None
        body = target.read_bytes()
    except (OSError, ValueError):  # too long a name, gone mid-rebuild, unreadable: all "not found"
        return None
    return Response(200, body, mimetypes.guess_type(target.name)[0] or "application/octet-stream")


def make_server(state: PreviewState, out: Path, port: int, *, request_timeout: float = 10.0,
                max_connections: int = 32, log: Callable[[str], None] | None = None) -> LoopbackServer:
    """The preview's HTTP server on 127.0.0.1:``port`` (0 picks a free port); not yet serving."""
    out = out.resolve()
    not_found = Response(404, b"not found\n")

    class Handler(GuardedHandler):
        def route(self, target: Target) -> Response:
            path, snap = target.path, state.snapshot()
            if path == "/":
                return Response(200, index_page(snap), HTML)
            if path == "/_chartspec/state":
                return Response(200, json.dumps(snap).encode(), "application/json")
            if path.startswith("/chart/") and path[7:] in snap["charts"]:
                return Response(200, chart_page(snap["charts"][path[7:]]), HTML)
            if target.segments[:1] == ("out",) and len(target.segments) > 1:
                return _output_file(out, target.segments[1:]) or not_found
            return not_found

    return LoopbackServer(port, Handler, request_timeout=request_timeout, max_connections=max_connections, log=log)


def serve(paths: Sequence[str | Path], options: BuildOptions, *, port: int = 8000,
          on_ready: Callable[[str], None] | None = None,
          on_result: Callable[[SpecResult], None] | None = None,
          stop: threading.Event | None = None, reload: Callable[[], BuildOptions | None] | None = None) -> None:
    """Build, serve the preview and rebuild on changes until ``stop`` is set (or Ctrl-C, re-raised).

    ``reload()``: the options as the project's config says now, read again before every build
    (None while the config is broken: nothing is built until it is fixed)."""
    from .watch import watch

    formats = tuple(dict.fromkeys((*options.formats, "svg", "html")))
    options = replace(options, formats=formats)
    state = PreviewState()
    stop = stop or threading.Event()

    def reported(result: SpecResult) -> None:
        if on_result and not stop.is_set():  # after Ctrl-C, workers stopped at exit are not failures
            on_result(result)

    def run(pool: WorkerPool | None) -> BuildReport | None:
        current = options if reload is None else reload()
        if current is None:
            state.update(None, "the project's config has errors: see the terminal")
            return None
        try:
            report = build(list(paths), replace(current, formats=formats), on_result=reported, pool=pool)
        except ChartspecError as err:
            state.update(None, err.format())
            return None
        state.update(report)
        return report

    def watching() -> None:
        try:
            watch(paths, options, run=run, stop=stop)
        except Exception:
            if not stop.is_set():
                raise
            # stopping (Ctrl-C): the exiting process ends the workers of the build it abandons

    server = make_server(state, options.out, port)
    watcher = threading.Thread(target=watching, daemon=True)
    watcher.start()
    if on_ready:
        on_ready(f"http://{HOST}:{server.server_address[1]}/")
    server_thread = threading.Thread(target=server.serve_forever, daemon=True)
    server_thread.start()
    try:  # Ctrl-C (KeyboardInterrupt) stops serving too, and reaches the caller
        while not stop.wait(0.5):
            pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        watcher.join(timeout=5)
