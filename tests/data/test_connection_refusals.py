"""A DuckDB connection's query reads that database only; what it may not do is said as such.

Files (inside the project too), URLs and other databases are refused before the query runs, at their place,
and a query is one statement. The hint named table and column names for these too, which sends a
user looking for a typo that is not there.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import load_error

from chartspec import ChartspecError


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "chartspec.toml").write_text('[connections.wh]\nbackend = "duckdb"\npath = "m.duckdb"\n')
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    con.execute("CREATE TABLE metrics AS SELECT range AS step, range * 0.5 AS loss FROM range(5)")
    con.close()
    (tmp_path.parent / "outside.csv").write_text("step,loss\n1,2\n")
    return tmp_path


def _error(project: Path, sql: str) -> ChartspecError:
    return load_error(project / "q.yaml", f'data: {{connection: wh, sql: "{sql}"}}\nx: {{field: step}}\n'
                                          "layers: [{y: {field: loss}}]\n")


# Files are not the connection's tables, inside the project or not: read_text('.env') put a hidden
# file into the SVG, read_blob the database file itself (which the engine may always open), and a
# chart reading data/a.csv stayed "up to date" when the file changed (the build does not know it).
@pytest.mark.parametrize("sql, named, at", [
    ("select * from read_csv('data/a.csv')", "the table function read_csv() reads files", "read_csv"),
    ("select * from read_csv_auto('../outside.csv')", "the table function read_csv_auto() reads files", "read_csv_auto"),
    ("select 1 as step, 1 as loss, content as s from read_text('.env')", "the table function read_text() reads files",
     "read_text"),
    ("select 1 as step, 2 as loss from read_blob('m.duckdb')", "the table function read_blob() reads files", "read_blob"),
    ("select * from read_parquet('data/*.parquet')", "the table function read_parquet() reads files", "read_parquet"),
    ("select 1 as step, 2 as loss from sniff_csv('data/a.csv')", "the table function sniff_csv() reads files", "sniff_csv"),
    ("select * from 'data/a.csv'", "'data/a.csv' is a file, not a table of the connection", "'data/a.csv'"),
    ("select * from metrics, (select 1 from 'https://example.com/x.csv')", "'https://example.com/x.csv' is a file",
     "'https://"),
    ("with a as (select * from 'data/a.csv') select * from a", "'data/a.csv' is a file", "'data/a.csv'"),
])
def test_reading_files_is_refused_where_named(project: Path, sql: str, named: str, at: str) -> None:
    (project / "data").mkdir()
    (project / "data" / "a.csv").write_text("step,loss\n0,100\n")
    (project / ".env").write_text("PGPASSWORD=hunter2\n")
    [diag] = _error(project, sql).diagnostics
    assert diag.message.startswith("the query is refused: ") and named in diag.message
    assert diag.hint == ("a chart's sql reads the tables of the connection's database: chart a file with data: "
                         "path/to/file, or load it into the database as a table")
    assert diag.line == 1 and diag.source_line is not None and diag.column is not None
    assert diag.source_line[diag.column - 1:].startswith(at)


def test_the_engine_itself_reads_no_file_of_the_project(project: Path) -> None:
    """Behind the check, the engine holding the database file is allowed no directory at all."""
    from chartspec.data.engine import close_all, connect_file

    (project / "a.csv").write_text("step,loss\n0,100\n")
    con = connect_file(project / "m.duckdb")
    try:
        for sql in (f"select * from read_csv('{project / 'a.csv'}')", f"select * from '{project / 'a.csv'}'"):
            with pytest.raises(duckdb.PermissionException):
                con.execute(sql).fetchall()
        assert con.execute("select count(*) from metrics").fetchall() == [(5,)]
    finally:
        close_all()


def test_a_table_or_cte_named_like_a_file_stays_readable(tmp_path: Path) -> None:
    import chartspec

    (tmp_path / "chartspec.toml").write_text('[connections.wh]\nbackend = "duckdb"\npath = "m.duckdb"\n')
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    con.execute('CREATE TABLE "runs.v2" AS SELECT range AS step, range * 0.5 AS loss FROM range(5)')
    con.close()
    for sql, rows in (('select * from \\"runs.v2\\"', 5), ('with \\"a.csv\\" as (select 1 as step, 2 as loss) '
                                                        'select * from \\"a.csv\\"', 1)):
        spec = tmp_path / "t.yaml"
        spec.write_text(f'data: {{connection: wh, sql: "{sql}"}}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}}}]\n')
        assert len(chartspec.load(spec).table.rows) == rows


def test_several_statements_are_one_query_too_many(project: Path) -> None:
    [diag] = _error(project, "copy metrics to '../pwned.csv'; select * from metrics").diagnostics
    assert not (project.parent / "pwned.csv").exists()
    assert diag.hint == "write one SELECT query (the query runs as written, in DuckDB's SQL)"


# The engine's catalog tells where the machine keeps things: the database file's absolute path, the
# spill folder, the project's absolute path (allowed_directories), the home folder, the platform.
@pytest.mark.parametrize("sql, named, at", [
    ("select path as step, 1 as loss from duckdb_databases()", "duckdb_databases()", "duckdb_databases"),
    ("select name as step, value as loss from duckdb_settings()", "duckdb_settings()", "duckdb_settings"),
    ("select 1 as step, current_setting('allowed_directories') as loss", "current_setting()", "current_setting"),
    ("select * from pragma_database_list", "'pragma_database_list'", "pragma_database_list"),
    ("select 1 as step, file as loss from glob('*')", "glob()", "glob"),
    ("select 1 as step, platform as loss from pragma_platform()", "pragma_platform()", "pragma_platform"),
    ("select 1 as step, 2 as loss from information_schema.schemata", "'schemata'", "information_schema"),
    ("select 1 as step, 2 as loss from system.main.duckdb_databases", "'duckdb_databases'", "system.main"),
    ("select 1 as step, version() as loss", "version()", "version"),
    ("select name as step, 1 as loss from pg_settings", "'pg_settings'", "pg_settings"),
    ("select 1 as step, 2 as loss from main.pg_database", "'pg_database'", "main.pg_database"),
    ("select * from query('select path as step, 1 as loss from duckdb_databases()')", "query()", "query("),
    ("select * from metrics where step in (select 1 from duckdb_settings())", "duckdb_settings()", "duckdb_settings"),
    ("with s as (select * from duckdb_databases()) select 1 as step, 2 as loss from s", "duckdb_databases()", "duckdb_databases"),
])
def test_the_engines_catalog_and_settings_are_refused_where_named(project: Path, sql: str, named: str,
                                                                  at: str) -> None:
    [diag] = _error(project, sql).diagnostics
    assert diag.message.startswith("the query is refused: ") and named in diag.message
    assert str(project) not in diag.message and str(project) not in (diag.hint or "")
    # the place of the refused name inside the spec's query
    assert diag.line == 1 and diag.source_line is not None and diag.column is not None
    assert diag.source_line[diag.column - 1:].startswith(at)


def test_a_catalog_view_named_as_a_table_is_refused(project: Path) -> None:
    err = load_error(project / "t.yaml", "data: {connection: wh, table: duckdb_settings}\nx: {field: step}\n"
                                          "layers: [{y: {field: loss}}]\n")
    assert "'duckdb_settings' is the engine's catalog" in err.first.message


def test_pivot_that_runs_a_query_of_its_own_is_refused(project: Path) -> None:
    [diag] = _error(project, "select * from (pivot metrics on step using sum(loss))").diagnostics
    assert "PIVOT without an IN list" in diag.message


@pytest.mark.parametrize("sql", [
    "select step, loss from metrics where step > 1 order by step",
    "with a as (select * from metrics) select a.step, a.loss + r.range as loss from a, range(1) r",
    "select step, avg(loss) over (order by step rows 1 preceding) as loss from metrics",
    "select step, loss from metrics qualify row_number() over (order by step) < 4",
    "select step, loss from (pivot (select step, 'l' as k, loss from metrics) on k in ('l') using sum(loss)) p(step, loss)",
])
def test_plain_queries_still_run(project: Path, sql: str) -> None:
    import chartspec

    spec = project / "ok.yaml"
    spec.write_text(f'data: {{connection: wh, sql: "{sql}"}}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}}}]\n')
    vl = chartspec.to_vegalite(chartspec.load(spec))
    assert vl  # compiled: the query ran


def test_a_table_of_the_files_own_named_like_the_catalog_stays_readable(tmp_path: Path) -> None:
    import chartspec

    (tmp_path / "chartspec.toml").write_text('[connections.wh]\nbackend = "duckdb"\npath = "m.duckdb"\n')
    con = duckdb.connect(str(tmp_path / "m.duckdb"))
    con.execute("CREATE TABLE duckdb_runs AS SELECT range AS step, range * 0.5 AS loss FROM range(5)")
    con.execute("CREATE TABLE pg_settings AS SELECT range AS step, range * 2.0 AS loss FROM range(3)")
    con.close()
    for table, rows in (("duckdb_runs", 5), ("pg_settings", 3)):
        spec = tmp_path / f"{table}.yaml"
        spec.write_text(f"data: {{connection: wh, table: {table}}}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}}}]\n")
        assert len(chartspec.load(spec).table.rows) == rows
