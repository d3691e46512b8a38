"""Numbers written as text in a Parquet file read as numbers, as in CSV and JSON (breaker: a
``pa.array([f"{v:.4f}" for v in y])`` column built with a false note "field 'loss' has no values
yet ... the layer draws nothing" while Vega drew the text; a text step column was "no numeric
values"). The README's rule: every format reads text that is a number as that number. Both
readers (Python below 2 MB, the engine's view above) and both sizes (drawn whole, reduced).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.errors import ChartspecError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

SPEC = "x: {field: step}\nlayers: [{mark: line, y: {field: loss}}]\n"


def _texts(n: int) -> list[str]:
    return [f"{1 / (i + 1):.4f}" for i in range(n)]


def _build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_read: bool, tables: dict[str, Any],
           data: str = "data: d.parquet\n") -> tuple[dict[str, Any], list[Any]]:
    write_tree(tmp_path, {"chartspec.toml": "", "s.yaml": data + SPEC})
    for name, table in tables.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, tmp_path / name)
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if engine_read else 1 << 40)
    loaded = chartspec.load(tmp_path / "s.yaml")
    return chartspec.to_vegalite(tmp_path / "s.yaml"), [d.message for d in loaded.notes]


@pytest.mark.parametrize("rows", [1_000, 50_000])
@pytest.mark.parametrize("engine_read", [False, True])
def test_text_that_is_numbers_draws_as_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: int,
                                               engine_read: bool) -> None:
    table = pa.table({"step": pa.array([str(i) for i in range(rows)]), "loss": pa.array(_texts(rows))})
    vl, notes = _build(tmp_path, monkeypatch, engine_read, {"d.parquet": table})
    values = vl["data"]["values"]
    assert not any("no values" in n for n in notes), notes
    assert all(type(r["step"]) is int and type(r["loss"]) in (int, float) for r in values), values[:3]
    assert values[0] == {"step": 0, "loss": 1} and values[-1]["step"] == rows - 1
    losses = [r["loss"] for r in values]
    assert min(losses) == float(_texts(rows)[-1])  # the y extent is the data's, not text's order
    if rows > 10_000:  # reduced by M4 (every extreme kept), not first/last per pixel of text
        assert 2_000 < len(values) < rows


@pytest.mark.parametrize("engine_read", [False, True])
def test_text_that_is_not_a_number_is_refused_as_in_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         engine_read: bool) -> None:
    texts = _texts(20_000)
    texts[12_344] = "n/a"
    table = pa.table({"step": pa.array(range(20_000)), "loss": pa.array(texts)})
    with pytest.raises(ChartspecError) as err:
        _build(tmp_path, monkeypatch, engine_read, {"d.parquet": table})
    d = err.value.diagnostics[0]
    assert d.message == "field 'loss' is plotted as numbers but row 12345 of d.parquet holds 'n/a'"
    csv = "step,loss\n" + "".join(f"{i},{t}\n" for i, t in enumerate(texts))
    write_tree(tmp_path, {"c.csv": csv, "c.yaml": "data: c.csv\n" + SPEC})
    with pytest.raises(ChartspecError) as err:
        chartspec.load(tmp_path / "c.yaml")
    assert err.value.diagnostics[0].message == d.message.replace("d.parquet", "c.csv")


@pytest.mark.parametrize("engine_read", [False, True])
def test_nonfinite_and_blank_text_are_missing_with_the_csv_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               engine_read: bool) -> None:
    texts: list[str | None] = list(_texts(300))
    texts[4], texts[9], texts[20] = "NaN", " ", None
    table = pa.table({"step": pa.array(range(300)), "loss": pa.array(texts, pa.string())})
    vl, notes = _build(tmp_path, monkeypatch, engine_read, {"d.parquet": table}, "data: d.parquet\nreduce: false\n")
    values = vl["data"]["values"]
    assert [values[i]["loss"] for i in (3, 4, 9, 20)] == [0.25, None, None, None]
    assert any(n.startswith("1 cell of column 'loss' in d.parquet is not a finite number (first: row 5, nan)")
               for n in notes), notes


@pytest.mark.parametrize("engine_read", [False, True])
def test_a_column_of_text_numbers_in_one_file_and_doubles_in_another_is_numbers(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_read: bool) -> None:
    a = pa.table({"step": pa.array(range(100)), "loss": pa.array(_texts(100))})
    b = pa.table({"step": pa.array(range(100)), "loss": pa.array([0.5] * 100, pa.float64())})
    vl, _ = _build(tmp_path, monkeypatch, engine_read, {"r/a.parquet": a, "r/b.parquet": b},
                   "data: {files: 'r/*.parquet', as: run}\nreduce: false\n")
    values = vl["data"]["values"]
    assert {type(r["loss"]) for r in values} <= {int, float} and values[1]["loss"] == 0.5
