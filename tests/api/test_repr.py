"""What a notebook shows of the objects the API hands out: one short, useful line each.

A breaker's finding: ``repr()`` of a loaded Spec (what a notebook cell prints) was the generated
dataclass repr, about 8.5 KB for a 21-row chart: every row, the whole source text and every
position. The parts stay reachable as attributes (``spec.model``, ``spec.table.rows``...).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO, SPECS

import chartspec


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # paths are shown relative to the working folder


def test_a_spec_shows_its_path_title_layers_and_rows() -> None:
    spec = chartspec.load(SPECS / "rl_training.yaml")
    assert repr(spec) == "Spec(path='specs/rl_training.yaml', title='RL Training Progression', layers=2, rows=21)"
    assert repr(spec.model) == "ChartSpec(title='RL Training Progression', x='step', layers=('token_length', " \
                               "'reproduced_rate'))"
    assert repr(spec.table) == ("Table(name='data/rl_training.csv', columns=('step', 'token_length', "
                                "'reproduced_rate'), rows=21)")
    assert repr(spec.source) == "SourceMap(file='specs/rl_training.yaml', lines=16)"
    assert len(spec.table.rows) == 21  # the rows are all still there


def test_layouts_plain_vegalite_and_text_specs_are_short_too() -> None:
    layout = chartspec.load(SPECS / "layout_hconcat_training.yaml")
    assert repr(layout) == "Spec(path='specs/layout_hconcat_training.yaml', title='Adam against SGD', hconcat=2)"
    assert repr(layout.model) == "ConcatSpec(title='Adam against SGD', hconcat=2)"
    assert repr(chartspec.load(SPECS / "accuracy_heatmap.vl.yaml")) == \
        "Spec(path='specs/accuracy_heatmap.vl.yaml', kind='vega-lite')"
    text = chartspec.loads("data: {values: [{a: 1}, {a: 2}]}\nx: {field: a}\nlayers: [{y: {field: a}}]\n")
    assert repr(text).startswith("Spec(file=") and repr(text).endswith("title=None, layers=1, rows=2)")


def test_a_large_table_shows_its_row_count_and_what_is_drawn(tmp_path: Path) -> None:
    (tmp_path / "chartspec.toml").write_text("")
    rows = "\n".join(f"{i},{i % 7}" for i in range(200_000))
    (tmp_path / "big.csv").write_text(f"step,loss\n{rows}\n")  # over ENGINE_BYTES: the engine reads it
    (tmp_path / "s.yaml").write_text("data: big.csv\nx: {field: step}\nlayers: [{y: {field: loss}}]\n")
    os.chdir(tmp_path)
    spec = chartspec.load(tmp_path / "s.yaml")
    assert repr(spec).startswith("Spec(path='s.yaml', title=None, layers=1, rows=200000, drawn=")
    assert repr(spec.table).startswith("Table(name='big.csv', columns=('step', 'loss'), rows=")
    assert repr(spec.table).endswith(", reduced_from=200000)")


def test_a_build_report_and_its_results_say_what_happened(tmp_path: Path) -> None:
    good = SPECS / "rl_training.yaml"
    bad = tmp_path / "bad.yaml"
    bad.write_text("titel: x\n")
    report = chartspec.build([good, bad], chartspec.BuildOptions(out=tmp_path / "out", formats=("svg",)))
    assert repr(report).startswith("BuildReport(built=1, failed=1, seconds=")
    ok, failed = sorted(report.results, key=lambda r: r.status)
    assert repr(ok) == "SpecResult(spec='specs/rl_training.yaml', status='built', outputs=1)"
    assert repr(failed).startswith("SpecResult(spec=") and "status='failed', outputs=0, error=" in repr(failed)
    assert len(repr(report)) < 120
