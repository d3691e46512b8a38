"""Charts from connections (issue 16): a DuckDB file, Spark in local mode, and the errors.

One SparkSession for the whole test run (the `spark` fixture in conftest.py, which chartspec's
own session lookup finds); the Spark chart must equal the DuckDB file's chart byte for byte, and
what Spark sends back must be bounded by the pixels, not the rows.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import WAREHOUSE_CONFIG, make_warehouse
from remotes import split_files

from chartspec import ChartspecError, load
from chartspec.data import spark as spark_module
from chartspec.data.reduce import m4_columns

#: rows of the table: many a pixel column (50 for each of 2 runs x 2,000 M4 columns); Spark reads
#: them in two partitions (remotes.split_files), as it read 2,000,000 rows
ROWS = 200_000
WIDTH = 400
SPEC = f"""data: {{connection: NAME, table: metrics}}
width: {WIDTH}
x: {{field: step}}
layers:
  - y: {{field: loss}}
    color: {{field: run}}
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_warehouse(tmp_path_factory.mktemp("warehouse"), SPEC, rows=ROWS, runs=2, period=4000.0)


def test_duckdb_file_chart(project: Path) -> None:
    spec = load(project / "warehouse.yaml")
    assert spec.table.reduced_from == ROWS
    assert {r["run"] for r in spec.table.rows} == {"run0", "run1"}
    assert len(spec.table.rows) <= 4 * m4_columns(spec.model, 1.0, 2) * 2


def test_duckdb_file_stays_read_only(project: Path) -> None:
    before = (project / "metrics.duckdb").read_bytes()
    load(project / "warehouse.yaml")
    assert (project / "metrics.duckdb").read_bytes() == before


def test_spark_pushes_m4_down_and_draws_the_same_svg(project: Path, tmp_path: Path, spark: object) -> None:
    from chartspec import save

    spark_module.FETCHES.clear()
    with split_files(spark, project / "metrics.parquet"):  # rows numbered and picked across partitions
        spec = load(project / "cluster.yaml")
    fetched = spark_module.FETCHES[-1]
    assert fetched["full"] == ROWS
    columns = m4_columns(spec.model, 1.0, 2)
    assert fetched["rows"] <= 4 * columns * 2  # 4 per pixel column per series, not 200,000
    local = load(project / "warehouse.yaml")
    svg = save(spec, tmp_path / "cluster.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()
    assert [r["step"] for r in spec.table.rows] == [r["step"] for r in local.table.rows]


def _error(project: Path, text: str, config: str | None = None) -> str:
    (project / "bad.yaml").write_text(text)
    with pytest.raises(ChartspecError) as err:
        load(project / "bad.yaml")
    return str(err.value)


def test_missing_connection_is_positioned_with_a_suggestion(project: Path) -> None:
    message = _error(project, SPEC.replace("NAME", "warehous"))
    assert "bad.yaml:1:20: error: no connection named 'warehous'" in message
    assert "did you mean 'warehouse'" in message


def test_bad_query_gives_the_engines_message_at_the_query(project: Path, spark: object) -> None:
    message = _error(project, SPEC.replace("NAME, table: metrics", "warehouse, sql: 'select stp from metrics'"))
    # DuckDB marks the column: the error points at 'stp' inside the quoted query (36 is the quote)
    assert "bad.yaml:1:44: error: the query failed in 'warehouse'" in message
    assert '"stp" not found' in message
    message = _error(project, SPEC.replace("NAME", "cluster").replace("table: metrics", "table: metrix"))
    assert "bad.yaml:1:36: error: the query failed in 'cluster'" in message and "metrix" in message


def test_unreachable_engine_fails_that_spec_and_hides_secrets(tmp_path: Path) -> None:
    (tmp_path / "chartspec.toml").write_text('[connections.c]\nbackend = "pyspark"\nmaster = "local[1]"\n'
                                             'conf = {"spark.password" = "${CS_SECRET}"}\n')
    (tmp_path / "bad.yaml").write_text(SPEC.replace("NAME", "c"))
    (tmp_path / "good.yaml").write_text("data: {values: [{s: 1, v: 2}, {s: 2, v: 3}]}\nx: {field: s}\n"
                                        "layers: [{y: {field: v}}]\n")
    env = {"PATH": "/usr/bin:/bin", "JAVA_HOME": str(tmp_path / "no-java"), "CS_SECRET": "hunter2-secret"}
    run = subprocess.run([sys.executable, "-m", "chartspec", "build", ".", "--out", "out", "-f", "svg", "--json"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    import json

    report = json.loads(run.stdout)
    errors = [e for spec in report["specs"] for e in spec["errors"]]
    assert len(errors) == 1 and errors[0]["message"].startswith("cannot reach Spark for connection 'c'")
    assert (errors[0]["line"], errors[0]["column"]) == (1, 20)
    assert "hunter2-secret" not in run.stdout + run.stderr
    assert (tmp_path / "out" / "good.svg").is_file()
    assert not any("hunter2" in p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*") if p.is_file())


def test_spark_credentials_stay_out_of_the_manifest_and_the_json_report(
        project: Path, spark: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import os

    from click.testing import CliRunner

    from chartspec.builder.cache import MANIFEST_NAME
    from chartspec.cli.main import main

    secret = "s3cr3t-token-4711"
    monkeypatch.setenv("CS_TOKEN", secret)
    root = tmp_path / "secret"
    root.mkdir()
    os.link(project / "metrics.parquet", root / "metrics.parquet")
    (root / "chartspec.toml").write_text(WAREHOUSE_CONFIG.replace('"2"}', '"2", "spark.chartspec.token" = "${CS_TOKEN}"}'))
    (root / "chart.yaml").write_text(SPEC.replace("NAME, table: metrics", "cluster, sql: 'select * from metrics "
                                                  "where step < 500'"))
    out = tmp_path / "out"
    # in this process (-j 0), so the test's Spark is used; through the command line's own code
    run = CliRunner().invoke(main, ["build", str(root), "-o", str(out), "-f", "svg,html", "-j", "0", "--json"])
    assert run.exit_code == 0, run.output
    report = json.loads(run.stdout)
    [spec] = report["specs"]
    assert spec["status"] == "built" and set(spec["fetched"]) == {"cluster"} and spec["fetched"]["cluster"][-1] == "Z"
    manifest = (out / MANIFEST_NAME).read_text()
    assert '"connection": "cluster"' in manifest
    assert secret not in run.output + manifest
    assert not any(secret in p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    again = CliRunner().invoke(main, ["build", str(root), "-o", str(out), "-f", "svg,html", "-j", "0", "--json"])
    assert json.loads(again.stdout)["specs"][0]["status"] == "up-to-date" and secret not in again.output


@pytest.mark.parametrize(("data", "expected"), [
    ("{connection: warehouse}", "1:8: error: 'data': 'connection' needs a 'table' or an 'sql' query"),
    ('{connection: warehouse, table: m, sql: "x"}', "1:41: error: 'data' has both 'table' and 'sql'"),
    ("{table: metrics}", "1:8: error: 'data': 'table' reads from a 'connection'"),
])
def test_connection_keys_are_checked_by_the_schema(project: Path, data: str, expected: str) -> None:
    assert expected in _error(project, SPEC.replace("{connection: NAME, table: metrics}", data))
