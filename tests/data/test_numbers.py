"""What a number is in a data file, the same on both readers (table.py in Python, engine.py in DuckDB).

Every test runs twice: once through the Python reader, once with the engine forced
(``ENGINE_BYTES`` lowered to 0). The same cells must give the same values, the same column
types and the same notes. Non-finite numbers (``inf``, ``nan``, ``Infinity`` in JSON Lines,
NaN in Parquet) are missing values with a note naming the first one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.data.values import extent
from chartspec.errors import ChartspecError

PATHS = ["python", "engine"]

# (cell, value it reads as when the column is otherwise numbers: None = missing, "text" = the
# column becomes text)
CELLS = [
    ("3", 3), ("+5", 5), (" 3 ", 3), ("\t4", 4), ("-1.5e-3", -0.0015), (".5", 0.5), ("5.", 5.0), ("1E2", 100.0),
    ("007", 7), ("inf", None), ("-INF", None), ("+Infinity", None), ("nan", None), ("NaN", None), ("-nan", None),
    ("1e999", None), ("0x10", "text"), ("0X1F", "text"), ("0b101", "text"), ("1_000", "text"), ("\uff13", "text"),
    ("1,5", "text"), ("+-1", "text"), ("infinit", "text"), ("--5", "text"), ("1e", "text"), ("e1", "text"),
]


@pytest.fixture(params=PATHS)
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "engine":
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0)  # every CSV/TSV/Parquet file goes to DuckDB
    return str(request.param)


def _load(tmp_path: Path, files: dict[str, str], data: str = "data: m.csv", y: str = "v") -> chartspec.Spec:
    write_tree(tmp_path, {"chartspec.toml": "", **files,
                          "chart.yaml": f"{data}\nx: {{field: step}}\nlayers:\n  - {{y: {{field: {y}}}}}\n"})
    return chartspec.load(tmp_path / "chart.yaml")


@pytest.mark.parametrize(("cell", "want"), CELLS, ids=[repr(c) for c, _ in CELLS])
def test_one_rule_for_numbers_on_both_readers(tmp_path: Path, path_kind: str, cell: str, want: object) -> None:
    csv = f'step,v,label\n1,2,a\n2,"{cell}",b\n3,4,c\n'
    if want == "text":
        with pytest.raises(ChartspecError) as err:
            _load(tmp_path, {"m.csv": csv})
        message = err.value.diagnostics[0].message
        # the error names the real row and cell, never a number of the column
        assert message == f"field 'v' is plotted as numbers but row 2 of m.csv holds {cell!r}", message
        return
    spec = _load(tmp_path, {"m.csv": csv})
    values = [row.get("v") for row in spec.table.rows]
    assert values[0] == 2 and values[2] == 4
    assert values[1] == want and type(values[1]) is type(want), (values, path_kind)
    notes = [d.message for d in spec.notes]
    if want is None:
        assert notes == ["1 cell of column 'v' in m.csv is not a finite number (first: row 2, "
                         f"{'nan' if 'nan' in cell.lower() else '-inf' if cell.startswith('-') else 'inf'}); "
                         "drawn as missing values: no point, no smoothing, not in the axis domain"], notes
    else:
        assert notes == []


def test_diverging_run_is_drawn_with_the_finite_rows_and_a_note(tmp_path: Path, path_kind: str) -> None:
    # the example: once failed with "row 1 of metrics.csv holds '2.4'"
    spec = _load(tmp_path, {"metrics.csv": "step,loss\n0,2.4\n10,1.9\n20,3.7\n30,inf\n40,nan\n"},
                 data="data: metrics.csv", y="loss")
    assert [r["loss"] for r in spec.table.rows] == [2.4, 1.9, 3.7, None, None]
    (note,) = spec.notes
    assert note.severity == "note" and (Path(note.file or "").name, note.line, note.column) == ("chart.yaml", 1, 7)
    assert note.message.startswith("2 cells of column 'loss' in metrics.csv are not a finite number "
                                   "(first: row 4, inf)")
    assert extent(spec.model.layers[0].y, [spec.table]) == (1.9, 3.7)  # the axis domain's data


def test_text_error_names_the_real_row_and_cell(tmp_path: Path, path_kind: str) -> None:
    with pytest.raises(ChartspecError) as err:
        _load(tmp_path, {"metrics.csv": "step,loss\n0,2.4\n10,1.9\n20,oops\n30,inf\n"}, data="data: metrics.csv",
              y="loss")
    assert err.value.diagnostics[0].message == (
        "field 'loss' is plotted as numbers but row 3 of metrics.csv holds 'oops'")


def test_notes_name_each_file_of_a_glob(tmp_path: Path, path_kind: str) -> None:
    spec = _load(tmp_path, {"runs/a/m.csv": "step,v\n1,1\n2,2\n", "runs/b/m.csv": "step,v\n1,NaN\n2,3\n3,inf\n"},
                 data="data: {files: 'runs/*/m.csv', as: run}")
    assert [d.message.split(" (first")[0] for d in spec.notes] == [
        "2 cells of column 'v' in runs/b/m.csv are not a finite number"]
    assert "(first: row 1, nan)" in spec.notes[0].message


def test_notes_only_for_columns_the_spec_uses(tmp_path: Path, path_kind: str) -> None:
    spec = _load(tmp_path, {"m.csv": "step,v,unused\n1,1,nan\n2,2,inf\n"})
    assert spec.notes == ()


def test_json_lines_nan_and_infinity_as_python_writes_them(tmp_path: Path) -> None:
    lines = [json.dumps({"step": s, "v": v}) for s, v in [(0, 1.0), (1, math.nan), (2, math.inf), (3, 2.0)]]
    assert "NaN" in lines[1] and "Infinity" in lines[2]
    spec = _load(tmp_path, {"m.jsonl": "\n".join(lines) + "\n"}, data="data: m.jsonl")
    assert [r["v"] for r in spec.table.rows] == [1.0, None, None, 2.0]
    assert [d.message.split(";")[0] for d in spec.notes] == [
        "2 cells of column 'v' in m.jsonl are not a finite number (first: row 2, nan)"]
    # a JSON document too, and the output is valid JSON (no NaN token reaches Vega)
    spec = _load(tmp_path, {"m.json": "[" + ", ".join(lines) + "]"}, data="data: m.json")
    assert len(spec.notes) == 1
    json.loads(json.dumps(chartspec.to_vegalite(spec), allow_nan=False))


def test_parquet_nan_and_inf_are_missing_on_both_readers(tmp_path: Path, path_kind: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    write_tree(tmp_path, {"chartspec.toml": ""})
    pq.write_table(pa.table({"step": [0, 1, 2, 3], "v": [1.0, math.nan, -math.inf, 2.0]}), tmp_path / "m.parquet")
    spec = _load(tmp_path, {}, data="data: m.parquet")
    assert [r["v"] for r in spec.table.rows] == [1.0, None, None, 2.0]
    assert [d.message.split(";")[0] for d in spec.notes] == [
        "2 cells of column 'v' in m.parquet are not a finite number (first: row 2, nan)"]


def test_parquet_glob_notes_one_per_column_naming_the_files_in_file_order(tmp_path: Path, path_kind: str) -> None:
    """The engine counts non-finite numbers of all files in one scan: the note still names the
    files, in file order, for the columns the spec uses only; a file with a column 'filename' too."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    write_tree(tmp_path, {"chartspec.toml": "", "runs/.keep": ""})
    tables = {"a": {"step": [0, 1], "v": [1.0, 2.0], "w": [math.nan, 1.0]},
              "b": {"step": [0, 1, 2], "v": [math.inf, 1.0, math.nan]},  # no w: another schema
              "c": {"step": [0, 1], "v": [1.0, -math.inf], "filename": ["x", "y"]}}
    for name, columns in tables.items():
        pq.write_table(pa.table(columns), tmp_path / "runs" / f"{name}.parquet")
    spec = _load(tmp_path, {}, data='data: {files: "runs/*.parquet", as: run}')
    assert [d.message.split(";")[0] for d in spec.notes] == [
        "3 cells of column 'v' in 2 files of runs/*.parquet (runs/b.parquet, runs/c.parquet) are not a finite "
        "number (first: row 1 of runs/b.parquet, inf)"]


def test_a_glob_of_many_runs_gives_one_note_per_column_not_one_per_file(tmp_path: Path, path_kind: str) -> None:
    """A hundred runs that each diverged once: one note per column counting the cells and files and
    naming the first few (breaker10 #12: a note per file printed 300 lines for one chart)."""
    runs = {f"runs/r{i:03d}/metrics.csv": "step,v,w\n0,1,1\n1,nan,2\n2,3," + ("inf" if i == 7 else "4") + "\n"
            for i in range(100)}
    write_tree(tmp_path, {"chartspec.toml": "", **runs, "chart.yaml": "data: {files: 'runs/*/metrics.csv', as: run}\n"
                          "x: {field: step}\nlayers: [{y: {field: v}}, {y: {field: w}}]\n"})
    spec = chartspec.load(tmp_path / "chart.yaml")
    assert [d.message.split(";")[0] for d in spec.notes] == [
        "100 cells of column 'v' in 100 files of runs/*/metrics.csv (runs/r000/metrics.csv, runs/r001/metrics.csv, "
        "runs/r002/metrics.csv and 97 more) are not a finite number (first: row 2 of runs/r000/metrics.csv, nan)",
        "1 cell of column 'w' in runs/r007/metrics.csv is not a finite number (first: row 3, inf)"]
    assert [r["v"] for r in spec.table.rows[:3]] == [1, None, 3]


def test_the_engine_applies_the_python_rule_cell_for_cell() -> None:
    """numbers.number_sql (DuckDB) against numbers.is_number (Python) on every text of up to three
    characters from a set that reaches every branch of both, and on the tokens above."""
    import itertools

    import duckdb

    from chartspec.data.numbers import is_number, number_sql

    alphabet = "01+-.eE_x nIf\t"
    texts = {"".join(p) for k in range(1, 4) for p in itertools.product(alphabet, repeat=k)}
    texts |= {c for c, _ in CELLS} | {"infinity", "-Infinity", "+nan", "1e308", "1e309", "+-1e5", "1__0"}
    texts = sorted(t for t in texts if t.strip(" \t"))  # blank cells are missing, not numbers or text
    con = duckdb.connect()
    con.execute("CREATE TABLE t (s VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[t] for t in texts])
    rule = number_sql("s")
    got = dict(con.execute(f"SELECT s, {rule} FROM t").fetchall())
    wrong = [t for t in texts if got[t] != is_number(t)]
    assert not wrong, wrong[:20]


def test_a_boolean_in_a_number_column_is_named_as_the_data_writes_it(tmp_path: Path) -> None:
    """A bool column as y was refused as 'holds True', Python's spelling (breaker16 #8)."""
    write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": "data: {values: [{step: 0, ok: true}, {step: 1, ok: false}]}\n"
                          "x: {field: step}\nlayers: [{mark: line, y: {field: ok}}]\n"})
    with pytest.raises(chartspec.ChartspecError) as err:
        chartspec.load(tmp_path / "c.yaml")
    message = err.value.diagnostics[0].message
    assert "holds true" in message and "True" not in message, message
