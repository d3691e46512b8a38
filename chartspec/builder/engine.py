"""The renderer's engine between specs: started once per process, cleaned after a failure, and
what to say when it dies.

vl-convert 1.9 keeps state in its JavaScript runtime: after some render errors (a Vega
``TypeError`` thrown while drawing, e.g. for an ``href`` of ``javascript:alert(1)``) the error is
still pending when the next render starts, and that render fails with the same message whatever
it draws. Rendering a tiny known-good chart drains it, so after a failed spec the build renders
that probe until it succeeds before the next spec; a worker whose engine does not come back is
replaced (workers.py).
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

from ..errors import ExportError

if TYPE_CHECKING:
    from .options import SpecResult

__all__ = ["crash_report", "needs_reset", "recover", "timeout_report", "warm"]

#: how many probe renders may fail before the engine is given up on (one is what 1.9 needs)
_ATTEMPTS = 3


def warm() -> bool:
    """Render a tiny chart: starts the engine (the first call takes most of a second) and says
    whether it renders correctly now."""
    from ..render.engine import PROBE, vegalite_to_svg  # no network, console captured, like every render

    try:
        return vegalite_to_svg(PROBE).lstrip().startswith("<svg")
    except Exception:  # the engine's own errors, whatever their class
        return False


def needs_reset(result: SpecResult) -> bool:
    """Whether ``result``'s failure may have left the engine broken: any render or export error
    (cheap to check even when it was only a write error), never a spec or data error."""
    return isinstance(result.error, ExportError)


def recover(result: SpecResult) -> bool:
    """Make the engine fit for the next spec after ``result``; ``False`` if it did not come back."""
    if not needs_reset(result):
        return True
    return any(warm() for _ in range(_ATTEMPTS))


#: signals another program (or the system shutting down) sends to stop a process
_STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT")


def crash_report(exitcode: int | None, cause: str | None = None) -> tuple[str, str]:
    """Why a renderer process (a worker, or the helper of renderer.py) died, from its exit code (``-N``: killed by signal N) and the cause its engine's
    captured console names (``cause``, e.g. "Fatal JavaScript out of memory"), and what to do."""
    if cause is not None:
        return (f"the renderer crashed: {cause}",
                "the chart needs more memory than the renderer has: reduce or aggregate its data, or its size")
    if exitcode is None:
        return "the renderer stopped answering", "build again"
    if exitcode >= 0:
        return (f"the renderer crashed (exit code {exitcode})",
                "the renderer's process ended unexpectedly: build again, and report it with this spec if it does so again")
    try:
        name = signal.Signals(-exitcode).name
    except ValueError:
        name = f"signal {-exitcode}"
    if name == "SIGKILL":
        return ("the renderer was killed (SIGKILL), often the system's out-of-memory killer",
                "very large data can exhaust the renderer's memory: aggregate or sample it, or build with "
                "fewer --jobs; if memory was not short, another program killed it")
    if name in _STOP_SIGNALS:
        return (f"the renderer was stopped by {name}",
                "another program (or the system shutting down) stopped it; build again")
    return (f"the renderer crashed ({name})",
            "a crash inside vl-convert: please report it with this spec")


def timeout_report(limit: float) -> tuple[str, str]:
    """What a spec stopped at its time limit is told, and what to do."""
    return (f"rendering took longer than {limit:g} s and was stopped",
            "raise the limit with --timeout (or 'timeout' in chartspec.toml)")
