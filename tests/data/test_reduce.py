"""The reduction (data/reduce.py): M4 per series and pixel column, computed in the engine.

Each test checks the reduced rows against an M4 computed here independently, in numpy, from the
full data: per series and sub-column the rows with the smallest and largest y, and per pixel
(SUBPIXELS sub-columns at scale 1) the rows with the first and last x must all be kept, and the
extents of every drawn field must equal the full data's.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree

import chartspec
from chartspec.compiler.interactive import LAYER_NAME
from chartspec.data import reduce
from chartspec.data.reduce import LAYER_MASK, MAX_DRAWN_ROWS, SUBPIXELS
from chartspec.errors import ChartspecError

WIDTH = 200  # a narrow chart: few pixel columns, so a few thousand rows already get reduced


def _csv(path: Path, columns: dict[str, np.ndarray], fmt: dict[str, str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    names = list(columns)
    n = len(next(iter(columns.values())))
    with path.open("w") as f:
        f.write(",".join(names) + "\n")
        cells = [[(fmt or {}).get(c, "{}").format(v) for v in columns[c]] for c in names]
        f.write("\n".join(",".join(row) for row in zip(*cells)) + "\n")
    assert n > 0


def _curve(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.round(2.0 * np.exp(-np.arange(n) / (n / 3)) + 0.2 * rng.standard_normal(n), 6)


def _expected(x: np.ndarray, ys: list[np.ndarray], columns: int, mapped: np.ndarray | None = None,
              domain: tuple[float, float] | None = None, group: int = SUBPIXELS) -> set[int]:
    """Row indices M4 must keep: per sub-column the min/max of each y, per ``group`` sub-columns
    (a pixel) the first/last x."""
    m = x.astype(float) if mapped is None else mapped
    lo, hi = domain or (m.min(), m.max())
    bucket = np.floor((m - lo) / (hi - lo) * columns).astype(int)
    keep: set[int] = set()
    for b in np.unique(bucket):
        idx = np.flatnonzero(bucket == b)
        for y in ys:
            keep |= {int(idx[np.argmin(y[idx])]), int(idx[np.argmax(y[idx])])}
    pixel = bucket // group
    for b in np.unique(pixel):
        idx = np.flatnonzero(pixel == b)
        keep |= {int(idx[np.argmin(x[idx])]), int(idx[np.argmax(x[idx])])}
    return keep


def _spec(tmp_path: Path, body: str) -> Path:
    write_tree(tmp_path, {"chartspec.toml": "", "chart.yaml": body})
    return tmp_path / "chart.yaml"


def _kept_x(rows: tuple[dict, ...], field: str = "step") -> set:
    return {row[field] for row in rows}


def test_m4_keeps_first_last_min_max_of_every_pixel_column(tmp_path: Path) -> None:
    n = 20_000
    step, loss = np.arange(n), _curve(n)
    loss[1234] = 50.0  # a single-sample spike
    _csv(tmp_path / "run.csv", {"step": step, "loss": loss})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == n
    assert len(rows) <= 2 * WIDTH * SUBPIXELS + 2 * WIDTH  # extremes per sub-column, first and last per pixel
    kept = _kept_x(rows)
    assert {int(step[i]) for i in _expected(step, [loss], WIDTH * SUBPIXELS)} <= kept
    assert 1234 in kept
    assert [r["step"] for r in rows] == sorted(kept)  # file order, each row once
    assert min(r["loss"] for r in rows) == loss.min() and max(r["loss"] for r in rows) == loss.max()


def test_small_tables_are_not_touched(tmp_path: Path) -> None:
    n = 2 * WIDTH * SUBPIXELS + 2 * WIDTH  # at most as many rows as M4 keeps: drawn as they are
    _csv(tmp_path / "run.csv", {"step": np.arange(n), "loss": _curve(n)})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}}\n"))
    assert len(spec.table.rows) == n and spec.table.reduced_from is None


def test_each_series_of_a_colour_field_is_reduced_on_its_own(tmp_path: Path) -> None:
    n = 6_000
    runs = {"a": _curve(n, 1), "b": _curve(n, 2) + 5, "c": _curve(n, 3) - 5}
    step = np.concatenate([np.arange(n)] * 3)
    loss = np.concatenate(list(runs.values()))
    run = np.repeat(list(runs), n)
    _csv(tmp_path / "runs.csv", {"run": run, "step": step, "loss": loss})
    spec = chartspec.load(_spec(tmp_path, f"data: runs.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}, color: {field: run}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == 3 * n and len(rows) <= 3 * 2 * (WIDTH * SUBPIXELS + WIDTH + 2)
    for name, y in runs.items():
        kept = {r["step"] for r in rows if r["run"] == name}
        # the x scale spans every series, so the columns are those of the whole chart
        assert {int(i) for i in _expected(np.arange(n), [y], WIDTH * SUBPIXELS)} <= kept, name


def test_each_facet_panel_and_file_is_its_own_series(tmp_path: Path) -> None:
    n = 5_000
    for i, name in enumerate(("seed1", "seed2")):
        _csv(tmp_path / "runs" / f"{name}.csv", {"step": np.arange(n), "loss": _curve(n, 10 + i),
                                                  "split": np.where(np.arange(n) % 2 == 0, "train", "val")})
    spec = chartspec.load(_spec(tmp_path, f"data: {{files: 'runs/*.csv', as: seed}}\nwidth: {WIDTH}\n"
                                          "x: {field: step}\nfacet: {field: split}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}, color: {field: seed}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == 2 * n
    for i, seed in enumerate(("seed1", "seed2")):
        y = _curve(n, 10 + i)
        for parity, split in enumerate(("train", "val")):
            idx = np.arange(parity, n, 2)
            kept = {r["step"] for r in rows if r["seed"] == seed and r["split"] == split}
            want = {int(idx[j]) for j in _expected(idx, [y[idx]], WIDTH * SUBPIXELS,
                                                    mapped=idx.astype(float))}
            # columns span the whole x domain (0..n-1), not this panel's: recompute on that grid
            bucket = np.floor(idx / (n - 1) * WIDTH * SUBPIXELS).astype(int)
            want = set()
            for b in np.unique(bucket):
                members = idx[bucket == b]
                ys = y[members]
                want |= {int(members[np.argmin(ys)]), int(members[np.argmax(ys)])}
            for b in np.unique(bucket // SUBPIXELS):  # first and last x per pixel
                members = idx[bucket // SUBPIXELS == b]
                want |= {int(members[0]), int(members[-1])}
            assert want <= kept, (seed, split)


def test_log_x_scale_columns_are_even_in_log_space(tmp_path: Path) -> None:
    n = 20_000
    step = np.arange(1, n + 1)
    loss = _curve(n, 4)
    _csv(tmp_path / "run.csv", {"step": step, "loss": loss})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step, scale: log}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}}\n"))
    kept = _kept_x(spec.table.rows)
    want = _expected(step, [loss], WIDTH * SUBPIXELS, mapped=np.log(step.astype(float)))
    assert {int(step[i]) for i in want} <= kept
    # on a log scale the first decade gets as many columns as the last: every early step is kept
    assert set(range(1, 40)) <= kept
    assert len(kept) < n / 2


@pytest.mark.parametrize(("scale", "warp"), [
    ("symlog", lambda v: np.sign(v) * np.log1p(np.abs(v))),
    ("sqrt", lambda v: np.sign(v) * np.sqrt(np.abs(v))),
    ("pow, exponent: 0.3", lambda v: np.sign(v) * np.abs(v) ** 0.3),
])
def test_symlog_sqrt_and_pow_x_columns_are_even_on_screen(tmp_path: Path, scale: str, warp: object) -> None:
    """Columns are cut where Vega draws x (d3's symlog with constant 1, sqrt, pow): on a linear
    grid a symlog axis' first steps, half the plot, fell in a few columns and lost their rows."""
    n = 20_000
    step = np.arange(-50, n - 50)
    loss = _curve(n, 5)
    _csv(tmp_path / "run.csv", {"step": step, "loss": loss})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step, scale: {scale}}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}}\n"))
    kept = _kept_x(spec.table.rows)
    want = _expected(step, [loss], WIDTH * SUBPIXELS, mapped=warp(step.astype(float)))  # type: ignore[operator]
    assert {int(step[i]) for i in want} <= kept
    assert set(range(-10, 11)) <= kept  # near zero a step spans many columns on these scales
    assert len(kept) < n / 2


def test_time_x_scale_from_parsed_dates(tmp_path: Path) -> None:
    n = 30_000
    seconds = np.arange(n) * 60  # one row a minute
    stamps = np.array(["1970-01-01T00:00:00"], dtype="datetime64[s]") + seconds
    text = np.array([str(s).replace("T", " ") for s in stamps])
    loss = _curve(n, 5)
    _csv(tmp_path / "run.csv", {"time": text, "loss": loss})
    spec = chartspec.load(_spec(tmp_path, f"data: {{path: run.csv, parse: {{time: '%Y-%m-%d %H:%M:%S'}}}}\n"
                                          f"width: {WIDTH}\nx: {{field: time, type: temporal}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == n
    kept = {r["time"] for r in rows}
    ms = seconds * 1000
    assert {int(ms[i]) for i in _expected(ms, [loss], WIDTH * SUBPIXELS)} <= kept


def test_domains_equal_the_full_data(tmp_path: Path) -> None:
    n = 20_000
    step, loss, reward = np.arange(n), _curve(n, 6), np.round(np.cumsum(_curve(n, 7)), 4)
    _csv(tmp_path / "run.csv", {"step": step, "loss": loss, "reward": reward})
    body = (f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\nlayers:\n  - {{mark: line, y: {{field: loss}}}}\n"
            "  - {mark: line, y: {field: reward, axis: right}}\n")
    (tmp_path / "chartspec.toml").write_text("")
    write_tree(tmp_path, {"a.yaml": body, "b.yaml": "reduce: false\n" + body})
    reduced = chartspec.to_vegalite(chartspec.load(tmp_path / "a.yaml"))
    full = chartspec.to_vegalite(chartspec.load(tmp_path / "b.yaml"))

    assert len(full["data"]["values"]) == n
    # reduced, each layer carries the rows it draws (compiler/layers.py): together far fewer
    drawn = [len(unit["data"]["values"]) for group in reduced["layer"] if group.get("name") != LAYER_NAME
             for unit in group.get("layer", [group])]
    assert "data" not in reduced and len(drawn) == 2 and sum(drawn) < n / 3

    def tick_labels(vl: dict) -> list[str]:  # every axis' labels, as Vega lays them out from the domains
        import xml.etree.ElementTree as ET

        import vl_convert

        svg = ET.fromstring(vl_convert.vegalite_to_svg(vl))
        return [t.text or "" for g in svg.iter("{http://www.w3.org/2000/svg}g")
                if "role-axis-label" in (g.get("class") or "") for t in g.iter("{http://www.w3.org/2000/svg}text")]

    labels = tick_labels(reduced)
    assert len(labels) > 10 and labels == tick_labels(full)


def test_ema_is_computed_on_the_full_series_before_the_cut(tmp_path: Path) -> None:
    from chartspec.data.smoothing import ema

    n = 20_000
    step, loss = np.arange(n), _curve(n, 8)
    _csv(tmp_path / "run.csv", {"step": step, "loss": loss})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}, smooth: {ema: 0.99}}\n"))
    full = ema(list(loss), 0.99)
    rows = spec.table.rows
    assert len(rows) < n / 3
    for row in rows:
        assert row["__smooth_0"] == pytest.approx(full[row["step"]], rel=1e-9, abs=1e-12)
    # the smoothed curve's own extremes per column are kept too
    smooth = np.array(full)
    assert {int(i) for i in _expected(step, [smooth], WIDTH * SUBPIXELS)} <= _kept_x(rows)


@pytest.fixture
def points_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Translucent points are drawn whole up to WHOLE_ROWS rows (their shade is every row's):
    these tests' few thousand points are cut as a larger table's would be."""
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 0)


def test_the_same_rows_in_every_run(tmp_path: Path, points_cut: None) -> None:
    n = 20_000
    step = np.repeat(np.arange(n // 4), 4)  # every step logged four times: ties everywhere
    loss = np.round(np.random.default_rng(9).integers(0, 5, n) * 0.5, 1)  # and ties in y
    _csv(tmp_path / "run.csv", {"step": step, "loss": loss, "i": np.arange(n)})
    path = _spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                           "layers:\n  - {mark: point, y: {field: loss}, name: points}\n"
                           "  - {mark: line, y: {field: loss}, name: line}\n")
    first = chartspec.load(path).table.rows
    for _ in range(3):
        assert chartspec.load(path).table.rows == first
    assert len(first) < n


def test_point_marks_keep_one_row_per_occupied_cell(tmp_path: Path, points_cut: None) -> None:
    n = 40_000
    rng = np.random.default_rng(11)
    step, value = np.arange(n), np.round(rng.integers(0, 3, n).astype(float), 1)  # 3 distinct heights
    _csv(tmp_path / "run.csv", {"step": step, "value": value})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: point, y: {field: value}}\n"))
    rows = spec.table.rows
    columns = WIDTH  # a point covers whole pixels: one cell per pixel column and row
    assert len(rows) <= 3 * (columns + 1)
    cells = {(math.floor(r["step"] / (n - 1) * columns), r["value"]) for r in rows}
    want = {(math.floor(s / (n - 1) * columns), v) for s, v in zip(step, value)}
    assert cells == want  # every occupied cell still has its point


def test_points_on_a_log_y_keep_a_point_per_cell_as_vega_draws_the_cells(tmp_path: Path, points_cut: None) -> None:
    """Cells were cut linearly in y: on a log axis spanning five decades, 0.001, 0.0001 and 0.00001
    (216, 144 and 72 px apart on screen) fell in one cell at the bottom and only one was kept."""
    n = 24_000
    step = np.arange(n)
    value = 10.0 ** -(step % 6)  # six decades in every pixel column
    _csv(tmp_path / "run.csv", {"step": step, "value": value}, {"value": "{:g}"})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: point, y: {field: value, scale: log}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == n and len(rows) < n / 3
    per_column: dict[int, set[float]] = {}
    for r in rows:
        per_column.setdefault(math.floor(r["step"] / (n - 1) * WIDTH), set()).add(r["value"])
    per_column.pop(WIDTH)  # the last step alone: x's maximum is the right edge of the last column
    assert all(len(v) == 6 for v in per_column.values()), sorted(len(v) for v in per_column.values())[:5]


def test_a_chart_too_large_for_vega_is_refused_with_a_position(tmp_path: Path) -> None:
    n = MAX_DRAWN_ROWS + 1
    _csv(tmp_path / "run.csv", {"step": np.arange(n), "loss": np.zeros(n)}, {"loss": "{:.0f}"})
    path = _spec(tmp_path, "data: run.csv\nx: {field: step}\nlayers:\n  - {mark: bar, y: {field: loss}}\n")
    with pytest.raises(ChartspecError) as err:
        chartspec.load(path)
    d = err.value.diagnostics[0]
    assert f"draws bars at {n:,} x values across a plot" in d.message  # more bars than pixels: reduceoff.too_many_bars
    assert (d.line, d.column) == (4, 12)  # the layer's mark
    assert "aggregate" in (d.hint or "")


def test_the_streamed_two_pass_reduction_keeps_the_same_rows_as_the_window(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import chartspec.data.m4sql as m4sql

    n = 20_000
    step = np.repeat(np.arange(n // 2), 2)  # ties in x
    _csv(tmp_path / "run.csv", {"step": step, "loss": _curve(n, 12), "run": np.where(np.arange(n) % 3, "a", "b")})
    path = _spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                           "layers:\n  - {mark: line, y: {field: loss}, color: {field: run}}\n")
    window = chartspec.load(path).table.rows
    monkeypatch.setattr(m4sql, "STREAMED_ROWS", 0)  # the path tables of 10^8 rows take
    assert chartspec.load(path).table.rows == window
    assert len(window) < n


def test_a_reduced_table_keeps_only_the_columns_the_spec_mentions(tmp_path: Path) -> None:
    n = 20_000
    _csv(tmp_path / "run.csv", {"step": np.arange(n), "loss": _curve(n), "unused_blob": np.arange(n) * 7})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}}\n"))
    assert spec.table.reduced_from == n
    assert set(spec.table.rows[0]) == {"step", "loss"}
    assert "unused_blob" in spec.table.columns  # still known, for suggestions in error messages


def test_vega_expressions_run_in_the_engine_before_the_cut(tmp_path: Path) -> None:
    n = 20_000
    step, loss = np.arange(n), _curve(n, 13)
    _csv(tmp_path / "run.csv", {"step": step, "loss": loss})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\ntransform:\n"
                                          "  - {calculate: 'abs(datum.loss - 1) * 100', as: gap}\n"
                                          "  - {filter: 'datum.step % 3 != 1 && datum.gap < 90'}\n"
                                          "layers:\n  - {mark: line, y: {field: gap}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == n and len(rows) < n / 3
    gap = np.abs(loss - 1) * 100
    kept_rows = np.flatnonzero((step % 3 != 1) & (gap < 90))
    assert {int(step[i]) for i in kept_rows} >= {r["step"] for r in rows}  # the filter ran first
    # the x scale spans the kept rows, as Vega's domain does (xmap.py), and so do the extremes
    want = _expected(step[kept_rows], [gap[kept_rows]], WIDTH * SUBPIXELS,
                     domain=(int(step[kept_rows].min()), int(step[kept_rows].max())))
    assert {int(step[kept_rows][i]) for i in want} <= _kept_x(rows)  # M4 of the calculated values


def test_run_files_of_different_types_and_columns_are_one_table(tmp_path: Path) -> None:
    # loggers: one run logs whole numbers, another decimals; a metric one run never logged
    n = 150_000
    (tmp_path / "runs" / "a").mkdir(parents=True)
    (tmp_path / "runs" / "b").mkdir(parents=True)
    (tmp_path / "runs" / "a" / "m.csv").write_text(
        "step,reward,eval\n" + "".join(f"{i},{i % 7},\n" for i in range(n)))
    (tmp_path / "runs" / "b" / "m.csv").write_text(
        "step,reward,eval,kl\n" + "".join(f"{i},{i % 7 + 0.5},{2 / (i + 1) if i % 100 == 0 else ''},"
                                         f"{i / 1000}\n" for i in range(n)))
    assert (tmp_path / "runs" / "a" / "m.csv").stat().st_size > 1_000_000
    def rows(y: str) -> tuple[dict, ...]:
        spec = chartspec.load(_spec(tmp_path, f"data: {{files: 'runs/*/m.csv', as: run}}\nwidth: {WIDTH}\n"
                                              f"x: {{field: step}}\nlayers:\n  - {{y: {{field: {y}}}, color: {{field: run}}}}\n"))
        return spec.table.rows

    b = [r["reward"] for r in rows("reward") if r["run"] == "b"]
    assert min(b) == 0.5 and max(b) == 6.5  # decimals stay decimals
    # a column one run lacks is missing there: that run draws no line of it (data/steps.py)
    assert {r["run"] for r in rows("kl")} == {"b"}
    assert max(r["eval"] for r in rows("eval") if r["run"] == "b" and r["eval"] is not None) == 2.0


def test_names_the_engine_would_misread_go_to_the_python_reader(tmp_path: Path) -> None:
    n = 150_000
    data = "step,rowid,loss\n" + "".join(f"{i},{i % 5},{i % 11}\n" for i in range(n))
    (tmp_path / "run[1].csv").write_text(data)
    (tmp_path / "run1.csv").write_text("step,rowid,loss\n0,0,999\n")  # what a glob would read instead
    spec = chartspec.load(_spec(tmp_path, f"data: 'run[1].csv'\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}}\n"))
    rows = spec.table.rows
    assert max(r["loss"] for r in rows) == 10 and spec.table.reduced_from == n


def test_a_simple_filter_on_a_text_column_runs_in_the_engine(tmp_path: Path) -> None:
    n = 60_000
    _csv(tmp_path / "m.csv", {"step": np.repeat(np.arange(n // 3), 3), "run": np.tile(["a", "b", "c"], n // 3),
                              "loss": _curve(n, 14)})
    spec = chartspec.load(_spec(tmp_path, f"data: m.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "transform: [{filter: {field: run, one_of: [a, c]}}]\n"
                                          "layers:\n  - {mark: line, y: {field: loss}}\n"))
    assert spec.table.reduced_from == n and {r["run"] for r in spec.table.rows} <= {"a", "c"}


def test_a_text_cell_deep_in_a_large_column_is_named_by_its_row(tmp_path: Path) -> None:
    n = 300_000
    lines = ["step,loss", *(f"{i},{1 + i % 97 / 100:.8f}" for i in range(n))]
    lines[250_001] = "250000,oops"  # data row 250,001 (line 250,002 of the file)
    (tmp_path / "deep.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(ChartspecError) as err:
        chartspec.load(_spec(tmp_path, "data: deep.csv\nx: {field: step}\nlayers:\n  - {mark: line, y: {field: loss}}\n"))
    messages = [d.message for d in err.value.diagnostics]
    assert "field 'loss' is plotted as numbers but row 250001 of deep.csv holds 'oops'" in messages, messages


def test_line_layers_sharing_the_table_each_keep_exactly_their_own_m4_rows(tmp_path: Path) -> None:
    # the layers' columns are picked in one pass over the table (reduce.py); each row is tagged
    # with the layers whose extremes it is, and a layer draws only those
    n = 5_000
    step, loss, reward = np.arange(n), _curve(n, 21), _curve(n, 22)
    _csv(tmp_path / "run.csv", {"step": step, "loss": loss, "reward": reward})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\nlayers:\n"
                                          "  - {mark: line, y: {field: loss}}\n"
                                          "  - {mark: line, y: {field: reward, axis: right}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == n
    kept = {bit: {r["step"] for r in rows if r[LAYER_MASK] & bit} for bit in (1, 2)}
    assert kept[1] == _expected(step, [loss], WIDTH * SUBPIXELS)
    assert kept[2] == _expected(step, [reward], WIDTH * SUBPIXELS)
    assert kept[1] != kept[2] and {r["step"] for r in rows} == kept[1] | kept[2]


def test_a_sweep_of_many_runs_gets_fewer_columns_than_pixels_rather_than_failing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """40 runs at 200 px need 32,000 rows at one column a pixel: more than a drawing limit of
    30,000 (a sweep of 110 runs at 600 px against the default limit failed so; the row budget is
    scaled down with the limit). Each column then spans a few pixels, each run keeps its extremes."""
    import chartspec.data.m4grid as grid

    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "30000")
    monkeypatch.setattr(grid, "ROW_BUDGET", 10_000)
    n, runs = 2_000, 40
    loss = np.concatenate([_curve(n, seed) + seed for seed in range(runs)])
    _csv(tmp_path / "runs.csv", {"run": np.repeat([f"r{i}" for i in range(runs)], n),
                                 "step": np.tile(np.arange(n), runs), "loss": loss})
    spec = chartspec.load(_spec(tmp_path, f"data: runs.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: line, y: {field: loss}, color: {field: run}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == n * runs and len(rows) <= 30_000 // 2 + 4 * runs
    for i in range(runs):
        mine = [r["loss"] for r in rows if r["run"] == f"r{i}"]
        assert min(mine) == loss[i * n:(i + 1) * n].min() and max(mine) == loss[i * n:(i + 1) * n].max()
    assert chartspec.to_vegalite(spec)  # within the limit: it compiles


def test_reduce_false_counts_the_rows_its_filters_keep_against_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the reduction off, Vega gets the rows the layers' filters keep: a filter leaving 2,000
    of 20,000 rows draws under a limit of 5,000 (it was refused for the table's 20,000), and only
    those rows are fetched; a filter leaving 10,000 is refused with that count."""
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "5000")
    n = 20_000
    step = np.arange(n)
    _csv(tmp_path / "run.csv", {"step": step, "loss": _curve(n), "split": np.where(step % 10 == 0, "val", "train")},
         {"split": "{}"})
    body = ("data: run.csv\nreduce: false\nx: {field: step}\nlayers:\n  - mark: line\n    y: {field: loss}\n"
            "    transform:\n      - filter: {field: split, equal: %s}\n")
    spec = chartspec.load(_spec(tmp_path, body % "val"))
    assert len(spec.table.rows) == n // 10 and {r["split"] for r in spec.table.rows} == {"val"}
    assert chartspec.to_vegalite(spec)
    with pytest.raises(ChartspecError) as err:
        chartspec.load(_spec(tmp_path, body % "train"))
    assert "18,000 rows" in str(err.value) and "filters" in str(err.value)
    # a Parquet file: read by the engine, which fetches only the kept rows
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"step": step, "loss": _curve(n), "split": np.where(step % 10 == 0, "val", "train")}),
                   tmp_path / "run.parquet")
    spec = chartspec.load(_spec(tmp_path, (body % "val").replace("run.csv", "run.parquet")))
    assert [r["step"] for r in spec.table.rows] == list(range(0, n, 10))


def test_too_many_rows_for_vega_is_an_error_at_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiler's count of the rows handed to Vega names the spec's data (it had no line): two
    tables each within the limit, together over it. The hover tooltip's table is not counted (it is
    not drawn in images, and holds at most one row a pixel column past 9,600 x values)."""
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "4000")
    _csv(tmp_path / "run.csv", {"step": np.arange(2500), "loss": _curve(2500)})
    _csv(tmp_path / "val.csv", {"step": np.arange(2500), "val": _curve(2500)})
    body = "data: run.csv\nreduce: false\nx: {field: step}\nlayers: [{y: {field: loss}}%s]\n"
    spec = chartspec.load(_spec(tmp_path, body % ", {y: {field: val}, data: val.csv}"))
    with pytest.raises(ChartspecError) as err:
        chartspec.to_vegalite(spec)
    [d] = err.value.diagnostics
    assert (d.line, d.column) == (1, 7) and "hands 5,000 rows of data to Vega" in d.message
    assert chartspec.to_vegalite(chartspec.load(_spec(tmp_path, body % "")))  # 2,500 rows and the tooltip's 2,500


def test_the_row_budget_counts_the_rows_the_grid_keeps() -> None:
    """Many series share ROW_BUDGET rows: counted as the grid keeps them (2 a column and 2 a group
    of columns), not as plain M4's 4 a column, so a sweep of a few runs keeps its full resolution
    (4 runs at 600 px: 7 columns a pixel, was 4.2), 10 runs 4 and 15 runs 2.2 (10 runs got 2.2 with a budget of
    40,000 rows: their PNG differed from the full render in 0.67 % of pixels, now 0.35 %)."""
    from types import SimpleNamespace

    from chartspec.data.m4grid import ROW_BUDGET, m4_columns, m4_group

    for series, per_pixel in ((1, 7.0), (4, 7.0), (10, 4.0), (15, 2.2)):
        model = SimpleNamespace(width=600, interactive=SimpleNamespace(zoom=None))
        columns = m4_columns(model, 1.0, series)  # type: ignore[arg-type]
        group = m4_group(model, 1.0, columns)  # type: ignore[arg-type]
        assert columns == round(600 * per_pixel), series
        assert series * (2 * columns + 2 * math.ceil(columns / group)) <= ROW_BUDGET, series


def test_a_reduce_false_layer_keeps_its_rows_while_the_other_layers_are_cut(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """'reduce: false' on one layer turned the cut off for every layer of the table: a line of
    20,000 rows beside 10 unreduced points was refused as 20,000 rows over the limit."""
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "5000")
    n = 20_000
    _csv(tmp_path / "run.csv", {"step": np.arange(n), "loss": _curve(n)})
    body = (f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\nlayers:\n  - {{mark: line, y: {{field: loss}}}}\n"
            "  - mark: point\n    name: first\n    reduce: false\n    y: {field: loss}\n"
            "    transform: [{filter: {field: step, lt: %d}}]\n")
    spec = chartspec.load(_spec(tmp_path, body % 10))
    rows = spec.table.rows
    assert spec.table.reduced_from == n and len(rows) < 5000
    points = [r["step"] for r in rows if r[LAYER_MASK] & 2]
    assert points == list(range(10))  # every row the unreduced layer keeps, and only those
    line = {r["step"] for r in rows if r[LAYER_MASK] & 1}
    assert {int(i) for i in _expected(np.arange(n), [_curve(n)], WIDTH * SUBPIXELS)} <= line
    assert chartspec.to_vegalite(spec)
    with pytest.raises(ChartspecError) as err:  # the unreduced layer itself over the limit: named
        chartspec.load(_spec(tmp_path, body % 8000))
    [d] = err.value.diagnostics
    assert "layer 'first'" in d.message and (d.line, d.column) == (8, 13)  # at its 'reduce: false'


def test_a_small_table_hands_vega_only_the_columns_the_spec_names(tmp_path: Path) -> None:
    """A W&B history export has 100+ columns: under the engine's threshold every one of them was
    inlined (a 1.6 MB CSV plotting one column made a 6 MB page; a 2.2 MB one, read by the engine,
    0.3 MB). Columns a filter expression, a colour field or a calculate reads stay."""
    n = 300
    step = np.arange(n)
    columns = {"step": step, "loss": _curve(n), "keep": step % 2, "run": np.where(step < 150, "a", "b"),
               **{f"junk_{i}": step * i for i in range(30)}}
    _csv(tmp_path / "h.csv", columns)
    spec = chartspec.load(_spec(tmp_path, (
        "data: h.csv\nx: {field: step}\nlayers:\n  - y: {field: double}\n    color: {field: run}\n"
        "    transform:\n      - filter: 'datum.keep == 1'\n      - calculate: 'datum.loss * 2'\n        as: double\n")))
    vl = chartspec.to_vegalite(spec)
    rows = vl["data"]["values"]
    assert len(rows) == n and set(rows[0]) == {"step", "loss", "keep", "run"}
    assert rows[7] == {"step": 7, "loss": columns["loss"][7], "keep": 1, "run": "a"}


def test_point_cells_span_a_fixed_y_domain_not_an_outlier_beyond_it(tmp_path: Path, points_cut: None) -> None:
    """With 'domain: [0, 1]' and one value of 10^6 off the plot, the cells spanned 0..10^6 and every
    visible point fell in the bottom row: one point a pixel column survived of a dense cloud."""
    n = 40_000
    rng = np.random.default_rng(4)
    value = rng.random(n)
    value[n // 2] = 1e6
    _csv(tmp_path / "run.csv", {"step": np.arange(n), "value": value}, {"value": "{:.6f}"})
    spec = chartspec.load(_spec(tmp_path, f"data: run.csv\nwidth: {WIDTH}\nx: {{field: step}}\n"
                                          "layers:\n  - {mark: point, y: {field: value, domain: [0, 1]}}\n"))
    rows = spec.table.rows
    assert spec.table.reduced_from == n and 20 * WIDTH < len(rows) < n


def test_runs_stopped_early_leave_their_columns_to_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The budget is shared by the curves each counted by the share of the x axis it spans: 8 runs
    of 8,000-30,000 steps (with an EMA) were cut as 8 full ones, half the rows the budget allows,
    and differed from the full render in 2.3 % of PNG pixels (0.95 % now)."""
    from chartspec.data import m4grid

    monkeypatch.setattr(m4grid, "ROW_BUDGET", 6_000)
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 0)
    rng = np.random.default_rng(12)
    steps, short = 2_200, 550

    def kept_of_run_0(lengths: list[int]) -> int:
        _csv(tmp_path / "runs.csv", {"step": np.concatenate([np.arange(n) for n in lengths]),
                                     "run": np.repeat(np.arange(len(lengths)), lengths),
                                     "loss": rng.standard_normal(sum(lengths))})
        body = f"data: runs.csv\nwidth: {WIDTH}\nx: {{field: step}}\nlayers:\n  - {{mark: line, y: {{field: loss}}, color: {{field: run}}}}\n"
        rows = chartspec.load(_spec(tmp_path, body)).table.rows
        return sum(1 for r in rows if r["run"] == 0)

    full = kept_of_run_0([steps] * 8)
    early = kept_of_run_0([steps] * 2 + [short] * 6)  # 6 runs stopped at a quarter: 3.5 runs' worth
    assert full < steps / 2  # cut
    assert early > 1.5 * full  # the full-length run got the columns the stopped runs do not use


def test_points_drawn_whole_count_every_table_of_the_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point layers are drawn whole up to reduce.WHOLE_ROWS rows: of the chart, not of each table
    (two layers of 119,000 points each, from their own files, drew 238,000: 57 MB SVGs)."""
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 20_000)
    n = 15_000
    rng = np.random.default_rng(13)
    for name in ("a", "b"):
        _csv(tmp_path / f"{name}.csv", {"step": np.arange(n), "loss": np.round(rng.random(n), 3)})
    one = "data: a.csv\nx: {field: step}\nlayers:\n  - {mark: point, y: {field: loss}}\n"
    alone = chartspec.load(_spec(tmp_path, one))
    assert alone.table.reduced_from is None and len(alone.table.rows) == n  # whole
    both = chartspec.load(_spec(tmp_path, one + "  - {mark: point, data: b.csv, name: b, y: {field: loss}}\n"))
    own = both.layer_tables[1]
    assert own is not None and both.table.reduced_from == own.reduced_from == n  # cut: 30,000 > 20,000
    assert len(both.table.rows) < n and len(own.rows) < n


def test_points_drawn_whole_count_marks_not_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two point layers of one 15,000-row table draw 30,000 symbols: past a 20,000 limit they are cut."""
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 20_000)
    n = 15_000
    rng = np.random.default_rng(14)
    _csv(tmp_path / "a.csv", {"step": np.arange(n), "loss": np.round(rng.random(n), 3), "acc": np.round(rng.random(n), 3)})
    one = "data: a.csv\nx: {field: step}\nlayers:\n  - {mark: point, y: {field: loss}}\n"
    assert chartspec.load(_spec(tmp_path, one)).table.reduced_from is None  # 15,000 symbols: whole
    both = chartspec.load(_spec(tmp_path, one + "  - {mark: point, y: {field: acc}}\n"))
    assert both.table.reduced_from == n and len(both.table.rows) < n


def test_every_row_shapes_points_dashes_and_curves_not_plain_or_step_lines(tmp_path: Path) -> None:
    """The layers reduce.py draws whole below WHOLE_ROWS: translucent points, dashed lines (also
    the dash a layer sharing a colour field takes: solid, then [6, 3], ...) and d3 curves."""
    from chartspec.data.m4grid import every_row_shapes

    (tmp_path / "run.csv").write_text("step,run,loss,lr\n0,a,1,2\n1,a,2,3\n")
    looks = ["mark: line", "mark: line, interpolate: step-after", "mark: line, stroke_dash: [1, 0]",
             "mark: line, stroke_dash: [4, 0, 2]",  # odd: repeated, so a gap of 4
             "mark: line, interpolate: monotone", "mark: area, interpolate: cardinal", "mark: point"]
    layers = "".join(f"  - {{{look}, y: {{field: loss}}, name: l{i}}}\n" for i, look in enumerate(looks))
    spec = chartspec.load(_spec(tmp_path, (
        "data: run.csv\nx: {field: step}\nlayers:\n" + layers +
        "  - {mark: line, y: {field: loss}, color: {field: run}, name: s1}\n"  # shares 'run': solid
        "  - {mark: line, y: {field: lr, axis: right}, color: {field: run}, name: s2}\n")))  # then [6, 3]
    got = [every_row_shapes(spec.model, layer) for layer in spec.model.layers]
    assert got == [False, False, False, True, True, True, True, False, True]
