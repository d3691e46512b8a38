"""int64's ends are steps like any other: 9223372036854775807 (2**63 - 1) was 'not an integer' in an
MLflow or DVCLive log and a float in a CSV file, as each was checked after reading it as a float,
which rounds it up to 2**63; -2**63 was a float too. One past them stays refused (logs) or a float."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec import ChartspecError
from chartspec.data.numbers import cell_value

TOP, BOTTOM = 2**63 - 1, -(2**63)
TAIL = "x: {field: step}\nlayers: [{y: {field: loss}}]\n"


def _mlflow(tmp_path: Path, lines: str) -> Path:
    return write_tree(tmp_path / "p", {
        "chartspec.toml": "", "c.yaml": "data: mlruns\n" + TAIL,
        "mlruns/1/meta.yaml": "name: e\nexperiment_id: '1'\nlifecycle_stage: active\n",
        "mlruns/1/r/meta.yaml": "run_name: a\nrun_id: r\nlifecycle_stage: active\n",
        "mlruns/1/r/metrics/loss": lines})


def _dvclive(tmp_path: Path, lines: str) -> Path:
    return write_tree(tmp_path / "p", {"chartspec.toml": "", "c.yaml": "data: exp/dvclive\n" + TAIL,
                                       "exp/dvclive/plots/metrics/loss.tsv": "step\tloss\n" + lines})


@pytest.mark.parametrize(("write", "line"), [(_mlflow, "{t} {v} {s}\n"), (_dvclive, "{s}\t{v}\n")],
                         ids=["mlflow", "dvclive"])
def test_a_log_reads_the_ends_of_int64_exactly(tmp_path: Path, write: Callable[[Path, str], Path], line: str) -> None:
    text = "".join(line.format(t=1000 * i, v=v, s=s) for i, (s, v) in enumerate([(BOTTOM, 3.0), (0, 2.0), (TOP, 1.0)]))
    root = write(tmp_path, text)
    rows = chartspec.load(root / "c.yaml").table.rows
    assert [(r["step"], r["loss"]) for r in rows] == [(BOTTOM, 3.0), (0, 2.0), (TOP, 1.0)]
    assert all(type(r["step"]) is int for r in rows)


@pytest.mark.parametrize(("write", "line", "at"), [(_mlflow, "{t} 1.0 {s}\n", 2), (_dvclive, "{s}\t1.0\n", 3)],
                         ids=["mlflow", "dvclive"])
@pytest.mark.parametrize("step", [str(2**63), str(-(2**63) - 1), "9.3e18", "1e30"])
def test_a_step_past_them_is_still_refused_at_its_line(tmp_path: Path, write: Callable[[Path, str], Path], line: str, at: int,
                                                        step: str) -> None:
    root = write(tmp_path, line.format(t=0, s=0) + line.format(t=1000, s=step))
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(root / "c.yaml")
    first = caught.value.first
    assert first.message == f"step {step!r} is not an integer" and first.line == at


def test_a_csv_cell_at_int64s_ends_is_an_integer() -> None:
    assert [cell_value(c, True) for c in ("9223372036854775807", " -9223372036854775808 ", "+42")] == [TOP, BOTTOM, 42]
    past = [cell_value(c, True) for c in ("9223372036854775808", "-9223372036854775809", "1" * 40)]
    assert all(type(v) is float for v in past) and past[0] == 2.0**63


def test_a_csv_file_keeps_the_largest_step_exact(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "d.csv": f"step,loss\n0,1\n{TOP},2\n",
                                       "c.yaml": "data: d.csv\n" + TAIL})
    assert [r["step"] for r in chartspec.load(root / "c.yaml").table.rows] == [0, TOP]
