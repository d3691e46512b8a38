"""Values in trainer_state.json's log_history that are not JSON numbers (breaker11 #12): a callback
that logs ``f"{loss:.4f}"`` wrote strings, an evaluation a per-class object; both were dropped
without a word, so a metric vanished from the chart or lost points unsaid."""

from __future__ import annotations

import json
import time
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


NESTED = """{"global_step": 30,
 "best_metric": {"loss": "n/a"},
 "log_history": [
  {"epoch": 0.1,
   "loss": 2.5,
   "meta": {
     "source": "callback",
     "loss": "n/a"
   },
   "step": 10},
  {"epoch": 0.2, "note": "\\"loss\\": \\"n/a\\"", "loss": 2.1, "step": 20},
  {"epoch": 0.3, "meta": {"loss": "n/a"}, "loss": "n/a", "step": 30}
 ]}
"""


def test_a_note_points_at_the_entrys_own_key_not_a_nested_one(tmp_path: Path, run_cli: RunCli) -> None:
    """Entry 3's 'loss' was placed at line 8, in entry 1's nested 'meta' holding a 'loss' too (as
    were its 'meta' objects, a key outside log_history and text in a string): it is at line 12."""
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "trainer_state.json": NESTED, "c.yaml": SPEC})
    proc = run_cli("build", "c.yaml", "-f", "json", "-o", "out", cwd=root)
    assert proc.returncode == 0, proc.stderr
    notes = [line for line in proc.stderr.splitlines() if ": note: " in line]
    assert notes == [
        "trainer_state.json:6:4: note: log_history: 'meta' is not a number in 2 entries "
        "(the first, entry 1: {\"source\": \"callback\", \"loss\": \"n/a\"}): left out",
        "trainer_state.json:11:18: note: log_history entry 2: 'note' is not a number (\"\\\"loss\\\": \\\"n/a\\\"\"): "
        "left out",
        "trainer_state.json:12:43: note: log_history entry 3: 'loss' is not a number (\"n/a\"): left out",
    ], proc.stderr
    assert '   12 |   {"epoch": 0.3, "meta": {"loss": "n/a"}, "loss": "n/a", "step": 30}' in proc.stderr


def test_a_note_far_down_a_long_history_is_placed_quickly(tmp_path: Path) -> None:
    entries = [f'  {{"epoch": {i / 100}, "meta": {{"loss": "x"}}, "loss": {1 / (i + 1)}, "step": {i}}}' for i in range(50_000)]
    entries[-1] = '  {"epoch": 500, "meta": {"loss": "x"}, "loss": "bad", "step": 50000}'
    root = write_tree(tmp_path / "p", {"chartspec.toml": "", "c.yaml": SPEC,
                                        "trainer_state.json": '{"log_history": [\n' + ",\n".join(entries) + "\n]}\n"})
    started = time.perf_counter()
    notes = {n.message: (n.line, n.column) for n in chartspec.load(root / "c.yaml").notes}
    assert time.perf_counter() - started < 20
    assert notes["log_history entry 50000: 'loss' is not a number (\"bad\"): left out"] == (
        50_001, entries[-1].index('"loss": "bad"') + 1)
