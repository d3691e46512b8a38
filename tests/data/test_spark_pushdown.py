"""Filters and drawn calculates run in Spark before its M4 (issue 16; data/sparkexpr.py).

A layered chart with a field filter, a Vega-expression filter and a calculated y over a
generated table of 1.2 million rows: what Spark sends back is bounded by the pixels (4 rows per
M4 column and series), and the SVG equals the one built from a DuckDB file of the same table.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import make_warehouse

from chartspec import ChartspecError, load, save
from chartspec.data import spark as spark_module
from chartspec.data.reduce import m4_columns

ROWS = 1_200_000
SPEC = """data: {connection: NAME, table: metrics}
width: 300
x: {field: step}
transform:
  - filter: {field: run, one_of: [run0, run1]}
layers:
  - y: {field: loss}
    color: {field: run}
    transform:
      - filter: "datum.step >= 20000 && !(datum.run === 'run1' && datum.step > 350000)"
  - y: {field: scaled}
    color: {field: run}
    transform:
      - calculate: "datum.loss * 2 - abs(datum.loss) + 0.5"
        as: scaled
      - filter: {field: step, lt: 500000}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_warehouse(tmp_path_factory.mktemp("pushdown"), SPEC, rows=ROWS, runs=3, period=30000.0)


def test_filters_and_calculates_run_in_spark(project: Path, tmp_path: Path, spark: object) -> None:
    spark_module.FETCHES.clear()
    spec = load(project / "cluster.yaml")
    fetched = spark_module.FETCHES[-1]
    assert fetched["full"] == ROWS
    series = 3 * 2  # the series are counted over the whole table (3 runs), as the engine counts them
    columns = m4_columns(spec.model, 1.0, series)
    assert fetched["rows"] <= 4 * columns * series, fetched  # not 1,200,000, nor the 800,000 kept
    local = load(project / "warehouse.yaml")
    svg = save(spec, tmp_path / "cluster.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


def test_an_expression_spark_may_read_otherwise_keeps_todays_behaviour(project: Path, spark: object) -> None:
    # '/' stays in DuckDB (Spark gives NULL or an error on division by zero, DuckDB ±Infinity):
    # the layer needs every row, and 1,200,000 are more than the drawing limit
    (project / "div.yaml").write_text(SPEC.replace("NAME", "cluster").replace("datum.loss * 2", "datum.loss / 2"))
    with pytest.raises(ChartspecError) as err:
        load(project / "div.yaml")
    assert "needs every row of a Spark table" in str(err.value)
    assert "div.yaml:11:5: error: layer 'scaled'" in str(err.value)  # the layer with the division


def test_ema_streams_the_rows_back_and_draws_the_same_svg(project: Path, tmp_path: Path, spark: object) -> None:
    # EMA needs every row in order: Spark sends them back one partition at a time (Arrow), the
    # engine smooths and cuts them as it does a DuckDB file's, so the SVGs are the same
    ema = SPEC.replace("    transform:\n      - filter: \"datum.step >= 20000 && !(datum.run === 'run1' && "
                       "datum.step > 350000)\"\n", "    smooth: {ema: 0.95}\n")
    assert "smooth" in ema
    for name in ("warehouse", "cluster"):
        (project / f"ema_{name}.yaml").write_text(ema.replace("NAME", name))
    spark_module.FETCHES.clear()
    spec = load(project / "ema_cluster.yaml")
    assert spark_module.FETCHES[-1] == {"rows": ROWS, "full": ROWS, "streamed": 1}
    local = load(project / "ema_warehouse.yaml")
    svg = save(spec, tmp_path / "cluster.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()
