"""The library API: load, validate, compile and save one spec.

    spec = chartspec.load("specs/rl_training.yaml")   # YAML -> validated model + data
    chart = chartspec.compile(spec)                    # Altair chart, displays in notebooks
    chartspec.save(spec, "out/rl_training.svg")        # any of html, svg, png, pdf, json
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from .data.loader import Spec, load, loads, validate
from .errors import UsageError
from .render.formats import FORMATS

if TYPE_CHECKING:
    import altair as alt

__all__ = ["Spec", "compile", "load", "loads", "save", "to_vegalite", "validate"]


def _as_spec(spec: Spec | str | Path, scale: float = 1.0) -> Spec:
    return spec if isinstance(spec, Spec) else load(spec, scale=scale)


def to_vegalite(spec: Spec | str | Path) -> dict[str, Any]:
    """The compiled Vega-Lite specification as a dict."""
    from .compiler.vegalite import compile_vegalite

    return compile_vegalite(_as_spec(spec))


def compile(spec: Spec | str | Path) -> alt.LayerChart:  # noqa: A001 - the public verb
    """Compile to an Altair chart (it displays inline in Jupyter)."""
    import altair as alt

    vl = to_vegalite(spec)
    data = vl.pop("data", None)
    # a facet or a layout (hconcat / vconcat) compiles to its own kind of chart
    kind = next((k for k in ("facet", "hconcat", "vconcat") if k in vl), "layer")
    chart_class = {"layer": alt.LayerChart, "facet": alt.FacetChart, "hconcat": alt.HConcatChart,
                   "vconcat": alt.VConcatChart}[kind]
    # from_dict costs ~0.7 ms per data row; attaching the rows afterwards keeps it cheap.
    chart = chart_class.from_dict(vl, validate=False)
    if data is not None:
        chart.data = alt.InlineData(values=data["values"])
    return chart


def save(spec: Spec | str | Path, path: str | Path, *, format: str | None = None, scale: float = 1.0) -> Path:
    """Render ``spec`` to ``path``; the format comes from the suffix unless given."""
    from .render.atomic import write_atomic
    from .render.export import render
    from .render.formats import suffix_format

    path = Path(path)
    fmt = format or suffix_format(path)
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    loaded = _as_spec(spec, scale)  # a path is loaded for this scale: large data reduced to its pixels
    outputs = render(to_vegalite(loaded), (fmt,), scale=scale, spec=loaded)
    write_atomic(path, outputs[fmt])
    return path
