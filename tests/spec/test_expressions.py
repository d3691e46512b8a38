"""Vega expressions checked before rendering (chartspec/spec/expressions, compiler/expressions.py):
what Vega accepts is never refused, what it refuses is reported at its column, and a random
sample agrees with Vega itself."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import RunCli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vega_grammar import expressions as vega_expressions

from chartspec.compiler.expressions import signal_test
from chartspec.compiler.origin import expressions
from chartspec.spec.expressions import MAX_DEPTH, MAX_TREE_DEPTH, VEGA_VERSION, expression_problems

ROOT = Path(__file__).resolve().parents[2]


def params(*names: str):  # type: ignore[no-untyped-def]
    return signal_test({"params": [{"name": n} for n in names]})


ACCEPTED = [
    "datum.a + 1", "datum['name with spaces'] * 2", 'datum["x"] == "a\\"b"', "'a\\u{1F600}\\x41\\u0042\\n\\0'",
    "'a' in datum", "datum instanceof datum", "{a: 1, 'b c': 2, 3: 4, if: 5}.a", "[1, [2, 3], {k: [4]}][1][0]",
    "[1, 2,]", "{a: 1,}", "datum.a > 0 ? (datum.b < 1 ? 'x' : 'y') : null", "test(/^a+[/)(]\\/$/gi, datum.s)",
    "replace(datum.s, /(a)(?:b)/g, '$1')", "datum.if + datum.true + datum.null", "~datum.a | 1 & 2 ^ 3 >>> 1 << 2",
    "-(-datum.a)", "!!datum.a", "+datum.a", ".5 + 1e3 + 1.5E-3 + 0x1F + 0", "if(datum.a, 1, 2)", "clamp(datum.a, 0, 1)",
    "PI * E + NaN + MAX_VALUE", "event", "item", "width + height + padding", "cutoff > 1", "brush_x[0]",
    "scale('color', datum.value)", "data('source_0')[0]", "vlSelectionTest('brush_store', datum)",
    "pad(datum.s, 20, ' ')", "format(datum.a, '08.2f')", "sequence(0, 100)", "timeSequence('day', 0, 8.64e8)",
    "toDate('2020-01-01')", "datum.a\n  + 1", "'\\\n'", "upper(toString(datum.a)) + lower('X')", "{'constructor': 1}",
    "+".join(["1"] * MAX_TREE_DEPTH), "datum" + ".a" * 500, "1?2:" * 50 + "3",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_what_vega_accepts_is_accepted(text: str) -> None:
    assert expression_problems(text, params("cutoff", "brush")) == []


REFUSED = [  # text, offset of the problem, words of the message, words of the hint
    ("datum.a +", 9, "ends too early", "complete the expression"),
    ("--datum.a", 0, "'--' is not allowed", "datum.a - 1"),
    ("datum.a++", 7, "'++' is not allowed", "datum.a + 1"),
    ("window.alert(1) || true", 0, "only Vega's functions can be called", "by its name"),
    ("window.location", 0, "unknown name 'window'", "JavaScript's globals"),
    ("foo(datum.a)", 0, "unknown function 'foo'", "did you mean floor(...)?"),
    ("uper(datum.s)", 0, "unknown function 'uper'", "did you mean upper(...)?"),
    ("datm.a", 0, "unknown name 'datm'", "did you mean 'datum'?"),
    ("step + 1", 0, "unknown name 'step'", "datum.step"),
    ("this.x", 0, "'this' is not allowed", "datum.NAME"),
    ("eval('1')", 0, "unknown function 'eval'", "only Vega's functions"),
    ("new Date()", 0, "'new' is not allowed", "datetime"),
    ("typeof datum.a", 0, "'typeof' is not allowed", "isNumber"),
    ("datum.a = 1", 8, "'=' is not allowed", "compare with =="),
    ("datum.a, 1", 7, "',' is not allowed", "one value"),
    ("(" * 3000 + "1" + ")" * 3000, MAX_DEPTH, f"nests deeper than {MAX_DEPTH} levels", "flatter"),
    ("+".join(["1"] * 3000), 0, "nests 2,999 operations: more than the limit of 1,000", "several calculate steps"),
    ("1 ? 2 : " + " + ".join(["datum.v"] * 3000), 8, "nests 3,001 operations", "split a long sum"),
    ("datum" + "['v']" * 3000, 0, "nests 3,000 operations", "split a long sum or chain"),
    ("pad('', 1000000000, 'x')", 8, "1,000,000,000 characters", "smaller number"),
    ("format(datum.a, '01000000000d')", 16, "1,000,000,000 characters wide", "smaller width"),
    ("sequence(0, 1e10)", 9, "10,000,000,000 items", "range smaller"),
    ("utcSequence('millisecond', 0, 1e12)", 12, "items", "step larger"),
    ("clamp(datum.a, 1)", 0, "clamp() takes 3 arguments, not 2", "clamp(value, min, max)"),
    ("data(datum.name)", 0, "data() needs its first argument written as a quoted name", "data('source_0')"),
    ("_ + 1", 0, "'_' is reserved", "datum._"),
    ("{constructor: 1}", 1, "the key 'constructor' is not allowed", "quote it"),
    ("{a: 1, a: 2}", 7, "the key 'a' is given twice", "once"),
    ("[1,,2]", 3, "empty item", "extra comma"),
    ("017 + 1", 0, "octal", "decimal"),
    ("'\\1'", 0, "octal", "\\xHH"),
    ("09", 0, "invalid token", "cannot start with 0"),
    ("'abc", 0, "not closed", "end it with '"),
    ("datum.a // note", 8, "comments", "remove"),
    ("test(/a(/, datum.s)", 5, "brackets do not balance", "escape"),
    ("test(/a/gg, datum.s)", 8, "flags 'gg'", "at most once"),
    ("datum.a datum.b", 8, "unexpected name 'datum'", "an operator may be missing"),
    ("Math.max(1, 2)", 0, "only Vega's functions can be called", "by its name"),
    ("upper", 0, "unknown name 'upper'", "upper(...) is a function"),
    ("datum.a == 'if'", 11, "the string 'if' as the name if", "'i' + 'f'"),  # a quirk of Vega's parser
]


@pytest.mark.parametrize(("text", "offset", "message", "hint"), REFUSED, ids=[r[0][:30] for r in REFUSED])
def test_what_vega_refuses_is_refused_where_it_is(text: str, offset: int, message: str, hint: str) -> None:
    problems = expression_problems(text, params())
    assert problems, text
    assert (problems[0].offset, message in problems[0].message, hint in (problems[0].hint or "")) == (
        offset, True, True), problems


@pytest.mark.parametrize("name", ["event", "item"])
def test_event_and_item_are_refused_in_a_transform_only(name: str) -> None:
    """Vega defines them for handlers and marks; a transform's calculate fails with ReferenceError."""
    [problem] = expression_problems(f"datum.v + {name}.x", params(), in_transform=True)
    assert (problem.offset, problem.message) == (10, f"{name!r} is not defined in a calculate or filter transform")
    assert "datum.NAME" in (problem.hint or "")
    assert expression_problems(f"datum.v + {name}.x + datum.{name}", params()) == []
    assert expression_problems(f"datum.{name} + {{{name}: 1}}.{name}", params(), in_transform=True) == []


def test_the_deepest_tree_allowed_renders() -> None:
    """The tree depth limit is below Vega's: a chain of MAX_TREE_DEPTH operations renders (and
    2,500 overflowed Vega's stack when the limit was chosen)."""
    assert _renders(" + ".join(["datum.a"] * MAX_TREE_DEPTH))
    assert not _renders(" + ".join(["datum.a"] * 2500))


def test_the_function_list_is_the_one_of_the_vega_chartspec_renders_with() -> None:
    """Read again from Vega's sources (names.py) when vl-convert brings another Vega."""
    assert vlc.get_vega_version() == VEGA_VERSION


def test_no_expression_of_the_gallery_is_refused() -> None:
    """Every expression chartspec compiles for the gallery (tests/golden: params, hover and zoom
    selections, legends' labelExpr ...) passes, with the signals its output defines."""
    seen = 0
    for path in sorted((ROOT / "tests" / "golden").glob("*.vl.json")):
        vl = json.loads(path.read_text(encoding="utf-8"))
        is_signal = signal_test(vl)
        for where, text in expressions(vl):
            seen += 1
            assert expression_problems(text, is_signal) == [], (path.name, where, text)
    assert seen > 50


_FAULTS = {
    "syntax.yaml": 'calculate: "datum.a +"', "update.yaml": "calculate: --datum.a",
    "callee.yaml": "filter: window.alert(1) || true", "name.yaml": "filter: window.location",
    "function.yaml": "calculate: foo(datum.a)", "this.yaml": "calculate: this.x",
    "eval.yaml": "calculate: eval('1')", "deep.yaml": "calculate: '" + "(" * 3000 + "1" + ")" * 3000 + "'",
    "pad.yaml": "calculate: \"pad('', 1000000000, 'x')\"",
}
_EXPECTED = {  # spec -> the start of the error, at line 3 (column of the problem)
    "syntax.yaml": ":3:26: error: in the expression 'datum.a +': the expression ends too early",
    "update.yaml": ":3:16: error: in the expression '--datum.a': '--' is not allowed in Vega expressions",
    "callee.yaml": ":3:13: error: in the expression 'window.alert(1) || true': only Vega's functions can be called",
    "name.yaml": ":3:13: error: in the expression 'window.location': unknown name 'window'",
    "function.yaml": ":3:16: error: in the expression 'foo(datum.a)': unknown function 'foo'",
    "this.yaml": ":3:16: error: in the expression 'this.x': 'this' is not allowed in Vega expressions",
    "eval.yaml": ":3:16: error: in the expression \"eval('1')\": unknown function 'eval'",
    "deep.yaml": f":3:{17 + MAX_DEPTH}: error: in the expression '((((",
    "pad.yaml": ":3:25: error: in the expression \"pad('', 1000000000, 'x')\": padding to a text of 1,000,000,000",
}


def test_validate_reports_each_fault_at_its_column_and_goes_on(tmp_path: Path, run_cli: RunCli) -> None:
    for name, step in _FAULTS.items():
        extra = "\n    as: c" if step.startswith("calculate") else ""
        (tmp_path / name).write_text(f"data: {{values: [{{a: 1, b: 2}}]}}\ntransform:\n  - {step}{extra}\n"
                                     "x: {field: a}\nlayers:\n  - y: {field: b}\n", encoding="utf-8")
    (tmp_path / "fine.yaml").write_text("data: {values: [{a: 1, b: 2}]}\ntransform:\n  - filter: datum.a > 0\n"
                                        "x: {field: a}\nlayers:\n  - y: {field: b}\n", encoding="utf-8")
    (tmp_path / "patch.yaml").write_text(
        "data: {values: [{a: 1, b: 2}]}\nx: {field: a}\nlayers:\n  - y: {field: b}\nvega_lite:\n"
        "  params: [{name: cutoff, value: 1}]\n  transform: [{filter: 'datum.b > cutoff && Math.max(1, 2)'}]\n",
        encoding="utf-8")
    proc = run_cli("validate", ".", cwd=tmp_path)
    assert proc.returncode == 1
    for name, expected in _EXPECTED.items():
        assert name + expected in proc.stderr, proc.stderr
    assert "patch.yaml:7:45: error: in the expression 'datum.b > cutoff && Math.max(1, 2)': only Vega's" in proc.stderr
    assert "ok fine.yaml" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


# -- against Vega itself ---------------------------------------------------------------------------

_LEAVES = ["datum.a", "datum['b']", "1", "2.5", "'x'", "PI", "null", "true", "[1, 2]", "{k: 1}.k", "width"]
_EDITS = ["--", "=", ",", ")", "(", "this", "window", "foo(", "//", "'", "~", ".", "[", "{", "]", "}", ":", "?",
          "in ", "01", "/a/", "\\", "_", "!", " if ", "typeof ", "..", "=>", "#"]


def _renders(text: str) -> bool:
    vl = {"data": {"values": [{"a": 1, "b": 2}]}, "transform": [{"calculate": text, "as": "c"}], "mark": "point",
          "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    try:
        vlc.vegalite_to_svg(vl)
        return True
    except Exception:  # noqa: BLE001 - Vega's refusal, in any form
        try:  # vl-convert may keep a failure for its next call: spend it
            vlc.vegalite_to_svg({"mark": "point"})
        except Exception:  # noqa: BLE001, S110
            pass
        return False


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(vega_expressions(_LEAVES, ["abs", "floor", "toString", "upper", "isValid"], ["max", "min", "pow"]),
       st.integers(0, 10_000), st.sampled_from([None, *_EDITS]))
def test_vega_renders_exactly_what_the_checker_accepts(text: str, seed: int, edit: str | None) -> None:
    """A random expression, often broken by an edit at a random place: Vega renders it iff the
    checker finds nothing (a few renders: a thousand more agreed when this was written)."""
    if edit is not None:
        at = random.Random(seed).randrange(len(text) + 1)
        text = text[:at] + edit + text[at:]
    assert _renders(text) == (expression_problems(text, params()) == []), text


def test_a_call_of_a_refused_call_is_one_problem() -> None:
    """``constructor.constructor('alert(1)')()`` gave two errors at one column ('not a method', then
    'not an expression' for the call of its result); a call of a function's result is still one."""
    [only] = expression_problems("constructor.constructor('alert(1)')()", params())
    assert only.offset == 0 and "not a method" in only.message
    [only] = expression_problems("upper('a')()", params())
    assert "not an expression" in only.message
