"""A stop asked for while DuckDB runs a query (Ctrl-C, SIGTERM, SIGHUP) stops the build.

DuckDB catches the ``KeyboardInterrupt`` the signal handler raises inside a query and raises its
own "Query interrupted" instead: that used to fail the one spec as a chartspec bug, and the build
went on with the next spec (builder/stop.py); and SIGTERM's handler could not run at all until the
query ended (cli/signals.py cancels it from a thread). The long query is planted with ``sitecustomize``
(as test_internal_errors.py plants a bug): the spec titled ``slow`` sums 10^13 numbers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import chartspec_exe, write_tree

PLANT = '''\
import chartspec.data.loader as _loader

_real = _loader.load


def _slow(path, *args, **kwargs):
    if "slow" in str(path):
        from chartspec.data.engine import connect

        open(str(path) + ".started", "w").close()
        connect(None).execute("SELECT sum(i) FROM range(10000000000000) t(i)").fetchall()
    return _real(path, *args, **kwargs)


_loader.load = _slow
'''
FINE = """\
data: {values: [{step: 0, loss: 3}, {step: 1, loss: 2}]}
x: {field: step}
layers: [{y: {field: loss}}]
"""


@pytest.mark.parametrize(("stop", "code", "said"), [(signal.SIGTERM, 143, "terminated"),
                                                     (signal.SIGINT, 130, "interrupted"),
                                                     (signal.SIGHUP, 129, "terminated")])
def test_a_signal_during_a_query_stops_the_build(tmp_path: Path, stop: signal.Signals, code: int, said: str) -> None:
    plant = write_tree(tmp_path / "plant", {"sitecustomize.py": PLANT})
    project = write_tree(tmp_path / "proj", {"chartspec.toml": "", "a_slow.yaml": FINE, "b.yaml": FINE})
    env = {**os.environ, "PYTHONPATH": str(plant), "NO_COLOR": "1"}
    proc = subprocess.Popen([chartspec_exe(), "build", ".", "-o", "out", "-j", "0", "-f", "svg"], cwd=project,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not (project / "a_slow.yaml.started").exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.05)
        time.sleep(0.5)  # deep in the query
        proc.send_signal(stop)
        out, err = proc.communicate(timeout=60)
    finally:  # a build that did not stop would sum for hours
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == code, (out, err)
    assert err.strip().splitlines()[-1] == said, err
    assert "internal error" not in err and "Traceback" not in err, err
    assert not (project / "out" / "b.svg").exists()  # the build stopped: the next spec was not built
