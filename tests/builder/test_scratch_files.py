"""No engine leaves its scratch files in the temporary folder, however its process ends.

The renderer's console (``chartspec-engine-<pid>-*.log``) and DuckDB's spill folders
(``chartspec-engine-<pid>-spill-*``) used to stay behind when a worker was killed for its time
limit, when a build was stopped (SIGTERM, Ctrl-C) while workers drew, when the renderer's helper
died between charts, when a process ended without closing its engines, and when a build was
killed outright (SIGKILL): hundreds of files in /tmp. Each test gives its processes a temporary
folder of their own (TMPDIR) and looks at what is left in it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import SLOW_VEGA_LITE, RunCli, chartspec_exe, write_tree

from chartspec import scratch as scratch_module
from chartspec.builder.renderer import Renderer

SLOW = SLOW_VEGA_LITE
FINE = """\
data: {values: [{step: 0, loss: 3}, {step: 1, loss: 2}]}
x: {field: step}
layers: [{y: {field: loss}}]
"""
POINT = {"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative"}}}


def _left(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("chartspec-engine-*"))


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def _slow_project(root: Path, count: int = 4) -> Path:
    return write_tree(root, {"chartspec.toml": "", **{f"s{i}.vl.json": SLOW for i in range(count)}})


def test_specs_over_their_time_limit_leave_no_files(tmp_path: Path, scratch: Path, run_cli: RunCli) -> None:
    """Each worker killed for its time limit left its console; the build now removes it."""
    project = _slow_project(tmp_path / "proj", 3)
    proc = run_cli("build", project, "-o", tmp_path / "out", "-j", "2", "-f", "svg", "--timeout", "1",
                   cwd=tmp_path, env={"TMPDIR": str(scratch)})
    assert proc.returncode == 1 and "0 built, 3 failed" in proc.stderr, proc.stderr
    assert _left(scratch) == []


def test_a_build_stopped_while_workers_draw_leaves_no_files(tmp_path: Path, scratch: Path) -> None:
    """SIGTERM (as Ctrl-C) kills the workers that are drawing: their files go with them."""
    project = _slow_project(tmp_path / "proj")
    proc = subprocess.Popen([chartspec_exe(), "build", str(project), "-o", str(tmp_path / "out"), "-j", "2",
                             "-f", "svg"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "NO_COLOR": "1", "TMPDIR": str(scratch)})
    deadline = time.monotonic() + 60
    while len(list(scratch.glob("*.log"))) < 2 and time.monotonic() < deadline:  # both workers are up
        time.sleep(0.05)
    time.sleep(0.5)  # and drawing their first 200,000 points
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode != 0 and "built" not in stderr, stderr  # stopped mid-drawing
    assert _left(scratch) == []


def test_a_helper_that_died_between_charts_leaves_no_files(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    renderer = Renderer()
    try:
        assert renderer.svg(POINT, timeout=120).startswith("<svg")
        idle = renderer._proc
        assert idle is not None and [p for p in _left(scratch) if f"-{idle.pid}-" in p]
        os.kill(idle.pid, signal.SIGKILL)
        idle.wait()
        assert renderer.svg(POINT, timeout=120).startswith("<svg")  # drawn by a new helper
        assert not [p for p in _left(scratch) if f"-{idle.pid}-" in p]
    finally:
        renderer.close()
    assert _left(scratch) == []


def test_an_engine_never_closed_removes_its_spill_folder_at_exit(scratch: Path) -> None:
    """A process that queried DuckDB and exits without close_all (an error path, a script)."""
    script = "from chartspec.data import engine; print(engine.connect(None).execute('select 42').fetchone()[0])"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TMPDIR": str(scratch)})
    assert proc.stdout.strip() == "42", proc.stderr
    assert _left(scratch) == []


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_what_killed_processes_left_is_removed_by_the_next_build(tmp_path: Path, scratch: Path,
                                                                 run_cli: RunCli) -> None:
    """A build killed with SIGKILL takes its workers with it (the kernel kills them): nobody is left
    to remove their files, so the next process that starts an engine does, for pids that no longer
    run. A live process' files, and another folder's, are left alone."""
    dead, alive, here = _dead_pid(), os.getpid(), scratch_module.pid_space()
    (scratch / f"chartspec-engine-{dead}-n{here}-abcd1234.log").write_text("")
    (scratch / f"chartspec-engine-{dead}-n{here}-spill-abcd1234").mkdir()
    (scratch / f"chartspec-engine-{dead}-n{here}-spill-abcd1234" / "duckdb_temp_block-1.block").write_bytes(b"x")
    (scratch / f"chartspec-engine-{alive}-n{here}-abcd1234.log").write_text("")
    # another container's or host's process: kill(pid, 0) here cannot tell whether it runs (breaker14 #3)
    elsewhere = "0" * 8 if here != "0" * 8 else "1" * 8
    (scratch / f"chartspec-engine-{dead}-n{elsewhere}-spill-abcd1234").mkdir()
    old = scratch / "chartspec-engine-ab_d1234"  # made by versions without the pid in the name
    old.mkdir()
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    (scratch / "chartspec-engine-notes.txt").write_text("not ours to judge")
    project = write_tree(tmp_path / "proj", {"chartspec.toml": "", "a.yaml": FINE})
    proc = run_cli("build", project, "-o", tmp_path / "out", "-j", "0", "-f", "svg", cwd=tmp_path,
                   env={"TMPDIR": str(scratch)})
    assert proc.returncode == 0, proc.stderr
    assert _left(scratch) == sorted([f"chartspec-engine-{alive}-n{here}-abcd1234.log",
                                     f"chartspec-engine-{dead}-n{elsewhere}-spill-abcd1234",
                                     "chartspec-engine-notes.txt"])
