"""Axes of tiny values. Vega's tick labels are fixed-point with at most 20 decimals: values of
2e-22 to 5e-22, or a constant 1e-300, read "0.00000000000000000000" on every tick and in the
axis' description. They now read in exponent notation ("2.5e-22", zero as "0"). Values closer
together than a float's smallest steps (1e-300 plus steps of 1e-310) failed Vega ("reading
'marktype'"): now drawn as one value, a flat axis widened around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree
from svgchart import parse_svg

SPEC = "data: d.csv\nx: {field: step}\nlayers: [{mark: %s, y: {field: v, title: V%s}}]\n"


def _build(tmp_path: Path, run_cli: RunCli, values: list[float], mark: str = "line", y: str = "") -> str:
    csv = "step,v\n" + "".join(f"{i},{v!r}\n" for i, v in enumerate(values))
    write_tree(tmp_path, {"d.csv": csv, "c.yaml": SPEC % (mark, y)})
    proc = run_cli("build", "-j", "0", "-f", "svg", "c.yaml", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return (tmp_path / "out" / "c.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize(("mark", "y", "labels"), [
    ("line", "", ["2e-22", "2.5e-22", "3e-22", "3.5e-22", "4e-22", "4.5e-22", "5e-22"]),
    ("line", ", tick_step: 1e-22", ["2e-22", "3e-22", "4e-22", "5e-22"]),
    ("bar", "", ["0", "5e-23", "1e-22", "1.5e-22", "2e-22", "2.5e-22", "3e-22", "3.5e-22", "4e-22", "4.5e-22",
                 "5e-22"]),
])
def test_tiny_values_get_exponent_labels(tmp_path: Path, run_cli: RunCli, mark: str, y: str,
                                         labels: list[str]) -> None:
    svg = _build(tmp_path, run_cli, [2e-22, 3e-22, 5e-22], mark, y)
    axis = parse_svg(svg).axis("V")
    assert axis.label_texts == labels
    assert axis.aria_label.endswith(f"from {labels[0]} to 5e-22")  # the description, as the labels ("0", not "0e+0")
    assert "0.0000" not in svg


@pytest.mark.parametrize("values", [[1e-300, 1e-300, 1e-300], [1e-300 + i * 1e-310 for i in range(3)]])
def test_a_constant_tiny_value_sits_mid_axis_on_readable_ticks(tmp_path: Path, run_cli: RunCli,
                                                                values: list[float]) -> None:
    chart = parse_svg(_build(tmp_path, run_cli, values))
    axis = chart.axis("V")
    texts = axis.label_texts
    assert len(set(texts)) == len(texts) >= 3 and "1e-300" in texts, texts
    (line,) = chart.by_role("mark", "line")
    ys = {round(y) for _, y in line.vertices()}
    assert len(ys) == 1 and abs(axis.scale().value(ys.pop()) - 1e-300) < 1e-302
