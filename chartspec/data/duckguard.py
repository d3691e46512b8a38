"""What a spec's DuckDB SQL may do: read the connection's tables, nothing about the machine it runs on.

The engine already runs with outside file access off and its configuration locked (engine.py), but
DuckDB answers questions about itself from inside: ``duckdb_databases()`` and ``pragma_database_list``
give the database file's absolute path, ``duckdb_settings()`` and ``current_setting(...)`` the spill
folder, the allowed directories (the project's absolute path) and the home folder, ``glob()`` lists
files, ``pragma_user_agent()`` the platform, and ``query('...')`` runs SQL built from strings, out of
any check. So a query is parsed by DuckDB's own parser (``json_serialize_sql``) before it runs and
refused, with its place, when it is not one SELECT, calls such a function or table function, or reads
a catalog view of the engine (``duckdb_settings``, ``information_schema.*``, ``pg_catalog.*``).
Table functions are allowed by name (they make rows); scalar functions are refused by name.

Files are not the connection's data either, even inside the project: ``read_csv('data/a.csv')``,
``read_text('.env')``, ``read_blob('m.duckdb')`` (the database file itself, which the engine may
always open) and a replacement scan (``FROM 'data/a.csv'``, a table name DuckDB reads as a file)
would put any file's content into a chart, and the build would not know the chart depends on it
(it stays "up to date" when the file changes). They are refused by name here, with their place;
the engine also runs with no directory allowed (engine.py), so what is missed still fails.
Source: DuckDB's documentation, "Securing DuckDB".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

__all__ = ["Refusal", "refusal"]

#: table functions that only make rows
_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree"})
#: what a table function name that reads files starts or ends with (read_csv, parquet_scan, sniff_csv...)
_FILE_READERS = ("read_", "_scan", "sniff_", "parquet_", "iceberg_", "delta_")
#: scalar functions telling the engine's settings, version or environment
_FUNCTIONS = frozenset({"current_setting", "getenv", "version", "json_execute_serialized_sql", "query",
                        "query_table"})
#: name prefixes of the engine's own catalog functions and views (duckdb_settings, pragma_version...)
_PREFIXES = ("duckdb_", "pragma_")
#: schemas of the engine's catalog views
_CATALOG_SCHEMAS = frozenset({"information_schema", "pg_catalog"})
_HINT = ("a chart's sql reads the connection's tables; the engine's settings, catalog and files are not "
         "its data")
_FILE_HINT = ("a chart's sql reads the tables of the connection's database: chart a file with data: "
              "path/to/file, or load it into the database as a table")
#: a table name that is a path or a file name: DuckDB reads it as a file (a replacement scan)
_PATHLIKE = re.compile(r"[./\\:]")
#: DuckDB's "no place" (an unsigned -1)
_NOWHERE = 2**64 - 1


@dataclass(frozen=True)
class Refusal:
    """Why a query may not run, the character offset in the query it points at, and a hint."""

    message: str
    offset: int | None
    hint: str = _HINT


def refusal(con: duckdb.DuckDBPyConnection, query: str) -> Refusal | None:
    """Why ``query`` may not run on ``con``, or None. A query DuckDB cannot parse is left to the
    engine, whose error says where."""
    try:
        statements = con.extract_statements(query)
    except Exception:  # noqa: BLE001 - a syntax error: the engine reports it with its position
        return None
    if len(statements) != 1:
        return Refusal("the sql holds several statements", None,
                       "write one SELECT query (the query runs as written, in DuckDB's SQL)")
    kind = str(statements[0].type).rsplit(".", 1)[-1]
    if kind == "MULTI":  # a PIVOT without its IN list first runs a query of its own, out of this check
        return Refusal("a PIVOT without an IN list cannot be checked before it runs", None,
                       "name the PIVOT's columns: PIVOT t ON c IN (...) USING ...")
    if kind != "SELECT":
        return Refusal(f"the statement is {kind.lower()}, not a query: a chart's sql only reads", None,
                       "write one SELECT query")
    tree = json.loads(con.execute("SELECT json_serialize_sql(?)", [query]).fetchone()[0])
    if tree.get("error"):
        return Refusal("the query cannot be checked before it runs: "
                       f"{str(tree.get('error_message', ''))[:200]}", None, "write one plain SELECT query")
    # the engine's names an unqualified one may reach (its search path: main and pg_catalog)
    own = _names(con, "database_name = current_database()")
    system = _names(con, "database_name = 'system' AND schema_name <> 'information_schema'")
    # a CTE's name is a table of the query's own, whatever it looks like
    ctes = frozenset(str(c.get("key", "")).lower() for n in _nodes(tree["statements"])
                     for c in (n.get("cte_map") or {}).get("map", []) if isinstance(c, dict))
    for node in _nodes(tree["statements"]):
        found = _refused(node, own | ctes, system)
        if found is not None:
            return Refusal(found[0], _offset(node, query), found[1])
    return None


def _refused(node: dict[str, Any], own: frozenset[str], system: frozenset[str]) -> tuple[str, str] | None:
    """Why ``node`` (one node of the parsed query) may not run (and a hint of its own), or None."""
    kind = node.get("type")
    if kind == "TABLE_FUNCTION":
        name = str(node["function"].get("function_name", "")).lower()
        if name.startswith(_FILE_READERS) or name.endswith(_FILE_READERS):
            return f"the table function {name}() reads files, not the connection's tables", _FILE_HINT
        if name not in _TABLE_FUNCTIONS:
            return f"the table function {name}() reaches outside the connection's tables", _HINT
    elif "function_name" in node:  # scalar, aggregate and window functions
        name = str(node["function_name"]).lower()
        if name in _FUNCTIONS or name.startswith(_PREFIXES):
            return f"the function {name}() reaches outside the connection's tables", _HINT
    elif kind == "BASE_TABLE":
        catalog, schema = str(node.get("catalog_name", "")).lower(), str(node.get("schema_name", "")).lower()
        name = str(node.get("table_name", ""))
        if name.lower() not in own and _PATHLIKE.search(name):  # no such table: DuckDB would read the file
            return f"{name!r} is a file, not a table of the connection", _FILE_HINT
        # unqualified, a name is looked up in the database, then in the engine's catalog (pg_catalog too)
        engines = catalog == "system" or schema in _CATALOG_SCHEMAS or (
            catalog in ("", "temp") and schema in ("", "main") and name.lower() not in own
            and (name.lower() in system or name.lower().startswith(_PREFIXES)))
        if engines:
            return f"{name!r} is the engine's catalog, not a table of the connection", _HINT
    return None


def _names(con: duckdb.DuckDBPyConnection, where: str) -> frozenset[str]:
    """The lowercased names of the tables and views ``where`` (an SQL condition) selects: the file's
    own (they shadow the engine's), or the engine's catalog (duckdb_*, sqlite_*, pg_*)."""
    rows = con.execute(f"SELECT table_name FROM duckdb_tables() WHERE {where} "
                       f"UNION ALL SELECT view_name FROM duckdb_views() WHERE {where}").fetchall()
    return frozenset(str(r[0]).lower() for r in rows)


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in the parsed query, parents before children (so a table function is named
    before the function node inside it)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _offset(node: dict[str, Any], query: str) -> int | None:
    """The character offset DuckDB gives for ``node`` (its byte offset in UTF-8), or None."""
    at = node.get("query_location")
    if not isinstance(at, int) or at == _NOWHERE:
        return None
    return len(query.encode()[:at].decode(errors="ignore"))
