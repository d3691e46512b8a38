"""chartspec.build() from an ordinary script, as the README shows it: no ``if __name__ ==
"__main__":`` guard, str paths, worker processes, and failures that do not pass silently."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import SPECS

SCRIPT = """\
import chartspec

report = chartspec.build("specs", chartspec.BuildOptions(out="build", jobs=2, formats="svg"))
print(report)
report.raise_for_errors()
print("after the build")
"""


def _project(root: Path, names: list[str]) -> Path:
    (root / "specs" / "data").mkdir(parents=True)
    for name in names:
        (root / "specs" / name).write_text((SPECS / name).read_text(encoding="utf-8"), encoding="utf-8")
    for csv in ("rl_training.csv",):
        (root / "specs" / "data" / csv).write_bytes((SPECS / "data" / csv).read_bytes())
    (root / "build.py").write_text(SCRIPT, encoding="utf-8")
    return root


def _run(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "build.py"], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def test_a_script_without_a_main_guard_builds_in_workers(tmp_path: Path) -> None:
    project = _project(tmp_path, ["rl_training.yaml", "annotations_rl_peak.yaml"])
    proc = _run(project)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("2 built (") and "after the build" in proc.stdout
    assert proc.stderr == ""  # no worker re-ran the script, no traceback
    assert sorted(p.name for p in (project / "build").iterdir()) == [".chartspec-manifest.json", "annotations_rl_peak.svg",
                                                                     "rl_training.svg"]


def test_a_failed_spec_fails_the_script_with_its_position(tmp_path: Path) -> None:
    project = _project(tmp_path, ["rl_training.yaml"])
    (project / "specs" / "bad.yaml").write_text("x: {field: step}\nlayers: [{y: {field: nope}}]\ndata: data/rl_training.csv\n",
                                                encoding="utf-8")
    proc = _run(project)
    assert proc.returncode == 1
    assert "1 built, 1 failed" in proc.stdout and "after the build" not in proc.stdout
    assert "chartspec.errors.ChartspecError: specs/bad.yaml:2:22: error: field 'nope' not in" in proc.stderr
    assert (project / "build" / "rl_training.svg").exists()
