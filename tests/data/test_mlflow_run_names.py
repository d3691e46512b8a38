"""MLflow's ``run`` column is unique over the whole store (breaker10 #02): runs of different
experiments with the same name (every sweep has a 'baseline') were one series under
``color: {field: run}``, one run hidden behind the other and called a resumed run."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

import chartspec

LOGS = REPO / "tests" / "data" / "loggers"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def store(project: Path, runs: list[tuple[str, str, float]]) -> None:
    """A file store: per (experiment, run name, value) a run logging ``loss`` = value at steps 0 and 1."""
    ids: dict[str, int] = {}
    for number, (experiment, name, value) in enumerate(runs):
        exp_id = ids.setdefault(experiment, len(ids) + 1)
        write(project / "mlruns" / str(exp_id) / "meta.yaml",
              f"name: {experiment}\nexperiment_id: '{exp_id}'\nlifecycle_stage: active\n")
        run = project / "mlruns" / str(exp_id) / f"run{number}"
        write(run / "meta.yaml", f"run_name: {name}\nrun_id: run{number}\nlifecycle_stage: active\n")
        write(run / "metrics" / "loss", f"1000 {value} 0\n2000 {value} 1\n")


def load(project: Path, data: str, y: str = "loss") -> Any:
    write(project / "chartspec.toml", "")
    spec = project / "chart.yaml"
    write(spec, f"data: {data}\nx: {{field: step}}\nlayers: [{{mark: line, y: {{field: {y}}}, color: {{field: run}}}}]\n")
    return chartspec.load(spec)


def series(spec: Any) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for row in spec.table.rows:
        found.setdefault(row["run"], []).append(row["loss"])
    return found


def test_runs_of_two_experiments_with_one_name_are_two_series(tmp_path: Path) -> None:
    store(tmp_path, [("sweep", "baseline", 2.0), ("Default", "baseline", 1.0), ("sweep", "tuned", 3.0)])
    spec = load(tmp_path, "mlruns")
    assert series(spec) == {"Default/baseline": [1.0, 1.0], "sweep/baseline": [2.0, 2.0], "tuned": [3.0, 3.0]}
    assert not [n for n in spec.notes if "repeat an x value" in n.message]


def test_a_name_shared_within_and_across_experiments_is_unique_too(tmp_path: Path) -> None:
    store(tmp_path, [("a", "base", 1.0), ("a", "base", 2.0), ("b", "base", 3.0), ("b", "other", 4.0)])
    runs = series(load(tmp_path, "mlruns"))
    assert runs == {"a/base (1)": [1.0, 1.0], "a/base (2)": [2.0, 2.0], "b/base": [3.0, 3.0], "other": [4.0, 4.0]}


@pytest.mark.parametrize("data", ["mlflow.db", "mlruns"])
def test_both_stores_name_a_clash_across_experiments_alike(tmp_path: Path, data: str) -> None:
    shutil.copytree(LOGS, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    # experiment 'tuned' names its run like one of experiment 'baseline'
    con = sqlite3.connect(tmp_path / "mlflow.db")
    con.execute("UPDATE runs SET name = 'baseline-seed0' WHERE name = 'tuned-seed0'")
    con.commit()
    con.close()
    meta = tmp_path / "mlruns/307748805628631542/47da6973ba4743669800bc687d31dcbf/meta.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("tuned-seed0", "baseline-seed0"), encoding="utf-8")
    runs = {(r["experiment"], r["run"]) for r in load(tmp_path, data, "train/loss").table.rows}
    assert {("baseline", "baseline/baseline-seed0"), ("tuned", "tuned/baseline-seed0"),
            ("baseline", "baseline-seed1")} <= runs, runs


def test_a_name_holding_a_slash_keeps_it_unnumbered(tmp_path: Path) -> None:
    """breaker11 #11: run 'sweep/baseline' of experiment 'ablation' came out 'sweep/baseline (1)',
    as the 'baseline' of experiment 'sweep' was labelled 'sweep/baseline' too (and numbered 2)."""
    store(tmp_path, [("ablation", "sweep/baseline", 1.0), ("ablation", "baseline", 2.0), ("sweep", "baseline", 3.0),
                     ("sweep", "lr/0.1", 4.0), ("other", "lr/0.1", 5.0)])
    runs = series(load(tmp_path, "mlruns"))
    assert runs == {"sweep/baseline": [1.0, 1.0], "baseline (ablation)": [2.0, 2.0], "baseline (sweep)": [3.0, 3.0],
                    "sweep/lr/0.1": [4.0, 4.0], "other/lr/0.1": [5.0, 5.0]}


def test_a_position_that_is_another_runs_name_is_skipped(tmp_path: Path) -> None:
    """Two runs 'b' numbered 'b (1)' and 'b (2)' beside a run named 'b (2)': two runs were one series."""
    store(tmp_path, [("e", "b (2)", 1.0), ("e", "b", 2.0), ("e", "b", 3.0), ("f", "e/x", 4.0), ("e", "x", 5.0),
                     ("f", "x", 6.0)])
    runs = series(load(tmp_path, "mlruns"))
    assert runs == {"b (2)": [1.0, 1.0], "b (1)": [2.0, 2.0], "b (3)": [3.0, 3.0], "e/x": [4.0, 4.0],
                    "x (e)": [5.0, 5.0], "x (f)": [6.0, 6.0]}
