"""Time axes label the time of day on a 24-hour clock wherever Vega picks the labels itself.

Vega's own multi-format wrote an hour's tick "%I %p" and a minute's "%I:%M": a run logged from
17:00 to 19:30 UTC read "05 PM", "05:15", ..., "06:30" (18:30, with no AM/PM). Read back from the
SVG that Vega draws, for spans of minutes, hours, a day and several days.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import drawn_vegalite, write_tree
from svgchart import parse_svg

import chartspec

_START = dt.datetime(2024, 3, 1, 17, 0)


def _labels(tmp_path: Path, every: dt.timedelta, count: int, x: str = "") -> list[str]:
    """The tick labels of a temporal x axis over ``count`` rows ``every`` apart from 17:00 UTC."""
    rows = "".join(f"{(_START + i * every).isoformat()},{i}\n" for i in range(count))
    write_tree(tmp_path, {"d.csv": "t,v\n" + rows,
                          "c.yaml": f"data: d.csv\nx: {{field: t, type: temporal, title: Time{x}}}\n"
                                    "layers: [{mark: line, y: {field: v, title: V}}]\n"})
    chart = parse_svg(vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml"))))
    return chart.axis("Time").label_texts


def _clock(labels: list[str]) -> list[tuple[int, int]]:
    """The (hour, minute) of every label that writes a time of day; none may be 12-hour."""
    assert not [label for label in labels if re.search(r"\b(AM|PM)\b", label)], labels
    return [(int(h), int(m)) for label in labels for h, m in re.findall(r"\b(\d\d):(\d\d)\b", label)]


def test_a_run_from_17_to_19_30_reads_in_24_hours(tmp_path: Path) -> None:
    labels = _labels(tmp_path, dt.timedelta(minutes=5), 31)
    assert labels == ["17:00", "17:15", "17:30", "17:45", "18:00", "18:15", "18:30", "18:45",
                      "19:00", "19:15", "19:30"]


@pytest.mark.parametrize(("every", "count", "hours"), [
    (dt.timedelta(seconds=20), 31, {17}),  # ten minutes: ':20' seconds between '17:01' minutes
    (dt.timedelta(minutes=1), 40, {17}),  # 40 minutes
    (dt.timedelta(minutes=20), 31, set(range(17, 24)) | {0, 1, 2, 3, 4, 5, 6, 7}),  # ten hours
    (dt.timedelta(hours=1), 25, set(range(24))),  # a day, past midnight
    (dt.timedelta(hours=3), 25, set(range(24))),  # three days: 'Sat 02' and times between
])
def test_every_span_writes_times_of_day_in_24_hours(tmp_path: Path, every: dt.timedelta, count: int,
                                                    hours: set[int]) -> None:
    clock = _clock(_labels(tmp_path, every, count))
    assert clock and {h for h, _ in clock} <= hours
    if every >= dt.timedelta(minutes=20):
        assert any(h > 12 for h, _ in clock)  # afternoon hours written as such


def test_a_time_unit_keeps_vega_lites_labels_for_it(tmp_path: Path) -> None:
    labels = _labels(tmp_path, dt.timedelta(hours=1), 4, ", time_unit: hours")
    assert labels and all(re.fullmatch(r"\d\d:00", label) for label in labels), labels
    assert "18:00" in labels


def test_an_own_format_is_kept(tmp_path: Path) -> None:
    assert _labels(tmp_path, dt.timedelta(minutes=30), 6, ", format: '%I:%M %p'")[0] == "05:00 PM"
