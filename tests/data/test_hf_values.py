"""Values in trainer_state.json's log_history that are not JSON numbers (breaker11 #12): a callback
that logs ``f"{loss:.4f}"`` wrote strings, an evaluation a per-class object; both were dropped
without a word, so a metric vanished from the chart or lost points unsaid."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import RunCli, write_tree

import chartspec

STATE = """{"global_step": 40,
 "log_history": [
  {"epoch": 0.1, "loss": "2.5", "learning_rate": 5e-05, "step": 10},
  {"epoch": "0.2", "loss": " 2.1 ", "eval_report": {"f1": 0.5}, "step": 20},
  {"epoch": 0.3, "loss": 1.9, "eval_report": "n/a", "note": "warmup done", "grad_norm": null, "step": 30},
  [40, 1.5],
  {"epoch": 0.4, "loss": 1.7, "done": true, "step": 40}
 ]}
"""
SPEC = "data: trainer_state.json\nx: {field: step}\nlayers: [{mark: line, y: {field: loss}}]\n"


def test_numeric_strings_are_numbers_and_other_values_are_noted(tmp_path: Path, run_cli: RunCli) -> None:
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "trainer_state.json": STATE, "c.yaml": SPEC})
    rows = chartspec.load(root / "c.yaml").table.rows
    assert [(r["step"], r["loss"], r["epoch"]) for r in rows] == [(10, 2.5, 0.1), (20, 2.1, 0.2), (30, 1.9, 0.3),
                                                                  (40, 1.7, 0.4)]
    proc = run_cli("build", "c.yaml", "-f", "json", "-o", "out", cwd=root)
    assert proc.returncode == 0, proc.stderr
    drawn = json.loads((root / "out" / "c.vl.json").read_text(encoding="utf-8"))
    assert [r["loss"] for r in drawn["data"]["values"]] == [2.5, 2.1, 1.9, 1.7]
    notes = [line for line in proc.stderr.splitlines() if ": note: " in line]
    assert notes == [
        "trainer_state.json:4:37: note: log_history: 'eval_report' is not a number in 2 entries "
        "(the first, entry 2: {\"f1\": 0.5}): left out",
        "trainer_state.json:5:53: note: log_history entry 3: 'note' is not a number (\"warmup done\"): left out",
        "trainer_state.json:5:76: note: log_history entry 3: 'grad_norm' is not a number (null): left out",
        "trainer_state.json:6:3: note: log_history entry 4: an entry is not an object ([40, 1.5]): left out",
        "trainer_state.json:7:31: note: log_history entry 5: 'done' is not a number (true): left out",
    ], proc.stderr
    assert '    4 |   {"epoch": "0.2", "loss": " 2.1 ", "eval_report": {"f1": 0.5}, "step": 20},' in proc.stderr
    assert "hint: log_history holds one object per logged step" in proc.stderr


def test_a_file_whose_values_are_all_numbers_gives_no_note(tmp_path: Path, run_cli: RunCli) -> None:
    state = '{"log_history": [{"loss": 2.0, "step": 1}, {"loss": 1.0, "step": 2}, {"train_runtime": 3.1, "step": 2}]}'
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "trainer_state.json": state, "c.yaml": SPEC})
    proc = run_cli("build", "c.yaml", "-f", "json", "-o", "out", cwd=root)
    assert proc.returncode == 0 and "note" not in proc.stderr, proc.stderr
