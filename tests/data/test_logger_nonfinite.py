"""Issue 13 item 3 for the logger readers: a diverging run logs ``nan`` and ``inf`` in whatever
form its logger writes them, and every reader makes them missing values with the note the CSV
reader gives (the count, and where the first one is: a log has no rows, so its step and run).

The logs are the committed real ones (tests/data/loggers) with non-finite values added the way
each logger writes them: TensorBoard's own event writer, MLflow's file-store line
``f"{timestamp} {value} {step}"`` and its SQL store's ``sanitize_metric_value`` (NaN as 0 with
``is_nan``, infinities as +-DBL_MAX), ``json.dumps`` in ``trainer_state.json``, and ``str(float)``
in DVCLive's TSV files.
"""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, build_specs
from svgchart import apply, parse_svg, path_commands

import chartspec
from chartspec.data.loggers import common

LOGS = REPO / "tests" / "data" / "loggers"
RUN = "mlruns/307748805628631542/47da6973ba4743669800bc687d31dcbf"  # experiment 'tuned', run 'tuned-seed0'
TAIL = "drawn as missing values: no point, no smoothing, not in the axis domain"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(LOGS, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    return tmp_path


def load(project: Path, data: str, y: str) -> Any:
    spec = project / "chart.yaml"
    spec.write_text(f"data: {data}\nx: {{field: step}}\nlayers: [{{mark: line, y: {{field: {y}}}}}]\n",
                    encoding="utf-8")
    return chartspec.load(spec)


def notes(spec: Any) -> list[str]:
    """The spec's notes about non-finite values (run 'a' is a resumed run: it has a note of its own)."""
    return [d.format() for d in spec.notes if "not a finite number" in d.message]


def write_events(folder: Path, values: list[tuple[int, float]], tag: str = "train/loss") -> None:
    """An event file as TensorBoard's own writer writes it (the one PyTorch's SummaryWriter uses)."""
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(folder))
    for step, value in values:
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=value)])
        writer.add_event(event_pb2.Event(wall_time=1.7e9 + step, step=step, summary=summary))
    writer.close()


DIVERGING = [(0, 2.4), (10, 1.9), (20, 3.7), (30, math.inf), (40, math.nan)]


def test_tensorboard_nan_and_inf_are_missing_with_the_note(project: Path) -> None:
    write_events(project / "runs" / "c", DIVERGING)
    spec = load(project, '{files: "runs/*/events.out.tfevents.*", as: run}', "train/loss")
    c = [r["train/loss"] for r in spec.table.rows if r["run"] == "c"]
    assert c == [2.4, 1.9, 3.7, None, None]
    assert notes(spec) == [f"{project / 'chart.yaml'}:1:15: note: 2 cells of column 'train/loss' in "
                           "runs/*/events.out.tfevents.* are not a finite number (first: step 30 of run 'c', inf); "
                           + TAIL]


def test_the_drawn_line_stops_at_the_last_finite_value(project: Path) -> None:
    write_events(project / "runs" / "c", DIVERGING)
    spec = project / "tb.yaml"
    spec.write_text("data: runs/c\nx: {field: step}\nlayers: [{y: {field: train/loss, title: loss}}]\n",
                    encoding="utf-8")
    chart = parse_svg(build_specs(project / "out", [spec]) / "tb.svg")
    fx, fy = chart.axis("step").scale(), chart.axis("loss").scale()
    [line] = [i for i in chart.items if i.role == "mark" and i.mark == "line"]
    commands = path_commands(line.attrib["d"])
    assert [cmd for cmd, _ in commands].count("M") == 1  # one piece
    points = [apply(line.matrix, args[0], args[1]) for cmd, args in commands if cmd in "ML"]
    assert [v for x, y in points for v in (fx.value(x), fy.value(y))] == pytest.approx(
        [0, 2.4, 10, 1.9, 20, 3.7], abs=0.05)
    assert max(float(t) for t in chart.axis("loss").label_texts) <= 3.8  # no inf in the domain


def test_mlflow_file_store_lines_with_nan_and_inf(project: Path) -> None:
    with (project / RUN / "metrics" / "train" / "loss").open("a", encoding="utf-8") as f:
        f.write(f"1700000060000 {math.nan} 60\n1700000070000 {-math.inf} 70\n1700000080000 {math.nan} 80\n")
    spec = load(project, "mlruns", "train/loss")
    assert [r["train/loss"] for r in spec.table.rows if r["run"] == "tuned-seed0"][-3:] == [None, None, None]
    assert notes(spec) == [f"{project / 'chart.yaml'}:1:7: note: 3 cells of column 'train/loss' in mlruns are not "
                           "a finite number (first: step 60 of run 'tuned-seed0', experiment 'tuned', nan); " + TAIL]


def test_mlflow_sqlite_store_nan_and_infinity_as_mlflow_stores_them(project: Path) -> None:
    db = project / "mlflow.db"
    con = sqlite3.connect(db)
    run = con.execute("SELECT run_uuid FROM runs WHERE name = 'tuned-seed0'").fetchone()[0]
    con.executemany("INSERT INTO metrics VALUES ('train/loss', ?, ?, ?, ?, ?)",
                    [(1.7976931348623157e308, 1700000060000, run, 60, 0), (0.0, 1700000070000, run, 70, 1)])
    con.commit()
    con.close()
    spec = load(project, "mlflow.db", "train/loss")
    rows = [r for r in spec.table.rows if r["run"] == "tuned-seed0"]
    assert [(r["step"], r["train/loss"]) for r in rows[-2:]] == [(60, None), (70, None)]
    assert notes(spec) == [f"{project / 'chart.yaml'}:1:7: note: 2 cells of column 'train/loss' in mlflow.db are "
                           "not a finite number (first: step 60 of run 'tuned-seed0', experiment 'tuned', inf); "
                           + TAIL]


def test_hf_trainer_nan_and_infinity_as_json_dumps_writes_them(project: Path) -> None:
    path = project / "output" / "a" / "trainer_state.json"
    state = json.loads(path.read_text(encoding="utf-8"))
    state["log_history"][1]["loss"] = math.inf
    state["log_history"][2]["loss"] = math.nan
    path.write_text(json.dumps(state, indent=2), encoding="utf-8")
    assert "Infinity" in path.read_text(encoding="utf-8")
    spec = load(project, '{files: "output/*/trainer_state.json", as: run}', "loss")
    assert [r["loss"] for r in spec.table.rows if r["run"] == "a"][1:3] == [None, None]
    assert notes(spec) == [f"{project / 'chart.yaml'}:1:15: note: 2 cells of column 'loss' in "
                           "output/*/trainer_state.json are not a finite number (first: step 20 of run 'a', inf); "
                           + TAIL]


def test_dvclive_nan_rows_and_notes_only_for_metrics_the_spec_draws(project: Path) -> None:
    metrics = project / "exp1" / "dvclive" / "plots" / "metrics" / "train"
    for name in ("loss", "acc"):
        with (metrics / f"{name}.tsv").open("a", encoding="utf-8") as f:
            f.write(f"1000\t{math.nan}\n")
    spec = load(project, "exp1/dvclive", "train/loss")
    assert spec.table.rows[-1] == {**spec.table.rows[-1], "step": 1000, "train/loss": None, "train/acc": None}
    assert notes(spec) == [f"{project / 'chart.yaml'}:1:7: note: 1 cell of column 'train/loss' in exp1/dvclive is "
                           "not a finite number (first: step 1000, nan); " + TAIL]


def test_a_log_kept_in_the_engine_loads_and_gives_the_same_note(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "PYTHON_CELLS", 0)  # every log stays an engine table
    write_events(project / "runs" / "c", DIVERGING)
    spec = load(project, '{files: "runs/*/events.out.tfevents.*", as: run}', "train/loss")
    # the engine table went through the data step (which failed on DuckDB 2 before: the pivot
    # left a result unfinished) and, being small, came back as rows
    assert [r["train/loss"] for r in spec.table.rows if r["run"] == "c"] == [2.4, 1.9, 3.7, None, None]
    assert [n.split(": note: ", 1)[1] for n in notes(spec)] == [
        "2 cells of column 'train/loss' in runs/*/events.out.tfevents.* are not a finite number "
        "(first: step 30 of run 'c', inf); " + TAIL]
