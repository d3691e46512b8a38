"""A layer whose filters keep no row draws nothing: the build says so in a note, and an axis with
nothing on it is not described as "values from NaN to NaN" (a line) or "from Infinity to
-Infinity" (a band) in the SVG that screen readers read."""

from __future__ import annotations

from pathlib import Path

from conftest import RunCli, write_tree
from svgchart import parse_svg

CSV = "step,seed,reward,lo,hi\n0,0,1,0.5,1.5\n1,0,2,1.5,2.5\n2,0,3,2.5,3.5\n"
BAND = ("  - mark: errorband\n    name: band\n    y: {field: reward, axis: b}\n    band: {lower: lo, upper: hi}\n"
        "    transform:\n      - filter: {field: seed, equal: 5}\n")
LINE = "  - mark: line\n    name: gone\n    y: {field: reward, axis: c}\n    transform: [{filter: datum.seed > 3}]\n"
DRAWN = "  - mark: line\n    name: reward\n    y: {field: reward, title: Reward}\n"


def _build(tmp_path: Path, run_cli: RunCli, layers: str, head: str = "") -> tuple[str, str]:
    write_tree(tmp_path, {"d.csv": CSV, "c.yaml": f"data: d.csv\nx: {{field: step}}\n{head}layers:\n{layers}"})
    proc = run_cli("build", "-j", "0", "-f", "svg", "c.yaml", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr, (tmp_path / "out" / "c.svg").read_text(encoding="utf-8")


def test_empty_band_and_line_layers_get_a_note_and_no_nan_axis(tmp_path: Path, run_cli: RunCli) -> None:
    stderr, svg = _build(tmp_path, run_cli, DRAWN + BAND + LINE)
    assert ("c.yaml:12:9: note: layer 'band' draws nothing: its transforms keep no row of d.csv "
            "with a value in 'reward'") in stderr
    assert ("c.yaml:16:17: note: layer 'gone' draws nothing: its transforms keep no row of d.csv "
            "with a value in 'reward'") in stderr
    assert "NaN" not in svg and "Infinity" not in svg
    chart = parse_svg(svg)
    described = [axis.aria_label for axis in chart.axes_all if axis.aria_label]
    assert described == ["X-axis titled 'step' for a linear scale with values from 0 to 2",
                         "Y-axis titled 'Reward' for a linear scale with values from 1.0 to 3.0"]  # the drawn ones
    assert chart.axis("Reward").label_texts[0] == "1.0"


def test_a_chart_whose_only_layers_draw_nothing_builds_without_nan(tmp_path: Path, run_cli: RunCli) -> None:
    stderr, svg = _build(tmp_path, run_cli, BAND, head="transform: [{filter: datum.step > 5}]\n")
    assert "c.yaml:3:13: note: layer 'band' draws nothing" in stderr  # the chart's filter: the first to drop rows
    assert "NaN" not in svg and "Infinity" not in svg


def test_layers_that_draw_get_no_note(tmp_path: Path, run_cli: RunCli) -> None:
    stderr, svg = _build(tmp_path, run_cli, DRAWN + BAND.replace("equal: 5", "equal: 0"))
    assert "note:" not in stderr
    assert len([a for a in parse_svg(svg).axes_all if a.aria_label]) == 3
