"""Vega expressions checked as Vega would check them, before anything renders.

A spec's ``calculate`` and ``filter`` strings, and every expression a ``vega_lite:`` patch or a
plain Vega-Lite file writes (``expr``, ``test``, ``labelExpr`` ...), are otherwise only read when
Vega runs: a build fails with "Unexpected end of input" or "Disabled." and ``chartspec validate``
says nothing. Here they are read by a parser of Vega's grammar (tokens.py, syntax.py) and checked
against Vega's names and functions (names.py, check.py), each problem at its column. Event
selectors (``click[event.shiftKey]``) are read as Vega reads them and their filters checked the
same way (events.py).

The data layer's parser (data/vegaparse.py) is another thing: the subset chartspec evaluates
itself; this one is all of Vega's language, and evaluates nothing.
"""

from __future__ import annotations

from .check import MAX_ITEMS, MAX_TEXT, Problem, expression_problems
from .events import selector_problems
from .located import expression_diagnostic, shown_expression, transform_expression_diagnostics
from .names import VEGA_VERSION
from .syntax import MAX_DEPTH, MAX_TREE_DEPTH

__all__ = ["MAX_DEPTH", "MAX_TREE_DEPTH", "MAX_ITEMS", "MAX_TEXT", "VEGA_VERSION", "Problem", "expression_diagnostic",
           "expression_problems", "selector_problems", "shown_expression", "transform_expression_diagnostics"]
