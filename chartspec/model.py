"""The typed spec model: frozen dataclasses built from a schema-valid mapping.

The compiler reads only these objects, never raw YAML. Every object keeps the JSON path it came
from so later stages can point errors at the right place. Defaults here must match the
``default`` values documented in the schema (a test checks that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from .errors import JsonPath
from .smoothing import DEFAULT_RAW_OPACITY, Smooth
from .transforms import Transform, parse_transforms
from .layout import Facet, parse_facet
from .annotations import Annotation, parse_annotations
from .extents import with_extent
from .marks import Band, parse_band

__all__ = ["Axis", "ChartSpec", "DataSource", "Grid", "Layer", "Legend", "SeriesByField", "YAxis", "from_mapping"]

AxisType = Literal["quantitative", "temporal", "ordinal", "nominal"]
MarkType = Literal["line", "point", "area", "bar", "rule", "text", "tick", "rect", "errorband"]
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
    #: paths or globs of several files read as one table (see sources.py), and the column naming each file
    files: tuple[str, ...] | None = None
    as_field: str | None = None
    #: (field, strptime format) pairs: text dates parsed to UTC times
    parse: tuple[tuple[str, str], ...] = ()
    parse_path: JsonPath = ("data", "parse")


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
    # scale and axis options (scales.py); None: Vega-Lite's default for the scale
    exponent: float | None = None
    nice: bool | None = None
    zero: bool | None = None
    reverse: bool = False
    clamp: bool = False
    values: tuple[float | str, ...] | None = None
    label_angle: float | None = None


@dataclass(frozen=True)
class YAxis(Axis):
    # defaults only because Axis ends with defaulted fields; from_mapping always sets them
    axis: str = ""
    side: Literal["left", "right"] | None = None
    color_axis: bool = True


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
    #: the layer's own data, replacing the chart's; transforms run before the layer is drawn
    data: DataSource | None = None
    transform: tuple[Transform, ...] = ()
    smooth: Smooth | None = None
    #: ``color: {field: run}``: one series per value of the field (then ``color`` is None)
    series: SeriesByField | None = None
    #: mark 'text': the column whose values are written (marks.py), and their d3 number format
    text: str | None = None
    text_format: str | None = None
    #: marks 'errorband', 'rule', 'rect': the fields the mark spans from and to
    band: Band | None = None
    #: ``color: {field, type: quantitative}`` (then ``color`` and ``series`` are None)
    heat: HeatColor | None = None


@dataclass(frozen=True)
class SeriesByField:
    field: str


@dataclass(frozen=True)
class HeatColor:
    """``color: {field, type: quantitative}``: each mark coloured by a number, a gradient legend."""

    field: str
    scheme: str
    title: str
    format: str | None


def _color_field(raw: Any) -> tuple[SeriesByField | None, HeatColor | None]:
    if not isinstance(raw, dict):
        return None, None
    if raw.get("type", "nominal") == "quantitative":
        return None, HeatColor(field=raw["field"], scheme=raw.get("scheme", "viridis"),
                               title=raw.get("title", raw["field"]), format=raw.get("format"))
    return SeriesByField(field=raw["field"]), None


@dataclass(frozen=True)
class Legend:
    position: LegendPosition
    title: str | None
    explicit: bool
    #: append each entry's axis (" (right axis)") to its label
    axis_tags: bool = False


@dataclass(frozen=True)
class Grid:
    show: bool
    dash: tuple[float, ...] | None
    color: str
    width: float | None


@dataclass(frozen=True)
class Interactive:
    """The defaults are what a chart gets when its spec says nothing: zoom takes over the mouse
    wheel, which scrolls the documentation page a chart sits in, so it is asked for."""

    tooltip: bool = True
    hover_rule: bool = True
    zoom: Literal["x"] | None = None


def _interactive(raw: Any) -> Interactive:
    if raw is None:
        return Interactive()
    if isinstance(raw, bool):
        return Interactive(zoom="x") if raw else Interactive(tooltip=False, hover_rule=False, zoom=None)
    return Interactive(tooltip=raw.get("tooltip", True), hover_rule=raw.get("hover_rule", True),
                       zoom=raw.get("zoom") or None)


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
    #: transforms applied to the chart's data in every layer that uses it
    transform: tuple[Transform, ...] = ()
    #: small multiples: the whole chart once per value of a field (see layout.py)
    facet: Facet | None = None
    #: space around the chart in pixels: one number, or per side
    padding: float | dict[str, float] | None = None
    #: y domains chosen so every y axis has its ticks at the same heights (axes.py)
    align_ticks: bool = False
    #: reference lines, ranges, labels and points at data coordinates (annotations.py)
    annotations: tuple[Annotation, ...] = ()
    #: theme name or file as written (themes.py resolves it); None: the build's theme, else chartspec's
    theme: str | None = None
    #: HTML interactions (interactive.py)
    interactive: Interactive = Interactive()


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
        "exponent": raw.get("exponent"),
        "nice": raw.get("nice"),
        "zero": raw.get("zero"),
        "reverse": raw.get("reverse", False),
        "clamp": raw.get("clamp", False),
        "values": tuple(raw["values"]) if "values" in raw else None,
        "label_angle": raw.get("label_angle"),
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
        series=_color_field(raw.get("color"))[0],
        text=raw.get("text"),
        text_format=raw.get("text_format"),
        band=parse_band(raw.get("band")),
        heat=_color_field(raw.get("color"))[1],
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
    )
