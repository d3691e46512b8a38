"""A training log's ``wall_time``: seconds in the table (as documented), dates on a temporal axis,
and never NaN in the emitted JSON.

DVCLive writes ``timestamp`` (milliseconds) only in some metric files; a step logged only in a
file without one had ``min(wall_time)`` over NaN, written as ``"wall_time":NaN``: invalid JSON that
made the HTML page say "chart could not be read" while the build reported success.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from conftest import build_specs
from svgchart import parse_svg

import chartspec
from chartspec.errors import ExportError
from chartspec.render.html import script_json, strict_json


def _dvclive(root: Path) -> Path:
    metrics = root / "dvclive" / "plots" / "metrics"
    metrics.mkdir(parents=True)
    (metrics / "loss.tsv").write_text("timestamp\tstep\tloss\n1700000000000\t0\t2.0\n1700000001000\t1\t1.5\n",
                                      encoding="utf-8")
    (metrics / "acc.tsv").write_text("step\tacc\n0\t0.1\n2\t0.5\n", encoding="utf-8")
    (root / "chartspec.toml").write_text("", encoding="utf-8")
    return root


def test_dvclive_step_without_a_timestamp_has_no_wall_time(tmp_path: Path) -> None:
    root = _dvclive(tmp_path)
    (root / "c.yaml").write_text("data: dvclive\nx: {field: step}\nlayers: [{y: {field: loss}}, {y: {field: acc}}, {y: {field: wall_time}}]\n",
                                 encoding="utf-8")
    rows = chartspec.load(root / "c.yaml").table.rows
    assert [(r["step"], r.get("wall_time")) for r in rows] == [(0, 1700000000.0), (1, 1700000001.0), (2, None)]
    out = build_specs(root / "out", [root / "c.yaml"], "html,json")
    vl = json.loads((out / "c.vl.json").read_text(encoding="utf-8"))  # strict: NaN would not parse...
    text = (out / "c.vl.json").read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    assert [r.get("wall_time") for r in vl["data"]["values"]] == [1700000000.0, 1700000001.0, None]
    page = (out / "c.html").read_text(encoding="utf-8")
    assert "NaN" not in page and "Infinity" not in page


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_the_json_writers_refuse_non_finite_numbers(bad: float) -> None:
    with pytest.raises(ExportError, match="internal error: a NaN or infinite number"):
        strict_json({"data": {"values": [{"x": bad}]}})
    with pytest.raises(ExportError, match="internal error"):
        script_json([bad])
    assert strict_json({"x": None}) == '{"x": null}'


def test_temporal_wall_time_shows_the_run_dates(tmp_path: Path) -> None:
    """DVCLive (timestamps in ms, kept as seconds in the table) and TensorBoard (seconds)."""
    root = _dvclive(tmp_path)
    from tensorboard.compat.proto import event_pb2, summary_pb2
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(root / "runs" / "a"))
    for step in range(4):  # a day apart: 14-17 November 2023
        summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag="loss", simple_value=2.0 - step / 4)])
        writer.add_event(event_pb2.Event(wall_time=1_700_000_000 + 86_400 * step, step=step, summary=summary))
    writer.close()
    specs = []
    for name, data in (("tb", "runs/a"), ("dvc", "dvclive")):
        (root / f"{name}.yaml").write_text(f"data: {data}\nx: {{field: wall_time, type: temporal, title: when}}\n"
                                           "layers: [{y: {field: loss}}]\n", encoding="utf-8")
        specs.append(root / f"{name}.yaml")
    # on a time axis milliseconds; as a number, wall_time stays in seconds
    assert chartspec.load(root / "tb.yaml").table.rows[0]["wall_time"] == pytest.approx(1_700_000_000_000)
    (root / "n.yaml").write_text("data: runs/a\nx: {field: step}\nlayers: [{y: {field: wall_time}}]\n",
                                 encoding="utf-8")
    assert chartspec.load(root / "n.yaml").table.rows[0]["wall_time"] == pytest.approx(1_700_000_000)
    out = build_specs(root / "out", specs, "svg,json")
    tb = parse_svg(out / "tb.svg").axis("when")
    assert "from Tuesday, 14 November 2023, 10:13:20 PM UTC to Friday, 17 November 2023" in tb.aria_label
    assert {"Wed 15", "Thu 16", "Fri 17"} <= set(tb.label_texts)
    assert not any(t.startswith(".") or "1970" in t for t in tb.label_texts)
    dvc = json.loads((out / "dvc.vl.json").read_text(encoding="utf-8"))
    assert [r.get("wall_time") for r in dvc["data"]["values"]][:2] == [1_700_000_000_000, 1_700_000_001_000]
    assert ":21" in parse_svg(out / "dvc.svg").axis("when").label_texts  # 22:13:20-21 UTC, not .000-.001 s


def test_engine_calculates_and_aggregates_write_no_non_finite_numbers(tmp_path: Path) -> None:
    """Large data: the calculates and the aggregate run in the engine (engineagg.py), where 1/0 is
    an infinity and a mean or a deviation over it too; the rows fetched from it hold null instead."""
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "big.csv").write_text("step,v\n" + "".join(f"{i},{i % 1000 - 500}\n" for i in range(30000)),
                                      encoding="utf-8")
    base = 'data: big.csv\ntransform: [{calculate: "1/datum.v", as: inv}, {calculate: "floor(datum.step/10)", as: b}'
    (tmp_path / "agg.yaml").write_text(
        base + ", {aggregate: [{op: mean, field: inv, as: m}], groupby: [b]}]\nx: {field: b}\n"
        "layers: [{y: {field: m}}]\n", encoding="utf-8")
    (tmp_path / "band.yaml").write_text(
        base + "]\nx: {field: b}\nlayers: [{mark: errorband, y: {field: inv}, band: {extent: stdev}}]\n",
        encoding="utf-8")
    out = build_specs(tmp_path / "out", [tmp_path / "agg.yaml", tmp_path / "band.yaml"], "json,html")

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in the JSON")

    for stem in ("agg", "band"):
        vl = json.loads((out / f"{stem}.vl.json").read_text(encoding="utf-8"), parse_constant=refuse)
        assert vl["layer"]  # drawn
        page = (out / f"{stem}.html").read_text(encoding="utf-8")
        [embedded] = re.findall(r'<template class="chartspec-spec"[^>]*>(.*?)</template>', page, re.S)
        assert json.loads(embedded, parse_constant=refuse)["layer"]
        assert "values from NaN" not in page  # the fallback SVG's axes span the finite values


def test_a_deviation_over_an_infinity_is_not_an_internal_error(tmp_path: Path) -> None:
    """Small data: Python runs the band's aggregate to size the axis (evaluate.py); Python's
    ``statistics.stdev`` raised on the infinity of 1/0, where Vega's gives NaN (drawn as missing)."""
    (tmp_path / "chartspec.toml").write_text("", encoding="utf-8")
    (tmp_path / "d.csv").write_text("step,v\n" + "".join(f"{i},{i % 7 - 3}\n" for i in range(60)), encoding="utf-8")
    (tmp_path / "c.yaml").write_text(
        'data: d.csv\ntransform: [{calculate: "1/datum.v", as: inv}, {calculate: "floor(datum.step/10)", as: b}]\n'
        "x: {field: b}\nlayers: [{mark: errorband, y: {field: inv}, band: {extent: stdev}}]\n", encoding="utf-8")
    out = build_specs(tmp_path / "out", [tmp_path / "c.yaml"], "svg")
    assert parse_svg(out / "c.svg").axes
