"""The model of a chart's layout: ``facet:`` (small multiples), and whether a file is a layout.

Several whole charts in one file (``hconcat:`` / ``vconcat:``) are loaded by
:mod:`chartspec.data.concat`; facets are compiled by :mod:`chartspec.compiler.layout`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, JsonPath

if TYPE_CHECKING:
    from .yamlload import Document

__all__ = ["Facet", "is_layout", "missing_data", "parse_facet"]

_PATH: JsonPath = ("facet",)


@dataclass(frozen=True)
class Facet:
    """Which fields split the chart into panels: ``field`` wrapped into ``columns``, or a grid."""

    field: str | None
    columns: int | None
    row: str | None
    column: str | None
    title: str | None
    #: "ascending", "descending" or the panel values in order
    sort: str | tuple[Any, ...] = "ascending"


def parse_facet(raw: dict[str, Any] | None) -> Facet | None:
    if raw is None:
        return None
    sort = raw.get("sort", "ascending")
    return Facet(field=raw.get("field"), columns=raw.get("columns"), row=raw.get("row"),
                 column=raw.get("column"), title=raw.get("title"), sort=tuple(sort) if isinstance(sort, list) else sort)


def is_layout(raw: dict[str, Any]) -> bool:
    """Whether a spec mapping is several charts in one file (``hconcat`` / ``vconcat``)."""
    return "hconcat" in raw or "vconcat" in raw


def missing_data(doc: Document) -> list[Diagnostic]:
    """A single chart must name its data (a layout's items may take the top-level one instead,
    which is why the schema cannot require it)."""
    if "data" in doc.data:
        return []
    return [doc.source.diagnostic("the spec is missing the required key 'data'", (), key=True,
                                  hint="add e.g. 'data: data/metrics.csv' (a path relative to the spec)")]
