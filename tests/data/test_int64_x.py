"""Steps near 2**63 that a chart cannot tell apart (breaker: int64 steps drawn as one vertical line).

9223372036854775806 and 9223372036854775807 are one double, 9223372036854775808: the rows were
drawn at one x under the tick '9,223,372,036,854,775,808'. Two whole numbers of x that one double
would merge are refused at the x field, with the rows holding them, whether Python reads the file
(a small CSV) or the engine does (one of more than 2 MB, whose near-2**63 integers it now keeps as
BIGINT rather than doubles). Large integers that keep an x each (4,000 apart) still build.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

import chartspec
from chartspec import ChartspecError
from chartspec.data.engine import ENGINE_BYTES

SPEC = "data: d.csv\nx: {field: step}\nlayers: [{mark: line, y: {field: loss}}]\n"
TOP = 2**63 - 1
BASE = 9_223_372_036_000_000_000  # rows 4,000 apart below it: each a double of its own


def _csv(rows: int, tail: str) -> str:
    return "step,loss\n" + "".join(f"{BASE + 4000 * i},{1 / (i + 1):.5g}\n" for i in range(rows)) + tail


def test_the_breakers_steps_are_refused_at_x(tmp_path: Path, run_cli: RunCli) -> None:
    root = write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": SPEC,
                                 "d.csv": f"step,loss\n{TOP - 2},1\n{TOP - 1},0.5\n{TOP},0.25\n"})
    proc = run_cli("build", "c.yaml", "-f", "svg", "-j", "0", cwd=root)
    assert proc.returncode == 1
    assert proc.stderr.startswith(
        "c.yaml:2:12: error: whole numbers of 'step' beyond 2**53 cannot be told apart on a chart's axis: "
        "9223372036854775805 (row 1 of d.csv) and 9223372036854775806 (row 2 of d.csv) would be drawn at one x, "
        "9,223,372,036,854,775,808\n"), proc.stderr
    assert ("hint: a chart holds numbers as doubles, exact up to 2**53 (9,007,199,254,740,992): subtract an offset "
            "where the steps are written (step - 9223372036854000000); a 'calculate' cannot, it runs on the doubles"
            ) in proc.stderr
    assert not (root / "build" / "c.svg").exists()


@pytest.mark.parametrize("rows", [10, 100_000])  # Python's read; the engine's (a file over 2 MB)
def test_two_steps_one_double_apart_are_refused_on_both_paths(tmp_path: Path, rows: int) -> None:
    root = write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": SPEC, "d.csv": _csv(rows, f"{TOP - 1},1\n{TOP},2\n")})
    assert ((root / "d.csv").stat().st_size > ENGINE_BYTES) == (rows > 10)
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(root / "c.yaml")
    (error,) = caught.value.diagnostics
    assert (error.line, error.column) == (2, 12)
    assert error.message == (
        f"whole numbers of 'step' beyond 2**53 cannot be told apart on a chart's axis: {TOP - 1} "
        f"(row {rows + 1} of d.csv) and {TOP} (row {rows + 2} of d.csv) would be drawn at one x, 9,223,372,036,854,775,808")


@pytest.mark.parametrize("rows", [10, 100_000])
def test_large_steps_a_double_tells_apart_still_build(tmp_path: Path, rows: int) -> None:
    root = write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": SPEC, "d.csv": _csv(rows, f"{TOP},2\n")})
    table = chartspec.load(root / "c.yaml").table
    assert table.rows and all(type(r["step"]) is int for r in table.rows)


def test_a_large_parquet_files_int64_steps_are_asked_of_the_file(tmp_path: Path) -> None:
    """The engine's view over Parquet reads integers as doubles: the file's own column is asked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 200_000
    steps = [BASE + 4000 * i for i in range(rows)] + [TOP - 1, TOP]
    root = write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": SPEC.replace("d.csv", "d.parquet")})
    pq.write_table(pa.table({"step": pa.array(steps, pa.int64()), "loss": [i / rows for i in range(rows + 2)]}),
                   root / "d.parquet", compression="none", use_dictionary=False)
    assert (root / "d.parquet").stat().st_size > ENGINE_BYTES
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(root / "c.yaml")
    assert caught.value.first.message.endswith(
        f"{TOP - 1} (row {rows + 1} of d.parquet) and {TOP} (row {rows + 2} of d.parquet) would be drawn at one x, "
        "9,223,372,036,854,775,808")
