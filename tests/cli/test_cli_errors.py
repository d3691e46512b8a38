"""How the command line fails: exit codes, where errors go, and that a failing spec writes nothing.

Exit codes: 0 everything built or valid, 1 at least one spec failed, 2 the command itself is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import RunCli, files_under, write_tree

import chartspec
from chartspec.builder.options import BuildOptions
from chartspec.render import atomic, export

CSV = "step,loss,accuracy\n0,2.3,0.10\n10,1.9,0.25\n20,1.4,0.40\n30,1.2,0.52\n"

GOOD = """\
title: Good
data: data/metrics.csv
x: {field: step}
layers:
  - y: {field: loss}
"""
# Fails on a schema check (unknown key) and on a data check (misspelt field).
BAD_KEY = """\
title: Bad key
data: data/metrics.csv
x: {field: step}
layers:
  - y: {field: loss}
    colour: red
"""
BAD_FIELD = """\
title: Bad field
data: data/metrics.csv
x: {field: step}
layers:
  - y: {field: acuracy}
"""

LOCATED = re.compile(r"^(\S+?):(\d+):(\d+): error: ", re.MULTILINE)


def make_project(root: Path, specs: dict[str, str], csv: str = CSV) -> Path:
    """A project folder (marked by chartspec.toml) holding ``specs`` and data/metrics.csv."""
    return write_tree(root, {"chartspec.toml": "", "data/metrics.csv": csv, **specs})




# --- a build with good and bad specs --------------------------------------------------------------


def test_bad_specs_fail_the_build_and_write_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD, "bad_key.yaml": BAD_KEY,
                                               "bad_field.yaml": BAD_FIELD})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr

    # the good spec is built in full; the bad ones left no file, not even a temporary one
    assert files_under(out) == {"good.html", "good.svg", "good.png"}
    assert (out / "good.png").read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in (out / "good.svg").read_bytes()

    # errors go to stderr, each located as file:line:col, and name the problem
    located = {(f, int(line), int(col)) for f, line, col in LOCATED.findall(proc.stderr)}
    assert ("proj/bad_key.yaml", 6, 5) in located, proc.stderr         # the unknown key
    assert ("proj/bad_field.yaml", 5, 16) in located, proc.stderr       # the misspelt field
    assert "unknown key 'colour'" in proc.stderr and "did you mean 'color'?" in proc.stderr
    assert "field 'acuracy' not in data/metrics.csv" in proc.stderr
    assert "did you mean 'accuracy'?" in proc.stderr
    assert "error" not in proc.stdout
    assert "2 failed" in proc.stderr


def test_failed_spec_keeps_no_stale_outputs_of_another_name(tmp_path: Path, run_cli: RunCli) -> None:
    """Fixing nothing and building again still exits 1: a failure is never cached as success."""
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD, "bad.yaml": BAD_FIELD})
    out = tmp_path / "out"
    first = run_cli("build", project, "-o", out, cwd=tmp_path)
    second = run_cli("build", project, "-o", out, cwd=tmp_path)
    assert (first.returncode, second.returncode) == (1, 1), second.stderr
    assert "acuracy" in second.stderr
    assert files_under(out) == {"good.html", "good.svg", "good.png"}


def test_symlinked_data_leaving_the_project_is_refused(tmp_path: Path, run_cli: RunCli) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.csv").write_text(CSV, encoding="utf-8")
    project = make_project(tmp_path / "proj", {"chart.yaml": GOOD.replace("data/metrics.csv", "data/link.csv")})
    try:
        (project / "data" / "link.csv").symlink_to(outside / "secret.csv")
    except OSError:
        pytest.skip("cannot create symbolic links here")
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "proj/chart.yaml:2:7: error: data path 'data/link.csv' leads outside the project through a " \
           "symbolic link" in proc.stderr
    assert files_under(out) == set()

    # a symlinked folder on the way is caught the same way
    (project / "chart.yaml").write_text(GOOD.replace("data/metrics.csv", "linked/secret.csv"), encoding="utf-8")
    (project / "linked").symlink_to(outside, target_is_directory=True)
    proc = run_cli("validate", project / "chart.yaml", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "leads outside the project through a symbolic link" in proc.stderr


def test_data_errors_point_into_the_data_file(tmp_path: Path, run_cli: RunCli) -> None:
    ragged = "step,loss\n0,2.3\n10\n"
    project = make_project(tmp_path / "proj", {"charts/chart.yaml": GOOD.replace("data/", "../data/")},
                           csv=ragged)
    proc = run_cli("validate", project / "charts" / "chart.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    # paths are relative to the working folder, wherever the spec is
    assert "proj/data/metrics.csv:3:1: error: row has 1 fields but the header has 2" in proc.stderr
    assert "proj/charts/chart.yaml:2:7: note: data file used here" in proc.stderr
    proc = run_cli("validate", "chart.yaml", cwd=project / "charts")
    assert "../data/metrics.csv:3:1: error: row has 1 fields" in proc.stderr


def test_undrawable_text_in_data_fails_that_spec_only(tmp_path: Path, run_cli: RunCli) -> None:
    """vl-convert aborts the whole process on control characters in drawn text; chartspec refuses them."""
    csv = "run,loss\nbase\x02line,2.3\ntuned,1.9\n"
    project = make_project(tmp_path / "proj", {
        "bad.yaml": "data: data/metrics.csv\nx: {field: run, type: nominal}\nlayers: [{y: {field: loss}, mark: bar}]\n",
        "good.yaml": "data: data/metrics.csv\nx: {field: loss}\nlayers: [{y: {field: loss}}]\n",  # 'run' not drawn
    }, csv=csv)
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "Fatal Python error" not in proc.stderr and "panicked" not in proc.stderr
    assert "proj/bad.yaml:1:7: error: cannot draw the control character U+0002 in column 'run', row 1" in proc.stderr
    assert files_under(out) == {"good.html", "good.svg", "good.png"}


# --- usage errors: exit 2 -------------------------------------------------------------------------


def test_nonexistent_path_is_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    for command in ("build", "validate"):
        proc = run_cli(command, "missing.yaml", "-o", tmp_path / "out", cwd=tmp_path) if command == "build" \
            else run_cli(command, "missing.yaml", cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert "missing.yaml" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_format_is_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD})
    proc = run_cli("build", project, "-o", tmp_path / "out", "--format", "bogus", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "bogus" in proc.stderr
    assert "html" in proc.stderr  # the formats that do exist are listed
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_repeated_format_option_adds_formats(tmp_path: Path, run_cli: RunCli) -> None:
    """``--format svg --format png`` asks for both (the last one alone was built, silently)."""
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD})
    proc = run_cli("build", project, "-o", tmp_path / "out", "--format", "svg", "-f", "png,json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert files_under(tmp_path / "out") == {"good.svg", "good.png", "good.vl.json"}
    proc = run_cli("build", project, "-o", tmp_path / "out2", "-f", "svg", "-f", "bogus", cwd=tmp_path)
    assert proc.returncode == 2 and "unknown format 'bogus'" in proc.stderr


def test_folder_without_specs_is_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no specs here", encoding="utf-8")
    proc = run_cli("build", empty, "-o", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "no spec files" in proc.stderr
    assert proc.stderr.startswith("chartspec: error: no spec files")  # no file to name, and no "<spec>"
    assert not (tmp_path / "out").exists()


def test_missing_arguments_and_unknown_options_exit_2(tmp_path: Path, run_cli: RunCli) -> None:
    assert run_cli("build", cwd=tmp_path).returncode == 2
    assert run_cli("validate", "--no-such-option", "x.yaml", cwd=tmp_path).returncode == 2
    assert run_cli("frobnicate", cwd=tmp_path).returncode == 2


def test_version(run_cli: RunCli, tmp_path: Path) -> None:
    proc = run_cli("--version", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"chartspec, version {chartspec.__version__}"


# --- validate ---------------------------------------------------------------------------------------


def test_validate_good_spec_exits_0_and_writes_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD})
    before = files_under(tmp_path)
    proc = run_cli("validate", "good.yaml", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert files_under(tmp_path) == before
    assert not any(p.name == ".chartspec-manifest.json" for p in tmp_path.rglob("*"))


def test_validate_reports_every_bad_spec(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD, "bad_key.yaml": BAD_KEY,
                                               "bad_field.yaml": BAD_FIELD})
    proc = run_cli("validate", ".", cwd=project)
    assert proc.returncode == 1
    assert {f for f, _, _ in LOCATED.findall(proc.stderr)} == {"bad_key.yaml", "bad_field.yaml"}
    assert files_under(project) == {"chartspec.toml", "data/metrics.csv", "good.yaml", "bad_key.yaml",
                                    "bad_field.yaml"}


# --- output collisions ------------------------------------------------------------------------------


def test_specs_with_the_same_output_both_fail_before_writing(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"a.yaml": GOOD, "a.yml": GOOD.replace("Good", "Also good"),
                                               "b.yaml": GOOD})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    for name in ("a.yaml", "a.yml"):
        assert re.search(rf"^proj/{re.escape(name)}: error: output .*a\.\* would be written by several specs",
                         proc.stderr, re.MULTILINE), proc.stderr
    # nothing of 'a' was written; the unrelated spec was built
    assert files_under(out) == {"b.html", "b.svg", "b.png"}


# --- render failures (in process, so the writer can be patched) --------------------------------------


def test_render_failure_leaves_no_partial_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD, "boom.yaml": GOOD.replace("Good", "Boom"),
                                               "other.yaml": GOOD.replace("Good", "Other")})
    real_png = export.WRITERS["png"]

    def png(vl, svg, scale):  # type: ignore[no-untyped-def]
        if vl.get("title", {}).get("text") == "Boom":
            raise RuntimeError("resvg: out of memory\nstack trace from the renderer")
        return real_png(vl, svg, scale)

    monkeypatch.setitem(export.WRITERS, "png", png)
    out = tmp_path / "out"
    seen: list[chartspec.SpecResult] = []
    # jobs=0 renders in this process, where the patch applies
    report = chartspec.build([project], BuildOptions(out=out, jobs=0), on_result=seen.append)

    assert not report.ok
    failed = {r.target.spec.name: r for r in report.failed}
    assert set(failed) == {"boom.yaml"}
    error = failed["boom.yaml"].error
    assert isinstance(error, chartspec.ExportError)
    assert error.first.message == "rendering png failed: resvg: out of memory"
    assert error.first.file is not None and error.first.file.endswith("boom.yaml")  # which spec failed
    # html and svg of 'boom' were rendered fine, yet none was written: all or nothing per spec
    assert files_under(out) == {f"{stem}.{ext}" for stem in ("good", "other") for ext in ("html", "svg", "png")}
    assert len(seen) == 3


def test_write_failure_leaves_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that fails after the temporary file was created removes it again."""
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD})
    out = tmp_path / "out"
    out.mkdir()

    real_replace = atomic.os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if str(dst).endswith(".svg"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    report = chartspec.build([project], BuildOptions(out=out, jobs=0, formats=("svg",)))
    assert not report.ok
    error = report.failed[0].error
    assert isinstance(error, chartspec.ExportError)
    assert "No space left on device" in error.first.message
    assert files_under(out) == set()


def test_api_build_raises_usage_error_for_a_bad_path(tmp_path: Path) -> None:
    with pytest.raises(chartspec.UsageError, match="no such file or folder"):
        chartspec.build([tmp_path / "nope"], BuildOptions(out=tmp_path / "out", jobs=0))
    assert not (tmp_path / "out").exists()


def test_failed_write_of_one_format_leaves_no_other_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The formats of a spec are replaced together: a failed write leaves the earlier build whole."""
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD})
    out = tmp_path / "out"
    real_replace = atomic.os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if str(dst).endswith(".svg"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    report = chartspec.build([project], BuildOptions(out=out, jobs=0, formats=("html", "svg")))
    assert not report.ok
    assert files_under(out) == set()


def test_failed_rewrite_keeps_the_previous_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "proj", {"good.yaml": GOOD})
    out = tmp_path / "out"
    options = BuildOptions(out=out, jobs=0, formats=("html", "svg"))
    assert chartspec.build([project], options).ok
    before = {name: (out / name).read_bytes() for name in files_under(out)}

    (project / "good.yaml").write_text(GOOD.replace("Good", "Changed"), encoding="utf-8")
    real_replace = atomic.os.replace

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if str(dst).endswith(".svg"):
            raise OSError(28, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    report = chartspec.build([project], options)
    assert not report.ok
    assert {name: (out / name).read_bytes() for name in files_under(out)} == before
