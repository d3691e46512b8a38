"""The typed model built from a schema-valid mapping: ``from_mapping(raw) -> ChartSpec``.

Runs after JSON Schema validation, so it may assume the shapes the schema guarantees. Each
feature's own parser (transforms, annotations, facet, band) lives beside its dataclasses; a band
with ``extent:`` is rewritten here into ordinary transforms (see :mod:`chartspec.spec.extents`).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ..errors import JsonPath
from .annotations import parse_annotations
from .extents import EXTENTS, LOWER_FIELD, UPPER_FIELD
from .layout import parse_facet
from .marks import parse_band, parse_text_style
from .model import (
    DEFAULT_BACKGROUND,
    DEFAULT_GRID_COLOR,
    DEFAULT_HEIGHT,
    DEFAULT_LEGEND_POSITION,
    DEFAULT_POINT_SIZE,
    DEFAULT_STROKE_WIDTH,
    DEFAULT_WIDTH,
    Axis,
    ChartSpec,
    DataSource,
    Grid,
    HeatColor,
    Interactive,
    Layer,
    Legend,
    SeriesByField,
    YAxis,
)
from .smoothing import DEFAULT_RAW_OPACITY, Smooth
from .transforms import Aggregate, AggregateOp, Calculate, Transform, parse_transforms


def _color_field(raw: Any) -> tuple[SeriesByField | None, HeatColor | None]:
    if not isinstance(raw, dict):
        return None, None
    if raw.get("type", "nominal") == "quantitative":
        return None, HeatColor(field=raw["field"], scheme=raw.get("scheme", "viridis"),
                               title=raw.get("title", raw["field"]), format=raw.get("format"))
    return SeriesByField(field=raw["field"], scheme=raw.get("scheme")), None


def _interactive(raw: Any) -> Interactive:
    if raw is None:
        return Interactive()
    if isinstance(raw, bool):
        return Interactive(zoom="x") if raw else Interactive(tooltip=False, hover_rule=False, zoom=None)
    return Interactive(tooltip=raw.get("tooltip", True), hover_rule=raw.get("hover_rule", True),
                       zoom=raw.get("zoom") or None)


def _axis_fields(raw: dict[str, Any], path: JsonPath) -> dict[str, Any]:
    domain = raw.get("domain")
    step = raw.get("tick_step")  # a number, or a time interval on a temporal axis ({month: 3})
    return {
        "field": raw["field"],
        "title": raw.get("title", raw["field"]),
        "type": raw.get("type", "quantitative"),
        "scale": raw.get("scale", "linear"),
        "domain": (float(domain[0]), float(domain[1])) if domain else None,
        "tick_step": float(step) if isinstance(step, (int, float)) else None,
        "tick_interval": next(iter(step.items())) if isinstance(step, dict) else None,
        "format": raw.get("format"),
        "grid": raw.get("grid"),
        "json_path": path,
        "exponent": raw.get("exponent"),
        "nice": raw.get("nice"),
        "zero": raw.get("zero"),
        "reverse": raw.get("reverse", False),
        "clamp": raw.get("clamp", False),
        "values": tuple(raw["values"]) if "values" in raw else None,
        "label_angle": raw.get("label_angle"),
        "time_unit": raw.get("time_unit"),
    }


def _layer(raw: dict[str, Any], index: int) -> Layer:
    path: JsonPath = ("layers", index)
    y_raw = raw["y"]
    y = YAxis(**_axis_fields(y_raw, path + ("y",)), axis=y_raw.get("axis", y_raw["field"]),
              side=y_raw.get("side"), color_axis=y_raw.get("color_axis", True))
    point = raw.get("point", False)
    dash = raw.get("stroke_dash")
    return Layer(
        index=index,
        mark=raw.get("mark", "line"),
        y=y,
        name=raw.get("name") or y.title or y.field,
        color=raw.get("color") if isinstance(raw.get("color"), str) else None,
        point="circle" if point is True else (point or None),
        point_size=float(raw.get("point_size", DEFAULT_POINT_SIZE)),
        stroke_width=float(raw.get("stroke_width", DEFAULT_STROKE_WIDTH)),
        stroke_dash=tuple(float(d) for d in dash) if dash else None,
        opacity=raw.get("opacity"),
        interpolate=raw.get("interpolate"),
        json_path=path,
        data=_data(raw["data"], path + ("data",)) if "data" in raw else None,
        transform=parse_transforms(raw.get("transform"), path + ("transform",)),
        smooth=_smooth(raw.get("smooth")),
        reduce=raw.get("reduce"),
        duplicates=raw.get("duplicates"),
        gaps=raw.get("gaps"),
        series=_color_field(raw.get("color"))[0],
        text=raw.get("text"),
        text_format=raw.get("text_format"),
        band=parse_band(raw.get("band")),
        heat=_color_field(raw.get("color"))[1],
        text_style=parse_text_style(raw),
        label=raw.get("label"),
    )


def _smooth(raw: dict[str, Any] | None) -> Smooth | None:
    if raw is None:
        return None
    return Smooth(ema=float(raw["ema"]), show_raw=raw.get("show_raw", True),
                  raw_opacity=float(raw.get("raw_opacity", DEFAULT_RAW_OPACITY)))


def _data(raw: Any, base: JsonPath = ("data",)) -> DataSource:
    if isinstance(raw, str):
        return DataSource(path=raw, format=None, values=None, json_path=base)
    extra: dict[str, Any] = {"parse": tuple(raw.get("parse", {}).items()), "parse_path": base + ("parse",)}
    if "connection" in raw:  # the query's position: where its errors are reported
        return DataSource(path=None, format=None, values=None, json_path=base + ("connection",),
                          connection=raw["connection"], table=raw.get("table"), sql=raw.get("sql"), **extra)
    if "values" in raw:
        return DataSource(path=None, format=None, values=tuple(raw["values"]), json_path=base + ("values",), **extra)
    if "files" in raw:
        files = raw["files"]
        return DataSource(path=None, format=raw.get("format"), values=None, json_path=base + ("files",),
                          files=(files,) if isinstance(files, str) else tuple(files), as_field=raw.get("as", "file"),
                          **extra)
    return DataSource(path=raw["path"], format=raw.get("format"), values=None, json_path=base + ("path",), **extra)


def _legend(raw: Any) -> Legend:
    if raw is False:
        return Legend(position="none", title=None, explicit=True)
    if raw is None or raw is True:
        return Legend(position=DEFAULT_LEGEND_POSITION, title=None, explicit=raw is True)
    return Legend(position=raw.get("position", DEFAULT_LEGEND_POSITION), title=raw.get("title"),
                  explicit=True, axis_tags=raw.get("axis_tags", False))


def _grid(raw: Any) -> Grid:
    if isinstance(raw, bool) or raw is None:
        return Grid(show=raw is not False, dash=None, color=DEFAULT_GRID_COLOR, width=None)
    dash = raw.get("dash")
    return Grid(show=raw.get("show", True), dash=tuple(float(d) for d in dash) if dash is not None else None,
                color=raw.get("color", DEFAULT_GRID_COLOR), width=raw.get("width"))


def from_mapping(raw: dict[str, Any]) -> ChartSpec:
    """Build the model from a mapping that passed schema validation."""
    facet = parse_facet(raw.get("facet"))
    panels = tuple(f for f in (facet.field, facet.row, facet.column) if f) if facet else ()
    return ChartSpec(
        title=raw.get("title"),
        subtitle=raw.get("subtitle"),
        description=raw.get("description"),
        width=raw.get("width", DEFAULT_WIDTH),
        height=raw.get("height", DEFAULT_HEIGHT),
        background=raw.get("background", DEFAULT_BACKGROUND),
        data=_data(raw["data"]),
        x=Axis(**_axis_fields(raw["x"], ("x",))),
        layers=tuple(with_extent(_layer(layer, i), raw["x"]["field"], panels) for i, layer in enumerate(raw["layers"])),
        legend=_legend(raw.get("legend")),
        grid=_grid(raw.get("grid")),
        vega_lite=raw.get("vega_lite"),
        transform=parse_transforms(raw.get("transform"), ("transform",)),
        facet=facet,
        padding=raw.get("padding"),
        align_ticks=raw.get("align_ticks", False),
        annotations=parse_annotations(raw.get("annotations")),
        theme=raw.get("theme"),
        interactive=_interactive(raw.get("interactive")),
        reduce=raw.get("reduce", True),
        duplicates=raw.get("duplicates", "last"),
        gaps=raw.get("gaps", "auto"),
    )


def _steps(layer: Layer, groupby: tuple[str, ...]) -> tuple[Transform, ...]:
    assert layer.band is not None and layer.band.extent is not None
    y = layer.y.field
    path = layer.json_path + ("band", "extent")
    mean = AggregateOp(op="mean", field=y, as_field=y)
    if layer.band.extent == "minmax":
        ops = (mean, AggregateOp("min", y, LOWER_FIELD), AggregateOp("max", y, UPPER_FIELD))
        return (Aggregate(ops=ops, groupby=groupby, json_path=path),)
    op, times = EXTENTS[layer.band.extent]
    # Named after its statistic: Vega-Lite merges sibling layers' aggregates over the same groupby,
    # and two layers writing different statistics to one name would then share one of them.
    column = f"__band_{op}"
    value, spread = f"datum[{json.dumps(y)}]", f"datum[{json.dumps(column)}]"
    return (Aggregate(ops=(mean, AggregateOp(op, y, column)), groupby=groupby, json_path=path),
            Calculate(expr=f"{value} - {times:g} * {spread}", as_field=LOWER_FIELD, json_path=path),
            Calculate(expr=f"{value} + {times:g} * {spread}", as_field=UPPER_FIELD, json_path=path))


def with_extent(layer: Layer, x_field: str, panels: tuple[str, ...]) -> Layer:
    """``layer`` with the transforms its ``band.extent`` needs after its own (unchanged without one).

    Rows are grouped by x, the layer's series field and ``panels`` (the facet fields): one band
    per line drawn."""
    if layer.band is None or layer.band.extent is None:
        return layer
    groupby = tuple(dict.fromkeys([x_field, *([layer.series.field] if layer.series else []), *panels]))
    return replace(layer, transform=(*layer.transform, *_steps(layer, groupby)))
