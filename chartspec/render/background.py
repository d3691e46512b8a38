"""A call started in a daemon thread, its result asked for later: work that overlaps the build's own.

The build overlaps two waits with its own work: a chart drawn in the renderer process while the
dark look compiles, and a long SVG's PNG made there while the SVG is compacted. A plain thread and a one-slot result, not
``concurrent.futures``: its import (with its executor machinery) would sit on every build's
start, and a daemon thread never keeps a stopped build alive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["in_background"]

T = TypeVar("T")


def in_background(name: str, call: Callable[..., T], *args: Any) -> Callable[[], T]:
    """``call(*args)`` started in a thread called ``name``; the returned function waits for it and
    returns its result or raises its error (any BaseException, so a Ctrl-C in it is not lost)."""
    import threading

    done: list[tuple[Any, BaseException | None]] = []

    def run() -> None:
        try:
            done.append((call(*args), None))
        except BaseException as err:  # raised where the result is asked for
            done.append((None, err))

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()

    def result() -> T:
        thread.join()
        value, error = done[0]
        if error is not None:
            raise error
        return value  # type: ignore[no-any-return]

    return result
