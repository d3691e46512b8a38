"""chartspec: charts as code. YAML chart specs compiled to Vega-Lite and rendered offline.

    import chartspec
    spec = chartspec.load("specs/rl_training.yaml")
    chartspec.compile(spec)             # an Altair chart (shows inline in Jupyter)
    chartspec.save(spec, "rl.svg")      # html, svg, png, pdf or .vl.json
"""

from __future__ import annotations

from .api import Spec, compile, load, loads, save, to_vegalite, validate
from .builder.options import BuildOptions, BuildReport, SpecResult
from .builder.run import build
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
