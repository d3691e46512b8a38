"""The typed spec model: frozen dataclasses built from a schema-valid mapping.

The compiler reads only these objects, never raw YAML. Every object keeps the JSON path it came
from so later stages can point errors at the right place. Defaults here must match the
``default`` values documented in the schema (a test checks that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .errors import JsonPath

__all__ = ["Axis", "ChartSpec", "DataSource", "Grid", "Layer", "Legend", "YAxis", "from_mapping"]

AxisType = Literal["quantitative", "temporal", "ordinal", "nominal"]
MarkType = Literal["line", "point", "area", "bar"]
LegendPosition = Literal["top-left", "top-right", "bottom-left", "bottom-right",
                         "top", "bottom", "left", "right", "none"]

DEFAULT_WIDTH = 600
DEFAULT_HEIGHT = 360
DEFAULT_BACKGROUND = "white"
DEFAULT_POINT_SIZE = 36.0
DEFAULT_STROKE_WIDTH = 2.0
DEFAULT_GRID_COLOR = "#dddddd"
DEFAULT_LEGEND_POSITION: LegendPosition = "right"


@dataclass(frozen=True)
class DataSource:
    path: str | None
    format: str | None
    values: tuple[dict[str, Any], ...] | None
    json_path: JsonPath


@dataclass(frozen=True)
class Axis:
    field: str
    title: str | None
    type: AxisType
    scale: str
    domain: tuple[float, float] | None
    tick_step: float | None
    format: str | None
    grid: bool | None
    json_path: JsonPath


@dataclass(frozen=True)
class YAxis(Axis):
    axis: str
    side: Literal["left", "right"] | None
    color_axis: bool


@dataclass(frozen=True)
class Layer:
    index: int
    mark: MarkType
    y: YAxis
    name: str
    color: str | None
    point: str | None
    point_size: float
    stroke_width: float
    stroke_dash: tuple[float, ...] | None
    opacity: float | None
    interpolate: str | None
    json_path: JsonPath


@dataclass(frozen=True)
class Legend:
    position: LegendPosition
    title: str | None
    explicit: bool


@dataclass(frozen=True)
class Grid:
    show: bool
    dash: tuple[float, ...] | None
    color: str
    width: float | None


@dataclass(frozen=True)
class ChartSpec:
    title: str | None
    subtitle: str | None
    description: str | None
    width: int
    height: int
    background: str
    data: DataSource
    x: Axis
    layers: tuple[Layer, ...]
    legend: Legend
    grid: Grid
    #: JSON merge patch laid over the compiled Vega-Lite (the escape hatch)
    vega_lite: dict[str, Any] | None = None


def _axis_fields(raw: dict[str, Any], path: JsonPath) -> dict[str, Any]:
    domain = raw.get("domain")
    return {
        "field": raw["field"],
        "title": raw.get("title", raw["field"]),
        "type": raw.get("type", "quantitative"),
        "scale": raw.get("scale", "linear"),
        "domain": (float(domain[0]), float(domain[1])) if domain else None,
        "tick_step": float(raw["tick_step"]) if "tick_step" in raw else None,
        "format": raw.get("format"),
        "grid": raw.get("grid"),
        "json_path": path,
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
        color=raw.get("color"),
        point="circle" if point is True else (point or None),
        point_size=float(raw.get("point_size", DEFAULT_POINT_SIZE)),
        stroke_width=float(raw.get("stroke_width", DEFAULT_STROKE_WIDTH)),
        stroke_dash=tuple(float(d) for d in dash) if dash else None,
        opacity=raw.get("opacity"),
        interpolate=raw.get("interpolate"),
        json_path=path,
    )


def _data(raw: Any) -> DataSource:
    if isinstance(raw, str):
        return DataSource(path=raw, format=None, values=None, json_path=("data",))
    if "values" in raw:
        return DataSource(path=None, format=None, values=tuple(raw["values"]), json_path=("data", "values"))
    return DataSource(path=raw["path"], format=raw.get("format"), values=None, json_path=("data", "path"))


def _legend(raw: Any) -> Legend:
    if raw is False:
        return Legend(position="none", title=None, explicit=True)
    if raw is None or raw is True:
        return Legend(position=DEFAULT_LEGEND_POSITION, title=None, explicit=raw is True)
    return Legend(position=raw.get("position", DEFAULT_LEGEND_POSITION), title=raw.get("title"),
                  explicit=True)


def _grid(raw: Any) -> Grid:
    if isinstance(raw, bool) or raw is None:
        return Grid(show=raw is not False, dash=None, color=DEFAULT_GRID_COLOR, width=None)
    dash = raw.get("dash")
    return Grid(show=raw.get("show", True), dash=tuple(float(d) for d in dash) if dash is not None else None,
                color=raw.get("color", DEFAULT_GRID_COLOR), width=raw.get("width"))


def from_mapping(raw: dict[str, Any]) -> ChartSpec:
    """Build the model from a mapping that passed schema validation."""
    return ChartSpec(
        title=raw.get("title"),
        subtitle=raw.get("subtitle"),
        description=raw.get("description"),
        width=raw.get("width", DEFAULT_WIDTH),
        height=raw.get("height", DEFAULT_HEIGHT),
        background=raw.get("background", DEFAULT_BACKGROUND),
        data=_data(raw["data"]),
        x=Axis(**_axis_fields(raw["x"], ("x",))),
        layers=tuple(_layer(layer, i) for i, layer in enumerate(raw["layers"])),
        legend=_legend(raw.get("legend")),
        grid=_grid(raw.get("grid")),
        vega_lite=raw.get("vega_lite"),
    )
