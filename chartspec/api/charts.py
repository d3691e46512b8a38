"""The Altair charts :func:`chartspec.compile` returns: they compose like any Altair chart and show
offline in Jupyter.

Altair refuses to put a chart that sets a top-level-only key (``$schema``, ``config``,
``background``, ``padding``, ``autosize``) inside ``|``, ``&`` or ``+``. A compiled chart keeps those
keys aside instead and adds them back only when it is the chart being written (``to_dict`` at the top
level), so a chart alone is the compiled Vega-Lite and a composition takes its look from its
first chartspec chart (Vega-Lite has one config per view; the user's ``configure_*`` wins).

Two charts of one spec hold the same hover/zoom parameter and view names (compiler/interactive.py),
and Vega refuses two signals (or, in a layer, two views) of one name: composing renames the right
operand's.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import altair as alt
from altair.utils.schemapi import SchemaBase, Undefined

from ..compiler.interactive import AREA_NAME, ZOOM_PARAM

__all__ = ["TOP_LEVEL_KEYS", "from_vegalite"]

#: keys Altair allows only on the outermost chart
TOP_LEVEL_KEYS = ("$schema", "autosize", "background", "config", "padding")
#: chartspec's interactive parameters and views, numbered apart in layouts (``chartspec_hover_1``)
_OWN_NAME = re.compile(r"(chartspec_(?:hover|zoom|interactive(?:_area|_rule)?))(_\d+)?$")
#: never walked: rows can be millions
_DATA_KEYS = frozenset({"data", "datasets", "values"})


class _Composable:
    """What a chartspec chart adds to its Altair class (see the module)."""

    _chartspec_top: dict[str, Any] = {}

    def to_dict(self, validate: bool = True, *, format: str = "vega-lite", ignore: list[str] | None = None,
                context: dict[str, Any] | None = None) -> dict[str, Any]:
        top_level = not context or context.get("top_level", True)
        spec: dict[str, Any] = super().to_dict(validate, format="vega-lite", ignore=ignore,  # type: ignore[misc]
                                               context=context)
        if not top_level:
            return spec
        spec = _with_top(spec, self._chartspec_top)
        if format == "vega":  # what Altair's own to_dict(format="vega") does, after the keys are back
            compiler = alt.vegalite_compilers.get()
            if compiler is None:
                raise ValueError("No active vega-lite compiler plugin found")
            return compiler(spec)
        return spec

    def copy(self, deep: Any = True, ignore: list[str] | None = None) -> Any:
        out = super().copy(deep=deep, ignore=ignore)  # type: ignore[misc]
        object.__setattr__(out, "_chartspec_top", self._chartspec_top)
        return out

    def __or__(self, other: Any) -> Any:
        return _compose(super().__or__, self, other)  # type: ignore[misc]

    def __and__(self, other: Any) -> Any:
        return _compose(super().__and__, self, other)  # type: ignore[misc]

    def __add__(self, other: Any) -> Any:
        return _compose(super().__add__, self, other)  # type: ignore[misc]

    def interactive(self, name: str | None = None, bind_x: bool = True, bind_y: bool = False) -> Any:
        """Zoom and pan bound to the scales, as ``interactive: {zoom: x}`` in a spec: on x only by
        default, since a chartspec chart's y axes are often independent (``bind_y=True`` binds the
        y scale of the first layer too). A chart that zooms already is returned as it is."""
        out = self.copy(deep=True)
        units = [node for node in _nodes(out) if _get(node, "mark") is not Undefined]
        if not units or not (bind_x or bind_y) or any(_is_zoom(p) for u in units for p in _params(u)):
            return out
        target = next((u for u in units if (_text(_get(u, "name")) or "").startswith(AREA_NAME)), units[0])
        used = _names(out)
        param = name or next(n for n in (ZOOM_PARAM, *(f"{ZOOM_PARAM}_{i}" for i in range(1, 999))) if n not in used)
        encodings = [channel for channel, on in (("x", bind_x), ("y", bind_y)) if on]
        _set(target, "params", [*_params(target), {"name": param, "select": {"type": "interval", "encodings": encodings},
                                                    "bind": "scales"}])
        for unit in units:  # zoomed-in lines must not spill over the axes
            _set(unit, "mark", _clipped(_get(unit, "mark")))
        return out

    def to_html(self, **options: Any) -> str:
        """The chart's page as ``chartspec build`` writes it (render/html.py): the Vega chartspec
        ships inlined (no CDN), text escaped for the page, its Content-Security-Policy. Altair's
        template options (``base_url``, ``embed_options``, ...) would bring back its CDN page:
        refused with a TypeError."""
        _no_altair_options("to_html", options)
        from ..render.export import render

        return render(self.to_dict(validate=False), ("html",))["html"].decode("utf-8")

    def save(self, fp: str | os.PathLike[str] | IO[Any], format: str | None = None, *, scale_factor: float = 1.0,
             **options: Any) -> None:
        """Written by chartspec's renderer, as :func:`chartspec.save` writes a spec: ``format`` one
        of html, svg, png, pdf, json (Vega-Lite), else from ``fp``'s suffix; a PNG drawn at
        ``scale_factor``. ``fp``: a path, or a file object (bytes, or text for html/svg/json).
        Altair's own options (its CDN page template, ``inline``, ...) raise TypeError; an unknown
        format raises ValueError."""
        _no_altair_options("save", options)
        from ..render.atomic import write_atomic
        from ..render.export import render
        from ..render.formats import FORMATS, suffix_format

        name = fp if isinstance(fp, (str, os.PathLike)) else getattr(fp, "name", None)
        fmt = format or (suffix_format(Path(os.fspath(name))) if isinstance(name, (str, os.PathLike)) else None)
        if fmt not in FORMATS or fmt == "fragment":
            raise ValueError(f"cannot tell the format to save as ({fmt!r}): give format= html, svg, png, pdf or json")
        data = render(self.to_dict(validate=False), (fmt,), scale=scale_factor)[fmt]
        if isinstance(fp, (str, os.PathLike)):
            write_atomic(Path(fp), data)
        elif isinstance(fp, io.TextIOBase):
            fp.write(data.decode("utf-8"))
        else:
            fp.write(data)

    def _repr_mimebundle_(self, *args: Any, **kwargs: Any) -> dict[str, str]:
        """Jupyter's display: chartspec's own page, with the Vega it ships (no CDN), in an iframe."""
        from .notebook import mimebundle

        return mimebundle(self.to_dict(validate=False))


class LayerChart(_Composable, alt.LayerChart):
    """A compiled chartspec chart (see the module)."""


class FacetChart(_Composable, alt.FacetChart):
    """A compiled chartspec chart of small multiples (see the module)."""


class HConcatChart(_Composable, alt.HConcatChart):
    """Compiled chartspec charts side by side (see the module)."""


class VConcatChart(_Composable, alt.VConcatChart):
    """Compiled chartspec charts stacked (see the module)."""


class ConcatChart(_Composable, alt.ConcatChart):
    """Compiled chartspec charts in a wrapped grid (see the module)."""


_OURS: dict[type, type] = {alt.LayerChart: LayerChart, alt.FacetChart: FacetChart, alt.HConcatChart: HConcatChart,
                           alt.VConcatChart: VConcatChart, alt.ConcatChart: ConcatChart}


def from_vegalite(vl: dict[str, Any]) -> Any:
    """A chartspec chart of the compiled Vega-Lite ``vl`` (a layer, facet or layout)."""
    vl = dict(vl)
    top = {key: vl.pop(key) for key in TOP_LEVEL_KEYS if key in vl}
    data = vl.pop("data", None)
    kind = next((k for k in ("facet", "hconcat", "vconcat", "concat") if k in vl), "layer")
    chart_class = {"layer": LayerChart, "facet": FacetChart, "hconcat": HConcatChart, "vconcat": VConcatChart,
                   "concat": ConcatChart}[kind]
    # from_dict costs ~0.7 ms per data row; attaching the rows afterwards keeps it cheap.
    chart = chart_class.from_dict(vl, validate=False)
    if data is not None:
        chart.data = alt.InlineData(values=data["values"]) if "values" in data else alt.Data.from_dict(data)
    object.__setattr__(chart, "_chartspec_top", top)
    return chart


def _no_altair_options(method: str, options: dict[str, Any]) -> None:
    if options:
        raise TypeError(f"a chartspec chart's {method}() writes chartspec's offline page and images; "
                        f"Altair's options ({', '.join(sorted(options))}) are not supported")


def _with_top(spec: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with chartspec's top-level keys, under what the spec sets itself (``configure_*``)."""
    if not top:
        return spec
    out = {"$schema": top.get("$schema", spec.get("$schema"))} if "$schema" in top else {}
    out.update({k: v for k, v in top.items() if k != "$schema" and k not in spec})
    for key, value in spec.items():
        out[key] = _merged(top[key], value) if key == "config" and isinstance(top.get(key), dict) else value
    return out


def _merged(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **{k: _merged(base.get(k), v) if k in base else v for k, v in over.items()}}
    return over


def _compose(combine: Any, left: Any, right: Any) -> Any:
    """``combine(left, right)`` with ``right``'s chartspec parameters renamed apart from
    ``left``'s, as one of chartspec's charts, looking like its first chartspec chart."""
    if isinstance(right, SchemaBase):
        right = _distinct(right, _names(left))
    out = combine(right)
    ours = _OURS.get(type(out))
    if ours is None:
        return out
    object.__setattr__(out, "__class__", ours)  # SchemaBase.__setattr__ would make it a property
    top = {**getattr(right, "_chartspec_top", {}), **getattr(left, "_chartspec_top", {})}
    if isinstance(top.get("config"), dict):
        top["config"] = _merged(getattr(right, "_chartspec_top", {}).get("config", {}), top["config"])
    object.__setattr__(out, "_chartspec_top", top)
    return out


def _distinct(chart: Any, used: set[str]) -> Any:
    own = {name for name in _names(chart) if _OWN_NAME.match(name)}
    clashes = sorted(own & used)
    if not clashes:
        return chart
    taken = used | _names(chart)
    renames: dict[str, str] = {}
    for name in clashes:
        stem = _OWN_NAME.sub(r"\1", name)
        renames[name] = next(n for n in (f"{stem}_{i}" for i in range(1, 10_000)) if n not in taken)
        taken.add(renames[name])
    chart = chart.copy(deep=True)
    for node in _nodes(chart):
        for key in ("name", "param"):
            if (old := _text(_get(node, key))) in renames:
                _set(node, key, renames[old])
    return chart


def _nodes(obj: Any) -> Iterator[Any]:
    """Every mapping (an Altair object or a dict) in ``obj``, data rows left out."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, SchemaBase):
            items = item._kwds
        elif isinstance(item, dict):
            items = item
        else:
            if isinstance(item, list):
                stack.extend(reversed(item))
            continue
        yield item
        stack.extend(reversed([v for k, v in items.items() if k not in _DATA_KEYS]))


def _get(node: Any, key: str) -> Any:
    return node._kwds.get(key, Undefined) if isinstance(node, SchemaBase) else node.get(key, Undefined)


def _set(node: Any, key: str, value: Any) -> None:
    if isinstance(node, SchemaBase):
        node._kwds[key] = value
    else:
        node[key] = value


def _text(value: Any) -> str | None:
    """A name as a string, also when Altair wrapped it (``ParameterName('x')``)."""
    if isinstance(value, SchemaBase) and len(value._args) == 1 and not value._kwds:
        value = value._args[0]
    return value if isinstance(value, str) else None


def _params(unit: Any) -> list[Any]:
    params = _get(unit, "params")
    return list(params) if isinstance(params, list) else []


def _names(chart: Any) -> set[str]:
    """The names of ``chart``'s parameters and views (its params are mappings among its nodes)."""
    return {name for node in _nodes(chart) if (name := _text(_get(node, "name")))}


def _is_zoom(param: Any) -> bool:
    return _text(_get(param, "bind")) == "scales"


def _clipped(mark: Any) -> Any:
    if isinstance(mark, SchemaBase) and mark._args:  # Mark('line')
        mark = _text(mark)
    if isinstance(mark, str):
        return {"type": mark, "clip": True}
    if isinstance(mark, dict):
        return {**mark, "clip": True}
    if isinstance(mark, SchemaBase):
        mark._kwds["clip"] = True
    return mark
