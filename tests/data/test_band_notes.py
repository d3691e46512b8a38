"""A band of stdev, stderr or ci has a gap where an x has a single row: the build says so
(data/bandnotes.py), counted by the engine over every aggregated row, before the reduction."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

import chartspec
from chartspec.data import reduce
from chartspec.data.layerdata import layer_data


def _seeds(last_full: int, steps: int = 10, seeds: int = 3, every: int = 10) -> str:
    """step,seed,reward: every seed up to step ``last_full``, then seed 0 alone."""
    rows = [f"{s * every},{seed},{s / 10 + seed / 2}" for s in range(steps)
            for seed in range(seeds if s * every <= last_full else 1)]
    return "step,seed,reward\n" + "\n".join(rows) + "\n"


BANDS = ("data: seeds.csv\nx: {field: step}\nlayers:\n"
         "  - {mark: errorband, name: band, y: {field: reward}, band: {extent: EXTENT}}\n"
         "  - {mark: rule, name: bars, y: {field: reward}, band: {extent: EXTENT}}\n")


def _notes(tmp_path: Path, spec: str, data: str) -> list[str]:
    write_tree(tmp_path, {"chartspec.toml": "", "seeds.csv": data, "chart.yaml": spec})
    return [f"{n.line}:{n.column}: {n.message}" for n in chartspec.load(tmp_path / "chart.yaml").notes]


def test_steps_of_one_seed_are_noted_per_layer_at_the_extent(tmp_path: Path, run_cli: RunCli) -> None:
    assert _notes(tmp_path, BANDS.replace("EXTENT", "ci"), _seeds(60)) == [
        "4:70: at 3 of the 10 x positions, 'reward' has a single value (first at step 70): a confidence "
        "interval needs two, so the band is missing there",
        "5:65: at 3 of the 10 x positions, 'reward' has a single value (first at step 70): a confidence "
        "interval needs two, so the error bar is missing there"]
    # what the note says is what the layer draws: no band ends at those steps, the mean goes on
    spec = chartspec.load(tmp_path / "chart.yaml")
    view = layer_data(spec).of(spec.model.layers[0])
    assert [r["step"] for r in view.rows if r["__band_lower"] is None] == [70, 80, 90]
    assert all(r["reward"] is not None for r in view.rows)
    proc = run_cli("validate", "chart.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("chart.yaml:4:70: note: at 3 of the 10 x positions") == 1, proc.stderr
    assert "  hint: the spread needs several rows at each x (seeds, runs, repeats)" in proc.stderr


def test_stdev_and_stderr_say_what_needs_two_and_minmax_says_nothing(tmp_path: Path) -> None:
    [stdev, _] = _notes(tmp_path, BANDS.replace("EXTENT", "stdev"), _seeds(80))
    assert stdev.endswith("at 1 of the 10 x positions, 'reward' has a single value (first at step 90): a standard "
                          "deviation needs two, so the band is missing there")
    assert "a standard error needs two" in _notes(tmp_path, BANDS.replace("EXTENT", "stderr"), _seeds(80))[0]
    assert _notes(tmp_path, BANDS.replace("EXTENT", "minmax"), _seeds(60)) == []
    assert _notes(tmp_path, BANDS.replace("EXTENT", "ci"), _seeds(1_000)) == []  # every step has 3 seeds


def test_series_count_their_own_x_positions(tmp_path: Path) -> None:
    # two optimizers, 3 seeds each; adam's last two steps come from one seed
    rows = [f"{opt},{s * 10},{seed},{s + seed}" for opt in ("adam", "sgd") for s in range(5)
            for seed in range(1 if opt == "adam" and s >= 3 else 3)]
    spec = ("data: runs.csv\nx: {field: step}\nlayers:\n"
            "  - mark: errorband\n    y: {field: reward}\n    color: {field: opt}\n    band: {extent: stdev}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "runs.csv": "opt,step,seed,reward\n" + "\n".join(rows) + "\n",
                          "chart.yaml": spec})
    [note] = chartspec.load(tmp_path / "chart.yaml").notes
    assert (note.line, note.column, note.severity) == (7, 20, "note")
    assert note.message.startswith("at 2 of the 10 x positions of its series of 'opt', 'reward' has a single value "
                                   "(first at step 30)")


def test_a_layer_the_engine_aggregates_is_counted_on_every_step_not_the_reduced_ones(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 3 seeds x 20,000 steps: more rows than 4 per M4 column, so the engine aggregates the band
    # (engineagg.py) and M4 then keeps a part of its rows; the single-seed steps are all counted
    # (a band whose fill grids keep half its rows is drawn whole: cut here as a larger one is)
    monkeypatch.setattr(reduce, "WHOLE_ROWS", 0)
    steps = 20_000
    notes = _notes(tmp_path, BANDS.replace("EXTENT", "ci"), _seeds(steps - 1_001, steps=steps, every=1))
    loaded = chartspec.load(tmp_path / "chart.yaml")
    band = loaded.layer_tables[0]
    assert band is not None and band.reduced_from == steps and len(band.rows) < steps  # reduced by M4
    assert loaded.model.layers[0].transform == ()  # aggregated by the engine, not by Vega
    assert notes[0] == ("4:70: at 1,000 of the 20,000 x positions, 'reward' has a single value (first at step "
                        "19000): a confidence interval needs two, so the band is missing there")


def test_facet_panels_count_their_own_x_positions(tmp_path: Path) -> None:
    rows = [f"{task},{s * 10},{seed},{s + seed}" for task in ("a", "b") for s in range(4)
            for seed in range(1 if task == "b" and s == 0 else 2)]
    spec = ("data: runs.csv\nx: {field: step}\nfacet: {field: task}\nlayers:\n"
            "  - {mark: errorband, y: {field: reward}, band: {extent: stdev}}\n")
    write_tree(tmp_path, {"chartspec.toml": "", "runs.csv": "task,step,seed,reward\n" + "\n".join(rows) + "\n",
                          "chart.yaml": spec})
    [note] = chartspec.load(tmp_path / "chart.yaml").notes
    assert note.message.startswith("at 1 of the 8 x positions in the facet's panels, 'reward' has a single value "
                                   "(first at step 0)")
