"""sparkexpr.py's Spark columns give, row by row, what vegasql.py's DuckDB SQL gives.

Spark's M4 picks must be DuckDB's (the SVGs are compared byte for byte), so each operator and
function sparkexpr.py translates runs here on the same few rows in both engines: columns read as
the engine reads them (doubles, NaN and ±Infinity missing), JavaScript's null, NaN made by
arithmetic, both zeros, text with NULLs. What must not be translated is refused. The session's
Spark (conftest.py) runs it: a few small queries, no new JVM.
"""

from __future__ import annotations

import math
from typing import Any

import duckdb
import pytest

from chartspec.data.engine import typed_exprs
from chartspec.data.jsvalues import Unsupported
from chartspec.data.layerfilters import filter_sql
from chartspec.data.sparkexpr import _field_filter, column_kinds
from chartspec.data.sparkvalues import spark_truth as _truth
from chartspec.data.sparkvalues import spark_value as _value
from chartspec.data.vegaparse import parse
from chartspec.data.vegasql import to_sql
from chartspec.spec.transforms import Filter

NUMBERS = [0.0, -0.0, 1.0, -1.0, 2.5, -7.0, 1e308, math.nan, math.inf, -math.inf, None]
TEXTS = ["x", "y", "", None]
#: (a, b, n, t): every a against a few b, integers and texts (44 rows)
ROWS = [(a, NUMBERS[(i * 3 + 1) % len(NUMBERS)], [0, 3, -2, None][i % 4], TEXTS[i % 4]) for i, a in
        enumerate(NUMBERS * 4)]
KINDS = {"a": "number", "b": "number", "n": "number", "t": "text"}

VALUES = [
    "datum.a + datum.b", "datum.a - 1", "datum.a * datum.b", "datum.n * 2.5 - datum.a", "-datum.a", "+datum.n",
    "abs(datum.a)", "abs(datum.a * Infinity)", "null + datum.a", "datum.a * 1e308 * 10 * 0",
    "datum.a > 0 ? datum.a : datum.b", "datum.t === 'x' ? 1 : datum.a", "datum.a || datum.b", "datum.a && datum.n",
    "datum.a ? null : 2", "(datum.a > 0) + datum.b", "true * datum.a", "NaN + datum.a",
    "datum.a - '1'", "datum.n * ' 0x2 '", "-'abc' * datum.a", "datum.a > '0' ? datum.a : datum.b",
]
FILTERS = [
    "datum.a < datum.b", "datum.a <= 1", "datum.a > -1", "datum.a >= datum.n", "datum.a == datum.b",
    "datum.a != datum.b", "datum.a === datum.b", "datum.a !== datum.n", "datum.a === null", "datum.a !== null",
    "null == datum.a", "null === null", "datum.t === 'x'", "datum.t == null", "datum.t !== 'y'", "'y' == datum.t",
    "datum.t != null", "!(datum.a > 0)", "datum.a", "!datum.n", "isNaN(datum.a)", "isNaN(datum.a * 0 * Infinity)",
    "isFinite(datum.a * 1e308)", "isFinite(datum.b)", "isValid(datum.a)", "isValid(datum.t)",
    "isValid(datum.a * Infinity * 0)", "isValid(datum.a > 1)", "datum.a && datum.b > 0",
    "datum.a > 0 || datum.t === 'x'", "datum.a == true", "datum.a === true", "(datum.a > 0) == (datum.b > 0)",
    "datum.a > 0 ? datum.b > 0 : datum.n > 0", "datum.a * Infinity * 0 == datum.a * Infinity * 0",
    "datum.a * 0 < 1", "datum.a - datum.a >= 0", "datum.n < NaN", "datum.a ? datum.b : datum.n",
    "datum.a == ''", "datum.n == '0x3'", "datum.a === '1'", "datum.a !== '1'", "datum.n < '1e0'",
    "(datum.a > 0) == '1'", "datum.t === datum.a", "datum.t !== 3", "datum.b == 'Infinity'",
]
REFUSED = [
    "datum.a / 2", "datum.a % 2", "floor(datum.a)", "ceil(datum.a)", "round(datum.a)", "sqrt(datum.a)",
    "log(datum.a)", "exp(datum.a)", "pow(datum.a, 2)", "min(datum.a, 1)", "max(datum.a, 1)", "clamp(datum.a, 0, 1)",
    "upper(datum.t)", "length(datum.t)", "datum.t + 'x'", "datum.t < 'x'", "datum.t === datum.t", "datum.t",
    "datum.d > 0", "datum.flag", "datum.missing > 0", "datum['a'].b", "isNaN(datum.t)", "abs(datum.a, 1)",
    "datum.a > 0 ? 'x' : 1", "datum.t == 3", "datum.a + '1'", "datum.t == datum.t",
]


@pytest.fixture(scope="module")
def both(spark: Any) -> tuple[duckdb.DuckDBPyConnection, Any]:
    """The rows in DuckDB, read as the engine reads them (typed_exprs), and as a Spark frame."""
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    con = duckdb.connect()
    con.execute("CREATE TABLE raw (i INTEGER, a DOUBLE, b DOUBLE, n BIGINT, t VARCHAR)")
    con.executemany("INSERT INTO raw VALUES (?, ?, ?, ?, ?)", [(i, *r) for i, r in enumerate(ROWS)])
    exprs = typed_exprs([("a", "DOUBLE"), ("b", "DOUBLE"), ("n", "BIGINT"), ("t", "VARCHAR")], set(), set())
    con.execute(f"CREATE TABLE t AS SELECT i, {', '.join(exprs)} FROM raw")
    schema = StructType([StructField("i", LongType()), StructField("a", DoubleType()), StructField("b", DoubleType()),
                         StructField("n", LongType()), StructField("t", StringType())])
    frame = spark.createDataFrame([(i, *r) for i, r in enumerate(ROWS)], schema).coalesce(1).cache()
    return con, frame


def _spark_columns(frame: Any, cols: list[Any]) -> list[list[Any]]:
    """Each column's values in row order: one Spark job for all of them (each job costs ~0.5 s)."""
    rows = sorted(frame.select("i", *(c.alias(f"v{k}") for k, c in enumerate(cols))).collect())
    return [[r[k + 1] for r in rows] for k in range(len(cols))]


def _duckdb_columns(con: duckdb.DuckDBPyConnection, sqls: list[str]) -> list[list[Any]]:
    rows = con.execute(f"SELECT {', '.join(sqls)} FROM t ORDER BY i").fetchall()
    return [[r[k] for r in rows] for k in range(len(sqls))]


def _same(mine: Any, theirs: Any) -> bool:
    if isinstance(mine, float) and isinstance(theirs, float):
        if math.isnan(mine) or math.isnan(theirs):
            return math.isnan(mine) and math.isnan(theirs)
        return mine == theirs and math.copysign(1, mine) == math.copysign(1, theirs)
    return mine == theirs and type(mine) is type(theirs)


def _differences(names: list[str], spark_values: list[list[Any]], duckdb_values: list[list[Any]]) -> list[str]:
    """Per expression, the first rows (a, b, n, t) where Spark and DuckDB differ."""
    found = []
    for name, mine, theirs in zip(names, spark_values, duckdb_values, strict=True):
        wrong = [(ROWS[i], s, d) for i, (s, d) in enumerate(zip(mine, theirs, strict=True)) if not _same(s, d)]
        if wrong:
            found.append(f"{name}: (a, b, n, t), Spark, DuckDB: {wrong[:3]}")
    return found


def test_calculates_give_duckdbs_values(both: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    con, frame = both
    sqls = [to_sql(expr, KINDS) for expr in VALUES]
    assert None not in sqls
    cols = [_value(parse(expr), KINDS).col.cast("double") for expr in VALUES]
    duck = _duckdb_columns(con, [f"CAST(({sql}) AS DOUBLE)" for sql in sqls])
    assert not _differences(VALUES, _spark_columns(frame, cols), duck)


def test_filters_keep_duckdbs_rows(both: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    con, frame = both
    sqls = [to_sql(expr, KINDS, context="filter") for expr in FILTERS]
    assert None not in sqls
    mine = _spark_columns(frame, [_truth(parse(expr), KINDS) for expr in FILTERS])
    assert not [expr for expr, values in zip(FILTERS, mine, strict=True) if None in values]  # never NULL
    assert not _differences(FILTERS, mine, _duckdb_columns(con, sqls))  # type: ignore[arg-type]


@pytest.mark.parametrize("expr", REFUSED)
def test_what_spark_means_otherwise_is_refused(expr: str, spark: Any) -> None:
    # building a refused operand's column needs the session: with it this runs on the Spark worker
    kinds = {**KINDS, "d": "date"}  # column_kinds leaves dates and booleans out: unknown to the translation
    with pytest.raises(Unsupported):
        _truth(parse(expr), kinds)  # as a filter (a calculate's text result is refused by spark_plan)


FIELD_TESTS: list[tuple[str, tuple[tuple[str, Any], ...]]] = [
    *((f, t) for f in ("a", "n") for t in ((("gte", 0),), (("lt", 1), ("gt", -1)), (("lte", -0.0),),
                                            (("equal", 2.5),), (("equal", 1),), (("one_of", [0, 2.5, 1e308]),))),
    ("t", (("equal", "x"),)), ("t", (("one_of", ["x", "", "z"]),)),
]


def test_field_filters_keep_duckdbs_rows(both: tuple[duckdb.DuckDBPyConnection, Any]) -> None:
    con, frame = both
    steps = [(Filter(None, field, tests, ()), KINDS[field] == "text") for field, tests in FIELD_TESTS]
    sqls = [filter_sql(step, {}, text) for step, text in steps]
    cols = [_field_filter(step, text) for step, text in steps]
    assert None not in sqls and not any(col is None for col in cols)  # (a Column's == is a Column)
    duck = _duckdb_columns(con, [f"coalesce({sql}, FALSE)" for sql in sqls])
    assert not _differences([str(t) for t in FIELD_TESTS], _spark_columns(frame, cols), duck)


@pytest.mark.parametrize(("tests", "text"), [
    ((("gt", "x"),), True), ((("equal", 1),), True), ((("equal", "x"),), False), ((("one_of", [1, True]),), False),
])
def test_a_field_filter_spark_would_read_otherwise_is_refused(tests: tuple[tuple[str, Any], ...], text: bool,
                                                              spark: Any) -> None:
    # the translation builds Spark columns, which needs the session (and so runs on its worker)
    assert _field_filter(Filter(None, "a", tests, ()), text) is None


def test_only_number_and_text_columns_are_translated(spark: Any) -> None:
    frame = spark.sql("SELECT 1 AS i, 2.5D AS d, CAST(1 AS DECIMAL(10, 2)) AS m, 'x' AS s, "
                      "TRUE AS flag, current_date() AS day, current_timestamp() AS at")
    assert column_kinds(frame) == {"i": "number", "d": "number", "m": "number", "s": "text"}
