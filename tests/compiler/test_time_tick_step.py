"""``tick_step`` of an hour, minute or second on a time axis. As Vega's ``tickCount`` ({interval:
hour, step: 6}) such a step failed every render ("TypeError: Cannot read properties of undefined
(reading 'marktype')"); the ticks are now listed, where d3's ``utcHour.every(6)`` puts them."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree
from svgchart import parse_svg

CSV = "t,v\n2024-03-01T00:00:00,1\n2024-03-01T09:00:00,3\n2024-03-02T00:00:00,2\n"


@pytest.mark.parametrize(("step", "labels"), [
    ("{hour: 6}", ["March", "06 AM", "12 PM", "06 PM", "Sat 02"]),
    ("{hour: 5}", ["March", "05 AM", "10 AM", "03 PM", "08 PM", "Sat 02"]),  # the hours of each day divisible by 5
    ("{minute: 30}", ["March", "12:30", "01 AM", "01:30", "02 AM"]),
])
def test_an_hourly_tick_step_renders_with_ticks_at_those_hours(tmp_path: Path, run_cli: RunCli, step: str,
                                                             labels: list[str]) -> None:
    write_tree(tmp_path, {"d.csv": CSV if "minute" not in step else "t,v\n2024-03-01T00:00:00,1\n2024-03-01T02:00:00,2\n",
                          "c.yaml": f"data: d.csv\nx: {{field: t, type: temporal, title: T, tick_step: {step}}}\n"
                                    "layers: [{mark: line, y: {field: v}}]\n"})
    proc = run_cli("build", "-j", "0", "-f", "svg", "c.yaml", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    axis = parse_svg((tmp_path / "out" / "c.svg").read_text(encoding="utf-8")).axis("T")
    assert axis.label_texts == labels
    positions = axis.tick_positions()
    gaps = {round(b - a, 1) for a, b in zip(positions, positions[1:])}
    assert len(gaps) <= 2  # evenly spaced (the last gap may be shorter: a day is not a multiple of 5 hours)
