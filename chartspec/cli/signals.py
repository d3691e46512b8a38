"""Ctrl-C, SIGTERM and SIGHUP stop a build the same way, even in the middle of an engine's query.

Each is raised as ``KeyboardInterrupt`` where the build is, so it unwinds as for Ctrl-C: the
workers and the renderer's process are stopped (a plain SIGTERM used to end only this process and
leave them drawing a chart nobody waits for), no partial file is left, and cli/main.py prints one
line. The signal is also recorded (builder/stop.py), because DuckDB turns the exception into its
own error. And as a Python handler runs only between bytecodes of the main thread, which a long
query holds, a thread woken through ``signal.set_wakeup_fd`` cancels the running queries.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

__all__ = ["install"]


class _Stopped(KeyboardInterrupt):
    """A stop asked for by a signal other than a terminal's Ctrl-C (which Python raises itself)."""


def _raise_stopped(number: int, frame: object) -> None:
    from ..builder import stop

    stop.request(number)
    raise _Stopped(number)


def _cancel_queries(read_end: int) -> None:
    while True:
        try:
            woken = os.read(read_end, 64)
        except OSError:
            return
        if not woken:
            return
        engine = sys.modules.get("chartspec.data.engine")  # not imported: no query can be running
        if engine is not None:
            engine.interrupt_all()


def install() -> None:
    """Handle the stop signals this process has left at their defaults (not ignored by nohup, not
    set by a program embedding the command line); call from the main thread."""
    handled = []
    for number, default in ((signal.SIGTERM, signal.SIG_DFL), (signal.SIGHUP, signal.SIG_DFL),
                            (signal.SIGINT, signal.default_int_handler)):
        if signal.getsignal(number) == default:
            signal.signal(number, _raise_stopped)
            handled.append(number)
    if not handled:
        return
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)  # as set_wakeup_fd requires
    try:
        signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    except ValueError:  # not the main thread: the handlers still work between bytecodes
        os.close(read_end)
        os.close(write_end)
        return
    threading.Thread(target=_cancel_queries, args=(read_end,), daemon=True, name="chartspec-signals").start()
