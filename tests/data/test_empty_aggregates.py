"""A large layer whose aggregate the engine runs (engineagg.py) after a filter that keeps no row
gets the note a small one gets. Past ~10,000 rows an errorband's ``band: {extent: stdev}`` is
aggregated in DuckDB and the compiler sees the aggregated rows with no transform left, so the
"draws nothing" note (compiler/emptylayers.py) was never given: only small charts had it.

A layer drawing a field an aggregate (or a calculate over one) makes was not noted on either path:
its y is not a column of the data, so the data seemed to have "no value to lose". The check now
looks at the columns the y is made from (bandnotes.made_from); a count, made of rows alone, at
whether the data has rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

SPEC = ("data: d.csv\nx: {{field: step}}\nlayers:\n  - {{mark: line, name: mean, y: {{field: loss}}, duplicates: all}}\n"
        "  - mark: {mark}\n    name: spread\n    y: {{field: {y}}}\n    {band}\n"
        "    transform: [{{filter: \"datum.seed > {seed}\"}}{more}]\n")
BAND = {"mark": "errorband", "y": "loss", "band": "band: {extent: stdev}", "more": ""}
MEAN = {"mark": "line", "y": "mean_loss", "band": "",
        "more": ", {aggregate: [{op: mean, field: loss, as: mean_loss}], groupby: [step]}"}
PERCENT = {"mark": "line", "y": "pct", "band": "",
           "more": ", {aggregate: [{op: max, field: loss, as: top}], groupby: [step]}, {calculate: datum.top * 100, as: pct}"}
COUNT = {"mark": "line", "y": "n", "band": "", "more": ", {aggregate: [{op: count, as: n}], groupby: [step]}"}
LAYERS = [BAND, MEAN, PERCENT, COUNT]
IDS = ["band", "mean", "calculated", "count"]
NOTE = "c.yaml:9:17: note: layer 'spread' draws nothing: its transforms keep no row of d.csv{}\n"


def _csv(steps: int) -> str:
    return "step,seed,loss\n" + "".join(f"{s},{seed},{(s * 7 + seed) % 11}\n" for s in range(steps) for seed in range(3))


@pytest.mark.parametrize("layer", LAYERS, ids=IDS)
@pytest.mark.parametrize("steps", [50, 7_000], ids=["small", "engine"])
def test_an_aggregated_layer_that_keeps_no_row_is_noted_alike(tmp_path: Path, run_cli: RunCli, steps: int,
                                                               layer: dict[str, str]) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": _csv(steps), "c.yaml": SPEC.format(**layer, seed=5)})
    proc = run_cli("validate", "c.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    # named by the data's column the y is made from ('loss'), not the aggregate's output
    assert NOTE.format("" if layer is COUNT else " with a value in 'loss'") in proc.stderr, proc.stderr
    assert "hint: check the filter's values against the data (the chart is built without the layer)" in proc.stderr


@pytest.mark.parametrize("layer", LAYERS, ids=IDS)
@pytest.mark.parametrize("steps", [50, 7_000], ids=["small", "engine"])
def test_an_aggregated_layer_that_keeps_rows_gets_no_note(tmp_path: Path, run_cli: RunCli, steps: int,
                                                          layer: dict[str, str]) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": _csv(steps),
                          "c.yaml": SPEC.format(**layer, seed=0)})
    proc = run_cli("validate", "c.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "draws nothing" not in proc.stderr
