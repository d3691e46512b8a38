"""A resumed TensorBoard run (breaker finding: a crashed job's orphaned steps were drawn after the
resumed ones). chartspec keeps what TensorBoard's own ``EventAccumulator`` keeps, which is the
oracle here: a ``SessionLog START`` at step N (PyTorch's ``SummaryWriter(purge_step=N)``) purges
the values read before it at step N or later; in a file without file version 2, a step out of
order purges its tags' values. Event files are written record by record (length, masked CRC-32C,
data, CRC), so the tests choose their names (the order TensorBoard reads them in) and which
carry a file version."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import build_specs
from svgchart import apply, parse_svg, path_commands

import chartspec
from chartspec.data import loggers
from chartspec.data.loggers import common
from chartspec.data.loggers.restarts import History, Purge, kept
from chartspec.data.smoothing import draws

SPEC = ('data: {files: "runs/*/events.out.tfevents.*", as: run}\nx: {field: step}\n'
        "layers: [{y: {field: loss}, color: {field: run}}]\n")


def event(step: int, loss: float | None = None, *, start: bool = False, version: bool = False,
          tag: str = "loss") -> Any:
    from tensorboard.compat.proto import event_pb2, summary_pb2

    if version:
        return event_pb2.Event(step=step, wall_time=1e9, file_version="brain.Event:2")
    if start:
        return event_pb2.Event(step=step, wall_time=1e9 + step,
                               session_log=event_pb2.SessionLog(status=event_pb2.SessionLog.START))
    value = summary_pb2.Summary.Value(tag=tag, simple_value=loss)
    return event_pb2.Event(step=step, wall_time=1e9 + step, summary=summary_pb2.Summary(value=[value]))


def write(path: Path, events: list[Any]) -> None:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    path.parent.mkdir(parents=True, exist_ok=True)
    out = bytearray()
    for e in events:
        data = e.SerializeToString()
        header = struct.pack("<Q", len(data))
        out += header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))
    path.write_bytes(bytes(out))


def crashed_then_resumed(project: Path, purge: int = 50, resumed: tuple[int, ...] = (50, 60, 70)) -> None:
    """The breaker's run: steps 0..100 (loss 100 - step), then a job resumed with purge_step."""
    run = project / "runs" / "a"
    write(run / "events.out.tfevents.1000.host.1.0",
          [event(0, version=True), *(event(s, 100 - s) for s in range(0, 101, 10))])
    write(run / "events.out.tfevents.2000.host.2.0",
          [event(purge, version=True), event(purge, start=True), *(event(s, 200) for s in resumed)])


def tensorboard_keeps(run: Path, tag: str = "loss") -> list[tuple[int, float]]:
    """What TensorBoard's EventAccumulator keeps of ``tag`` (every value: no sampling)."""
    from tensorboard.backend.event_processing import event_accumulator

    acc = event_accumulator.EventAccumulator(str(run), size_guidance={event_accumulator.SCALARS: 0})
    acc.Reload()
    return [(e.step, e.value) for e in acc.Scalars(tag)]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "chart.yaml").write_text(SPEC, encoding="utf-8")
    return tmp_path


def rows(project: Path, field: str = "loss") -> list[tuple[int, float]]:
    table = chartspec.load(project / "chart.yaml").table
    return [(r["step"], r[field]) for r in table.rows if r.get(field) is not None]


def test_the_breakers_resumed_run_keeps_what_tensorboard_keeps_with_a_note(project: Path) -> None:
    crashed_then_resumed(project)
    expected = [(0, 100.0), (10, 90.0), (20, 80.0), (30, 70.0), (40, 60.0), (50, 200.0), (60, 200.0), (70, 200.0)]
    assert tensorboard_keeps(project / "runs" / "a") == expected
    assert rows(project) == expected
    spec = chartspec.load(project / "chart.yaml")
    [note] = [d.format() for d in spec.notes if "purged" in d.message]
    # 6, as TensorBoard's own warning counts them ("Removing 6 scalars")
    assert note.startswith(f"{project}/runs/a/events.out.tfevents.2000.host.2.0: note: 6 values logged before a "
                           "restart purged")
    assert "SessionLog START at step 50" in note and "SummaryWriter(purge_step=50)" in note


def test_the_drawn_line_has_no_drop_to_the_crashed_jobs_values(project: Path) -> None:
    crashed_then_resumed(project)
    chart = parse_svg(build_specs(project / "out", [project / "chart.yaml"]) / "chart.svg")
    fx, fy = chart.axis("step").scale(), chart.axis("loss").scale()
    [line] = [i for i in chart.items if i.role == "mark" and i.mark == "line"]
    points = [apply(line.matrix, a[0], a[1]) for cmd, a in path_commands(line.attrib["d"]) if cmd in "ML"]
    drawn = [(round(fx.value(x)), round(fy.value(y))) for x, y in points]
    assert drawn == [(0, 100), (10, 90), (20, 80), (30, 70), (40, 60), (50, 200), (60, 200), (70, 200)]


def test_what_remains_follows_the_duplicates_rule(project: Path) -> None:
    # purge_step 60, but the resumed job logs from 50: step 50 is logged twice and both are kept
    crashed_then_resumed(project, purge=60, resumed=(50, 60, 70))
    assert tensorboard_keeps(project / "runs" / "a")[-4:] == [(50, 50.0), (50, 200.0), (60, 200.0), (70, 200.0)]
    table = chartspec.load(project / "chart.yaml").table
    assert [(r["step"], r["loss"]) for r in table.rows][-4:] == [(50, 50.0), (50, 200.0), (60, 200.0), (70, 200.0)]
    drawn = [(r["step"], r["loss"]) for r in table.rows if draws(r, 0)]
    assert (50, 200.0) in drawn and (50, 50.0) not in drawn  # duplicates: last (the default)
    (project / "chart.yaml").write_text(SPEC + "duplicates: first\n", encoding="utf-8")
    table = chartspec.load(project / "chart.yaml").table
    drawn = [(r["step"], r["loss"]) for r in table.rows if draws(r, 0)]
    assert (50, 50.0) in drawn and (50, 200.0) not in drawn


def test_every_restart_purges_and_later_values_stay(project: Path) -> None:
    run = project / "runs" / "a"
    write(run / "events.out.tfevents.1.host.1.0", [event(0, version=True), *(event(s, 1.0) for s in range(0, 60, 10))])
    write(run / "events.out.tfevents.2.host.1.0",
          [event(30, version=True), event(30, start=True), *(event(s, 2.0) for s in range(30, 80, 10))])
    write(run / "events.out.tfevents.3.host.1.0",
          [event(20, version=True), event(20, start=True), *(event(s, 3.0) for s in range(20, 40, 10)),
           event(10, start=True), event(5, 4.0)])  # a START after values: purges the ones before it only
    expected = tensorboard_keeps(run)
    assert expected == [(0, 1.0), (5, 4.0)]
    assert rows(project) == expected


def test_an_old_file_without_a_version_purges_a_tag_on_a_step_out_of_order(project: Path) -> None:
    run = project / "runs" / "a"
    write(run / "events.out.tfevents.1.host.1.0",
          [*(event(s, 1.0) for s in range(0, 50, 10)), *(event(s, 5.0, tag="lr") for s in (40, 50)),
           event(20, 2.0), event(30, 2.0), event(25, 9.0, tag="lr")])
    for tag in ("loss", "lr"):
        assert rows(project, tag) == tensorboard_keeps(run, tag)
    assert rows(project) == [(0, 1.0), (10, 1.0), (20, 2.0), (30, 2.0)]
    assert rows(project, "lr") == [(25, 9.0)]
    [note] = [d.format() for d in chartspec.load(project / "chart.yaml").notes if "purged" in d.message]
    assert "5 values logged before a restart purged" in note and "step 20 after step 50" in note


def test_a_run_without_restarts_keeps_every_value_and_has_no_note(project: Path) -> None:
    run = project / "runs" / "a"
    write(run / "events.out.tfevents.1.host.1.0", [event(0, version=True), *(event(s, 1.0) for s in (0, 10, 20))])
    write(run / "events.out.tfevents.2.host.1.0", [event(0, version=True), *(event(s, 2.0) for s in (10, 20))])
    assert rows(project) == tensorboard_keeps(run) == [(0, 1.0), (10, 1.0), (20, 1.0), (10, 2.0), (20, 2.0)]
    assert not [d for d in chartspec.load(project / "chart.yaml").notes if "purged" in d.message]


def test_the_engine_path_draws_the_purged_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    crashed_then_resumed(project)
    monkeypatch.setattr(common, "PYTHON_CELLS", 0)  # the wide table stays in the engine
    seen: list[Any] = []
    real = loggers.pivot
    monkeypatch.setattr(loggers, "pivot", lambda *a, **k: seen.append(out := real(*a, **k)) or out)
    assert rows(project) == [(0, 100.0), (10, 90.0), (20, 80.0), (30, 70.0), (40, 60.0), (50, 200.0), (60, 200.0),
                             (70, 200.0)]
    assert seen and seen[0].relation is not None


def test_the_purge_is_vectorised_over_a_million_values() -> None:
    import time

    n = 1_000_000
    # the old job logged events 1..n/2, a START at step n/2 follows, then the resumed job's n/2 events
    history = History(events=n + 2, version=2.0, purges=[Purge(n // 2 + 1, n // 2, None, "f", True, -1)])
    position = np.concatenate([np.arange(1, n // 2 + 1), np.arange(n // 2 + 2, n + 2)])
    step = np.concatenate([np.arange(n // 2), np.arange(n // 2, n)])
    metric = np.full(n, "loss", dtype=object)
    keep, note = kept(position, step, metric, history)
    assert keep.all() and note is None  # the old job stopped below the purge step
    step[: n // 2] = np.arange(n // 2) * 2  # now the old job's second half lies at or past it
    started = time.perf_counter()
    keep, note = kept(position, step, metric, history)
    took = time.perf_counter() - started
    assert int((~keep).sum()) == n // 4 and keep[n // 2:].all() and note is not None
    assert took < 1.0, took
