"""Every Vega expression of the compiled Vega-Lite, checked as Vega would check it (spec/expressions/).

Whoever wrote an expression (a spec's transform, a ``vega_lite:`` patch, a plain Vega-Lite file,
chartspec itself), it is checked here, where the whole chart is known: the signals an expression
may read are the params the output defines (chartspec's hover and zoom selections included), the
names Vega-Lite derives from them (``brush_x``, ``brush_tuple``), and the view's own signals
(``width``, ``height``, ``padding``, ``autosize``, ``background``, ``child_width``, ``x_step`` ...).
A spec's transforms were checked for everything else when the spec was loaded; here only their
names can still be refused. Each problem is reported where the spec writes the expression.

A selection's event selectors (``on``, ``clear``, ``translate``, ``zoom``) and a legend binding's
are read too: their ``[...]`` filters are expressions (spec/expressions/events.py), as are the
``filter`` lists of event stream objects there. ``event`` and
``item`` are refused in a transform's ``calculate``/``filter``, which runs on rows, not events.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ..data.loaded import ConcatSpec, Spec
from ..errors import Diagnostic, JsonPath
from ..spec.expressions import Problem, expression_diagnostic, expression_problems, selector_problems, shown_expression
from ..spec.model import ChartSpec
from ..spec.source import SourceMap
from .origin import expressions, locate, source_of, written

__all__ = ["event_selectors", "expression_diagnostics"]

#: signals of every Vega view, and those Vega-Lite makes for facets and selections
_VIEW_SIGNALS = frozenset({"width", "height", "padding", "autosize", "background", "parent", "unit"})
_SIZE_SIGNAL = re.compile(r"._(?:width|height|step)$")


#: keys of a selection's ``select`` whose strings are event selectors
_SELECTOR_KEYS = ("on", "clear", "translate", "zoom")


def event_selectors(node: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every event selector string of a Vega-Lite specification, with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "select" and isinstance(value, dict):
                yield from ((path + (key, k), value[k]) for k in _SELECTOR_KEYS if isinstance(value.get(k), str))
            if key == "bind" and isinstance(value, dict) and isinstance(value.get("legend"), str):
                yield path + (key, "legend"), value["legend"]
            if key not in ("usermeta", "datasets", "values", "data"):
                yield from event_selectors(value, path + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from event_selectors(item, path + (index,))


def _filter_lists(stream: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str]]:
    """The expressions of ``filter: [...]`` lists in an event stream object (a ``filter`` string is
    one of :func:`~.origin.expressions`)."""
    if isinstance(stream, dict):
        for key, value in stream.items():
            if key == "filter" and isinstance(value, list):
                yield from ((path + (key, i), v) for i, v in enumerate(value) if isinstance(v, str))
            else:
                yield from _filter_lists(value, path + (key,))
    elif isinstance(stream, list):
        for index, item in enumerate(stream):
            yield from _filter_lists(item, path + (index,))


def _stream_filters(node: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """The expressions of filter lists in the event stream objects of selections."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "select" and isinstance(value, dict):
                for k in _SELECTOR_KEYS:
                    yield from _filter_lists(value.get(k), path + (key, k))
            elif key not in ("usermeta", "datasets", "values", "data"):
                yield from _stream_filters(value, path + (key,))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _stream_filters(item, path + (index,))


def _in_transform(path: JsonPath) -> bool:
    """Whether ``path`` is (in) a transform's calculate or filter: ``transform/<i>/filter/...``."""
    return any(path[k] == "transform" and isinstance(path[k + 1], int) and path[k + 2] in ("calculate", "filter")
               for k in range(len(path) - 2))


def _param_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "params" and isinstance(value, list):
                yield from (p["name"] for p in value if isinstance(p, dict) and isinstance(p.get("name"), str))
            elif key not in ("usermeta", "datasets", "values", "data"):
                yield from _param_names(value)
    elif isinstance(node, list):
        for item in node:
            yield from _param_names(item)


def signal_test(vl: dict[str, Any]) -> Callable[[str], bool]:
    """Whether a name is a signal the compiled ``vl`` may define."""
    params = frozenset(_param_names(vl))
    prefixes = tuple(p + "_" for p in params)

    def is_signal(name: str) -> bool:
        return (name in params or name in _VIEW_SIGNALS or bool(_SIZE_SIGNAL.search(name))
                or name.startswith(prefixes))
    return is_signal


def _transform_paths(spec: Spec) -> Iterator[tuple[str, SourceMap, JsonPath]]:
    """(text, source, path) of each calculate and string filter a chart (or a layout's) spec writes."""
    model = spec.model
    if isinstance(model, ConcatSpec):
        for item in model.items:
            yield from _transform_paths(item)
    elif isinstance(model, ChartSpec):
        for transforms in (model.transform, *(layer.transform for layer in model.layers)):
            for t in transforms:
                text = getattr(t, "expr", None)
                if isinstance(text, str):
                    yield text, spec.source, t.json_path + ("calculate" if hasattr(t, "as_field") else "filter",)


def _checked(vl: dict[str, Any]) -> Iterator[tuple[JsonPath, str, str, list[Problem]]]:
    """(path, text, what it is, its problems) of each expression and event selector of ``vl``."""
    is_signal = signal_test(vl)
    for path, text in expressions(vl):
        yield path, text, "expression", expression_problems(text, is_signal, in_transform=_in_transform(path))
    for path, text in _stream_filters(vl):
        yield path, text, "expression", expression_problems(text, is_signal)
    for path, text in event_selectors(vl):
        yield path, text, "event selector", selector_problems(text, is_signal)


def expression_diagnostics(vl: dict[str, Any], spec: Spec) -> list[Diagnostic]:
    """What Vega would refuse in the expressions of ``vl``, at the places ``spec`` writes them."""
    copied: dict[str, tuple[SourceMap, JsonPath]] | None = None
    out: list[Diagnostic] = []
    for path, text, what, problems in _checked(vl):
        if not problems:
            continue
        if written(spec, path):  # by a patch or a plain Vega-Lite file, at this place
            source, where = source_of(spec, path)
        else:  # by chartspec: from a transform of the spec (found by its text), or its own
            copied = copied if copied is not None else {t: (s, p) for t, s, p in _transform_paths(spec)}
            source, where = copied.get(text, (spec.source, ()))
        for problem in problems:
            if where:
                out.append(expression_diagnostic(source, where, text, problem, what=what))
            else:  # chartspec's own expression: at the patch, or the file
                out.append(locate(spec, path, f"in the {what} {shown_expression(text)}: {problem.message}",
                                  hint=problem.hint))
    return list(dict.fromkeys(out))
