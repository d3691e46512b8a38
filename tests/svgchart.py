"""Read a chart back out of the SVG that Vega renders: where every axis, mark and legend ends up.

Vega's SVG is a tree of ``<g transform="translate(x,y)">`` groups whose classes name what they
hold (``mark-symbol role-mark``, ``mark-text role-axis-label``, ``mark-group role-legend`` ...).
:func:`parse_svg` walks that tree with ``xml.etree``, composes the transforms on the way down and
returns a :class:`Chart` of :class:`Item` s (text, line and path elements) that know their absolute
position, plus the axes and legends they belong to. The helpers below the classes turn that into
numbers a test can reason about: path vertices, symbol shapes, and linear scales fitted from the
axis ticks, which map a marker's pixel position back to a data value.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Chart", "Item", "Axis", "Legend", "Rect", "LinearFit", "parse_svg", "fit_linear",
           "path_commands", "path_vertices", "symbol_shape", "parse_color", "Glyph", "glyph_parts"]

SVG = "{http://www.w3.org/2000/svg}"
Matrix = tuple[float, float, float, float, float, float]  # SVG order: a b c d e f
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


# -- transforms -------------------------------------------------------------------------------------

def multiply(m: Matrix, n: Matrix) -> Matrix:
    """``m`` then ``n`` applied to a point in ``n``'s frame (i.e. the matrix product m·n)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def parse_transform(text: str | None) -> Matrix:
    """An SVG ``transform`` attribute (translate, rotate, scale, matrix; composed left to right)."""
    matrix = IDENTITY
    for name, args in re.findall(r"(\w+)\s*\(([^)]*)\)", text or ""):
        v = [float(x) for x in re.findall(_NUMBER, args)]
        if name == "translate":
            step: Matrix = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0.0)
        elif name == "scale":
            step = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate":
            t = math.radians(v[0])
            step = (math.cos(t), math.sin(t), -math.sin(t), math.cos(t), 0, 0)
            if len(v) == 3:  # rotate(angle, cx, cy)
                step = multiply(multiply((1, 0, 0, 1, v[1], v[2]), step), (1, 0, 0, 1, -v[1], -v[2]))
        elif name == "matrix":
            step = (v[0], v[1], v[2], v[3], v[4], v[5])
        else:
            raise ValueError(f"unsupported transform {name!r} in {text!r}")
        matrix = multiply(matrix, step)
    return matrix


def apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return (a * x + c * y + e, b * x + d * y + f)


# -- paths and colours ------------------------------------------------------------------------------

_ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


def path_commands(d: str) -> list[tuple[str, list[float]]]:
    """Split path data into ``(command, args)``, one entry per segment (implicit repeats split)."""
    tokens = re.findall(rf"[MmLlHhVvCcSsQqTtAaZz]|{_NUMBER}", d)
    out: list[tuple[str, list[float]]] = []
    i, cmd = 0, ""
    while i < len(tokens):
        if tokens[i].isalpha():
            cmd = tokens[i]
            i += 1
            if cmd in "Zz":
                out.append((cmd, []))
                continue
        n = _ARITY[cmd.upper()]
        args = [float(t) for t in tokens[i:i + n]]
        if len(args) != n:
            raise ValueError(f"truncated path data: {d!r}")
        out.append((cmd, args))
        i += n
        if cmd == "M":  # further pairs after a moveto are linetos
            cmd = "L"
        elif cmd == "m":
            cmd = "l"
    return out


def path_vertices(d: str) -> list[tuple[float, float]]:
    """The end point of every segment, in the path's own (untransformed) coordinates."""
    x = y = 0.0
    start = (0.0, 0.0)
    points: list[tuple[float, float]] = []
    for cmd, args in path_commands(d):
        rel = cmd.islower()
        op = cmd.upper()
        if op == "Z":
            x, y = start
            continue
        if op == "H":
            x = args[0] + (x if rel else 0)
        elif op == "V":
            y = args[0] + (y if rel else 0)
        else:
            x, y = (args[-2] + x, args[-1] + y) if rel else (args[-2], args[-1])
        if op == "M":
            start = (x, y)
        points.append((x, y))
    return points


def symbol_shape(d: str) -> str:
    """'circle', 'square' or 'other' for a Vega symbol path (centred on its origin).

    Vega draws a circle as two half-circle arcs (``M r,0 A r,r,0,1,1,-r,0 A ...``) and a square
    as an axis-aligned rectangle (``M -s,-s h 2s v 2s h -2s Z``).
    """
    commands = path_commands(d)
    ops = [cmd.upper() for cmd, _ in commands]
    if ops[0] == "M" and set(ops[1:]) <= {"A", "Z"} and ops.count("A") >= 2:
        radii = {(round(args[0], 6), round(args[1], 6)) for cmd, args in commands if cmd.upper() == "A"}
        if len(radii) == 1 and len({r for pair in radii for r in pair}) == 1:
            return "circle"
        return "other"
    if set(ops) <= {"M", "L", "H", "V", "Z"}:
        corners = list(dict.fromkeys((round(x, 6), round(y, 6)) for x, y in path_vertices(d)))
        xs, ys = {x for x, _ in corners}, {y for _, y in corners}
        if len(corners) == 4 and len(xs) == 2 and len(ys) == 2:
            width, height = max(xs) - min(xs), max(ys) - min(ys)
            return "square" if math.isclose(width, height, rel_tol=1e-6) else "rect"
    return "other"


def parse_color(value: str | None) -> tuple[int, int, int] | None:
    """``#rgb`` / ``#rrggbb`` / ``rgb(r,g,b)`` / 'white' / 'black' to an RGB triple."""
    if not value or value == "none":
        return None
    value = value.strip().lower()
    named = {"white": (255, 255, 255), "black": (0, 0, 0)}
    if value in named:
        return named[value]
    if m := re.fullmatch(r"#([0-9a-f]{3})", value):
        return tuple(int(ch * 2, 16) for ch in m.group(1))  # type: ignore[return-value]
    if m := re.fullmatch(r"#([0-9a-f]{6})", value):
        h = m.group(1)
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    if m := re.fullmatch(r"rgb\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*\)", value):
        return (int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(f"unknown colour {value!r}")


# -- the model --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rect:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def contains(self, x: float, y: float, tol: float = 0.0) -> bool:
        return self.left - tol <= x <= self.right + tol and self.top - tol <= y <= self.bottom + tol

    def contains_rect(self, other: Rect, tol: float = 0.0) -> bool:
        return self.contains(other.left, other.top, tol) and self.contains(other.right, other.bottom, tol)

    @staticmethod
    def around(points: list[tuple[float, float]]) -> Rect:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return Rect(min(xs), min(ys), max(xs), max(ys))


@dataclass
class Item:
    """One drawn element (``text``, ``line`` or ``path``) with its absolute transform."""

    tag: str
    attrib: dict[str, str]
    matrix: Matrix
    text: str
    role: str  # from the enclosing mark group's ``role-*`` class: 'axis-label', 'mark', ...
    mark: str  # from its ``mark-*`` class: 'text', 'rule', 'symbol', 'line', ...
    group_classes: tuple[str, ...]  # every class of the enclosing mark group
    order: int  # document (= painting) order

    @property
    def x(self) -> float:
        """Absolute x of the element's origin (text anchor, symbol centre, line start)."""
        return self.matrix[4]

    @property
    def y(self) -> float:
        return self.matrix[5]

    @property
    def fill(self) -> str | None:
        return self.attrib.get("fill")

    @property
    def stroke(self) -> str | None:
        return self.attrib.get("stroke")

    @property
    def direction(self) -> tuple[float, float]:
        """Unit vector along the element's local x axis: a text's reading direction."""
        a, b = self.matrix[0], self.matrix[1]
        norm = math.hypot(a, b)
        return (round(a / norm, 9), round(b / norm, 9))

    def line_ends(self) -> tuple[tuple[float, float], tuple[float, float]]:
        assert self.tag == "line", f"not a <line>: {self.tag}"
        get = lambda name: float(self.attrib.get(name, 0))  # noqa: E731
        return (apply(self.matrix, get("x1"), get("y1")), apply(self.matrix, get("x2"), get("y2")))

    @property
    def is_vertical(self) -> bool:
        (x1, y1), (x2, y2) = self.line_ends()
        return abs(x1 - x2) < 1e-6 and abs(y1 - y2) > 1e-6

    @property
    def is_horizontal(self) -> bool:
        (x1, y1), (x2, y2) = self.line_ends()
        return abs(y1 - y2) < 1e-6 and abs(x1 - x2) > 1e-6

    @property
    def dasharray(self) -> list[float] | None:
        value = self.attrib.get("stroke-dasharray")
        return [float(v) for v in re.findall(_NUMBER, value)] if value else None

    def vertices(self) -> list[tuple[float, float]]:
        """Absolute end points of a path's segments."""
        return [apply(self.matrix, x, y) for x, y in path_vertices(self.attrib.get("d", ""))]

    def bbox(self) -> Rect:
        if self.tag == "line":
            return Rect.around(list(self.line_ends()))
        return Rect.around(self.vertices())

    @property
    def shape(self) -> str:
        return symbol_shape(self.attrib["d"])


@dataclass
class Axis:
    """One ``role-axis`` group. Vega draws the grid in a group of its own, with no labels."""

    aria_label: str
    labels: list[Item] = field(default_factory=list)
    ticks: list[Item] = field(default_factory=list)
    grid: list[Item] = field(default_factory=list)
    domain: list[Item] = field(default_factory=list)
    titles: list[Item] = field(default_factory=list)

    @property
    def title(self) -> str:
        return " ".join(t.text for t in self.titles)

    @property
    def title_item(self) -> Item:
        assert len(self.titles) == 1, f"axis {self.aria_label!r} has {len(self.titles)} title items"
        return self.titles[0]

    @property
    def label_texts(self) -> list[str]:
        return [label.text for label in self.labels]

    @property
    def is_horizontal(self) -> bool:
        assert len(self.domain) == 1, f"axis {self.aria_label!r} has {len(self.domain)} domain lines"
        return self.domain[0].is_horizontal

    def tick_positions(self) -> list[float]:
        """Position of each tick along the axis: x for a horizontal axis, y for a vertical one."""
        return [t.x if self.is_horizontal else t.y for t in self.ticks]

    def label_positions(self) -> list[float]:
        return [t.x if self.is_horizontal else t.y for t in self.labels]

    def scale(self) -> LinearFit:
        """Pixel -> value, fitted from each tick's position and the number its label shows."""
        assert len(self.ticks) == len(self.labels) >= 2, (
            f"axis {self.title!r}: {len(self.ticks)} ticks for {len(self.labels)} labels")
        values = [float(label.text.replace(",", "").replace("\u2212", "-")) for label in self.labels]  # d3's minus
        return fit_linear(self.tick_positions(), values)


@dataclass
class Legend:
    background: Item | None
    labels: list[Item] = field(default_factory=list)
    symbols: list[Item] = field(default_factory=list)

    @property
    def entries(self) -> list[tuple[str, Item]]:
        assert len(self.labels) == len(self.symbols), "legend labels and symbols do not pair up"
        return [(label.text, symbol) for label, symbol in zip(self.labels, self.symbols)]

    def bbox(self) -> Rect:
        if self.background is not None:
            return self.background.bbox()
        return Rect.around([(item.x, item.y) for item in self.labels + self.symbols])


@dataclass
class Chart:
    width: float
    height: float
    items: list[Item]
    axes_all: list[Axis]
    legends: list[Legend]
    frame: Rect | None

    def by_role(self, role: str, mark: str | None = None) -> list[Item]:
        return [i for i in self.items if i.role == role and (mark is None or i.mark == mark)]

    def texts(self, role: str) -> list[str]:
        return [i.text for i in self.by_role(role) if i.tag == "text"]

    @property
    def axes(self) -> list[Axis]:
        """The labelled axes (grid-only groups left out)."""
        return [a for a in self.axes_all if a.labels or a.titles]

    def axis(self, title: str) -> Axis:
        found = [a for a in self.axes if a.title == title]
        assert len(found) == 1, f"expected one axis titled {title!r}, found titles {[a.title for a in self.axes]}"
        return found[0]

    @property
    def grid_lines(self) -> list[Item]:
        return [g for a in self.axes_all for g in a.grid]

    @property
    def plot(self) -> Rect:
        assert self.frame is not None, "no root frame (role-frame root) in the SVG"
        return self.frame

    def mark_groups(self, mark: str) -> dict[tuple[str, ...], list[Item]]:
        """Data marks of one kind ('line', 'symbol', ...) keyed by their mark group's classes."""
        groups: dict[tuple[str, ...], list[Item]] = {}
        for item in self.items:
            if item.role == "mark" and item.mark == mark:
                groups.setdefault(item.group_classes, []).append(item)
        return groups


def _classes(el: ET.Element) -> list[str]:
    return (el.get("class") or "").split()


def _local(tag: str) -> str:
    return tag[len(SVG):] if tag.startswith(SVG) else tag


def parse_svg(source: str | Path) -> Chart:
    """Parse Vega's SVG (a path or the SVG text itself) into a :class:`Chart`."""
    text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
    root = ET.fromstring(text)
    assert _local(root.tag) == "svg", f"root element is {root.tag}, not svg"
    items: list[Item] = []
    axes: list[Axis] = []
    legends: list[Legend] = []
    frames: list[Rect] = []

    def walk(el: ET.Element, matrix: Matrix, group: tuple[str, ...], axis: Axis | None,
             legend: Legend | None) -> None:
        tag = _local(el.tag)
        matrix = multiply(matrix, parse_transform(el.get("transform")))
        classes = _classes(el)
        if tag == "g" and "mark-group" in classes and "role-axis" in classes:
            axis = Axis(aria_label=el.get("aria-label", ""))
            axes.append(axis)
        elif tag == "g" and "mark-group" in classes and "role-legend" in classes:
            legend = Legend(background=None)
            legends.append(legend)
        if tag == "g" and any(c.startswith("mark-") for c in classes):
            group = tuple(classes)
        if tag in ("text", "line", "path", "rect") and "background" not in classes and "foreground" not in classes:
            role = next((c[5:] for c in group if c.startswith("role-")), "")
            mark = next((c[5:] for c in group if c.startswith("mark-")), "")
            content = "".join(el.itertext()) if tag == "text" else ""
            item = Item(tag, dict(el.attrib), matrix, content, role, mark, group, len(items))
            items.append(item)
            if axis is not None:
                bucket = {"axis-label": axis.labels, "axis-tick": axis.ticks, "axis-grid": axis.grid,
                          "axis-domain": axis.domain, "axis-title": axis.titles}.get(role)
                if bucket is not None:
                    bucket.append(item)
            if legend is not None:
                if role == "legend-label":
                    legend.labels.append(item)
                elif role == "legend-symbol":
                    legend.symbols.append(item)
        elif tag == "path" and "background" in classes:
            # The first background inside a legend group is the legend's box; inside the root
            # frame, it is the plot area.
            if legend is not None and legend.background is None and el.get("fill"):
                legend.background = Item(tag, dict(el.attrib), matrix, "", "legend", "group", group,
                                         len(items))
            if "role-frame" in group and "root" in group and not frames:
                box = Rect.around([apply(matrix, x, y) for x, y in path_vertices(el.get("d", ""))])
                # Vega offsets the frame outline by half a pixel for a crisp 1px stroke; the
                # plot area itself starts at the frame group's origin.
                frames.append(Rect(matrix[4], matrix[5], matrix[4] + round(box.width), matrix[5] + round(box.height)))
        for child in el:
            walk(child, matrix, group, axis, legend)

    walk(root, IDENTITY, (), None, None)
    return Chart(width=float(root.get("width", "nan")), height=float(root.get("height", "nan")), items=items,
                 axes_all=axes, legends=legends, frame=frames[0] if frames else None)


# -- scales -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LinearFit:
    """value = slope * pixel + intercept, least-squares fitted; ``max_residual`` in pixels."""

    slope: float
    intercept: float
    max_residual: float

    def value(self, pixel: float) -> float:
        return self.slope * pixel + self.intercept

    def pixel(self, value: float) -> float:
        return (value - self.intercept) / self.slope


def fit_linear(pixels: list[float], values: list[float]) -> LinearFit:
    n = len(pixels)
    assert n == len(values) >= 2
    mx, my = sum(pixels) / n, sum(values) / n
    sxx = sum((x - mx) ** 2 for x in pixels)
    assert sxx > 0, "all ticks at the same position"
    slope = sum((x - mx) * (y - my) for x, y in zip(pixels, values)) / sxx
    intercept = my - slope * mx
    residual = max(abs((y - intercept) / slope - x) for x, y in zip(pixels, values))
    return LinearFit(slope, intercept, residual)


@dataclass(frozen=True)
class Glyph:
    """A legend glyph read back: the x ranges of its stroke's dashes and the marker drawn on it."""

    dashes: list[tuple[float, float]]
    marker: str | None  # symbol_shape of the marker, 'stroke' for a short lone stroke, None for none
    marker_width: float
    #: px: the height of dashes drawn filled (thin rectangles, a thinner entry's stroke); 0 for lines
    thickness: float = 0.0


def glyph_parts(d: str) -> Glyph:
    """Split a legend symbol path into horizontal stroke pieces and the marker (chartspec's glyphs).

    A glyph is subpaths: open horizontal segments on the centre line (the dashes) and one closed
    marker path; a path that is one short horizontal segment alone is a 'stroke' marker. An entry
    drawn filled (thinner than its legend's stroke width) has thin rectangles centred on the line
    for dashes: wider than high, unlike a square marker."""
    subpaths = [p for p in re.split(r"(?=[Mm])", d.strip()) if p]
    dashes: list[tuple[float, float]] = []
    marker_parts: list[str] = []
    thickness = 0.0
    for sub in subpaths:
        ops = {cmd.upper() for cmd, _ in path_commands(sub)}
        points = path_vertices(sub)
        box = Rect.around(points)
        if ops <= {"M", "L", "H"} and len(points) == 2 and math.isclose(points[0][1], points[1][1], abs_tol=1e-6):
            dashes.append((min(points[0][0], points[1][0]), max(points[0][0], points[1][0])))
        elif (symbol_shape(sub) == "rect" and math.isclose(box.top, -box.bottom, abs_tol=1e-6)
              and box.width > box.height):
            dashes.append((box.left, box.right))
            thickness = box.height
        else:
            marker_parts.append(sub)
    if not marker_parts:
        return Glyph(dashes, None, 0.0, thickness)
    marker_d = "".join(marker_parts)
    points = path_vertices(marker_d)
    xs = [x for x, _ in points]
    shape = symbol_shape(marker_d)
    if shape == "other" and {cmd.upper() for cmd, _ in path_commands(marker_d)} <= {"M", "C", "Z"}:
        # Vega writes a custom path's arcs as cubic Béziers: a circle when every end point is on it
        ends = list(dict.fromkeys((round(x, 6), round(y, 6)) for x, y in points))
        cx, cy = sum(x for x, _ in ends) / len(ends), sum(y for _, y in ends) / len(ends)
        radii = [math.hypot(x - cx, y - cy) for x, y in ends]
        shape = "circle" if max(radii) - min(radii) < 1e-3 * max(radii) else "other"
    return Glyph(dashes, shape, max(xs) - min(xs), thickness)
