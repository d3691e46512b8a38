"""Text functions and regular expressions in Python give what Vega's JavaScript gives, emoji included.

JavaScript counts UTF-16 units (an emoji is two), Python code points: ``datum.run.length`` of
'😀a' was 2 here and 3 in Vega, and ``test(/^.a$/, ...)`` matched here but not there, so a
filter's rows (and the "draws nothing" note, the series guards) were not Vega's. ``regexp('...')``
patterns and ``replace(text, /re/, ...)`` were not run at all: the series guard counted such a
layer as keeping every row and refused 2,000 runs a filter cut to one. ``trim`` stripped
``\\x85`` and kept ``\\ufeff``, the other way round from JavaScript.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import vl_convert as vlc
from conftest import write_tree

import chartspec
from chartspec.data.jsvalues import js_string
from chartspec.data.vegaexpr import compile_expression

TEXTS = ["\U0001F600a", "a\U0001F600b", "run-1", "run-12", "\x85 x \ufeff", "\U0001F600\U0001F600", "a-b-c"]
EXPRS = ["datum.s.length", "length(datum.s)", "test(/^.a$/, datum.s)", "test(/^..a$/, datum.s)",
         "test(regexp('^run-\\\\d$'), datum.s)", "test(regexp('^RUN', 'i'), datum.s)", "test(/[\U0001F600]b/, datum.s)",
         "replace(datum.s, /-/, '_')", "replace(datum.s, /-/g, '_')", "replace(datum.s, '-', '+')",
         "replace(datum.s, regexp('.$'), '!')", "'<' + trim(datum.s) + '>'", "length(substring(datum.s, 1, 3))",
         "datum.s[2] == 'b'", "replace(datum.s, /\U0001F600/g, 'E')"]


def _vega(exprs: list[str]) -> dict[tuple[int, int], str]:
    """Each expression's value per text, as Vega's calculate makes it (never half an emoji: the
    renderer aborts on one, so the expressions reduce such text to a number or a test)."""
    rows = [{"s": text, "k": k} for k, text in enumerate(TEXTS)]
    transform = [{"calculate": f"'#{i}:' + datum.k + '=' + ({expr}) + '#'", "as": f"e{i}"} for i, expr in enumerate(exprs)]
    layers = [{"mark": "text", "encoding": {"text": {"field": f"e{i}", "type": "nominal"}}} for i in range(len(exprs))]
    svg = vlc.vegalite_to_svg({"data": {"values": rows}, "transform": transform, "layer": layers})
    return {(int(m.group(1)), int(m.group(2))): m.group(3) for e in ET.fromstring(svg).iter()
            if e.tag.endswith("text") and e.text and (m := re.fullmatch(r"#(\d+):(\d+)=(.*)#", e.text, re.S))}


def test_text_functions_and_patterns_count_utf16_units_as_vega_does() -> None:
    for expr in EXPRS:
        vega = _vega([expr])  # (one at a time: half an emoji stops Vega's text layout for the rest)
        fn = compile_expression(expr)
        assert fn is not None, expr  # each is run here, not left to Vega
        for k, text in enumerate(TEXTS):
            try:
                mine = js_string(fn({"s": text}))
            except ValueError:  # half an emoji: not text Python can write out; the caller knows nothing
                continue
            assert mine == vega[(0, k)], (expr, text)


def test_constructed_and_replacing_patterns_count_series_exactly(tmp_path: Path) -> None:
    """2,000 runs cut to one by ``regexp()`` or ``replace()``: built, not refused as 2,000 series."""
    runs = [f"run-{r}" for r in range(2_000) for _ in range(2)]
    steps = [s for _ in range(2_000) for s in range(2)]
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "run,step,loss\n" + "".join(
        f"{r},{s},1\n" for r, s in zip(runs, steps))})
    pq.write_table(pa.table({"run": runs, "step": steps, "loss": [1.0] * len(runs)}), tmp_path / "d.parquet")
    for data in ("d.csv", "d.parquet"):
        for flt in ("test(regexp('^run-1$'), datum.run)", "replace(datum.run, /run-/, '') == '1'",
                    "replace(datum.run, 'run-', '') == '1'"):
            (tmp_path / "c.yaml").write_text(f"data: {data}\nx: {{field: step}}\nlayers:\n  - y: {{field: loss}}\n"
                                             f"    color: {{field: run}}\n    transform: [{{filter: \"{flt}\"}}]\n",
                                             encoding="utf-8")
            chartspec.to_vegalite(chartspec.load(tmp_path / "c.yaml"))  # no DataError: one series counted


def test_patterns_not_run_here_are_still_refused_not_guessed() -> None:
    for expr in ("replace(datum.s, /a/, '$&$&')", "replace(datum.s, /a/y, 'b')", "test(regexp(datum.p), datum.s)",
                 "test(regexp('a', 'g'), datum.s)", "replace(datum.s, datum.p, 'b')"):
        assert compile_expression(expr) is None, expr
