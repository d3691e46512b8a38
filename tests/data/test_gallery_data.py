"""Gallery specs of data sources and transforms, and the features behind them.

Each gallery spec is checked in its compiled Vega-Lite (valid against the Vega-Lite schema, and
holding the feature it shows) and in its rendered SVG, whose marks are read back into data
values through the fitted axis scales. Expected values are computed here, independently, from
the data files: EMA smoothing, rolling means, epoch means, parsed dates.
"""

from __future__ import annotations

import calendar
import csv
import json
import re
import statistics
import sys
from pathlib import Path

import pytest
from conftest import REPO, SPECS, RunCli, assert_valid_vega_lite, drawn_vegalite
from svgchart import Chart, Item, LinearFit, fit_linear, parse_color, parse_svg

import chartspec
from chartspec.errors import ChartspecError
from chartspec.spec.parse import from_mapping
from chartspec.spec.schema import load_schema

DATA = SPECS / "data"
GALLERY = ["data_ema_smoothed_reward", "transform_rolling_throughput", "transform_aggregate_epoch_mean",
           "data_parquet_eval_checkpoints", "data_temporal_daily_users", "transform_filter_calculate_gap",
           "data_layer_override_baseline", "data_glob_lr_sweep", "transform_fold_gpu_utilization",
           "transform_fold_train_val_loss"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, run_cli: RunCli) -> Path:
    """The gallery specs of this file, built once through the real CLI (SVG and Vega-Lite JSON)."""
    out = tmp_path_factory.mktemp("gallery_data")
    proc = run_cli("build", *(SPECS / f"{name}.yaml" for name in GALLERY), "-o", out, "--format", "svg,json")
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def run_cli() -> RunCli:  # module-scoped twin of conftest's fixture, for `built`
    import os
    import subprocess

    from conftest import chartspec_exe

    def run(*args: str | Path, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
        return subprocess.run([chartspec_exe(), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                              timeout=timeout, env=env)

    return run


def compiled(name: str) -> dict:
    vl = drawn_vegalite(SPECS / f"{name}.yaml")
    assert_valid_vega_lite(vl)
    return vl


def svg(built: Path, name: str) -> Chart:
    return parse_svg(built / f"{name}.svg")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def leaf_layers(spec: dict) -> list[dict]:
    """Every unit layer (one with a mark), depth first, in drawing order."""
    out = []
    for layer in spec.get("layer", []):
        out += leaf_layers(layer) if "layer" in layer else [layer]
    return out


def line_paths(chart: Chart) -> list[Item]:
    return [item for items in chart.mark_groups("line").values() for item in items]


def is_dashed(item: Item) -> bool:
    """Vega draws a solid line of a dashed chart with the dash pattern [1, 0]."""
    return item.dasharray not in (None, [], [1, 0])


def opacity(item: Item) -> float:
    return float(item.attrib.get("opacity", 1)) * float(item.attrib.get("stroke-opacity", 1))


def label_value(text: str) -> float:
    """The number an axis label shows: Vega writes a real minus sign and SI suffixes (``~s``)."""
    text = text.replace("\u2212", "-").replace(",", "")
    factor = {"k": 1e3, "M": 1e6}.get(text[-1:], 1.0)
    return float(text[:-1] if factor != 1.0 else text) * factor


def axis_fit(chart: Chart, title: str) -> LinearFit:
    axis = chart.axis(title)
    return fit_linear(axis.tick_positions(), [label_value(label) for label in axis.label_texts])


def values_along(chart: Chart, path: Item, x_title: str, y_title: str) -> dict[int, float]:
    """A path's vertices read back as {whole x value: y value} through both axes' fitted scales."""
    fx, fy = axis_fit(chart, x_title), axis_fit(chart, y_title)
    pixel = abs(fx.value(1) - fx.value(0))  # tick positions are whole pixels: allow one
    out = {}
    for px, py in path.vertices():
        x = fx.value(px)
        assert abs(x - round(x)) < pixel, f"vertex at x={x} is not at a whole x value"
        out[round(x)] = fy.value(py)
    return out


# -- EMA smoothing -------------------------------------------------------------------------------

def tensorboard_ema(values: list[float], weight: float) -> list[float]:
    """TensorBoard's smoothing, written out again from its definition (debiased EMA)."""
    out, last = [], 0.0
    for n, v in enumerate(values, start=1):
        last = weight * last + (1 - weight) * v
        out.append(last / (1 - weight**n))
    return out


def test_ema_values_match_tensorboard() -> None:
    vl = compiled("data_ema_smoothed_reward")
    rows = read_csv(DATA / "ppo_episode_reward.csv")
    raw = [float(r["reward"]) for r in sorted(rows, key=lambda r: int(r["episode"]))]
    expected = tensorboard_ema(raw, 0.9)
    raw_layer, smooth_layer = leaf_layers(vl)
    column = smooth_layer["encoding"]["y"]["field"]
    assert column != "reward" and raw_layer["encoding"]["y"]["field"] == "reward"
    got = [row[column] for row in sorted(vl["data"]["values"], key=lambda r: r["episode"])]
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-9)
    # debiased: the curve starts at the data instead of at (1 - w) * first value
    assert got[0] == pytest.approx(raw[0])
    # and it is smoother than the data: far less total variation
    variation = lambda s: sum(abs(b - a) for a, b in zip(s, s[1:]))  # noqa: E731
    assert variation(got) < variation(raw) / 4


def test_ema_raw_series_is_faint_same_colour_and_not_in_legend(built: Path) -> None:
    vl = compiled("data_ema_smoothed_reward")
    raw_layer, smooth_layer = leaf_layers(vl)
    assert raw_layer["mark"]["opacity"] < 0.5 and "opacity" not in smooth_layer["mark"]
    assert raw_layer["encoding"]["color"] == {"value": "#2ca02c"}
    chart = svg(built, "data_ema_smoothed_reward")
    paths = line_paths(chart)
    assert len(paths) == 2
    faint = [p for p in paths if opacity(p) < 0.5]
    solid = [p for p in paths if p not in faint]
    assert len(faint) == 1 and len(solid) == 1
    assert parse_color(faint[0].stroke) == parse_color(solid[0].stroke) == parse_color("#2ca02c")
    assert faint[0].order < solid[0].order  # the raw series is drawn behind
    # one legend entry, for the smoothed series
    assert [label for legend in chart.legends for label, _ in legend.entries] == ["Episode reward"]
    # the smooth path follows the EMA, read back from the pixels
    rows = read_csv(DATA / "ppo_episode_reward.csv")
    expected = dict(zip((int(r["episode"]) for r in rows), tensorboard_ema([float(r["reward"]) for r in rows], 0.9)))
    drawn = values_along(chart, solid[0], "Episode", "Reward")
    assert drawn.keys() == expected.keys()
    span = max(expected.values()) - min(expected.values())
    for x, y in drawn.items():
        assert abs(y - expected[x]) < span * 0.01


def test_smooth_options_hide_the_raw_series_or_set_its_opacity() -> None:
    head = "data: {values: [{step: 0, v: 1.0}, {step: 1, v: 3.0}]}\nx: {field: step}\n"
    compile_text = lambda text: drawn_vegalite(chartspec.loads(head + text))  # noqa: E731
    alone = compile_text("layers: [{y: {field: v}, smooth: {ema: 0.5, show_raw: false}}]")
    [layer] = leaf_layers(alone)
    assert layer["encoding"]["y"]["field"] == "__smooth_0"
    assert [r["__smooth_0"] for r in alone["data"]["values"]] == pytest.approx(tensorboard_ema([1.0, 3.0], 0.5))
    faint = compile_text("layers: [{y: {field: v}, smooth: {ema: 0.5, raw_opacity: 0.1}}]")
    assert leaf_layers(faint)[0]["mark"]["opacity"] == 0.1


def test_ema_is_computed_per_series_in_x_order() -> None:
    from chartspec.data.smoothing import smoothed_rows

    rows = [{"run": r, "step": s, "v": float(s * (2 if r == "a" else 3))} for s in (2, 0, 1) for r in ("a", "b")]
    out = smoothed_rows(rows, x="step", y="v", weight=0.5, column="s", series=("run",))
    for run, factor in (("a", 2), ("b", 3)):
        ordered = [r["s"] for r in sorted((r for r in out if r["run"] == run), key=lambda r: r["step"])]
        assert ordered == pytest.approx(tensorboard_ema([0.0, 1.0 * factor, 2.0 * factor], 0.5))


# -- rolling mean ----------------------------------------------------------------------------------

def test_rolling_mean_compiles_to_a_trailing_window_and_draws_it(built: Path) -> None:
    vl = compiled("transform_rolling_throughput")
    per_step, rolling = leaf_layers(vl)
    window = rolling["transform"][0]
    assert window["window"] == [{"op": "mean", "field": "tokens_per_sec", "as": "tokens_avg"}]
    assert window["frame"] == [-19, 0] and window["sort"] == [{"field": "step"}]
    assert "window" not in json.dumps(per_step.get("transform", []))

    rows = read_csv(DATA / "throughput.csv")
    values = [float(r["tokens_per_sec"]) for r in rows]
    expected = {int(r["step"]): statistics.fmean(values[max(0, i - 19): i + 1]) for i, r in enumerate(rows)}
    chart = svg(built, "transform_rolling_throughput")
    paths = sorted(line_paths(chart), key=lambda p: p.order)
    assert len(paths) == 2
    drawn = values_along(chart, paths[1], "Step", "Tokens / s")
    assert drawn.keys() == expected.keys()
    for x, y in drawn.items():
        assert abs(y - expected[x]) < 200  # a few pixels on a 36k-wide axis


# -- aggregate ---------------------------------------------------------------------------------------

def test_aggregate_mean_per_epoch(built: Path) -> None:
    vl = compiled("transform_aggregate_epoch_mean")
    points, means = leaf_layers(vl)
    assert means["transform"][0] == {"aggregate": [{"op": "mean", "field": "loss", "as": "mean_loss"}],
                                     "groupby": ["epoch"]}
    assert "aggregate" not in json.dumps(points["transform"])
    rows = read_csv(DATA / "batch_loss.csv")
    by_epoch: dict[int, list[float]] = {}
    for r in rows:
        by_epoch.setdefault(int(r["epoch"]), []).append(float(r["loss"]))
    chart = svg(built, "transform_aggregate_epoch_mean")
    [line] = line_paths(chart)
    drawn = values_along(chart, line, "Epoch", "Loss")
    assert sorted(drawn) == sorted(by_epoch)
    for epoch, y in drawn.items():
        assert y == pytest.approx(statistics.fmean(by_epoch[epoch]), abs=0.02)
    assert sum(len(v) for v in chart.mark_groups("symbol").values()) == len(rows) + len(by_epoch)


# -- filter and calculate ----------------------------------------------------------------------------

def test_filter_and_calculate_make_a_plottable_field(built: Path) -> None:
    vl = compiled("transform_filter_calculate_gap")
    [layer] = leaf_layers(vl)
    assert layer["transform"][:2] == [{"filter": {"field": "epoch", "gte": 5}},
                                      {"calculate": "datum.val_loss - datum.train_loss", "as": "gap"}]
    assert layer["encoding"]["y"]["field"] == "gap"
    chart = svg(built, "transform_filter_calculate_gap")
    [area] = [i for items in chart.mark_groups("area").values() for i in items]
    fx, fy = axis_fit(chart, "Epoch"), axis_fit(chart, "Validation - training loss")
    xs = [fx.value(px) for px, _ in area.vertices()]
    assert min(xs) == pytest.approx(5, abs=0.05) and max(xs) == pytest.approx(40, abs=0.05)
    gaps = {int(r["epoch"]): float(r["val_loss"]) - float(r["train_loss"])
            for r in read_csv(DATA / "train_val_loss.csv")}
    # the area's upper edge (its lower edge is the zero line) follows the calculated gap
    top = {round(fx.value(px)): fy.value(py) for px, py in area.vertices() if fy.value(py) > 0.02}
    assert sorted(top) == list(range(5, 41))
    assert all(abs(y - gaps[x]) < 0.01 for x, y in top.items())


SPEC_HEAD = "data: {values: [{step: 0, loss: 1.0, split: a}, {step: 1, loss: 0.5, split: b}]}\nx: {field: step}\n"


def spec_errors(text: str, path: Path | None = None) -> list[str]:
    with pytest.raises(ChartspecError) as err:
        chartspec.loads(text, file="spec.yaml", path=path)
    return [f"{d.line}:{d.column}: {d.message} | {d.hint}" for d in err.value.diagnostics]


def test_field_checks_know_fields_made_by_transforms() -> None:
    ok = SPEC_HEAD + ("transform:\n  - calculate: datum.loss * 100\n    as: loss_pct\n"
                      "layers:\n  - y: {field: loss_pct}\n")
    assert chartspec.loads(ok).model.transform[0].as_field == "loss_pct"
    typo_axis = ok.replace("field: loss_pct}", "field: loss_pcr}")
    [message] = spec_errors(typo_axis)
    assert message == "7:16: field 'loss_pcr' not in inline data | did you mean 'loss_pct'?"
    typo_read = ok.replace("datum.loss *", "datum.los *")
    [message] = spec_errors(typo_read)
    assert message == "4:16: field 'los' not in inline data at this transform | did you mean 'loss'?"


@pytest.mark.parametrize("transform, missing, meant", [
    ("{filter: {field: stp, gte: 1}}", "stp", "step"),
    ("{filter: 'datum.step > 1 && datum[\"los\"] < 2'}", "los", "loss"),
    ("{aggregate: [{op: mean, field: los, as: m}], groupby: [step]}", "los", "loss"),
    ("{aggregate: [{op: count, as: n}], groupby: [setp]}", "setp", "step"),
    ("{fold: [loss, los]}", "los", "loss"),
    ("{rolling: {field: loss, window: 3, groupby: [splt]}}", "splt", "split"),
])
def test_typos_in_fields_transforms_read_are_positioned(transform: str, missing: str, meant: str) -> None:
    line = "    transform: [" + transform + "]"
    text = SPEC_HEAD + "layers:\n  - y: {field: loss}\n" + line + "\n"
    found = spec_errors(text)
    # at the misspelt name (or, inside an expression, at the expression), with the fix as the hint
    column = 1 + (line.index("'datum") if "datum" in transform else re.search(rf"\b{missing}\b", line).start())
    expected = f"5:{column}: field {missing!r} not in inline data at this transform | did you mean {meant!r}?"
    assert expected in found, found


def test_fields_removed_by_an_aggregate_are_reported() -> None:
    text = SPEC_HEAD + ("layers:\n  - y: {field: loss}\n    transform:\n"
                        "      - aggregate: [{op: max, field: loss, as: top}]\n        groupby: [split]\n")
    found = spec_errors(text)
    assert any("field 'step' not in inline data" in m for m in found), found  # x is gone after the aggregate
    assert any("field 'loss' not in inline data" in m and "top" in m for m in found), found


def test_fold_then_aggregate_across_gpus(built: Path) -> None:
    vl = compiled("transform_fold_gpu_utilization")
    fold = {"fold": ["gpu0_util", "gpu1_util", "gpu2_util", "gpu3_util"], "as": ["gpu", "util"]}
    mean_layer, min_layer = leaf_layers(vl)
    # the chart's transform runs first in every layer, then the layer's own
    assert mean_layer["transform"][:2] == [fold, {"aggregate": [{"op": "mean", "field": "util", "as": "mean_util"}],
                                                  "groupby": ["step"]}]
    assert min_layer["transform"][0] == fold and min_layer["transform"][1]["aggregate"][0]["op"] == "min"
    rows = read_csv(DATA / "gpu_utilization.csv")
    utils = {int(r["step"]): [float(r[f"gpu{g}_util"]) for g in range(4)] for r in rows}
    chart = svg(built, "transform_fold_gpu_utilization")
    solid, dashed = sorted(line_paths(chart), key=is_dashed)
    assert dashed.dasharray == [5, 3] and not is_dashed(solid)
    for path, stat in ((solid, statistics.fmean), (dashed, min)):
        drawn = values_along(chart, path, "Step", "Utilisation (%)")
        assert drawn.keys() == utils.keys()
        assert all(abs(y - stat(utils[x])) < 0.2 for x, y in drawn.items())


def test_fold_compiles_wide_to_long() -> None:
    text = ("data: {values: [{epoch: 1, train_loss: 1.0, val_loss: 1.2}]}\nx: {field: epoch}\n"
            "transform: [{fold: [train_loss, val_loss], as: [split, loss]}]\nlayers:\n  - y: {field: loss}\n")
    vl = drawn_vegalite(chartspec.loads(text))
    assert_valid_vega_lite(vl)
    [layer] = leaf_layers(vl)
    assert layer["transform"][0] == {"fold": ["train_loss", "val_loss"], "as": ["split", "loss"]}


def test_python_runs_the_transforms_it_can_for_extents_and_series() -> None:
    from chartspec.data.evaluate import evaluate
    from chartspec.spec.transforms import parse_transforms

    rows = [{"step": s, "run": r, "a": float(s), "b": 10.0 * s} for s in (2, 0, 1, 3) for r in ("x", "y")]
    steps = parse_transforms([
        {"filter": {"field": "step", "lte": 2}},
        {"fold": ["a", "b"], "as": ["col", "v"]},
        {"aggregate": [{"op": "max", "field": "v", "as": "top"}, {"op": "count", "as": "n"}],
         "groupby": ["col", "step"]},
        {"rolling": {"field": "top", "window": 2, "as": "avg", "groupby": ["col"]}},
    ], ("transform",))
    out = evaluate(rows, steps, "step", {})
    assert out is not None
    got = {(r["col"], r["step"]): (r["top"], r["n"], r["avg"]) for r in out}
    assert got == {("a", 0): (0.0, 2, 0.0), ("a", 1): (1.0, 2, 0.5), ("a", 2): (2.0, 2, 1.5),
                   ("b", 0): (0.0, 2, 0.0), ("b", 1): (10.0, 2, 5.0), ("b", 2): (20.0, 2, 15.0)}
    # expressions run too (vegaexpr.py), unless they leave the part of the language Python knows
    doubled = evaluate(rows, parse_transforms([{"calculate": "datum.a * 2", "as": "c"}, {"filter": "datum.c > 2"}],
                                              ()), "step", {})
    assert doubled is not None and sorted({r["c"] for r in doubled}) == [4.0, 6.0]
    assert evaluate(rows, parse_transforms([{"calculate": "year(datum.a)", "as": "c"}], ()), "step", {}) is None


def test_smoothing_a_field_a_transform_makes_is_refused() -> None:
    text = SPEC_HEAD + ("transform: [{calculate: datum.loss * 2, as: double}]\n"
                        "layers:\n  - y: {field: double}\n    smooth: {ema: 0.5}\n")
    [message] = spec_errors(text)
    assert message.startswith("6:5: cannot smooth 'double'")


# -- Parquet -----------------------------------------------------------------------------------------

def test_parquet_rows_are_read_as_pyarrow_reads_them(built: Path) -> None:
    import pyarrow.parquet as pq

    vl = compiled("data_parquet_eval_checkpoints")
    assert vl["data"]["values"] == pq.read_table(DATA / "eval_checkpoints.parquet").to_pylist()
    chart = svg(built, "data_parquet_eval_checkpoints")
    assert sorted(len(v) for v in chart.mark_groups("symbol").values() if len(v) > 2) == [20, 20]


def test_parquet_times_become_utc_milliseconds_and_nan_missing(tmp_path: Path) -> None:
    import datetime as dt
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    (tmp_path / "chartspec.toml").write_text("")
    when = [dt.datetime(2024, 3, 1, 12, 30), dt.datetime(2024, 3, 2)]
    pq.write_table(pa.table({
        "t": pa.array(when, pa.timestamp("ms")),
        "t_zoned": pa.array([w.replace(tzinfo=dt.timezone(dt.timedelta(hours=2))) for w in when],
                            pa.timestamp("ms", tz="+02:00")),
        "day": pa.array([w.date() for w in when], pa.date32()),
        "cost": pa.array([decimal.Decimal("1.25"), decimal.Decimal("2.50")], pa.decimal128(5, 2)),
        "loss": pa.array([0.5, float("nan")], pa.float64()),
    }), tmp_path / "m.parquet")
    spec = tmp_path / "s.yaml"
    spec.write_text("data: m.parquet\nx: {field: t, type: temporal}\nlayers: [{y: {field: cost}}]\n")
    rows = chartspec.load(spec).table.rows
    ms = [calendar.timegm(w.timetuple()) * 1000 for w in when]
    assert [r["t"] for r in rows] == ms
    assert [r["t_zoned"] for r in rows] == [m - 2 * 3600 * 1000 for m in ms]  # 12:30 at +02:00 is 10:30 UTC
    assert [r["day"] for r in rows] == [calendar.timegm((2024, 3, d, 0, 0, 0)) * 1000 for d in (1, 2)]
    assert [r["cost"] for r in rows] == [1.25, 2.5] and [r["loss"] for r in rows] == [0.5, None]


def test_parquet_without_pyarrow_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as if not installed
    found = spec_errors("data: data/eval_checkpoints.parquet\nx: {field: checkpoint_step}\n"
                        "layers: [{y: {field: accuracy}}]\n", path=SPECS / "x.yaml")
    assert found == ["1:7: reading Parquet (data/eval_checkpoints.parquet) needs pyarrow, which is not installed"
                     " | pyarrow is a dependency of chartspec: reinstall it (pip install chartspec)"]


def test_parquet_and_the_engine_are_part_of_the_default_install() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert {"pyarrow>=14", "duckdb>=1.1", "numpy>=1.24"} <= set(project["dependencies"])
    assert project["optional-dependencies"]["parquet"] == []  # kept: old install commands still work


# -- dates -------------------------------------------------------------------------------------------

def test_dates_are_parsed_to_utc_epoch_milliseconds(built: Path) -> None:
    vl = compiled("data_temporal_daily_users")
    rows = read_csv(DATA / "daily_active_users.csv")
    expected = [calendar.timegm(tuple(map(int, r["date"].split("-"))) + (0, 0, 0)) * 1000 for r in rows]
    assert [row["date"] for row in vl["data"]["values"]] == expected
    x = leaf_layers(vl)[0]["encoding"]["x"]
    assert x["type"] == "temporal" and x["scale"]["type"] == "utc"
    chart = svg(built, "data_temporal_daily_users")
    labels = chart.axis("Date").label_texts
    assert any("Mar" in t for t in labels) and any("Apr" in t for t in labels), labels


def test_bad_date_names_the_row(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_text("date,v\n2024-03-01,1\n2024-02-30,2\n")
    (tmp_path / "chartspec.toml").write_text("")
    spec = tmp_path / "s.yaml"
    spec.write_text("data: {path: d.csv, parse: {date: '%Y-%m-%d'}}\nx: {field: date, type: temporal}\n"
                    "layers: [{y: {field: v}}]\n")
    [d] = chartspec.validate(spec)
    assert (d.line, d.column) == (1, 35)  # the format the value does not fit
    assert d.message.startswith("row 2 of d.csv: '2024-02-30' in field 'date' is not a date in format '%Y-%m-%d'")


def test_dates_with_an_offset_are_converted_to_utc() -> None:
    text = ("data: {values: [{t: '2024-03-01 10:00 +0200', v: 1}], parse: {t: '%Y-%m-%d %H:%M %z'}}\n"
            "x: {field: t, type: temporal}\nlayers: [{y: {field: v}}]\n")
    [row] = chartspec.loads(text).table.rows
    assert row["t"] == calendar.timegm((2024, 3, 1, 8, 0, 0)) * 1000


def test_filter_on_a_parsed_date_compares_dates() -> None:
    text = ("data: {values: [{d: '2024-03-01', v: 1}, {d: '2024-03-05', v: 2}], parse: {d: '%Y-%m-%d'}}\n"
            "x: {field: d, type: temporal}\n"
            "transform: [{filter: {field: d, gte: '2024-03-02', one_of: ['2024-03-05']}}]\n"
            "layers: [{y: {field: v}}]\n")
    vl = drawn_vegalite(chartspec.loads(text))
    assert_valid_vega_lite(vl)
    day = lambda n: calendar.timegm((2024, 3, n, 0, 0, 0)) * 1000  # noqa: E731
    assert leaf_layers(vl)[0]["transform"][0] == {"filter": {"and": [{"field": "d", "gte": day(2)},
                                                                      {"field": "d", "oneOf": [day(5)]}]}}
    [message] = spec_errors(text.replace("gte: '2024-03-02'", "gte: '03/02/2024'"))
    assert message.startswith("3:38: '03/02/2024' is not a date in the format '%Y-%m-%d' of 'd'")


# -- several files, a glob, and per-layer data ----------------------------------------------------------

def make_runs(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "chartspec.toml").write_text("")
    for name, loss in (("b", 2.0), ("a", 1.0), ("c", 3.0)):
        folder = root / "runs" / name
        folder.mkdir(parents=True)
        (folder / "metrics.csv").write_text(f"step,loss\n0,{loss}\n1,{loss / 2}\n")
    return root / "s.yaml"


def test_glob_reads_every_file_in_sorted_order_and_names_each(tmp_path: Path) -> None:
    spec_file = make_runs(tmp_path)
    spec_file.write_text("data: {files: 'runs/*/metrics.csv', as: run}\nx: {field: step}\n"
                         "layers: [{y: {field: loss}}]\n")
    spec = chartspec.load(spec_file)
    assert spec.table.columns == ("run", "step", "loss")
    assert [(r["run"], r["step"], r["loss"]) for r in spec.table.rows] == [
        ("a", 0, 1.0), ("a", 1, 0.5), ("b", 0, 2.0), ("b", 1, 1.0), ("c", 0, 3.0), ("c", 1, 1.5)]
    # every file is an input, so the build cache rebuilds when any of them changes; so are the
    # folders the glob searched, so a new run is picked up too
    runs = tmp_path.resolve() / "runs"
    assert set(spec.inputs) == {spec_file.absolute(), *(runs / n / "metrics.csv" for n in "abc"),
                                runs, *(runs / n for n in "abc")}


def test_editing_any_globbed_or_layer_file_rebuilds(tmp_path: Path, run_cli: RunCli) -> None:
    spec_file = make_runs(tmp_path / "project")
    spec_file.write_text("data: {files: 'runs/*/metrics.csv', as: run}\nx: {field: step}\nlayers:\n"
                         "  - y: {field: loss}\n  - data: extra.csv\n    name: extra\n    y: {field: loss}\n")
    (spec_file.parent / "extra.csv").write_text("step,loss\n0,5\n")
    out = tmp_path / "out"
    build = lambda: run_cli("build", spec_file, "-o", out, "--format", "json")  # noqa: E731
    assert build().returncode == 0
    assert build().stdout.startswith("nothing to do: 1 up to date")
    for changed in ("runs/b/metrics.csv", "extra.csv", "runs/d/metrics.csv"):  # the last one is a new run
        path = spec_file.parent / changed
        path.parent.mkdir(exist_ok=True)
        path.write_text((path.read_text() if path.exists() else "step,loss\n") + "2,0.1\n")
        rebuilt = build()
        assert rebuilt.returncode == 0 and rebuilt.stdout.startswith("built"), (changed, rebuilt.stdout)
        assert build().stdout.startswith("nothing to do")
    assert {row["run"] for row in json.loads((out / "s.vl.json").read_text())["data"]["values"]} == set("abcd")


def test_glob_matching_nothing_and_leaving_the_project_are_errors(tmp_path: Path) -> None:
    spec_file = make_runs(tmp_path / "project")
    (tmp_path / "outside.csv").write_text("step,loss\n0,1\n")
    spec_file.write_text("data: {files: 'runs/*/metric.csv'}\nx: {field: step}\nlayers: [{y: {field: loss}}]\n")
    [d] = chartspec.validate(spec_file)
    assert (d.line, d.column, d.message) == (1, 15, "no data file matches 'runs/*/metric.csv'")
    spec_file.write_text("data: {files: ['runs/a/metrics.csv', '../*.csv']}\nx: {field: step}\n"
                         "layers: [{y: {field: loss}}]\n")
    [d] = chartspec.validate(spec_file)
    assert d.message.startswith("data path '../*.csv' leads outside the project")  # the pattern: nothing outside is listed


def test_glob_gallery_tags_runs_and_smooths_each_run_alone(built: Path) -> None:
    vl = compiled("data_glob_lr_sweep")
    runs = ["lr_1e-3", "lr_1e-4", "lr_3e-4"]  # sorted by path
    rows = vl["data"]["values"]
    assert list(dict.fromkeys(r["run"] for r in rows)) == runs
    raw, smooth = leaf_layers(vl)
    column = smooth["encoding"]["y"]["field"]
    for run in runs:
        file_rows = read_csv(DATA / "runs" / run / "metrics.csv")
        expected = tensorboard_ema([float(r["loss"]) for r in file_rows], 0.8)
        assert [r[column] for r in rows if r["run"] == run] == pytest.approx(expected)
    chart = svg(built, "data_glob_lr_sweep")
    paths = line_paths(chart)
    faint = [p for p in paths if opacity(p) < 0.5]
    solid = [p for p in paths if p not in faint]
    assert len(faint) == len(solid) == 3
    assert {parse_color(p.stroke) for p in faint} == {parse_color(p.stroke) for p in solid}
    assert max(p.order for p in faint) < min(p.order for p in solid)  # all raw lines behind
    [legend] = chart.legends
    assert [label for label, _ in legend.entries] == runs  # one entry per run, none for raw lines
    assert all(opacity(symbol) == 1 for _, symbol in legend.entries)  # drawn like the smooth lines
    # each run's smooth line follows that run's EMA, read back from the pixels
    by_colour = {parse_color(p.stroke): p for p in solid}
    colour_of = dict(zip(vl["layer"][0]["layer"][1]["encoding"]["color"]["scale"]["domain"],
                         vl["layer"][0]["layer"][1]["encoding"]["color"]["scale"]["range"]))
    for run in runs:
        file_rows = read_csv(DATA / "runs" / run / "metrics.csv")
        expected = dict(zip((int(r["step"]) for r in file_rows),
                            tensorboard_ema([float(r["loss"]) for r in file_rows], 0.8)))
        drawn = values_along(chart, by_colour[parse_color(colour_of[run])], "Step", "Training loss")
        assert drawn.keys() == expected.keys()
        assert all(abs(y - expected[x]) < 0.02 for x, y in drawn.items())


def test_fold_to_series_by_the_folded_column(built: Path) -> None:
    vl = compiled("transform_fold_train_val_loss")
    [layer] = leaf_layers(vl)
    assert layer["transform"][0] == {"fold": ["train_loss", "val_loss"], "as": ["split", "loss"]}
    # the series come from the column names, known before Vega-Lite runs: they are in the legend
    assert layer["encoding"]["color"]["scale"]["domain"] == ["train_loss", "val_loss"]
    chart = svg(built, "transform_fold_train_val_loss")
    [legend] = chart.legends
    assert [label for label, _ in legend.entries] == ["train_loss", "val_loss"]
    rows = read_csv(DATA / "train_val_loss.csv")
    colour_of = dict(zip(layer["encoding"]["color"]["scale"]["domain"], layer["encoding"]["color"]["scale"]["range"]))
    lines = {parse_color(p.stroke): p for p in line_paths(chart)}
    assert len(lines) == 2
    for column in ("train_loss", "val_loss"):
        drawn = values_along(chart, lines[parse_color(colour_of[column])], "Epoch", "Loss")
        expected = {int(r["epoch"]): float(r[column]) for r in rows}
        assert drawn.keys() == expected.keys()
        assert all(abs(y - expected[x]) < 0.01 for x, y in drawn.items())


def test_smoothing_in_facets_keeps_each_panel_apart() -> None:
    values = ", ".join(f"{{step: {s}, run: {r}, v: {v}}}" for r, base in (("a", 0), ("b", 100))
                       for s, v in enumerate((base, base + 4, base + 2)))
    spec = chartspec.loads(f"data: {{values: [{values}]}}\nfacet: {{field: run}}\nx: {{field: step}}\n"
                           "layers: [{y: {field: v}, smooth: {ema: 0.5}}]\n")
    vl = drawn_vegalite(spec)
    assert_valid_vega_lite(vl)
    for run, base in (("a", 0), ("b", 100)):
        got = [r["__smooth_0"] for r in vl["data"]["values"] if r["run"] == run]
        assert got == pytest.approx(tensorboard_ema([base, base + 4, base + 2], 0.5))


def test_smoothing_a_repeated_x_draws_the_last_row_with_a_note_and_refuses_duplicates_all() -> None:
    # two rows at x 0 in one series: the later replaces the earlier (a resumed run, data/steps.py),
    # a note says so and points at colouring by a field for rows of several series
    text = SPEC_HEAD.replace("step: 1", "step: 0") + "layers:\n  - y: {field: loss}\n    smooth: {ema: 0.5}\n"
    spec = chartspec.loads(text, file="spec.yaml")
    [note] = spec.notes
    assert (note.line, note.severity) == (4, "note")
    assert note.message == ("1 row of inline data repeats an x value of series 'loss' (first at step 0); "
                            "the later row is drawn")
    assert "colour the layer by the field" in (note.hint or "")
    [message] = spec_errors(text.replace("layers:", "duplicates: all\nlayers:"))
    assert message.startswith("6:5: cannot smooth: x value 0 occurs more than once, and 'duplicates: all' keeps "
                              "every row")


def test_short_names_drop_what_files_share() -> None:
    from chartspec.data.sources import short_names

    assert short_names(["runs/a/metrics.csv", "runs/b/metrics.csv"]) == ["a", "b"]
    assert short_names(["logs/seed1.jsonl", "logs/seed2.jsonl"]) == ["seed1", "seed2"]
    assert short_names(["exp/x/s1/m.csv", "exp/y/s1/m.csv"]) == ["x", "y"]
    assert short_names(["only.csv"]) == ["only"]
    assert short_names(["d/a.csv", "d/a.tsv"]) == ["d/a.csv", "d/a.tsv"]


def test_layer_data_override(built: Path) -> None:
    vl = compiled("data_layer_override_baseline")
    tuned, baseline = leaf_layers(vl)
    main_rows = read_csv(DATA / "runs" / "lr_1e-3" / "metrics.csv")
    base_rows = read_csv(DATA / "runs" / "lr_1e-4" / "metrics.csv")
    assert [r["loss"] for r in vl["data"]["values"]] == [float(r["loss"]) for r in main_rows]
    assert "data" not in tuned
    assert [r["loss"] for r in baseline["data"]["values"]] == [float(r["loss"]) for r in base_rows]
    spec = chartspec.load(SPECS / "data_layer_override_baseline.yaml")
    assert (DATA / "runs" / "lr_1e-4" / "metrics.csv").resolve() in spec.inputs
    chart = svg(built, "data_layer_override_baseline")
    [path] = [p for p in line_paths(chart) if is_dashed(p)]
    assert path.dasharray == [6, 3]
    drawn = values_along(chart, path, "Step", "Loss")
    expected = {float(r["step"]): float(r["loss"]) for r in base_rows}
    assert all(abs(y - expected[round(x)]) < 0.02 for x, y in drawn.items())


def test_layer_fields_are_checked_against_the_layer_data() -> None:
    text = ("data: {values: [{step: 0, loss: 1}]}\nx: {field: step}\nlayers:\n  - y: {field: loss}\n"
            "  - data: {values: [{step: 0, reward: 3}]}\n    name: other\n    y: {field: loss}\n")
    [message] = spec_errors(text)
    assert message == "7:16: field 'loss' not in inline data | expected a column, one of: reward, step"


# -- schema and model agree ---------------------------------------------------------------------------

def test_schema_defaults_match_the_model() -> None:
    defs = load_schema()["$defs"]
    smooth = chartspec.loads(SPEC_HEAD + "layers: [{y: {field: loss}, smooth: {ema: 0.5}}]\n").model.layers[0].smooth
    assert smooth is not None
    assert defs["smooth"]["properties"]["show_raw"]["default"] == smooth.show_raw
    assert defs["smooth"]["properties"]["raw_opacity"]["default"] == smooth.raw_opacity
    folded = chartspec.loads(SPEC_HEAD + "transform: [{fold: [loss]}]\nlayers: [{y: {field: value}}]\n")
    fold = folded.model.transform[0]
    assert defs["foldTransform"]["properties"]["as"]["default"] == [fold.key, fold.value]
    assert defs["dataObject"]["properties"]["as"]["default"] == from_mapping(
        {"data": {"files": "x/*.csv"}, "x": {"field": "step"}, "layers": [{"y": {"field": "loss"}}]}).data.as_field
