"""Issue 13, item 6: a project that holds training logs builds its specs, never the logs.

MLflow keeps a meta.yaml in every experiment and run, DVCLive writes dvc.yaml and params.yaml,
DVC a dvc.lock: `chartspec build .` must take none of them for a chart spec.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO, RunCli

from chartspec.builder.discover import discover

LOGS = REPO / "tests" / "data" / "loggers"
SPEC = "data: mlruns\nx: {field: step}\nlayers: [{mark: line, y: {field: train/loss}}, {mark: line, y: {field: val/accuracy}}]\n"


def _project(root: Path) -> Path:
    for name in ("mlruns", "exp1", "runs"):
        shutil.copytree(LOGS / name, root / name)
    shutil.copytree(LOGS / "mlruns", root / "tracking")  # a file store under another name
    shutil.copytree(LOGS / "runs" / "b", root / "tb_logs")  # a TensorBoard folder with any name
    for name in ("dvc.yaml", "dvc.lock", "params.yaml"):
        (root / name).write_text("stages: {}\n", encoding="utf-8")
    (root / "charts").mkdir()
    (root / "charts" / "loss.yaml").write_text(SPEC.replace("mlruns", "../mlruns"), encoding="utf-8")
    (root / "chartspec.toml").write_text("", encoding="utf-8")
    return root


def test_logger_files_and_folders_are_not_specs(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert len(list(root.rglob("meta.yaml"))) > 10  # what used to be taken for specs
    assert [t.spec.relative_to(root).as_posix() for t in discover([root])] == ["charts/loss.yaml"]


def test_a_logger_file_named_on_the_command_line_is_still_built(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "params.yaml").write_text(SPEC, encoding="utf-8")  # the user asked for it by name
    assert [t.spec.name for t in discover([root / "params.yaml"])] == ["params.yaml"]


def test_build_dot_in_a_project_with_logs_succeeds(tmp_path: Path, run_cli: RunCli) -> None:
    root = _project(tmp_path)
    proc = run_cli("build", root, "-o", root / "build", "--format", "svg")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.relative_to(root / "build").as_posix() for p in (root / "build").rglob("*.svg")) == \
        ["charts/loss.svg"]
