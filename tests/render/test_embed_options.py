"""A page's embed options are chartspec's: a spec's ``usermeta.embedOptions`` never reaches vega-embed.

vega-embed lets ``usermeta.embedOptions`` of the spec override the options the page passes: it
could re-enable "Open in Vega Editor" with ``editorUrl: "javascript:..."``, put a script in the
View Source window (``sourceHeader``), and show titles and data there as HTML. The compiler refuses
such a spec (tests/compiler/test_safety.py); here the page itself is made from one that got past it
(rendered directly), and every item of the actions menu is clicked in headless Chromium, with and
without the Python-side removal, so the page runtime's own guard is tested too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chartspec.compiler.common import VEGA_LITE_SCHEMA
from chartspec.render import html as html_module
from chartspec.render.export import default_page, render

CANARY = "(window.opener||window).__pwned"
EVIL_TEXT = f"<img src=x onerror=\"{CANARY}='text'\">"
HOSTILE_EMBED = {
    "actions": True,  # every action: the editor, View Source, View Compiled Vega
    "editorUrl": f"javascript:{CANARY}='editor'",
    "sourceHeader": f"<script>{CANARY}='header'</script>",
    "sourceFooter": f"<img src=x onerror=\"{CANARY}='footer'\">",
    "downloadFileName": f"</title><script>{CANARY}='name'</script>",
    "loader": {"baseURL": "http://127.0.0.1:9/"},
}
HOSTILE_VL: dict[str, Any] = {
    "$schema": VEGA_LITE_SCHEMA,
    "title": EVIL_TEXT,
    "data": {"values": [{"a": 1, "b": 2, "note": EVIL_TEXT}, {"a": 2, "b": 1, "note": EVIL_TEXT}]},
    "mark": "point",
    "encoding": {"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"},
                 "tooltip": {"field": "note"}},
    "usermeta": {"embedOptions": HOSTILE_EMBED, "owner": "kept"},
}


def write_page(folder: Path) -> Path:
    path = folder / "hostile_embed.html"
    path.write_bytes(render(HOSTILE_VL, ["html"], page=default_page(HOSTILE_VL, "hostile_embed"))["html"])
    return path


def test_the_page_embeds_the_spec_without_its_embed_options(tmp_path: Path) -> None:
    text = write_page(tmp_path).read_text(encoding="utf-8")
    block = re.search(r'<template class="chartspec-spec"[^>]*>(.*?)</template>', text, re.S)
    assert block is not None
    assert json.loads(block.group(1))["usermeta"] == {"owner": "kept"}  # the rest of the metadata stays
    assert "javascript:" not in block.group(1) and "127.0.0.1" not in block.group(1)


@pytest.mark.parametrize("python_side", [True, False], ids=["python-and-runtime", "runtime-only"])
def test_no_action_of_the_menu_runs_the_specs_script(browser: Any, tmp_path: Path, python_side: bool,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    if not python_side:  # the spec reaches the page whole: the runtime must drop the options itself
        monkeypatch.setattr(html_module, "without_embed_options", lambda vl: vl)
    page_path = write_page(tmp_path)
    context = browser.new_context(accept_downloads=True)
    left: list[str] = []

    def offline(route: Any) -> None:
        if route.request.url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    try:
        context.route("**/*", offline)
        popups: list[Any] = []
        context.on("page", lambda popup: popups.append(popup))
        page = context.new_page()
        page.goto(page_path.as_uri())
        page.wait_for_function("() => document.querySelector('figure.chartspec').hasAttribute('data-chartspec')",
                               timeout=15_000)
        assert page.locator("figure.chartspec").get_attribute("data-chartspec") == "ready"
        menu = page.locator("details summary")
        assert menu.count() == 1
        items = page.locator(".vega-actions a")
        names = [items.nth(i).text_content() for i in range(items.count())]
        for i in range(items.count()):  # every item, whatever the menu holds
            if page.locator("details").get_attribute("open") is None:
                menu.click()
            items.nth(i).click()
            page.wait_for_timeout(200)
        page.wait_for_timeout(300)
        for tab in [page, *popups]:
            assert tab.evaluate("typeof window.__pwned") == "undefined", tab.evaluate("String(window.__pwned)")
        assert names and all(name.startswith("Save as") for name in names), names  # chartspec's menu: export only
        embedded = page_path.read_text(encoding="utf-8").split('class="chartspec-spec"')[1]
        assert ("editorUrl" in embedded) is not python_side  # runtime-only: the page did hold them
        assert page.evaluate("document.querySelectorAll('figure img').length") == 0
        assert not left, f"requests left the machine: {left}"
    finally:
        context.close()
