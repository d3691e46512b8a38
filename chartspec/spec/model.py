"""The typed spec model: frozen dataclasses built from a schema-valid mapping.

The compiler reads only these objects, never raw YAML. Every object keeps the JSON path it came
from so later stages can point errors at the right place. Defaults here must match the
``default`` values documented in the schema (a test checks that).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import JsonPath
from .annotations import Annotation
from .layout import Facet
from .marks import Band, TextStyle
from .smoothing import Smooth
from .transforms import Transform

__all__ = ["Axis", "ChartSpec", "DataSource", "Grid", "Layer", "Legend", "SeriesByField", "YAxis"]

AxisType = Literal["quantitative", "temporal", "ordinal", "nominal"]
MarkType = Literal["line", "point", "area", "bar", "rule", "text", "tick", "rect", "errorband"]
Duplicates = Literal["last", "first", "all"]
Gaps = Literal["auto", "connect", "break"]
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
    #: paths or globs of several files read as one table (see data/sources.py), and the column naming each file
    files: tuple[str, ...] | None = None
    as_field: str | None = None
    #: (field, strptime format) pairs: text dates parsed to UTC times
    parse: tuple[tuple[str, str], ...] = ()
    parse_path: JsonPath = ("data", "parse")
    #: a connection named in chartspec.toml, with a table or a SQL query of it (data/connections.py)
    connection: str | None = None
    table: str | None = None
    sql: str | None = None


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
    #: ``tick_step`` written as a time interval (``{month: 3}``): (unit, count); ``tick_step`` is then None
    tick_interval: tuple[str, int] | None = None
    #: x only: Vega-Lite's time unit (``yearmonth``) every date is floored to (data/timeunits.py)
    time_unit: str | None = None


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
    #: reduce this layer's data to what the pixels show (data/reduce.py); None: as the chart says
    reduce: bool | None = None
    #: which of several rows with one x a series draws, and where its line breaks (data/steps.py);
    #: None: as the chart says
    duplicates: Duplicates | None = None
    gaps: Gaps | None = None
    #: mark 'text': where and how its text is written (None: the mark's defaults, compiler/marks.py)
    text_style: TextStyle | None = None
    #: a direct label at the end of each of the layer's lines (compiler/directlabels.py)
    label: Literal["end"] | None = None


@dataclass(frozen=True)
class SeriesByField:
    field: str
    #: a Vega scheme the series take their colours from (compiler/schemes.py); None: the palette
    scheme: str | None = None


@dataclass(frozen=True)
class HeatColor:
    """``color: {field, type: quantitative}``: each mark coloured by a number, a gradient legend."""

    field: str
    scheme: str
    title: str
    format: str | None


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
    #: theme name or file as written (spec/themes.py resolves it); None: the build's theme, else chartspec's
    theme: str | None = None
    #: HTML interactions (compiler/interactive.py)
    interactive: Interactive = Interactive()
    #: reduce large data to what the pixels show before Vega draws it (data/reduce.py)
    reduce: bool = True
    #: the layers' defaults for repeated x values and line breaks (data/steps.py)
    duplicates: Duplicates = "last"
    gaps: Gaps = "auto"

    def __repr__(self) -> str:  # the generated one spells out every layer, axis and default (kilobytes)
        return (f"ChartSpec(title={self.title!r}, x={self.x.field!r}, "
                f"layers={tuple(layer.y.field for layer in self.layers)!r})")


#: which kinds of values each scale draws (``linear`` is also the unset default of every kind)
SCALE_AXIS_TYPES: dict[str, tuple[str, ...]] = {
    "linear": ("quantitative",), "log": ("quantitative",), "symlog": ("quantitative",),
    "sqrt": ("quantitative",), "pow": ("quantitative",), "time": ("temporal",), "utc": ("temporal",),
    "band": ("ordinal", "nominal"), "point": ("ordinal", "nominal"),
}


def axis_names(layers: Sequence[Layer]) -> dict[str, str]:
    """Every name an annotation may use for an axis (id, y field, layer name) -> the axis id."""
    names: dict[str, str] = {}
    for layer in layers:
        for name in (layer.y.axis, layer.y.field, layer.name):
            names.setdefault(name, layer.y.axis)
    return names


def axis_of(annotation: Annotation, layers: Sequence[Layer]) -> str:
    """The axis id an annotation is drawn on (x-only annotations: the first axis' group)."""
    first = layers[0].y.axis
    if annotation.axis is None:
        return first
    return axis_names(layers).get(annotation.axis, first)
