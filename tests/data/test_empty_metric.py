"""A metric column that holds no value yet (``val_loss`` before the first validation epoch of a log
being written) draws nothing and is a note; the rest of the chart builds (breaker 10, finding 11).

A column that is not there (a misspelt name), one holding text, and an x holding no number stay
errors. A data-driven hline on the empty metric is left out with a note. Checked on rows read in
Python and on tables the data engine reads (Parquet, a large CSV that is reduced).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import vl_convert as vlc
from conftest import RunCli, drawn_vegalite, write_tree
from svgchart import parse_svg

import chartspec
from chartspec import ChartspecError

EARLY = "epoch,step,train_loss,val_loss\n0,0,1.0,\n0,1,0.9,\n0,2,0.8,\n"
CHART = ("x: {field: step}\nlayers:\n  - {y: {field: train_loss}}\n"
         "  - {y: {field: val_loss, axis: val}, smooth: {ema: 0.5}, label: end, point: circle}\n"
         "annotations:\n  - {hline: {aggregate: mean, field: val_loss, layer: val_loss}}\n"
         "  - {hline: {aggregate: max, field: train_loss}, label: 'max {value}'}\n")
NOTE = "field 'val_loss' has no values yet in {data}: the layer draws nothing"
HLINE_NOTE = "hline: the mean of 'val_loss' is not drawn: 'val_loss' has no values yet in {data}"


def _data(tmp_path: Path, kind: str) -> str:
    """The early log as ``kind``: CSV rows, a Parquet file (the engine), or 60,000 rows (reduced)."""
    if kind == "csv":
        (tmp_path / "early.csv").write_text(EARLY, encoding="utf-8")
        return "early.csv"
    n = 3 if kind == "parquet" else 60_000
    pq.write_table(pa.table({"step": list(range(n)), "train_loss": [1.0 - i / (2 * n) for i in range(n)],
                             "val_loss": pa.array([None] * n, type=pa.float64())}), tmp_path / f"{kind}.parquet")
    return f"{kind}.parquet"


@pytest.mark.parametrize("kind", ["csv", "parquet", "large"])
def test_a_metric_without_values_draws_nothing_and_the_chart_builds(tmp_path: Path, kind: str) -> None:
    data = _data(tmp_path, kind)
    write_tree(tmp_path, {"chartspec.toml": "", "c.yaml": f"data: {data}\n" + CHART})
    spec = chartspec.load(tmp_path / "c.yaml")
    assert (kind == "large") == bool(spec.table.reduced_from)
    notes = [(n.line, n.message) for n in spec.notes]
    assert (5, NOTE.format(data=data)) in notes and (7, HLINE_NOTE.format(data=data)) in notes
    assert [a.label for a in spec.model.annotations] == ["max 1"]  # the other hline is drawn
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(spec)))
    assert chart.texts("legend-label") == ["train_loss", "val_loss"]  # listed, as TensorBoard and W&B do
    assert "max 1" in chart.texts("mark")
    titles = {a.title: a.label_texts for a in chart.axes}
    assert titles["val_loss"] == [] and len(titles["train_loss"]) > 2  # an empty axis beside the drawn one


def test_the_cli_builds_and_prints_the_note(tmp_path: Path, run_cli: RunCli) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "early.csv": EARLY, "c.yaml": (
        "data: early.csv\nx: {field: step}\nlayers:\n  - y: {field: train_loss}\n  - y: {field: val_loss}\n")})
    proc = run_cli("build", "c.yaml", "-o", "out", "-f", "svg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"c.yaml:5:16: note: {NOTE.format(data='early.csv')}" in proc.stderr
    assert (tmp_path / "out" / "c.svg").is_file()


@pytest.mark.parametrize(("chart", "message"), [
    ("x: {field: step}\nlayers: [{y: {field: val_los}}]\n", "field 'val_los' not in early.csv"),
    ("x: {field: val_loss}\nlayers: [{y: {field: train_loss}}]\n", "field 'val_loss' has no numeric values in early.csv"),
    ("x: {field: step}\nlayers: [{y: {field: note}}]\n",
     "field 'note' is plotted as numbers but row 1 of early.csv holds 'warmup'"),
    ("x: {field: step}\nlayers: [{y: {field: train_loss}}]\nannotations: [{hline: {aggregate: mean, field: val_los}}]\n",
     "hline: cannot compute the mean of 'val_los' in layer 'train_loss'"),
], ids=["misspelt", "empty-x", "text", "misspelt-hline"])
def test_misspelt_text_and_empty_x_columns_stay_errors(tmp_path: Path, chart: str, message: str) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "early.csv": EARLY.replace("val_loss\n", "val_loss,note\n").replace(
        ",\n", ",,warmup\n"), "c.yaml": "data: early.csv\n" + chart})
    with pytest.raises(ChartspecError) as err:
        chartspec.load(tmp_path / "c.yaml")
    assert any(d.message.startswith(message) for d in err.value.diagnostics), err.value.diagnostics


def test_a_layers_own_file_with_a_header_only_draws_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    # evaluation metrics in a file of their own, created with its header before the first eval
    write_tree(tmp_path, {"chartspec.toml": "", "early.csv": EARLY, "val.csv": "step,val_loss\n", "c.yaml": (
        "data: early.csv\nx: {field: step}\nlayers:\n  - y: {field: train_loss}\n"
        "  - {y: {field: val_loss}, data: val.csv, smooth: {ema: 0.5}, label: end}\n"),
        "main.yaml": "data: val.csv\nx: {field: step}\nlayers: [{y: {field: val_loss}}]\n"})
    spec = chartspec.load(tmp_path / "c.yaml")
    assert [(n.line, n.severity, n.message) for n in spec.notes] == [(5, "note", "val.csv has a header but no rows")]
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(spec)))
    assert chart.texts("legend-label") == ["train_loss", "val_loss"]
    proc = run_cli("build", "main.yaml", "-o", "out", "-f", "svg", cwd=tmp_path)  # the chart's own data: needed
    assert proc.returncode == 1 and "main.yaml:1:7: error: val.csv has a header but no rows" in proc.stderr


def test_a_layers_own_parquet_file_with_no_row_yet_draws_nothing(tmp_path: Path) -> None:
    """A Parquet writer's file before its first row has a schema: it was refused as 'the data has
    no columns' where the same CSV (a header only) draws nothing with a note."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    write_tree(tmp_path, {"chartspec.toml": "", "early.csv": EARLY, "c.yaml": (
        "data: early.csv\nx: {field: step}\nlayers:\n  - y: {field: train_loss}\n"
        "  - {y: {field: val_loss}, data: val.parquet}\n")})
    pq.write_table(pa.table({"step": pa.array([], pa.int64()), "val_loss": pa.array([], pa.float64())}),
                   tmp_path / "val.parquet")
    spec = chartspec.load(tmp_path / "c.yaml")
    assert [(n.line, n.severity) for n in spec.notes] == [(5, "note")] and "no rows" in spec.notes[0].message
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(spec)))
    assert chart.texts("legend-label") == ["train_loss", "val_loss"]


def test_rows_without_a_colour_value_are_noted(tmp_path: Path) -> None:
    """Vega draws a row only in its series' colour: rows with an empty colour field vanished from
    the chart without a word (a whole empty column drew nothing and exited 0)."""
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "step,run,v\n0,a,1\n1,a,2\n2,,5\n3,,5\n4,a,3\n",
                          "c.yaml": "data: d.csv\nx: {field: step}\nlayers: [{y: {field: v}, color: {field: run}}]\n"})
    spec = chartspec.load(tmp_path / "c.yaml")
    [note] = [n for n in spec.notes if "no value in 'run'" in n.message]
    assert note.severity == "note" and (note.line, note.column) == (3, 41) and note.message.startswith("2 of the 5 rows")


def test_a_layers_own_empty_json_lines_or_empty_list_draws_nothing(tmp_path: Path) -> None:
    """An empty metrics.jsonl (a logger that has not written yet) or '[]' failed the chart with
    'field step not in metrics.jsonl' at the chart's x; a header-only CSV was already a note."""
    write_tree(tmp_path, {"chartspec.toml": "", "early.csv": EARLY, "m.jsonl": "", "e.json": "[]\n", "c.yaml": (
        "data: early.csv\nx: {field: step}\nlayers:\n  - y: {field: train_loss}\n"
        "  - {y: {field: val_loss}, data: m.jsonl, color: {field: run}}\n  - {y: {field: acc}, data: e.json}\n"
        "annotations:\n  - {hline: {aggregate: mean, layer: acc}}\n")})
    spec = chartspec.load(tmp_path / "c.yaml")
    assert sorted((n.line, n.severity) for n in spec.notes) == [(5, "note"), (6, "note"), (8, "note")]
    assert sum("has no rows yet" in n.message for n in spec.notes) == 2
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(spec)))
    assert "train_loss" in chart.texts("legend-label")


@pytest.mark.parametrize(("files", "data", "message"), [
    ({"m.jsonl": ""}, "m.jsonl", "m.jsonl has no rows: the file is empty"),
    ({"m.jsonl": "\n\n"}, "m.jsonl", "m.jsonl has no rows: the file is empty"),
    ({"e.json": "[]\n"}, "e.json", "e.json has no rows: it holds an empty list"),
    ({"a/m.jsonl": "", "b/m.jsonl": ""}, '{files: "*/m.jsonl", as: run}', "*/m.jsonl has no rows: the files are empty"),
])
def test_the_charts_own_empty_file_says_it_has_no_rows(tmp_path: Path, run_cli: RunCli, files: dict[str, str],
                                                       data: str, message: str) -> None:
    """The chart's own data as an empty JSON Lines file or '[]' said "field 'step' not in m.jsonl"
    at every axis, as if a name were misspelt; a header-only CSV said it has no rows."""
    write_tree(tmp_path, {"chartspec.toml": "", **files, "c.yaml": f"data: {data}\n{CHART}"})
    proc = run_cli("build", "c.yaml", "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1
    assert f"c.yaml:1:7: error: {message}\n" in proc.stderr or f"c.yaml:1:15: error: {message}\n" in proc.stderr, \
        proc.stderr
    assert "not in" not in proc.stderr and proc.stderr.count("error:") == 1, proc.stderr


def test_a_glob_of_header_only_files_names_their_columns(tmp_path: Path) -> None:
    """A glob of CSV files with a header and no row yet lost the columns: 'hint: columns: ;'."""
    write_tree(tmp_path, {"chartspec.toml": "", "a/m.csv": "step,train_loss\n", "b/m.csv": "step,val_loss\n",
                          "c.yaml": f"data: {{files: '*/m.csv', as: run}}\n{CHART}"})
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(tmp_path / "c.yaml")
    assert caught.value.first.message == "*/m.csv has a header but no rows"
    assert caught.value.first.hint == "columns: step, train_loss, val_loss; the chart needs rows to draw"
