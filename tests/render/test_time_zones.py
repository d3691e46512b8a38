"""Dates in the HTML tooltips read as the axis reads them, whatever the reader's time zone.

Issue 14 item 6: times are UTC (data/sources.py) and temporal axes use Vega's ``utc`` scale, but a
tooltip field has no scale, so Vega-Lite wrote it in the browser's zone (America/Denver read
midnight of Mar 01 as Feb 29). Chromium's time-zone override runs the built page in zones behind,
ahead of and far ahead of UTC; the hover tooltip (chartspec's hover table) must show the dates the
axis shows, and Vega's own tooltip on a mark is written the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import build_specs, chromium_path, write_tree
from playwright import sync_api

import chartspec
from chartspec.compiler.interactive import AREA_NAME

# each zone with its offset from UTC on 2024-03-01, in minutes as JavaScript gives it (behind: positive)
ZONES = {"UTC": 0, "America/Denver": 420, "Asia/Kolkata": -330, "Pacific/Kiritimati": -840}
DAYS = "day,v\n2024-03-01,1\n2024-03-02,3\n2024-03-03,2\n"
HOURS = "at,v\n2024-03-01 18:30,1\n2024-03-02 18:30,3\n2024-03-03 18:30,2\n"
# ISO text without a parse format: Vega would read it in the reader's zone (data/dates.py makes it UTC)
ISO = "at,v\n2024-03-01T18:00,1\n2024-03-02T18:00,3\n2024-03-03T18:00,2\n"
SPECS = {
    # the small input of the issue: dates parsed from text, the hover tooltip
    "days.yaml": 'data: {path: d.csv, parse: {day: "%Y-%m-%d"}}\nx: {field: day, type: temporal}\n'
                 "layers:\n  - {mark: line, y: {field: v}}\n",
    # evening times: Kiritimati (UTC+14) is already on the next day
    "hours.yaml": 'data: {path: h.csv, parse: {at: "%Y-%m-%d %H:%M"}}\nx: {field: at, type: temporal}\n'
                  "layers:\n  - {mark: line, y: {field: v}}\n",
    "iso.yaml": "data: {path: i.csv}\nx: {field: at, type: temporal}\n"
                "annotations:\n  - {vline: '2024-03-02T12:00', label: noon}\n"
                "layers:\n  - {mark: line, y: {field: v}}\n",
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = write_tree(tmp_path_factory.mktemp("zones"), {"d.csv": DAYS, "h.csv": HOURS, "i.csv": ISO, **SPECS})
    return build_specs(project / "out", [project / name for name in SPECS], "html")


@pytest.fixture(scope="module", params=list(ZONES))
def tab(request: pytest.FixtureRequest) -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1200, "height": 900}, timezone_id=request.param)
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                      else route.abort())
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.zone = request.param
        yield page
        assert not errors, errors
        browser.close()


TOOLTIP_JS = """() => Object.fromEntries([...document.querySelectorAll('#vg-tooltip-element tr')]
  .map(tr => [tr.querySelector('.key').textContent.replace(/:$/, ''), tr.querySelector('.value').textContent]))"""
BOXES_JS = """(cls) => [...document.querySelectorAll('.chartspec-chart svg.marks g.role-mark')]
  .filter(g => g.getAttribute('class').split(' ').includes(cls))
  .flatMap(g => [...(g.children.length ? g.children : [g])])
  .map(e => { const b = e.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; })"""
AXIS_JS = """() => [...document.querySelectorAll('.chartspec-chart svg g.role-axis-label text')].map(t => t.textContent)"""


def _open(tab: Any, page: Path) -> None:
    tab.goto(page.as_uri())
    tab.wait_for_function("() => document.querySelector('figure.chartspec').getAttribute('data-chartspec')"
                          " === 'ready'", timeout=15_000)
    assert tab.evaluate("() => new Date(Date.UTC(2024, 2, 1)).getTimezoneOffset()") == ZONES[tab.zone]


def _hover(tab: Any, x: float, y: float) -> dict[str, str]:
    tab.mouse.move(1, 1)
    tab.wait_for_selector("#vg-tooltip-element.visible", state="hidden", timeout=5_000)
    tab.mouse.move(x, y)
    tab.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    return tab.evaluate(TOOLTIP_JS)


def _hover_table(tab: Any, page: Path, title: str) -> list[str]:
    """The x value the hover tooltip shows near the left end, the middle and the right end."""
    _open(tab, page)
    boxes = tab.evaluate(BOXES_JS, AREA_NAME + "_marks")
    assert boxes, "no hover layer"
    x0, x1 = min(b[0] for b in boxes), max(b[0] + b[2] for b in boxes)
    y = boxes[0][1] + boxes[0][3] / 2
    return [_hover(tab, x0 + (x1 - x0) * at, y)[title] for at in (0.02, 0.5, 0.98)]


def test_the_hover_tooltip_shows_the_axis_dates_in_every_zone(tab: Any, pages: Path) -> None:
    assert _hover_table(tab, pages / "days.html", "day") == ["Mar 01, 2024", "Mar 02, 2024", "Mar 03, 2024"]
    assert "March" in tab.evaluate(AXIS_JS)  # the axis: the same month, labelled in UTC


def test_times_of_day_stay_on_their_utc_day(tab: Any, pages: Path) -> None:
    assert _hover_table(tab, pages / "hours.html", "at") == [
        "Mar 01, 2024 18:30", "Mar 02, 2024 18:30", "Mar 03, 2024 18:30"]


def test_vegas_own_tooltip_on_a_mark_is_written_in_utc(pages: Path) -> None:
    """The marks' own tooltip (shown where there is no hover table) takes the same UTC unit and format."""
    vl = chartspec.to_vegalite(pages.parent / "days.yaml")
    (day, _value) = vl["layer"][0]["encoding"]["tooltip"]
    assert day == {"field": "day", "type": "temporal", "title": "day", "timeUnit": "utcyearmonthdate",
                   "format": "%b %d, %Y"}


def test_iso_text_without_parse_reads_the_same_in_every_zone(tab: Any, pages: Path) -> None:
    """``2024-03-01T18:00`` with no ``parse``: the axis, the tooltip and the annotation are UTC."""
    assert _hover_table(tab, pages / "iso.html", "at") == [
        "Mar 01, 2024 18:00", "Mar 02, 2024 18:00", "Mar 03, 2024 18:00"]
    # Kiritimati read the text in its zone: its axis began at "06:00" of Mar 02
    assert tab.evaluate(AXIS_JS)[:4] == ["18:00", "21:00", "Sat 02", "03:00"]
    rule = tab.evaluate(BOXES_JS, "layer_0_layer_1_marks")  # the vline at noon of Mar 02 UTC
    boxes = tab.evaluate(BOXES_JS, AREA_NAME + "_marks")
    x0, x1 = min(b[0] for b in boxes), max(b[0] + b[2] for b in boxes)
    assert rule and abs(rule[0][0] - (x0 + (x1 - x0) * 18 / 48)) < 1.5
