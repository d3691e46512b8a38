"""Layers drawing from one reduced table (compiler/layers.py): each gets its own rows.

A reduced table shared by several layers carries which layers keep each row (``__layers``). A
chart without a facet hands each layer only its rows (``data`` on the layer), so Vega ingests and
filters no row a layer does not draw; a faceted chart keeps the shared table, which the facet
splits into panels, and a filter per layer. Both must draw the same picture.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import assert_valid_vega_lite, write_tree

import chartspec
from chartspec.compiler import chart as compiled_chart
from chartspec.compiler import layers as compiled_layers
from chartspec.compiler.interactive import LAYER_NAME, static_view
from chartspec.data.reduce import LAYER_MASK
from chartspec.render.export import render

N = 6_000  # rows; a 100 px chart reduces anything beyond 4 x 5 x 100 = 2,000
BODY = ("data: run.csv\nwidth: 100\nheight: 80\nx: {field: step}\n{facet}layers:\n"
        "  - {mark: line, name: Loss, y: {field: loss}}\n"
        "  - {mark: line, name: Reward, y: {field: reward}}\n")


def _spec(tmp_path: Path, facet: str = "") -> Any:
    rng = np.random.default_rng(3)
    step = np.arange(N)
    loss = np.round(2 * np.exp(-step / 2000) + 0.1 * rng.standard_normal(N), 5)
    reward = np.round(step / 100 + 3 * rng.standard_normal(N), 4)
    loss[N // 3], reward[2 * N // 3] = 9.0, 500.0  # one spike in each, one sample wide
    split = np.where(step % 2 == 0, "train", "val")
    lines = ["step,loss,reward,split", *(f"{s},{a},{b},{c}" for s, a, b, c in zip(step, loss, reward, split))]
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": "\n".join(lines) + "\n",
                          "chart.yaml": BODY.replace("{facet}", facet)})
    return chartspec.load(tmp_path / "chart.yaml")


def _units(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return ([node] if "mark" in node else []) + [u for k, v in node.items() if k != "data" for u in _units(v)]
    return [u for item in node for u in _units(item)] if isinstance(node, list) else []


def _masked(spec: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The chart compiled the other way: one shared table and a filter on the mask per layer."""
    with monkeypatch.context() as m:
        m.setattr(compiled_layers, "split_layers", lambda spec, table: False)
        m.setattr(compiled_chart, "split_layers", lambda spec, table: False)
        return chartspec.to_vegalite(spec)


def test_each_layer_of_a_reduced_table_carries_only_its_own_rows(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    spec = _spec(tmp_path)
    assert spec.table.reduced_from == N and LAYER_MASK in spec.table.columns
    vl = chartspec.to_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert "data" not in vl
    loss, reward = (u for u in _units(vl["layer"]) if u.get("name") != LAYER_NAME and "data" in u
                    and u["mark"]["type"] == "line")
    for unit, field, bit in ((loss, "loss", 1), (reward, "reward", 2)):
        rows = unit["data"]["values"]
        want = [{k: v for k, v in r.items() if k != LAYER_MASK} for r in spec.table.rows if r[LAYER_MASK] & bit]
        assert rows == want and 0 < len(rows) < len(spec.table.rows)
        assert LAYER_MASK not in str(unit.get("transform"))  # no filter on the mask left
        assert max(r[field] for r in rows) == {"loss": 9.0, "reward": 500.0}[field]  # the spike is there
    # the static picture is the one the shared table with a filter per layer draws, byte for byte
    masked = _masked(spec, monkeypatch)
    assert "data" in masked and any(LAYER_MASK in str(u.get("transform")) for u in _units(masked["layer"]))
    assert render(vl, ["svg"])["svg"] == render(masked, ["svg"])["svg"]


def test_the_hover_layer_keeps_its_own_table(tmp_path: Path) -> None:
    vl = chartspec.to_vegalite(_spec(tmp_path))
    hover = [item for item in vl["layer"] if item.get("name") == LAYER_NAME]
    assert len(hover) == 1 and len(hover[0]["data"]["values"]) > 100
    assert all("data" in unit for unit in _units(static_view(vl)["layer"]))  # no layer left without rows


def test_a_faceted_chart_keeps_the_shared_table_and_its_filters(tmp_path: Path) -> None:
    spec = _spec(tmp_path, facet="facet: {field: split}\n")
    vl = chartspec.to_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert any(LAYER_MASK in row for row in vl["data"]["values"])
    lines = [u for u in _units(vl["spec"]["layer"]) if u["mark"]["type"] == "line"]
    assert len(lines) == 2 and all(LAYER_MASK in str(u["transform"]) and "data" not in u for u in lines)
