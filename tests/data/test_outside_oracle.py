"""A path outside the project gets the same error whether something is there or not.

A breaker's finding: ``../../etc/passwd`` and ``../../etc/nothere`` were told apart by their
errors ("leads outside the project" against "no data file matches", or a did-you-mean naming a
file next to the missing one), so a spec could probe the build machine's files. Every place a spec
names a path is checked here, with a file that exists outside and one that does not, also through
a symbolic link in the project and through globs; no message names the project's absolute path.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.data.globfiles import match_inside

CSV = "step,loss\n0,1\n1,2\n"
TAIL = "x: {field: step}\nlayers: [{y: {field: loss}}]\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write_tree(tmp_path / "outside", {"there.csv": CSV, "there.json": "{}", "run/events.csv": CSV})
    root = write_tree(tmp_path / "proj", {"chartspec.toml": "", "specs/in.csv": CSV, "specs/runs/a/m.csv": CSV})
    (root / "specs" / "link").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "specs" / "runs" / "b").symlink_to(tmp_path / "outside" / "run", target_is_directory=True)
    return root


@pytest.mark.parametrize("data", [
    "data: ../../outside/{name}.csv\n",
    "data: link/{name}.csv\n",
    "data: {{files: '../../outside/{name}.csv', as: run}}\n",
    "data: {{files: '../../outside/{name}*.csv', as: run}}\n",
    "data: {{files: 'link/{name}.csv', as: run}}\n",
    "data: {{files: 'link/{name}*.csv', as: run}}\n",
    "data: {{files: 'l*/{name}.csv', as: run}}\n",
    "data: {{files: '*/../../outside/{name}.csv', as: run}}\n",
    "data: in.csv\ntheme: ../../outside/{name}.json\n",
    "data: in.csv\ntheme: link/{name}.json\n",
])
def test_a_file_outside_gets_the_same_error_whether_it_exists_or_not(project: Path, data: str) -> None:
    spec = project / "specs" / "s.yaml"

    def message(name: str) -> str:
        spec.write_text(data.format(name=name) + TAIL, encoding="utf-8")
        [d] = chartspec.validate(spec)
        return f"{d.message} | {d.hint}".replace(name, "NAME")

    there, missing = message("there"), message("nothere")
    assert there == missing
    assert "leads outside the project" in there
    assert str(project) not in there and str(project.parent) not in there
    assert "(its folder is '..' relative to this file)" in there


def test_a_glob_over_all_folders_passes_links_leading_out_by(project: Path) -> None:
    keep = Path.is_file
    assert match_inside("**/*.csv", project / "specs", project, keep) == ["in.csv", "runs/a/m.csv"]
    # a wildcard naming such a link: refused, as the link itself is in the project
    spec = project / "specs" / "s.yaml"
    spec.write_text("data: {files: 'runs/*/m.csv', as: run}\n" + TAIL, encoding="utf-8")
    [d] = chartspec.validate(spec)
    assert d.message.startswith("data path 'runs/*/m.csv' leads outside the project through a symbolic link")


def test_no_did_you_mean_lists_a_folder_outside(project: Path) -> None:
    spec = project / "specs" / "s.yaml"
    spec.write_text("data: {files: '../../outside/ther.csv', as: run}\n" + TAIL, encoding="utf-8")
    [d] = chartspec.validate(spec)
    assert "there.csv" not in f"{d.message} {d.hint}"


def test_globs_inside_the_project_still_match(project: Path) -> None:
    (project / "specs" / "runs" / "b").unlink()
    write_tree(project / "specs", {"runs/c/m.csv": CSV, "runs/.hidden/m.csv": CSV})
    keep = Path.is_file
    assert match_inside("runs/*/m.csv", project / "specs", project, keep) == ["runs/a/m.csv", "runs/c/m.csv"]
    assert match_inside("runs/**/m.csv", project / "specs", project, keep) == ["runs/a/m.csv", "runs/c/m.csv"]
    assert match_inside("runs/.*/m.csv", project / "specs", project, keep) == ["runs/.hidden/m.csv"]
    assert match_inside("../specs/runs/[ab]/*.csv", project / "specs", project, keep) == ["../specs/runs/a/m.csv"]
    spec = project / "specs" / "s.yaml"
    spec.write_text("data: {files: 'runs/*/m.csv', as: run}\n" + TAIL, encoding="utf-8")
    vl = chartspec.to_vegalite(chartspec.load(spec))
    assert sorted({r["run"] for r in vl["data"]["values"]}) == ["a", "c"]


def test_the_engines_message_about_a_broken_file_names_it_as_the_spec_does(tmp_path: Path) -> None:
    """DuckDB names a file by its absolute path ("No magic bytes found at end of file '/srv/...'"):
    the message says the spec's name for it instead."""
    root = write_tree(tmp_path / "proj", {"chartspec.toml": "", "s.yaml": "data: big.parquet\n" + TAIL})
    (root / "big.parquet").write_bytes(b"\x01" * (3 * 1024 * 1024))  # over ENGINE_BYTES: the engine reads it
    [d, *_] = chartspec.validate(root / "s.yaml")
    assert d.message.startswith("cannot read big.parquet (parquet): ")
    assert "'big.parquet'" in d.message and str(root) not in d.message


def test_hide_paths_makes_the_projects_paths_relative_and_leaves_neighbours(tmp_path: Path) -> None:
    from chartspec.errors import hide_paths

    root = tmp_path / "proj"
    root.mkdir()
    text = f"'{root}/data/m.csv', ({root}), {root}2/x, {root}.d/x, {Path.home()}/.duckdb/x, at {root}."
    assert hide_paths(text, root) == f"'data/m.csv', (.), {root}2/x, {root}.d/x, ~/.duckdb/x, at .."
