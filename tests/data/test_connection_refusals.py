"""A DuckDB connection's query reads that database only; what it may not do is said as such.

Files, URLs and other databases are refused by the engine ("file system operations are disabled"),
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


@pytest.mark.parametrize("sql", ["select * from read_csv('../outside.csv')", "select * from read_text('/etc/hostname')",
                                 "select * from 'https://example.com/x.csv'"])
def test_reading_files_is_refused_with_the_reason(project: Path, sql: str) -> None:
    [diag] = _error(project, sql).diagnostics
    assert diag.line == 1 and "the query failed in 'wh'" in diag.message
    assert diag.hint == ("a query reads the connection's own database only: files, URLs and other "
                         "databases are refused")


def test_several_statements_are_one_query_too_many(project: Path) -> None:
    [diag] = _error(project, "copy metrics to '../pwned.csv'; select * from metrics").diagnostics
    assert not (project.parent / "pwned.csv").exists()
    assert diag.hint == "write one SELECT query (the query runs as written, in DuckDB's SQL)"
