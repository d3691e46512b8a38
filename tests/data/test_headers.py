"""A CSV/TSV header, the same on both readers (table.py in Python, engine.py in DuckDB; breakfix3):
a column with an empty or blank name (pandas' ``to_csv`` writes its index so: ``,step,loss``) is
left out with a note at the header, never an engine error; a header without rows says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.errors import ChartspecError


@pytest.fixture(params=["python", "engine"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "engine":
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0)  # every CSV/TSV file goes to DuckDB
    return str(request.param)


def _load(tmp_path: Path, name: str, text: str, y: str = "loss") -> chartspec.Spec:
    write_tree(tmp_path, {"chartspec.toml": "", name: text,
                          "chart.yaml": f"data: {name}\nx: {{field: step}}\nlayers:\n  - {{y: {{field: {y}}}}}\n"})
    return chartspec.load(tmp_path / "chart.yaml")


@pytest.mark.parametrize(("name", "header", "where", "which"), [
    ("m.csv", ",step,loss", 1, "column 1 of the header has"),  # pandas' index
    ("m.csv", "step,,loss", 6, "column 2 of the header has"),
    ("m.csv", "step,  ,loss,", 6, "columns 2, 4 of the header have"),
    ("m.tsv", "step\t\tloss", 6, "column 2 of the header has"),
])
def test_an_unnamed_column_is_left_out_with_a_note_on_both_readers(
        tmp_path: Path, path_kind: str, name: str, header: str, where: int, which: str) -> None:
    sep = "\t" if name.endswith(".tsv") else ","
    cells = {"": "7", "step": "{i}", "loss": "{v}", "  ": "x"}
    rows = "".join(sep.join(cells[h].format(i=i, v=1 / (i + 1)) for h in header.split(sep)) + "\n" for i in range(3))
    spec = _load(tmp_path, name, header + "\n" + rows)
    assert spec.table.columns == ("step", "loss")
    assert [(r["step"], r["loss"]) for r in spec.table.rows] == [(0, 1.0), (1, 0.5), (2, 1 / 3)]
    [note] = [d for d in spec.notes if "no name" in d.message]
    assert note.format() == (f"{tmp_path / name}:1:{where}: note: {which} no name: left out\n  hint: name it in the header to "
                             "chart it (pandas writes its index unnamed: to_csv(index=False) leaves it out)")


def test_a_header_without_rows_says_so(tmp_path: Path, path_kind: str) -> None:
    with pytest.raises(ChartspecError) as caught:
        _load(tmp_path, "header.csv", "step,loss\n")
    [d] = caught.value.diagnostics
    assert d.format() == (f"{tmp_path / 'chart.yaml'}:1:7: error: header.csv has a header but no rows\n"
                          "  hint: columns: step, loss; the chart needs rows to draw")


def test_a_chart_naming_a_blank_column_is_refused_clearly(tmp_path: Path, path_kind: str) -> None:
    with pytest.raises(ChartspecError) as caught:
        _load(tmp_path, "m.csv", "step, ,loss\n0,7,1\n1,7,2\n", y='" "')
    [d] = caught.value.diagnostics
    assert d.message == "field ' ' is blank: no column is named so"
    assert d.hint == "name the column in the data's header, then use that name here"
