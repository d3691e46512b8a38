"""The typed CSV read (csvtyped.py) gives exactly what the general, all-text read gives.

Every cell of test_numbers.py's covering set (and a few more) is put into a column of integers and
into a column of decimals, early (inside DuckDB's sniffing sample) and after 21,000 rows (beyond
it; a short file then), and the engine table read with the typed read allowed is compared with the one read the
general way: same values, column types and non-finite notes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from test_numbers import CELLS

from chartspec.data import csvtyped, engine

EXTRA = ["5.0", "1e3", "1.5", "", "  ", "-0", "00012", "9223372036854775807", "12345678901234567890", "a_b", "x"]
ROWS = 21_000


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, typed: bool) -> tuple[Any, ...]:
    """(rows, numeric, integer, nonfinite, whether the typed read was taken) of ``path``."""
    taken: list[bool] = []

    def spy(*args: Any) -> Any:
        found = csvtyped.read_typed(*args) if typed else None
        taken.append(found is not None)
        return found

    monkeypatch.setattr(engine, "read_typed", spy)
    try:
        con = engine.connect(path.parent)
        rel, _ = engine.read_delimited(con, [path], ["m.csv"], ",")
        rows = rel.sql(f"SELECT * FROM {rel.name} ORDER BY __row")
    finally:
        engine.close_all()
    clean = [tuple(None if isinstance(v, float) and math.isnan(v) else v for v in row) for row in rows]
    odd = tuple(n[:4] + (repr(n[4]),) for n in rel.nonfinite)  # repr: NaN equals itself
    return clean, rel.numeric, rel.integer, odd, taken == [True]


def _csv(cell: str, column: str, at: int, rows: int = ROWS, label: bool = False) -> str:
    """Columns step, v (integers), w (decimals) and, with ``label``, text; ``cell`` in v or w at row ``at``."""
    quoted = '"' + cell.replace('"', '""') + '"'
    lines = ["step,v,w" + (",label" if label else "")]
    for i in range(rows):
        v, w = str(i * 3), f"{i * 0.25 + 0.5}"
        if i == at:
            v, w = (quoted, w) if column == "v" else (v, quoted)
        lines.append(f"{i},{v},{w}" + (f",r{i % 3}" if label else ""))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("at", [1, ROWS - 1], ids=["sampled", "late"])
@pytest.mark.parametrize("column", ["v", "w"], ids=["integers", "decimals"])
@pytest.mark.parametrize("cell", [c for c, _ in CELLS] + EXTRA)
def test_typed_read_equals_general_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str, column: str,
                                        at: int) -> None:
    path = tmp_path / "m.csv"
    path.write_text(_csv(cell, column, at, ROWS if at > 1 else 50), encoding="utf-8")
    fast, general = _read(path, monkeypatch, True), _read(path, monkeypatch, False)
    assert fast[:4] == general[:4]


@pytest.mark.parametrize("at", [1, ROWS - 1], ids=["sampled", "late"])
@pytest.mark.parametrize("cell", ["3", "5.0", "1e3", "0x10", "1_000", "+-5", "inf", "", "  ", "x"])
def test_with_a_text_column_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cell: str, at: int) -> None:
    path = tmp_path / "m.csv"
    for column in ("v", "w"):
        path.write_text(_csv(cell, column, at, ROWS if at > 1 else 50, label=True), encoding="utf-8")
        assert _read(path, monkeypatch, True)[:4] == _read(path, monkeypatch, False)[:4]


def test_plain_numbers_take_the_typed_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.csv"
    for label in (False, True):  # read in one pass; with a text column, in two
        path.write_text(_csv("7", "v", 5, label=label), encoding="utf-8")
        rows, numeric, integer, nonfinite, taken = _read(path, monkeypatch, True)
        assert taken and numeric == {"step", "v", "w"} and integer == {"step", "v"} and nonfinite == ()
        assert rows[5] == (5, 5, 7, 1.75, *(("r2",) if label else ()))


def test_nonfinite_cells_are_noted_as_the_general_read_notes_them(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.csv"
    path.write_text(_csv("-inf", "w", 20_500), encoding="utf-8")
    fast = _read(path, monkeypatch, True)
    assert fast[4] and fast[3] == (("m.csv", "w", 1, 20_501, "-inf"),)
    assert fast[:4] == _read(path, monkeypatch, False)[:4]


def test_an_underscore_anywhere_but_the_header_reads_the_general_way(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "m.csv"
    path.write_text("train_step,loss\n1,0.5\n2,0.25\n", encoding="utf-8")
    assert _read(path, monkeypatch, True)[4]
    path.write_text("train_step,loss,run\n1,0.5,a_1\n2,0.25,a_1\n", encoding="utf-8")
    assert not _read(path, monkeypatch, True)[4]


@pytest.mark.parametrize(("body", "odd"), [
    ("train_step,loss\n1,2\n", False), ("a,b\n12+-3\n", True), ("a,b\n123+-5\n", True),  # '+-' across two reads
    ("a,b\n1234+\n-5\n", False), ("a,b\n1,2\n3_4\n", True), ("a,b\n1+,-2\n", False),
])
def test_the_byte_search_sees_every_cell_but_the_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str,
                                                        odd: bool) -> None:
    monkeypatch.setattr(csvtyped, "_CHUNK", 4)  # reads of 4 bytes: the pairs spanning two reads count too
    path = tmp_path / "m.csv"
    path.write_text(body, encoding="utf-8")
    assert csvtyped._has_odd_bytes(path) is odd
