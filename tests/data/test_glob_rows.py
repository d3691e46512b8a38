"""A bad cell in one file of a ``files`` glob is named by its row in that file, not in the glob.

``row 50002 of runs/*.parquet`` sends a user counting rows across files; ``row 2 of
runs/b.parquet`` is where to look. Both readers (Python for small files, the engine for large
ones, here forced by ``ENGINE_BYTES``), CSV and Parquet, for the three messages naming a row: a
number column holding text, a temporal field that is no date, a ``parse`` format that does not fit.
A Parquet column of numbers in one file and text in another used to fail in the engine with
"Conversion Error" (the union cast the text to numbers) instead of naming the cell.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine

GOOD = 3  # rows of the good file before the bad one


@pytest.fixture(params=["python", "engine"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "engine":
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0)
    return str(request.param)


def _files(tmp_path: Path, fmt: str, bad: dict[str, str]) -> None:
    """runs/a.FMT: GOOD good rows; runs/b.FMT: a good row, then the ``bad`` cells."""
    good = {"step": "0", "loss": "1.5", "t": "2024-01-01"}
    a = [{**good, "step": str(i)} for i in range(GOOD)]
    b = [good, {**good, "step": "1", **bad}]
    for name, rows in (("a", a), ("b", b)):
        if fmt == "csv":
            write_tree(tmp_path, {f"runs/{name}.csv": "step,loss,t\n" + "".join(
                f"{r['step']},{r['loss']},{r['t']}\n" for r in rows)})
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            (tmp_path / "runs").mkdir(exist_ok=True)
            columns: dict[str, list[object]] = {"step": [int(r["step"]) for r in rows], "t": [r["t"] for r in rows]}
            loss = [r["loss"] for r in rows]
            # the good file holds numbers; the bad one, text only where a cell is text
            columns["loss"] = loss if name == "b" and "loss" in bad else [float(v) for v in loss]
            pq.write_table(pa.table(columns), tmp_path / f"runs/{name}.parquet")


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize(("bad", "chart", "message"), [
    ({"loss": "x"}, "x: {field: step}\nlayers: [{y: {field: loss}, color: {field: run}}]\n",
     "field 'loss' is plotted as numbers but row 2 of runs/b.FMT holds 'x'"),
    ({"t": "2024-01-0x"}, "x: {field: t, type: temporal}\nlayers: [{y: {field: step}, color: {field: run}}]\n",
     "row 2 of runs/b.FMT: '2024-01-0x' in temporal field 't' is not a date"),
    ({"t": "2024-01-0x"}, "x: {field: t, type: temporal}\nlayers: [{y: {field: step}, color: {field: run}}]\n",
     "row 2 of runs/b.FMT: '2024-01-0x' in field 't' is not a date in format '%Y-%m-%d'"),
], ids=["number", "iso-date", "parse-format"])
def test_a_bad_cell_is_named_by_its_row_in_its_own_file(tmp_path: Path, path_kind: str, fmt: str,
                                                        bad: dict[str, str], chart: str, message: str) -> None:
    _files(tmp_path, fmt, bad)
    parse = ", parse: {t: '%Y-%m-%d'}" if "format" in message else ""
    write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": f'data: {{files: "runs/*.{fmt}", as: run{parse}}}\n' + chart})
    with pytest.raises(chartspec.ChartspecError) as err:
        chartspec.load(tmp_path / "c.yaml")
    assert [d.message for d in err.value.diagnostics] == [message.replace("FMT", fmt)]


def test_one_file_keeps_naming_its_rows(tmp_path: Path, path_kind: str) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "m.csv": "step,loss\n0,1\n1,x\n",
                          "c.yaml": "data: m.csv\nx: {field: step}\nlayers: [{y: {field: loss}}]\n"})
    with pytest.raises(chartspec.ChartspecError, match="row 2 of m.csv holds 'x'"):
        chartspec.load(tmp_path / "c.yaml")


def test_a_text_cell_in_x_of_a_table_too_large_to_draw_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a breaker's finding: 2 x 250,000 rows with 'x1' in step said "layer 'loss' would hand 500,000
    # rows to Vega ... x field 'step' does not hold numbers", naming neither the file nor the row
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0)
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "100")
    for run in ("a", "b"):
        rows = [f"{i},{i * 0.1}" for i in range(300)]
        if run == "a":
            rows[100] = "x1,5"
        write_tree(tmp_path, {f"r/{run}/m.csv": "step,loss\n" + "\n".join(rows) + "\n"})
    write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": 'data: {files: "r/*/m.csv", as: run}\nx: {field: step}\n'
                                                         "layers: [{y: {field: loss}, color: {field: run}}]\n"})
    with pytest.raises(chartspec.ChartspecError) as err:
        chartspec.load(tmp_path / "c.yaml")
    [diag] = err.value.diagnostics
    assert diag.message == "field 'step' is plotted as numbers but row 101 of r/a/m.csv holds 'x1'"
    assert (diag.line, diag.column) == (2, 12)
