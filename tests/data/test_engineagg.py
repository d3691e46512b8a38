"""A large layer's aggregate run by the engine (data/engineagg.py): mean +- spread over seeds.

The band's rows are checked against numpy on the full data; the compiled layer carries them
without its aggregate; what the engine cannot match still fails with today's positioned error.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from conftest import write_tree
from PIL import Image

import chartspec
from chartspec.data.engineagg import OPS
from chartspec.errors import ChartspecError

BAND = ("x: {field: step}\nlayers:\n"
        "  - {mark: errorband, name: spread, y: {field: reward}, band: {extent: stdev}}\n"
        "  - {mark: line, y: {field: reward}, color: {field: seed}}\n")
#: the band aggregated by Vega: a chart that is not reduced keeps its transforms whatever its size
#: (and draws its line whole: a layer alone with 'reduce: false' leaves the others cut)
BAND_VEGA = "reduce: false\n" + BAND


def _seeds(path: Path, steps: int, seeds: int = 3) -> np.ndarray:
    """``seeds`` noisy walks of ``steps`` steps, written as step,seed,reward; the rewards as read."""
    rng = np.random.default_rng(5)
    reward = np.round(np.cumsum(rng.standard_normal((seeds, steps)), axis=1) * 0.02 + np.arange(seeds)[:, None], 5)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as f:
        f.write("step,seed,reward\n")
        for s in range(seeds):
            np.savetxt(f, np.column_stack([np.arange(steps), np.full(steps, s), reward[s]]),
                       fmt=["%d", "%d", "%.5f"], delimiter=",")
    return reward


def test_a_stdev_band_over_seeds_of_a_table_too_large_to_draw_is_aggregated_by_the_engine(tmp_path: Path) -> None:
    steps = 120_000  # 360,000 rows: more than Vega can draw (250,000)
    reward = _seeds(tmp_path / "seeds.csv", steps)
    write_tree(tmp_path, {"chartspec.toml": "", "eb.yaml": "data: seeds.csv\n" + BAND})
    spec = chartspec.load(tmp_path / "eb.yaml")
    band = spec.layer_tables[0]
    assert band is not None and band.reduced_from == steps  # one row per step, then cut by M4
    assert 1_000 < len(band.rows) < 40_000
    assert spec.model.layers[0].transform == ()  # no aggregate left for Vega
    mean, sd = reward.mean(axis=0), reward.std(axis=0, ddof=1)
    got = {r["step"]: r for r in band.rows}
    for step in list(got)[:: max(1, len(got) // 200)]:
        row = got[step]
        assert row["reward"] == pytest.approx(mean[step], abs=1e-9)
        assert row["__band_lower"] == pytest.approx(mean[step] - sd[step], abs=1e-9)
        assert row["__band_upper"] == pytest.approx(mean[step] + sd[step], abs=1e-9)
    # the extents of every drawn value are the full aggregate's (axis domains)
    assert min(r["__band_lower"] for r in band.rows) == pytest.approx((mean - sd).min(), abs=1e-9)
    assert max(r["__band_upper"] for r in band.rows) == pytest.approx((mean + sd).max(), abs=1e-9)
    assert max(r["reward"] for r in band.rows) == pytest.approx(mean.max(), abs=1e-9)
    assert {0, steps - 1} <= set(got)
    assert "aggregate" not in _keys(chartspec.to_vegalite(spec))  # Vega aggregates nothing again
    # the seeds' lines are reduced as before
    assert len(spec.table.rows) < 3 * steps


def _keys(node: object) -> set[str]:
    """Every key of the compiled Vega-Lite outside the embedded rows."""
    if isinstance(node, dict):
        return {k for k in node} | {k for key, v in node.items() if key != "values" for k in _keys(v)}
    return {k for v in node for k in _keys(v)} if isinstance(node, list) else set()


def _png(path: Path, out: Path) -> np.ndarray:
    chartspec.save(path, out)
    return np.asarray(Image.open(io.BytesIO(out.read_bytes())).convert("RGBA")).astype(int)


def test_the_engines_band_renders_like_vegas_own_aggregate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import chartspec.data.reduce as reduce

    # 33 steps a pixel, as 20,000 steps at 600 px: the rows Vega aggregates are what this costs
    steps, limit = 6_600, 15_000
    _seeds(tmp_path / "seeds.csv", steps)
    head = "data: seeds.csv\nwidth: 200\nheight: 300\n"
    write_tree(tmp_path, {"chartspec.toml": "", "eb.yaml": head + BAND, "vega.yaml": head + BAND_VEGA})
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "1000000")  # drawn whole: Vega aggregates 19,800 rows
    assert chartspec.load(tmp_path / "vega.yaml").model.layers[0].transform != ()
    vega = _png(tmp_path / "vega.yaml", tmp_path / "vega.png")
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", str(limit))  # too many: the engine aggregates
    assert chartspec.load(tmp_path / "eb.yaml").model.layers[0].transform == ()
    reduced = _png(tmp_path / "eb.yaml", tmp_path / "engine.png")
    # the engine's aggregate is Vega's: its rows, all of them drawn, give the same pixels
    with monkeypatch.context() as m:
        import chartspec.data.chart as chart

        m.setattr(reduce, "m4_columns", lambda *args: 10**7)  # so many columns that nothing is cut
        m.setattr(chart, "max_drawn_rows", lambda: limit)  # the engine aggregates: the gate's limit
        m.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "1000000")  # and Vega may draw every aggregated row
        assert len(chartspec.load(tmp_path / "eb.yaml").layer_tables[0].rows) == steps  # type: ignore[union-attr]
        assert (_png(tmp_path / "eb.yaml", tmp_path / "whole.png") == vega).all()
    # M4 on the band's edges: its extremes all stay, but an anti-aliased filled edge through fewer
    # vertices covers its edge pixels differently: measured 0.85-1.06 % of pixels differ (band
    # alone / with the seeds' lines), above the 0.5 % lines reach (tests/render/test_reduce_fidelity.py)
    assert vega.shape == reduced.shape
    differ = np.any(reduced != vega, axis=2)
    assert differ.mean() < 0.015, f"{differ.mean():.3%} of pixels differ"


@pytest.mark.parametrize(("layer", "why"), [
    # a filter the engine cannot match (a regular expression, on text a calculate makes)
    ("{mark: errorband, name: spread, y: {field: reward}, band: {extent: stdev},"
     " transform: [{calculate: \"'n' + datum.seed\", as: note}, {filter: \"test(/1/, datum.note)\"}]}",
     "groups of rows"),
    # an op not in the list
    ("{mark: line, name: spread, y: {field: n}, transform: [{aggregate: [{op: distinct, field: reward, as: n}],"
     " groupby: [step]}]}", "needs every row"),
    # grouped without x
    ("{mark: line, name: spread, y: {field: m}, transform: [{aggregate: [{op: mean, field: reward, as: m}],"
     " groupby: [seed]}]}", "needs every row"),
])
def test_an_aggregate_the_engine_cannot_match_still_fails_with_a_position(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layer: str, why: str) -> None:
    _seeds(tmp_path / "seeds.csv", 5_000)
    write_tree(tmp_path, {"chartspec.toml": "", "eb.yaml": "data: seeds.csv\nx: {field: step}\nlayers:\n  - " + layer + "\n"})
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "14000")
    with pytest.raises(ChartspecError) as err:
        chartspec.load(tmp_path / "eb.yaml")
    d = err.value.diagnostics[0]
    assert "would hand 15,000 rows to Vega" in d.message and why in d.message, d.message
    assert (d.line, d.column) == (4, 12)  # the layer's mark


def test_the_engines_quartiles_are_d3s(tmp_path: Path) -> None:
    import duckdb

    from chartspec.data.evaluate import _quantile

    rng = np.random.default_rng(2)
    for n in (1, 2, 3, 4, 7, 10, 101):
        values = [float(v) for v in np.round(rng.standard_normal(n), 3)]
        con = duckdb.connect()
        con.execute("CREATE TABLE t AS SELECT unnest($v) AS x", {"v": values})
        for op, p in (("q1", 0.25), ("median", 0.5), ("q3", 0.75)):
            (got,), = con.execute(f"SELECT {OPS[op].format(v='x', c='x')} FROM t").fetchall()
            assert got == pytest.approx(_quantile(values, p), abs=1e-12), (n, op)


def test_every_op_the_engine_runs_equals_evaluate_py_on_the_same_rows(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from chartspec.data.evaluate import evaluate

    rng = np.random.default_rng(8)
    steps = 5_000
    lines = ["step,seed,reward"]
    for s in range(3):
        for step in range(steps):
            value = "" if rng.random() < 0.2 else f"{rng.standard_normal():.4f}"  # missing cells too
            lines.append(f"{step},{s},{value}")
    ops = [o for o in OPS if o != "count"]
    aggregate = ", ".join(["{op: count, as: n}", *(f"{{op: {o}, field: reward, as: {o}_r}}" for o in ops)])
    spec = ("data: seeds.csv\nx: {field: step}\nlayers:\n  - mark: line\n    name: m\n    y: {field: twice}\n"
            f"    transform:\n      - {{filter: \"datum.seed != 1\"}}\n      - {{calculate: \"datum.reward * 3\", as: r3}}\n"
            f"      - {{aggregate: [{aggregate}, {{op: mean, field: r3, as: mean_r3}}], groupby: [step]}}\n"
            "      - {calculate: \"datum.mean_r * 2\", as: twice}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "seeds.csv": "\n".join(lines) + "\n", "agg.yaml": spec,
                          "vega.yaml": spec.replace("    name: m\n", "    name: m\n    reduce: false\n")})
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "14000")
    spec = chartspec.load(tmp_path / "agg.yaml")
    assert spec.model.layers[0].transform == ()
    got = {r["step"]: r for r in spec.layer_tables[0].rows}  # type: ignore[union-attr]
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "1000000")
    whole = chartspec.load(tmp_path / "vega.yaml")
    want = evaluate(whole.table.rows, whole.model.layers[0].transform, "step", {})
    assert want is not None and len(want) == steps
    for row in want:
        if row["step"] not in got:
            continue  # cut by M4
        for name, value in row.items():
            mine = got[row["step"]][name]
            assert mine is None if value is None else mine == pytest.approx(value, rel=1e-12, abs=1e-12), \
                (row["step"], name, mine, value)
    assert len(got) > 100 and any(r["missing_r"] for r in got.values()) and any(r["valid_r"] == 0 for r in got.values())


def test_a_step_with_no_valid_seed_or_one_leaves_the_band_out_as_vega_does(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Vega's mean and stdev of no valid value are ``undefined`` (NaN in ``mean - stdev``), and the
    stdev of one is too: the band has no point there. The engine read its missing aggregates as
    ``null`` (0 in arithmetic) and drew a band at 0 (breaker F1), and a zero-width band where one
    seed was logged. A user's calculate after the aggregate reads them the same way, and reads
    another calculate's NaN and Infinity as they are, not as missing."""
    from chartspec.data.evaluate import evaluate

    steps, lines = 6_000, ["step,seed,loss"]
    for s in range(3):
        for step in range(steps):
            cell = "NaN" if step % 500 == 100 else "" if step % 500 == 200 and s > 0 else f"{5 + s + step * 1e-4:.4f}"
            lines.append(f"{step},{s},{cell}")
    user = ("x: {field: step}\nlayers:\n  - mark: line\n    y: {field: d}\n    transform:\n"
            "      - {aggregate: [{op: mean, field: loss, as: m}, {op: max, field: loss, as: hi}], groupby: [step]}\n"
            "      - {calculate: \"datum.hi - datum.m\", as: d}\n"
            "      - {calculate: \"datum.m == null ? -1 : 1 / (datum.d - datum.d)\", as: inf}\n"
            "      - {calculate: \"datum.inf > 0 ? 7 : datum.inf\", as: seven}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "seeds.csv": "\n".join(lines) + "\n",
                          "band.yaml": "data: seeds.csv\nx: {field: step}\nlayers:\n"
                                       "  - {mark: errorband, y: {field: loss}, band: {extent: stdev}}\n",
                          "user.yaml": "data: seeds.csv\n" + user,
                          "vega.yaml": "data: seeds.csv\n" + user.replace("mark: line\n", "mark: line\n    reduce: false\n")})
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "10000")  # 18,000 rows: the engine aggregates
    band = chartspec.load(tmp_path / "band.yaml")
    assert band.model.layers[0].transform == ()
    rows = {r["step"]: r for r in band.layer_tables[0].rows}  # type: ignore[union-attr]
    for step in (100, 200, 1100, 1200):
        if step in rows:  # kept by M4 or not, never drawn at 0
            assert rows[step]["__band_lower"] is None and rows[step]["__band_upper"] is None, rows[step]
    assert all(r["__band_lower"] is None or r["__band_lower"] > 4 for r in rows.values())
    spec = chartspec.load(tmp_path / "user.yaml")
    assert spec.model.layers[0].transform == ()
    got = {r["step"]: r for r in spec.layer_tables[0].rows}  # type: ignore[union-attr]
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "1000000")
    whole = chartspec.load(tmp_path / "vega.yaml")
    want = {r["step"]: r for r in evaluate(whole.table.rows, whole.model.layers[0].transform, "step", {}) or ()}
    assert want[100]["d"] is None and want[100]["inf"] == -1 and want[200]["d"] == 0 and want[200]["seven"] == 7
    for step, row in got.items():
        assert {k: row[k] for k in ("m", "d", "inf", "seven")} == {k: want[step][k] for k in ("m", "d", "inf", "seven")}
    assert {100, 200} <= set(got)


def test_a_mid_size_band_is_aggregated_by_the_engine_at_the_m4_gate(tmp_path: Path) -> None:
    """Vega's own aggregate of 160,000 rows took 14.6 s and embedded every row (breaker F10): the
    engine aggregates above reduce.py's M4 gate (more rows than 4 per M4 column), far below the
    drawing limit; a table below the gate (every golden chart) keeps Vega's aggregate."""
    _seeds(tmp_path / "mid.csv", 8_000)  # 24,000 rows: above 4 x 3,000 columns (600 px), below 250,000
    _seeds(tmp_path / "small.csv", 3_000)  # 9,000 rows: below the gate
    write_tree(tmp_path, {"chartspec.toml": "", "mid.yaml": "data: mid.csv\nwidth: 600\n" + BAND,
                          "small.yaml": "data: small.csv\nwidth: 600\n" + BAND})
    mid = chartspec.load(tmp_path / "mid.yaml")
    assert mid.model.layers[0].transform == ()
    assert len(mid.layer_tables[0].rows) <= 8_000  # type: ignore[union-attr]
    small = chartspec.load(tmp_path / "small.yaml")
    assert small.model.layers[0].transform != () and small.layer_tables[0] is None
