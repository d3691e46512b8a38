"""Text holding half a character past U+FFFF: a positioned error at the calculate that cut it.

JavaScript counts an emoji as two UTF-16 units, so ``substring('😀abc', 0, 1)`` keeps a lone
surrogate. vl-convert cannot measure such text: a label, legend entry or facet header of it failed
with "Failed to deserialize text info: unexpected end of hex escape" and no place in the spec (a
colour field of it, with "cannot evaluate ahead of Vega" at the colour field). Now each is an error
at the calculate, with a hint; the build goes on with the other specs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree
from svgchart import parse_svg

HEAD = "spec: data/{data}\ntransform:\n  - calculate: \"{expr}\"\n    as: lab\nx: {{field: step}}\n"
USES = {
    "label": "layers:\n  - y: {field: loss}\n  - {mark: text, name: labels, y: {field: loss}, text: lab}\n",
    "series": "layers:\n  - y: {field: loss}\n    color: {field: lab}\n",
    "facet": "facet: {field: lab}\nlayers:\n  - y: {field: loss}\n",
}
HINT = ("  hint: JavaScript counts a character past U+FFFF (an emoji) as two units: cut text at whole characters "
        "(substring(text, 0, 2) keeps all of '\U0001F600'), or leave such characters out of it\n")


def _project(root: Path, use: str, expr: str, rows: int) -> Path:
    lines = ["step,loss,name"] + [f"{i},{1 / (i + 1):.5f},r{i % 2}" for i in range(rows)]
    spec = HEAD.format(data="d.csv", expr=expr).replace("spec: ", "data: ") + USES[use]
    return write_tree(root, {"chartspec.toml": 'formats = ["svg", "png"]\n', "specs/data/d.csv": "\n".join(lines) + "\n",
                             "specs/bad.yaml": spec,
                             "specs/ok.yaml": "data: data/d.csv\nx: {field: step}\nlayers:\n  - y: {field: loss}\n"})


# 20,000 text labels would take a minute to draw: the engine path is taken by the series and the facet
@pytest.mark.parametrize("use, rows", [("label", 10), ("series", 10), ("facet", 10), ("series", 20_000),
                                       ("facet", 20_000)])
def test_half_an_emoji_is_an_error_at_the_calculate(tmp_path: Path, run_cli: RunCli, use: str, rows: int) -> None:
    root = _project(tmp_path, use, "substring('\U0001F600abc', 0, 1) + datum.name", rows)
    proc = run_cli("build", "specs", cwd=root)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    head = "cannot draw the chart" if use == "series" else "rendering svg failed"
    assert (f"specs/bad.yaml:3:16: error: {head}: this calculate cuts a character past U+FFFF in half, and text "
            "holding half a character cannot be drawn\n") in proc.stderr, proc.stderr
    assert HINT in proc.stderr
    assert parse_svg(root / "build" / "ok.svg").axes  # the other spec is built


def test_whole_emoji_are_drawn(tmp_path: Path, run_cli: RunCli) -> None:
    root = _project(tmp_path, "label", "substring('\U0001F600abc', 0, 2) + datum.name", 10)
    proc = run_cli("build", "specs", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "\U0001F600r1" in parse_svg(root / "build" / "bad.svg").texts("mark")


def test_a_cut_python_cannot_run_is_still_told_in_words(tmp_path: Path, run_cli: RunCli) -> None:
    root = _project(tmp_path, "label", "slice('\U0001F600abc', 1)", 10)  # slice: not run in Python
    proc = run_cli("build", "specs", cwd=root)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert ("specs/bad.yaml: error: rendering svg failed: a text to draw holds half a character past U+FFFF "
            "(an emoji cut in half by substring, slice or a regular expression), which cannot be drawn\n") in proc.stderr
    assert HINT in proc.stderr
