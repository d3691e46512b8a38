"""A Postgres connection's sql reads the server's tables, not files: as the DuckDB and Spark guards.

Postgres reads files with ``pg_read_file``, ``pg_read_binary_file``, ``pg_ls_dir``, ``pg_stat_file``
(for a superuser or a role in ``pg_read_server_files``: a local development server often runs so),
and a server on this machine may read the project's own files (``.env``). The session is read-only,
which writes nothing but reads all the same; so these are refused by name before the query runs,
at their place, as duckguard.py refuses DuckDB's file readers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import load_error
from pgserver import PASSWORD
from remotes import connections


@pytest.fixture(scope="module")
def project(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pgfiles")
    with postgres.connect() as con:
        con.execute("CREATE TABLE IF NOT EXISTS files_m AS SELECT i AS step, i * 0.5 AS loss "
                    "FROM generate_series(0, 4) AS i")
    (root / "chartspec.toml").write_text(connections(duckdb=None, postgres=postgres.port))
    return root


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CS_PGPASSWORD", PASSWORD)


@pytest.mark.parametrize("sql, name", [
    ("select 1 as step, length(pg_read_file('postgresql.conf')) as loss", "pg_read_file"),
    ("select 1 as step, length(pg_catalog.pg_read_binary_file('PG_VERSION')) as loss", "pg_read_binary_file"),
    ("select 1 as step, count(*) as loss from pg_ls_dir('.')", "pg_ls_dir"),
    ("select 1 as step, (pg_stat_file('PG_VERSION')).size as loss", "pg_stat_file"),
    ("select step, loss from files_m where step < (select length(PG_READ_FILE('PG_VERSION')))", "pg_read_file"),
])
def test_reading_the_servers_files_is_refused_where_named(project: Path, sql: str, name: str) -> None:
    err = load_error(project / "q.yaml", f'data: {{connection: db, sql: "{sql}"}}\nx: {{field: step}}\n'
                                         "layers: [{y: {field: loss}}]\n")
    d = err.first
    assert d.message == f"the query is refused: the function {name}() reads the server's files, not its tables"
    assert d.hint == "a chart's sql reads the tables of the connection's database"
    assert d.line == 1 and d.source_line is not None and d.column is not None
    assert d.source_line[d.column - 1:].lower().startswith(name)


def test_a_plain_query_still_runs(project: Path) -> None:
    import chartspec

    spec = project / "ok.yaml"
    spec.write_text('data: {connection: db, sql: "select step, loss from files_m where step > 1"}\n'
                    "x: {field: step}\nlayers: [{y: {field: loss}}]\n")
    assert chartspec.load(spec).table.columns == ("step", "loss")
