"""Ctrl-C, as a terminal sends it: SIGINT to every process of the foreground group at once.

Whenever it comes (workers still importing, specs rendering, serve building in its background
thread) chartspec prints one line, "interrupted", exits with 130 and no process prints a
traceback; a spec stopped by the user is not reported as a renderer stopped by a signal.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import chartspec_exe, child_pids, write_tree

SPEC = """\
title: {title}
data: data/metrics.csv
x: {{field: step}}
layers:
  - y: {{field: loss}}
"""
CSV = "step,loss\n" + "".join(f"{i},{(i * 7919) % 1000 / 10}\n" for i in range(2000))
WAIT = 60.0


def make_project(root: Path, count: int = 20) -> Path:
    specs = {f"s{i:02}.yaml": SPEC.format(title=f"S{i}") for i in range(count)}
    return write_tree(root, {"chartspec.toml": "", "data/metrics.csv": CSV, **specs})


def _start(args: list[str], cwd: Path, stderr: Path) -> subprocess.Popen[bytes]:
    """A new process group, like a terminal's foreground job, with Ctrl-C's default action."""
    with stderr.open("wb") as err:
        return subprocess.Popen([chartspec_exe(), *args], cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                env={**os.environ, "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"})


def _until(what: str, check: object, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + WAIT
    while not check():  # type: ignore[operator]
        assert proc.poll() is None, f"the process ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


def _ctrl_c(proc: subprocess.Popen[bytes]) -> int:
    os.killpg(proc.pid, signal.SIGINT)
    try:
        return proc.wait(timeout=WAIT)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=WAIT)


def _assert_one_quiet_line(rc: int, stderr: str) -> None:
    assert rc == 130, (rc, stderr)
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert "Aborted" not in stderr and "SIGINT" not in stderr, stderr
    assert stderr.strip().splitlines()[-1] == "interrupted", stderr


def test_ctrl_c_while_workers_are_starting_is_one_line_and_130(tmp_path: Path) -> None:
    # the workers import chartspec and vl-convert for a while after they appear: Ctrl-C at several
    # moments of that window (a worker interrupted there used to print spawn_main's traceback)
    project = make_project(tmp_path / "proj")
    for delay in (0.0, 0.1, 0.2, 0.3):
        stderr = tmp_path / f"stderr-{delay}.txt"
        proc = _start(["build", ".", "-o", "out", "-j", "2", "-f", "svg", "--force"], project, stderr)
        _until("the workers started", lambda: len(child_pids(proc.pid)) >= 2, proc)  # noqa: B023
        time.sleep(delay)
        rc = _ctrl_c(proc)
        time.sleep(0.5)  # orphaned workers would print after the main process is gone
        _assert_one_quiet_line(rc, stderr.read_text(errors="replace"))


def test_ctrl_c_while_specs_render_keeps_whole_outputs(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    stderr = tmp_path / "stderr.txt"
    out = project / "out"
    proc = _start(["build", ".", "-o", "out", "-j", "2", "-f", "svg"], project, stderr)
    _until("a spec was built", lambda: any(out.glob("*.svg")), proc)
    rc = _ctrl_c(proc)
    time.sleep(0.5)
    text = stderr.read_text(errors="replace")
    _assert_one_quiet_line(rc, text)
    assert "error" not in text, text  # an interrupted spec is not a failed one
    built = sorted(out.glob("*.svg"))
    assert built and len(built) < 20
    for svg in built:
        assert svg.read_bytes().rstrip().endswith(b"</svg>"), svg


def test_ctrl_c_stops_serve_without_blaming_the_renderer(tmp_path: Path) -> None:
    # serve builds in a background thread: its workers are started there, where the main thread's
    # signal handling does not reach
    project = make_project(tmp_path / "proj")
    for delay in (0.0, 0.2):
        stderr = tmp_path / f"serve-{delay}.txt"
        proc = _start(["serve", ".", "-o", "out", "-j", "2", "--port", "0"], project, stderr)
        _until("the workers started", lambda: len(child_pids(proc.pid)) >= 2, proc)  # noqa: B023
        time.sleep(delay)
        rc = _ctrl_c(proc)
        time.sleep(0.5)
        text = stderr.read_text(errors="replace")
        _assert_one_quiet_line(rc, text)
        assert not re.search(r"error: the renderer", text), text


# a chart Vega never finishes (a regular expression backtracking forever): its renderer process
# holds the GIL in V8, so only the build (or the kernel) can stop it
FOREVER = """\
title: Forever {n}
data: {{values: [{{step: 0, v: 1}}, {{step: 1, v: 2}}]}}
x: {{field: step}}
transform: [{{calculate: "test(/^(a+)+$/, '{text}!') ? 1 : 0", as: c}}]
layers:
  - y: {{field: c}}
"""


def _alive(pid: int) -> bool:
    try:
        return not Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


@pytest.mark.parametrize(("jobs", "stop"), [("0", signal.SIGTERM), ("2", signal.SIGTERM), ("0", signal.SIGHUP),
                                            ("0", signal.SIGKILL), ("2", signal.SIGKILL)])
def test_a_build_stopped_by_a_signal_leaves_no_renderer_drawing(tmp_path: Path, jobs: str,
                                                                 stop: signal.Signals) -> None:
    """``timeout``, a CI runner or a closed terminal sends SIGTERM/SIGHUP to the build alone (not
    to its process group): the build stops its renderer processes and says "terminated" with
    128 + N. Killed outright (SIGKILL), it cannot: the kernel ends them with it (PR_SET_PDEATHSIG)."""
    specs = {f"f{n}.yaml": FOREVER.format(n=n, text="a" * 48) for n in range(2)}
    project = write_tree(tmp_path / "proj", {"chartspec.toml": "", **specs})
    stderr = tmp_path / "stderr.txt"
    proc = _start(["build", ".", "-o", "out", "-j", jobs, "-f", "svg", "--timeout", "120"], project, stderr)
    _until("the renderer started", lambda: len(child_pids(proc.pid)) >= (2 if jobs == "2" else 1), proc)
    renderers = child_pids(proc.pid)
    time.sleep(3)  # drawing now, deep in V8
    os.kill(proc.pid, stop)
    rc = proc.wait(timeout=WAIT)
    deadline = time.monotonic() + 10
    while any(map(_alive, renderers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not any(map(_alive, renderers)), "a renderer outlived its build"
    finally:
        for pid in renderers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert rc == (-signal.SIGKILL if stop == signal.SIGKILL else 128 + stop), rc
    if stop != signal.SIGKILL:
        text = stderr.read_text(errors="replace")
        assert text.strip().splitlines()[-1] == "terminated" and "Traceback" not in text, text
    assert not list((project / "out").glob("*.svg"))
