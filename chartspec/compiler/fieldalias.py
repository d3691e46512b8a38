"""Columns whose names hold a backslash, drawn under an alias Vega can read.

Vega reads a field name as an access path in which a backslash makes the next character plain, so a
column ``gpu\\util`` is the field ``gpu\\\\util`` (compiler/common.field_ref). Vega-Lite (6.4) keeps
that escape in the expressions it writes (``datum["gpu\\\\util"]``) but drops it when it passes a
field on to Vega's encoders, scales and selections, which then read ``gpuutil``: a line flat along
the top, axes from NaN to NaN. No escaping survives both routes, so every view that encodes such a
column first copies it, by an expression (which reads the real name), into an alias without
backslashes (``__gpu⧵util``, U+29F5, under chartspec's reserved ``__`` prefix so that no column
of the data is overwritten) and encodes the alias; the channel keeps the real name as title.
The alias holds no other character an access path reads either (quotes, dots, brackets: lookalikes),
as Vega-Lite reads a calculate's ``as`` as a path too (``q⧵"x`` is "missing closing quote").
"""

from __future__ import annotations

import re
from typing import Any

from .common import expr_string, field_ref

__all__ = ["ALIAS_MARK", "alias_backslash_fields"]

#: what stands for a backslash in an alias: U+29F5 REVERSE SOLIDUS OPERATOR, a lookalike
ALIAS_MARK = "\u29f5"
#: an alias' lookalikes of the access path's characters (fullwidth quotes and brackets, one dot leader)
_LOOKALIKES = str.maketrans({"\\": ALIAS_MARK, '"': "\uff02", "'": "\uff07", ".": "\u2024",
                             "[": "\uff3b", "]": "\uff3d"})
_UNESCAPE = re.compile(r"\\(.)", re.DOTALL)  # undo field_ref


def alias_backslash_fields(node: Any) -> Any:
    """Alias every encoded (and facet or point-selection) field naming a column with a backslash,
    in place, in every view of the compiled Vega-Lite ``node``; returns ``node``."""
    if isinstance(node, dict):
        aliases: dict[str, str] = {}
        for definition in (node.get("encoding") or {}).values():
            for item in definition if isinstance(definition, list) else [definition]:
                _alias(item, aliases)
        facet = node.get("facet")
        if isinstance(facet, dict):
            for item in (facet.values() if ("row" in facet or "column" in facet) else [facet]):
                _alias(item, aliases)
        for param in node.get("params") or ():
            select = param.get("select") if isinstance(param, dict) else None
            if isinstance(select, dict) and isinstance(select.get("fields"), list):
                select["fields"] = [_alias_name(f, aliases) if isinstance(f, str) else f for f in select["fields"]]
        if aliases:  # after the view's own transforms: a calculated column is aliased too
            node["transform"] = [*node.get("transform", []),
                                 *({"calculate": f"datum[{expr_string(name)}]", "as": alias}
                                   for alias, name in aliases.items())]
        for key, value in node.items():
            if key not in ("data", "datasets"):  # rows hold no views
                alias_backslash_fields(value)
    elif isinstance(node, list):
        for value in node:
            alias_backslash_fields(value)
    return node


def _alias(item: Any, aliases: dict[str, str]) -> None:
    """One channel (or facet) definition: its field aliased, the real name kept as its title."""
    if not isinstance(item, dict):
        return
    if isinstance(item.get("condition"), dict):
        _alias(item["condition"], aliases)
    field = item.get("field")
    if not isinstance(field, str):
        return
    name = _UNESCAPE.sub(r"\1", field)
    if "\\" in name:
        item["field"] = field_ref(_alias_name(name, aliases))
        item.setdefault("title", name)


def _alias_name(name: str, aliases: dict[str, str]) -> str:
    """The alias of the column ``name`` (unescaped), recorded in ``aliases``; other names as they are."""
    if "\\" not in name:
        return name
    # "__": names no column may have (data/header.py refuses them), so an alias never overwrites one
    alias = "__" + name.translate(_LOOKALIKES)
    aliases[alias] = name
    return alias
