"""Logs as a breaker left them (breakfix3): a TensorBoard file that ends in a partial record (a
run still writing) is read up to it with a note; a record whose header claims more bytes than an
event can hold is a damaged file, not a MemoryError; metrics logged under an empty name are left
out with a note naming the file, in every reader; an MLflow run folder that cannot be read is
skipped with a note naming it."""

from __future__ import annotations

import json
import shutil
import sqlite3
import struct
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO
from test_logger_nonfinite import write_events

import chartspec
from chartspec.errors import ChartspecError

LOGS = REPO / "tests" / "data" / "loggers"
RUN = "mlruns/307748805628631542/47da6973ba4743669800bc687d31dcbf"  # experiment 'tuned', run 'tuned-seed0'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(LOGS, tmp_path, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    return tmp_path


def load(project: Path, data: str, y: str = "train/loss") -> Any:
    spec = project / "chart.yaml"
    spec.write_text(f"data: {data}\nx: {{field: step}}\nlayers: [{{mark: line, y: {{field: {y}}}}}]\n",
                    encoding="utf-8")
    return chartspec.load(spec)


def errors(project: Path, data: str, y: str = "train/loss") -> list[str]:
    with pytest.raises(ChartspecError) as caught:
        load(project, data, y)
    return [d.format() for d in caught.value.diagnostics]


def notes(spec: Any) -> list[str]:
    return [d.format() for d in spec.notes]


def event_file(folder: Path) -> Path:
    return next(folder.glob("events.out.tfevents.*"))


def masked_crc(data: bytes) -> int:
    from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import masked_crc32c

    return int(masked_crc32c(data))


# -- TensorBoard: the end of a file --------------------------------------------------------------

@pytest.mark.parametrize("cut", [3, 7, 20])  # inside the last record's data CRC, its data, its header
def test_a_partial_last_record_reads_the_complete_ones_with_a_note(project: Path, cut: int) -> None:
    write_events(project / "runs" / "c", [(0, 2.0), (10, 1.5), (20, 1.0)])
    path = event_file(project / "runs" / "c")
    whole = path.read_bytes()
    path.write_bytes(whole + whole[-30:-cut] if cut == 20 else whole[:-cut])
    spec = load(project, "runs/c")
    steps = [r["step"] for r in spec.table.rows]
    assert steps == ([0, 10, 20] if cut == 20 else [0, 10])
    found = [n for n in notes(spec) if "partial record" in n]
    assert len(found) == 1 and f"runs/c/{path.name}: note: event file ends in a partial record: read its " \
        in found[0], found
    assert "complete records; record " in found[0] and "stops in its " in found[0]


def test_a_damaged_record_in_the_middle_stays_an_error(project: Path) -> None:
    write_events(project / "runs" / "c", [(0, 2.0), (10, 1.5), (20, 1.0)])
    path = event_file(project / "runs" / "c")
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    found = errors(project, "runs/c")
    assert f"runs/c/{path.name}: error: event file is damaged at record " in found[0]
    assert "fails its checksum" in found[0]


def test_a_record_claiming_a_huge_length_is_a_damaged_file_not_a_memory_error(project: Path) -> None:
    write_events(project / "runs" / "c", [(0, 2.0), (10, 1.5)])
    path = event_file(project / "runs" / "c")
    length = struct.pack("<Q", 2**40)
    path.write_bytes(path.read_bytes() + length + struct.pack("<I", masked_crc(length)) + b"\0" * 64)
    found = errors(project, "runs/c")
    assert f"runs/c/{path.name}: error: event file is damaged at record 4: it claims 1,099,511,627,776 bytes" \
        in found[0]
    assert "internal error" not in "".join(found)


# -- metrics without a name --------------------------------------------------------------------------

@pytest.mark.parametrize("tag", ["", "  "])
def test_tensorboard_values_of_an_empty_tag_are_left_out_with_a_note(project: Path, tag: str) -> None:
    write_events(project / "runs" / "c", [(0, 2.0), (10, 1.5)])
    write_events(project / "runs" / "c", [(0, 9.0), (10, 9.5)], tag=tag)
    spec = load(project, "runs/c")
    assert spec.table.columns == ("step", "wall_time", "train/loss")
    found = [n for n in notes(spec) if "empty metric name" in n]
    assert len(found) == 1 and "runs/c/events.out.tfevents." in found[0] and \
        ": note: 2 values logged under an empty metric name left out" in found[0], notes(spec)


def test_hf_trainer_and_mlflow_sqlite_leave_an_empty_metric_name_out_with_a_note(project: Path) -> None:
    state = json.loads((project / "output" / "a" / "trainer_state.json").read_text(encoding="utf-8"))
    state["log_history"][0][""] = 1.0
    (project / "output" / "a" / "trainer_state.json").write_text(json.dumps(state), encoding="utf-8")
    spec = load(project, "output/a/trainer_state.json", "loss")
    assert "" not in spec.table.columns
    assert "output/a/trainer_state.json: note: 1 value logged under an empty metric name left out" in \
        [n for n in notes(spec) if "empty metric name" in n][0]
    con = sqlite3.connect(project / "mlflow.db")
    con.execute("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                "SELECT '', value, timestamp, run_uuid, step, is_nan FROM metrics LIMIT 3")
    con.commit()
    con.close()
    spec = load(project, "mlflow.db")
    assert "" not in spec.table.columns
    assert "mlflow.db: note: 3 values logged under an empty metric name left out" in \
        [n for n in notes(spec) if "empty metric name" in n][0]


# -- MLflow: a run that cannot be read ---------------------------------------------------------------

@pytest.mark.parametrize("damage", ["deleted", "unreadable"])
def test_an_mlflow_run_without_a_readable_meta_yaml_is_skipped_with_a_note(project: Path, damage: str) -> None:
    meta = project / RUN / "meta.yaml"
    if damage == "deleted":
        meta.unlink()
    else:
        meta.write_text("run_name: [unclosed\n", encoding="utf-8")
    spec = load(project, "mlruns")
    assert "tuned-seed0" not in {r["run"] for r in spec.table.rows}
    found = [n for n in notes(spec) if "skipped" in n]
    why = "it has no meta.yaml" if damage == "deleted" else "its meta.yaml cannot be read"
    assert len(found) == 1 and f"{RUN}: note: MLflow run folder " in found[0], found
    assert f"{RUN} skipped: {why}" in found[0]
