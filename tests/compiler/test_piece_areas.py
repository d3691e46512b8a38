"""An area over x with holes is drawn piece by piece, never imputed or stacked by its pieces.

steps.py numbers the pieces of a line broken at holes (``__piece_<i>``) and the compiler draws
them with Vega-Lite's ``detail`` channel. On an area Vega-Lite stacks by colour and detail, and
first imputes every piece to every x of the layer (value 0): 200 logging outages in 50,000 rows
made 10,000,000 rows, a 37 MB SVG in 45 s, and with ``reduce: false`` an engine out of memory.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import vl_convert as vlc
from conftest import RunCli, assert_valid_vega_lite, drawn_vegalite
from svgchart import parse_svg

import chartspec
from chartspec.compiler.imputes import imputes

#: five pieces of 40 steps each, 1,000 steps of nothing between them
PIECES, STEPS, HOLE = 5, 40, 1000


def _rows(runs: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"run": run, "step": p * (STEPS + HOLE) + s, "loss": 2.0 + r + 0.1 * (s % 3)}
            for r, run in enumerate(runs) for p in range(PIECES) for s in range(STEPS)]


def _vl(runs: tuple[str, ...], mark: str = "area") -> dict[str, Any]:
    layer: dict[str, Any] = {"mark": mark, "y": {"field": "loss"}}
    if len(runs) > 1:
        layer["color"] = {"field": "run"}
    spec = {"data": {"values": _rows(runs)}, "x": {"field": "step"}, "layers": [layer]}
    vl = drawn_vegalite(chartspec.loads(json.dumps(spec)))
    assert_valid_vega_lite(vl)
    return vl


def _transforms(vega: dict[str, Any]) -> list[str]:
    return [t["type"] for d in vega["data"] for t in d.get("transform", ())]


@pytest.mark.parametrize("runs", [("a",), ("a", "b")])
def test_pieces_of_an_area_are_neither_imputed_nor_stacked(runs: tuple[str, ...]) -> None:
    vl = _vl(runs)
    assert "__piece_0" in json.dumps(vl)  # the holes were found: the layer is drawn in pieces
    kinds = _transforms(vlc.vegalite_to_vega(vl))
    assert "impute" not in kinds and "stack" not in kinds, kinds


@pytest.mark.parametrize("runs", [("a",), ("a", "b")])
def test_each_piece_fills_its_own_steps_and_a_hole_stays_empty(runs: tuple[str, ...]) -> None:
    chart = parse_svg(vlc.vegalite_to_svg(_vl(runs)))
    areas = [i for i in chart.by_role("mark", "area") if i.tag == "path"]
    assert len(areas) == PIECES * len(runs)
    for area in areas:  # a top edge over the piece's own steps and the baseline back: no imputed xs
        assert len(area.vertices()) <= 2 * STEPS + 2, len(area.vertices())
    spans = sorted((min(x for x, _ in a.vertices()), max(x for x, _ in a.vertices())) for a in areas)
    starts = sorted({round(lo) for lo, _ in spans})
    assert len(starts) == PIECES  # each run's pieces start at the same steps: overlaid, not merged
    for (_, end), (start, _) in zip(spans[::len(runs)], spans[len(runs)::len(runs)]):
        assert start - end > 100, (end, start)  # the hole: a gap in the fill, not a fill at zero


def test_an_impute_beyond_the_limit_is_refused_not_drawn(tmp_path: Path, run_cli: RunCli) -> None:
    """Plain Vega-Lite stacking an area by a detail field: few inline rows, groups x steps imputed."""
    rows = [{"step": i, "piece": i // 2, "loss": 1.0} for i in range(2000)]  # 1,000 pieces x 2,000 steps
    vl = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "data": {"values": rows},
          "mark": "area", "encoding": {"x": {"field": "step", "type": "quantitative"},
                                       "y": {"field": "loss", "type": "quantitative"},
                                       "detail": {"field": "piece", "type": "quantitative"}}}
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "a.vl.json").write_text(json.dumps(vl, indent=1))
    done = run_cli("build", "specs", "-o", "out", "-f", "svg", cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "impute here fills 1,000 groups out to 2,000 x values: 2,000,000 rows" in done.stdout + done.stderr
    assert "specs/a.vl.json:" in done.stdout + done.stderr
    assert "stack: null" in done.stdout + done.stderr  # Vega-Lite's own impute, for the stack
    assert not (tmp_path / "out" / "a.svg").exists()


def test_an_explicit_impute_beyond_the_limit_is_told_to_impute_less(tmp_path: Path, run_cli: RunCli) -> None:
    """An impute transform the spec wrote: 'stack: null' does not apply to it (breaker16 #8)."""
    rows = [{"step": i, "run": i // 2, "loss": 1.0} for i in range(2000)]  # 1,000 runs x 2,000 steps
    vl = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "data": {"values": rows},
          "transform": [{"impute": "loss", "key": "step", "groupby": ["run"]}], "mark": "line",
          "encoding": {"x": {"field": "step", "type": "quantitative"}, "y": {"field": "loss", "type": "quantitative"},
                       "color": {"field": "run", "type": "nominal"}}}
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "a.vl.json").write_text(json.dumps(vl))
    done = run_cli("build", "specs", "-o", "out", "-f", "svg", cwd=tmp_path, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "impute here fills 1,000 groups" in done.stdout + done.stderr
    assert "impute fewer groups or x values" in done.stdout + done.stderr and "stack: null" not in done.stdout


def test_impute_counts_groups_by_what_a_calculate_reads() -> None:
    rows = [{"x": i, "run": f"r{i % 3}"} for i in range(10)]
    vl = {"data": {"values": rows}, "transform": [{"calculate": "'run ' + datum.run", "as": "s"},
                                                 {"calculate": "\"loss\"", "as": "one"}],
          "layer": [{"mark": "area", "encoding": {"x": {"field": "x", "type": "quantitative"},
                                                  "y": {"field": "y", "type": "quantitative"},
                                                  "color": {"field": s, "type": "nominal"}}} for s in ("s", "one")]}
    assert [(i.path, i.groups, i.keys, i.rows) for i in imputes(vl)] == [
        (("layer", 0, "mark"), 3, 10, 30), (("layer", 1, "mark"), 1, 10, 10)]
    vl["layer"][0]["encoding"]["y"]["stack"] = None  # unstacked: nothing imputed
    assert [i.path for i in imputes(vl)] == [("layer", 1, "mark")]
