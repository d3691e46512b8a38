"""Expressions found in a spec and their problems as positioned diagnostics."""

from __future__ import annotations

from typing import Any

from ...errors import Diagnostic, JsonPath
from ..scalars import character_position
from ..source import SourceMap, split_lines
from .check import Problem, expression_problems

__all__ = ["expression_diagnostic", "shown_expression", "transform_expression_diagnostics"]


def shown_expression(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def expression_diagnostic(source: SourceMap, path: JsonPath, text: str, problem: Problem, *,
                          what: str = "expression") -> Diagnostic:
    """``problem`` of the expression ``text`` written at ``path``: at the line and column of the
    source that writes the character it is about (through quotes, escapes, block scalars and
    folded lines: spec/scalars.py), else at the value."""
    diag = source.diagnostic(f"in the {what} {shown_expression(text)}: {problem.message}", path, hint=problem.hint)
    if path not in source.values:
        return diag
    at = character_position(split_lines(source.text), source.values[path], text, min(problem.offset, len(text)))
    if at is None:
        return diag
    return Diagnostic(diag.message, file=diag.file, line=at.line, column=at.column, path=diag.path,
                      hint=diag.hint, source_line=source.source_line(at.line))


def _transform_lists(data: Any) -> list[tuple[JsonPath, Any]]:
    if not isinstance(data, dict):
        return []
    found = [(("transform",), data.get("transform"))]
    layers = data.get("layers")
    if isinstance(layers, list):
        found += [(("layers", i, "transform"), layer.get("transform"))
                  for i, layer in enumerate(layers) if isinstance(layer, dict)]
    return found


def transform_expression_diagnostics(data: Any, source: SourceMap) -> list[Diagnostic]:
    """Problems of a chart's ``calculate`` and string ``filter`` transforms (the chart's and its
    layers'; ``event`` and ``item`` included), all but unknown names: which signals exist is known once the chart is compiled
    (compiler/expressions.py checks the names there)."""
    out: list[Diagnostic] = []
    for path, steps in _transform_lists(data):
        for i, step in enumerate(steps if isinstance(steps, list) else ()):
            for key in ("calculate", "filter"):
                text = step.get(key) if isinstance(step, dict) else None
                if isinstance(text, str):
                    out += [expression_diagnostic(source, (*path, i, key), text, p)
                            for p in expression_problems(text, in_transform=True)]
    return out
