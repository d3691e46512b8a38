"""Worker processes for parallel builds, each warmed once, with a time limit per spec.

vl-convert serialises calls within a process, so parallelism needs processes. Workers are
started with ``spawn`` (never ``fork``: the Vega engine's threads do not survive a fork), start
their engine while the main process is still discovering specs, and take one spec at a time so
the main process knows when each started: a spec over its time limit gets its worker killed
(and replaced), its temporary files removed, and a clear error.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from .errors import Diagnostic, ExportError

if TYPE_CHECKING:
    from .build import BuildOptions, SpecResult
    from .discover import Target

__all__ = ["run_in_workers"]

Task = Callable[["Target", "BuildOptions"], "SpecResult"]


#: sent by a worker when it takes up a spec: the time limit counts from then, not from when
#: the spec was handed over (a fresh worker may still be starting its engine)
_STARTED = "started"
#: seconds a worker may take to start its engine, on top of the time limit of its first spec
_WARM_UP_LIMIT = 120.0


def _warm(options: BuildOptions) -> None:
    import vl_convert as vlc

    from .compiler import VEGA_LITE_VERSION

    vl = {"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {"x": {"field": "a"}}}
    vlc.vegalite_to_svg(vl, vl_version=VEGA_LITE_VERSION)
    if "html" in options.formats:  # the first bundled page costs seconds: not a spec's time
        vlc.vegalite_to_html(vl, vl_version=VEGA_LITE_VERSION, bundle=True)


def _serve(conn: Connection, task: Task, options: BuildOptions) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    _warm(options)
    while True:
        try:
            target = conn.recv()
        except (EOFError, OSError):
            return
        if target is None:
            return
        conn.send(_STARTED)
        conn.send(task(target, options))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    target: Target | None = None
    started: float = 0.0
    running: bool = False  # the worker has taken up ``target`` (its engine is warm)

    def deadline(self, limit: float) -> float:
        return self.started + limit + (0.0 if self.running else _WARM_UP_LIMIT)


def _start(ctx: Any, task: Task, options: BuildOptions) -> _Worker:
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_serve, args=(child, task, options), daemon=True)
    process.start()
    child.close()
    return _Worker(process, parent)


def _stop(worker: _Worker, *, kill: bool) -> None:
    if kill:
        worker.process.kill()
    else:
        try:
            worker.conn.send(None)
        except OSError:
            pass
    worker.process.join(timeout=5)
    worker.conn.close()


def _failure(target: Target, message: str, hint: str | None = None) -> SpecResult:
    from .build import SpecResult

    return SpecResult(target, error=ExportError(Diagnostic(message, file=target.shown, hint=hint)))


def run_in_workers(targets: list[Target], task: Task, options: BuildOptions, jobs: int,
                   on_result: Callable[[SpecResult], None], cleanup: Callable[[Target], None]) -> None:
    """Run ``task`` for every target in up to ``jobs`` worker processes."""
    ctx = multiprocessing.get_context("spawn")
    pending = deque(targets)
    workers = [_start(ctx, task, options) for _ in range(min(jobs, len(targets)))]
    limit = options.timeout
    try:
        while pending or any(w.target for w in workers):
            for w in workers:
                if w.target is None and pending:
                    w.target, w.started, w.running = pending.popleft(), time.monotonic(), False
                    w.conn.send(w.target)
            busy = [w for w in workers if w.target is not None]
            now = time.monotonic()
            wait_for = max(0.0, min(w.deadline(limit) - now for w in busy)) if limit else None
            ready = wait([w.conn for w in busy], timeout=wait_for)
            for i, w in enumerate(workers):
                target = w.target
                if target is None:
                    continue
                healthy = True
                if w.conn in ready:
                    try:
                        result = w.conn.recv()
                        if isinstance(result, str):  # _STARTED: the clock starts now
                            w.started, w.running = time.monotonic(), True
                            continue
                    except (EOFError, OSError):
                        w.process.join(timeout=5)
                        result = _failure(target, f"the renderer crashed (exit code {w.process.exitcode})")
                        healthy = False
                elif limit and time.monotonic() > w.deadline(limit):
                    result = _failure(target, f"rendering took longer than {limit:g} s and was stopped",
                                      hint="raise the limit with --timeout (or 'timeout' in chartspec.toml)")
                    healthy = False
                else:
                    continue
                if healthy:
                    w.target = None
                else:  # replace the worker; its half-written temporary files go with it
                    _stop(w, kill=True)
                    cleanup(target)
                    workers[i] = _start(ctx, task, options)
                on_result(result)
    except BaseException:
        for w in workers:
            _stop(w, kill=True)
            if w.target is not None:
                cleanup(w.target)
        raise
    for w in workers:
        _stop(w, kill=False)
