"""What a spec's DuckDB SQL may do: read the connection's tables, nothing about the machine it runs on.

The engine already runs with outside file access off and its configuration locked (engine.py), but
DuckDB answers questions about itself from inside: ``duckdb_databases()`` and ``pragma_database_list``
give the database file's absolute path, ``duckdb_settings()`` and ``current_setting(...)`` the spill
folder, the allowed directories (the project's absolute path) and the home folder, ``glob()`` lists
files, ``pragma_user_agent()`` the platform, and ``query('...')`` runs SQL built from strings, out of
any check. So a query is parsed by DuckDB's own parser (``json_serialize_sql``) before it runs and
refused, with its place, when it is not one SELECT, calls such a function or table function, or reads
a catalog view of the engine (``duckdb_settings``, ``information_schema.*``, ``pg_catalog.*``).
Table functions are allowed by name (they make rows or read files inside the project); scalar
functions are refused by name. Source: DuckDB's documentation, "Securing DuckDB".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

__all__ = ["Refusal", "refusal"]

#: table functions that only make rows, or read files (outside access is off: inside the project only)
_TABLE_FUNCTIONS = frozenset({
    "range", "generate_series", "unnest", "repeat", "repeat_row", "json_each", "json_tree",
    "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "read_json", "read_json_auto", "read_ndjson",
    "read_ndjson_auto", "read_json_objects", "read_json_objects_auto", "read_ndjson_objects", "read_text",
    "read_blob"})
#: scalar functions telling the engine's settings, version or environment
_FUNCTIONS = frozenset({"current_setting", "getenv", "version", "json_execute_serialized_sql", "query",
                        "query_table"})
#: name prefixes of the engine's own catalog functions and views (duckdb_settings, pragma_version...)
_PREFIXES = ("duckdb_", "pragma_")
#: schemas of the engine's catalog views
_CATALOG_SCHEMAS = frozenset({"information_schema", "pg_catalog"})
_HINT = ("a chart's sql reads the connection's tables; the engine's settings, catalog and files are not "
         "its data")
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
    for node in _nodes(tree["statements"]):
        found = _refused(node, own, system)
        if found is not None:
            return Refusal(found, _offset(node, query))
    return None


def _refused(node: dict[str, Any], own: frozenset[str], system: frozenset[str]) -> str | None:
    """Why ``node`` (one node of the parsed query) may not run, or None."""
    kind = node.get("type")
    if kind == "TABLE_FUNCTION":
        name = str(node["function"].get("function_name", "")).lower()
        if name not in _TABLE_FUNCTIONS:
            return f"the table function {name}() reaches outside the connection's tables"
    elif "function_name" in node:  # scalar, aggregate and window functions
        name = str(node["function_name"]).lower()
        if name in _FUNCTIONS or name.startswith(_PREFIXES):
            return f"the function {name}() reaches outside the connection's tables"
    elif kind == "BASE_TABLE":
        catalog, schema = str(node.get("catalog_name", "")).lower(), str(node.get("schema_name", "")).lower()
        name = str(node.get("table_name", ""))
        # unqualified, a name is looked up in the database, then in the engine's catalog (pg_catalog too)
        engines = catalog == "system" or schema in _CATALOG_SCHEMAS or (
            catalog in ("", "temp") and schema in ("", "main") and name.lower() not in own
            and (name.lower() in system or name.lower().startswith(_PREFIXES)))
        if engines:
            return f"{name!r} is the engine's catalog, not a table of the connection"
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
