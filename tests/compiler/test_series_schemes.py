"""Colour schemes for series: ``color: {field: run, scheme: magma}`` colours the runs as Vega would.

The merged legend lists every series with its colour, so chartspec computes a scheme's colours
itself (compiler/schemes.py). These tests hold those colours to Vega's: the same runs drawn by
plain Vega-Lite with ``scale: {scheme}`` give the same legend colours, for every scheme; and a
chart built through the CLI draws its lines in them. A misspelt name is a positioned error.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import SPECS, build_specs, write_tree
from svgchart import parse_color, parse_svg

from chartspec.compiler.schemes import SCHEMES, scheme_colors

ROWS = "step,loss,run\n" + "".join(f"{s},{3 - s * 0.1 * (i + 1):.2f},run{i}\n" for i in range(4) for s in range(3))


def _vega_colors(scheme: str, count: int) -> list[tuple[int, int, int] | None]:
    """The legend colours plain Vega-Lite gives ``count`` nominal values with ``scheme``."""
    import vl_convert as vlc

    vl = {"data": {"values": [{"x": i, "run": f"r{i:02d}"} for i in range(count)]},
          "mark": {"type": "point", "filled": True},
          "encoding": {"x": {"field": "x", "type": "quantitative"},
                       "color": {"field": "run", "type": "nominal", "scale": {"scheme": scheme}}}}
    chart = parse_svg(vlc.vegalite_to_svg(vl))
    return [parse_color(symbol.fill) for _, symbol in chart.legends[0].entries]


def test_every_scheme_gives_vegas_colours() -> None:
    for scheme in sorted(SCHEMES):
        assert [parse_color(c) for c in scheme_colors(scheme, 5)] == _vega_colors(scheme, 5), scheme
    # a categorical scheme repeats past its length, a continuous one is sampled afresh
    assert [parse_color(c) for c in scheme_colors("set2", 11)] == _vega_colors("set2", 11)
    assert [parse_color(c) for c in scheme_colors("magma", 11)] == _vega_colors("magma", 11)


def test_the_schema_lists_every_scheme_and_only_those() -> None:
    schema = json.loads((SPECS.parent / "schemas" / "chartspec.schema.json").read_text(encoding="utf-8"))
    assert set(schema["$defs"]["colorByField"]["properties"]["scheme"]["enum"]) == SCHEMES


@pytest.mark.parametrize("scheme", ["magma", "set2"])
def test_runs_are_drawn_in_the_schemes_colours(tmp_path: Path, scheme: str) -> None:
    spec = ("data: runs.csv\nx: {field: step}\nlegend: {position: right}\n"
            f"layers:\n  - {{y: {{field: loss}}, color: {{field: run, scheme: {scheme}}}}}\n"
            "  - {name: Target, y: {field: loss, axis: loss}, mark: point}\n")
    src = write_tree(tmp_path / "src", {"chart.yaml": spec, "runs.csv": ROWS})
    out = build_specs(tmp_path / "out", [src / "chart.yaml"], "svg", "-j", "0")
    chart = parse_svg(out / "chart.svg")
    wanted = _vega_colors(scheme, 4)
    lines = sorted(chart.by_role("mark", "line"), key=lambda line: line.vertices()[-1][1])
    assert [parse_color(line.stroke) for line in lines] == wanted  # run0 ends highest (smallest pixel y)
    legend = dict(chart.legends[0].entries)
    assert list(legend) == ["run0", "run1", "run2", "run3", "Target"]
    assert [parse_color(legend[f"run{i}"].stroke) for i in range(4)] == wanted
    # the other layer keeps the palette colour of its position (the second): a scheme is the layer's own
    assert parse_color(legend["Target"].fill) == parse_color("#ff7f0e")


def test_a_misspelt_scheme_is_a_positioned_error_with_a_hint(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    spec = "data: runs.csv\nx: {field: step}\nlayers:\n  - {y: {field: loss}, color: {field: run, scheme: magam}}\n"
    src = write_tree(tmp_path, {"chart.yaml": spec, "runs.csv": ROWS})
    result = run_cli("validate", str(src / "chart.yaml"))
    assert result.returncode == 1
    assert "chart.yaml:4:52: error:" in result.stdout + result.stderr
    assert "did you mean 'magma'?" in result.stdout + result.stderr


def test_gallery_sweep_in_magma_with_each_runs_best_step(tmp_path: Path) -> None:
    """specs/series_scheme_best_step.yaml: seven runs in magma's colours, a centred rolling mean,
    and a diamond at the step of each run's lowest raw loss (argmin), drawn at that loss."""
    import csv

    out = build_specs(tmp_path, [SPECS / "series_scheme_best_step.yaml"], "svg", "-j", "0")
    chart = parse_svg(out / "series_scheme_best_step.svg")
    rows = list(csv.DictReader((SPECS / "data" / "lr_sweep_loss.csv").open(encoding="utf-8")))
    runs = sorted({r["run"] for r in rows})
    colors = dict(zip(runs, (parse_color(c) for c in scheme_colors("magma", len(runs)))))
    x, y = chart.axis("Training step").scale(), chart.axis("Training loss").scale()
    diamonds = chart.by_role("mark", "symbol")
    assert len(diamonds) == len(runs)
    for run in runs:
        best = min((r for r in rows if r["run"] == run), key=lambda r: float(r["loss"]))
        (mark,) = [d for d in diamonds if parse_color(d.fill) == colors[run]]
        assert abs(x.value(mark.x) - float(best["step"])) < 15 and abs(y.value(mark.y) - float(best["loss"])) < 0.01
    assert {parse_color(line.stroke) for line in chart.by_role("mark", "line")} == set(colors.values())
