"""The renderer's engine between specs: started once per process, and cleaned after a failure.

vl-convert 1.9 keeps state in its JavaScript runtime: after some render errors (a Vega
``TypeError`` thrown while drawing, e.g. for an ``href`` of ``javascript:alert(1)``) the error is
still pending when the next render starts, and that render fails with the same message whatever
it draws. Rendering a tiny known-good chart drains it, so after a failed spec the build renders
that probe until it succeeds before the next spec; a worker whose engine does not come back is
replaced (workers.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import ExportError

if TYPE_CHECKING:
    from .options import SpecResult

__all__ = ["needs_reset", "recover", "warm"]

#: how many probe renders may fail before the engine is given up on (one is what 1.9 needs)
_ATTEMPTS = 3


def warm() -> bool:
    """Render a tiny chart: starts the engine (the first call takes most of a second) and says
    whether it renders correctly now."""
    from ..render.engine import vegalite_to_svg  # no network, console captured, like every render

    vl = {"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {"x": {"field": "a"}}}
    try:
        return vegalite_to_svg(vl).lstrip().startswith("<svg")
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
