"""The training-log readers, on real logs written by the loggers themselves (tests/data/loggers,
made by make_logs.py): TensorBoard (a resumed run, tensor-form scalars), MLflow's file and SQLite
stores (two experiments, a deleted run), Hugging Face Trainer, DVCLive; and their errors."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, build_specs
from svgchart import fit_linear, parse_svg

import chartspec
from chartspec.data.smoothing import draws
from chartspec.errors import ChartspecError

LOGS = REPO / "tests" / "data" / "loggers"
LINE = "x: {field: step}\nlayers: [{mark: line, y: {field: train/loss}}]\n"
HF = "x: {field: step}\nlayers: [{mark: line, y: {field: loss}}]\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project holding a copy of the test logs."""
    shutil.copytree(LOGS, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    return tmp_path


def table(project: Path, data: str, body: str = LINE) -> Any:
    spec = project / "chart.yaml"
    spec.write_text(f"data: {data}\n{body}", encoding="utf-8")
    return chartspec.load(spec).table


def logged(t: Any) -> tuple[str, ...]:
    """The table's columns without chartspec's own (``__draws``: which rows each line draws)."""
    return tuple(c for c in t.columns if not c.startswith("__"))


def errors(project: Path, data: str, body: str = LINE) -> list[str]:
    with pytest.raises(ChartspecError) as caught:
        table(project, data, body)
    return [d.format() for d in caught.value.diagnostics]


def column(rows: Any, name: str, **where: Any) -> list[Any]:
    return [r[name] for r in rows if all(r[k] == v for k, v in where.items())]


# -- TensorBoard ---------------------------------------------------------------------------------

def test_tensorboard_runs_are_folders_and_a_resumed_run_keeps_both_files(project: Path) -> None:
    t = table(project, '{files: "runs/*/events.out.tfevents.*", as: run}')
    assert logged(t) == ("run", "step", "wall_time", "train/loss", "train/lr", "eval/loss")
    assert sorted(set(column(t.rows, "run"))) == ["a", "b"]
    # the restart logged steps 20 and 30 again, in a second file: both kept, in log order
    assert column(t.rows, "step", run="a") == [0, 10, 20, 30, 20, 30, 40, 50]
    # and a line draws the later ones (data/steps.py), as TensorBoard shows a restarted run
    drawn = [r["step"] for r in t.rows if r["run"] == "a" and draws(r, 0) and r["train/loss"] is not None]
    assert sorted(drawn) == [0, 10, 20, 30, 40, 50]
    walls = column(t.rows, "wall_time", run="a")
    assert walls[4] - walls[3] > 900  # the second file's events came later
    assert len([f for f in t.files if f.parent.name == "a"]) == 2
    # eval/loss was logged every 50 steps: empty elsewhere, not a zero
    assert column(t.rows, "eval/loss", run="a")[1:7] == [None] * 6
    assert all(isinstance(v, float) for v in column(t.rows, "eval/loss", run="a", step=0))


def test_tensorboard_float32_scalars_read_as_logged_and_tensor_scalars_too(project: Path) -> None:
    t = table(project, '{files: "runs/*/events.out.tfevents.*", as: run}')
    first = [r for r in t.rows if r["run"] == "a"][0]
    assert first["train/loss"] == 2.7634 and first["train/lr"] == 0.0003  # not 2.76339998...
    # run b holds tensor-form scalars (float_val and packed double tensor_content); the plugin
    # is named only on each tag's first event, yet every step is read
    b = [r for r in t.rows if r["run"] == "b"]
    assert [r["step"] for r in b] == [0, 10, 20, 30, 40, 50]
    assert all(isinstance(r["train/loss"], float) and isinstance(r["train/lr"], float) for r in b)
    assert b[-1]["train/lr"] == 0.0 and b[1]["train/lr"] == pytest.approx(0.00027135, abs=1e-12)


def test_a_tensorboard_folder_or_one_file_is_one_run_without_a_run_column(project: Path) -> None:
    folder = table(project, "runs/a")
    assert folder.columns[0] == "step" and len(folder.rows) == 8
    one = table(project, "runs/a/events.out.tfevents.1700000000.host.1.0")
    assert [r["step"] for r in one.rows] == [0, 10, 20, 30]


def test_a_damaged_event_file_is_a_positioned_error(project: Path) -> None:
    # (a file cut short is a run still writing: read up to its partial record, test_logger_damage.py)
    path = project / "runs" / "a" / "events.out.tfevents.1700001000.host.2.0"
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    found = errors(project, '{files: "runs/*/events.out.tfevents.*", as: run}')
    assert "runs/a/events.out.tfevents.1700001000.host.2.0: error: event file is damaged at record" in found[0]
    assert found[1].startswith(f"{project / 'chart.yaml'}:1:") or ":1:" in found[1]
    assert "note: data file used here" in found[1]


def test_without_the_tensorboard_extra_the_error_names_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "tensorboard.compat.proto", None)  # import fails as if not installed
    found = errors(project, "runs/a")
    assert ":1:7: error: reading TensorBoard event files needs the 'tensorboard' package, which is not installed" \
        in found[0]
    assert "pip install 'chartspec[tensorboard]'" in found[0]


# -- MLflow --------------------------------------------------------------------------------------

def test_mlflow_file_store_has_both_experiments_and_skips_the_deleted_run(project: Path) -> None:
    t = table(project, "mlruns")
    assert logged(t) == ("run", "experiment", "step", "wall_time", "train/loss", "val/accuracy")
    runs = sorted({(r["experiment"], r["run"]) for r in t.rows})
    assert runs == [("baseline", "baseline-seed0"), ("baseline", "baseline-seed1"), ("baseline", "baseline-seed2"),
                    ("tuned", "tuned-seed0")]
    assert column(t.rows, "step", run="tuned-seed0") == [0, 10, 20, 30, 40, 50]
    # val/accuracy every 20 steps: sparse; wall time in seconds from MLflow's milliseconds
    assert column(t.rows, "val/accuracy", run="tuned-seed0")[1] is None
    assert column(t.rows, "wall_time", run="tuned-seed0")[:2] == [1_700_000_000.0, 1_700_000_010.0]
    assert 99.0 not in column(t.rows, "train/loss")  # the deleted run's only value


def test_mlflow_3_metric_lines_with_a_dataset_are_read(project: Path) -> None:
    # MLflow 3's file store writes `timestamp value step dataset_name dataset_digest` for a metric
    # logged with a dataset (mlflow.log_metric(..., dataset=...)); plain lines may sit beside them
    path = project / "mlruns/307748805628631542/47da6973ba4743669800bc687d31dcbf/metrics/eval/loss"
    path.parent.mkdir(parents=True)
    path.write_text("1700000000000 1.5 0 eval_set 3f2a9c\n1700000010000 1.25 10\n"
                    "1700000020000 1.125 20 eval_set 3f2a9c\n", encoding="utf-8")
    t = table(project, "mlruns", "x: {field: step}\nlayers: [{mark: line, y: {field: eval/loss}}]\n")
    assert column(t.rows, "eval/loss", run="tuned-seed0")[:3] == [1.5, 1.25, 1.125]
    path.write_text("1700000000000 1.5 0 eval_set 3f2a9c\n1700000010000 oops 10 eval_set 3f2a9c\n", encoding="utf-8")
    found = errors(project, "mlruns")
    assert "metrics/eval/loss:2:1: error: an MLflow metric line is 'timestamp value step'" in found[0]


def test_mlflow_sqlite_store_gives_the_same_table_read_only(project: Path) -> None:
    db = project / "mlflow.db"
    before = db.read_bytes()
    db.chmod(0o444)
    assert table(project, "mlflow.db").rows == table(project, "mlruns").rows
    assert db.read_bytes() == before and not (project / "mlflow.db-journal").exists()


def test_a_file_that_is_not_an_mlflow_database_is_a_positioned_error(project: Path) -> None:
    (project / "mlflow.db").write_bytes(b"not sqlite" * 100)
    found = errors(project, "mlflow.db")
    assert "mlflow.db: error: not a readable MLflow SQLite store" in found[0]


# -- Hugging Face Trainer ------------------------------------------------------------------------

def test_hf_trainer_state_rows_eval_at_their_steps_and_no_summary(project: Path) -> None:
    t = table(project, '{files: "output/*/trainer_state.json", as: run}', HF)
    assert "train_runtime" not in t.columns and "total_flos" not in t.columns
    assert t.columns[:6] == ("run", "step", "epoch", "grad_norm", "learning_rate", "loss")
    state = json.loads((LOGS / "output" / "a" / "trainer_state.json").read_text(encoding="utf-8"))
    a = [r for r in t.rows if r["run"] == "a"]
    assert [r["step"] for r in a] == [10, 20, 30, 40, 50]  # training and eval at step 40 share a row
    assert [r["loss"] for r in a] == [e["loss"] for e in state["log_history"] if "loss" in e]
    assert [r["eval_loss"] for r in a] == [None, None, None, state["log_history"][4]["eval_loss"], None]


def test_broken_trainer_state_is_reported_at_its_line(project: Path) -> None:
    (project / "output" / "a" / "trainer_state.json").write_text('{\n  "log_history": [\n    {"step": 1,}\n]}\n')
    found = errors(project, '{files: "output/*/trainer_state.json", as: run}', HF)
    assert "output/a/trainer_state.json:3:" in found[0] and "invalid JSON" in found[0]


# -- DVCLive -------------------------------------------------------------------------------------

def test_dvclive_nested_metric_names_one_folder_or_several(project: Path) -> None:
    one = table(project, "exp1/dvclive")
    assert one.columns == ("step", "train/acc", "train/loss")
    lines = (LOGS / "exp1" / "dvclive" / "plots" / "metrics" / "train" / "loss.tsv").read_text().split()
    assert [r["train/loss"] for r in one.rows] == [float(v) for v in lines[3::2]]
    many = table(project, '{files: "exp*/dvclive", as: run}')
    assert sorted({r["run"] for r in many.rows}) == ["exp1", "exp2"]


def test_format_overrides_the_name(project: Path) -> None:
    shutil.move(project / "exp1" / "dvclive", project / "live_logs")
    assert table(project, "{path: live_logs, format: dvclive}").columns == ("step", "train/acc", "train/loss")


def test_a_symlink_out_of_the_project_inside_a_log_folder_is_refused(project: Path, tmp_path_factory: Any) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.tsv").write_text("step\tsecret\n0\t1\n")
    (project / "exp1" / "dvclive" / "plots" / "metrics" / "leak.tsv").symlink_to(outside / "secret.tsv")
    found = errors(project, "exp1/dvclive")
    assert "leak.tsv leads outside the project through a symbolic link" in found[0]


# -- through the whole pipeline ------------------------------------------------------------------

def test_an_unknown_metric_gets_did_you_mean_over_the_metric_names(project: Path) -> None:
    found = errors(project, "mlruns", "x: {field: step}\nlayers: [{mark: line, y: {field: train/los}}]\n")
    assert any("train/los" in f and "did you mean 'train/loss'?" in f and ":3:" in f for f in found), found


def test_metric_names_with_a_slash_reach_the_drawing(project: Path) -> None:
    spec = project / "tb.yaml"
    spec.write_text('data: {files: "runs/b/events.out.tfevents.*", as: run}\nx: {field: step}\n'
                    "layers: [{mark: line, point: circle, y: {field: train/loss, title: loss}}]\n", encoding="utf-8")
    out = build_specs(project / "out", [spec])
    chart = parse_svg(out / "tb.svg")
    y = chart.axis("loss").scale()
    x = fit_linear(chart.axis("step").tick_positions(), [float(v) for v in chart.axis("step").label_texts])
    points = sorted((round(x.value(p.x)), y.value(p.y)) for p in chart.by_role("mark", "symbol"))
    expected = [(r["step"], r["train/loss"]) for r in table(project, '{files: "runs/b/events.out.tfevents.*", as: run}'
                                                             ).rows]
    assert [p[0] for p in points] == [e[0] for e in expected]
    assert all(abs(p[1] - e[1]) < 0.01 for p, e in zip(points, expected))
