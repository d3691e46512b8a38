"""A line layer's series or line piece with a single row draws nothing: a note says which, with the
fix (breaker17 F3: runs of one row had legend entries but no mark, a one-row chart an empty plot)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree


@pytest.mark.parametrize(("rows", "layer", "expected"), [
    ("step,loss,run\n0,1,a\n1,2,a\n2,3,a\n1,5,b\n4,2,c\n", "{y: {field: loss}, color: {field: run}}",
     "draws nothing of 2 series or line pieces with a single row (run 'b' at step 1, and 1 more)"),
    ("step,loss\n5,1.2\n", "{y: {field: loss}}", "draws nothing of 1 series or line piece with a single row (at step 5)"),
    # a value cut off by holes on both sides (gaps: auto breaks the line there)
    ("step,loss\n" + "".join(f"{s},{s % 7}\n" for s in range(100)) + "500,5\n"
     + "".join(f"{s},{s % 5}\n" for s in range(1000, 1100)), "{y: {field: loss}}", "draws nothing of 1 series or line piece with a single row (at step 500)"),
])
def test_a_single_row_series_or_piece_is_noted(tmp_path: Path, run_cli: RunCli, rows: str, layer: str,
                                                expected: str) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": rows,
                          "c.yaml": f"data: d.csv\nx: {{field: step}}\nlayers:\n  - {layer}\n",
                          "m.yaml": f"data: d.csv\nx: {{field: step}}\nlayers:\n  - {layer[:-1]}, point: true}}\n"})
    proc = run_cli("validate", "c.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "c.yaml:4:5: note: layer 'loss' " + expected in proc.stderr and "a line needs two" in proc.stderr, proc.stderr
    assert "hint: add 'point: true' to the layer to mark rows a line cannot join" in proc.stderr
    marked = run_cli("validate", "m.yaml", cwd=tmp_path)  # markers draw the single rows: no note
    assert marked.returncode == 0 and "a line needs two" not in marked.stderr, marked.stderr
