"""A renderer that dies fails only its spec, also when the build renders from its own process.

With ``--jobs 0``, or one spec to render, specs are loaded, compiled and written by the build's
process and Vega draws in a helper process (builder/renderer.py). V8 aborts the process whose heap
fills up: these tests make it do so for real (a few hundred rows, each calculating an array of ten
million numbers) and check that the build says so for that spec, builds the others and exits 1.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SLOW_VEGA_LITE, RunCli, files_under, write_tree

from chartspec.builder.renderer import Renderer
from chartspec.errors import ExportError
from chartspec.render.engine import EngineError

#: exhausts V8's heap in a few seconds (~1.5 GB): 300 rows x sequence(0, 1e7)
OUT_OF_MEMORY = json.dumps({
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "data": {"sequence": {"start": 0, "stop": 300, "as": "i"}},
    # a size computed per row: the check of literal sizes (spec/expressions/check.py) cannot see it
    "transform": [{"calculate": "sequence(0, 10000000 + datum.i * 0)", "as": "xs"}],
    "mark": "point", "encoding": {"x": {"field": "i", "type": "quantitative"}}})
SLOW = SLOW_VEGA_LITE
FINE = """\
data: {values: [{step: 0, loss: 3}, {step: 1, loss: 2}, {step: 2, loss: 1.5}]}
x: {field: step}
layers: [{y: {field: loss}}]
"""
POINT = {"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative"}}}
CRASHED = "error: the renderer crashed: Fatal JavaScript out of memory"
MEMORY_HINT = "hint: the chart needs more memory than the renderer has"


def _project(root: Path, files: dict[str, str]) -> Path:
    return write_tree(root, {"chartspec.toml": "", **files})


def test_out_of_memory_fails_only_its_spec_with_jobs_0(tmp_path: Path, run_cli: RunCli) -> None:
    """'a_oom' sorts first: the spec after it is drawn by a new helper."""
    project = _project(tmp_path / "proj", {"a_oom.vl.json": OUT_OF_MEMORY, "b_fine.yaml": FINE, "c_fine.yaml": FINE})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg,png", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"proj/a_oom.vl.json: {CRASHED}" in proc.stderr
    assert MEMORY_HINT in proc.stderr
    assert "2 built, 1 failed" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert files_under(out) == {"b_fine.svg", "b_fine.png", "c_fine.svg", "c_fine.png"}


def test_out_of_memory_of_the_only_spec_is_reported(tmp_path: Path, run_cli: RunCli) -> None:
    """One spec to render: built from the build's process whatever --jobs says, and still isolated."""
    project = _project(tmp_path / "proj", {"oom.vl.json": OUT_OF_MEMORY})
    proc = run_cli("build", project / "oom.vl.json", "-o", tmp_path / "out", "-f", "svg", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f"proj/oom.vl.json: {CRASHED}" in proc.stderr and MEMORY_HINT in proc.stderr
    assert "Traceback" not in proc.stderr
    assert files_under(tmp_path / "out") == set()


def test_the_time_limit_holds_with_jobs_0(tmp_path: Path, run_cli: RunCli) -> None:
    project = _project(tmp_path / "proj", {"a_slow.vl.json": SLOW, "b_fine.yaml": FINE})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", "--timeout", "1", cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "proj/a_slow.vl.json: error: rendering took longer than 1 s and was stopped" in proc.stderr
    assert "hint: raise the limit with --timeout" in proc.stderr
    assert files_under(out) == {"b_fine.svg"}


def test_the_helper_draws_reports_vega_and_comes_back_after_it_died() -> None:
    renderer = Renderer()
    try:
        assert renderer.svg(POINT, timeout=120).startswith("<svg")
        with pytest.raises(EngineError, match="Unexpected end of input"):  # Vega's reason, in one line
            renderer.svg({**POINT, "transform": [{"calculate": "datum.a +", "as": "b"}]}, timeout=120)
        assert renderer.recover()
        proc = renderer._proc
        assert proc is not None
        killer = threading.Timer(0.5, os.kill, (proc.pid, signal.SIGKILL))  # while it draws 200,000 points
        killer.start()
        with pytest.raises(ExportError) as died:
            renderer.svg(json.loads(SLOW), timeout=120)
        killer.join()
        assert died.value.first.message == "the renderer was killed (SIGKILL), often the system's out-of-memory killer"
        assert renderer.svg(POINT, timeout=120).startswith("<svg")  # a new helper
        idle = renderer._proc
        assert idle is not None and idle.pid != proc.pid
        os.kill(idle.pid, signal.SIGKILL)  # between charts: replaced without a failed chart
        idle.wait()
        assert renderer.svg(POINT, timeout=120).startswith("<svg")
        assert renderer._proc is not None and renderer._proc.pid != idle.pid
    finally:
        renderer.close()
    assert renderer._proc is None and proc.poll() is not None


def test_an_unused_helper_is_released(tmp_path: Path) -> None:
    renderer = Renderer()
    renderer.start()
    proc = renderer._proc
    assert proc is not None
    renderer.release()  # drew nothing: stopped
    assert renderer._proc is None and proc.poll() is not None
    assert renderer.svg(POINT, timeout=120).startswith("<svg")
    renderer.release()  # drew a chart: kept (watch and serve rebuild with a warm engine)
    assert renderer._proc is not None
    renderer.close()


def test_a_one_shot_build_stops_the_renderer_once_its_last_chart_is_drawn(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from chartspec.builder.options import BuildOptions
    from chartspec.builder.renderer import shared
    from chartspec.builder.run import build

    _project(tmp_path, {"specs/a.yaml": FINE, "specs/b.yaml": FINE})
    renderer, drawn = shared(), []
    draw = renderer.svg

    def recorded(vl: dict, timeout: float | None = None) -> str:
        svg = draw(vl, timeout)
        drawn.append(renderer._proc.pid if renderer._proc is not None else None)
        return svg

    monkeypatch.setattr(renderer, "svg", recorded)
    options = BuildOptions(out=tmp_path / "out", formats=("svg", "png", "html"), jobs=0)
    report = build([tmp_path / "specs"], options, keep_engine=False)  # what the command line asks for
    assert report.ok and len(drawn) == 2 and drawn[0] == drawn[1] is not None  # one helper for both charts
    assert renderer._proc is None  # stopped after the last chart (its SVG, then its PNG)
    for stem in ("a", "b"):
        assert (tmp_path / "out" / f"{stem}.png").read_bytes().startswith(b"\x89PNG")
        assert "<svg" in (tmp_path / "out" / f"{stem}.html").read_text(encoding="utf-8")  # the fallback
    try:
        assert build([tmp_path / "specs"], replace(options, force=True)).ok  # the Python API's default
        assert renderer._proc is not None and renderer._proc.poll() is None  # kept warm for the next build
    finally:
        renderer.close()


def test_the_helper_imports_only_what_drawing_needs() -> None:
    """The helper starts while the build loads its spec: the data stage (numpy, the loggers, YAML;
    ~20 MB and 0.1-0.3 s) would delay its engine and stay in its memory beside Vega's heap."""
    import subprocess
    import sys

    probe = ("import sys; from chartspec.builder import renderer; from chartspec.render.engine import draw_svg, PROBE; "
             "draw_svg(PROBE); print(' '.join(sorted(m for m in sys.modules if m.startswith('chartspec') "
             "or m in ('numpy', 'yaml', 'duckdb', 'jsonschema'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True).stdout
    assert "chartspec.render.engine" in loaded.split()
    assert not [m for m in loaded.split() if m.startswith(("chartspec.data", "chartspec.spec")) or "." not in m
                and m != "chartspec"], loaded
