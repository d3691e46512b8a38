"""Reading ``data: {connection: NAME, table: ... | sql: ...}``: the backend's relation, or its handle.

A DuckDB file becomes the engine's own relation (engine.py): the reduction and everything before
it run there, on the file, as for a large CSV. A Spark or Postgres table stays where it is as a
handle (``Table.remote``) until the reduction knows the chart's pixels (spark.py, postgres.py).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from ..errors import DataError, JsonPath, hide_paths
from ..spec.model import DataSource
from ..spec.source import SourceMap
from .connections import Connection, Fetched, at_query_place, find_connection, query_of, query_path, redact, utc_now
from .table import Table

__all__ = ["read_connection"]


def read_connection(source: DataSource, spec_file: Path, root: Path, smap: SourceMap) -> Table:
    conn = find_connection(source, spec_file, root, smap)
    if conn.backend == "duckdb":
        return _duckdb_table(conn, source, root, smap)
    if conn.backend == "postgres":
        from .postgres import postgres_table

        # the server's tables are not files here: `refresh` in the config, or --refresh
        table = postgres_table(conn, source, smap)
        return replace(table, files=_config(conn), fetched=(_fetched(conn, ()),))
    from .spark import spark_table

    table = spark_table(conn, source, smap)
    # the settings and the Parquet files a local session reads are inputs (keyed by size and
    # time); a cluster's own tables are not files here: `refresh` in the config, or --refresh
    tables = [(conn.base / str(p)).resolve() for p in dict(conn.options.get("tables", {})).values()]
    local = tuple(p for p in tables if p.is_relative_to(root.resolve()))
    return replace(table, files=(*_config(conn), *local), fetched=(_fetched(conn, local),))


def _duckdb_table(conn: Connection, source: DataSource, root: Path, smap: SourceMap) -> Table:
    from .duckguard import refusal
    from .engine import Relation, connect_file, new_name, typed_exprs

    raw = str(conn.options["path"])
    path = (conn.base / raw).resolve()

    def fail(message: str, hint: str, where: JsonPath = source.json_path) -> DataError:
        return DataError(smap.diagnostic(hide_paths(redact(message, conn), root), where, hint=hint))

    if not path.is_relative_to(root.resolve()):
        raise fail(f"connection {conn.name!r}: {raw!r} is outside the project ({conn.config})",
                   "keep the DuckDB file inside the project folder")
    if not path.is_file():
        raise fail(f"connection {conn.name!r}: the DuckDB file {raw!r} is not there ({conn.config})",
                   "check path in the connection's table of chartspec.toml, relative to that file")
    try:
        con = connect_file(path)
    except Exception as err:  # duckdb.IOException and kin: not a database, locked by a writer
        first = str(err).split("\n", 1)[0]
        raise fail(f"connection {conn.name!r}: cannot open {raw!r} read-only: {first}",
                   "is it a DuckDB database, and is no other process writing to it?") from None
    query = query_of(source)
    if (refused := refusal(con, query)) is not None:  # before it runs: what it may read (duckguard.py)
        error = fail(f"the query is refused: {refused.message}", refused.hint, query_path(source))
        if refused.offset is not None and source.sql is not None:
            line = query[:refused.offset].count("\n") + 1
            error = at_query_place(error, query, line, refused.offset - (query.rfind("\n", 0, refused.offset) + 1),
                                   smap)
        raise error
    name = new_name()
    try:
        cols = [(c, t) for c, t, *_ in con.execute(f"{_DESCRIBE}{query})").fetchall()]
        numeric: set[str] = set()
        integer: set[str] = set()
        exprs = typed_exprs(cols, numeric, integer)
        # the result in the engine's memory (spilling to disk), numbered in the order the query gives
        con.execute(f"CREATE TEMP TABLE {name}_data AS SELECT {', '.join(exprs)} FROM ({query})")
    except Exception as err:
        if type(err).__module__.split(".")[0] not in ("duckdb", "_duckdb"):
            raise
        first = " ".join(str(err).split("\n", 2)[:2]).strip()
        error = fail(f"the query failed in {conn.name!r}: {first}", _query_hint(first, query), query_path(source))
        raise _at_caret(error, str(err), source, smap) from None
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT rowid AS __row, * FROM {name}_data")
    count = con.execute(f"SELECT count(*) FROM {name}_data").fetchall()[0][0]
    columns = tuple(c for c, _ in cols)
    rel = Relation(con, name, count, columns, frozenset(numeric), frozenset(integer))
    shown = f"{conn.name}: {source.table or 'sql'}"
    # the file is an input of the incremental build (by size and time): new data rebuilds the chart
    return Table(name=shown, columns=columns, rows=(), files=(path, *_config(conn)), relation=rel,
                 fetched=(_fetched(conn, (path,)),))


def _fetched(conn: Connection, files: tuple[Path, ...]) -> Fetched:
    assert conn.config_path is not None
    return Fetched(conn.name, conn.config_path.resolve(), utc_now(), files)


def _config(conn: Connection) -> tuple[Path, ...]:
    return (conn.config_path,) if conn.config_path is not None else ()


def _at_caret(error: DataError, message: str, source: DataSource, smap: SourceMap) -> DataError:
    """``error`` moved to the place DuckDB marks (``LINE n: ...`` over a ``^`` line) inside the
    spec's ``sql``, when that query line is written verbatim in the spec; else left at the string."""
    found = _CARET.search(message)
    if found is None or source.sql is None:
        return error
    number, shown = int(found[1]), found[2]
    caret = len(found[3]) - len(f"LINE {number}: ")  # the caret line is indented under the shown text
    query = query_of(source)
    executed = f"{_DESCRIBE}{query})".split("\n")
    if not 1 <= number <= len(executed) or executed[number - 1] != shown:
        return error  # DuckDB shortened the line: no sure column
    # the query's own text on that line, and the caret's column within it
    return at_query_place(error, query, number, caret - (len(_DESCRIBE) if number == 1 else 0), smap)


#: how a query is first run (to learn its columns); the prefix shifts DuckDB's columns on line 1
_DESCRIBE = "DESCRIBE SELECT * FROM ("
_CARET = re.compile(r"\nLINE (\d+): (.*)\n( *)\^")


def _query_hint(message: str, query: str) -> str:
    """What to do about a failed query: a refused file is no typo, nor is a second statement."""
    if message.startswith("Permission Error"):  # the engine runs with outside access off
        return "a query reads the connection's own database only: files, URLs and other databases are refused"
    if ";" in query.strip().rstrip(";"):
        return "write one SELECT query (the query runs as written, in DuckDB's SQL)"
    if message.startswith("Parser Error"):
        return "check the SQL syntax at the marked place (the query runs as written, in DuckDB's SQL)"
    return "check the table and column names (the query runs as written, in DuckDB's SQL)"
