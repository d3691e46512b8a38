"""Mixed operands give JavaScript's answer in every evaluator: Vega, Python, DuckDB, Ibis, Spark.

One table of filters over four rows with a number column ``a`` holding ``null``, a number column
``b``, a text column ``t`` holding ``null`` and ``''``, and a column ``m`` that is ``undefined``
in one row (what Vega's aggregate gives for the mean of no valid value; the engines hold it as
NULL in a ``"number|undefined"`` column). Each case is the rows JavaScript keeps, written by hand
from ECMAScript's rules and checked against Vega itself (vl-convert). Every translator must keep
those rows or decline (None / Unsupported), never keep others: a wrong answer is a wrong chart.
The cases come from the breaker's faults: a number never ``===`` text (F2), ``'' == 0`` (F3),
``'0x3' == 3`` (F4), ``undefined`` in arithmetic is NaN, not 0 (F1).
"""

from __future__ import annotations

import re
from typing import Any

import duckdb
import pytest

from chartspec.data.jsvalues import truthy
from chartspec.data.vegaexpr import compile_expression
from chartspec.data.vegaparse import parse
from chartspec.data.vegasql import to_sql

ROWS: list[dict[str, Any]] = [
    {"i": 0, "a": 3, "b": 3, "t": "3", "m": 2},
    {"i": 1, "a": None, "b": 0, "t": None},  # m: undefined
    {"i": 2, "a": 0, "b": -1, "t": "", "m": 0},
    {"i": 3, "a": 1, "b": 1000, "t": "x", "m": -1},
]
KINDS = {"i": "number", "a": "number", "b": "number", "t": "text", "m": "number|undefined"}
ALL = [0, 1, 2, 3]
#: (filter, the rows JavaScript keeps, whether DuckDB must translate it)
CASES: list[tuple[str, list[int], bool]] = [
    ("datum.b === '3'", [], True), ("datum.b !== '3'", ALL, True), ("datum.b == '3'", [0], True),
    ("datum.b == ''", [1], True), ("datum.b == ' 0 '", [1], True), ("datum.b == '0x3'", [0], True),
    ("datum.b == '0b11'", [0], True), ("datum.b == '-0x3'", [], True), ("datum.b == '1e3'", [3], True),
    ("datum.b == 'abc'", [], True), ("datum.b != 'abc'", ALL, True), ("datum.b == 'Infinity'", [], True),
    ("datum.a == ''", [2], True), ("datum.a == '-0'", [2], True), ("datum.a != ''", [0, 1, 3], True),
    ("datum.b < '2'", [1, 2], True), ("datum.b > ' '", [0, 3], True), ("datum.b - '1' == 2", [0], True),
    ("(datum.b > 0) == '1'", [0, 3], True), ("(datum.b > 0) === '1'", [], True),
    ("'0x10' == 16", ALL, True), ("'' == 0", ALL, True), ("'a' === 'a'", ALL, True), ("'1' === 1", [], True),
    ("datum.a == null", [1], True), ("datum.a === null", [1], True),
    ("datum.t === 3", [], True), ("datum.t !== 3", ALL, True), ("datum.t == null", [1], True),
    ("datum.t === null", [1], True), ("datum.t === datum.a", [1], True), ("datum.t == 'x'", [3], True),
    ("datum.t == ''", [2], True), ("datum.t == 3", [0], False), ("datum.t == datum.b", [0], False),
    ("datum.m == null", [1], True), ("datum.m === null", [], True), ("datum.m == datum.a", [1, 2], True),
    ("datum.m === datum.a", [2], True), ("datum.m == datum.m", ALL, True), ("datum.m", [0, 3], True),
    ("datum.m - 1 < 0 || datum.m - 1 >= 0", [0, 2, 3], True), ("datum.a - 1 < 0 || datum.a - 1 >= 0", ALL, True),
    ("!(datum.m * 0 == 0)", [1], True), ("datum.m + 1 > 0", [0, 2], True), ("isValid(datum.m)", [0, 2, 3], True),
    ("toNumber(datum.m) === null", [1], True), ("datum.m == ''", [2], True), ("-datum.m < 1", [0, 2], True),
    ("(datum.m || 5) > 4", [1, 2], True), ("datum.m > 0 ? datum.m : 7", ALL, True),
]
IDS = [c[0] for c in CASES]


def _vega_keeps(expr: str) -> list[int]:
    import vl_convert as vlc

    rows = [{k: v for k, v in r.items()} for r in ROWS]
    spec = {"data": {"values": rows}, "transform": [{"filter": expr}], "mark": "text",
            "encoding": {"y": {"field": "i", "type": "ordinal"}, "text": {"field": "i", "type": "ordinal"}}}
    svg = vlc.vegalite_to_svg(spec)
    return sorted(int(i) for i in re.findall(r'aria-label="i: (\d+)', svg))


def test_the_table_is_what_vega_computes() -> None:
    wrong = [(expr, kept, got) for expr, kept, _ in CASES if (got := _vega_keeps(expr)) != kept]
    assert not wrong


@pytest.mark.parametrize(("expr", "kept", "must"), CASES, ids=IDS)
def test_python_evaluator(expr: str, kept: list[int], must: bool) -> None:
    fn = compile_expression(expr)
    assert fn is not None
    assert [r["i"] for r in ROWS if truthy(fn(dict(r)))] == kept  # no "m": undefined, as in Vega


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    c.execute("CREATE TABLE t (i DOUBLE, a DOUBLE, b DOUBLE, t VARCHAR, m DOUBLE)")
    c.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [[r["i"], r["a"], r["b"], r["t"], r.get("m")] for r in ROWS])
    return c


@pytest.mark.parametrize(("expr", "kept", "must"), CASES, ids=IDS)
def test_duckdb_sql(con: duckdb.DuckDBPyConnection, expr: str, kept: list[int], must: bool) -> None:
    sql = to_sql(expr, KINDS, context="filter")
    assert (sql is not None) == must
    if sql is not None:
        assert [int(i) for (i,) in con.execute(f"SELECT i FROM t WHERE {sql} ORDER BY i").fetchall()] == kept


@pytest.mark.parametrize(("expr", "kept", "must"), CASES, ids=IDS)
def test_ibis_over_duckdb(con: duckdb.DuckDBPyConnection, expr: str, kept: list[int], must: bool) -> None:
    import ibis

    from chartspec.data.ibisexpr import _truth
    from chartspec.data.jsvalues import Unsupported

    t = ibis.duckdb.from_connection(con).table("t")
    try:
        cond = _truth(t, parse(expr), KINDS)
    except Unsupported:
        return  # declined: the layer takes the path that needs no translation
    assert [int(i) for i in t.filter(cond).order_by("i")["i"].execute()] == kept


def test_spark(spark: Any) -> None:
    from chartspec.data.jsvalues import Unsupported
    from chartspec.data.sparkvalues import spark_truth

    frame = spark.createDataFrame([(float(r["i"]), None if r["a"] is None else float(r["a"]), float(r["b"]), r["t"],
                                    None if r.get("m") is None else float(r["m"])) for r in ROWS],
                                  "i double, a double, b double, t string, m double")
    wrong = []
    for expr, kept, _ in CASES:
        try:
            cond = spark_truth(parse(expr), KINDS)
        except Unsupported:
            continue
        got = sorted(int(row.i) for row in frame.where(cond).select("i").collect())
        if got != kept:
            wrong.append((expr, kept, got))
    assert not wrong
