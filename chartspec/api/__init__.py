"""The library API: load, validate, compile and save one spec (paths: ``str`` or path-like).

    spec = chartspec.load("specs/rl_training.yaml")   # YAML -> validated model + data
    chart = chartspec.compile(spec)                    # Altair chart, displays in notebooks
    chartspec.save(spec, "out/rl_training.svg")        # any of html, svg, png, pdf, json
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..data.loader import Spec, load, loads, validate
from ..errors import UsageError
from ..render.formats import FORMATS
from ..spec.files import path_argument

if TYPE_CHECKING:
    import altair as alt

__all__ = ["Spec", "compile", "load", "loads", "save", "to_vegalite", "validate"]


def _as_spec(spec: Spec | str | os.PathLike[str], scale: float = 1.0) -> Spec:
    if isinstance(spec, Spec):
        return spec
    if not isinstance(spec, (str, os.PathLike)):
        raise TypeError(f"spec must be a loaded Spec (chartspec.load, chartspec.loads) or a spec file's path, "
                        f"not {type(spec).__name__}")
    return load(spec, scale=scale)


def to_vegalite(spec: Spec | str | os.PathLike[str]) -> dict[str, Any]:
    """The compiled Vega-Lite specification as a dict."""
    from ..compiler.vegalite import compile_vegalite

    return compile_vegalite(_as_spec(spec))


def compile(spec: Spec | str | os.PathLike[str]) -> alt.TopLevelMixin:  # noqa: A001 - the public verb
    """Compile to an Altair chart: a layer chart (a facet or layout for those specs) that composes
    like any Altair chart (``|``, ``&``, ``+``, ``.properties``, ``.interactive()``) and displays
    offline in Jupyter, with the Vega chartspec ships (charts.py, notebook.py)."""
    from .charts import from_vegalite

    return from_vegalite(to_vegalite(spec))


def save(spec: Spec | str | os.PathLike[str], path: str | os.PathLike[str], *, format: str | None = None, scale: float = 1.0,
         ppi: float | None = None) -> Path:
    """Render ``spec`` to ``path``; the format comes from the suffix unless given. A PNG is drawn at
    ``scale`` (or ``ppi``/72) and declares 72 x scale pixels per inch."""
    from ..render.atomic import write_atomic
    from ..render.export import render
    from ..render.formats import suffix_format

    if ppi is not None:
        from ..builder.options import ppi_scale

        scale = ppi_scale(ppi)
    path_argument(path, "chartspec.save(spec, path)", "an output file's path")
    given = str(os.fspath(path))
    path = Path(given)
    if path.is_dir() or given.endswith(("/", os.sep)):
        raise UsageError(f"{given!r} is a folder, not an output file",
                         hint="name the file, e.g. chart.svg (its suffix says the format)")
    fmt = format or suffix_format(path)
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    loaded = _as_spec(spec, scale)  # a path is loaded for this scale: large data reduced to its pixels
    outputs = render(to_vegalite(loaded), (fmt,), scale=scale, spec=loaded)
    write_atomic(path, outputs[fmt])
    return path
