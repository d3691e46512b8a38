"""Notes: what loading a spec noticed without failing it, through the real command line and the API.

A note (severity "note") is printed after its spec's line as ``file:line:col: note: ...`` with
the excerpt and hint, appears under ``notes`` in ``--json``, leaves the exit code 0, is printed
once however many formats a spec is written in, and is reachable as ``Spec.notes`` and
``SpecResult.notes``.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import RunCli, write_tree

import chartspec

RESUMED = "step,loss\n0,2.0\n10,1.6\n20,1.5\n30,1.7\n20,1.3\n30,1.1\n40,0.9\n"
DIVERGING = "step,loss\n0,2.4\n10,1.9\n20,3.7\n30,inf\n40,nan\n"
NOTE = ("specs/resumed.yaml:4:5: note: 2 rows of data/metrics.csv repeat an x value of series 'loss' "
        "(first at step 20); the later rows are drawn")


def _project(tmp_path: Path) -> Path:
    return write_tree(tmp_path, {
        "chartspec.toml": "",
        "specs/data/metrics.csv": RESUMED,
        "specs/data/diverging.csv": DIVERGING,
        "specs/resumed.yaml": "data: data/metrics.csv\nx: {field: step}\nlayers:\n  - y: {field: loss}\n",
        "specs/diverging.yaml": "data: data/diverging.csv\nx: {field: step}\nlayers:\n  - y: {field: loss}\n",
    })


def test_notes_are_printed_once_and_the_build_succeeds(tmp_path: Path, run_cli: RunCli) -> None:
    _project(tmp_path)
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg,png,json", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count(NOTE) == 1, proc.stderr
    assert "    4 |   - y: {field: loss}\n" in proc.stderr
    assert "  hint: as for a resumed run; 'duplicates: first' draws the first rows" in proc.stderr
    assert proc.stderr.count("specs/diverging.yaml:1:7: note: 2 cells of column 'loss' in data/diverging.csv are "
                             "not a finite number (first: row 4, inf)") == 1
    assert "error" not in proc.stderr
    assert (tmp_path / "out" / "resumed.svg").exists() and (tmp_path / "out" / "diverging.png").exists()
    # -q prints errors only
    proc = run_cli("build", "specs", "-o", "out", "-q", "--force", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0 and "note:" not in proc.stderr + proc.stdout


def test_notes_in_the_json_report_and_in_validate(tmp_path: Path, run_cli: RunCli) -> None:
    _project(tmp_path)
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg", "--json", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = {s["spec"]: s for s in json.loads(proc.stdout)["specs"]}
    [note] = report["specs/resumed.yaml"]["notes"]
    assert note["severity"] == "note" and (note["line"], note["column"], note["path"]) == (4, 5, ["layers", 0])
    assert report["specs/resumed.yaml"]["errors"] == []
    assert len(report["specs/diverging.yaml"]["notes"]) == 1
    proc = run_cli("validate", "specs", cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr.count(NOTE) == 1, proc.stderr


def test_notes_from_the_library(tmp_path: Path) -> None:
    _project(tmp_path)
    spec = chartspec.load(tmp_path / "specs" / "resumed.yaml")
    [note] = spec.notes
    assert note.severity == "note" and note.message.startswith("2 rows of data/metrics.csv repeat an x value")
    report = chartspec.build([tmp_path / "specs"], chartspec.BuildOptions(out=tmp_path / "out", render=False))
    assert {r.target.shown.rsplit("/", 1)[-1]: len(r.notes) for r in report.results} == {
        "resumed.yaml": 1, "diverging.yaml": 1}
    assert report.ok


def test_plain_vega_lite_randomness_is_noted_at_build(tmp_path: Path, run_cli: RunCli) -> None:
    # vl-convert cannot seed Vega's random(): the one exception to byte-identical outputs is told
    write_tree(tmp_path, {
        "chartspec.toml": "",
        "specs/jitter.vl.yaml": ("data: {values: [{a: 1}, {a: 2}]}\ntransform:\n  - {calculate: 'random()', as: r}\n"
                                 "mark: point\nencoding: {x: {field: a, type: quantitative}, "
                                 "y: {field: r, type: quantitative}}\n"),
    })
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("specs/jitter.vl.yaml:3:17: note: Vega draws the expression function random() "
                             "with random numbers") == 1, proc.stderr
    assert (tmp_path / "out" / "jitter.svg").exists()


def test_an_up_to_date_spec_still_shows_its_notes(tmp_path: Path, run_cli: RunCli) -> None:
    # the notes are recorded in the manifest with the outputs: a rebuild that renders nothing
    # prints them again (plain and --json), so a cached spec does not hide what its data holds
    _project(tmp_path)
    first = run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    again = run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert again.returncode == 0 and "nothing to do: 2 up to date" in again.stdout, again.stdout
    assert again.stderr.count(NOTE) == 1, again.stderr
    assert "    4 |   - y: {field: loss}\n" in again.stderr  # the excerpt, as on the first build
    assert "  hint: as for a resumed run; 'duplicates: first' draws the first rows" in again.stderr
    assert again.stderr.count("specs/diverging.yaml:1:7: note: 2 cells of column 'loss'") == 1
    report = json.loads(run_cli("build", "specs", "-o", "out", "-f", "svg", "--json", cwd=tmp_path).stdout)
    resumed = {s["spec"]: s for s in report["specs"]}["specs/resumed.yaml"]
    assert resumed["status"] == "up-to-date"
    [note] = resumed["notes"]
    assert (note["file"], note["line"], note["column"], note["path"], note["severity"]) == (
        "specs/resumed.yaml", 4, 5, ["layers", 0], "note")
    # from another working folder the note's file is named from there, as a fresh build names it
    inner = run_cli("build", ".", "-o", "../out", "-f", "svg", "-j", "0", cwd=tmp_path / "specs")
    assert inner.returncode == 0 and "nothing to do" in inner.stdout, inner.stdout + inner.stderr
    assert "resumed.yaml:4:5: note: 2 rows of data/metrics.csv" in inner.stderr
    assert "specs/resumed.yaml" not in inner.stderr
    # a note fixed in the data is gone from the next build, and from the manifest
    (tmp_path / "specs" / "data" / "metrics.csv").write_text("step,loss\n0,2.0\n10,1.6\n", encoding="utf-8")
    fixed = run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert NOTE not in fixed.stderr and "built specs/resumed.yaml" in fixed.stdout
    assert NOTE not in run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path).stderr


def test_a_manifest_with_forged_notes_shows_none_of_them(tmp_path: Path, run_cli: RunCli) -> None:
    _project(tmp_path)
    assert run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path).returncode == 0
    path = tmp_path / "out" / ".chartspec-manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for entry in manifest["specs"].values():
        entry["notes"] = [{"message": 3}, {"message": "x", "bogus": 1}, {"message": "ok", "line": "4"}]
    path.write_text(json.dumps(manifest), encoding="utf-8")
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0 and "nothing to do" in proc.stdout, proc.stdout + proc.stderr
    assert "note:" not in proc.stderr and "Traceback" not in proc.stderr
