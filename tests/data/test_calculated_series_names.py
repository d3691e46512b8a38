"""A series named by a calculate is split in the engine under the very names Vega gives it.

A colour field made by ``calculate`` (``datum.step < 50000 ? 'a' : 'b'``, ``'part ' +
floor(datum.step / 500000)``) used to be computed in Python once per distinct combination of the
columns it reads; past 200,000 (``step`` on a 300,000-row log) the engine "could not compute" it:
a large log was refused ("would hand 300,000 rows to Vega") and could not be smoothed per series.
vegasql.py now writes text results in SQL (ternaries of strings, ``+`` joining text and
numbers with JavaScript's number-to-text, jstextsql.py), checked here value for value against
vegaexpr.py, and end to end against the legend Vega draws.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
import vl_convert as vlc
from conftest import drawn_vegalite, write_tree
from hypothesis import given, settings
from hypothesis import strategies as st

import chartspec
from chartspec.data import engine, smoothkeys
from chartspec.data.jstextsql import number_text_sql
from chartspec.data.jsvalues import js_string
from chartspec.data.vegaexpr import compile_expression
from chartspec.data.vegasql import series_sql, value_sql

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 1e21, 1e20, 123456789012345680000.0, 1e-7, 1.5e-7, 1e-6, 1e-5, 0.0001,
         1 / 3, 2.0**70, 5e-324, 1.7976931348623157e308, 100.0, 1e16, 12345678901234567.0, 0.1 + 0.2, -1e-7,
         999999999999999999999.0, 2.0**53, -(2.0**63), math.nan, math.inf, -math.inf]


def _texts(values: list[float]) -> list[str]:
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, v DOUBLE)")
    con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
    return [r[0] for r in con.execute(f"SELECT {number_text_sql('v')} FROM t ORDER BY i").fetchall()]


def test_numbers_become_text_as_javascript_writes_them() -> None:
    assert _texts([1.0, 0.5, 1e21, 1e20, 1e-7, 1e-6, -0.0, math.nan, -math.inf]) == [
        "1", "0.5", "1e+21", "100000000000000000000", "1e-7", "0.000001", "0", "NaN", "-Infinity"]
    assert _texts(EDGES) == [js_string(v) for v in EDGES]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=200))
def test_random_doubles_become_the_same_text(values: list[float]) -> None:
    assert _texts(values) == [js_string(v) for v in values]


COLUMNS = {"step": "number", "loss": "number", "run": "text"}
ROWS = [{"step": s, "loss": v, "run": r} for s, v, r in [
    (0, -0.5, "a"), (49999, 0.25, None), (50000, math.nan, "b"), (1500001, None, "c"), (7, 1e-7, "")]]
NAMES = ["datum.step < 50000 ? 'a' : 'b'", "datum.loss < 0 ? 'a' : 'b'", "'part ' + floor(datum.step/500000)",
         "'p' + (datum.step % 3)", "'run ' + datum.loss", "'s' + datum.step / 8 + 'x' + true",
         "'v' + null + datum.loss * 1e25", "datum.loss ? 'set' : ''", "'n' + datum.step / 0",
         "'a' + (datum.step > 3 ? 'big' : 'small') + 1"]


@pytest.mark.parametrize("expr", NAMES)
def test_series_names_in_the_engine_are_vegas(expr: str) -> None:
    made = series_sql(expr, COLUMNS)
    assert made is not None and made[1] == "text"
    assert value_sql(expr, COLUMNS) is None  # numbers-only callers still get no text
    con = duckdb.connect()
    con.execute("CREATE TABLE t (i INTEGER, step DOUBLE, loss DOUBLE, run VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", [(i, r["step"], r["loss"], r["run"]) for i, r in enumerate(ROWS)])
    got = [r[0] for r in con.execute(f"SELECT ({made[0]}) FROM t ORDER BY i").fetchall()]
    fn = compile_expression(expr)
    assert fn is not None
    assert got == [fn(row) for row in ROWS]


@pytest.mark.parametrize("expr", ["datum.run + 1", "datum.run + '!'", "(datum.step > 1 ? 'a' : 'b') == 'a'", "'a' + 1 < 'b'",
                                  "datum.step > 1 ? 'a' : 2"])
def test_text_vega_reads_otherwise_is_not_translated(expr: str) -> None:
    assert series_sql(expr, COLUMNS) is None  # text columns (Python runs them), strings compare as strings, mixed kinds


def _legend(vl: dict[str, Any]) -> list[str]:
    svg = vlc.vegalite_to_svg(vl)
    return re.findall(r'role-legend-label.*?<text[^>]*>([^<]*)</text>', svg, re.S)


@pytest.mark.parametrize("smooth", ["", "    smooth: {ema: 0.9}\n"])
@pytest.mark.parametrize("expr, names", [
    ("datum.step < 5000 ? 'a' : 'b'", ["a", "b"]),
    ("'part ' + floor(datum.step / 7000) / 2", ["part 0", "part 0.5", "part 1"]),
    ("'p' + (floor(datum.step / 5000) % 3)", ["p0", "p1", "p2"]),
])
def test_a_large_log_coloured_by_a_calculated_name_is_drawn_with_vegas_names(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expr: str, names: list[str], smooth: str) -> None:
    """20,000 steps read by the engine, over a limit of 10,000 drawn rows and 100 combinations run
    in Python: reduced and smoothed per series in the engine, not refused."""
    lines = ["step,loss"] + [f"{s},{math.sin(s / 50):.4f}" for s in range(20_000)]
    spec = (f'data: d.csv\ntransform: [{{calculate: "{expr}", as: run}}]\nx: {{field: step}}\n'
            f"layers:\n  - mark: line\n    y: {{field: loss}}\n    color: {{field: run}}\n{smooth}")
    path = write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "\n".join(lines) + "\n", "c.yaml": spec}) / "c.yaml"
    monkeypatch.setattr(engine, "ENGINE_BYTES", 1000)
    monkeypatch.setattr(smoothkeys, "MAX_COMBINATIONS", 100)
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "10000")
    vl = drawn_vegalite(chartspec.load(path))
    assert _legend(vl) == names


def test_a_name_made_from_a_parsed_date_is_the_one_vega_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A date field joined to text: computed in Python per distinct date (never as the engine's
    number text), so the large log is named as the small one."""
    lines = ["step,start,loss"] + [f"{s},{'2024-01-01' if s < 10_000 else '2024-02-01'},{math.sin(s / 50):.4f}"
                                   for s in range(20_000)]
    files = {"chartspec.toml": "", "d.csv": "\n".join(lines) + "\n", "s.csv": "\n".join(lines[:1] + lines[1::100]) + "\n"}
    for name in ("d", "s"):
        files[f"{name}.yaml"] = (f'data: {{path: {name}.csv, parse: {{start: "%Y-%m-%d"}}}}\n'
                                 "transform: [{calculate: \"'at ' + datum.start\", as: run}]\nx: {field: step}\n"
                                 "layers:\n  - mark: line\n    y: {field: loss}\n    color: {field: run}\n"
                                 "    smooth: {ema: 0.9}\n")
    write_tree(tmp_path, files)
    small = _legend(drawn_vegalite(chartspec.load(tmp_path / "s.yaml")))
    monkeypatch.setattr(engine, "ENGINE_BYTES", 1000)
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "10000")
    assert _legend(drawn_vegalite(chartspec.load(tmp_path / "d.yaml"))) == small and len(small) == 2
