"""What decides which MLflow runs a chart reads is an input of its build (breaker10 #06): a run or
experiment deleted at build time, or a run folder skipped for having no meta.yaml yet, was not,
so restoring it (``MlflowClient().restore_run``) or the run's meta.yaml appearing left the chart
stale: ``build`` said nothing to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.builder.options import BuildOptions, BuildReport

SPEC = "data: mlruns\nx: {field: step}\nlayers: [{mark: line, y: {field: loss}, color: {field: run}}]\n"
EXPERIMENT = "name: {name}\nexperiment_id: '{id}'\nlifecycle_stage: {stage}\n"
RUN = "run_name: {name}\nrun_id: {name}\nlifecycle_stage: {stage}\n"


def make_project(root: Path, *, run_b: str = "active", experiment_2: str = "active", meta_b: bool = True) -> Path:
    """Experiment 1 holds runs a and b, experiment 2 run c; each logs loss at steps 0 and 1."""
    files = {"chartspec.toml": "", "chart.yaml": SPEC,
             "mlruns/1/meta.yaml": EXPERIMENT.format(name="one", id=1, stage="active"),
             "mlruns/2/meta.yaml": EXPERIMENT.format(name="two", id=2, stage=experiment_2)}
    for exp, run, stage in (("1", "a", "active"), ("1", "b", run_b), ("2", "c", "active")):
        files[f"mlruns/{exp}/{run}/metrics/loss"] = "1000 1.0 0\n2000 0.5 1\n"
        if run != "b" or meta_b:
            files[f"mlruns/{exp}/{run}/meta.yaml"] = RUN.format(name=run, stage=stage)
    return write_tree(root, files)


def build(project: Path, out: Path) -> BuildReport:
    return chartspec.build([project / "chart.yaml"], BuildOptions(out=out, jobs=0, formats=("svg",)))


def status(report: BuildReport) -> str:
    (result,) = report.results
    return result.status


def runs(project: Path) -> set[str]:
    return {r["run"] for r in chartspec.load(project / "chart.yaml").table.rows}


@pytest.mark.parametrize("change", ["restore the run", "restore the experiment", "the run's meta.yaml appears"])
def test_a_run_coming_back_rebuilds_the_chart(tmp_path: Path, change: str) -> None:
    project, out = tmp_path / "proj", tmp_path / "out"
    before = {"restore the run": {"run_b": "deleted"}, "restore the experiment": {"experiment_2": "deleted"},
              "the run's meta.yaml appears": {"meta_b": False}}[change]
    make_project(project, **before)  # type: ignore[arg-type]
    assert status(build(project, out)) == "built"
    assert status(build(project, out)) == "up-to-date"
    missing = "c" if change == "restore the experiment" else "b"
    assert missing not in runs(project)
    make_project(project)  # every run and experiment active, every meta.yaml there
    assert missing in runs(project)
    assert status(build(project, out)) == "built"
    assert f">{missing}<" in (out / "chart.svg").read_text(encoding="utf-8")


def test_a_run_deleted_after_the_build_rebuilds(tmp_path: Path) -> None:
    project, out = tmp_path / "proj", tmp_path / "out"
    make_project(project)
    assert status(build(project, out)) == "built"
    assert status(build(project, out)) == "up-to-date"
    make_project(project, run_b="deleted")
    assert status(build(project, out)) == "built"
    assert ">b<" not in (out / "chart.svg").read_text(encoding="utf-8")
