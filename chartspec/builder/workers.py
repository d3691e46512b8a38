"""Worker processes for parallel builds, each warmed once, with a time limit per spec.

vl-convert serialises calls within a process, so parallelism needs processes. Workers are
fresh interpreters, ``python -m chartspec.builder.workers`` (never ``fork``: the Vega engine's
threads do not survive a fork; and not multiprocessing's ``spawn`` either, which re-runs the
program's ``__main__``: a script calling ``chartspec.build()`` without an ``if __name__ ==
"__main__":`` guard would build again in every worker and crash it). They start
their engine while the main process is still discovering specs, and take one spec at a time so
the main process knows when each started: a spec over its time limit gets its worker killed
(and replaced), its temporary files removed, and a clear error. A worker whose engine stays
broken after a failed spec (engine.py) is replaced too, and a worker whose build was killed
exits at once, quietly.
"""

from __future__ import annotations

import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic, ExportError
from ..render.engine import crash_cause
from ..scratch import remove_files_of
from .engine import crash_report, recover, timeout_report, warm
from .renderer import child_environment, exit_with_parent

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
#: how often a worker checks that the build that started it is still there
_PARENT_CHECK = 0.25


#: Ctrl-C reaches every process of the terminal's group, workers included. The main process handles
#: it; a worker must never see it, not even while it is still importing (a KeyboardInterrupt there
#: prints a traceback). So workers start with SIGINT blocked (a signal mask survives fork and exec,
#: and, unlike a disposition, can be set from any thread: serve builds in a background thread);
#: once the worker ignores SIGINT it unblocks it, which discards a Ctrl-C that arrived meanwhile.
_BLOCKABLE = hasattr(signal, "pthread_sigmask")


def _ignore_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the main process handles Ctrl-C
    if _BLOCKABLE:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _serve(conn: Connection, task: Task, parent: int) -> None:
    """A worker's loop: a spec in, ``_STARTED``, then ``(result, engine still usable)`` out."""
    _ignore_ctrl_c()
    # a worker of a killed build (SIGKILL, a crash) would render on and then fail to report: it
    # exits as soon as its parent is gone, even in the middle of a spec. Files are written
    # atomically, so at worst a hidden temporary file is left, never a partial output.
    exit_with_parent(parent)
    warm()  # an engine that does not start fails the first spec, which says why
    try:
        while True:
            job = conn.recv()
            if job is None:
                return
            target, options = job
            conn.send(_STARTED)
            result = task(target, options)
            usable = recover(result)
            conn.send((result, usable))
            if not usable:  # a fresh process is the only sure way to a clean engine
                return
    except (EOFError, OSError):  # the pipe is gone (BrokenPipeError included): so is the build
        return


class _Process:
    """A worker's process, with the part of multiprocessing's ``Process`` the pool uses."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.pid = proc.pid

    def is_alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.is_alive():
            self.proc.kill()

    def join(self, timeout: float | None = None) -> None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass

    @property
    def exitcode(self) -> int | None:
        """As multiprocessing says it: ``-N`` when signal N ended the process."""
        return self.proc.poll()


def _launch(task: Task) -> tuple[_Process, Connection]:
    """Start a worker and hand it ``task``, over a socket pair it inherits (only that descriptor).

    The worker gets this process' ``sys.path`` first, so that it can import the task's module
    (a test's, a plugin's) before it unpickles the task."""
    ours, theirs = socket.socketpair()
    # the worker imports chartspec from where this process did, whatever its sys.path
    home = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (home, os.environ.get("PYTHONPATH"))))}
    try:
        proc = subprocess.Popen([sys.executable, "-m", __name__, str(theirs.fileno()), str(os.getpid())],
                                stdin=subprocess.DEVNULL, pass_fds=(theirs.fileno(),), env=child_environment(env))
    finally:
        theirs.close()
    conn = Connection(ours.detach())
    conn.send_bytes(pickle.dumps(list(sys.path)))
    conn.send(task)
    return _Process(proc), conn


def _main(argv: list[str]) -> None:
    """A worker's start (``python -m chartspec.builder.workers FD PARENT``)."""
    conn = Connection(int(argv[0]))
    try:
        paths: list[str] = pickle.loads(conn.recv_bytes())
        sys.path[:] = [*sys.path, *(p for p in paths if p not in sys.path)]
        task = conn.recv()
    except (EOFError, OSError):  # the build is gone already
        return
    _serve(conn, task, int(argv[1]))


@dataclass
class _Worker:
    process: _Process
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
    if worker.process.is_alive():  # asked to stop and did not: no worker outlives its pool
        worker.process.kill()
        worker.process.join(timeout=5)
    worker.conn.close()
    if not worker.process.is_alive():  # killed, it left its console and spill folders
        remove_files_of(worker.process.pid)


def _failure(target: Target, message: str, hint: str | None = None) -> SpecResult:
    from .options import SpecResult

    return SpecResult(target, error=ExportError(Diagnostic(message, file=target.shown, hint=hint)))


class WorkerPool:
    """Up to ``jobs`` warm worker processes, kept between builds (``watch`` and ``serve`` reuse
    one pool, so a rebuild after a save does not pay the engine start again)."""

    def __init__(self, task: Task, jobs: int, stop: threading.Event | None = None) -> None:
        self.task, self.jobs = task, max(1, jobs)
        #: set by another thread (serve on Ctrl-C): abandon the build now and start no worker, so
        #: that nothing is left for the exiting process to kill under a build still reporting
        self.stop = stop
        self.workers: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> _Worker:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if _BLOCKABLE else None
        try:
            process, conn = _launch(self.task)  # inherits the mask: see _BLOCKABLE
        finally:
            if blocked is not None and signal.SIGINT not in blocked:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})  # a pending Ctrl-C arrives now
        return _Worker(process, conn)

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
                if self.stop is not None and self.stop.is_set():
                    self._abandon(cleanup)
                    return
                for w in self.workers:
                    if w.target is None and pending:
                        w.target, w.started, w.running = pending.popleft(), time.monotonic(), False
                        w.conn.send((w.target, options))
                self._collect(limit, on_result, cleanup)
        except BaseException:
            self._abandon(cleanup)
            raise

    def _abandon(self, cleanup: Callable[[Target], None]) -> None:
        """Kill the workers still rendering (Ctrl-C, stop): their specs are not results."""
        for w in self.workers:
            if w.target is not None:
                _stop(w, kill=True)
                cleanup(w.target)
                w.target = None
        self.workers = [w for w in self.workers if w.process.is_alive()]

    def _collect(self, limit: float, on_result: Callable[[SpecResult], None],
                 cleanup: Callable[[Target], None]) -> None:
        busy = [w for w in self.workers if w.target is not None]
        now = time.monotonic()
        wait_for = max(0.0, min(w.deadline(limit) - now for w in busy)) if limit else None
        if self.stop is not None:  # look at it often
            wait_for = _PARENT_CHECK if wait_for is None else min(wait_for, _PARENT_CHECK)
        ready = wait([w.conn for w in busy], timeout=wait_for)
        for i, w in enumerate(self.workers):
            target = w.target
            if target is None:
                continue
            healthy, crashed = True, False
            if w.conn in ready:
                try:
                    reply = w.conn.recv()
                    if isinstance(reply, str):  # _STARTED: the clock starts now
                        w.started, w.running = time.monotonic(), True
                        continue
                    result, healthy = reply
                except (EOFError, OSError):
                    w.process.join(timeout=5)
                    result = _failure(target, *crash_report(w.process.exitcode, crash_cause(w.process.pid)))
                    healthy, crashed = False, True
            elif limit and time.monotonic() > w.deadline(limit):
                result = _failure(target, *timeout_report(limit))
                healthy, crashed = False, True
            else:
                continue
            if healthy:
                w.target, w.warm = None, True
            else:  # replace the worker: crashed, stopped, or its engine did not recover (it exits itself)
                _stop(w, kill=crashed)
                if crashed:  # its half-written temporary files go with it
                    cleanup(target)
                if self.stop is not None and self.stop.is_set():
                    w.target = None  # no replacement: run() returns; dead workers are dropped
                    continue
                self.workers[i] = self._start()
            on_result(result)


def run_in_workers(targets: list[Target], task: Task, options: BuildOptions, jobs: int,
                   on_result: Callable[[SpecResult], None], cleanup: Callable[[Target], None]) -> None:
    """Run ``task`` for every target in a pool of up to ``jobs`` worker processes made for this run."""
    with WorkerPool(task, jobs) as pool:
        pool.run(targets, options, on_result, cleanup)


if __name__ == "__main__":
    _main(sys.argv[1:])
