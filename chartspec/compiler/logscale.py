"""Values a log scale cannot place are drawn as missing values, never at the plot's edge.

Vega places zero on a log scale at minus infinity and draws it at an edge (a spike to the top
of the plot when a ``domain`` is set). Each unit layer that draws a field on a log scale (x, y,
and the x2/y2 on the same scales) makes that field null where it is at or below zero, as its last
transform: Vega leaves it out as any missing value. The build's note on it is
data/logscale.py's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from ..data.table import Table

__all__ = ["missing_outside_log"]

_SCALES = {"x": "x", "x2": "x", "y": "y", "y2": "y"}  # each channel and the channel owning its scale
_ESCAPE = re.compile(r"\\(.)")  # common.field_ref's escapes of dots and brackets


def missing_outside_log(layers: list[Any], tables: Sequence[Table]) -> list[Any]:
    """``layers`` (compiled, in place) with fields on log scales made null at or below zero, unless
    ``tables`` (every table the layers draw, after transforms) show them all above zero."""
    for unit in _units(layers):
        encoding = unit.get("encoding", {})
        logs = {c for c in ("x", "y") if encoding.get(c, {}).get("scale", {}).get("type") == "log"}
        fields = [f for f in dict.fromkeys(_ESCAPE.sub(r"\1", encoding[c]["field"]) for c, owner in _SCALES.items()
                                           if owner in logs and isinstance(encoding.get(c, {}).get("field"), str))
                  if not _all_positive(f, tables)]
        if fields:
            unit["transform"] = [*unit.get("transform", []), *map(_null_at_or_below_zero, fields)]
    return layers


def _all_positive(field: str, tables: Sequence[Table]) -> bool:
    """Whether every value of ``field`` is known here and above zero (no transform is left to add)."""
    holding = [t for t in tables if field in t.columns]
    return bool(holding) and all(field not in t.derived and all(v > 0 for v in t.numbers(field)) for t in holding)


def _null_at_or_below_zero(field: str) -> dict[str, str]:
    value = f"datum[{json.dumps(field)}]"
    return {"calculate": f"isValid({value}) && {value} > 0 ? {value} : null", "as": field}


def _units(layers: list[Any]) -> Iterator[dict[str, Any]]:
    for item in layers:
        if isinstance(item, dict) and "layer" in item:
            yield from _units(item["layer"])
        elif isinstance(item, dict) and "mark" in item:
            yield item
