"""A file a glob matches is named by what the glob's wildcards match (breaker finding: a glob
matching one run named it after the file, ``trainer_state``, and renamed it ``r1`` when a second
run appeared, so legend entries and colours changed as runs were added)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO

import chartspec
from chartspec.data import engine
from chartspec.data.sources import short_names

LOGS = REPO / "tests" / "data" / "loggers"


@pytest.mark.parametrize(("paths", "patterns", "names"), [
    (["output/r1/trainer_state.json"], ["output/*/trainer_state.json"], ["r1"]),
    (["output/r1/trainer_state.json", "output/r2/trainer_state.json"], ["output/*/trainer_state.json"], ["r1", "r2"]),
    (["runs/a/m.csv"], ["runs/*/m.csv"], ["a"]),
    (["logs/seed1.jsonl"], ["logs/seed*.jsonl"], ["seed1"]),
    (["logs/seed1.jsonl", "logs/seed2.jsonl"], ["logs/seed*.jsonl"], ["seed1", "seed2"]),
    (["runs/a/m1.csv", "runs/a/m2.csv", "runs/b/m1.csv"], ["runs/*/m*.csv"], ["a/m1", "a/m2", "b/m1"]),
    (["runs/x/a/m.csv", "runs/y/m.csv"], ["runs/**/m.csv"], ["x/a", "y"]),
    (["a.csv", "b.csv"], ["a.csv", "b.csv"], ["a", "b"]),  # no glob: the parts that differ, as before
    (["d/a.csv", "d/a.tsv"], ["d/a.*"], ["d/a.csv", "d/a.tsv"]),  # stems clash: the differing-parts rule
])
def test_short_names_are_what_the_wildcards_match(paths: list[str], patterns: list[str], names: list[str]) -> None:
    assert short_names(paths, patterns) == names


def test_folder_runs_keep_their_dots() -> None:
    assert short_names(["exp1/dvclive"], ["exp*/dvclive"], folders=True) == ["exp1"]
    assert short_names(["runs/lr0.1", "runs/lr0.01"], ["runs/*"], folders=True) == ["lr0.1", "lr0.01"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(LOGS, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    return tmp_path


def runs(project: Path, data: str, y: str) -> list[str]:
    spec = project / "chart.yaml"
    spec.write_text(f"data: {data}\nx: {{field: step}}\nlayers: [{{mark: line, y: {{field: {y}}}, "
                    "color: {field: run}}]\n", encoding="utf-8")
    return sorted({r["run"] for r in chartspec.load(spec).table.rows})


@pytest.mark.parametrize(("data", "y", "alone", "second"), [
    ('{files: "output/*/trainer_state.json", as: run}', "loss", "output/b", ["a", "b"]),
    ('{files: "exp*/dvclive", as: run}', "train/loss", "exp2", ["exp1", "exp2"]),
    ('{files: "runs/*/events.out.tfevents.*", as: run}', "train/loss", "runs/b", ["a", "b"]),
])
def test_a_logger_runs_name_does_not_change_when_a_second_run_appears(project: Path, data: str, y: str,
                                                                      alone: str, second: list[str]) -> None:
    assert runs(project, data, y) == second
    shutil.rmtree(project / alone)
    assert runs(project, data, y) == second[:1]


@pytest.mark.parametrize("engine_bytes", [None, 0], ids=["python", "engine"])
def test_a_csv_globs_names_do_not_change_when_a_second_run_appears(tmp_path: Path, engine_bytes: int | None,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    if engine_bytes is not None:
        monkeypatch.setattr(engine, "ENGINE_BYTES", engine_bytes)  # every CSV file goes to DuckDB
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    for run in ("a", "b"):
        (tmp_path / "runs" / run).mkdir(parents=True)
        (tmp_path / "runs" / run / "m.csv").write_text("step,loss\n0,1\n1,0.5\n", encoding="utf-8")
    data = '{files: "runs/*/m.csv", as: run}'
    assert runs(tmp_path, data, "loss") == ["a", "b"]
    shutil.rmtree(tmp_path / "runs" / "b")
    assert runs(tmp_path, data, "loss") == ["a"]
