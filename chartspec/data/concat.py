"""Loading several whole charts in one file: ``hconcat:`` (side by side) and ``vconcat:`` (stacked).

Each item is a chart in the same language and is loaded exactly as a spec file is (schema,
data, checks), through a view of the file's source map rooted at the item, so its errors point
at the item's own lines. An item takes every top-level setting it does not set itself (``data``,
``width``, ``height``, ``grid``, ``legend``, ``theme``, ...), except the layout's own title,
subtitle, description, padding and ``vega_lite`` patch. ``theme``, ``background`` and
``padding`` belong to the whole layout (one Vega-Lite config, one canvas), so an item that sets
them is refused rather than silently drawn otherwise. Compiled by :mod:`chartspec.compiler.concat`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ChartspecError, Diagnostic, JsonPath, SpecValidationError
from ..spec.source import SourceMap
from ..spec.validate import _name, schema_diagnostics
from ..spec.yamlload import Document
from .loaded import ConcatSpec, Direction, Spec, in_order
from .table import Table

__all__ = ["ConcatSpec", "load_concat"]

#: top-level keys that belong to the layout itself, not to its items
_LAYOUT_KEYS = ("$schema", "title", "subtitle", "description", "padding", "vega_lite", "hconcat", "vconcat", "layers")
#: item keys Vega-Lite can only honour for the whole layout (its config, background and padding)
_WHOLE_LAYOUT = ("padding", "theme", "background")
#: loads one item's document (path and root as keywords): the loader's own entry point
LoadItem = Callable[..., Spec]


def load_concat(doc: Document, *, path: Path | None, root: Path | None, load_item: LoadItem) -> Spec:
    """Load a layout and every chart in it; raises one error listing every problem of every item.

    ``load_item`` loads one item as a spec file is loaded (the loader passes its own dispatcher)."""
    raw, source = doc.data, doc.source
    direction: Direction = "hconcat" if "hconcat" in raw else "vconcat"
    own = [d for d in schema_diagnostics(raw, source) if d.path or "used together" not in d.message]
    own += _clashes(raw, source)  # instead of the schema's general word on that
    found: list[Diagnostic] = []  # the items' own
    kinds: set[type[ChartspecError]] = set()
    items: list[Spec] = []
    notes: list[Diagnostic] = []  # the items' notes, located in this file
    for index, item in enumerate(raw[direction] if isinstance(raw[direction], list) else ()):
        prefix: JsonPath = (direction, index)
        if not isinstance(item, dict):
            continue  # the schema said what is wrong with it
        # the item is validated again below, with its own source view: keep one report of each
        own = [d for d in own if d.path[:2] != prefix]
        for key in _WHOLE_LAYOUT:  # Vega-Lite pads, paints and themes only the whole layout
            if key in item:
                found.append(source.diagnostic(f"'{key}' applies to the whole layout, not to one chart of it",
                                               prefix + (key,), key=True, hint=f"set '{key}' at the top level"))
        nested = next((k for k in ("hconcat", "vconcat") if k in item), None)
        if nested is not None:  # the compiler lays out charts, not layouts of layouts
            found.append(source.diagnostic(f"a chart of a layout cannot itself be a layout ('{nested}')",
                                           prefix + (nested,), key=True,
                                           hint=f"list its charts in the top-level '{direction}', or use 'facet'"))
            continue
        merged, taken, view = _item(item, raw, source, prefix)
        try:
            items.append(load_item(Document(merged, view), path=path, root=root))
            notes += [_relocated(d, prefix, taken, source.file) for d in items[-1].notes]
        except ChartspecError as err:
            kinds.add(type(err))
            found += [_relocated(d, prefix, taken, source.file) for d in err.diagnostics]
    if own or found:
        # one kind of error in the items alone (say a missing data file) keeps its class
        error_class = kinds.pop() if len(kinds) == 1 and not own else SpecValidationError
        raise error_class(in_order(_unique(own + found), source.file))
    files = tuple(dict.fromkeys(f for item in items for f in item.inputs if f != path))
    model = ConcatSpec(title=raw.get("title"), subtitle=raw.get("subtitle"), description=raw.get("description"),
                       padding=raw.get("padding"), vega_lite=raw.get("vega_lite"), **{direction: tuple(items)})
    fetched = tuple(dict.fromkeys(f for item in items for f in item.fetched))
    return Spec(model=model, table=Table(name="layout", columns=(), rows=(), files=files, fetched=fetched),
                source=source, path=path, notes=tuple(dict.fromkeys(notes)))


def _clashes(raw: dict[str, Any], source: SourceMap) -> list[Diagnostic]:
    clashes = [(k, "hconcat") for k in ("layers", "vconcat") if k in raw and "hconcat" in raw]
    clashes += [("layers", "vconcat")] if "layers" in raw and "vconcat" in raw else []
    return [source.diagnostic(f"'{key}' cannot be used together with '{layout}'", (key,), key=True,
                              hint=f"put 'layers' inside each chart of '{layout}'" if key == "layers" else
                              "nest one inside an item of the other")
            for key, layout in clashes]


def _item(item: dict[str, Any], raw: dict[str, Any], source: SourceMap,
          prefix: JsonPath) -> tuple[dict[str, Any], tuple[str, ...], SourceMap]:
    """The item with the top-level settings it takes, and a source map rooted at the item (taken
    settings keep their top-level positions)."""
    taken = tuple(k for k in raw if k not in _LAYOUT_KEYS and k not in item)
    merged = {**item, **{k: raw[k] for k in taken}}
    n = len(prefix)

    def rooted(positions: dict[JsonPath, Any]) -> dict[JsonPath, Any]:
        out = {p[n:]: pos for p, pos in positions.items() if p[:n] == prefix}
        out.update((p, pos) for p, pos in positions.items() if p[:1] and p[0] in taken)
        return out

    return merged, taken, replace(source, values=rooted(source.values), keys=rooted(source.keys))


def _relocated(d: Diagnostic, prefix: JsonPath, taken: tuple[str, ...], file: str | None) -> Diagnostic:
    """A diagnostic of an item, with the item's path in front (unless it is about a taken setting)."""
    if d.file != file or (d.path[:1] and d.path[0] in taken):
        return d
    path = prefix + tuple(d.path)
    if d.message.startswith("the spec "):
        message = _name(prefix) + d.message[len("the spec"):]
    elif d.path and not d.message.startswith("unknown key"):  # 'layers[0].mark' as seen from the top
        message = d.message.replace(_name(d.path), _name(path))
    else:
        message = d.message
    return replace(d, path=path, message=message)


def _unique(problems: list[Diagnostic]) -> list[Diagnostic]:
    """One diagnostic per place and message: a taken top-level setting is checked in every item."""
    seen: dict[tuple[Any, ...], Diagnostic] = {}
    for d in problems:
        seen.setdefault((d.file, d.line, d.column, d.message, d.severity), d)
    return list(seen.values())


