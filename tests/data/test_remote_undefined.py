"""Spark's and Ibis's aggregates leave a band out where Vega's does, as engineagg.py does (breaker F1).

A step whose seeds are all missing has an ``undefined`` mean and stdev in Vega, a step with one
valid seed an ``undefined`` stdev: ``mean - stdev`` is NaN there, so the band has no point. The
remote translators read the aggregate's NULL as ``undefined`` (NaN in arithmetic), never as
``null`` (0). A user's calculate after the aggregate reads another's Infinity as it is.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

import chartspec
from chartspec.data.engineagg import aggregate_parts

#: (step, seed, loss): step 1 has no valid loss, step 2 one, steps 0 and 3 three
ROWS = [(float(step), float(seed), None if step == 1 or (step == 2 and seed) else 1.0 + step + seed)
        for step in range(4) for seed in range(3)]
KINDS = {"step": "number", "seed": "number", "loss": "number"}
LAYERS = ("  - {mark: errorband, y: {field: loss}, band: {extent: stdev}}\n"
          "  - mark: line\n    y: {field: seven}\n    transform:\n"
          "      - {aggregate: [{op: mean, field: loss, as: m}, {op: max, field: loss, as: hi}], groupby: [step]}\n"
          "      - {calculate: \"(datum.hi - datum.m + 1) * 1e308 * 10\", as: inf}\n"
          "      - {calculate: \"datum.inf > 0 ? 7 : datum.m - datum.hi\", as: seven}\n")
#: per step: (band lower, seven) as Vega gives them (None: missing)
WANT = {0: (1.0, 7.0), 1: (None, None), 2: (None, 7.0), 3: (4.0, 7.0)}


@pytest.fixture(scope="module")
def charted(tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("undefined")
    csv = "step,seed,loss\n" + "".join(f"{s:g},{d:g},{'' if v is None else v}\n" for s, d, v in ROWS)
    write_tree(root, {"chartspec.toml": "", "d.csv": csv, "c.yaml": "data: d.csv\nx: {field: step}\nlayers:\n" + LAYERS})
    return chartspec.load(root / "c.yaml").model


def _check(model: Any, rows_of: Any) -> None:
    for layer, name, at in ((model.layers[0], "__band_lower", 0), (model.layers[1], "seven", 1)):
        parts = aggregate_parts(layer, model, False)
        assert parts is not None
        got = {int(r["step"]): r[name] for r in rows_of(layer, parts)}
        got = {s: None if v is None or (isinstance(v, float) and math.isnan(v)) else v for s, v in got.items()}
        assert got == pytest.approx({s: w[at] for s, w in WANT.items()})


def test_ibis(charted: Any, tmp_path: Path) -> None:
    import ibis

    from chartspec.data.ibisagg import ibis_aggregate

    t = ibis.memtable({"step": [r[0] for r in ROWS], "seed": [r[1] for r in ROWS], "loss": [r[2] for r in ROWS]})
    con = ibis.duckdb.connect()

    def rows_of(layer: Any, parts: Any) -> list[dict[str, Any]]:
        made = ibis_aggregate(t, KINDS, layer, charted, parts)
        assert made is not None
        return con.execute(made[0]).to_dict("records")
    _check(charted, rows_of)


def test_spark(charted: Any, spark: Any) -> None:
    from chartspec.data.sparkagg import spark_aggregate

    frame = spark.createDataFrame(ROWS, "step double, seed double, loss double")

    def rows_of(layer: Any, parts: Any) -> list[dict[str, Any]]:
        out = spark_aggregate(frame, layer, charted, parts)
        assert out is not None
        return [r.asDict() for r in out.collect()]
    _check(charted, rows_of)
