"""The renderer's failures, explained (render/engine.py, compiler/origin.py).

vl-convert 1.9 puts the reason of a failure on the line after "... conversion failed:", followed
by a JavaScript stack of CDN URLs; writes Vega's run-time errors straight to file descriptor 2 and
returns an empty chart; after refusing a link fails its next call too; and aborts the process
on an image too big to allocate. Each case here is a spec or a call that did one of those.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from conftest import RunCli

import chartspec
from chartspec.errors import ExportError
from chartspec.render import engine
from chartspec.render.export import render

POINTS = {"data": {"values": [{"a": 1, "b": 2}, {"a": 2, "b": 1}]}, "mark": "point",
          "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}}}

SPECS = {
    # Vega cannot parse it: refused before rendering, at the column (spec/expressions/), as validate does
    "syntax.vl.yaml": ("data: {values: [{a: 1, b: 2}]}\nmark: point\ntransform:\n"
                       '  - {calculate: "datum.a +", as: c}\nencoding:\n  x: {field: a, type: quantitative}\n'),
    # fails as it runs: was built, blank, with a stack trace printed and exit code 0
    "runtime.vl.yaml": ("data: {values: [{a: 1, b: 2}]}\nmark: point\ntransform:\n"
                        '  - {calculate: "replace(datum.a, 1, 2)", as: c}\nencoding:\n  x: {field: a, type: quantitative}\n'),
    # chartspec's own transform, copied into the Vega-Lite: found again by its text
    "transform.yaml": ("data: {values: [{a: 1, b: 2}, {a: 2, b: 3}]}\ntransform:\n  - calculate: \"replace(datum.b, 1, 2)\"\n"
                       "    as: c\nx: {field: a}\nlayers:\n  - y: {field: b}\n"),
    # in the patch: located at the patch
    "patch.yaml": ("data: {values: [{a: 1, b: 2}, {a: 2, b: 3}]}\nx: {field: a}\nlayers:\n  - y: {field: b}\n"
                   'vega_lite:\n  transform: [{calculate: "replace(datum.a, 3, 4)", as: c}]\n'),
}
_REPLACE = "rendering svg failed: Error: Please pass a string or RegExp argument to replace. (in the expression"
EXPECTED = {  # spec -> (where in the file, the error)
    "syntax.vl.yaml": ("datum.a +\"", "in the expression 'datum.a +': the expression ends too early"),
    "runtime.vl.yaml": ('"replace(datum.a, 1, 2)"', _REPLACE),
    "transform.yaml": ("replace(datum.b, 1, 2)", _REPLACE),  # found by its text, inside the quotes
    "patch.yaml": ('"replace(datum.a, 3, 4)"', _REPLACE),
}


def at(text: str, needle: str) -> tuple[int, int]:
    offset = text.index(needle)
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("engine")
    (root / "chartspec.toml").write_text("", encoding="utf-8")
    for name, text in SPECS.items():
        (root / name).write_text(text, encoding="utf-8")
    from conftest import chartspec_exe

    proc = subprocess.run([chartspec_exe(), "build", ".", "-o", "out", "-f", "svg,png", "-j", "0"], cwd=root,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    return root, proc


@pytest.mark.parametrize("name", list(SPECS))
def test_a_render_error_says_why_and_where(built: tuple[Path, subprocess.CompletedProcess[str]], name: str) -> None:
    root, proc = built
    assert proc.returncode == 1
    needle, message = EXPECTED[name]
    line, column = at(SPECS[name], needle)
    column += len("datum.a +") if name == "syntax.vl.yaml" else 0  # at the end, where the operand is missing
    expected = f"{name}:{line}:{column}: error: {message}"
    assert expected in proc.stderr, proc.stderr
    assert not list((root / "out").glob(name.split(".")[0] + ".*"))  # nothing written, not a blank chart


def test_the_renderer_console_is_never_printed(built: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, proc = built
    for noise in ("    at ", "cdn.jsdelivr", "ERROR Error", "Traceback", "+esm"):
        assert noise not in proc.stderr and noise not in proc.stdout, proc.stderr


def test_a_refused_link_does_not_fail_the_next_chart() -> None:
    """A link made at run time that Vega refuses: the chart fails with a reason, and the engine
    (which keeps the failure for its next call) draws the next chart."""
    vl = {**POINTS, "transform": [{"calculate": "'javascript:' + 'alert(1)'", "as": "link"}],
          "encoding": {**POINTS["encoding"], "href": {"field": "link"}}}
    with pytest.raises(ExportError, match="not an address Vega accepts") as caught:
        render(vl, ["svg"])
    assert "reading 'href'" not in str(caught.value)
    assert engine.poisons_engine(engine.reason("Error:\nTypeError: Cannot read properties of null (reading 'href')"))
    assert render(POINTS, ["svg"])["svg"].startswith(b"<svg")


def test_reason_keeps_the_line_that_says_something() -> None:
    text = ("Vega-Lite to SVG conversion failed:\nError: Unexpected end of input\n"
            "    at Au (https://cdn.jsdelivr.net/npm/vega-expression@6.1.0/+esm:7:18760)\n")
    assert engine.reason(text) == "Error: Unexpected end of input"
    assert engine.reason("ERROR Error: bad (https://cdn.jsdelivr.net/x.js:1:2)\n    at x") == "Error: bad"
    assert engine.reason("conversion failed:\n\n") == "the renderer gave no reason"


def test_a_png_over_the_size_limit_is_refused_before_it_is_allocated() -> None:
    """100,000 x 100,000 px asked resvg for 40 GB and aborted the process: now an error, at once.
    In a child process, so that a regression crashes it rather than the test run."""
    script = textwrap.dedent("""
        import sys
        from chartspec.errors import ExportError
        from chartspec.render.export import render
        vl = {"data": {"values": [{"a": 1}]}, "mark": "point", "width": 100000, "height": 100000,
              "encoding": {"x": {"field": "a", "type": "quantitative"}}}
        try:
            render(vl, ["png"])
        except ExportError as err:
            print(err.format())
            sys.exit(3)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "would be 100,016 x 100,042 px" in proc.stdout and "more than the limit of" in proc.stdout
    assert "CHARTSPEC_MAX_SIDE" in proc.stdout


def test_the_image_size_counts_the_scale_and_what_the_compiler_cannot_see(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARTSPEC_MAX_PIXELS", "300000")
    vl = {**POINTS, "width": 300, "height": 300}  # about 350 x 350 px with its axes
    assert render(vl, ["png"])["png"].startswith(b"\x89PNG")
    with pytest.raises(ExportError, match=r"at scale 2: more than the limit of 300,000 pixels") as caught:
        render(vl, ["png"], scale=2)
    assert "CHARTSPEC_MAX_PIXELS" in (caught.value.first.hint or "")
    assert "lower --scale" in (caught.value.first.hint or "")
    with pytest.raises(ExportError, match="the chart would be") as caught:  # padding: the static check saw 300 x 300
        render({**vl, "padding": 200}, ["pdf"])
    hint = caught.value.first.hint or ""
    assert "padding" in hint and "--scale" not in hint  # what to look for; the scale was 1


def test_a_crash_is_explained_by_the_console_it_left() -> None:
    script = textwrap.dedent("""
        import os
        from chartspec.render import engine
        def crash():
            os.write(2, b"memory allocation of 40000000000 bytes failed\\n")
            os.abort()
        engine._captured(crash)
    """)
    with subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True) as child:
        _, stderr = child.communicate(timeout=60)
    assert child.returncode != 0
    assert "memory allocation" not in stderr  # captured, not printed
    assert engine.crash_cause(child.pid) == "memory allocation of 40000000000 bytes failed"
    assert engine.crash_cause(child.pid) is None  # the console file is gone


def test_the_expression_is_found_through_the_api(tmp_path: Path) -> None:
    path = tmp_path / "x.vl.yaml"
    path.write_text(SPECS["runtime.vl.yaml"], encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        chartspec.save(chartspec.load(path), tmp_path / "x.svg")
    d = caught.value.first
    assert (d.line, d.column) == at(SPECS["runtime.vl.yaml"], '"replace(datum.a, 1, 2)"')
    assert not (tmp_path / "x.svg").exists()


def test_validate_refuses_what_vega_cannot_parse_and_passes_what_fails_only_as_it_runs(
        tmp_path: Path, run_cli: RunCli) -> None:
    """Vega's grammar is checked without Vega (spec/expressions/); an error Vega raises while the
    expression runs (replace() of a number) is the renderer's to find: validate does not render."""
    (tmp_path / "x.vl.yaml").write_text(SPECS["syntax.vl.yaml"], encoding="utf-8")
    (tmp_path / "y.vl.yaml").write_text(SPECS["runtime.vl.yaml"], encoding="utf-8")
    proc = run_cli("validate", "x.vl.yaml", "y.vl.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    line, column = at(SPECS["syntax.vl.yaml"], "datum.a +")
    assert f"x.vl.yaml:{line}:{column + len('datum.a +')}: error: in the expression 'datum.a +'" in proc.stderr
    assert "ok y.vl.yaml" in proc.stdout + proc.stderr


def test_every_format_is_held_to_the_size_limit() -> None:
    """What the compiler cannot add up (5,000 categories x a 16,000 px step) is refused for SVG and
    HTML too, not only before a PNG or PDF is allocated; sizes in exponent form are read as numbers."""
    vl = {"data": {"sequence": {"start": 0, "stop": 5000, "as": "i"}}, "width": {"step": 16000}, "mark": "bar",
          "encoding": {"x": {"field": "i", "type": "nominal"}}}
    for fmt in ("svg", "html"):
        with pytest.raises(ExportError, match=r"80,000,010 x \d+ px: more than the limit of 16,384 px a side"):
            render(vl, (fmt,))
    with pytest.raises(ExportError, match="more than the limit"):
        engine.check_size('<svg class="marks" width="7e+22" height="20">', 1.0, "chart")


@pytest.mark.parametrize("title", [["Line one", "Line two"], {"text": ["Line one", "Line two"]},
                                   {"text": {"expr": "'Line ' + 'one'"}}, {"expr": "'x'"}])
def test_every_title_form_vega_lite_allows_is_drawn(title: Any) -> None:
    """Multi-line and expression titles are valid Vega-Lite; the SVG's label and the HTML page's
    title once crashed on them ("'list' object has no attribute 'replace'")."""
    vl = {**POINTS, "title": title}
    out = render(vl, ("svg", "html"))
    label = "Line one Line two" if "Line two" in json.dumps(title) else "chart"
    assert f'aria-label="{label}"' in out["svg"].decode()
    assert out["html"].startswith(b"<!DOCTYPE html>")


def test_size_and_file_name_errors_of_the_renderer_are_placed_in_the_spec(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The renderer does not know the spec: its size error had no line (it names 'width' now, or the
    data where the spec sets none) and a run folder named with a byte that is not UTF-8 was
    'control character U+DCFF', unplaced."""
    monkeypatch.setenv("CHARTSPEC_MAX_PIXELS", "300000")
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "d.csv").write_text("step,loss\n0,1\n1,2\n", encoding="utf-8")
    spec = "data: d.csv\nwidth: 400\nheight: 300\nx: {field: step}\nlayers: [{y: {field: loss}}]\n"
    (tmp_path / "big.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        chartspec.save(chartspec.load(tmp_path / "big.yaml"), tmp_path / "big.png", scale=2)
    d = caught.value.first
    assert (d.line, d.column) == (2, 8) and "more than the limit of 300,000 pixels" in d.message
    run = os.fsencode(tmp_path / "runs") + b"/r\xff"
    os.makedirs(run)
    with open(run + b"/m.csv", "w", encoding="utf-8") as f:
        f.write("step,loss\n0,1\n1,2\n")
    (tmp_path / "s.yaml").write_text('data: {files: "runs/*/m.csv", as: run}\nx: {field: step}\n'
                                     "layers: [{y: {field: loss}, color: {field: run}}]\n", encoding="utf-8")
    with pytest.raises(ExportError) as caught:
        chartspec.save(chartspec.load(tmp_path / "s.yaml"), tmp_path / "s.svg")
    d = caught.value.first
    assert (d.line, d.column) == (1, 7) and "byte 0xFF, which is not UTF-8" in d.message
    assert not (tmp_path / "s.svg").exists()
