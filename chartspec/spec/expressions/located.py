"""Expressions found in a spec and their problems as positioned diagnostics."""

from __future__ import annotations

from typing import Any

from ...errors import Diagnostic, JsonPath
from ..source import SourceMap
from .check import Problem, expression_problems

__all__ = ["expression_diagnostic", "shown_expression", "transform_expression_diagnostics"]


def shown_expression(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def expression_diagnostic(source: SourceMap, path: JsonPath, text: str, problem: Problem, *,
                          what: str = "expression") -> Diagnostic:
    """``problem`` of the expression ``text`` written at ``path``: at its column when the source
    holds the text as written (a plain or quoted scalar on one line, no escapes before the
    problem), else at the value."""
    diag = source.diagnostic(f"in the {what} {shown_expression(text)}: {problem.message}", path, hint=problem.hint)
    line = diag.source_line
    if line is None or diag.column < 1 or path not in source.values:
        return diag
    inner = diag.column - 1 + (1 if line[diag.column - 1:diag.column] in ("'", '"') else 0)
    offset = min(problem.offset, len(text))
    if line[inner:inner + offset] != text[:offset]:
        return diag
    return Diagnostic(diag.message, file=diag.file, line=diag.line, column=inner + offset + 1, path=diag.path,
                      hint=diag.hint, source_line=line)


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
