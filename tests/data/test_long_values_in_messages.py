"""A long value a message quotes (a 500-character layer name, a long cell) is shortened in the
middle, so the message stays readable on a terminal: the position already points at the value."""

from __future__ import annotations

from pathlib import Path

from conftest import load_error, write_tree

import chartspec
from chartspec.errors import quoted

LONG = "".join(f"part{i:03d}-" for i in range(60))[:500]


def test_quoted_keeps_short_values_and_cuts_long_ones_in_the_middle() -> None:
    assert quoted("loss") == "'loss'" and quoted(3.5) == "3.5"
    cut = quoted(LONG)
    assert len(cut) == 60 and cut.startswith("'part000-") and cut.endswith("-'") and "…" in cut, cut


def _message(err: chartspec.ChartspecError, starts: str) -> str:
    [found] = [d.message for d in err.diagnostics if d.message.startswith(starts)]
    return found


def test_layer_names_and_series_values_are_quoted_short(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": f"step,loss,run\n0,1,{LONG}\n1,2,{LONG}\n0,3,a\n"})
    err = load_error(tmp_path / "a.yaml", f"data: d.csv\nx: {{field: step}}\nlayers:\n  - {{y: {{field: loss}}, "
                                          f"name: '{LONG}'}}\n  - {{y: {{field: loss}}, name: '{LONG}'}}\n")
    message = _message(err, "two layers share the legend name")
    assert len(message) < 140 and quoted(LONG) in message, message
    err = load_error(tmp_path / "b.yaml", f"data: d.csv\nx: {{field: step}}\nlayers:\n  - {{y: {{field: loss}}, "
                                          f"name: '{LONG}'}}\n  - {{y: {{field: loss}}, name: b, color: {{field: run}}}}\n")
    message = _message(err, "the series")
    assert len(message) < 160 and quoted(LONG) in message, message


def test_the_repeated_x_note_quotes_a_long_series_name_short(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": f"step,loss,run\n0,1,{LONG}\n0,2,{LONG}\n1,3,{LONG}\n"})
    for layer in (f"{{y: {{field: loss}}, name: '{LONG}'}}", "{y: {field: loss}, color: {field: run}}"):
        spec = chartspec.loads(f"data: d.csv\nx: {{field: step}}\nlayers:\n  - {layer}\n", file="n.yaml",
                               path=tmp_path / "n.yaml")
        [note] = [n for n in spec.notes if "repeats an x value" in n.message]
        assert len(note.message) < 220 and quoted(LONG) in note.message, note.message
