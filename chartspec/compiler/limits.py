"""How big a chart may be: the size of its views and image, and the rows a sequence may generate.

A chart's size reaches the renderer whatever wrote it (chartspec's schema caps ``width``, but a
``vega_lite:`` patch or plain Vega-Lite can ask for anything): a 100,000 x 100,000 view asks
resvg for a 40 GB image and the process aborts; a ``sequence`` of 10^9 rows exhausts the engine's
heap. So one set of limits is checked on the compiled Vega-Lite (here, with positions), and the
image size again on the rendered SVG before it becomes a PNG (render/engine.py), which also sees
totals this static check cannot (facets, step-sized views, huge fonts or padding).

Each limit can be raised for a build through an environment variable (the worker processes
inherit it): ``CHARTSPEC_MAX_SIDE``, ``CHARTSPEC_MAX_PIXELS``, ``CHARTSPEC_MAX_ROWS``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..data.images import inline_rows
from ..data.reduce import MAX_DRAWN_ROWS
from ..errors import JsonPath, UsageError
from ..spec.expressions.check import D3_NUMBER_FORMAT, MAX_TEXT
from ..spec.schema import LONG_TEXT_HINT, max_text_length
from .imputes import imputes
from .interactive import LAYER_NAME

__all__ = ["MAX_PIXELS", "MAX_ROWS", "MAX_SIDE", "Finding", "Limits", "limit_findings", "limits"]

#: px: the widest or tallest a view, or the image of a chart (PNG: times its scale), may be
MAX_SIDE = 16_384
#: px: the most pixels a view, or the image of a chart (PNG: width x height x scale^2), may have
MAX_PIXELS = 40_000_000
#: rows a ``sequence`` data generator may make
MAX_ROWS = 1_000_000

ENV = {"side": "CHARTSPEC_MAX_SIDE", "pixels": "CHARTSPEC_MAX_PIXELS", "rows": "CHARTSPEC_MAX_ROWS",
       "drawn": "CHARTSPEC_MAX_DRAWN_ROWS"}


@dataclass(frozen=True)
class Limits:
    side: int = MAX_SIDE
    pixels: int = MAX_PIXELS
    rows: int = MAX_ROWS
    #: rows of inline data a chart hands to Vega, all lists together (data/reduce.py cuts large data first)
    drawn: int = MAX_DRAWN_ROWS

    def hint(self, name: str) -> str:
        return f"raise the limit with the environment variable {ENV[name]} (now {getattr(self, name):,})"


def limits() -> Limits:
    """The limits of this build: the defaults, or what the environment raises them to."""
    values = {}
    for name, variable in ENV.items():
        raw = os.environ.get(variable, "").strip().replace("_", "")
        if not raw:
            continue
        if not raw.isdigit() or int(raw) < 1:
            raise UsageError(f"{variable} must be a positive whole number, not {os.environ[variable]!r}")
        values[name] = int(raw)
    return Limits(**values)


@dataclass(frozen=True)
class Finding:
    """A problem at a path of the compiled Vega-Lite (located in the spec by compiler/origin.py)."""

    path: JsonPath
    message: str
    hint: str | None = None
    key: bool = False
    #: where in the spec, when ``path`` is in what the compiler wrote (rows it inlined): its ``data``
    fallback: JsonPath = ()


def _px(value: float) -> str:
    """A size as people write it: 100,000 (not 1e+05)."""
    return f"{int(value):,}" if math.isfinite(value) and value.is_integer() and abs(value) < 1e15 else f"{value:,.6g}"


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _size(value: Any) -> tuple[float | None, bool]:
    """A width/height setting as (pixels, is-a-step): ``600`` or ``{step: 20}``; None otherwise."""
    if isinstance(value, dict):
        return _number(value.get("step")), True
    return _number(value), False


_VIEW_LISTS = ("layer", "hconcat", "vconcat", "concat")


def _views(node: Any, path: JsonPath) -> Iterator[tuple[dict[str, Any], JsonPath]]:
    """Every view of a specification: the top, layers, concat items, a facet's or repeat's spec."""
    if not isinstance(node, dict):
        return
    yield node, path
    for key in _VIEW_LISTS:
        if isinstance(node.get(key), list):
            for index, item in enumerate(node[key]):
                yield from _views(item, path + (key, index))
    yield from _views(node.get("spec"), path + ("spec",))


def _extent(node: Any) -> tuple[float, float]:
    """The width and height a view takes, from the sizes it writes (unknown ones count 0)."""
    if not isinstance(node, dict):
        return 0.0, 0.0
    (width, width_step), (height, height_step) = (_size(node.get(k)) for k in ("width", "height"))
    width = width if width is not None and not width_step else 0.0
    height = height if height is not None and not height_step else 0.0
    parts = {key: [_extent(item) for item in node[key]] for key in _VIEW_LISTS if isinstance(node.get(key), list)}
    for key, sizes in parts.items():
        widths, heights = [w for w, _ in sizes] or [0.0], [h for _, h in sizes] or [0.0]
        if key == "hconcat":
            width, height = max(width, sum(widths)), max(height, max(heights))
        elif key == "vconcat":
            width, height = max(width, max(widths)), max(height, sum(heights))
        elif key == "layer":
            width, height = max(width, max(widths)), max(height, max(heights))
    return width, height


def limit_findings(vl: dict[str, Any], lim: Limits) -> list[Finding]:
    """What in ``vl`` is bigger than the limits: view sizes and steps, padding, sequences."""
    found: list[Finding] = []

    def side(value: float, where: JsonPath, what: str) -> None:
        if not math.isfinite(value) or value > lim.side:
            found.append(Finding(where, f"{what} is {_px(value)} px: more than the limit of {lim.side:,} px",
                                 lim.hint("side")))

    for view, path in _views(vl, ()):
        for key in ("width", "height"):
            size, step = _size(view.get(key))
            if size is not None:
                side(size, path + (key,) + (("step",) if step else ()), f"the {'step' if step else key}")
        width, height = (_size(view.get(k)) for k in ("width", "height"))
        if width[0] and height[0] and not width[1] and not height[1] and width[0] * height[0] > lim.pixels:
            found.append(Finding(path + ("width",), f"the view is {_px(width[0])} x {_px(height[0])} px: more than the "
                                 f"limit of {lim.pixels:,} pixels", lim.hint("pixels")))
    view_config = vl.get("config", {}).get("view") if isinstance(vl.get("config"), dict) else None
    if isinstance(view_config, dict):
        for key in ("width", "height", "step", "continuousWidth", "continuousHeight", "discreteWidth",
                    "discreteHeight"):
            size, step = _size(view_config.get(key))
            if size is not None:
                side(size, ("config", "view", key) + (("step",) if step else ()), f"config.view.{key}")
    padding = vl.get("padding")
    for where, value in ([(("padding",), padding)] if not isinstance(padding, dict) else
                         [(("padding", k), v) for k, v in padding.items()]):
        if (number := _number(value)) is not None:
            side(number, where, "the padding")
    if not found:  # the sizes of concat items add up
        width, height = _extent(vl)
        key = next((k for k in ("hconcat", "vconcat") if k in vl), None)
        if key is not None:
            if max(width, height) > lim.side or width * height > lim.pixels:
                found.append(Finding((key,), f"the charts of '{key}' take {_px(width)} x {_px(height)} px together: more "
                                     f"than the limit of {lim.side:,} px a side or {lim.pixels:,} pixels",
                                     lim.hint("side" if max(width, height) > lim.side else "pixels"), key=True))
    found += _sequences(vl, (), lim)
    found += _format_widths(vl, ())
    # twice the schema's limit: what chartspec adds to a spec's text (an hline's value, an axis'
    # tag) must not refuse a valid spec; a 30,000-character title of a patch still never draws
    found += _long_texts(vl, (), 2 * max_text_length())
    found += _drawn(vl, lim)
    return found


def _format_widths(node: Any, path: JsonPath) -> list[Finding]:
    """Number formats whose width pads every label to more than :data:`MAX_TEXT` characters.

    d3-format clamps the precision but not the width: ``0100000000f`` makes each tick label 100 MB
    of zeros, and the renderer runs out of memory minutes later. Expressions' ``format()`` calls are
    checked with the same limit (spec/expressions/check.py).
    """
    found: list[Finding] = []
    if isinstance(node, dict):
        fmt = node.get("format")
        if isinstance(fmt, str) and node.get("formatType") not in ("time", "utc"):
            match = D3_NUMBER_FORMAT.match(fmt)
            if match and match.group(6) and int(match.group(6)) > MAX_TEXT:
                found.append(Finding(path + ("format",), f"the number format {fmt[:40]!r} pads every label to "
                                     f"{int(match.group(6)):,} characters: more than the limit of {MAX_TEXT:,}",
                                     "write a width of a few characters (the digits before ',' or '.'), or none"))
        for key, value in node.items():
            if key not in ("usermeta", "values", "datasets"):
                found += _format_widths(value, path + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _format_widths(item, path + (index,))
    return found


_TEXT_KEYS = frozenset({"title", "subtitle", "text"})


def _long_texts(node: Any, path: JsonPath, limit: int, drawn_domain: bool = True) -> list[Finding]:
    """Titles and text literals longer than ``limit``, twice the ``maxLength`` of chartspec's own titles.

    A ``vega_lite:`` patch or plain Vega-Lite is not held to chartspec's schema, and Vega draws a
    30,000-character title for seconds to minutes before the image is refused as too wide
    (render/engine.py). A line of lines (``title: [a, b]``) is checked line by line, and so are the
    values of a scale's domain, which its legend or axis writes, unless its channel has
    ``legend: null`` (``drawn_domain`` False: a colour scale no legend draws). chartspec's own
    legend names, direct labels and panel headers are checked before, with the spec's limit and
    at the spec's key (drawnnames.py).
    """
    found: list[Finding] = []
    if isinstance(node, dict):
        hidden = "legend" in node and node["legend"] is None  # a channel without a legend: its scale's
        for key, value in node.items():
            # a scale's domain values are its legend's or axis' labels
            domain = key == "domain" and path[-1:] == ("scale",) and drawn_domain
            if key in _TEXT_KEYS or domain:
                name = path[-1] if key == "text" and path and path[-1] in _TEXT_KEYS else key  # title: {text}
                what = "a value of the scale's domain (a legend or axis label)" if domain else f"the text of '{name}'"
                hint = "shorten the names in the data (a series' name, a folded column's name)" if domain \
                    else LONG_TEXT_HINT
                found += [Finding(where, f"{what} is {len(text):,} characters long: more than the limit of {limit:,} "
                                  f"for Vega-Lite's own texts (twice the {limit // 2:,} of a spec's)", hint)
                          for where, text in _lines(value, path + (key,)) if len(text) > limit]
            if key not in ("usermeta", "values", "datasets", "tooltip"):  # a tooltip is drawn on hover, alone
                found += _long_texts(value, path + (key,), limit, not (hidden and key == "scale"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _long_texts(item, path + (index,), limit)
    return found


def _lines(value: Any, path: JsonPath) -> list[tuple[JsonPath, str]]:
    """The literal lines of a text setting: a string, a list of them, or ``{value: ...}`` of an encoding."""
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, list):
        return [(path + (i,), v) for i, v in enumerate(value) if isinstance(v, str)]
    if isinstance(value, dict):
        return [(path + (k,), value[k]) for k in ("value", "datum") if isinstance(value.get(k), str)]
    return []


#: the most rows of the hover layer's table left out of the count (16 a pixel of a 1,250 px chart)
HOVER_ROWS = 20_000


def _in_hover_layer(vl: dict[str, Any], where: JsonPath) -> bool:
    """Is the table at ``where`` inside the layer named :data:`LAYER_NAME` (compiler/interactive.py)?"""
    node: Any = vl
    for key in where:
        if isinstance(node, dict) and node.get("name") == LAYER_NAME:
            return True
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            return False
    return False


def _drawn(vl: dict[str, Any], lim: Limits) -> list[Finding]:
    """Inline rows beyond what Vega can draw in reasonable time and memory, located at the largest list."""
    # the hover tooltip's table (the data of chartspec's hover layer) is not drawn in images and
    # holds at most one row a pixel column past 9,600 x values (hovertable.py): counted, exactly
    # 250,000 rows were refused as 250,601. At most HOVER_ROWS of it are left out, so a spec that
    # names a layer so cannot pass the limit with it.
    found = [Finding(imp.path, f"Vega-Lite's impute here fills {imp.groups:,} groups out to {imp.keys:,} x values: "
                     f"{imp.rows:,} rows, more than the limit of {lim.drawn:,}",
                     ("draw the groups without stacking them (stack: null), or " if imp.path[-1:] == ("mark",) else
                      "impute fewer groups or x values (filter or aggregate them first), or ") + lim.hint("drawn"))
             for imp in imputes(vl, lim.drawn) if imp.rows > lim.drawn]
    lists = list(inline_rows(vl))
    total = sum(len(rows) - (min(len(rows), HOVER_ROWS) if _in_hover_layer(vl, where) else 0) for where, rows in lists)
    if total <= lim.drawn:
        return found
    where = max(lists, key=lambda item: len(item[1]))[0]
    return found + [Finding(where, f"the chart hands {total:,} rows of data to Vega: more than the limit of {lim.drawn:,}",
                    "aggregate or sample the data first, or " + lim.hint("drawn"), fallback=("data",))]


def _sequences(node: Any, path: JsonPath, lim: Limits) -> list[Finding]:
    """``data: {sequence: {start, stop, step}}`` making more rows than the limit (at any depth)."""
    found: list[Finding] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "data" and isinstance(value, dict) and isinstance(value.get("sequence"), dict):
                found += _sequence(value["sequence"], path + (key, "sequence"), lim)
            elif key not in ("usermeta", "values", "datasets"):  # not into rows: they cannot hold one
                found += _sequences(value, path + (key,), lim)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            found += _sequences(item, path + (index,), lim)
    return found


def _sequence(sequence: dict[str, Any], path: JsonPath, lim: Limits) -> list[Finding]:
    start, stop = _number(sequence.get("start")), _number(sequence.get("stop"))
    step = _number(sequence.get("step", 1))
    if start is None or stop is None or step is None:
        return []  # the schema check says what is wrong with it
    if not all(map(math.isfinite, (start, stop, step))) or step == 0:
        rows = math.inf
    else:
        rows = max(0.0, math.ceil((stop - start) / step))
    if rows <= lim.rows:
        return []
    count = "endless rows" if math.isinf(rows) else f"{rows:,.0f} rows"
    return [Finding(path, f"the sequence makes {count}: more than the limit of {lim.rows:,}", lim.hint("rows"))]
