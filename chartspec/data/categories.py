"""An x of categories (``type: ordinal`` or ``nominal``) with more of them than the plot can show.

Categories are never reduced (data/reduce.py cuts numbers and dates, where a pixel column means
something): each gets a band or point of its own, and a label. A log's step column read as
categories, 100,000 of them, gave each band 0.006 px and Vega took 282 s to place the labels
(a 37 MB SVG). Such a chart is refused before Vega runs, at its x, with what to write instead;
counted as the layers draw them, after their filters (a filter keeping 400 of 7,000 names draws).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ..errors import Diagnostic
from ..spec.model import ChartSpec
from ..spec.source import SourceMap
from .layerdata import layer_view
from .table import Table

__all__ = ["MAX_CATEGORIES_PER_PX", "category_diagnostics"]

#: categories a CSS pixel of the plot's width may carry (at least 1,000 in all): beyond, bands are
#: a tenth of a pixel and no label can be read
MAX_CATEGORIES_PER_PX = 10


def category_diagnostics(model: ChartSpec, table: Table, layer_tables: Sequence[Table | None],
                         source: SourceMap) -> list[Diagnostic]:
    """An error when the categorical x holds more distinct values than the plot can show."""
    x = model.x
    if x.type not in ("ordinal", "nominal"):
        return []
    limit = max(1000, MAX_CATEGORIES_PER_PX * model.width)
    if _distinct((t.rows for t in (table, *layer_tables) if t is not None), x.field, limit) > limit:
        # as the layers draw them: after their filters and calculates, where Python can run them
        views = []
        for layer in model.layers:
            own = layer_tables[layer.index] if layer.index < len(layer_tables) else None
            views.append(layer_view(own or table, layer, model, own is not None)[0].rows)
        if _distinct(views, x.field, limit) > limit:
            return [source.diagnostic(
                    f"x field {x.field!r} has more than {limit:,} distinct values on its {x.type} axis: each would get "
                    f"under a tenth of a pixel of the {model.width} px plot, and Vega would take minutes placing "
                    "their labels", ("x", "type"),
                    hint="draw x as numbers (type: quantitative) or dates (type: temporal), which chartspec cuts to "
                         "what the pixels show, or aggregate the rows into fewer categories first")]
    return []


def _distinct(tables: Iterable[Iterable[dict[str, Any]]], field: str, limit: int) -> int:
    """How many distinct values of ``field`` the rows hold, counting stops past ``limit``."""
    seen: set[object] = set()
    for rows in tables:
        for row in rows:
            value = row.get(field)
            seen.add(value if isinstance(value, (str, int, float, bool)) or value is None else repr(value))
            if len(seen) > limit:
                return len(seen)
    return len(seen)
