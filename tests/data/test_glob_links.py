"""Folders reached through a symbolic link inside the project (breaker: a ``**`` glob's linked run).

A ``**`` glob read a linked folder, but a build did not depend on what it holds (a run logged into
it later left the chart 'up to date'), and a link to ``..`` was followed round and round (the same
files read 200 times). DVCLive's and MLflow's metric folders passed a linked folder by: its
metrics were left out, unsaid. Links leading out of the project stay refused or passed by
(test_outside_oracle.py), whatever is there.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import REPO, RunCli, write_tree

import chartspec
from chartspec.data.globfiles import match_inside

CSV = "step,loss\n0,1\n1,2\n"
SPEC = "data: {files: 'runs/**/m.csv', as: run}\nx: {field: step}\nlayers: [{y: {field: loss}, color: {field: run}}]\n"


def _project(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "c.yaml": SPEC, "runs/r0/m.csv": CSV,
                                        "store/r1/m.csv": CSV.replace("1,2", "1,5")})
    (root / "runs" / "r1").symlink_to("../store/r1", target_is_directory=True)
    write_tree(tmp_path / "outside", {"m.csv": CSV})
    (root / "runs" / "ext").symlink_to(tmp_path / "outside", target_is_directory=True)
    return root


def test_a_linked_folder_is_read_once_and_a_link_up_is_not_followed(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "runs" / "r1" / "up").symlink_to("../..", target_is_directory=True)  # store/r1/up: the project
    (root / "runs" / "loop").symlink_to(".", target_is_directory=True)
    found = match_inside("runs/**/m.csv", root, root, Path.is_file)
    assert found == ["runs/r0/m.csv", "runs/r1/m.csv"]
    rows = chartspec.load(root / "c.yaml").table.rows
    assert {(r["run"], r["loss"]) for r in rows} == {("r0", 1), ("r0", 2), ("r1", 1), ("r1", 5)}
    # a second name for one folder matches, as glob gives it; the data reads the file once (below)
    (root / "runs" / "latest").symlink_to("r0", target_is_directory=True)
    assert match_inside("runs/**/m.csv", root, root, Path.is_file) == ["runs/latest/m.csv", "runs/r0/m.csv",
                                                                       "runs/r1/m.csv"]
    rows = chartspec.load(root / "c.yaml").table.rows
    assert sorted((r["run"], r["loss"]) for r in rows) == [("r0", 1), ("r0", 2), ("r1", 1), ("r1", 5)]


def test_a_run_added_in_a_linked_folder_rebuilds_the_chart(tmp_path: Path, run_cli: RunCli) -> None:
    root = _project(tmp_path)
    proc = run_cli("build", "c.yaml", "-f", "json", "-j", "0", cwd=root)
    assert proc.returncode == 0, proc.stderr
    write_tree(root / "store" / "r1", {"late/m.csv": "step,loss\n0,7\n"})  # reached as runs/r1/late
    proc = run_cli("build", "c.yaml", "-f", "json", "-j", "0", cwd=root)
    assert proc.returncode == 0 and "nothing to do" not in proc.stdout and "1 built" in proc.stdout, proc.stdout
    drawn = json.loads((root / "build" / "c.vl.json").read_text(encoding="utf-8"))
    assert {r["run"] for r in drawn["data"]["values"]} == {"r0", "r1", "r1/late"}
    # a file in a folder outside, reached through a link, is neither read nor a reason to rebuild
    write_tree(tmp_path / "outside", {"more/m.csv": CSV})
    proc = run_cli("build", "c.yaml", "-f", "json", "-j", "0", cwd=root)
    assert proc.returncode == 0 and "nothing to do" in proc.stdout, proc.stdout


def test_a_dvclive_metric_folder_that_is_a_link_is_read(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "c.yaml": (
        "data: exp1/dvclive\nx: {field: step}\nlayers: [{y: {field: train/loss}}, {y: {field: train/acc}}]\n")})
    shutil.copytree(REPO / "tests" / "data" / "loggers" / "exp1", root / "exp1")
    metrics = root / "exp1" / "dvclive" / "plots" / "metrics"
    shutil.move(metrics / "train", root / "shared_train")
    (metrics / "train").symlink_to("../../../../shared_train", target_is_directory=True)
    (root / "shared_train" / "up").symlink_to("..", target_is_directory=True)  # back up: not followed
    table = chartspec.load(root / "c.yaml").table
    assert table.columns == ("step", "train/acc", "train/loss")
    assert [r["train/loss"] for r in table.rows][:2] == [r["train/loss"] for r in _original(tmp_path)][:2]


def _original(tmp_path: Path) -> tuple[dict, ...]:
    root = write_tree(tmp_path / "o", {"chartspec.toml": "", "c.yaml": (
        "data: exp1/dvclive\nx: {field: step}\nlayers: [{y: {field: train/loss}}]\n")})
    shutil.copytree(REPO / "tests" / "data" / "loggers" / "exp1", root / "exp1")
    return chartspec.load(root / "c.yaml").table.rows


def test_a_sibling_linked_into_the_globs_tree_is_read_once(tmp_path: Path, run_cli: RunCli) -> None:
    """runs/r2/sib -> ../r1: ``runs/**`` reached r1's file twice, and drew it twice, as two files."""
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "runs/r1/metrics.csv": CSV, "c.yaml": (
        "data: {files: 'runs/**/*.csv', as: run}\nx: {field: step}\n"
        "layers: [{mark: line, y: {field: loss}, color: {field: run}}]\n")})
    (root / "runs" / "r2").mkdir()
    (root / "runs" / "r2" / "sib").symlink_to("../r1", target_is_directory=True)
    proc = run_cli("build", "c.yaml", "-f", "json", "-j", "0", cwd=root)
    assert proc.returncode == 0, proc.stderr
    drawn = json.loads((root / "build" / "c.vl.json").read_text(encoding="utf-8"))["data"]["values"]
    assert [(r["run"], r["step"]) for r in drawn] == [("r1/metrics", 0), ("r1/metrics", 1)]


def test_one_file_under_two_names_is_read_once_by_any_pattern(tmp_path: Path) -> None:
    """One wildcard level, two patterns naming one file, a linked file: each file once, by its own
    name; two links to one folder outside the glob's tree: once, by the first name."""
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "runs/r0/m.csv": CSV, "store/x/m.csv": CSV})
    (root / "runs" / "latest").symlink_to("r0", target_is_directory=True)
    (root / "runs" / "r0" / "copy.csv").symlink_to("m.csv")
    (root / "runs" / "b").symlink_to("../store/x", target_is_directory=True)
    (root / "runs" / "a").symlink_to("../store/x", target_is_directory=True)

    def files(*patterns: str) -> list[str]:
        write_tree(root, {"c.yaml": f"data: {{files: {list(patterns)}, as: run}}\nx: {{field: step}}\n"
                                    "layers: [{y: {field: loss}, color: {field: run}}]\n"})
        return sorted(str(r["run"]) for r in chartspec.load(root / "c.yaml").table.rows)

    assert files("runs/*/m.csv") == ["a", "a", "r0", "r0"]
    assert files("runs/**/*.csv") == ["a/m", "a/m", "r0/m", "r0/m"]
    assert files("runs/r0/m.csv", "runs/latest/m.csv") == ["m", "m"]  # (one file: named by its stem)


def test_a_dvclive_metric_reached_through_a_sibling_link_is_one_metric(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "c.yaml": (
        "data: exp1/dvclive\nx: {field: step}\nlayers: [{y: {field: train/loss}}]\n")})
    shutil.copytree(REPO / "tests" / "data" / "loggers" / "exp1", root / "exp1")
    metrics = root / "exp1" / "dvclive" / "plots" / "metrics"
    (metrics / "eval").mkdir()
    (metrics / "eval" / "sib").symlink_to("../train", target_is_directory=True)
    assert chartspec.load(root / "c.yaml").table.columns == ("step", "train/acc", "train/loss")


def test_a_glob_written_as_a_data_path_is_pointed_at_files(tmp_path: Path, run_cli: RunCli) -> None:
    """``data: runs/**/*.csv`` names one file of that name: the error says how to read the pattern."""
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "runs/r1/metrics.csv": CSV, "c.yaml": (
        "data: runs/**/*.csv\nx: {field: step}\nlayers: [{y: {field: loss}}]\n")})
    proc = run_cli("build", "c.yaml", "-f", "json", "-j", "0", cwd=root)
    assert proc.returncode == 1
    assert proc.stderr.startswith("c.yaml:1:7: error: data file 'runs/**/*.csv' not found\n"), proc.stderr
    assert "  hint: to read every file a pattern matches write data: {files: 'runs/**/*.csv'}\n" in proc.stderr
