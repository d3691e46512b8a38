"""What runs in Spark before and in its reduction (issue 16; data/sparkexpr.py, sparkm4.py, sparksteps.py).

A layered chart with a field filter, a Vega-expression filter and a calculated y over a
generated table of 240,000 rows, read in several partitions (remotes.split_files) and over a
lowered drawing limit, as 1.2 million rows were over the default one: what Spark sends back is
bounded by the pixels (4 rows per M4 column and series), and the SVG equals the one built from a
DuckDB file of the same table.
Then, on 40,000 rows with a lowered drawing limit (cheap, the same Spark session): point marks
(one row per pixel cell), a log x scale, a fold, repeated steps (the training-log rules in
Spark), and a filter that leaves a hole in the steps (the rows streamed back, the line broken).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_warehouse
from remotes import BANDS, check_bands, check_log_cut, layered, pair, split_files

from chartspec import ChartspecError, load, save
from chartspec.data import spark as spark_module
from chartspec.data import sparksteps
from chartspec.data.reduce import m4_columns


def _cached(session: object) -> bool:
    """Whether Spark still caches a DataFrame (its cache manager: what persist() registers)."""
    return not session._jsparkSession.sharedState().cacheManager().isEmpty()  # type: ignore[attr-defined]

ROWS = 240_000
#: the drawing limit for ROWS: the table is over it, as 1,200,000 rows are over the default 250,000
LIMIT = "200000"
SPEC = layered(first=4000, cut=70000, below=100000)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_warehouse(tmp_path_factory.mktemp("pushdown"), SPEC, rows=ROWS, runs=3, period=6000.0)


def test_filters_and_calculates_run_in_spark(project: Path, tmp_path: Path, spark: object,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", LIMIT)
    spark_module.FETCHES.clear()
    sparksteps.WINDOWS.clear()
    with split_files(spark, project / "metrics.parquet"):
        spec = load(project / "cluster.yaml")
    assert sparksteps.WINDOWS == []  # every step once in each run, the filters keep even steps: no sort
    fetched = spark_module.FETCHES[-1]
    assert fetched["full"] == ROWS
    series = 3 * 2  # the series are counted over the whole table (3 runs), as the engine counts them
    columns = m4_columns(spec.model, 1.0, series)
    assert fetched["rows"] <= 4 * columns * series, fetched  # not 240,000, nor the 160,000 kept
    local = load(project / "warehouse.yaml")
    svg = save(spec, tmp_path / "cluster.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


def test_an_expression_spark_may_read_otherwise_keeps_todays_behaviour(project: Path, spark: object,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    # '/' stays in DuckDB (Spark gives NULL or an error on division by zero, DuckDB ±Infinity):
    # the layer needs every row, and 240,000 are more than the drawing limit
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", LIMIT)
    (project / "div.yaml").write_text(SPEC.replace("NAME", "cluster").replace("datum.loss * 2", "datum.loss / 2"))
    with pytest.raises(ChartspecError) as err:
        load(project / "div.yaml")
    assert "needs every row of a Spark table" in str(err.value)
    assert "div.yaml:11:5: error: layer 'scaled'" in str(err.value)  # the layer with the division


def test_reduce_false_too_large_is_blamed_at_the_charts_reduce_key(project: Path, spark: object,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """As for a file (data/reduceoff.py): not at the first layer, which did not turn the cut off."""
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", LIMIT)
    (project / "off.yaml").write_text("reduce: false\n" + SPEC.replace("NAME", "cluster"))
    with pytest.raises(ChartspecError) as err:
        load(project / "off.yaml")
    d = err.value.diagnostics[0]
    assert (d.line, d.column, d.path) == (1, 9, ("reduce",)) and d.message.startswith("the chart would hand"), d


def test_ema_streams_the_rows_back_and_draws_the_same_svg(project: Path, tmp_path: Path, spark: object,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # EMA needs every row in order: Spark sends them back one partition at a time (Arrow), the
    # engine smooths and cuts them as it does a DuckDB file's, so the SVGs are the same
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", LIMIT)
    ema = SPEC.replace("    transform:\n      - filter: \"datum.step >= 4000 && !(datum.run === 'run1' && "
                       "datum.step > 70000)\"\n", "    smooth: {ema: 0.95}\n")
    assert "smooth" in ema
    remote, warehouse = pair(project, "ema", ema, "cluster")
    spark_module.FETCHES.clear()
    with split_files(spark, project / "metrics.parquet"):  # the partitions come back in order
        spec = load(remote)
    assert spark_module.FETCHES[-1] == {"rows": ROWS, "full": ROWS, "streamed": 1}
    local = load(warehouse)
    svg = save(spec, tmp_path / "cluster.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


#: small charts Spark now reduces that used to need every row: over 40,000 rows with a drawing
#: limit of 20,000, each failed on Spark with "needs every row"
SMALL_ROWS = 40_000
SMALL = {
    # one row per occupied pixel cell, per run
    "points": "data: {connection: NAME, table: metrics}\nwidth: 300\nheight: 60\nx: {field: step}\n"
              "layers:\n  - mark: point\n    y: {field: loss}\n    color: {field: run}\n",
    # M4 on ln(step): step 0 is a group of its own (DuckDB's ln(0) is -Infinity, Spark's NULL)
    "logx": "data: {connection: NAME, table: metrics}\nwidth: 300\nx: {field: step, scale: log}\n"
            "layers:\n  - y: {field: loss}\n    color: {field: run}\n",
    # the folded columns are the M4's values; a filter before the fold runs in Spark too
    "fold": "data: {connection: NAME, sql: 'select step, run, loss, loss * 0.5 + 1 as acc from metrics'}\n"
            "width: 300\nx: {field: step}\ntransform:\n  - filter: {field: run, equal: run1}\n"
            "layers:\n  - y: {field: value}\n    color: {field: key}\n    transform:\n      - fold: [loss, acc]\n",
    # a resumed run: steps 0-4,999 logged twice, the later rows drawn (steps.py's rule, in Spark)
    "repeats": "data: {connection: NAME, sql: 'select step % 15000 as step, run, loss from metrics'}\n"
               "width: 300\nx: {field: step}\nlayers:\n  - y: {field: loss}\n    color: {field: run}\n",
}
#: a filter leaves a hole in the steps, which breaks the line: every row comes back (streamed)
HOLES = ("data: {connection: NAME, table: metrics}\nwidth: 300\nx: {field: step}\nlayers:\n  - y: {field: loss}\n"
         "    color: {field: run}\n    transform:\n      - filter: 'datum.step < 5000 || datum.step > 9000'\n")
SMALL["repeats_first"] = SMALL["repeats"] + "duplicates: first\n"
# every step once, every 10th from 7: one aggregation proves no repeat and no hole (no window)
SMALL["every_tenth"] = SMALL["repeats"].replace("step % 15000", "step * 10 + 7")
# no repeat, but steps of 2 and 4 in turn: the aggregation proves nothing, the window decides
SMALL["uneven"] = SMALL["repeats"].replace("step % 15000", "step * 3 + step % 2")
#: the charts whose rules take a window (a sort of the rows) in Spark: the others are proved
#: regular by an aggregation, need no order (duplicates: all, gaps: connect), or draw points
WINDOWED = {"logx", "repeats", "repeats_first", "uneven"}
# the line drawn across the hole, as asked: no order needed, no window, reduced in Spark
SMALL["connected"] = HOLES + "duplicates: all\ngaps: connect\n"
#: the same hole with some losses missing and ``gaps: break``: those rows break the line too, and take
#: the piece before them (steps._pieces), in Spark as well
BREAKS = HOLES.replace("table: metrics", "sql: 'select step, run, if(step % 997 = 3, null, loss) as loss from metrics'"
                       ) + "gaps: break\n"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_warehouse(tmp_path_factory.mktemp("small"), "", rows=SMALL_ROWS, runs=2, period=900.0)
    for chart, spec in (*SMALL.items(), ("holes", HOLES), ("breaks", BREAKS)):
        pair(root, chart, spec, "cluster")
    return root


@pytest.mark.parametrize("chart", SMALL)
def test_points_log_x_fold_and_repeats_are_reduced_in_spark(small: Path, tmp_path: Path, spark: object, chart: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "20000")
    spark_module.FETCHES.clear()
    sparksteps.WINDOWS.clear()
    spec = load(small / f"{chart}_cluster.yaml")
    assert bool(sparksteps.WINDOWS) == (chart in WINDOWED), sparksteps.WINDOWS
    fetched = spark_module.FETCHES[-1]
    local = load(small / f"{chart}_warehouse.yaml")
    assert fetched["full"] == SMALL_ROWS and local.table.reduced_from == SMALL_ROWS
    if chart == "points":  # the first row of each occupied cell, and the rows with the extremes of y
        assert fetched["rows"] <= len(local.table.rows) + 2 < SMALL_ROWS // 4, fetched
    else:  # 4 per M4 column and series (fold: 2 series, its two columns)
        assert fetched["rows"] <= 4 * m4_columns(spec.model, 1.0, 2) * 2, fetched
    assert not _cached(spark)  # the row ids' and the rules' cached frames are freed with the layer
    # the repeated steps' note, as the DuckDB build gives it
    assert [n.message.replace("cluster", "warehouse") for n in spec.notes] == [n.message for n in local.notes]
    svg = save(spec, tmp_path / "cluster.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


def test_a_hole_a_filter_leaves_breaks_the_line_on_spark_too(small: Path, tmp_path: Path, spark: object,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Spark's check (longest step <= 4 x shortest) cannot rule a hole out: its windowed medians
    # find it, Spark numbers the line's pieces (steps.py's) and cuts the rows with M4 as for an
    # unbroken line; the pieces come back with the picks and the line is drawn in two per run
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "20000")
    spark_module.FETCHES.clear()
    sparksteps.WINDOWS.clear()
    spec = load(small / "holes_cluster.yaml")
    assert len(sparksteps.WINDOWS) == 1  # the quick test fails: the window (and its medians) decide
    fetched = spark_module.FETCHES[-1]
    assert fetched["streamed"] == 0 and fetched["full"] == SMALL_ROWS
    assert fetched["rows"] <= 4 * m4_columns(spec.model, 1.0, 2) * 2, fetched  # not every row
    assert not _cached(spark)  # the windows' and the pieces' cached frames are freed too
    local = load(small / "holes_warehouse.yaml")
    assert len({r["__piece_0"] for r in local.table.rows}) == 4
    assert {(r["run"], r["__piece_0"] >= 0) for r in spec.table.rows} == {(r["run"], r["__piece_0"] >= 0)
                                                                          for r in local.table.rows}
    svg = save(spec, tmp_path / "cluster.svg").read_bytes()
    assert svg.count(b"<path") == save(local, tmp_path / "warehouse.svg").read_bytes().count(b"<path")
    assert svg == (tmp_path / "warehouse.svg").read_bytes()


def test_rows_without_a_y_break_the_line_with_a_hole_in_spark_too(small: Path, tmp_path: Path, spark: object,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    # gaps: break with a hole used to bring every row back for steps.py to place the rows without a
    # y; Spark places them now (the piece of the drawn row before each), and M4 cuts the rows there
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "20000")
    spark_module.FETCHES.clear()
    spec = load(small / "breaks_cluster.yaml")
    fetched = spark_module.FETCHES[-1]
    assert fetched["streamed"] == 0 and fetched["full"] == SMALL_ROWS
    assert fetched["rows"] <= 4 * m4_columns(spec.model, 1.0, 2) * 2, fetched  # not every row
    assert not _cached(spark)
    local = load(small / "breaks_warehouse.yaml")
    assert any(r["loss"] is None and r["__piece_0"] >= 0 for r in local.table.rows)  # a placed row is drawn
    # the same rows, each drawn or not alike (Spark numbers the pieces within each series: the same paths)
    assert [(r["run"], r["step"], r["__piece_0"] >= 0) for r in spec.table.rows] == [
        (r["run"], r["step"], r["__piece_0"] >= 0) for r in local.table.rows]
    svg = save(spec, tmp_path / "cluster.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


def test_band_extents_and_aggregates_run_in_spark_then_its_m4(small: Path, tmp_path: Path, spark: object,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # more rows than the (lowered) drawing limit: the DuckDB build aggregates in its engine
    # (engineagg.py); Spark runs the same aggregate, then cuts the aggregated rows with its M4
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "20000")
    remote, warehouse = pair(small, "bands", BANDS, "cluster")
    spark_module.FETCHES.clear()
    from pyspark.sql import DataFrame

    counts, count = [], DataFrame.count
    monkeypatch.setattr(DataFrame, "count", lambda frame: counts.append(frame) or count(frame))
    spec = load(remote)
    assert counts == []  # each aggregate's gate reads the row count the fetch takes with the x extent
    assert not _cached(spark)
    check_bands(spec, load(warehouse), spark_module.FETCHES, rows=SMALL_ROWS, steps=20_000, out=tmp_path)


@pytest.mark.parametrize(("calculate", "shown"), [("'lr=' + datum.run", "'lr=run0'"),
                                                  ("datum.run === 'run0' ? 1 : 2", "1")])
def test_repeats_coloured_by_a_calculated_field_are_ruled_as_on_duckdb(small: Path, tmp_path: Path, spark: object,
                                                                       calculate: str, shown: str) -> None:
    # the series are made by a calculate: Spark does not cut such a layer (sparkexpr.spark_plan), so
    # the rows come back whole (within the drawing limit) and steps.py rules them, as on the DuckDB
    # file, which used to draw both copies of the repeated steps without a note
    spec = SMALL["repeats"].replace("color: {field: run}", "color: {field: name}").replace(
        "layers:", f'transform: [{{calculate: "{calculate}", as: name}}]\nlayers:')
    remote, local_path = pair(small, "calculated", spec, "cluster")
    cluster, local = load(remote), load(local_path)
    [note] = local.notes
    assert f"name {shown}" in note.message and "the later rows are drawn" in note.message
    assert [n.message.replace("cluster", "warehouse") for n in cluster.notes] == [note.message]
    svg = save(cluster, tmp_path / "cluster.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


def test_a_log_y_line_keeps_its_smallest_values_above_zero_in_spark(small: Path, tmp_path: Path, spark: object,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # the loss crosses zero: its columns near a crossing hold negatives, which a log scale leaves
    # out; Spark's cut keeps the smallest value above zero of each column, as DuckDB's does
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "20000")
    spec = SMALL["logx"].replace("x: {field: step, scale: log}", "x: {field: step}").replace(
        "{field: loss}", "{field: loss, scale: log}")
    remote, warehouse = pair(small, "logy", spec, "cluster")
    spark_module.FETCHES.clear()
    remote_spec = load(remote)
    assert spark_module.FETCHES[-1]["rows"] < SMALL_ROWS // 4  # cut in Spark
    check_log_cut(remote_spec, load(warehouse), ("cluster", "warehouse"))
