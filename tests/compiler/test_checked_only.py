"""``chartspec validate`` compiles to check, never to draw (compiler/chart.py, ``checked_only``).

It leaves out the hover table (a Python pass over every drawn row) only where the table cannot
change the verdict: the Vega-Lite it checks differs from the drawn one by the hover layer alone,
and the table's rows still count towards the drawn-rows limit when they might reach it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.compiler.vegalite import compile_vegalite
from chartspec.errors import CompileError

ROWS = "".join(f"{i},{i % 7}\n" for i in range(10))
SPEC = "data: m.csv\nx: {field: step}\nlayers:\n  - {y: {field: v}}\n"


def _spec(tmp_path: Path, extra: str = "") -> chartspec.Spec:
    write_tree(tmp_path, {"chartspec.toml": "", "m.csv": "step,v\n" + ROWS, "chart.yaml": SPEC + extra})
    return chartspec.load(tmp_path / "chart.yaml")


def test_the_checked_chart_is_the_drawn_one_without_its_hover_layer(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    drawn, checked = compile_vegalite(spec), compile_vegalite(spec, checked_only=True)
    assert len(drawn["layer"]) == len(checked["layer"]) + 1
    assert {**drawn, "layer": drawn["layer"][:-1]} == checked


def test_the_drawn_rows_limit_counts_the_same_rows_checked_or_drawn(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The hover table is not counted (not drawn in images; one row a pixel column past 9,600 x
    values), so validate and build agree: 10 rows fit a limit of 15 with the tooltip's 10 beside them."""
    spec = _spec(tmp_path)
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "15")
    for checked_only in (False, True):
        assert compile_vegalite(spec, checked_only=checked_only)
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "9")
    for checked_only in (False, True):
        with pytest.raises(CompileError, match="hands 10 rows of data to Vega"):
            compile_vegalite(spec, checked_only=checked_only)


def test_a_patch_sees_the_hover_layer_when_checked_too(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "vega_lite: {description: patched}\n")
    assert compile_vegalite(spec, checked_only=True) == compile_vegalite(spec)
