"""Parallel builds: worker processes give the same bytes, and a runaway spec is stopped cleanly."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from conftest import SPECS, RunCli, write_tree

from chartspec.builder.discover import Target, discover
from chartspec.builder.options import BuildOptions, SpecResult
from chartspec.builder.target import render_target
from chartspec.builder.workers import run_in_workers
from chartspec.render.export import FORMATS

SMALL = """\
title: {title}
data: {data}
x: {{field: step}}
layers:
  - y: {{field: loss}}
"""
#: the runaway of the time-limit test: 120,000 rows drawn whole as a line with a circle at every row
#: take 20-30 s of CPU time to render (several times LIMIT); drawn whole, they stay under the
#: drawing limit (MAX_DRAWN_ROWS, hover rows included)
BIG = """\
title: {title}
data: {data}
x: {{field: step}}
layers:
  - {{mark: line, point: circle, y: {{field: loss}}}}
"""
TWO_AXES = """\
title: Two axes
data: ../data/metrics.csv
x: {field: step, title: Step}
legend: {position: top}
layers:
  - {mark: line, point: circle, y: {field: loss, title: Loss, format: ".2f"}}
  - {mark: bar, y: {field: accuracy, title: Accuracy, domain: [0, 1]}, opacity: 0.5}
"""
INLINE = """\
title: Inline values
data:
  values:
    - {step: 1, loss: 3}
    - {step: 2, loss: 1}
    - {step: 3, loss: 2}
x: {field: step}
layers:
  - {mark: area, y: {field: loss}}
"""
METRICS = "step,loss,accuracy\n0,2.3,0.10\n10,1.9,0.25\n20,1.4,0.40\n30,1.2,0.52\n"


def make_project(root: Path) -> Path:
    return write_tree(root, {"chartspec.toml": "", "data/metrics.csv": METRICS})


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".chartspec-manifest.json"}


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if ".tmp" in p.name]


def test_every_jobs_setting_writes_the_same_bytes(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj")
    shutil.copy(SPECS / "rl_training.yaml", project / "rl_training.yaml")
    shutil.copy(SPECS / "data" / "rl_training.csv", project / "data" / "rl_training.csv")
    (project / "small.yaml").write_text(SMALL.format(title="Small", data="data/metrics.csv"), encoding="utf-8")
    (project / "charts").mkdir()
    (project / "charts" / "two_axes.yaml").write_text(TWO_AXES, encoding="utf-8")
    (project / "charts" / "inline.yml").write_text(INLINE, encoding="utf-8")

    trees = {}
    for jobs in ("0", "1", "2"):
        out = tmp_path / f"out{jobs}"
        proc = run_cli("build", project, "-o", out, "-j", jobs, "-f", ",".join(FORMATS), cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert "4 built" in proc.stdout
        trees[jobs] = tree(out)
    stems = ("rl_training", "small", "charts/two_axes", "charts/inline")
    suffixes = (".html", ".svg", ".png", ".pdf", ".vl.json", ".fragment.html")
    bundle = {name for name in trees["0"] if name.startswith("_chartspec/")}
    assert len(bundle) == 1
    assert set(trees["0"]) == {stem + suffix for stem in stems for suffix in suffixes} | bundle
    for jobs in ("1", "2"):
        differing = [name for name in trees["0"] if trees[jobs].get(name) != trees["0"][name]]
        assert set(trees[jobs]) == set(trees["0"]) and not differing, f"-j {jobs} differs: {differing}"


#: a worker process that starts this much slower (SLOW_START): longer than LIMIT, so a spec charged
#: for its worker's start would fail whatever the machine's speed
STARTUP = 8
#: the time limit of the tests below: far above what a tiny spec costs even on a loaded machine
#: (0.7 s with the load average at 9 on two cores), far below what BIG costs
LIMIT = 5
#: sitecustomize.py for the build's processes (PYTHONPATH): the workers, and only they, start slowly
SLOW_START = f"""import sys, time
if "chartspec.builder.workers" in sys.orig_argv:
    time.sleep({STARTUP})
"""


def test_small_specs_are_not_charged_for_starting_the_workers(tmp_path: Path, run_cli: RunCli) -> None:
    """The time limit is the spec's own: starting a worker's engine (and its first bundled HTML
    page, which takes seconds) does not count. With the limit counted from the hand-over, tiny
    specs failed with a 2-second limit. Here the workers take STARTUP seconds more to start than
    the limit allows (a real start-up took 1-3 s, more or less than a fixed limit depending on the
    machine's load), and the tiny specs are built all the same."""
    project = make_project(tmp_path / "proj")
    for name in ("a", "b", "c", "d"):
        (project / f"{name}.yaml").write_text(SMALL.format(title=name, data="data/metrics.csv"), encoding="utf-8")
    hook = write_tree(tmp_path / "hook", {"sitecustomize.py": SLOW_START})
    out = tmp_path / "out"
    started = time.monotonic()
    proc = run_cli("build", project, "-o", out, "-j", "2", "--timeout", str(LIMIT), cwd=tmp_path,
                   env={"PYTHONPATH": os.pathsep.join(filter(None, (str(hook), os.environ.get("PYTHONPATH"))))})
    assert proc.returncode == 0, proc.stderr
    assert "4 built" in proc.stdout
    assert time.monotonic() - started > STARTUP > LIMIT  # the slow start did happen


def test_a_spec_over_the_time_limit_is_stopped_and_keeps_its_old_outputs(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj")
    (project / "data" / "big.csv").write_text("step,loss\n0,1\n1,2\n2,1.5\n", encoding="utf-8")
    # 'a_big' sorts first: with one worker it is stopped before the others are handed out
    (project / "a_big.yaml").write_text(SMALL.format(title="Big", data="data/big.csv"), encoding="utf-8")
    (project / "b_small.yaml").write_text(SMALL.format(title="B", data="data/metrics.csv"), encoding="utf-8")
    (project / "c_small.yaml").write_text(SMALL.format(title="C", data="data/metrics.csv"), encoding="utf-8")
    out = tmp_path / "out"
    first = run_cli("build", project, "-o", out, "-j", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    old = tree(out)
    assert {"a_big.html", "a_big.svg", "a_big.png"} <= set(old)

    # now make the big spec really big, and change the data of the others so they are rebuilt too
    # (drawn whole: the reduction would cut it to a few thousand rows that render in no time)
    rows = "".join(f"{i},{(i * 7919) % 1000 / 10}\n" for i in range(120_000))
    (project / "data" / "big.csv").write_text("step,loss\n" + rows, encoding="utf-8")
    (project / "a_big.yaml").write_text("reduce: false\n" + BIG.format(title="Big", data="data/big.csv"),
                                        encoding="utf-8")
    (project / "data" / "metrics.csv").write_text(METRICS.replace("2.3", "3.3"), encoding="utf-8")
    proc = run_cli("build", project, "-o", out, "-j", "1", "--timeout", str(LIMIT), cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert f"proj/a_big.yaml: error: rendering took longer than {LIMIT} s and was stopped" in proc.stderr
    assert "hint: raise the limit with --timeout" in proc.stderr
    assert "Traceback" not in proc.stderr
    # the replacement worker built the rest
    assert re.search(r"^built proj/b_small\.yaml -> ", proc.stdout, re.M), proc.stdout
    assert re.search(r"^built proj/c_small\.yaml -> ", proc.stdout, re.M), proc.stdout
    assert "2 built, 1 failed" in proc.stderr
    new = tree(out)
    for name in ("a_big.html", "a_big.svg", "a_big.png"):
        assert new[name] == old[name], f"{name} changed"
    assert new["b_small.svg"] != old["b_small.svg"]
    assert temp_files(out) == []
    assert set(new) == set(old)


def _crash_on_boom(target: Target, options: BuildOptions) -> SpecResult:
    """A task for the workers (module level, so a spawned worker can import it)."""
    if target.spec.stem == "boom":
        os._exit(3)
    return render_target(target, options)


def test_a_crashing_renderer_fails_only_its_spec(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    for name in ("a", "boom", "c"):
        (project / f"{name}.yaml").write_text(SMALL.format(title=name, data="data/metrics.csv"), encoding="utf-8")
    out = tmp_path / "out"
    options = BuildOptions(out=out, formats=("svg",), jobs=1, timeout=120)
    results: list[SpecResult] = []
    cleaned: list[Target] = []
    run_in_workers(discover([project], out), _crash_on_boom, options, 1, results.append, cleaned.append)
    by_name = {r.target.spec.stem: r for r in results}
    assert {name: r.status for name, r in by_name.items()} == {"a": "built", "boom": "failed", "c": "built"}
    error = by_name["boom"].error
    assert error is not None and error.first.message == "the renderer crashed (exit code 3)"
    assert error.first.file is not None and error.first.file.endswith("boom.yaml")
    assert [t.spec.stem for t in cleaned] == ["boom"]
    assert sorted(p.name for p in out.iterdir()) == ["a.svg", "c.svg"]


def test_specs_from_two_folders_with_the_same_output_fail_before_writing(tmp_path: Path, run_cli: RunCli) -> None:
    """Two folders given on the command line, each with chart.yaml (the a.yaml/a.yml case within
    one folder is in test_cli_errors.py): both fail, neither overwrites the other's old outputs."""
    first = make_project(tmp_path / "first")
    second = make_project(tmp_path / "second")
    (first / "chart.yaml").write_text(SMALL.format(title="First", data="data/metrics.csv"), encoding="utf-8")
    (second / "chart.yaml").write_text(SMALL.format(title="Second", data="data/metrics.csv"), encoding="utf-8")
    (second / "other.yaml").write_text(SMALL.format(title="Other", data="data/metrics.csv"), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", first, "-o", out, "-j", "2", "-f", "svg", cwd=tmp_path).returncode == 0
    before = tree(out)

    proc = run_cli("build", first, second, "-o", out, "-j", "2", "-f", "svg", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    for name in ("first/chart.yaml", "second/chart.yaml"):
        assert re.search(rf"^{name}: error: output out/chart\.\* would be written by several specs: "
                         r"first/chart\.yaml, second/chart\.yaml$", proc.stderr, re.M), proc.stderr
    after = tree(out)
    assert after["chart.svg"] == before["chart.svg"]
    assert set(after) == {"chart.svg", "other.svg"}


# --- a failed render does not poison the next spec ----------------------------------------------------

# vl-convert 1.9 throws while drawing this link and keeps the error pending in its engine: the next
# render in the same process failed with the same message, whatever it drew.
POISON = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json",
          "data": {"values": [{"a": 1, "u": "javascript:alert(1)"}]}, "mark": "point",
          "encoding": {"x": {"field": "a", "type": "quantitative"}, "href": {"field": "u", "type": "nominal"}}}
#: the same link made by an expression: the compiler cannot see it, so the renderer meets it
POISON_COMPUTED = {**POISON, "data": {"values": [{"a": 1}]},
                   "transform": [{"calculate": "'javascript' + ':alert(1)'", "as": "u"}]}


def test_the_engine_is_clean_again_after_a_render_error() -> None:
    """The mechanism, on vl-convert itself: the failure is pending after the bad chart, and
    engine.recover drains it."""
    import vl_convert as vlc

    from chartspec.builder import engine
    from chartspec.compiler.common import VEGA_LITE_VERSION
    from chartspec.errors import ExportError

    good = {"data": {"values": [{"a": 1}]}, "mark": "bar", "encoding": {"y": {"field": "a", "type": "quantitative"}}}
    assert engine.warm()
    for recover in (False, True):
        try:
            vlc.vegalite_to_svg(POISON, vl_version=VEGA_LITE_VERSION)
            raise AssertionError("vl-convert drew the poisoned chart: this test needs another poison")
        except ValueError as err:
            assert "reading 'href'" in str(err)
        if recover:
            failed = SpecResult(Target(Path("x.vl.json"), Path("x"), Path(".")), error=ExportError("render failed"))
            assert engine.recover(failed)
            assert "<svg" in vlc.vegalite_to_svg(good, vl_version=VEGA_LITE_VERSION)
        else:  # what every build did before: the next chart fails for the previous one's error
            try:
                vlc.vegalite_to_svg(good, vl_version=VEGA_LITE_VERSION)
                raise AssertionError("the engine was not poisoned: this test needs another poison")
            except ValueError as err:
                assert "reading 'href'" in str(err)


@pytest.mark.parametrize("jobs", ["0", "1"])
def test_a_spec_after_an_engine_error_is_built(tmp_path: Path, run_cli: RunCli, jobs: str) -> None:
    """One worker (or this process) renders the poisoned chart, then the good ones."""
    import json

    project = make_project(tmp_path / "proj")
    (project / "a_poison.vl.json").write_text(json.dumps(POISON_COMPUTED), encoding="utf-8")
    for name in ("b_first", "c_second"):
        (project / f"{name}.yaml").write_text(SMALL.format(title=name, data="data/metrics.csv"), encoding="utf-8")
    alone = tmp_path / "alone"  # the good specs without the poison before them
    proc = run_cli("build", project / "b_first.yaml", project / "c_second.yaml", "-o", alone, "-j", "0",
                   "-f", "svg,png", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr

    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", jobs, "-f", "svg,png", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert re.search(r"^proj/a_poison\.vl\.json(:\d+:\d+)?: error: rendering svg failed", proc.stderr, re.M), proc.stderr
    assert "b_first.yaml: error" not in proc.stderr and "Traceback" not in proc.stderr
    assert "2 built, 1 failed" in proc.stderr
    built = tree(out)
    assert set(built) == {"b_first.svg", "b_first.png", "c_second.svg", "c_second.png"}
    assert built == tree(alone)  # the same bytes as without the failure before them


def _break_the_engine(target: Target, options: BuildOptions) -> SpecResult:
    """A worker task: the spec 'broken' leaves this process's engine failing every render."""
    if target.spec.stem == "broken":
        import vl_convert

        def fails(*args: object, **kwargs: object) -> str:
            raise ValueError("the engine is broken for good")

        vl_convert.vegalite_to_svg = fails
        from chartspec.errors import ExportError

        return SpecResult(target, error=ExportError("rendering svg failed: the engine broke"))
    return render_target(target, options)


def test_a_worker_whose_engine_does_not_recover_is_replaced(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    for name in ("broken", "next", "last"):
        (project / f"{name}.yaml").write_text(SMALL.format(title=name, data="data/metrics.csv"), encoding="utf-8")
    out = tmp_path / "out"
    options = BuildOptions(out=out, formats=("svg",), jobs=1, timeout=120)
    results: list[SpecResult] = []
    targets = sorted(discover([project], out), key=lambda t: t.spec.stem != "broken")  # 'broken' first
    run_in_workers(targets, _break_the_engine, options, 1, results.append, lambda t: None)
    by_name = {r.target.spec.stem: r for r in results}
    assert {name: r.status for name, r in by_name.items()} == {"broken": "failed", "next": "built", "last": "built"}
    assert str(by_name["broken"].error).endswith("rendering svg failed: the engine broke")
    assert sorted(p.name for p in out.iterdir()) == ["last.svg", "next.svg"]


# --- a dead worker: what killed it -------------------------------------------------------------------


def _die(target: Target, options: BuildOptions) -> SpecResult:
    """A worker task: the spec named after a signal (or 'exit3') ends its worker that way."""
    import signal

    name = target.spec.stem
    if name == "exit3":
        os._exit(3)
    if name.startswith("SIG"):
        os.kill(os.getpid(), getattr(signal, name))
        time.sleep(30)  # the signal ends the process before this ends
    return render_target(target, options)


def test_a_dead_worker_is_reported_with_what_killed_it(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    for name in ("SIGKILL", "SIGTERM", "SIGSEGV", "exit3", "zz_fine"):
        (project / f"{name}.yaml").write_text(SMALL.format(title=name, data="data/metrics.csv"), encoding="utf-8")
    out = tmp_path / "out"
    options = BuildOptions(out=out, formats=("svg",), jobs=2, timeout=120)
    results: list[SpecResult] = []
    run_in_workers(discover([project], out), _die, options, 2, results.append, lambda t: None)
    errors = {r.target.spec.stem: r.error.first for r in results if r.error is not None}
    assert [r.target.spec.stem for r in results if r.ok] == ["zz_fine"]

    kill = errors["SIGKILL"]
    assert kill.message == "the renderer was killed (SIGKILL), often the system's out-of-memory killer"
    assert kill.hint is not None and "very large data can exhaust the renderer's memory" in kill.hint
    term = errors["SIGTERM"]
    assert term.message == "the renderer was stopped by SIGTERM"
    assert term.hint is not None and "memory" not in term.hint and "another program" in term.hint
    segv = errors["SIGSEGV"]
    assert segv.message == "the renderer crashed (SIGSEGV)" and "memory" not in (segv.hint or "")
    code = errors["exit3"]
    assert code.message == "the renderer crashed (exit code 3)" and "memory" not in (code.hint or "")
    assert all(e.file is not None and e.file.endswith(f"{name}.yaml") for name, e in errors.items())
