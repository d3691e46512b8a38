"""chartspec: charts as code. YAML chart specs compiled to Vega-Lite and rendered offline.

    import chartspec
    spec = chartspec.load("specs/rl_training.yaml")
    chartspec.compile(spec)             # an Altair chart (shows inline in Jupyter)
    chartspec.save(spec, "rl.svg")      # html, svg, png, pdf or .vl.json
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    ChartspecError,
    CompileError,
    DataError,
    Diagnostic,
    ExportError,
    SpecSyntaxError,
    SpecValidationError,
    UsageError,
)
from .version import __version__

if TYPE_CHECKING:
    from .api import Spec, compile, load, loads, save, to_vegalite, validate
    from .builder.options import BuildOptions, BuildReport, SpecResult
    from .builder.run import build

# The API is imported on first use (PEP 562), so `chartspec --help`, the option checks and a
# Ctrl-C right after start-up do not wait for the whole pipeline (jsonschema, the data readers).
_LAZY = {"Spec": "api", "compile": "api", "load": "api", "loads": "api", "save": "api", "to_vegalite": "api",
         "validate": "api", "BuildOptions": "builder.options", "BuildReport": "builder.options",
         "SpecResult": "builder.options", "build": "builder.run"}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'chartspec' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "BuildOptions",
    "BuildReport",
    "ChartspecError",
    "CompileError",
    "DataError",
    "Diagnostic",
    "ExportError",
    "Spec",
    "SpecResult",
    "SpecSyntaxError",
    "SpecValidationError",
    "UsageError",
    "__version__",
    "build",
    "compile",
    "load",
    "loads",
    "save",
    "to_vegalite",
    "validate",
]
