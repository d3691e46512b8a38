"""A compiled chart's ``save`` and ``to_html`` write chartspec's offline, escaped page, not Altair's.

A breaker found ``chartspec.compile(spec).save("a.html")`` (and ``to_html()``, and compositions)
wrote Altair's template: the spec's ``</script><script>...`` raw into the page (script from the
spec ran in Chromium) and Vega loaded from a CDN. ``chartspec.save(spec, ...)`` was already safe;
the chart's own methods now write what it writes.
"""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import chartspec

HOSTILE = ('title: "</script><script>document.title=\'PWN\'</script>"\n'
           'data: {values: [{x: 1, y: 2}, {x: 2, y: "</script><img src=x onerror=alert(1)>"}]}\n'
           "x: {field: x}\nlayers: [{y: {field: y, type: nominal}}]\n")


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _check_page(page: str) -> None:
    parser = _Tags()
    parser.feed(page)
    tags = parser.tags
    assert not [t for t, _ in tags if t == "img"]  # the data's <img onerror> stayed text
    scripts = [a for t, a in tags if t == "script"]
    assert scripts and not [a for a in scripts if a.get("src")]  # Vega inlined: nothing fetched
    assert "</script><script>document.title" not in page and "cdn.jsdelivr" not in page
    assert any(t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy" for t, a in tags)


@pytest.fixture(scope="module")
def chart() -> Any:
    return chartspec.compile(chartspec.loads(HOSTILE))


def test_save_and_to_html_write_the_escaped_offline_page(chart: Any, tmp_path: Path) -> None:
    chart.save(tmp_path / "a.html")
    _check_page((tmp_path / "a.html").read_text())
    _check_page(chart.to_html())
    (chart | chart).save(str(tmp_path / "b.html"))
    _check_page((tmp_path / "b.html").read_text())


def test_save_writes_every_format_to_paths_and_file_objects(chart: Any, tmp_path: Path) -> None:
    chart.save(tmp_path / "a.svg")
    assert (tmp_path / "a.svg").read_text().startswith("<svg")
    png = io.BytesIO()
    chart.save(png, format="png", scale_factor=2)
    small = io.BytesIO()
    chart.save(small, format="png")
    assert Image.open(png).size[0] == 2 * Image.open(small).size[0]
    text = io.StringIO()
    chart.save(text, format="json")
    assert json.loads(text.getvalue())["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    chart.save(tmp_path / "a.pdf")
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")


def test_altair_options_and_unknown_formats_are_refused(chart: Any, tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="embed_options"):
        chart.save(tmp_path / "a.html", embed_options={"actions": True})
    with pytest.raises(TypeError, match="base_url"):
        chart.to_html(base_url="https://cdn.example")
    with pytest.raises(ValueError, match="cannot tell the format"):
        chart.save(tmp_path / "a.txt")
    assert not (tmp_path / "a.txt").exists() and not (tmp_path / "a.html").exists()
