"""A failed query of a DuckDB connection points at the place DuckDB names inside the spec's SQL
(the column of the offending token, also on the second line of a block scalar), not only at the
start of the string, and a syntax error is not blamed on table and column names."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from conftest import load_error

from chartspec import ChartspecError


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sqlerrors")
    (root / "chartspec.toml").write_text('[connections.db]\nbackend = "duckdb"\npath = "m.duckdb"\n')
    con = duckdb.connect(str(root / "m.duckdb"))
    con.execute("CREATE TABLE runs AS SELECT range AS step, 1.0 / (range + 1) AS loss FROM range(20)")
    con.close()
    return root


def _error(project: Path, data: str) -> ChartspecError:
    return load_error(project / "s.yaml", f"title: q\n{data}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}}}]\n")


def test_syntax_error_points_at_the_token_in_a_quoted_query(project: Path) -> None:
    line = 'data: {connection: db, sql: "select step, loss fro runs"}'
    err = _error(project, line)
    d = err.first
    assert (d.line, d.column) == (2, line.index("runs") + 1)
    assert "syntax error" in d.message
    assert "table and column names" not in (d.hint or "")


def test_binder_error_points_at_the_column_on_a_later_line_of_a_block_query(project: Path) -> None:
    data = "data:\n  connection: db\n  sql: |\n    select step,\n           lossy as loss\n    from runs"
    err = _error(project, data)
    d = err.first
    assert (d.line, d.column) == (6, len("           ") + 1)
    assert "lossy" in d.message and "table and column names" in (d.hint or "")


def test_a_missing_table_keeps_duckdbs_suggestion_at_the_table_name(project: Path) -> None:
    line = "data: {connection: db, table: run}"
    d = _error(project, line).first
    assert (d.line, d.column) == (2, line.index("run}") + 1)
    assert 'Did you mean "runs"' in d.message


def test_a_users_table_named_like_the_engines_own_is_read_as_the_users(tmp_path: Path) -> None:
    """The engine's temporary tables (a large layer's rows) live in the same connection as a
    DuckDB file's tables: named t1, t2, ... they hid a user's table t1 from a later layer's SQL."""
    import chartspec

    (tmp_path / "chartspec.toml").write_text('[connections.w]\nbackend = "duckdb"\npath = "w.duckdb"\n')
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE metrics AS SELECT range AS step, sin(range / 1000.0) AS loss FROM range(100000)")
    con.execute("CREATE TABLE t1 AS SELECT range AS step, 100 + range AS loss FROM range(50)")
    con.close()
    (tmp_path / "a.yaml").write_text(
        "data: {connection: w, table: metrics}\nx: {field: step}\nlayers:\n  - {name: a, y: {field: loss}}\n"
        '  - {name: b, y: {field: loss, axis: right}, data: {connection: w, sql: "select * from t1"}}\n')
    own = chartspec.load(tmp_path / "a.yaml").layer_tables[1]
    assert own is not None and [r["loss"] for r in own.rows] == list(range(100, 150))
