"""Aggregate ops that read rows (first, last, argmin, argmax) and the centred rolling mean.

Each is computed twice: in Python ahead of Vega (data/evaluate.py: axes, legends, checks) and by
Vega from the compiled Vega-Lite. The tests draw the result as points, read their values back
from the rendered SVG through the axis' own ticks, and compare both with the values worked out
by hand, so the two computations cannot drift apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_specs, built_vegalite, write_tree
from svgchart import parse_svg

from chartspec.data.evaluate import evaluate
from chartspec.spec.transforms import Aggregate, AggregateOp, Rolling

# Three epochs of three steps; epoch 3 has a missing loss (skipped by argmin, kept by last).
ROWS = "epoch,step,loss\n1,1,3.0\n1,2,2.5\n1,3,2.7\n2,4,2.2\n2,5,2.4\n2,6,1.9\n3,7,1.8\n3,8,1.6\n3,9,\n"
AGGREGATE = """\
transform:
  - aggregate:
      - {op: first, field: loss, as: first_loss}
      - {op: last, field: loss, as: last_loss}
      - {op: argmin, field: loss, value: step, as: best_step}
      - {op: argmax, field: loss, as: worst_loss}
    groupby: [epoch]
"""
EXPECTED = {"first_loss": [3.0, 2.2, 1.8], "last_loss": [2.7, 1.9, None], "best_step": [2, 6, 8],
            "worst_loss": [3.0, 2.4, 1.8]}


def _drawn(tmp_path: Path, x: str, field: str, transform: str) -> tuple[list[float], dict]:  # type: ignore[type-arg]
    """The y values of a point layer of ``field``, read from the SVG in x order, and the Vega-Lite."""
    spec = (f"data: d.csv\nx: {{field: {x}, title: X}}\n{transform}"
            f"layers:\n  - {{mark: point, y: {{field: {field}, title: Y, nice: false}}}}\n")
    src = write_tree(tmp_path / field, {"chart.yaml": spec, "d.csv": ROWS})
    out = build_specs(tmp_path / f"out_{field}", [src / "chart.yaml"], "svg,json", "-j", "0")
    chart = parse_svg(out / "chart.svg")
    y = chart.axis("Y").scale()
    points = sorted(chart.by_role("mark", "symbol"), key=lambda p: p.x)
    return [y.value(p.y) for p in points], built_vegalite(out, "chart")


@pytest.mark.parametrize("field", sorted(EXPECTED))
def test_row_ops_drawn_by_vega(tmp_path: Path, field: str) -> None:
    values, vl = _drawn(tmp_path, "epoch", field, AGGREGATE)
    # a missing value draws no point; values read through the axis ticks, to a fraction of a pixel
    assert values == pytest.approx([v for v in EXPECTED[field] if v is not None], abs=0.02)
    assert vl["layer"][0]["transform"][0]["aggregate"]  # Vega computes it, from the compiled transform


def test_row_ops_evaluated_ahead_of_vega() -> None:
    rows = [dict(zip(("epoch", "step", "loss"), line.split(","))) for line in ROWS.splitlines()[1:]]
    typed = [{"epoch": int(r["epoch"]), "step": int(r["step"]), "loss": float(r["loss"]) if r["loss"] else None}
             for r in rows]
    ops = (AggregateOp("first", "loss", "first_loss"), AggregateOp("last", "loss", "last_loss"),
           AggregateOp("argmin", "loss", "best_step", value="step"), AggregateOp("argmax", "loss", "worst_loss",
                                                                                 value="loss"))
    out = evaluate(typed, (Aggregate(ops, ("epoch",), ()),), "epoch", {})
    assert out is not None
    for field, wanted in EXPECTED.items():
        assert [r[field] for r in out] == wanted, field


ROLLING_ROWS = [{"step": i, "loss": float(v)} for i, v in enumerate([1, 2, 3, 4, 5, 6])]


@pytest.mark.parametrize(("window", "center", "wanted"), [
    (3, False, [1, 1.5, 2, 3, 4, 5]),  # trailing: this row and the two before
    (3, True, [1.5, 2, 3, 4, 5, 5.5]),  # centred: one before, one after
    (4, True, [1.5, 2, 2.5, 3.5, 4.5, 5]),  # even window: two before, one after (pandas' rolling(4, center=True))
])
def test_rolling_window_frames(window: int, center: bool, wanted: list[float]) -> None:
    out = evaluate(ROLLING_ROWS, (Rolling("loss", window, "avg", (), (), center=center),), "step", {})
    assert out is not None and [r["avg"] for r in out] == wanted


def test_centred_rolling_drawn_by_vega(tmp_path: Path) -> None:
    transform = "transform:\n  - rolling: {field: loss, window: 3, center: true, as: avg}\n"
    values, vl = _drawn(tmp_path, "step", "avg", transform)
    assert vl["layer"][0]["transform"][0]["frame"] == [-1, 1]
    # steps 1..9, loss missing at 9: means of the rows around each step that hold a number
    losses = [3.0, 2.5, 2.7, 2.2, 2.4, 1.9, 1.8, 1.6, None]
    wanted = []
    for i in range(9):
        frame = [v for v in losses[max(0, i - 1): i + 2] if v is not None]
        wanted.append(sum(frame) / len(frame))
    assert values == pytest.approx(wanted, abs=0.01)
