"""chartspec's Python reading of Vega expressions agrees with Vega's own, expression by expression.

Random expressions over numbers, text, null and missing fields are evaluated by
``chartspec.vegaexpr`` and by Vega (vl-convert renders each result as text), and must write the
same. Then the compiler's use of it: calculated series fields get their legend entries and a
calculated y field its ``tick_step`` ticks.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import vl_convert as vlc
from conftest import RunCli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vega_grammar import expressions as vega_expressions

import chartspec
from chartspec.compiler.interactive import static_view
from chartspec.data.jsvalues import js_string
from chartspec.data.vegaexpr import compile_expression

ROWS = [{"a": 3, "b": -1.5, "s": "ab", "t": "10", "n": None, "d": 1709251200000.7},
        {"a": 0, "b": 2.25, "s": "", "t": "x", "n": None, "d": -86400001},
        {"a": -7, "b": 1e-7, "s": "Zed", "t": " 4 ", "n": None, "d": 951782400000}]  # d: dates, epoch ms

FIELDS = ["datum.a", "datum.b", "datum.s", "datum.t", "datum.n", "datum.missing", "datum['a']", "datum.d"]
LITERALS = ["0", "1", "2.5", "-3", "1e3", "0.1", "'x'", "'10'", "''", "'ab'", "true", "false", "null", "PI", "NaN"]
UNARY = ["abs", "ceil", "floor", "round", "sqrt", "exp", "log", "isValid", "isNaN", "isFinite", "isNumber",
         "isString", "toNumber", "toString", "toBoolean", "upper", "lower", "utcyear", "utcquarter", "utcmonth",
         "utcdate", "utcday", "utcdayofyear", "utchours", "utcminutes", "utcseconds", "utcmilliseconds", "time"]
# atan2 is left out: libm and V8 (fdlibm) may differ in the last bit, which substring() then shows
BINARY_FN = ["pow", "min", "max"]


def expressions() -> st.SearchStrategy[str]:
    return vega_expressions(FIELDS + LITERALS, UNARY, BINARY_FN, extra=["substring"])


def vega_results(exprs: list[str]) -> dict[tuple[int, int], str]:
    """(expression, row) -> the text Vega writes for the expression's value on that row."""
    rows = [{**row, "k": k} for k, row in enumerate(ROWS)]
    transform = [{"calculate": f"'#{i}:' + datum.k + '=[' + ({expr}) + ']'", "as": f"e{i}"}
                 for i, expr in enumerate(exprs)]
    layers = [{"mark": "text", "encoding": {"text": {"field": f"e{i}", "type": "nominal"}}} for i in range(len(exprs))]
    svg = vlc.vegalite_to_svg({"data": {"values": rows}, "transform": transform, "layer": layers})
    found: dict[tuple[int, int], str] = {}
    for element in ET.fromstring(svg).iter():
        if element.tag.endswith("text") and element.text and (m := re.fullmatch(r"#(\d+):(\d+)=\[(.*)\]",
                                                                                  element.text, re.S)):
            found[(int(m.group(1)), int(m.group(2)))] = m.group(3)
    return found


def python_result(expr: str, row: dict[str, Any]) -> str | None:
    fn = compile_expression(expr)
    assert fn is not None, expr  # every generated expression is in the supported part
    try:
        return js_string(fn(row))
    except ValueError:
        return None  # Vega would throw here as well


def same(mine: str, vega: str) -> bool:
    """Equal as text, where Vega's SVG collapses runs of whitespace; numbers may differ in the last
    digit only (V8's log, exp, atan2 ... are not the C library's, both within an ulp)."""
    mine, vega = re.sub(r"\s+", " ", mine).strip(), vega.strip()
    if mine == vega:
        return True
    try:
        return math.isclose(float(mine), float(vega), rel_tol=1e-13)
    except ValueError:
        return False


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(expressions(), min_size=5, max_size=25, unique=True))
def test_python_and_vega_agree_on_random_expressions(exprs: list[str]) -> None:
    exprs = [e for e in exprs if all(python_result(e, row) is not None for row in ROWS)]
    vega = vega_results(exprs)
    for i, expr in enumerate(exprs):
        for k, row in enumerate(ROWS):
            mine = python_result(expr, row)
            assert mine is not None
            assert same(mine, vega[(i, k)]), (expr, row, mine, vega[(i, k)])


def test_known_values() -> None:
    cases = {"datum.a * 2": "6", "'run ' + datum.s": "run ab", "datum.a > 1 && datum.s": "ab",
             "0.1 + 0.2": "0.30000000000000004", "1 / 0": "Infinity", "-1e-7": "-1e-7", "1e21": "1e+21",
             "123456789012345680000": "123456789012345680000", "datum.missing": "undefined",
             "datum.n + 1": "1", "'3' * '4'": "12", "toBoolean('0')": "false", "pow(1, 1/0)": "NaN"}
    for expr, expected in cases.items():
        assert python_result(expr, ROWS[0]) == expected, expr
    assert vega_results(list(cases)) == {(i, k): python_result(e, row) for i, e in enumerate(cases)
                                         for k, row in enumerate(ROWS)}


def test_outside_the_supported_part_is_refused_not_guessed() -> None:
    for expr in ("regexp('a').test(datum.s)", "year(datum.a)", "format(datum.a, '.2f')", "datum.a +", "a = 1"):
        assert compile_expression(expr) is None, expr  # year(): local time, the reader's time zone


def test_utc_date_parts_agree_with_vega() -> None:
    parts = ["utcyear", "utcquarter", "utcmonth", "utcdate", "utcday", "utcdayofyear", "utchours", "utcminutes",
             "utcseconds", "utcmilliseconds", "time"]
    exprs = [f"{part}(datum.d)" for part in parts] + ["utcyear(datum.n)", "utcmonth(datum.missing)"]
    vega = vega_results(exprs)
    assert vega == {(i, k): python_result(e, row) for i, e in enumerate(exprs) for k, row in enumerate(ROWS)}
    assert python_result("utcyear(datum.d)", ROWS[0]) == "2024" and python_result("utcmonth(datum.d)", ROWS[0]) == "2"


SPEC = """title: T
data: {values: [{s: 0, a: 1, r: x}, {s: 1, a: 2, r: y}, {s: 2, a: 4, r: x}]}
x: {field: s}
transform: [{calculate: "datum.a * 2", as: d}, {calculate: "'run ' + datum.r", as: run}, {filter: "datum.a < 4"}]
layers:
  - {name: D, y: {field: d, tick_step: 1}, color: {field: run}}
"""


def test_calculated_series_and_axes_are_known_to_the_compiler() -> None:
    vl = static_view(chartspec.to_vegalite(chartspec.loads(SPEC)))
    encoding = vl["layer"][0]["encoding"]
    assert encoding["color"]["scale"]["domain"] == ["run x", "run y"]  # legend entries from a calculated field
    assert encoding["y"]["axis"]["values"] == [2, 3, 4]  # d = 2a over the rows the filter keeps (a = 1, 2)


def test_a_series_field_made_by_an_unknown_expression_is_a_positioned_error() -> None:
    text = SPEC.replace("'run ' + datum.r", "year(datum.s)")
    try:
        chartspec.to_vegalite(chartspec.loads(text, file="spec.yaml"))
    except chartspec.ChartspecError as err:
        (found,) = err.diagnostics
        assert "cannot list the series of 'run'" in found.message and (found.line, found.column) == (6, 59)
        assert "colour by a column of the data" in (found.hint or "")
    else:
        raise AssertionError("compiled with an empty colour domain")


def test_validate_reports_what_only_the_compiler_can_refuse(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "s.yaml").write_text(SPEC.replace("'run ' + datum.r", "year(datum.s)"), encoding="utf-8")
    proc = run_cli("validate", tmp_path / "s.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert "s.yaml:6:59: error: cannot list the series of 'run'" in proc.stderr, proc.stderr


def test_string_escapes_read_as_vega_reads_them() -> None:
    """\\u0041 is 'A' in Vega; the evaluator once kept 'u0041', so a calculated series got a legend
    entry Vega never draws. Compared with Vega itself; an octal escape is refused, not guessed."""
    exprs = [r"'r\u0041'", r"'r\x42'", r"'it\'s'", r"'caf\u00e9'", r"'\u{48}i'"]
    vega = vega_results(exprs)
    for i, expr in enumerate(exprs):
        assert same(python_result(expr, ROWS[0]) or "", vega[(i, 0)]), (expr, vega[(i, 0)])
    assert compile_expression(r"'\12'") is None


def test_rounding_and_signed_zeros_agree_with_vega() -> None:
    # Math.round halves up without floor(x + 0.5)'s rounding error; floor, ceil, round, min and max
    # keep JavaScript's -0 (seen through 1 / x); exp overflows only past the largest double
    exprs = ["round(0.49999999999999994)", "round(4503599627370497)", "round(-2.5)", "1 / round(-0.4)",
             "1 / ceil(-0.5)", "1 / floor(-0)", "1 / max(-0, 0)", "1 / min(0, -0)", "1 / clamp(-0, 0, 1)",
             "exp(709.782)", "max()"]
    vega = vega_results(exprs)
    assert vega == {(i, k): python_result(e, row) for i, e in enumerate(exprs) for k, row in enumerate(ROWS)}
