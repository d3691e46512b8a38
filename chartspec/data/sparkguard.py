"""What a spec's Spark SQL may do: read the session's tables, nothing of the machine it runs on.

A spec is untrusted input, and Spark SQL reaches far beyond its tables: ``${env:PGPASSWORD}`` is
substituted into the query text by the parser (``spark.sql.variable.substitute``), ``reflect`` /
``java_method`` call any static Java method (``System.getenv``), ``parquet.`/etc/...``` and
``read_files`` read any file, and commands (``SET``, ``ADD JAR``, ``CREATE TABLE ... OPTIONS (path
...)``) change the session or load code. So the session runs with substitution and SQL on files
off (:data:`SESSION_CONF`), and a query is parsed by Spark's own parser and refused, before it runs,
when it is a command or calls a function or table function that reaches outside (a walk over the
unresolved plan and its expressions, CTEs and subqueries included).
"""

from __future__ import annotations

from typing import Any

__all__ = ["SESSION_CONF", "analysed_refusal", "refusal"]

#: set on every session a connection uses (runtime SQL settings, so a session made elsewhere too)
SESSION_CONF = {"spark.sql.variable.substitute": "false", "spark.sql.runSQLOnFiles": "false"}
#: functions that call Java or parse documents able to name files (XML external entities), or tell
#: the machine: the absolute path of the file a row came from, the user the session runs as, versions
_FUNCTIONS = frozenset({"reflect", "java_method", "try_reflect", "xpath", "xpath_boolean", "xpath_double",
                        "xpath_float", "xpath_int", "xpath_long", "xpath_number", "xpath_short", "xpath_string",
                        "from_xml", "schema_of_xml", "to_xml", "input_file_name", "input_file_block_start",
                        "input_file_block_length", "current_user", "session_user", "user", "version"})
#: table functions that only make rows (read_files and the like are refused)
_TABLE_FUNCTIONS = frozenset({"range", "explode", "explode_outer", "inline", "inline_outer", "posexplode",
                              "posexplode_outer", "stack", "json_tuple"})
_PLANS = "org.apache.spark.sql.catalyst"
#: resolved expressions telling the machine (``user`` and ``current_user`` without parentheses parse
#: as a column's name and become one of these only in analysis, unless a column has that name)
_MACHINE = {"CurrentUser": "current_user", "InputFileName": "input_file_name",
            "InputFileBlockStart": "input_file_block_start", "InputFileBlockLength": "input_file_block_length",
            "SparkVersion": "version"}
#: expressions holding a query of their own
_SUBQUERIES = frozenset({"ScalarSubquery", "Exists", "ListQuery", "LateralSubquery"})


def refusal(session: Any, query: str) -> str | None:
    """Why ``query`` may not run in ``session`` (a SparkSession), or None. A query Spark cannot
    parse is left to ``session.sql``, whose error says where."""
    jvm = session._jvm
    try:
        plan = session._jsparkSession.sessionState().sqlParser().parsePlan(query)
    except Exception:  # noqa: BLE001 - the parse error is session.sql's to report, with its position
        return None
    command = jvm.java.lang.Class.forName(f"{_PLANS}.plans.logical.Command")
    if command.isInstance(plan):
        return f"the statement is a command ({plan.getClass().getSimpleName()}), not a query: a chart's sql only reads"
    return _walk(plan, set())


def analysed_refusal(frame: Any) -> str | None:
    """Why the analysed query of ``frame`` (a DataFrame from :func:`refusal`'s query) may not run, or None."""
    return _walk(frame._jdf.queryExecution().analyzed(), set())


def _walk(node: Any, seen: set[int]) -> str | None:
    """The first refused function or table function in ``node`` (a plan or an expression) and below."""
    key = node.hashCode()
    if key in seen:
        return None
    seen.add(key)
    kind = node.getClass().getSimpleName()
    if kind == "UnresolvedFunction":
        name = _last(node.nameParts())
        if name in _FUNCTIONS:
            return f"the function {name}() reaches outside the connection's tables"
    elif kind == "UnresolvedTableValuedFunction":
        name = _last(node.name())
        if name not in _TABLE_FUNCTIONS:
            return f"the table function {name}() reaches outside the connection's tables"
    elif kind in _MACHINE:
        return f"{_MACHINE[kind]} tells about the machine Spark runs on, not the connection's tables"
    for seq in (node.children(), node.innerChildren()):
        for child in _items(seq):
            if (found := _walk(child, seen)) is not None:
                return found
    if node.getClass().getName().startswith(f"{_PLANS}.plans"):
        for expr in _items(node.expressions()):
            if (found := _walk(expr, seen)) is not None:
                return found
    if kind in _SUBQUERIES and (found := _walk(node.plan(), seen)) is not None:
        return found
    return None


def _items(seq: Any) -> list[Any]:
    """A Scala Seq's items (py4j); tuples (a CTE's name and plan) give their plan."""
    out = []
    for i in range(seq.size()):
        item = seq.apply(i)
        out.append(item._2() if item.getClass().getSimpleName().startswith("Tuple") else item)
    return out


def _last(parts: Any) -> str:
    return str(parts.apply(parts.size() - 1)).lower()
