"""The reduction's pixel columns span the x range Vega draws (data/xmap.py), not the table's.

Vega computes the x domain from the rows the layers' filters keep, or takes a given one; cut on the
whole table's extent instead, a filter keeping a tenth of the steps left the kept rows a tenth
of the columns, and a domain narrower than the data drew the whole table. Same chart shape as
test_reduce_fidelity.py: 200 px wide, 66 rows a pixel; any channel differing counts.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree
from fidelity import full_pngs, image

import chartspec

WIDTH = 200
N = 66 * WIDTH


def _write(tmp_path: Path, x: str, layers: str, top: str = "") -> None:
    rng = np.random.default_rng(5)
    step = np.arange(N)
    loss = 2 * np.exp(-step / (N / 4)) + 0.15 * rng.standard_normal(N)
    loss[[N // 20, N // 2 + 7]] = [5.0, 4.0]  # spikes: one in the filtered range, one in the domain
    epoch = step * 10 // N
    lines = ["step,epoch,loss", *(f"{s},{e},{v:.5f}" for s, e, v in zip(step, epoch, loss))]
    body = f"width: {WIDTH}\nheight: 300\ndata: run.csv\nx: {x}\n{top}layers:\n{layers}"
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "\n".join(lines) + "\n",
                          "reduced.yaml": body, "full.yaml": "reduce: false\n" + body})


def _labels(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def _differ(tmp_path: Path) -> float:
    """The share of PNG pixels differing from the full chart's; also checks both draw the same axes."""
    full_spec = chartspec.load(tmp_path / "full.yaml")
    reduced = image(chartspec.save(tmp_path / "reduced.yaml", tmp_path / "reduced.png").read_bytes())
    full = full_pngs(tmp_path / "full.yaml")(1)
    assert full.shape == reduced.shape
    assert _labels(chartspec.save(tmp_path / "reduced.yaml", tmp_path / "reduced.svg").read_text()) == \
        _labels(chartspec.save(full_spec, tmp_path / "full.svg").read_text())  # the same ticks on both axes
    return float(np.any(full != reduced, axis=2).mean())


@pytest.mark.parametrize("layers, top", [
    ("  - {mark: line, y: {field: loss}}\n", f"transform: [{{filter: {{field: step, lt: {N // 10}}}}}]\n"),
    # a filter on a field that goes with x (an expression the engine runs)
    ("  - {mark: line, y: {field: loss}, transform: [{filter: 'datum.epoch < 1'}]}\n", ""),
])
def test_a_filter_narrowing_x_gets_the_columns_of_the_range_it_keeps(tmp_path: Path, layers: str, top: str) -> None:
    _write(tmp_path, "{field: step}", layers, top)
    assert chartspec.load(tmp_path / "reduced.yaml").table.reduced_from == N  # the reduction did run
    differ = _differ(tmp_path)
    assert differ < 0.005, f"{differ:.3%} of pixels differ"  # 1.07 % on the whole table's columns


def test_a_domain_narrower_than_the_data_is_cut_within_it(tmp_path: Path) -> None:
    """Rows beyond the domain count only for the segments entering and leaving the plot and for
    y's domain: the rest of the table is not handed to Vega (it was, whole)."""
    _write(tmp_path, f"{{field: step, domain: [{2 * N // 5}, {3 * N // 5}]}}", "  - {mark: line, y: {field: loss}}\n")
    spec = chartspec.load(tmp_path / "reduced.yaml")
    assert spec.table.reduced_from == N and len(spec.table.rows) < N / 3, len(spec.table.rows)
    xs = [row["step"] for row in spec.table.rows]
    assert sum(x < 2 * N // 5 for x in xs) < 10 and sum(x > 3 * N // 5 for x in xs) < 10  # a few rows each side
    assert max(row["loss"] for row in spec.table.rows) == 5.0  # the spike beyond the domain still sets y's
    differ = _differ(tmp_path)
    assert differ < 0.005, f"{differ:.3%} of pixels differ"

