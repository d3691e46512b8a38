"""Log folders as people's disks leave them (breaker10 #03): a macOS ``.DS_Store`` or an editor's
swap file among the metrics, bytes that are not UTF-8, headers naming no metric, steps no logger
writes. Hidden files are not metrics and are left out; everything else is an error located in the
file that holds it, never an internal error (a traceback reaching the user)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import chartspec
from chartspec.errors import ChartspecError

DS_STORE = b"\x00\x00\x00\x01Bud1\x00\x00\x10\x00\xae\x8f\xff"  # the start of a real one: not UTF-8


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)


def mlruns(project: Path, metrics: dict[str, str | bytes], run_name: str = "r") -> Path:
    """A file store with experiment 'e' holding run ``aa`` (named ``run_name``) and ``metrics``."""
    write(project / "mlruns" / "1" / "meta.yaml", "name: e\nlifecycle_stage: active\nexperiment_id: '1'\n")
    run = project / "mlruns" / "1" / "aa"
    write(run / "meta.yaml", f"run_name: '{run_name}'\nrun_id: aa\nlifecycle_stage: active\n")
    for key, text in metrics.items():
        write(run / "metrics" / key, text)
    return run


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project folder, also the working folder: messages name files relative to it."""
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(project: Path, data: str, y: str = "lr") -> Any:
    spec = project / "chart.yaml"
    spec.write_text(f"data: {data}\nx: {{field: step}}\nlayers: [{{mark: line, y: {{field: {y}}}}}]\n",
                    encoding="utf-8")
    return chartspec.load("chart.yaml")


def errors(project: Path, data: str, y: str = "lr") -> list[str]:
    with pytest.raises(ChartspecError) as caught:
        load(project, data, y)
    found = [d.format() for d in caught.value.diagnostics]
    assert "internal error" not in "\n".join(found)
    return found


# -- hidden files are not metrics ----------------------------------------------------------------

@pytest.mark.parametrize("name, data", [(".DS_Store", DS_STORE), (".lr.swp", "b0VIM 8.2 swap text\n"),
                                        ("._lr", b"\x00\x05\x16\x07\x00\x02\x00\x00\xff"),
                                        ("train/.DS_Store", DS_STORE)])
def test_mlflow_leaves_hidden_files_in_metrics_out(project: Path, name: str, data: str | bytes) -> None:
    mlruns(project, {"lr": "1000 0.5 0\n2000 0.25 1\n", name: data})
    spec = load(project, "mlruns")
    assert spec.table.columns == ("run", "experiment", "step", "wall_time", "lr")
    assert [r["lr"] for r in spec.table.rows] == [0.5, 0.25]


def test_dvclive_leaves_a_hidden_copy_of_a_metric_file_out(project: Path) -> None:
    metrics = project / "dvclive" / "plots" / "metrics"
    write(metrics / "lr.tsv", "step\tlr\n0\t0.5\n1\t0.25\n")
    write(metrics / "._lr.tsv", b"\x00\x05\x16\x07\x00\x02\x00\x00\xff")  # macOS's AppleDouble copy
    write(metrics / ".cache" / "lr.tsv", "not\ta\tmetric\n")
    spec = load(project, "dvclive")
    assert spec.table.columns == ("step", "lr")
    assert [r["lr"] for r in spec.table.rows] == [0.5, 0.25]


# -- bytes that are not UTF-8: an error at the byte, in the file -----------------------------------

def test_mlflow_metric_file_not_utf8_is_an_error_at_its_line(project: Path) -> None:
    mlruns(project, {"lr": b"1000 0.5 0\n2000 \xe9 1\n"})
    found = errors(project, "mlruns")
    assert found[0].startswith("mlruns/1/aa/metrics/lr:2:6: error: log file is not valid UTF-8 (byte 0xe9)"), found


def test_mlflow_run_name_tag_not_utf8_is_an_error_naming_the_tag_file(project: Path) -> None:
    run = mlruns(project, {"lr": "1000 0.5 0\n"}, run_name="")
    write(run / "tags" / "mlflow.runName", b"\xae\x01")
    found = errors(project, "mlruns")
    assert found[0].startswith("mlruns/1/aa/tags/mlflow.runName:1:1: error: log file is not valid UTF-8 (byte 0xae)")


def test_dvclive_file_not_utf8_is_an_error_at_its_line(project: Path) -> None:
    write(project / "dvclive" / "plots" / "metrics" / "lr.tsv", b"step\tlr\n0\t\xe9\n")
    found = errors(project, "dvclive")
    assert found[0].startswith("dvclive/plots/metrics/lr.tsv:2:3: error: log file is not valid UTF-8 (byte 0xe9)")


def test_trainer_state_not_utf8_is_an_error_at_its_line(project: Path) -> None:
    write(project / "out" / "trainer_state.json", b'{"log_history": [{"step": 1, "loss": 1.0, "x": "\xe9"}]}')
    found = errors(project, "out/trainer_state.json", "loss")
    assert found[0].startswith("out/trainer_state.json:1:49: error: log file is not valid UTF-8 (byte 0xe9)")


# -- headers and steps no logger writes ---------------------------------------------------------------

@pytest.mark.parametrize("header", ["timestamp\tstep", "step\ttimestamp", "step\tstep", "step", ""])
def test_dvclive_header_naming_no_metric_is_an_error_at_line_1(project: Path, header: str) -> None:
    write(project / "dvclive" / "plots" / "metrics" / "lr.tsv", f"{header}\n1\t2\n")
    found = errors(project, "dvclive")
    assert found[0].startswith("dvclive/plots/metrics/lr.tsv:1:1: error: a DVCLive metric file starts with a "
                               "header naming 'step' and the metric"), found


@pytest.mark.parametrize("step", ["1.5", "nan", "1e30"])
def test_a_step_that_is_not_an_integer_is_an_error_at_its_line(project: Path, step: str) -> None:
    mlruns(project, {"lr": f"1000 0.5 0\n\n2000 0.25 {step}\n"})
    found = errors(project, "mlruns")
    assert found[0].startswith(f"mlruns/1/aa/metrics/lr:3:1: error: step '{step}' is not an integer"), found
    write(project / "dvclive" / "plots" / "metrics" / "lr.tsv", f"step\tlr\n0\t1\n{step}\t2\n")
    found = errors(project, "dvclive")
    assert found[0].startswith(f"dvclive/plots/metrics/lr.tsv:3:1: error: step '{step}' is not an integer"), found


def test_trainer_state_with_a_step_beyond_64_bits_or_nested_too_deeply_is_an_error(project: Path) -> None:
    write(project / "a" / "trainer_state.json", json.dumps({"log_history": [{"step": 10**30, "loss": 1.0}]}))
    found = errors(project, "a/trainer_state.json", "loss")
    assert found[0].startswith("a/trainer_state.json: error: log_history entry 1 has no integer 'step'"), found
    write(project / "b" / "trainer_state.json", "[" * 100_000 + "]" * 100_000)
    found = errors(project, "b/trainer_state.json", "loss")
    assert found[0].startswith("b/trainer_state.json: error: JSON data is nested too deeply"), found


# -- a run that logged nothing is said, not silently left out of the legend ------------------------------

def test_an_empty_run_of_a_glob_is_noted(project: Path) -> None:
    for run, history in (("a", [{"step": 1, "loss": 1.0}]), ("b", []), ("c", [{"step": 1, "loss": 0.5}])):
        write(project / run / "trainer_state.json", json.dumps({"log_history": history}))
    spec = load(project, "{files: '*/trainer_state.json', as: run}", "loss")
    assert {r["run"] for r in spec.table.rows} == {"a", "c"}
    assert [n.format().splitlines()[0] for n in spec.notes] == [
        "chart.yaml:1:15: note: run 'b' logged no values: not drawn"]


def test_several_empty_runs_are_one_note_mlflow_and_dvclive_too(project: Path) -> None:
    mlruns(project, {"lr": "1000 0.5 0\n"})
    for run in ("bb", "cc", "dd", "ee"):  # runs that logged params only, or not yet
        write(project / "mlruns" / "1" / run / "meta.yaml", f"run_name: {run}\nrun_id: {run}\nlifecycle_stage: active\n")
    spec = load(project, "mlruns")
    assert [n.message for n in spec.notes] == ["4 runs ('bb', 'cc', 'dd' and 1 more) logged no values: not drawn"]
    for run, rows in (("x", "0\t1\n"), ("y", "")):
        write(project / run / "dvclive" / "plots" / "metrics" / "lr.tsv", f"step\tlr\n{rows}")
    spec = load(project, "{files: '*/dvclive', as: run}")
    assert [n.message for n in spec.notes] == ["run 'y' logged no values: not drawn"]
