"""A colour field a calculate makes NaN or infinite on some rows: drawn as the series Vega names.

Vega-Lite names each row's series with ``toString``: ``1/0`` is the series 'Infinity', ``0/0`` the
series 'NaN'. The evaluated rows held those values as missing, so the colour domain lacked the
names and Vega drew their lines in no colour at all (a third of the data invisible, no word of
it), on the small path (rows read in Python) and the large one (the engine, then the reduction)
alike. Now they are series of those names in colours of their own, and a note at the calculate
says where they came from.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import RunCli, write_tree
from svgchart import parse_svg

SPEC = """\
title: Non-finite runs
data: data/d.csv
transform:
  - calculate: "{expr}"
    as: run
x: {{field: step}}
layers:
  - y: {{field: loss}}
    color: {{field: run}}
"""


def _project(root: Path, expr: str, rows: int) -> Path:
    lines = ["step,loss,zero"] + [f"{i},{1 / (i + 1):.6f},{i % 3}" for i in range(rows)]
    return write_tree(root, {"chartspec.toml": 'formats = ["svg"]\n', "specs/data/d.csv": "\n".join(lines) + "\n",
                             "specs/c.yaml": SPEC.format(expr=expr)})


@pytest.mark.parametrize("rows", [12, 20_000], ids=["python", "engine"])
@pytest.mark.parametrize("expr, names", [
    ("1/datum.zero", ["0.5", "1", "Infinity"]),
    ("datum.zero == 0 ? 0/0 : datum.zero", ["1", "2", "NaN"]),
    ("datum.zero == 0 ? -1/0 : datum.zero == 1 ? 0/0 : 1/0", ["-Infinity", "Infinity", "NaN"]),
])
def test_every_series_is_drawn_in_a_colour_of_its_own_and_noted(tmp_path: Path, run_cli: RunCli, rows: int,
                                                                 expr: str, names: list[str]) -> None:
    root = _project(tmp_path, expr, rows)
    proc = run_cli("build", "specs", cwd=root)
    assert proc.returncode == 0, proc.stderr
    chart = parse_svg(root / "build" / "c.svg")
    (legend,) = chart.legends
    assert sorted(label for label, _ in legend.entries) == sorted(names)
    colors = {label: symbol.stroke for label, symbol in legend.entries}
    assert len(set(colors.values())) == 3 and None not in colors.values()
    (lines,) = chart.mark_groups("line").values()
    assert len(lines) == 3 and {line.stroke for line in lines} == set(colors.values())  # none without a stroke
    odd = [n for n in names if n in ("NaN", "Infinity", "-Infinity")]
    message = re.search(r"specs/c\.yaml:4:16: note: the colour field 'run' of layer 'loss' is not a finite "
                        r"number here: (.*); drawn as series of those names\n", proc.stdout + proc.stderr)
    assert message is not None, proc.stdout + proc.stderr
    assert re.findall(r"'(-?\w+)'", message.group(1)) == [n for n in ("NaN", "Infinity", "-Infinity") if n in odd]
    if rows == 12:  # counted where every row is known; a reduced table's kept rows would mislead
        assert all("on 4 rows" in part for part in message.group(1).split(" and "))
    assert "hint: to leave those rows out instead, give them no value (isFinite(x) ? x : null)" in proc.stdout + proc.stderr


def test_a_finite_calculated_series_gets_no_note(tmp_path: Path, run_cli: RunCli) -> None:
    root = _project(tmp_path, "datum.zero + 1", 12)
    proc = run_cli("build", "specs", cwd=root)
    assert proc.returncode == 0 and "note" not in proc.stdout + proc.stderr
