"""Random Vega expressions for property tests (test_vegaexpr.py against Vega, test_vegasql.py
against the engine): one grammar, each test choosing its leaves and functions."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

OPERATORS = ["+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "===", "!==", "&&", "||"]


def expressions(leaves: Sequence[str], unary: Sequence[str], binary: Sequence[str],
                extra: Sequence[str] = ()) -> st.SearchStrategy[str]:
    """Expressions over ``leaves``: operators, ``?:``, calls of ``unary`` / ``binary`` functions,
    clamp and 3-argument max, and calls of each ``extra`` function with two arguments."""
    def grow(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.builds(lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(OPERATORS), inner),
            st.builds(lambda op, a: f"{op}({a})", st.sampled_from(["!", "-", "+"]), inner),
            st.builds(lambda f, a: f"{f}({a})", st.sampled_from(list(unary)), inner),
            st.builds(lambda f, a, b: f"{f}({a}, {b})", st.sampled_from(list(binary)), inner, inner),
            st.builds(lambda a, b, c: f"({a} ? {b} : {c})", inner, inner, inner),
            st.builds(lambda a, b, c: f"clamp({a}, {b}, {c})", inner, inner, inner),
            st.builds(lambda a, b, c: f"max({a}, {b}, {c})", inner, inner, inner),
            *(st.builds(lambda a, b, f=f: f"{f}({a}, {b})", inner, inner) for f in extra),
        )
    return st.recursive(st.sampled_from(list(leaves)), grow, max_leaves=6)
