"""Project configuration: chartspec.toml or [tool.chartspec] in pyproject.toml, under the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import RunCli, files_under
from PIL import Image

from chartspec.builder.config import resolve_options

SPEC = """\
title: Configured
data: ../data/metrics.csv
x: {field: step}
layers:
  - y: {field: loss}
"""
CSV = "step,loss\n0,2.3\n10,1.9\n20,1.4\n"


def make_project(root: Path, config: str, config_name: str = "chartspec.toml") -> Path:
    """root/<config_name>, root/specs/chart.yaml and root/data/metrics.csv."""
    (root / "specs").mkdir(parents=True)
    (root / "data").mkdir()
    (root / config_name).write_text(config, encoding="utf-8")
    (root / "data" / "metrics.csv").write_text(CSV, encoding="utf-8")
    (root / "specs" / "chart.yaml").write_text(SPEC, encoding="utf-8")
    return root




def png_size(path: Path) -> tuple[int, int]:
    with Image.open(path) as image:
        return image.size


CONFIG = """\
# settings for this project
out = "site/charts"
formats = ["svg", "png"]
scale = 2
jobs = 0
"""


def test_config_file_is_honoured(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", CONFIG)
    # run from elsewhere: 'out' is relative to the config file, not to the working folder
    proc = run_cli("build", project / "specs", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = project / "site" / "charts"
    assert files_under(out) == {"chart.svg", "chart.png"}
    assert not (tmp_path / "build").exists() and not (project / "build").exists()
    assert "proj/site/charts/chart.{svg,png}" in proc.stdout

    # scale 2 from the file: twice the size of a scale-1 build of the same chart
    proc = run_cli("build", project / "specs", "-o", tmp_path / "scale1", "--scale", "1", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    width, height = png_size(tmp_path / "scale1" / "chart.png")
    assert png_size(out / "chart.png") == (2 * width, 2 * height)


def test_command_line_overrides_config(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", CONFIG)
    other = tmp_path / "elsewhere"
    proc = run_cli("build", "specs", "-o", other, "-f", "svg", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert files_under(other) == {"chart.svg"}
    assert not (project / "site").exists()

    # the values given win, the others still come from the file
    options = resolve_options([str(project / "specs")], out=None, formats=("pdf",), scale=None, jobs=3)
    assert options.out == project / "site" / "charts"
    assert (options.formats, options.scale, options.jobs) == (("pdf",), 2.0, 3)


def test_timeout_and_string_formats_from_config(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", 'formats = "PDF, json"\ntimeout = 7\n')
    options = resolve_options([str(project / "specs" / "chart.yaml")])
    assert options.formats == ("pdf", "json")
    assert options.timeout == 7.0
    assert options.out == Path("build")  # not set: the default, relative to the working folder


def test_pyproject_tool_section_is_honoured(tmp_path: Path, run_cli: RunCli) -> None:
    pyproject = """\
[project]
name = "demo"
out = "not ours: this key belongs to [project]"

[tool.chartspec]  # chart settings
out = "docs/img"
formats = ["svg"]
jobs = 0
"""
    project = make_project(tmp_path / "proj", pyproject, "pyproject.toml")
    proc = run_cli("build", "specs", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert files_under(project / "docs" / "img") == {"chart.svg"}

    # chartspec.toml next to the specs wins over pyproject.toml further up
    (project / "specs" / "chartspec.toml").write_text('formats = ["png"]\nout = "png"\n', encoding="utf-8")
    (project / "specs" / "chart.yaml").write_text(SPEC.replace("../data", "data"), encoding="utf-8")
    (project / "specs" / "data").mkdir()
    (project / "specs" / "data" / "metrics.csv").write_text(CSV, encoding="utf-8")
    proc = run_cli("build", "specs", "-j", "0", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert files_under(project / "specs" / "png") == {"chart.png"}


def test_pyproject_without_tool_section_is_not_a_config(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", '[project]\nname = "demo"\nformats = "typo-proof"\n',
                           "pyproject.toml")
    proc = run_cli("build", "specs", "-j", "0", "-f", "svg", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert files_under(project / "build") == {"chart.svg"}


def test_unknown_key_is_a_positioned_error(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", 'out = "site"\n  fromats = ["svg"]\n')
    proc = run_cli("build", "specs", cwd=project)
    assert proc.returncode == 2, proc.stderr
    assert "chartspec.toml:2:3: error: unknown config key 'fromats'" in proc.stderr
    assert "hint: did you mean 'formats'?" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (project / "site").exists() and not (project / "build").exists()
    # validate reads the same file, and fails the same way
    proc = run_cli("validate", "specs", cwd=project)
    assert proc.returncode == 2
    assert "chartspec.toml:2:3: error: unknown config key 'fromats'" in proc.stderr


def test_unknown_key_in_pyproject_points_into_the_tool_section(tmp_path: Path, run_cli: RunCli) -> None:
    pyproject = '[project]\nname = "demo"\nscales = 1\n\n[tool.chartspec]\nformats = ["svg"]\nscales = 2\n'
    project = make_project(tmp_path / "proj", pyproject, "pyproject.toml")
    proc = run_cli("build", "specs", cwd=project)
    assert proc.returncode == 2, proc.stderr
    assert "pyproject.toml:7:1: error: unknown config key 'scales'" in proc.stderr
    assert "did you mean 'scale'?" in proc.stderr


@pytest.mark.parametrize(("config", "expected"), [
    ('out = "site"\nscale = "2"\n', "chartspec.toml:2:1: error: config key 'scale' must be int or float"),
    ("jobs = true\n", "chartspec.toml:1:1: error: config key 'jobs' must be int"),
    ("jobs = 1.5\n", "chartspec.toml:1:1: error: config key 'jobs' must be int"),
    ("out = 3\n", "chartspec.toml:1:1: error: config key 'out' must be str"),
    ("\n\nformats = 5\n", "chartspec.toml:3:1: error: config key 'formats' must be list or str"),
    ('jobs = 0\nformats = ["svg", "jpeg"]\n', "chartspec.toml:2:1: error: unknown format 'jpeg'"),
    ('formats = "svg,pgn"\n', "chartspec.toml:1:1: error: unknown format 'pgn'"),
    ("formats = []\n", "chartspec.toml:1:1: error: no output format given"),
    ("scale = 0\n", "chartspec.toml:1:1: error: scale must be between 0.1 and 10"),
    ("jobs = -1\n", "chartspec.toml:1:1: error: jobs must be between 0 and 256"),
    ("timeout = 0\n", "chartspec.toml:1:1: error: timeout must be more than 0 and at most 86400 seconds"),
    ('out = "site"\nformats = [svg\n', "chartspec.toml:2:12: error: invalid TOML: "),
    ('out = "a"\nout = "b"\n', "chartspec.toml:2:"),
    ("[build\n", "chartspec.toml:1:"),
])
def test_bad_values_are_positioned_errors(tmp_path: Path, run_cli: RunCli, config: str, expected: str) -> None:
    project = make_project(tmp_path / "proj", config)
    proc = run_cli("build", "specs", "-o", "out", cwd=project)
    assert proc.returncode == 2, proc.stderr
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (project / "out").exists()


def test_every_config_problem_is_reported_at_once(tmp_path: Path, run_cli: RunCli) -> None:
    config = 'out = "site"\nfromats = ["svg"]\nscale = "big"\njobs = -2\n'
    project = make_project(tmp_path / "proj", config)
    proc = run_cli("build", "specs", "--json", cwd=project)
    assert proc.returncode == 2
    lines = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[0] for line in lines] == [
        "chartspec.toml:2:1", "chartspec.toml:3:1", "chartspec.toml:4:1"]
    assert proc.stdout == ""


def test_invalid_options_on_the_command_line_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", "")
    for args in (("--scale", "0"), ("--jobs", "-1"), ("--timeout", "0"), ("-f", "")):
        proc = run_cli("build", "specs", "-o", "out", *args, cwd=project)
        assert proc.returncode == 2, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert not (project / "out").exists()
    proc = run_cli("build", "specs", "-o", "out", "-j", "0", "-f", "json", "--json", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["specs"][0]["outputs"] == ["out/chart.vl.json"]


@pytest.mark.parametrize(("line", "key"), [("timeout = inf", "timeout"), ("timeout = nan", "timeout"),
                                           ("timeout = 1e300", "timeout"), ("scale = nan", "scale"),
                                           ("jobs = 100000000000", "jobs"), ('out = "a\\u0000b"', "out"),
                                           ('theme = "a\\u0000b.json"', "theme")])
def test_config_numbers_out_of_range_and_nul_paths_are_usage_errors(tmp_path: Path, run_cli: RunCli,
                                                                    line: str, key: str) -> None:
    (tmp_path / "chartspec.toml").write_text(line + "\n")
    (tmp_path / "s.yaml").write_text("data: {values: [{a: 1}]}\nx: {field: a}\nlayers:\n  - y: {field: a}\n")
    result = run_cli("build", "s.yaml", "-j", "2", cwd=tmp_path, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert f"chartspec.toml:1:1: error: {key} must" in result.stderr


@pytest.mark.parametrize("args", [("--timeout", "inf"), ("--timeout", "nan"), ("--timeout", "1e300"),
                                  ("--timeout", "0"), ("--scale", "nan"), ("--scale", "inf"), ("-j", "-1"),
                                  ("-j", "100000")])
def test_command_line_numbers_out_of_range_are_usage_errors(tmp_path: Path, run_cli: RunCli,
                                                            args: tuple[str, str]) -> None:
    (tmp_path / "s.yaml").write_text("data: {values: [{a: 1}]}\nx: {field: a}\nlayers:\n  - y: {field: a}\n")
    result = run_cli("build", "s.yaml", "-j", "2", *args, cwd=tmp_path, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "Invalid value for" in result.stderr and "range" in result.stderr and args[0] in result.stderr


@pytest.mark.parametrize("key", ["theme", "dark_theme"])
def test_config_theme_files_stay_inside_the_project(tmp_path: Path, run_cli: RunCli, key: str) -> None:
    # the config travels with the project like its specs: it must not read files beside it
    (tmp_path / "outside.json").write_text('{"background": "#ff0000"}')
    project = make_project(tmp_path / "proj", f'{key} = "../outside.json"\n')
    result = run_cli("build", "specs", "-o", "out", "-j", "0", cwd=project, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "chartspec.toml:1:1: error: theme path '../outside.json' leads outside the project" in result.stderr
    assert not (project / "out").exists()
    # inside the project the same file is honoured
    (project / "look.json").write_text('{"background": "#ff0000"}')
    (project / "chartspec.toml").write_text(f'{key} = "look.json"\nformats = ["svg"]\n')
    result = run_cli("build", "specs", "-o", "out", "-j", "0", "--dark-theme", "dark", cwd=project, timeout=120)
    assert result.returncode == 0, result.stderr
    if key == "theme":
        assert "#ff0000" in (project / "out" / "chart.svg").read_text()


@pytest.mark.parametrize("out", ["../www", "{outside}", "inside/../../www"])
def test_config_out_stays_inside_the_project(tmp_path: Path, run_cli: RunCli, out: str) -> None:
    # a breaker's finding: out = "../www" replaced ../www/index.html, a file chartspec never wrote
    www = tmp_path / "www"
    www.mkdir()
    (www / "chart.html").write_text("precious")
    project = make_project(tmp_path / "proj", f'out = "{out.format(outside=www)}"\nformats = ["html"]\n')
    result = run_cli("build", "specs", "-j", "0", cwd=project, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "chartspec.toml:1:1: error: out " in result.stderr and "leads outside the project" in result.stderr
    assert (www / "chart.html").read_text() == "precious"
    # the command line's --out is the user's own choice: it may name a folder elsewhere
    (project / "chartspec.toml").write_text('formats = ["svg"]\n')
    result = run_cli("build", "specs", "-j", "0", "--out", str(www), cwd=project, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (www / "chart.svg").exists() and (www / "chart.html").read_text() == "precious"
