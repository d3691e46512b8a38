"""The engine's SQL for a Vega expression gives, row by row, what chartspec's Python evaluator gives.

vegaexpr.py is checked against Vega itself (test_vegaexpr.py); here vegasql.py is checked against
vegaexpr.py on random expressions and rows (NULLs, zeros of both signs, halves, huge and tiny
numbers, NaN and infinities). How results are compared, value context: a JS number equals the
engine's DOUBLE (NaN equals NaN, the sign of a zero counts), ``null`` and ``undefined`` are NULL,
``true``/``false`` BOOLEAN; filter context: the JS value's truthiness equals the engine's BOOLEAN,
which is never NULL. Then hostile names and literals, and what is refused.
"""

from __future__ import annotations

import json
import math
from typing import Any

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st
from vega_grammar import expressions as vega_expressions

from chartspec.data.engine import connect, quote
from chartspec.data.jsvalues import UNDEFINED, is_number, truthy
from chartspec.data.vegaexpr import compile_expression
from chartspec.data.vegasql import MAX_SQL, to_sql

COLUMNS = {"a": "number", "b": "number", "c": "number"}
NUMBERS = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.5, -2.5, 3.7, -7.0, 1e308, -1e308, 5e-324, 1e-7, 0.49999999999999994,
           4503599627370497.0, 100.0, math.nan, math.inf, -math.inf]
INTEGERS = [0, 1, -3, 2**53 + 1, -(2**60)]  # column c is BIGINT in the engine, as integer CSV columns are
FIELDS = ["datum.a", "datum.b", "datum['c']", 'datum["a"]']
LITERALS = ["0", "1", "2.5", "0.5", "3", "1e308", "null", "true", "false", "PI", "E", "NaN", "Infinity"]
UNARY_FN = ["abs", "floor", "ceil", "round", "sqrt", "exp", "log", "isValid", "isFinite", "isNaN", "isNumber",
            "toNumber"]


def expressions() -> st.SearchStrategy[str]:
    return vega_expressions(FIELDS + LITERALS, UNARY_FN, ["pow", "min", "max"])


ROW = st.fixed_dictionaries({"a": st.sampled_from([None, *NUMBERS]), "b": st.sampled_from([None, *NUMBERS]),
                             "c": st.sampled_from([None, *INTEGERS])})


#: one in-memory DuckDB for the module: a new connection costs ~15 ms, a third of a random example's time
_ENGINE: list[duckdb.DuckDBPyConnection] = []


def engine_table(rows: list[dict[str, Any]]) -> duckdb.DuckDBPyConnection:
    """The module's DuckDB with table ``t`` holding ``rows`` (and only them)."""
    if not _ENGINE:
        _ENGINE.append(duckdb.connect())
    con = _ENGINE[0]
    con.execute("CREATE OR REPLACE TABLE t (i INTEGER, a DOUBLE, b DOUBLE, c BIGINT)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [(i, r["a"], r["b"], r["c"]) for i, r in enumerate(rows)])
    return con


def same_value(mine: Any, engine: Any) -> bool:
    if mine is None or mine is UNDEFINED:
        return engine is None
    if isinstance(mine, bool):
        return engine is mine
    if is_number(mine) and isinstance(engine, float):
        mine = float(mine)  # an integer column's value, as JavaScript reads it (2**53 + 1 -> 2**53)
        if math.isnan(mine) or math.isnan(engine):
            return math.isnan(mine) and math.isnan(engine)
        return mine == engine and math.copysign(1, mine) == math.copysign(1, engine)
    return False


def engine_results(con: duckdb.DuckDBPyConnection, sqls: list[str]) -> list[tuple[Any, ...]]:
    select = ", ".join(f"({sql}) AS e{k}" for k, sql in enumerate(sqls)) or "NULL"
    return con.execute(f"SELECT {select} FROM t ORDER BY i").fetchall()


@settings(max_examples=150, deadline=None)
@given(st.lists(expressions(), min_size=1, max_size=12), st.lists(ROW, min_size=1, max_size=8))
def test_engine_and_python_agree_on_random_expressions(exprs: list[str], rows: list[dict[str, Any]]) -> None:
    con = engine_table(rows)
    fns = [compile_expression(e) for e in exprs]
    assert all(fn is not None for fn in fns)
    filters = [to_sql(e, COLUMNS, context="filter") for e in exprs]
    values = [to_sql(e, COLUMNS) for e in exprs]
    kept = [(e, fn, s) for e, fn, s in zip(exprs, fns, filters) if s is not None]  # None: too long (MAX_SQL)
    translated = [(e, fn, s) for e, fn, s in zip(exprs, fns, values) if s is not None]
    # both contexts in one query (each costs the engine ~15 ms to plan): the filters' columns first
    for k, found in enumerate(engine_results(con, [s for *_, s in kept + translated]) if kept + translated else ()):
        for (e, fn, _), got in zip(kept, found[:len(kept)], strict=True):
            assert got is truthy(fn(rows[k])), (e, rows[k], got)  # type: ignore[misc]
        for (e, fn, _), got in zip(translated, found[len(kept):], strict=True):
            assert same_value(fn(rows[k]), got), (e, rows[k], fn(rows[k]), got)  # type: ignore[misc]


def test_the_engine_divides_by_zero_as_javascript_does() -> None:
    # vegasql relies on DuckDB's IEEE 754 arithmetic (x / 0 is Infinity, not NULL or an error)
    con = connect(None)
    assert con.execute("SELECT current_setting('ieee_floating_point_ops')").fetchone() == (True,)


KNOWN = {  # expression -> the value on the row a = NULL, b = -0.4, c = 3 (JavaScript's, checked in Vega)
    "datum.a + 1": 1.0, "datum.a * 2": 0.0, "datum.a / 0": math.nan, "datum.c / 0": math.inf,
    "-datum.c / 0": -math.inf, "datum.a == null": True, "datum.a === 0": False, "datum.a < 1": True,
    "round(-2.5)": -2.0, "round(2.5)": 3.0, "1 / round(datum.b)": -math.inf, "round(0.49999999999999994)": 0.0,
    "5.5 % -2": 1.5, "-4 % 2": -0.0, "1 / max(-0, 0)": math.inf, "1 / min(0, -0)": -math.inf,
    "pow(1, 1 / 0)": math.nan, "log(datum.a)": -math.inf, "isValid(datum.a)": False, "NaN == NaN": False,
    "datum.c > 2 ? datum.c : null": 3.0, "datum.b && datum.c": 3.0, "datum.a || datum.b": -0.4,
    "clamp(datum.c, 0, 1)": 1.0, "true + 1": 2.0, "datum.c == true": False, "isFinite(datum.a)": False,
}


def test_known_values() -> None:
    con = engine_table([{"a": None, "b": -0.4, "c": 3}])
    sqls = [to_sql(e, COLUMNS) for e in KNOWN]
    assert None not in sqls
    (found,) = engine_results(con, sqls)  # type: ignore[arg-type]
    for (expr, expected), got in zip(KNOWN.items(), found):
        assert same_value(expected, got), (expr, got)
        assert same_value(compile_expression(expr)({"a": None, "b": -0.4, "c": 3}), got), expr  # type: ignore[misc]


HOSTILE = ["'); DROP TABLE t; --", 'a"b', "x'y", "\"; DROP TABLE t; --", "a\\'b", "é ü", "' OR 1=1 --", ""]


def test_hostile_names_and_literals_stay_one_quoted_expression() -> None:
    con = duckdb.connect()
    names = [f"n{k}{h}" for k, h in enumerate(HOSTILE)]
    con.execute(f"CREATE TABLE t (i INTEGER, s VARCHAR, {', '.join(f'{quote(n)} DOUBLE' for n in names)})")
    rows = [{"s": text, **{n: float(k + j) for j, n in enumerate(names)}} for k, text in enumerate([*HOSTILE, None])]
    con.executemany(f"INSERT INTO t VALUES ({', '.join('?' * (len(names) + 2))})",
                    [[i, row["s"], *(row[n] for n in names)] for i, row in enumerate(rows)])
    columns = {"s": "text", **{n: "number" for n in names}}
    exprs = [f"datum.s == {json.dumps(h)}" for h in HOSTILE] + [f"datum.s !== {json.dumps(h)}" for h in HOSTILE]
    exprs += [f"datum[{json.dumps(n)}] * 2 > 3 || datum.s === {json.dumps(n)}" for n in names]
    for expr in exprs:
        sql = to_sql(expr, columns, context="filter")
        assert sql is not None, expr
        query = f"SELECT ({sql}) FROM t ORDER BY i"
        assert len(con.extract_statements(query)) == 1
        fn = compile_expression(expr)
        assert fn is not None
        assert [r[0] for r in con.execute(query).fetchall()] == [truthy(fn(row)) for row in rows], expr
        assert con.execute("SELECT count(*) FROM t").fetchone() == (len(rows),)


REFUSED = [
    "/a/.test(datum.s)", "regexp('a')", "test(regexp('a'), datum.s)", "foo(datum.a)", "sin(datum.a)",
    "datum.s + 'x'", "datum.s + 1", "datum.s * 2", "datum.s < 'b'", "upper(datum.s) == 'A'", "datum.s == datum.t",
    "datum.s == 1", "datum.s != datum.a", "length(datum.s)", "datum.missing > 1", "datum", "datum.a.b", "[1, 2]", "datum[datum.a]",
    "datum.a +", "a = 1", "datum.s", "'text'", "datum.a > 0 || datum.b", "datum.a ? true : 1", "toString(datum.a)",
    "utcyear(datum.a)", "abs(datum.a, 1)", "datum[0]",
    "round(" * 12 + "datum.a" + ")" * 12,
]


def test_what_cannot_be_translated_exactly_is_refused() -> None:
    columns = {"a": "number", "b": "number", "s": "text", "t": "text"}
    for expr in REFUSED:
        assert to_sql(expr, columns) is None, expr
    for expr in ("datum.s", "datum.s || datum.a", "datum.s + 1 > 2", "datum.missing", "!datum.t"):
        assert to_sql(expr, columns, context="filter") is None, expr  # truthiness of text: refused too
    # in a filter only the truthiness of && and || operands counts, so mixed kinds are fine there
    assert to_sql("datum.a > 0 || datum.b", columns, context="filter") is not None
    assert to_sql("isValid(datum.s) && datum.s != 'x'", columns, context="filter") is not None
    assert len(to_sql("round(round(round(datum.a)))", columns) or "") <= MAX_SQL


def test_public_api() -> None:
    from chartspec.data import vegaexpr, vegaparse, vegasql

    assert vegasql.__all__ == ["MAX_SQL", "Column", "series_sql", "to_sql", "value_sql"]
    assert vegaexpr.__all__ == ["CutCharacter", "Fn", "compile_expression"]  # CutCharacter: evaluate.cut_in_half
    assert "parse" in vegaparse.__all__
