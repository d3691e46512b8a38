"""One number rule for every data format (breakfix3): JSON, JSON Lines and inline data are typed as a
CSV file is (numbers.py). Text that is a number by the rule is that number, "NaN" in whatever form
is a missing value with the CSV reader's note, and YAML 1.2's ``.nan``/``.inf`` in inline rows are
numbers (missing, with the note), where they were refused as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import write_tree

import chartspec

ROWS = [{"step": 0, "loss": 1}, {"step": "1", "loss": None}, {"step": 2, "loss": "NaN"}, {"step": 3, "loss": " 2.5"}]
CSV = "step,loss\n0,1\n1,\n2,NaN\n3, 2.5\n"


def _load(tmp_path: Path, name: str, text: str) -> chartspec.Spec:
    write_tree(tmp_path, {"chartspec.toml": "", name: text,
                          "chart.yaml": f"data: {name}\nx: {{field: step}}\nlayers:\n  - {{y: {{field: loss}}}}\n"})
    return chartspec.load(tmp_path / "chart.yaml")


def _cells(spec: chartspec.Spec) -> list[tuple[object, object]]:
    return [(r["step"], r["loss"]) for r in spec.table.rows]


def _notes(spec: chartspec.Spec, name: str) -> list[str]:
    return [d.message.replace(name, "FILE") for d in spec.notes]


@pytest.mark.parametrize("name", ["m.json", "m.jsonl"])
def test_json_cells_are_typed_as_csv_cells_with_the_same_note(tmp_path: Path, name: str) -> None:
    text = json.dumps(ROWS) if name.endswith(".json") else "".join(json.dumps(r) + "\n" for r in ROWS)
    got = _load(tmp_path / "j", name, text)
    want = _load(tmp_path / "c", "m.csv", CSV)
    assert _cells(got) == _cells(want) == [(0, 1), (1, None), (2, None), (3, 2.5)]
    assert _notes(got, name) == _notes(want, "m.csv") != []
    assert "1 cell of column 'loss' in FILE is not a finite number (first: row 3, nan)" in _notes(got, name)[0]


def test_a_json_column_with_text_keeps_its_cells(tmp_path: Path) -> None:
    rows = [{"step": 0, "loss": 1, "tag": "7"}, {"step": 1, "loss": 2, "tag": "best"}]
    spec = _load(tmp_path, "m.json", json.dumps(rows))
    assert [r["tag"] for r in spec.table.rows] == ["7", "best"]


def test_inline_yaml_nan_and_inf_are_missing_values_with_a_note(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "chart.yaml": (
        "data:\n  values:\n    - {step: 0, loss: 1}\n    - {step: 1, loss: 2}\n    - {step: 2, loss: .nan}\n"
        "    - {step: 3, loss: -.inf}\n    - {step: 4, loss: '3'}\n"
        "title: .nan\nx: {field: step}\nlayers: [{mark: line, y: {field: loss}}]\n")})
    spec = chartspec.load(tmp_path / "chart.yaml")
    assert _cells(spec) == [(0, 1), (1, 2), (2, None), (3, None), (4, 3)]
    [note] = spec.notes
    assert note.severity == "note" and note.message.startswith(
        "2 cells of column 'loss' in inline data are not a finite number (first: row 3, nan)")
    assert spec.model.title == ".nan"  # outside data rows a spec's numbers are finite: .nan stays text
