"""The compile step's entry point: a loaded spec in, a Vega-Lite specification (a JSON-ready dict) out.

Pure and deterministic: no I/O, the same spec gives the same dict. Dispatches on what was loaded:
one chart (chart.py), a layout of charts (concat.py), or plain Vega-Lite (passed through as written).
"""

from __future__ import annotations

import copy
from typing import Any

from ..data.loaded import ConcatSpec, Spec
from ..spec.plain import PlainVegaLite
from .chart import compile_chart
from .concat import compile_concat

__all__ = ["compile_vegalite"]


def compile_vegalite(spec: Spec) -> dict[str, Any]:
    """Compile a loaded spec to a Vega-Lite dict (deterministic, JSON-ready).

    Raises :class:`~chartspec.errors.CompileError` for what only the compiler can refuse (a
    ``vega_lite:`` patch that breaks the schema, series it cannot list)."""
    if isinstance(spec.model, PlainVegaLite):
        return copy.deepcopy(spec.model.vega_lite)
    if isinstance(spec.model, ConcatSpec):
        return compile_concat(spec)
    return compile_chart(spec)
