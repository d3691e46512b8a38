"""What a spec's Postgres SQL may do: read the server's tables, not its files (as duckguard.py for DuckDB).

Postgres reads any file its server may open with ``pg_read_file``, ``pg_read_binary_file``,
``pg_stat_file`` and ``pg_ls_dir`` (and the other ``pg_ls_*``), for a superuser or a role in
``pg_read_server_files``: a local development server often runs so, and on this machine it may read
the project's own files (``.env``). ``lo_import``/``lo_export`` move files in and out, adminpack's
``pg_file_*`` write them, ``dblink`` reaches other servers. A read-only session refuses writes
to tables, not these. So the query is parsed (sqlglot, the parser Ibis reads it with anyway) and
refused, at the function's place, before Postgres sees it. The role's rights stay the real wall:
connect as one that may only read the chart's tables (docs/databases.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DataError

if TYPE_CHECKING:
    from ..spec.model import DataSource
    from ..spec.source import SourceMap

__all__ = ["check_query"]

#: functions that read, list or write the server's files (pg_ls_* is matched as a prefix)
_FILES = frozenset({"pg_read_file", "pg_read_binary_file", "pg_stat_file", "pg_current_logfile", "lo_import",
                    "lo_export", "pg_file_write", "pg_file_read", "pg_file_rename", "pg_file_unlink", "pg_file_sync",
                    "pg_logdir_ls"})
_HINT = "a chart's sql reads the tables of the connection's database"


def _refused(name: str) -> str | None:
    if name in _FILES or name.startswith("pg_ls_"):
        return f"the function {name}() reads the server's files, not its tables"
    if name.startswith("dblink"):
        return f"the function {name}() reaches another server, not the connection's tables"
    return None


def check_query(query: str, source: DataSource, smap: SourceMap) -> None:
    """Raise a :class:`DataError` at the first function of ``query`` that reaches the server's files.
    A query sqlglot cannot parse is left to Postgres (its error says where; Ibis refuses it next)."""
    import sqlglot
    from sqlglot import exp

    from .connections import at_query_place, query_path

    try:
        trees = sqlglot.parse(query, read="postgres")
    except sqlglot.errors.SqlglotError:
        return
    for tree in trees:
        for node in tree.find_all(exp.Func) if tree is not None else ():
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if (why := _refused(name)) is None:
                continue
            error = DataError(smap.diagnostic(f"the query is refused: {why}", query_path(source), hint=_HINT))
            at = node.meta.get("start")
            if isinstance(at, int) and source.sql is not None:
                line = query[:at].count("\n") + 1
                error = at_query_place(error, query, line, at - (query.rfind("\n", 0, at) + 1), smap)
            raise error
