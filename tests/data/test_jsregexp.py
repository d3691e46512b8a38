"""``test(/pattern/flags, text)`` in Python gives what Vega gives (data/jsregexp.py), or nothing.

The guards that count series and categories run a layer's filters in Python; a regular expression
was beyond them, so such a filter hid any number of series. Each pattern here is chosen where
Python's ``re`` reads the same text differently (``$`` before a final newline, ``.`` and ``\\r``,
Unicode digits, JavaScript's ``\\s``, case folding), and its result is compared with Vega's own.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest
import vl_convert as vlc

from chartspec.data.jsvalues import js_string
from chartspec.data.vegaexpr import compile_expression

TEXTS = ["run-12", "ab\n", "a\rb", "x\u0663y", "a\u00a0b", "a\x1cb", "\u00c9t\u00e9", "RUN-7", "", "ab", "a{2}"]
PATTERNS = ["/^run-\\d+$/", "/b$/", "/^a.b$/", "/\\d/", "/a\\sb/", "/\\S\\s\\S/", "/^run/i", "/\\bt/", "/[^a-z]/",
            "/a{2}/", "/a\\{2\\}/", "/(ab)+$/", "/^(?:run|x)-?/", "/a(?=b)/", "/[\\s]/", "/\u00e9/"]


def _vega(exprs: list[str]) -> dict[tuple[int, int], str]:
    rows = [{"s": text, "k": k} for k, text in enumerate(TEXTS)] + [{"k": len(TEXTS)}]  # the last: no s
    transform = [{"calculate": f"'#{i}:' + datum.k + '=' + ({expr})", "as": f"e{i}"} for i, expr in enumerate(exprs)]
    layers = [{"mark": "text", "encoding": {"text": {"field": f"e{i}", "type": "nominal"}}} for i in range(len(exprs))]
    svg = vlc.vegalite_to_svg({"data": {"values": rows}, "transform": transform, "layer": layers})
    return {(int(m.group(1)), int(m.group(2))): m.group(3) for e in ET.fromstring(svg).iter()
            if e.tag.endswith("text") and e.text and (m := re.fullmatch(r"#(\d+):(\d+)=(\w+)", e.text))}


def test_patterns_match_as_in_vega() -> None:
    exprs = [f"test({p}, datum.s)" for p in PATTERNS]
    vega = _vega(exprs)
    rows = [{"s": text} for text in TEXTS] + [{}]
    for i, expr in enumerate(exprs):
        fn = compile_expression(expr)
        assert fn is not None, expr
        for k, row in enumerate(rows):
            assert js_string(fn(row)) == vega[(i, k)], (expr, json.dumps(row), vega[(i, k)])


def test_what_is_not_run_here_is_refused_not_guessed() -> None:
    for expr in ("test(/a/g, datum.s)", "test(/^a/m, datum.s)", "test(/a/u, datum.s)", "test(/(a)\\1/, datum.s)",
                 "test(/(?<n>a)/, datum.s)", "test(/(?<=a)b/, datum.s)", "test(/(a+)+$/, datum.s)",
                 "test(/(a|ab)*c/, datum.s)", "test(/\u00e9/i, datum.s)", "test(/[]/, datum.s)",
                 "test(/\\d*\\d*\\d*x/, datum.s)", "test('a', datum.s)", "datum.s + /a/", "test(/a/, datum.s, 1)"):
        assert compile_expression(expr) is None, expr


def test_a_text_too_long_to_search_safely_is_not_guessed() -> None:
    fn = compile_expression("test(/^a.*b/, datum.s)")
    assert fn is not None and fn({"s": "a-b-c"}) is True
    with pytest.raises(ValueError):  # the caller then knows nothing (evaluate.py)
        fn({"s": "a" * 20_000})


@pytest.mark.parametrize("pattern", ["a?" * 28 + "a" * 28 + "X",  # doubled per 'a?': hung a build
                                     ".*.*X", "a{0,5000}a{0,5000}X", "^a.*b.*c"])
def test_a_pattern_that_could_backtrack_for_minutes_is_not_run(pattern: str) -> None:
    # two unbounded repetitions: /.*.*X/ took 15 s on 3,000 characters; 28 'a?' about 2 ** 28 steps
    assert compile_expression(f"test(/{pattern}/, datum.s)") is None


def test_the_work_one_pattern_does_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from chartspec.data import jsregexp

    monkeypatch.setattr(jsregexp, "_MAX_WORK", 10_000)
    fn = compile_expression("test(/^zz.*q$/, datum.s)")
    assert fn is not None
    with pytest.raises(ValueError):  # 200 distinct texts of 150 characters: more than the cap
        for i in range(200):
            fn({"s": f"zz{i:03}" + "a" * 145})
