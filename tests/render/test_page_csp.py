"""Opening a page never contacts another host: addresses only the viewer's browser computes.

The build refuses every remote address it can see in the final Vega-Lite, and the renderer
refuses the ones a render makes. An address that exists only in the viewer's browser (an
expression that picks a remote image on hover, after a date, or in a page built without the
static fallback) is blocked by the page's Content-Security-Policy. A loopback listener stands in
for the remote host: opening each page in Chromium must send it nothing.
"""

from __future__ import annotations

import dataclasses
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chartspec.render.export import default_page, render
from chartspec.render.html import CONTENT_SECURITY_POLICY

PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==")


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the standard library's name
        self.seen.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def _hostile_specs(base: str) -> dict[str, dict[str, Any]]:
    point = {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}}
    values = {"values": [{"a": 1, "b": 2}, {"a": 2, "b": 3}]}
    return {
        # an image address made by an expression, in a page without the static fallback
        "computed": {"data": values, "transform": [{"calculate": f"'{base}/computed.png'", "as": "img"}],
                     "mark": {"type": "image", "width": 20, "height": 20},
                     "encoding": {**point, "url": {"field": "img", "type": "nominal"}}},
        # a remote image only after a date the build has not reached
        "time_bomb": {"data": values, "mark": {"type": "image", "width": 20, "height": 20},
                      "encoding": {**point, "url": {"value": PNG}},
                      "params": [{"name": "later", "expr": f"now() > 0 ? '{base}/later.png' : '{PNG}'"}]},
        # a paint server on another host
        "paint": {"data": values, "mark": {"type": "point", "filled": True, "fill": f"url({base}/fill.png)"},
                  "encoding": point},
    }


@pytest.mark.parametrize("name", ["computed", "time_bomb", "paint"])
def test_a_page_does_not_contact_another_host(tmp_path: Path, browser: Any, listener: tuple[str, list[str]],
                                              name: str) -> None:
    base, seen = listener
    vl = _hostile_specs(base)[name]
    if name == "time_bomb":  # the image's address is the parameter's value
        vl["encoding"]["url"] = {"value": {"expr": "later"}}
    page = default_page(vl, name)
    page = dataclasses.replace(page, options=dataclasses.replace(page.options, fallback=False))
    html = render(vl, ("html",), page=page)["html"].decode()
    assert f'content="{CONTENT_SECURITY_POLICY}"' in html
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    tab = browser.new_page()
    try:
        tab.goto((tmp_path / "page.html").as_uri())
        tab.wait_for_selector("figure.chartspec svg", timeout=15_000)  # the chart is drawn ...
        tab.wait_for_timeout(500)
    finally:
        tab.close()
    assert seen == []  # ... and nothing was asked of the other host


def test_the_policy_keeps_what_a_chart_needs() -> None:
    """Images and fonts from data: URLs, everything else that loads from elsewhere closed."""
    directives = dict(part.strip().split(" ", 1) for part in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["img-src"] == "data: blob:" and directives["font-src"] == "data:"
    for closed in ("connect-src", "frame-src", "object-src", "media-src", "base-uri", "form-action"):
        assert directives[closed] == "'none'"
