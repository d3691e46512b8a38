"""The compile step's entry point: a loaded spec in, a Vega-Lite specification (a JSON-ready dict) out.

Pure and deterministic: no I/O, the same spec gives the same dict. Dispatches on what was loaded:
one chart (chart.py), a layout of charts (concat.py), or plain Vega-Lite (passed through as written).
Whatever made it, the result is checked last (safety.py): the addresses it names, the page's embed
options, its size (the size limits are the one setting read from the environment, limits.py).
"""

from __future__ import annotations

import copy
from typing import Any

from ..data.images import url_spots
from ..data.loaded import ConcatSpec, Spec
from ..errors import Diagnostic
from ..spec.plain import PlainVegaLite
from .chart import compile_chart, compile_chart_noted
from .concat import compile_concat
from .safety import checked

__all__ = ["compile_noted", "compile_vegalite"]


def compile_vegalite(spec: Spec, *, checked_only: bool = False, share_rows: bool = False) -> dict[str, Any]:
    """Compile a loaded spec to a Vega-Lite dict (deterministic, JSON-ready): the dict of
    :func:`compile_noted`, for callers that show no notes."""
    return compile_noted(spec, checked_only=checked_only, share_rows=share_rows)[0]


def compile_noted(spec: Spec, *, checked_only: bool = False,
                  share_rows: bool = False) -> tuple[dict[str, Any], tuple[Diagnostic, ...]]:
    """Compile a loaded spec to a Vega-Lite dict (deterministic, JSON-ready), with the notes on
    what the compiler chose that the spec did not say (series sharing a colour: colornotes.py).

    Raises :class:`~chartspec.errors.CompileError` for what only the compiler can refuse (a
    ``vega_lite:`` patch that breaks the schema, series it cannot list, a remote image, a view
    over the size limits). ``checked_only``: for ``chartspec validate``, which reports the errors
    and never draws: what only a drawing needs may be left out (compiler/chart.py). ``share_rows``:
    a single chart's data rows are the loaded table's dicts themselves, for a caller that changes
    neither (the build); a chart whose rows name images or links gets copies all the same, as
    the check below swaps local images in its rows for their data: URLs."""
    notes: list[Diagnostic] = []
    if isinstance(spec.model, PlainVegaLite):
        vl = copy.deepcopy(spec.model.vega_lite)
    elif isinstance(spec.model, ConcatSpec):
        vl, notes = compile_concat(spec)  # the rows limit is the whole layout's: every hover table counts
    else:
        vl, notes = compile_chart_noted(spec, checked_only=checked_only, share_rows=share_rows)
        if share_rows and any(spot.field is not None for spot in url_spots(vl)):
            vl = compile_chart(spec, checked_only=checked_only)
    return checked(vl, spec), tuple(notes)
