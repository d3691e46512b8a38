"""A bug in chartspec met by one spec fails that spec, with its file named, and never a traceback.

The bug is planted with a ``sitecustomize`` module on ``PYTHONPATH`` (which the build's process and
its workers all import at start-up): the compiler raises a plain Python exception for the spec
titled ``boom``, as a real bug would (a division by zero in a check, say).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

PLANT = '''\
import chartspec.compiler.vegalite as _v

_real = _v.compile_noted  # what the build calls (compile_vegalite calls it too)


def _buggy(spec, *args, **kwargs):
    if spec.model.title == "boom":
        raise ZeroDivisionError("float division by zero")
    return _real(spec, *args, **kwargs)


_v.compile_noted = _buggy
'''
FINE = """\
data: {values: [{step: 0, loss: 3}, {step: 1, loss: 2}]}
x: {field: step}
layers: [{y: {field: loss}}]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    plant = write_tree(tmp_path / "plant", {"sitecustomize.py": PLANT})
    monkeypatch.setenv("PYTHONPATH", str(plant))
    return write_tree(tmp_path / "proj", {"chartspec.toml": "", "a.yaml": FINE, "b_boom.yaml": "title: boom\n" + FINE,
                                          "c.yaml": FINE})


@pytest.mark.parametrize("jobs", ["0", "2"])
def test_a_bug_fails_only_its_spec(project: Path, tmp_path: Path, run_cli: RunCli, jobs: str) -> None:
    proc = run_cli("build", project, "-o", tmp_path / "out", "-j", jobs, "-f", "svg", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "proj/b_boom.yaml: error: internal error in chartspec (ZeroDivisionError: float division by zero)" \
        in proc.stderr
    assert "hint: a bug in chartspec, not in the spec" in proc.stderr
    assert "renderer crashed" not in proc.stderr
    assert "2 built, 1 failed" in proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").glob("*.svg")) == ["a.svg", "c.svg"]


def test_validate_reports_a_bug_and_checks_the_rest(project: Path, tmp_path: Path, run_cli: RunCli) -> None:
    proc = run_cli("validate", project, cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "b_boom.yaml: error: internal error in chartspec (ZeroDivisionError" in proc.stderr
    assert "2 valid, 1 failed" in proc.stderr
