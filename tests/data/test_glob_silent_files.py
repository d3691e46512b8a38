"""A file of a ``files:`` glob that draws nothing is named in a note, on both readers, CSV and Parquet.

Before: a run's file with only a header, or without the plotted column (``step,acc`` among
``step,loss`` files), was left out of the chart silently (exit 0, no note), whereas README promises
a note for a layer's header-only file.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import chartspec
from chartspec.data import engine


@pytest.fixture(params=["python", "engine"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if request.param == "engine" else 1 << 40)
    return str(request.param)


def _write(path: Path, columns: dict[str, list[float]], fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(pa.table({c: pa.array(v, pa.float64()) for c, v in columns.items()}), path)
    else:
        rows = zip(*columns.values())
        path.write_text(",".join(columns) + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_files_that_draw_nothing_are_named_in_notes(tmp_path: Path, reader: str, fmt: str) -> None:
    _write(tmp_path / "runs/a/m" f".{fmt}", {"step": [0, 1, 2], "loss": [3, 2, 1]}, fmt)
    _write(tmp_path / "runs/b/m" f".{fmt}", {"step": [0, 1, 2], "acc": [0.1, 0.2, 0.3]}, fmt)  # no 'loss'
    _write(tmp_path / "runs/c/m" f".{fmt}", {"step": [], "loss": []}, fmt)  # a header only
    _write(tmp_path / "runs/d/m" f".{fmt}", {"step": [5], "loss": [1.2]}, fmt)
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "c.yaml").write_text(f'data: {{files: "runs/*/m.{fmt}", as: run}}\nx: {{field: step}}\n'
                                     "layers:\n  - {mark: line, y: {field: loss}, color: {field: run}}\n")
    spec = chartspec.load(tmp_path / "c.yaml")
    notes = [(n.message, n.hint, n.line, n.column) for n in spec.notes if "runs/" in n.message]
    assert notes == [
        (f"runs/c/m.{fmt} has no rows yet (column names only): nothing of it is drawn",
         "a file is drawn once rows are written", 1, 15),
        (f"runs/b/m.{fmt} has no column 'loss', which the other files have: its rows draw no 'loss'",
         "check the column's name in that file, or leave the file out of 'files'", 1, 15),
    ]


def test_files_with_every_column_have_no_note(tmp_path: Path, reader: str) -> None:
    for run in "ab":
        _write(tmp_path / f"runs/{run}/m.csv", {"step": [0, 1], "loss": [3, 2], "acc": [1, 2]}, "csv")
    _write(tmp_path / "runs/c/m.csv", {"step": [0, 1], "loss": [3, 2]}, "csv")  # 'acc' is not drawn
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "c.yaml").write_text('data: {files: "runs/*/m.csv", as: run}\nx: {field: step}\n'
                                     "layers:\n  - {mark: line, y: {field: loss}, color: {field: run}}\n")
    assert not [n for n in chartspec.load(tmp_path / "c.yaml").notes if "runs/" in n.message]
