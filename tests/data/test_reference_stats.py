"""Data-driven reference lines (``hline: {aggregate: mean, field: loss}``), data/refvalues.py.

The value is a statistic of the rows the layer plots, after its transforms, from every row: in
Python for a table drawn whole, in the engine before the reduction for a large one (whose kept
rows have another mean). Read back from the SVG: the rule sits at the value mapped by the axis and
its label writes it.
"""

from __future__ import annotations

import statistics
from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from conftest import build_specs, write_tree
from svgchart import parse_svg

import chartspec

ROWS = "step,loss,split\n" + "".join(f"{s},{round(3 / (1 + s / 20) + (s % 7) * 0.05, 4)},{'eval' if s % 2 else 'train'}\n"
                                     for s in range(0, 200, 5))


def _losses(split: str | None = None) -> list[float]:
    rows = [line.split(",") for line in ROWS.splitlines()[1:]]
    return [float(r[1]) for r in rows if split is None or r[2] == split]


def test_the_rule_is_drawn_at_the_mean_of_the_plotted_rows(tmp_path: Path) -> None:
    spec = ("data: runs.csv\nx: {field: step, title: Step}\nlayers:\n"
            "  - {name: eval, y: {field: loss, title: Loss}, transform: [{filter: {field: split, equal: eval}}]}\n"
            "annotations:\n  - {hline: {aggregate: mean, field: loss, layer: eval}}\n"
            "  - {hline: {aggregate: q3}, label: 'q3: {value}'}\n")
    src = write_tree(tmp_path / "src", {"chart.yaml": spec, "runs.csv": ROWS})
    chart = parse_svg(build_specs(tmp_path / "out", [src / "chart.yaml"], "svg", "-j", "0") / "chart.svg")
    mean = statistics.fmean(_losses("eval"))  # after the layer's filter: eval rows only
    q3 = float(np.quantile(_losses("eval"), 0.75))
    assert abs(mean - statistics.fmean(_losses())) > 0.01  # the filter matters
    y = chart.axis("Loss").scale()
    rules = sorted(chart.by_role("mark", "rule"), key=lambda r: -r.y)  # lower on screen = smaller value
    assert len(rules) == 2 and all(r.is_horizontal for r in rules)
    px = abs(y.slope)  # the value of one pixel: Vega draws rules on the half pixel, crisp
    assert abs(y.value(rules[0].line_ends()[0][1]) - mean) < px
    assert abs(y.value(rules[1].line_ends()[0][1]) - q3) < px
    labels = chart.texts("mark")
    assert f"mean loss {mean:.4g}" in labels and f"q3: {q3:.4g}" in labels


def test_a_file_beyond_the_reduction_gets_the_exact_mean(tmp_path: Path) -> None:
    n = 30_000
    rng = np.random.default_rng(7)
    loss = np.round(np.exp(-np.arange(n) / 5000) + 0.3 * rng.standard_normal(n) ** 2, 6)
    text = "step,loss\n" + "".join(f"{i},{v}\n" for i, v in enumerate(loss))
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": text, "chart.yaml": (
        "data: run.csv\nwidth: 200\nx: {field: step}\ntransform: [{filter: {field: step, gte: 1000}}]\n"
        "layers:\n  - {y: {field: loss}}\n"
        "annotations:\n  - {hline: {aggregate: mean}}\n  - {hline: {aggregate: median}}\n"
        "  - {hline: {aggregate: q1}}\n")})
    spec = chartspec.load(tmp_path / "chart.yaml")
    assert spec.table.reduced_from == n and len(spec.table.rows) < n / 3
    kept = [r["loss"] for r in spec.table.rows if r["step"] >= 1000]
    full = loss[1000:]
    mean, median, q1 = (a.y[0] for a in spec.model.annotations)
    assert mean == pytest.approx(full.mean(), rel=1e-11) and abs(statistics.fmean(kept) - full.mean()) > 1e-3
    assert median == pytest.approx(np.median(full), rel=1e-11)
    assert q1 == pytest.approx(np.quantile(full, 0.25), rel=1e-11)


@pytest.mark.parametrize(("n", "suffix"), [(40, "csv"), (40, "parquet"), (30_000, "csv")],
                         ids=["rows", "engine-whole", "engine-reduced"])
def test_a_resumed_run_counts_only_the_rows_its_line_draws(tmp_path: Path, n: int, suffix: str) -> None:
    # a crash at step n-1 after diverging (the last quarter far up), resumed from the checkpoint at
    # n/2: the line draws the resumed rows for steps n/2.. (duplicates: last), so the statistics
    # must not see the diverged rows they replaced; the layer's filter drops steps below n/10
    rng = np.random.default_rng(3)
    first = np.round(1 + rng.random(n) + np.where(np.arange(n) >= 3 * n // 4, 50.0, 0.0), 6)
    again = np.round(1 + rng.random(n), 6)
    steps = np.concatenate([np.arange(n), np.arange(n // 2, n // 2 + n)])
    text = "step,loss\n" + "".join(f"{s},{v}\n" for s, v in zip(steps, np.concatenate([first, again])))
    write_tree(tmp_path, {"chartspec.toml": "", "run.csv": text, "chart.yaml": (
        f"data: run.{suffix}\nwidth: 200\nx: {{field: step}}\nlayers:\n"
        f"  - {{name: L, y: {{field: loss}}, transform: [{{filter: {{field: step, gte: {n // 10}}}}}]}}\n"
        "annotations:\n  - {hline: {aggregate: mean, layer: L}}\n  - {hline: {aggregate: max, layer: L}}\n"
        "  - {hline: {aggregate: median, layer: L}}\n")})
    if suffix == "parquet":  # read by the data engine (its steps rules), drawn whole
        pq.write_table(pacsv.read_csv(tmp_path / "run.csv"), tmp_path / "run.parquet")
    spec = chartspec.load(tmp_path / "chart.yaml")
    assert bool(spec.table.reduced_from) == (n > 1000)  # the engine's statistics, or Python's
    drawn = np.concatenate([first[n // 10:n // 2], again])
    mean, top, median = (a.y[0] for a in spec.model.annotations)
    assert mean == pytest.approx(drawn.mean(), rel=1e-11) and top == pytest.approx(drawn.max(), rel=1e-11)
    assert median == pytest.approx(np.median(drawn), rel=1e-11) and top < 10  # not a replaced, diverged row


@pytest.mark.parametrize(("hline", "where", "message", "hint"), [
    ("{aggregate: mean, layer: evl}", "6:38", "hline: no layer is named 'evl'", "did you mean 'eval'?"),
    ("{aggregate: mean, field: los}", "6:38", "cannot compute the mean of 'los' in layer 'eval'",
     "did you mean 'loss'?"),
    ("{aggregate: max, field: split}", "6:37", "the layer plots no numbers in 'split'", "name a numeric column"),
    ("{aggregate: average}", "6:25", "", "mean"),
])
def test_misuse_is_a_positioned_error_with_a_hint(tmp_path: Path, run_cli, hline: str, where: str,  # type: ignore[no-untyped-def]
                                                  message: str, hint: str) -> None:
    spec = ("data: runs.csv\nx: {field: step}\nlayers:\n  - {name: eval, y: {field: loss}}\n"
            f"annotations:\n  - {{hline: {hline}}}\n")
    src = write_tree(tmp_path, {"chart.yaml": spec, "runs.csv": ROWS})
    result = run_cli("validate", str(src / "chart.yaml"))
    out = result.stdout + result.stderr
    assert result.returncode == 1
    assert f"chart.yaml:{where}: error: " in out and message in out and hint in out and "Traceback" not in out


def test_gallery_range_area_with_its_mean_line(tmp_path: Path) -> None:
    """specs/marks_range_area_mean_line.yaml: the seeds' range filled with no line on top, and a
    rule at the mean of the per-step means (after the layer's aggregate)."""
    import csv

    from conftest import SPECS

    out = build_specs(tmp_path, [SPECS / "marks_range_area_mean_line.yaml"], "svg", "-j", "0")
    chart = parse_svg(out / "marks_range_area_mean_line.svg")
    rows = list(csv.DictReader((SPECS / "data" / "seed_rewards.csv").open(encoding="utf-8")))
    steps = sorted({float(r["step"]) for r in rows})
    means = [statistics.fmean(float(r["reward"]) for r in rows if float(r["step"]) == s) for s in steps]
    (area,) = chart.by_role("mark", "area")
    assert area.stroke is None and len(area.vertices()) == 2 * len(steps)
    y = chart.axis("Episode reward").scale()
    (red,) = [r for r in chart.by_role("mark", "rule") if r.stroke == "#d62728"]
    assert abs(y.value(red.line_ends()[0][1]) - statistics.fmean(means)) < abs(y.slope)
    assert f"average reward {statistics.fmean(means):.4g}" in chart.texts("mark")


@pytest.mark.parametrize("large", [False, True])
@pytest.mark.parametrize("scale", ["linear", "log"])
def test_rows_without_an_x_or_off_a_log_scale_are_not_counted(tmp_path: Path, large: bool, scale: str) -> None:
    """Rows with no step are never drawn, nor values at or below zero on a log y: a mean over them
    read 169.2 where the drawn rows give 3.1 (linear) or 4.5 (log), on both paths."""
    n = 40_000 if large else 10  # past the engine's threshold (2 MB) only as Parquet: written below
    loss = [(-5 if s % 10 == 0 else 0 if s % 10 == 1 else s % 10 - 1) for s in range(n)]
    table = {"step": [*range(n), None, None], "loss": [*loss, 1000, 1000]}
    drawn = [v for v in loss if v > 0 or scale == "linear"]
    files = {"chart.yaml": ("data: runs.parquet\nx: {field: step}\n"
                            f"layers: [{{name: L, y: {{field: loss, scale: {scale}}}}}]\n"
                            "annotations:\n  - {hline: {aggregate: mean, layer: L}, label: 'mean {value}'}\n"
                            "  - {hline: {aggregate: max, layer: L}, label: 'max {value}'}\n")}
    src = write_tree(tmp_path / "src", files)
    import pyarrow as pa

    pq.write_table(pa.table(table), src / "runs.parquet")
    spec = chartspec.load(src / "chart.yaml")
    assert bool(spec.table.reduced_from) == large
    means = [a.y[0] for a in spec.model.annotations]
    assert means == pytest.approx([statistics.fmean(drawn), max(drawn)])


def test_an_hline_on_a_layer_its_filter_leaves_empty_is_a_note(tmp_path: Path) -> None:
    """A sweep's run 'c' not started yet: its layer draws nothing, and an hline at its mean failed
    the whole chart ('the layer plots no numbers'); a metric not logged yet was already a note."""
    src = write_tree(tmp_path / "src", {"runs.csv": ROWS, "chart.yaml": (
        "data: runs.csv\nx: {field: step}\nlayers:\n  - {name: T, y: {field: loss}}\n"
        "  - {name: C, y: {field: loss}, transform: [{filter: {field: split, equal: test}}]}\n"
        "annotations:\n  - {hline: {aggregate: mean, layer: C}}\n  - {hline: {aggregate: max, layer: T}}\n")})
    spec = chartspec.load(src / "chart.yaml")
    [note] = [n for n in spec.notes if "hline" in n.message]
    assert "layer 'C' draws no value of it yet" in note.message and (note.line, note.column) == (7, 25)
    assert [a.y[0] for a in spec.model.annotations] == [max(_losses())]


@pytest.mark.parametrize("large", [False, True])
def test_rows_without_a_colour_or_a_layer_left_empty_agree_on_both_paths(tmp_path: Path, large: bool) -> None:
    """A row with no series colour is not drawn (it counted: 'max loss 1000' over points all at 1),
    and a layer its filter leaves empty is a note on large data too (it failed the chart there)."""
    import pyarrow as pa

    n = 30_000 if large else 20
    table = pa.table({"step": list(range(n)), "run": ["a"] * (n - 2) + [None, None],
                      "loss": [1.0] * (n - 2) + [1000.0, 1000.0]})
    src = write_tree(tmp_path / "src", {"chart.yaml": (
        "data: d.parquet\nx: {field: step}\nlayers:\n  - {name: L, y: {field: loss}, color: {field: run}}\n"
        "  - {name: E, y: {field: loss}, transform: [{filter: {field: loss, lt: 0}}]}\n"
        "annotations:\n  - {hline: {aggregate: max, layer: L}}\n  - {hline: {aggregate: mean, layer: E}}\n")})
    pq.write_table(table, src / "d.parquet")
    spec = chartspec.load(src / "chart.yaml")
    assert bool(spec.table.reduced_from) == large
    assert [a.y[0] for a in spec.model.annotations] == [1.0]
    assert any("layer 'E' draws no value of it yet" in n.message for n in spec.notes)
