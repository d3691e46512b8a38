"""The engine's fast paths for large data give the rows the general paths give.

- m4np.py: the M4 of a smoothed layer, picked from the series smoothframe.py already sorted,
  equals reduce.py's SQL M4 (ties in y, missing values, rows without x, shuffled files, runs read
  with a glob), and the smoothed values equal the reference EMA of each series.
- arrownp.py: numeric columns to numpy and back through Arrow buffers (missing values as NaN and
  NULL), without importing pandas.
- engine.py: one CSV file read in file order, an empty column typed as an empty column is.
- fileview.py: a Parquet view's rows numbered by their file's label, and read file by file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine, m4np
from chartspec.data.arrownp import float_column, int_column, numeric_columns
from chartspec.data.smoothing import ema

N = 12_000  # rows per run: far more than the 4 x 600 M4 columns of a 100 px chart


def _runs(tmp_path: Path, *, shuffled: bool) -> dict[str, dict[str, np.ndarray]]:
    """Three runs as CSV files: y rounded to 1 decimal (ties everywhere) and wandering, so neither
    y nor its EMA has its extremes at the ends of a pixel column; a few missing y; shuffled files
    also miss a few x (both make smoothframe.py sort: the SQL's row order is then not the position)."""
    rng = np.random.default_rng(5)
    runs = {}
    for i in range(3):
        step = np.arange(N, dtype=float) * 3 + i
        loss = np.round(np.sin(step / 40) + rng.normal(0, 0.5, N), 1)
        loss[rng.integers(0, N, 30)] = np.nan
        order = rng.permutation(N) if shuffled else np.arange(N)
        cells = {"step": step[order], "loss": loss[order]}
        runs[f"r{i}"] = cells
        lines = ["step,loss"] + [f"{'' if shuffled and k % 997 == 5 else int(s)},{'' if np.isnan(v) else v}"
                                 for k, (s, v) in enumerate(zip(cells["step"], cells["loss"]))]
        (tmp_path / "runs").mkdir(parents=True, exist_ok=True)
        (tmp_path / "runs" / f"r{i}.csv").write_text("\n".join(lines) + "\n")
    return runs


def _spec(tmp_path: Path, suffix: str = "csv", transform: str = "", scale: str = "") -> Path:
    return write_tree(tmp_path, {"chartspec.toml": "", f"chart-{suffix}.yaml": (
        f'data: {{files: "runs/*.{suffix}", as: run}}\nwidth: 100\nx: {{field: step}}\n{transform}'
        f"layers:\n  - y: {{field: loss{scale}}}\n    color: {{field: run}}\n    smooth: {{ema: 0.9}}\n")}) / f"chart-{suffix}.yaml"


def _as_parquet(tmp_path: Path) -> None:
    """The runs' CSV files again as Parquet (read as a view over the files, never copied)."""
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    for path in sorted((tmp_path / "runs").glob("*.csv")):
        pq.write_table(pacsv.read_csv(path), path.with_suffix(".parquet"))


@pytest.mark.parametrize("scale", ["", ", scale: log"], ids=["linear", "log"])
@pytest.mark.parametrize("shuffled", [False, True], ids=["in-order", "shuffled"])
def test_numpy_m4_of_a_smoothed_layer_keeps_the_rows_the_sql_m4_keeps(tmp_path: Path, shuffled: bool, scale: str,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """On a log scale (loss is about half at or below zero) both take the extremes above zero."""
    runs = _runs(tmp_path, shuffled=shuffled)
    path = _spec(tmp_path, scale=scale)
    monkeypatch.setattr(engine, "ENGINE_BYTES", 1000)  # these files are read by the engine
    used = []
    real = m4np.m4_rows_sql
    seen: list[m4np.Presorted] = []
    monkeypatch.setattr(m4np, "m4_rows_sql", lambda *a: seen.append(a[2]) or used.append(out := real(*a)) or out)
    fast = chartspec.load(path).table
    assert len(used) == 1 and used[0] is not None  # the numpy M4 ran
    assert (seen[0].rows is None) is not shuffled  # in file order: no sort, the position is the row
    monkeypatch.setattr(m4np, "m4_rows_sql", lambda *a: None)
    sql = chartspec.load(path).table
    assert fast.reduced_from == sql.reduced_from == 3 * N
    assert len(fast.rows) < N and fast.rows == sql.rows
    # the smoothed values are the reference EMA of each run, in step order
    for run, cells in runs.items():
        steps = np.array(["" if shuffled and k % 997 == 5 else s for k, s in enumerate(cells["step"])], dtype=object)
        have = [k for k in range(N) if steps[k] != ""]
        by_step = sorted(have, key=lambda k: cells["step"][k])
        want = dict(zip((int(cells["step"][k]) for k in by_step),
                        ema([None if np.isnan(cells["loss"][k]) else float(cells["loss"][k]) for k in by_step], 0.9)))
        got = [r for r in fast.rows if r["run"] == run and r["step"] is not None]
        assert got and all(r["__smooth_0"] == pytest.approx(want[r["step"]], rel=1e-9, abs=1e-12)
                           for r in got if want[r["step"]] is not None)


@pytest.mark.parametrize("transform", ["", "transform: [{filter: {field: step, gte: 300}}]\n"],
                         ids=["numpy-m4", "sql-m4"])
def test_parquet_runs_give_the_rows_the_same_csv_runs_give(tmp_path: Path, transform: str,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Smoothed Parquet runs join their EMA on __row (a view, not a table): the M4 picks, the
    smoothed values and the rows fetched equal those of the CSV files (a table joined by position),
    through m4np.py and, with a filter, through the SQL M4 over that view."""
    _runs(tmp_path, shuffled=True)
    _as_parquet(tmp_path)
    monkeypatch.setattr(engine, "ENGINE_BYTES", 1000)
    csv = chartspec.load(_spec(tmp_path, "csv", transform)).table
    parquet = chartspec.load(_spec(tmp_path, "parquet", transform)).table
    assert len(csv.rows) < N and parquet.reduced_from == csv.reduced_from
    assert parquet.rows == csv.rows


def test_numeric_columns_read_missing_values_as_nan_across_chunks(tmp_path: Path) -> None:
    con = engine.connect(None)
    name = engine.new_name()
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT range AS i, CASE WHEN range % 7 = 3 THEN NULL "
                f"ELSE range / 2 END AS v FROM range(300000)")  # several Arrow batches
    cols = numeric_columns(con, f"SELECT i, v FROM {name} ORDER BY i")
    assert cols["i"].dtype == np.int64 and np.array_equal(cols["i"], np.arange(300_000))
    want = np.arange(300_000) / 2
    want[np.arange(300_000) % 7 == 3] = np.nan
    np.testing.assert_array_equal(cols["v"], want)


def test_float_and_int_columns_are_arrow_arrays_with_nan_as_missing() -> None:
    values = np.array([1.5, np.nan, -0.0, np.inf, np.nan])
    array = float_column(values)
    assert array.null_count == 2 and array.to_pylist() == [1.5, None, -0.0, np.inf, None]
    assert int_column(np.arange(4)).to_pylist() == [0, 1, 2, 3]


def test_smoothing_a_large_table_does_not_import_pandas(tmp_path: Path) -> None:
    _runs(tmp_path, shuffled=False)
    path = _spec(tmp_path)
    code = ("import sys\nfrom chartspec.data import engine\nengine.ENGINE_BYTES = 1000\nimport chartspec\n"
            f"t = chartspec.load({str(path)!r}).table\nassert t.reduced_from == {3 * N}, t.reduced_from\n"
            "print('pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"  # pandas is installed here: pyarrow's conversions would import it


def test_one_csv_file_is_one_table_in_file_order_with_an_empty_column_typed_as_before(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("step,loss,note\n" + "".join(f"{i},{i / 3},\n" for i in range(5000)))
    con = engine.connect(tmp_path)
    tables = lambda: con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary").fetchall()[0][0]  # noqa: E731
    before = tables()
    rel, columns = engine.read_delimited(con, [path], ["big.csv"], ",")
    assert tables() == before + 1  # the file's own table was renamed or dropped after its copy
    assert columns == ("step", "loss", "note") and rel.count == 5000
    assert rel.numeric == {"step", "loss", "note"} and rel.integer == {"step", "note"}  # empty: BIGINT
    assert rel.sql(f"SELECT __row, step, note FROM {rel.name} ORDER BY __row LIMIT 2") == [(0, 0, None), (1, 1, None)]


def test_a_parquet_view_answers_by_file_as_a_scan_of_the_view_would(tmp_path: Path) -> None:
    """fileview.py: the rows' label numbers split them as a GROUP BY of the label does (an empty
    file, two files with one label), and each file's own rows are the rows a join of the view keeps."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from chartspec.data.fileview import by_label, label_groups, rows_in

    sizes = [5, 0, 7, 4]
    paths = []
    for i, n in enumerate(sizes):
        paths.append(tmp_path / f"run{i}.parquet")
        pq.write_table(pa.table({"step": np.arange(n, dtype=np.int64), "loss": np.arange(n) / 10.0}), paths[-1])
    con = engine.connect(tmp_path)
    rel, _ = engine.read_parquet_files(con, paths, ("run", ["a", "b", "a", "c"]), [p.name for p in paths])
    assert by_label(rel)
    rows, hashes = (np.array(c) for c in zip(*rel.sql(f'SELECT __row, hash("run") FROM {rel.name}')))
    groups = label_groups(rel, rows, in_file_order=False)
    # the same partition: equal numbers exactly where the hashes are equal
    assert np.array_equal(groups[:, None] == groups[None, :], hashes[:, None] == hashes[None, :])
    order = np.argsort(rows)  # every row in file order: the numbers without a search
    assert np.array_equal(label_groups(rel, rows[order], in_file_order=True), groups[order])
    con.execute("CREATE TEMP TABLE kept AS SELECT unnest([0, 4, 5, 11, 15]) AS r")
    assert rel.sql(f"SELECT * FROM {rows_in(rel, 'kept')} ORDER BY __row") == rel.sql(
        f"SELECT t.* FROM {rel.name} t JOIN kept ON t.__row = kept.r ORDER BY __row")
    engine.close_all()


def _sweep(tmp_path: Path, files: int, rows: int) -> Path:
    """``files`` runs of ``rows`` steps as Parquet, drawn smoothed and coloured by run."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(11)
    (tmp_path / "runs").mkdir(parents=True)
    for i in range(files):
        pq.write_table(pa.table({"step": np.arange(rows, dtype=np.int64),
                                 "loss": np.cumsum(rng.normal(0, 1, rows))}), tmp_path / "runs" / f"r{i:03}.parquet")
    return write_tree(tmp_path, {"chartspec.toml": "", "sweep.yaml": (
        'data: {files: "runs/*.parquet", as: run}\nx: {field: step}\n'
        "layers:\n  - y: {field: loss}\n    color: {field: run}\n    smooth: {ema: 0.9}\n")}) / "sweep.yaml"


def test_a_sweep_of_many_files_reads_its_kept_rows_through_the_view(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Beyond fileview.MAX_FILE_BRANCHES files the kept rows are joined from the whole view (a
    branch per file held 120 files' scan buffers at once: DuckDB ran out of memory); both ways
    give the same rows."""
    from chartspec.data import fileview

    files = fileview.MAX_FILE_BRANCHES + 8
    path = _sweep(tmp_path, files, 4_000)  # more rows than a sweep drawn whole (reduce.py)
    monkeypatch.setattr(engine, "ENGINE_BYTES", 1000)
    joined = chartspec.load(path).table
    monkeypatch.setattr(fileview, "MAX_FILE_BRANCHES", 10**6)
    by_file = chartspec.load(path).table
    assert joined.reduced_from == by_file.reduced_from == files * 4_000
    assert len(joined.rows) < files * 4_000 and joined.rows == by_file.rows


def test_a_smoothed_sweep_of_120_runs_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "ENGINE_BYTES", 1000)
    table = chartspec.load(_sweep(tmp_path, 120, 1_500)).table
    assert table.reduced_from == 120 * 1_500 and {r["run"] for r in table.rows} == {f"r{i:03}" for i in range(120)}
