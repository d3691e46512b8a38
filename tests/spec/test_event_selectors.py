"""Event selectors read as Vega reads them, their filters checked as expressions, and what
``chartspec validate`` now reports that only the build used to (breaker 4's F7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import RunCli

from chartspec.compiler.expressions import event_selectors, signal_test
from chartspec.spec.expressions import selector_problems

IS_SIGNAL = signal_test({"params": [{"name": "brush"}]})

ACCEPTED = [
    "click", "click!", "pointerover, pointerout", "rect:click", "@points:pointerdown", "window:pointerup",
    "click[event.shiftKey]", "click[event.shiftKey][!event.altKey]", "pointermove{16}", "pointermove{16, 32}",
    "[pointerdown, window:pointerup] > window:pointermove!", "[rect:pointerdown, rect:pointerup] > pointermove{30}",
    "[a, b] > [c, d] > e", "keydown[event.key == 'Shift']", " dblclick ", "wheel![brush_x > 1]",
    "click[item && item.datum]", "touchstart[event.touches.length === 1]",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_what_vega_accepts_is_accepted(text: str) -> None:
    assert selector_problems(text, IS_SIGNAL) == []


REFUSED = [  # text, offset, words of the message, words of the hint
    ("click[evil()]", 6, "unknown function 'evil'", "ceil"),
    ("click[event.x][window.alert(1)]", 15, "only Vega's functions", "by its name"),
    ("[pointerdown, pointerup] > pointermove[nope > 1]", 39, "unknown name 'nope'", "datum.nope"),
    ("[pointerdown, pointerup][foo()] > pointermove", 24, "expected '>'", "[start, end] > stream"),
    ("click[event.x", 5, "'[' without its ']'", "close the filter"),
    ("click[", 5, "'[' without its ']'", "close the filter"),
    ("click[a]x", 8, "expected '[' after a filter's ']'", "[a][b]"),
    ("[a, b, c] > d", 0, "two event streams, not 3", "[start, end] > stream"),
    ("[a, b > c", 0, "'[' of a between selector is not closed", "[start, end]"),
    ("click{x}", 5, "invalid throttle", "{ms}"),
    ("click}", 5, "'}' without its '{'", "throttle"),
    ("", 0, "an empty event selector", "event-streams"),
    ("click,,dblclick", 6, "an empty event stream", "event-streams"),
    ("click[]", 6, "ends too early", "complete"),
    ("click[event.x ? 1 : 2]", 21, "invalid event selector: ']'", "':' inside a filter"),
    ("click[datum['a'] > 1]", 16, "expected '[' after a filter's ']'", "datum.a rather than"),  # Vega's quirk
    ("wheel![brush_x[0] > 1]", 17, "expected '['", "its first ']'"),
]


@pytest.mark.parametrize(("text", "offset", "message", "hint"), REFUSED, ids=[r[0] or "empty" for r in REFUSED])
def test_what_vega_refuses_is_refused_where_it_is(text: str, offset: int, message: str, hint: str | None) -> None:
    problems = selector_problems(text, IS_SIGNAL)
    assert problems, text
    assert (problems[0].offset, message in problems[0].message) == (offset, True), problems
    assert hint is None or hint in (problems[0].hint or ""), problems


def _render(on: str) -> str | None:
    vl = {"data": {"values": [{"a": 1, "b": 2}]}, "params": [{"name": "s", "select": {"type": "point", "on": on}}],
          "mark": "point", "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    try:
        vlc.vegalite_to_svg(vl)
        return None
    except Exception as err:  # noqa: BLE001 - Vega's refusal, in any form
        return str(err)


@pytest.mark.parametrize("on", ["click[evil()]", "click[event.x", "[click, dblclick] pointermove",
                                "click[event.shiftKey]", "[pointerdown, window:pointerup] > window:pointermove{16}"])
def test_vega_renders_exactly_what_the_checker_accepts(on: str) -> None:
    assert (_render(on) is None) == (selector_problems(on, signal_test({})) == [])


SPECS = {  # file, its text, what validate says
    "select.vl.yaml": ("$schema: https://vega.github.io/schema/vega-lite/v5.json\ndata: {values: [{a: 1, b: 2}]}\n"
                       "params:\n  - name: s\n    select: {type: point, on: \"click[evil()]\"}\nmark: point\n"
                       "encoding:\n  x: {field: a, type: quantitative}\n",
                       "select.vl.yaml:5:38: error: in the event selector 'click[evil()]': unknown function 'evil'"),
    "legend.vl.yaml": ("data: {values: [{a: 1, b: x}]}\nparams:\n  - name: s\n    select: {type: point, fields: [b]}\n"
                       "    bind: {legend: 'dblclick[event.x'}\nmark: point\nencoding:\n"
                       "  x: {field: a, type: quantitative}\n  color: {field: b, type: nominal}\n",
                       "legend.vl.yaml:5:29: error: in the event selector 'dblclick[event.x': a '[' without its ']'"),
    "stream.vl.yaml": ("data: {values: [{a: 1, b: 2}]}\nparams:\n  - name: s\n    select:\n      type: point\n"
                       "      on: {type: click, filter: [\"event.shiftKey\", \"evil()\"]}\nmark: point\n"
                       "encoding:\n  x: {field: a, type: quantitative}\n",
                       "stream.vl.yaml:6:53: error: in the expression 'evil()': unknown function 'evil'"),
    "plus.yaml": ("data: {values: [{v: 1}]}\nx: {field: v}\ntransform:\n  - calculate: "
                  + " + ".join(["datum.v"] * 3000) + "\n    as: w\nlayers: [{y: {field: w}}]\n",
                  "plus.yaml:4:16: error: in the expression 'datum.v + datum.v + datum.v + datum.v + datum.v + "
                  "datum.v...': the expression nests 3,000 operations: more than the limit of 1,000"),
    "member.yaml": ("data: {values: [{v: 1}]}\nx: {field: v}\ntransform:\n  - calculate: datum" + "['v']" * 3000
                    + "\n    as: w\nlayers: [{y: {field: w}}]\n",
                    "member.yaml:4:16: error: in the expression \"datum['v']['v']"),
    "event.yaml": ("data: {values: [{s: 0, v: 1}]}\nx: {field: s}\ntransform: [{calculate: \"datum.v + event\", as: w}]\n"
                   "layers: [{y: {field: w}}]\n",
                   "event.yaml:3:36: error: in the expression 'datum.v + event': 'event' is not defined in a "
                   "calculate or filter transform"),
    "patch.yaml": ("data: {values: [{s: 0, v: 1}]}\nx: {field: s}\nlayers: [{y: {field: v}}]\nvega_lite:\n"
                   "  transform: [{filter: 'item.x > 1'}]\n",
                   "patch.yaml:5:25: error: in the expression 'item.x > 1': 'item' is not defined"),
}


def test_validate_reports_what_the_build_would_fail_on(tmp_path: Path, run_cli: RunCli) -> None:
    for name, (text, _) in SPECS.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    proc = run_cli("validate", ".", cwd=tmp_path)
    assert proc.returncode == 1
    for _, expected in SPECS.values():
        assert expected in proc.stderr, proc.stderr
    assert "nests 3,000 operations" in proc.stderr.split("member.yaml:4:16:")[1]
    assert "Traceback" not in proc.stderr


def test_no_event_selector_of_the_gallery_is_refused() -> None:
    """chartspec's own selections (hover, zoom, legends) pass: the reader is not stricter than Vega."""
    seen = 0
    for path in sorted((Path(__file__).resolve().parents[2] / "tests" / "golden").glob("*.vl.json")):
        vl = json.loads(path.read_text(encoding="utf-8"))
        for where, text in event_selectors(vl):
            seen += 1
            assert selector_problems(text, signal_test(vl)) == [], (path.name, where, text)
    assert seen > 10
