"""The renderer's own process, for builds that render in theirs (``--jobs 0``, or one spec to render).

Vega runs in V8, and V8 aborts its whole process when its heap is full ("Fatal JavaScript out of
memory"): a chart that exhausts it in the build's process would end the build without a word.
So a build that loads, compiles and writes specs in its own process still runs Vega in a helper,
``python -m chartspec.builder.renderer``, which does two things: Vega-Lite in, SVG out, through
render/engine.py (no network, console captured), and the PNG of that SVG when asked (the same
bytes the build's process would make, made there while the build compacts the SVG and writes the
page: 0.1-0.35 s of a large chart's build). PDF and pages are made from the SVG in the build's
process, as always. The helper

- is started as soon as a build knows it will render (:meth:`Renderer.start`), so its engine
  starts (about half a second) while the build imports, loads and compiles: vl-convert holds the
  GIL while it works, so a thread could not do this;
- is kept for the rest of the process (:func:`shared`): ``watch`` and ``serve`` rebuild with a
  warm engine, and so do repeated ``chartspec.build(..., jobs=0)`` calls;
- fails the spec it was drawing when it dies, with what killed it (engine.crash_report: e.g.
  "the renderer crashed: Fatal JavaScript out of memory"), or when it takes longer than the time
  limit (it is killed then); a new one draws the next spec;
- is in a session of its own, so a Ctrl-C reaches only the build, which stops it; it exits when
  the build's process is gone.

Messages are frames: 4 bytes of length, then a kind byte and its payload. The helper says ``R``
once its engine has started; the build sends ``V`` + the Vega-Lite dict, pickled (so the engine
gets the very dict it would get in the build's process), ``G`` + the scale, pickled (the PNG of
the SVG it drew last, which the build has checked meanwhile), or ``P`` (probe: is the engine fit?);
the helper answers ``S`` + the SVG (or PNG), or ``E`` + the renderer's reason in one line.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

__all__ = ["Renderer", "child_environment", "exit_with_parent", "shared"]

_HEADER = struct.Struct(">I")
#: how often the helper checks that the process that started it is still there
_PARENT_CHECK = 0.25
#: seconds a helper may take to start its engine (a chart's time limit counts from then)
_WARM_UP_LIMIT = 120.0


def _write(stream: IO[bytes], kind: bytes, payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload) + 1) + kind + payload)
    stream.flush()


def _read(stream: IO[bytes]) -> tuple[bytes, bytes] | None:
    """One frame as ``(kind, payload)``; ``None`` at the end of the stream."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    body = stream.read(size)
    return (body[:1], body[1:]) if len(body) == size else None


# -- the helper --------------------------------------------------------------------------------------

#: set in a child's environment when the thread that starts it is the main thread, which lives as
#: long as the process: only then may the child ask the kernel to end it with its parent
_WITH_PARENT = "CHARTSPEC_DIE_WITH_PARENT"


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """``env`` for a renderer process started from this thread (see :func:`exit_with_parent`)."""
    if threading.current_thread() is threading.main_thread():
        return {**env, _WITH_PARENT: "1"}
    return {k: v for k, v in env.items() if k != _WITH_PARENT}


def exit_with_parent(parent: int) -> None:
    """End this process when ``parent`` is gone, even while Vega holds the GIL.

    A thread polls ``getppid`` (everywhere), but it cannot run while V8 works on a chart, and a
    chart that never ends (a regular expression backtracking forever) would keep an orphan at full
    CPU. On Linux the kernel kills it instead (``prctl(PR_SET_PDEATHSIG, SIGKILL)``, prctl(2)), when
    the thread that started it ends, hence only for children of the main thread."""
    if os.environ.get(_WITH_PARENT) == "1" and sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # no libc to call: the thread below still works
            pass
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK)
    from ..scratch import remove_files_of

    remove_files_of(os.getpid())  # os._exit runs no atexit: the engines' files go now
    os._exit(0)


def serve() -> None:
    """The helper's loop (``python -m chartspec.builder.renderer``): frames in on stdin, out on stdout."""
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever else writes to stdout must not corrupt the frames
    exit_with_parent(os.getppid())
    from ..render.engine import PROBE, EngineError, draw_png, draw_svg, reason

    drawn: list[str] = []  # the last chart's SVG, until its PNG is asked for

    def answer(make: Any, *args: Any) -> tuple[bytes, bytes]:
        try:
            return b"S", make(*args)
        except EngineError as err:
            return b"E", err.reason.encode("utf-8")
        except Exception as err:  # what the engine did not wrap: one line, never a traceback
            return b"E", reason(str(err) or type(err).__name__).encode("utf-8")

    def svg(vl: dict[str, Any]) -> bytes:
        drawn[:] = [text := draw_svg(vl)]
        return text.encode("utf-8")

    def png(scale: float) -> bytes:
        if not drawn:
            raise EngineError("no chart drawn to make a PNG of")
        return draw_png(drawn.pop(), scale)

    answer(draw_svg, PROBE)  # the engine starts now, while the build is still loading its spec
    _write(replies, b"R", b"")  # ready: a chart's time limit counts from here
    requests = sys.stdin.buffer
    while (frame := _read(requests)) is not None:
        kind, payload = frame
        if kind == b"P":
            fit, _ = answer(draw_svg, PROBE)
            _write(replies, fit, b"")
        elif kind == b"G":
            _write(replies, *answer(png, pickle.loads(payload)))
        else:
            _write(replies, *answer(svg, pickle.loads(payload)))  # pickled by the build that started it


# -- the build's side --------------------------------------------------------------------------------

class Renderer:
    """The build's handle on one helper process at a time (thread-safe; one chart at a time)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._replies: queue.Queue[tuple[bytes, bytes] | None] = queue.Queue()
        self._ready = False  # the helper's engine has started (it said ``R``)
        self._used = False  # the helper has drawn a chart for a build

    def start(self) -> None:
        """Start a helper unless one is running (its engine starts at once)."""
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                return
            if self._proc is not None:  # died between charts (killed while idle): its files go with it
                self.close()
            # the helper imports chartspec from where this process did, whatever its sys.path
            home = str(Path(__file__).resolve().parents[2])
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (home, os.environ.get("PYTHONPATH"))))}
            try:
                self._proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE, env=child_environment(env),
                                              start_new_session=True)
            except OSError as err:  # no Python to run it with, no processes left ...
                raise _export_error(f"cannot start the renderer: {err.strerror or err}", "build again") from err
            self._replies = queue.Queue()
            self._ready = self._used = False
            threading.Thread(target=self._listen, args=(self._proc, self._replies), daemon=True).start()

    @staticmethod
    def _listen(proc: subprocess.Popen[bytes], replies: queue.Queue[tuple[bytes, bytes] | None]) -> None:
        """Pass the helper's frames on until its output ends (it exited or was killed); ``None`` then."""
        assert proc.stdout is not None
        try:
            while (frame := _read(proc.stdout)) is not None:
                replies.put(frame)
        except (OSError, ValueError):  # the pipe broke under it
            pass
        finally:
            proc.stdout.close()
            replies.put(None)

    def svg(self, vl: dict[str, Any], timeout: float | None = None) -> str:
        """The SVG of ``vl``. Raises :class:`~chartspec.render.engine.EngineError` with Vega's
        reason, or :class:`~chartspec.errors.ExportError` when the helper died or ran out of time."""
        from ..render.engine import EngineError

        kind, payload = self._ask(b"V", pickle.dumps(vl, protocol=pickle.HIGHEST_PROTOCOL), timeout)
        if kind == b"E":
            raise EngineError(payload.decode("utf-8", errors="replace"))
        return payload.decode("utf-8")

    def png(self, scale: float, timeout: float | None = None) -> bytes:
        """The PNG, at ``scale``, of the SVG the helper drew last (:meth:`svg`): made there while
        this process writes the SVG and the page. Raises as :meth:`svg` does."""
        from ..render.engine import EngineError

        kind, payload = self._ask(b"G", pickle.dumps(scale, protocol=pickle.HIGHEST_PROTOCOL), timeout)
        if kind == b"E":
            raise EngineError(payload.decode("utf-8", errors="replace"))
        return payload

    def recover(self, attempts: int = 3) -> bool:
        """After a failed chart: make the engine fit for the next (probe it, or start a new helper)."""
        from ..errors import ExportError

        for _ in range(attempts):
            try:
                if self._ask(b"P", b"", 60.0) == (b"S", b""):
                    return True
            except ExportError:
                pass  # died or hung: _ask stopped it, the next _ask starts a new one
        self.close()
        return False

    def _ask(self, kind: bytes, payload: bytes, timeout: float | None) -> tuple[bytes, bytes]:
        with self._lock:
            self.start()
            proc = self._proc
            assert proc is not None and proc.stdin is not None
            try:
                _write(proc.stdin, kind, payload)
            except OSError:  # BrokenPipeError included: it died before it read the chart
                raise _export_error(*self._death(proc)) from None
            if not self._ready:  # the time limit counts from the engine's start, as in workers
                late = (f"the renderer did not start within {_WARM_UP_LIMIT:g} s", "build again")
                if self._reply(proc, _WARM_UP_LIMIT, late) != (b"R", b""):
                    raise _export_error("the renderer did not start", "build again")
                self._ready = True
            from .engine import timeout_report

            reply = self._reply(proc, timeout, timeout_report(timeout or 0.0))
            self._used = True
            return reply

    def _reply(self, proc: subprocess.Popen[bytes], wait: float | None, late: tuple[str, str]) -> tuple[bytes, bytes]:
        """The helper's next frame; ``late``: the error when it takes more than ``wait`` seconds."""
        try:
            reply = self._replies.get(timeout=wait)
        except queue.Empty:
            self.close()  # stopped: the next chart gets a new helper
            raise _export_error(*late) from None
        if reply is None:
            raise _export_error(*self._death(proc))
        return reply

    def _death(self, proc: subprocess.Popen[bytes]) -> tuple[str, str]:
        from ..render.engine import crash_cause
        from .engine import crash_report

        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # its output closed, yet it lives on: make sure it is gone
            proc.kill()
            proc.wait()
        self._proc = None
        _close_input(proc)
        return crash_report(proc.returncode, crash_cause(proc.pid))

    def release(self) -> None:
        """Stop a helper that has drawn nothing yet (started for a build that did not need it)."""
        with self._lock:
            if not self._used:
                self.close()

    def close(self) -> None:
        """Stop the helper (it is killed: it holds nothing that needs saving). Takes no lock, so
        that a process exiting while another thread waits for a chart is not held up by it."""
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()  # its output ends: the listening thread closes it
            proc.wait()
            _close_input(proc)
            from ..render.engine import crash_cause

            crash_cause(proc.pid)  # removes the console file it leaves


def _close_input(proc: subprocess.Popen[bytes]) -> None:
    try:
        if proc.stdin is not None:
            proc.stdin.close()
    except OSError:  # the helper died with a chart unread in the pipe
        pass


def _export_error(message: str, hint: str) -> Exception:
    from ..errors import ExportError

    return ExportError(message, hint=hint)


_SHARED: list[Renderer] = []


def shared() -> Renderer:
    """This process' helper, stopped when the process exits."""
    if not _SHARED:
        _SHARED.append(Renderer())
        atexit.register(_SHARED[0].close)
    return _SHARED[0]


if __name__ == "__main__":
    serve()
