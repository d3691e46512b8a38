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

from ..errors import Diagnostic, ExportError

if TYPE_CHECKING:
    from .discover import Target
    from .options import BuildOptions, SpecResult

__all__ = ["WorkerPool", "run_in_workers"]

Task = Callable[["Target", "BuildOptions"], "SpecResult"]

#: sent by a worker when it takes up a spec: the time limit counts from then, not from when
#: the spec was handed over (a fresh worker may still be starting its engine)
_STARTED = "started"
#: seconds a worker may take to start its engine, on top of the time limit of its first spec
_WARM_UP_LIMIT = 120.0


def _warm() -> None:
    import vl_convert as vlc

    from ..compiler.common import VEGA_LITE_VERSION

    vl = {"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {"x": {"field": "a"}}}
    vlc.vegalite_to_svg(vl, vl_version=VEGA_LITE_VERSION, allowed_base_urls=[])  # no network, ever


def _serve(conn: Connection, task: Task) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    _warm()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        target, options = job
        conn.send(_STARTED)
        conn.send(task(target, options))


@dataclass
class _Worker:
    process: Any
    conn: Connection
    target: Target | None = None
    started: float = 0.0
    running: bool = False  # the worker has taken up ``target`` (its engine is warm)
    warm: bool = False  # the worker has finished a spec before: no start-up allowance

    def deadline(self, limit: float) -> float:
        return self.started + limit + (0.0 if self.running or self.warm else _WARM_UP_LIMIT)


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
    from .options import SpecResult

    return SpecResult(target, error=ExportError(Diagnostic(message, file=target.shown, hint=hint)))


class WorkerPool:
    """Up to ``jobs`` warm worker processes, kept between builds (``watch`` and ``serve`` reuse
    one pool, so a rebuild after a save does not pay the engine start again)."""

    def __init__(self, task: Task, jobs: int) -> None:
        self.task, self.jobs = task, max(1, jobs)
        self.ctx = multiprocessing.get_context("spawn")
        self.workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe()
        process = self.ctx.Process(target=_serve, args=(child, self.task), daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def close(self) -> None:
        for w in self.workers:
            _stop(w, kill=w.target is not None)
        self.workers = []

    def run(self, targets: list[Target], options: BuildOptions, on_result: Callable[[SpecResult], None],
            cleanup: Callable[[Target], None]) -> None:
        """Run the task for every target; results arrive through ``on_result`` as they finish."""
        pending = deque(targets)
        self.workers = [w for w in self.workers if w.process.is_alive()]
        while len(self.workers) < min(self.jobs, len(targets)):
            self.workers.append(self._start())
        limit = options.timeout
        try:
            while pending or any(w.target for w in self.workers):
                for w in self.workers:
                    if w.target is None and pending:
                        w.target, w.started, w.running = pending.popleft(), time.monotonic(), False
                        w.conn.send((w.target, options))
                self._collect(limit, on_result, cleanup)
        except BaseException:
            for w in self.workers:
                if w.target is not None:
                    _stop(w, kill=True)
                    cleanup(w.target)
                    w.target = None
            self.workers = [w for w in self.workers if w.process.is_alive()]
            raise

    def _collect(self, limit: float, on_result: Callable[[SpecResult], None],
                 cleanup: Callable[[Target], None]) -> None:
        busy = [w for w in self.workers if w.target is not None]
        now = time.monotonic()
        wait_for = max(0.0, min(w.deadline(limit) - now for w in busy)) if limit else None
        ready = wait([w.conn for w in busy], timeout=wait_for)
        for i, w in enumerate(self.workers):
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
                    result = _failure(target, f"the renderer crashed (exit code {w.process.exitcode})",
                                      hint="very large data can exhaust the renderer's memory")
                    healthy = False
            elif limit and time.monotonic() > w.deadline(limit):
                result = _failure(target, f"rendering took longer than {limit:g} s and was stopped",
                                  hint="raise the limit with --timeout (or 'timeout' in chartspec.toml)")
                healthy = False
            else:
                continue
            if healthy:
                w.target, w.warm = None, True
            else:  # replace the worker; its half-written temporary files go with it
                _stop(w, kill=True)
                cleanup(target)
                self.workers[i] = self._start()
            on_result(result)


def run_in_workers(targets: list[Target], task: Task, options: BuildOptions, jobs: int,
                   on_result: Callable[[SpecResult], None], cleanup: Callable[[Target], None]) -> None:
    """Run ``task`` for every target in a pool of up to ``jobs`` worker processes made for this run."""
    with WorkerPool(task, jobs) as pool:
        pool.run(targets, options, on_result, cleanup)
