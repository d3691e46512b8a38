"""Logs still being written, and errors that say where (breaker findings): a JSON Lines file whose
last line is cut short (no line break yet) draws the rows before it with a note, as a partial
TensorBoard record does; a bad line elsewhere stays an error whose message is whole; an MLflow
metric file mixing lines with and without a step names the line. JSON Lines files are read in
Python only (the engine reads CSV, TSV and Parquet), so there is no engine path to test."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

import chartspec
from chartspec.errors import ChartspecError

LOGS = REPO / "tests" / "data" / "loggers"
RUN = "mlruns/307748805628631542/47da6973ba4743669800bc687d31dcbf"  # experiment 'tuned', run 'tuned-seed0'
ROWS = "".join(f'{{"step": {s}, "loss": {1 / (s + 1)}}}\n' for s in range(5))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    return tmp_path


def load(project: Path, data: str = "m.jsonl") -> Any:
    spec = project / "chart.yaml"
    spec.write_text(f"data: {data}\nx: {{field: step}}\nlayers: [{{mark: line, y: {{field: loss}}}}]\n",
                    encoding="utf-8")
    return chartspec.load(spec)


def errors(project: Path, data: str = "m.jsonl") -> list[str]:
    with pytest.raises(ChartspecError) as caught:
        load(project, data)
    return [d.format().replace(f"{project}/", "") for d in caught.value.diagnostics]


@pytest.mark.parametrize("cut", ['{"step": 5, "loss": "0.1', '{"step": 5, "lo', '{"step": 5, "loss": 0.1', "{"])
def test_a_partial_last_line_draws_the_rows_before_it_with_a_note(project: Path, cut: str) -> None:
    (project / "m.jsonl").write_text(ROWS + cut, encoding="utf-8")
    spec = load(project)
    assert [r["step"] for r in spec.table.rows] == [0, 1, 2, 3, 4]
    [note] = [d.format().replace(f"{project}/", "") for d in spec.notes if "partial line" in d.message]
    assert note.startswith("m.jsonl:6:") and ": note: JSON Lines data ends in a partial line: read its 5 complete " \
        "rows; line 6 is cut short (" in note, note
    assert "a run still writing" in note


def test_a_partial_line_in_a_glob_draws_the_other_files_too(project: Path) -> None:
    for run in ("a", "b"):
        (project / run).mkdir()
        (project / run / "m.jsonl").write_text(ROWS + ('{"step": 5, "lo' if run == "b" else ""), encoding="utf-8")
    spec = load(project, '{files: "*/m.jsonl", as: run}')
    assert [r["run"] for r in spec.table.rows] == ["a"] * 5 + ["b"] * 5
    assert [d.file for d in spec.notes if "partial line" in d.message] == [f"{project}/b/m.jsonl"]


def test_a_bad_last_line_with_its_line_break_stays_an_error(project: Path) -> None:
    (project / "m.jsonl").write_text(ROWS + '{"step": 5, "loss": "0.1\n', encoding="utf-8")
    found = errors(project)
    assert found[0].startswith("m.jsonl:6:21: error: invalid JSON: Unterminated string starting at line 6 column 21")


def test_a_bad_line_in_the_middle_stays_an_error_with_a_whole_message(project: Path) -> None:
    (project / "m.jsonl").write_text(ROWS + '{"step": 5, "loss": "0.1\n' + ROWS, encoding="utf-8")
    found = errors(project)
    assert found[0].startswith("m.jsonl:6:21: error: invalid JSON: Unterminated string starting at line 6 column 21")
    (project / "m.jsonl").write_text(ROWS + '{"step": 5, "loss": "a\tb"}\n' + ROWS, encoding="utf-8")
    assert errors(project)[0].startswith("m.jsonl:6:23: error: invalid JSON: Invalid control character at line 6 "
                                         "column 23")


def test_a_json_file_says_where_its_string_starts(project: Path) -> None:
    (project / "m.json").write_text('[{"step": 0, "loss": 1},\n {"step": 1, "loss": "0.5}]', encoding="utf-8")
    assert errors(project, "m.json")[0].startswith(
        "m.json:2:22: error: invalid JSON: Unterminated string starting at line 2 column 22")


def test_mlflow_metric_lines_with_and_without_a_step_name_the_line(tmp_path: Path) -> None:
    shutil.copytree(LOGS, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    with (tmp_path / RUN / "metrics" / "train" / "loss").open("a", encoding="utf-8") as f:
        f.write("1700000060000 0.5\n")
    spec = tmp_path / "chart.yaml"
    spec.write_text("data: mlruns\nx: {field: step}\nlayers: [{mark: line, y: {field: train/loss}}]\n",
                    encoding="utf-8")
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(spec)
    lines = (tmp_path / RUN / "metrics" / "train" / "loss").read_text(encoding="utf-8").splitlines()
    found = caught.value.diagnostics[0].format().replace(f"{tmp_path}/", "")
    assert found.startswith(f"mlruns/{RUN.split('/', 1)[1]}/metrics/train/loss:{len(lines)}:1: error: MLflow metric "
                            "line has 2 fields where line 1 has 3: lines must all have the same fields"), found
    assert caught.value.diagnostics[0].source_line == "1700000060000 0.5"
