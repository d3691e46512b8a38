"""A log axis whose layers' filters keep only values at or below zero (step 0 of a log-x chart).

The error said "'step' in d.csv has none", blaming a file that holds thousands of steps above zero:
the filters dropped them. It now says so, for the rows Python filters and for a table the engine
reduces (DuckDB counts the values above zero before the filters); a file that truly has none keeps
the old words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

import chartspec
from chartspec.errors import ChartspecError

SPEC = ("data: d.csv\nwidth: 200\nx: {field: step, scale: log}\nlayers:\n"
        "  - {mark: line, y: {field: loss}, transform: [{filter: {field: step, FILTER}}]}\n"
        "  - {mark: line, y: {field: acc}, transform: [{filter: {field: step, FILTER}}]}\n")


def _errors(tmp_path: Path, rows: int, keep: str) -> list[str]:
    lines = "".join(f"{s},{1 / (s + 1):.6g},{s % 7 / 7:.6g}\n" for s in range(rows))
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "step,loss,acc\n" + lines, "c.yaml": SPEC.replace("FILTER", keep)})
    with pytest.raises(ChartspecError) as err:
        chartspec.load(tmp_path / "c.yaml")
    return [d.message for d in err.value.diagnostics]


@pytest.mark.parametrize("rows", [40, 20_000])  # Python's rows; the engine's, reduced
@pytest.mark.parametrize("keep", ["equal: 0", "lte: 0"])
def test_filters_leaving_no_step_above_zero_are_named_not_the_file(tmp_path: Path, rows: int, keep: str) -> None:
    assert _errors(tmp_path, rows, keep) == [
        "a log scale shows values above zero, and the layers' filters leave no value of 'step' above zero to draw "
        f"(d.csv has {rows - 1:,} values above zero)"]


def test_a_file_with_no_step_above_zero_is_still_named(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "step,loss,acc\n0,1,1\n-1,2,2\n",
                          "c.yaml": SPEC.replace("FILTER", "lte: 0")})
    with pytest.raises(ChartspecError) as err:
        chartspec.load(tmp_path / "c.yaml")
    assert [d.message for d in err.value.diagnostics] == [
        "a log scale shows values above zero, and 'step' in d.csv has none"]


def test_the_cli_says_so_at_the_scale(tmp_path: Path, run_cli: RunCli) -> None:
    _errors(tmp_path, 10, "equal: 0")
    proc = run_cli("build", "c.yaml", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 1
    assert ("c.yaml:3:25: error: a log scale shows values above zero, and the layers' filters leave no value of "
            "'step' above zero to draw (d.csv has 9 values above zero)") in proc.stderr
    assert "hint: check the filters: they keep only values at or below zero" in proc.stderr
