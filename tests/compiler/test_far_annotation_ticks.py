"""``tick_step`` axes an annotation widens past 500 ticks, and whole-step ticks beside a vline at a
half. ``tick_step: 1`` over steps 0..19 with a ``vline: 2100`` kept the data's domain (the vline cut
off, its label stretching the chart to 66,379 px: the build failed); ``{second: 1}`` over 20 seconds
with a vline an hour on and ``tick_step: 0.01`` on a y with an ``hline: 50`` left the ticks to Vega
(or cut off the line) without a word. Now the axis drops its tick_step, the annotation is drawn, and
a note at the tick_step says so. Steps 0..5 with a ``vline: 7.5`` had Vega's halves as ticks."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree
from svgchart import parse_svg

STEPS = "step,loss\n" + "".join(f"{i},{1 / (i + 1):.3f}\n" for i in range(20))
SECONDS = "time,loss\n" + "".join(f"2024-01-01T00:00:{i:02d},{1 / (i + 1):.3f}\n" for i in range(20))


def _build(tmp_path: Path, run_cli: RunCli, csv: str, x: str, y: str, annotation: str) -> tuple[str, str]:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": csv,
                          "c.yaml": f"data: d.csv\nx: {{title: X, {x}}}\nlayers:\n  - y: {{title: Y, {y}}}\n"
                                    f"annotations: [{annotation}]\n"})
    proc = run_cli("build", "-j", "0", "-f", "svg", "c.yaml", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stderr, (tmp_path / "out" / "c.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize(("csv", "x", "y", "annotation", "note", "hint", "title", "last"), [
    (STEPS, "field: step, tick_step: 1", "field: loss", "{vline: 2100, label: far}",
     "c.yaml:2:39: note: tick_step 1 would give more than 500 ticks over [0, 2100], where the annotations "
     "reach: the ticks are left to Vega", "at least 4.2", "X", "2,200"),
    (SECONDS, "field: time, type: temporal, tick_step: {second: 1}", "field: loss",
     "{vline: '2024-01-01T01:00:00', label: far}",
     "c.yaml:2:55: note: tick_step {second: 1} would give more than 500 ticks over [2024-01-01, "
     "2024-01-01 01:00:00]", "at least {second: 8}", "X", "01:00"),
    (STEPS, "field: step", "field: loss, tick_step: 0.01", "{hline: 50, label: far}",
     "c.yaml:4:43: note: tick_step 0.01 would give more than 500 ticks over [0.05, 50]", "at least 0.0999",
     "Y", "50"),
], ids=["numeric-x", "seconds", "numeric-y"])
def test_an_annotation_past_the_tick_limit_is_drawn_and_noted(tmp_path: Path, run_cli: RunCli, csv: str, x: str,
                                                               y: str, annotation: str, note: str, hint: str,
                                                               title: str, last: str) -> None:
    stderr, svg = _build(tmp_path, run_cli, csv, x, y, annotation)
    assert note in stderr
    assert f"hint: use a tick_step of {hint}, or set 'domain' to cut the annotations off" in stderr
    labels = parse_svg(svg).axis(title).label_texts
    assert labels[-1] == last and len(labels) < 30  # Vega's ticks, reaching the annotation


def test_a_domain_keeps_the_tick_step_without_a_note(tmp_path: Path, run_cli: RunCli) -> None:
    stderr, svg = _build(tmp_path, run_cli, STEPS, "field: step, tick_step: 1, domain: [0, 19]", "field: loss",
                         "{vline: 2100}")
    assert "note:" not in stderr  # the domain cuts the vline off, as asked: the data's 20 ticks
    assert parse_svg(svg).axis("X").label_texts[-1] == "18"  # (Vega hides every other label: they overlap)


def test_whole_steps_beside_a_vline_at_a_half_keep_whole_ticks(tmp_path: Path, run_cli: RunCli) -> None:
    csv = "step,loss\n" + "".join(f"{i},{1 / (i + 1):.3f}\n" for i in range(6))
    stderr, svg = _build(tmp_path, run_cli, csv, "field: step", "field: loss", "{vline: 7.5, label: half}")
    assert "note:" not in stderr
    assert parse_svg(svg).axis("X").label_texts == [str(i) for i in range(8)]  # 0..7, not 0.0, 0.5, ... 8.0
