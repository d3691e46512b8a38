"""A stop the user asked for (Ctrl-C, SIGTERM, SIGHUP), remembered where an engine may swallow it.

The command line raises ``KeyboardInterrupt`` from its signal handlers (cli/main.py). Raised while
DuckDB runs a query, it is caught by DuckDB, which cancels the query and raises its own error
("Query interrupted"): without this record that error would fail the one spec as a chartspec bug
and the build would go on. :func:`check` turns any failure after a requested stop back into the
interrupt.
"""

from __future__ import annotations

__all__ = ["check", "request", "requested"]

_REQUESTED: list[int] = []


def request(number: int) -> None:
    """Record that signal ``number`` asked this process to stop."""
    _REQUESTED.append(number)


def requested() -> int | None:
    """The signal that asked this process to stop, if one did."""
    return _REQUESTED[-1] if _REQUESTED else None


def check(err: BaseException | None = None) -> None:
    """Raise ``KeyboardInterrupt`` when a stop was requested or ``err`` is an engine's word for one
    (duckdb.InterruptException, or DuckDB's "Query interrupted" from a cancelled query)."""
    cancelled = err is not None and (type(err).__name__ == "InterruptException" or (
        isinstance(err, RuntimeError) and str(err).startswith("Query interrupted")))
    if _REQUESTED or cancelled:
        raise KeyboardInterrupt from err
