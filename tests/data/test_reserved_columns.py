"""Column names starting with ``__`` are chartspec's own (``__series``, ``__draws``, ``__row``, ...).

A data column or a transform's output under such a name overwrote chartspec's bookkeeping: a
CSV with a ``__draws`` column of zeros drew an empty chart, reported as built. Such names are
refused where they come from, with a hint, for every kind of data source.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

import chartspec

ROWS = "[{step: 0, loss: 3, __draws: 0}, {step: 1, loss: 2, __draws: 0}]"


def test_inline_column_is_refused_at_the_data() -> None:
    with pytest.raises(chartspec.DataError) as caught:
        chartspec.loads(f"data: {{values: {ROWS}}}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}}}]\n")
    [diag] = caught.value.diagnostics
    assert (diag.line, diag.column) == (1, 16)  # the values
    assert diag.message == "column '__draws' of inline data: names starting with '__' are chartspec's own"
    assert diag.hint is not None and "rename" in diag.hint


@pytest.mark.parametrize("transform", [
    "{calculate: 'datum.loss * 2', as: __series}",
    "{fold: [loss], as: [__k, value]}",
    "{aggregate: [{op: mean, field: loss, as: __row}], groupby: [step]}",
    "{rolling: {field: loss, window: 2, as: __e}}",
])
def test_transform_output_is_refused_at_the_transform(transform: str) -> None:
    text = (f"data: {{values: [{{step: 0, loss: 3}}, {{step: 1, loss: 2}}]}}\nx: {{field: step}}\n"
            f"transform:\n  - {transform}\nlayers: [{{y: {{field: loss}}}}]\n")
    with pytest.raises(chartspec.ChartspecError) as caught:
        chartspec.loads(text)
    [diag] = [d for d in caught.value.diagnostics if "chartspec's own" in d.message]
    assert diag.line == 4
    assert diag.hint is not None and "another name" in diag.hint


def test_csv_column_fails_its_spec_only(tmp_path: Path, run_cli: RunCli) -> None:
    fine = "data: ok.csv\nx: {field: step}\nlayers: [{y: {field: loss}}]\n"
    project = write_tree(tmp_path, {"chartspec.toml": "", "ok.csv": "step,loss\n0,3\n1,2\n",
                                    "bad.csv": "step,loss,__draws\n0,3,0\n1,2,0\n",
                                    "a.yaml": fine, "b.yaml": fine.replace("ok.csv", "bad.csv")})
    proc = run_cli("build", project, "-o", tmp_path / "out", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "b.yaml:1:7: error: column '__draws' of bad.csv: names starting with '__' are chartspec's own" \
        in proc.stderr
    assert "1 built, 1 failed" in proc.stderr
    assert not (tmp_path / "out" / "b.svg").exists()


def test_chartspecs_own_transforms_are_not_refused() -> None:
    """band: {extent: ci} adds transforms making __band_lower/__band_upper: those are chartspec's."""
    rows = ", ".join(f"{{step: {s}, seed: {k}, loss: {s + k}}}" for s in range(3) for k in range(3))
    spec = chartspec.loads(f"data: {{values: [{rows}]}}\nx: {{field: step}}\n"
                           "layers: [{mark: errorband, y: {field: loss}, band: {extent: ci}}]\n")
    assert chartspec.to_vegalite(spec)["layer"]
