"""Builds that are killed, and output folders that move: the manifest keeps up with both.

A build killed at any moment (SIGKILL to the main process) leaves complete outputs only, workers
that exit without a word, and a manifest that lists every spec finished before the kill. The
manifest names files relative to the output folder, so a project moved or cloned with its
outputs is up to date where it lands.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import chartspec_exe, child_pids, write_tree

import chartspec
from chartspec.builder.cache import MANIFEST_NAME
from chartspec.builder.options import BuildOptions, BuildReport

SPEC = """\
title: {title}
data: {data}
x: {{field: step}}
layers:
  - y: {{field: loss}}
"""
CSV = "step,loss\n0,2.3\n10,1.9\n20,1.4\n30,1.2\n"


def make_project(root: Path, names: tuple[str, ...] = ("one", "two", "three"), rows: int = 0) -> Path:
    """Specs reading data/metrics.csv (``rows`` rows when given, to make each render take a while)."""
    csv = CSV if not rows else "step,loss\n" + "".join(f"{i},{(i * 7919) % 1000 / 10}\n" for i in range(rows))
    specs = {f"{name}.yaml": SPEC.format(title=name.title(), data="data/metrics.csv") for name in names}
    return write_tree(root, {"chartspec.toml": "", "data/metrics.csv": csv, **specs})


def build(project: Path, out: Path, **options: object) -> BuildReport:
    settings: dict[str, object] = {"out": out, "jobs": 0, "formats": ("svg", "png"), **options}
    return chartspec.build([project], BuildOptions(**settings))  # type: ignore[arg-type]


def statuses(report: BuildReport) -> dict[str, str]:
    return {r.target.spec.stem: r.status for r in report.results}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST_NAME}


# --- killed builds -----------------------------------------------------------------------------------------


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for init, which is not ours to hurry)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _kill_build_after(project: Path, out: Path, jobs: str, built: int, stderr: Path) -> tuple[list[str], list[int]]:
    """Start ``chartspec build``, SIGKILL it once it printed ``built`` lines; returns those lines
    and the processes it had started (its workers)."""
    with stderr.open("w") as err:
        proc = subprocess.Popen([chartspec_exe(), "build", str(project), "-o", str(out), "-j", jobs, "-f", "svg"],
                                stdout=subprocess.PIPE, stderr=err, text=True,
                                env={**os.environ, "NO_COLOR": "1"})
        try:
            assert proc.stdout is not None
            lines = []
            while len(lines) < built:
                line = proc.stdout.readline()
                assert line, "the build ended before it could be killed"
                lines.append(line)
            workers = child_pids(proc.pid)
            proc.send_signal(signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()
    return [line.split()[1] for line in lines if line.startswith("built ")], workers


def _complete_outputs(out: Path) -> list[str]:
    """Every chart in ``out`` is whole: a parsable SVG (not cut short by the kill)."""
    names = []
    for path in sorted(out.glob("*.svg")):
        ET.fromstring(path.read_bytes())
        names.append(path.stem)
    return names


def test_a_killed_build_leaves_quiet_workers_and_whole_outputs(tmp_path: Path) -> None:
    """Before: every worker busy at the kill finished its spec, failed to report it, and printed a
    15-line BrokenPipeError traceback into the user's terminal."""
    project = make_project(tmp_path / "proj", tuple(f"s{i}" for i in range(6)), rows=6000)
    out = tmp_path / "out"
    stderr = tmp_path / "stderr.txt"
    printed, workers = _kill_build_after(project, out, "2", 1, stderr)
    assert workers, "the build had no worker processes"

    deadline = time.monotonic() + 20
    while any(map(_running, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_running, workers)), "workers outlived their build"
    text = stderr.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in text and "Error" not in text, text
    # whole charts only: those reported built, maybe one the kill kept from being reported
    assert {f"s{i}" for i in range(6)} >= set(_complete_outputs(out)) >= {Path(p).stem for p in printed}
    assert {p.suffix for p in out.iterdir() if not p.name.startswith(".")} <= {".svg"}  # hidden: temporary

    # the next build finishes the job: what was recorded is up to date, the rest is built
    report = build(project, out, formats=("svg",), jobs=2)
    assert report.ok and report.count("built") + report.count("up-to-date") == 6
    assert {Path(p).stem for p in printed} <= {s for s, status in statuses(report).items() if status == "up-to-date"}
    assert sorted(_complete_outputs(out)) == [f"s{i}" for i in range(6)]


@pytest.mark.parametrize("jobs", ["0", "1"])
def test_the_manifest_of_a_killed_build_lists_what_it_finished(tmp_path: Path, jobs: str) -> None:
    """Before: the manifest was written at the end only, so a build killed after 40 of 50 specs
    rendered all 50 again."""
    names = tuple(f"s{i}" for i in range(5))
    project = make_project(tmp_path / "proj", names, rows=3000)
    out = tmp_path / "out"
    printed, _ = _kill_build_after(project, out, jobs, 2, tmp_path / "stderr.txt")
    finished = {Path(p).stem for p in printed}
    assert len(finished) == 2
    recorded = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["specs"]
    assert {Path(name).stem for name in recorded} >= finished

    report = build(project, out, formats=("svg",))
    fresh = {s for s, status in statuses(report).items() if status == "up-to-date"}
    assert finished <= fresh
    assert {s for s, status in statuses(report).items() if status == "built"} == set(names) - fresh
    assert sorted(_complete_outputs(out)) == sorted(names)


# --- moved, copied and cloned projects ---------------------------------------------------------------------


@pytest.mark.parametrize("inside", [True, False], ids=["out-inside", "out-beside"])
def test_moving_the_project_with_its_outputs_keeps_everything_up_to_date(tmp_path: Path, inside: bool) -> None:
    """Before: the manifest named specs by absolute path, so after a move every spec looked deleted:
    its outputs were removed ('N stale output(s) removed') and rendered again."""
    site = tmp_path / "site"
    project = make_project(site / "proj")
    out = project / "out" if inside else site / "out"
    assert set(statuses(build(project, out)).values()) == {"built"}
    before = snapshot(out)

    moved = tmp_path / "elsewhere" / "renamed"
    moved.parent.mkdir()
    shutil.move(str(site), str(moved))
    project = moved / "proj"
    out = project / "out" if inside else moved / "out"
    report = build(project, out)
    assert report.ok and report.removed == []
    assert set(statuses(report).values()) == {"up-to-date"}
    assert snapshot(out) == before  # not a byte, not a file time changed

    # the manifest still tracks inputs where they are now
    (project / "data" / "metrics.csv").write_text(CSV.replace("2.3", "8.8"), encoding="utf-8")
    assert set(statuses(build(project, out)).values()) == {"built"}


def test_a_fresh_copy_with_new_file_times_is_up_to_date(tmp_path: Path) -> None:
    """A clone (or a copy that does not keep file times) has the same bytes at new times: outputs
    are recognised by their hash then. Changed bytes are still changed."""
    project = make_project(tmp_path / "proj")
    build(project, project / "out")
    clone = tmp_path / "clone"
    for path in sorted(project.rglob("*")):
        if path.is_file():
            (clone / path.relative_to(project)).parent.mkdir(parents=True, exist_ok=True)
            (clone / path.relative_to(project)).write_bytes(path.read_bytes())
    out = clone / "out"
    assert (out / "one.svg").stat().st_mtime_ns != (project / "out" / "one.svg").stat().st_mtime_ns
    report = build(clone, out)
    assert report.removed == [] and set(statuses(report).values()) == {"up-to-date"}

    svg = (out / "two.svg").read_bytes()
    (out / "two.svg").write_bytes(svg.replace(b"<svg", b"<SVG", 1))  # same size, other bytes
    assert statuses(build(clone, out)) == {"one": "up-to-date", "two": "built", "three": "up-to-date"}
    assert (out / "two.svg").read_bytes() == svg


def _as_format_1(out: Path) -> None:
    """Rewrite ``out``'s manifest the way chartspec wrote it before: absolute paths, no hashes."""
    base = out.resolve()
    raw = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    specs = {os.path.normpath(base / spec): {"key": entry["key"],
                                             "inputs": [os.path.normpath(base / i) for i in entry["inputs"]],
                                             "outputs": {rel: stat[:2] for rel, stat in entry["outputs"].items()}}
             for spec, entry in raw["specs"].items()}
    (out / MANIFEST_NAME).write_text(json.dumps({"format": 1, "specs": specs}), encoding="utf-8")


def test_an_old_manifest_is_converted_and_never_deletes_what_the_build_writes(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site" / "proj")
    out = tmp_path / "site" / "out"
    build(project, out)
    _as_format_1(out)
    shutil.move(str(tmp_path / "site"), str(tmp_path / "moved"))  # the old paths are gone too
    project, out = tmp_path / "moved" / "proj", tmp_path / "moved" / "out"

    report = build(project, out)
    assert report.ok and report.removed == []  # rendered once more, nothing removed
    assert set(statuses(report).values()) == {"built"}
    assert json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))["format"] == 2
    assert set(statuses(build(project, out)).values()) == {"up-to-date"}

    # a spec deleted since is still cleaned up through a converted manifest
    _as_format_1(out)
    (project / "three.yaml").unlink()
    report = build(project, out)
    assert sorted(p.name for p in report.removed) == ["three.png", "three.svg"]
    assert sorted(p.name for p in out.iterdir() if p.name != MANIFEST_NAME) == ["one.png", "one.svg", "two.png",
                                                                                 "two.svg"]


# --- hostile manifests (a cloned repository brings its own) ---------------------------------------------------


def test_a_forged_manifest_reads_no_pipe_and_deletes_nothing_through_a_symlink(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    build(project, out)
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "precious.svg"
    victim.write_text("keep me", encoding="utf-8")
    (out / "linked").symlink_to(outside, target_is_directory=True)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    raw = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    st = victim.stat()
    raw["specs"]["../proj/one.yaml"]["inputs"].append("../fifo")  # reading it would block forever
    raw["specs"]["../gone.yaml"] = {"key": "k", "inputs": [],
                                    "outputs": {"linked/precious.svg": [st.st_size, st.st_mtime_ns, ""]}}
    (out / MANIFEST_NAME).write_text(json.dumps(raw), encoding="utf-8")

    proc = subprocess.run([chartspec_exe(), "build", str(project), "-o", str(out), "-j", "0", "-f", "svg,png",
                           "--json"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["removed"] == []
    assert {s["spec"].rsplit("/", 1)[1]: s["status"] for s in report["specs"]} == {
        "one.yaml": "built", "two.yaml": "up-to-date", "three.yaml": "up-to-date"}
    assert victim.read_text(encoding="utf-8") == "keep me"
