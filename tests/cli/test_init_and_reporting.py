"""`chartspec init`, and how a build reports: plain lines, -q, -v, --json; validate stays light."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunCli, chartspec_exe, files_under, write_tree

GOOD = """\
title: Good
data: data/metrics.csv
x: {field: step}
layers:
  - y: {field: loss}
"""
BAD = """\
title: Bad
data: data/metrics.csv
x: {field: step}
layers:
  - y: {field: los}
    colour: red
"""
CSV = "step,loss\n0,2.3\n10,1.9\n20,1.4\n"


def make_project(root: Path, specs: dict[str, str]) -> Path:
    return write_tree(root, {"chartspec.toml": "", "data/metrics.csv": CSV, **specs})


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- init -------------------------------------------------------------------------------------------------


def test_init_makes_a_project_that_builds(tmp_path: Path, run_cli: RunCli) -> None:
    proc = run_cli("init", "starter", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / "starter"
    expected = {"chartspec.toml", "specs/example.yaml", "specs/data/metrics.csv", "schemas/chartspec.schema.json",
                ".vscode/settings.json"}
    assert set(snapshot(folder)) == expected
    for name in expected:
        assert f"created starter/{name}" in proc.stdout
    assert "next: cd starter && chartspec build specs/" in proc.stdout
    # the editor settings map the specs to the project's schema, which is the current one: no modeline
    settings = json.loads((folder / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    assert settings == {"yaml.schemas": {"./schemas/chartspec.schema.json": ["specs/**/*.yaml", "specs/**/*.yml"]}}
    assert "yaml-language-server" not in (folder / "specs" / "example.yaml").read_text()
    schema = run_cli("schema", cwd=tmp_path).stdout
    assert (folder / "schemas" / "chartspec.schema.json").read_text(encoding="utf-8") == schema
    path = run_cli("schema", "--path", cwd=tmp_path).stdout
    assert path.endswith("chartspec.schema.json\n") and Path(path.strip()).read_text(encoding="utf-8") == schema

    build = run_cli("build", "specs", "-j", "0", cwd=folder)
    assert build.returncode == 0, build.stderr
    assert "built specs/example.yaml -> build/example.{html,svg,png}" in build.stdout
    assert files_under(folder / "build") == {"example.html", "example.svg", "example.png"}
    assert (folder / "build" / "example.png").read_bytes().startswith(b"\x89PNG")
    assert b"Training run" in (folder / "build" / "example.svg").read_bytes()
    assert run_cli("validate", "specs", cwd=folder).returncode == 0


def test_init_never_overwrites(tmp_path: Path, run_cli: RunCli) -> None:
    assert run_cli("init", "starter", cwd=tmp_path).returncode == 0
    folder = tmp_path / "starter"
    (folder / "specs" / "example.yaml").write_text("title: mine\n", encoding="utf-8")
    before = snapshot(folder)
    proc = run_cli("init", "starter", cwd=tmp_path)
    assert proc.returncode == 2
    assert "starter/chartspec.toml: error: starter/chartspec.toml already exists; not overwriting it" in proc.stderr
    assert "starter/specs/example.yaml already exists" in proc.stderr
    assert proc.stdout == ""
    assert snapshot(folder) == before

    # one file in the way is enough: nothing else is written either
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "chartspec.toml").write_text('out = "site"\n', encoding="utf-8")
    proc = run_cli("init", cwd=partial)
    assert proc.returncode == 2
    assert "chartspec.toml already exists; not overwriting it" in proc.stderr
    assert [p.name for p in partial.iterdir()] == ["chartspec.toml"]
    assert (partial / "chartspec.toml").read_text(encoding="utf-8") == 'out = "site"\n'


def test_init_keeps_existing_editor_settings(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2}\n', encoding="utf-8")
    proc = run_cli("init", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "settings.json" not in proc.stdout
    assert (tmp_path / ".vscode" / "settings.json").read_text(encoding="utf-8") == '{"editor.tabSize": 2}\n'


def test_init_in_the_working_folder(tmp_path: Path, run_cli: RunCli) -> None:
    proc = run_cli("init", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "created chartspec.toml" in proc.stdout
    assert (tmp_path / "specs" / "example.yaml").is_file()


# --- the report -----------------------------------------------------------------------------------------------


def test_json_report(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD, "bad.yaml": BAD})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", "0", "--json", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stderr == ""  # everything is in the report
    report = json.loads(proc.stdout)
    assert set(report) == {"ok", "seconds", "counts", "specs", "removed", "notes"}
    assert report["ok"] is False
    assert isinstance(report["seconds"], (int, float))
    assert report["counts"] == {"built": 1, "up-to-date": 0, "valid": 0, "failed": 1}
    assert report["removed"] == []
    assert [s["spec"] for s in report["specs"]] == ["proj/bad.yaml", "proj/good.yaml"]  # sorted
    bad, good = report["specs"]
    assert set(good) == {"spec", "status", "outputs", "seconds", "errors", "notes"} and good["notes"] == []
    assert good["status"] == "built" and good["errors"] == []
    assert good["outputs"] == ["out/good.html", "out/good.svg", "out/good.png"]
    assert all((tmp_path / name).is_file() for name in good["outputs"])
    assert bad["status"] == "failed" and bad["outputs"] == []
    errors = {e["message"]: e for e in bad["errors"]}
    assert set(errors) == {"unknown key 'colour'", "field 'los' not in data/metrics.csv"}
    for error in errors.values():
        assert set(error) == {"file", "line", "column", "path", "severity", "message", "hint"}
        assert error["file"] == "proj/bad.yaml"
    assert (errors["unknown key 'colour'"]["line"], errors["unknown key 'colour'"]["column"]) == (6, 5)
    assert errors["unknown key 'colour'"]["hint"] == "did you mean 'color'?"
    assert errors["unknown key 'colour'"]["path"] == ["layers", 0, "colour"]
    field = errors["field 'los' not in data/metrics.csv"]
    assert (field["line"], field["column"], field["path"]) == (5, 16, ["layers", 0, "y", "field"])
    assert "loss" in field["hint"]

    # the next run: the good spec is up to date, the bad one still fails
    report = json.loads(run_cli("build", project, "-o", out, "-j", "0", "--json", cwd=tmp_path).stdout)
    assert report["counts"] == {"built": 0, "up-to-date": 1, "valid": 0, "failed": 1}
    assert report["specs"][1]["status"] == "up-to-date"
    assert report["specs"][1]["outputs"] == ["out/good.html", "out/good.svg", "out/good.png"]

    # validate reports 'valid', and no outputs
    report = json.loads(run_cli("validate", project, "--json", cwd=tmp_path).stdout)
    assert report["counts"] == {"built": 0, "up-to-date": 0, "valid": 1, "failed": 1}
    assert [(s["status"], s["outputs"]) for s in report["specs"]] == [("failed", []), ("valid", [])]


def test_quiet_prints_nothing_unless_something_fails(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD})
    out = tmp_path / "out"
    for _ in range(2):  # built, then up to date
        proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", "-q", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert (proc.stdout, proc.stderr) == ("", "")
    assert (out / "good.svg").is_file()
    proc = run_cli("validate", project, "-q", cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")

    (project / "bad.yaml").write_text(BAD, encoding="utf-8")
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", "-q", cwd=tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert "proj/bad.yaml:5:16: error: field 'los' not in data/metrics.csv" in proc.stderr
    assert "0 built, 1 up to date, 1 failed" in proc.stderr


@pytest.mark.parametrize("command", ["build", "validate", "watch"])
def test_quiet_and_verbose_exclude_each_other(tmp_path: Path, run_cli: RunCli, command: str) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD})
    proc = run_cli(command, project, "-q", "-v", cwd=tmp_path)
    assert proc.returncode == 2
    assert "give -q/--quiet or -v/--verbose, not both" in proc.stderr
    assert not (tmp_path / "build").exists()


def test_plain_and_verbose_lines(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD, "other.yaml": GOOD.replace("Good", "Other")})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg,png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "built proj/good.yaml -> out/good.{svg,png}" in proc.stdout
    assert "built proj/other.yaml -> out/other.{svg,png}" in proc.stdout
    assert proc.stderr == ""

    plain = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg,png", cwd=tmp_path)
    assert "up to date" not in plain.stdout.replace("nothing to do: 2 up to date", "")
    verbose = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg,png", "-v", cwd=tmp_path)
    assert verbose.returncode == 0, verbose.stderr
    assert "up to date proj/good.yaml -> out/good.{svg,png}" in verbose.stdout
    assert "up to date proj/other.yaml -> out/other.{svg,png}" in verbose.stdout
    assert "nothing to do: 2 up to date" in verbose.stdout

    validate = run_cli("validate", project, cwd=tmp_path)
    assert validate.returncode == 0
    assert "ok proj/good.yaml" in validate.stdout and "ok proj/other.yaml" in validate.stdout
    assert "2 valid" in validate.stdout


# --- validate stays light ---------------------------------------------------------------------------------


PROBE = """\
import json, sys
from chartspec.cli import main
sys.argv = ["chartspec", "validate", *sys.argv[1:]]
try:
    main()
except SystemExit as exit:
    code = exit.code
print("PROBE " + json.dumps({"code": code, "altair": "altair" in sys.modules,
                             "vl_convert": "vl_convert" in sys.modules,
                             "engine": sorted(m for m in ("numpy", "duckdb", "pyarrow", "ibis", "psycopg", "pyspark")
                                                 if m in sys.modules)}),
      file=sys.stderr)
"""
LIBRARY_PROBE = """\
import json, sys
from pathlib import Path
from chartspec import BuildOptions, build
report = build([sys.argv[1]], BuildOptions(render=False, jobs=0, out=Path(sys.argv[2])))
print(json.dumps({"statuses": sorted(r.status for r in report.results), "altair": "altair" in sys.modules,
                  "vl_convert": "vl_convert" in sys.modules}))
"""


def test_validate_writes_nothing_and_loads_no_renderer(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD, "bad.yaml": BAD})
    # a connection defined but named by no spec: no engine of it is imported (nor is it opened)
    (project / "chartspec.toml").write_text('out = "site"\nformats = ["png", "pdf"]\njobs = 2\n'
                                            '[connections.db]\nbackend = "postgres"\npassword = "${NOT_SET}"\n',
                                            encoding="utf-8")
    before = snapshot(tmp_path)

    proc = subprocess.run([sys.executable, "-c", PROBE, str(project)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    probe = json.loads(proc.stderr.rsplit("PROBE ", 1)[1])
    # nor the data engine, numpy or a connection's engine (Ibis, psycopg, pyspark) for a small CSV
    # (a cold validate of one spec stays under 0.3 s)
    assert probe == {"code": 1, "altair": False, "vl_convert": False, "engine": []}, proc.stderr
    assert "ok proj/good.yaml" in proc.stdout

    proc = subprocess.run([sys.executable, "-c", LIBRARY_PROBE, str(project), str(tmp_path / "out")], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"statuses": ["failed", "valid"], "altair": False, "vl_convert": False}

    assert snapshot(tmp_path) == before  # no output folder, no manifest, nothing touched


@pytest.mark.parametrize("args", [["build", "-f", "svg", "-j", "0"], ["build", "-f", "svg", "-j", "0", "--json"],
                                  ["validate"]])
def test_a_reader_that_stops_early_does_not_stop_the_build(tmp_path: Path, args: list[str]) -> None:
    """``chartspec build specs/ | head -1``: the pipe closes after one line; every spec still builds."""
    make_project(tmp_path / "proj", {f"s{i}.yaml": GOOD.replace("Good", f"S{i}") for i in range(4)})
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first line: every write hits EPIPE
    proc = subprocess.run([chartspec_exe(), *args, "proj"], cwd=tmp_path, stdout=writer, stderr=subprocess.PIPE,
                          text=True, timeout=120)
    os.close(writer)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "Broken pipe" not in proc.stderr, proc.stderr
    if args[0] == "build":
        assert sorted(p.name for p in (tmp_path / "build").rglob("*.svg")) == [f"s{i}.svg" for i in range(4)]
