"""Pages built with the vendored Vega libraries, in an offline headless Chromium.

The page must run exactly the vendored versions (read from the live globals), draw, and show its
hover tooltip; a host page with an AMD/CommonJS loader must not swallow the libraries; and the
``cdn`` variant, answered with the vendored bytes, must pass its Subresource Integrity checks.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from conftest import SPECS, build_specs

from chartspec.compiler.interactive import AREA_NAME
from chartspec.render.html import BUNDLE_DIR, bundle_filename, bundle_js
from chartspec.render.vegajs import VENDOR_DIR, vendored

SPEC = "series_lr_sweep_by_run"
VERSIONS_JS = "() => [window.vega.version, window.vegaLite.version, window.vegaEmbed.version]"
READY_JS = ("() => [...document.querySelectorAll('figure.chartspec')].every(f => f.hasAttribute('data-chartspec'))"
            " && document.querySelectorAll('figure.chartspec').length > 0")
STATES_JS = "() => [...document.querySelectorAll('figure.chartspec')].map(f => f.getAttribute('data-chartspec'))"


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_specs(tmp_path_factory.mktemp("shared"), [SPECS / f"{SPEC}.yaml"], "html,fragment")


@pytest.fixture(scope="module")
def cdn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_specs(tmp_path_factory.mktemp("cdn"), [SPECS / f"{SPEC}.yaml"], "html", "--html-bundle", "cdn")


def open_page(browser: Any, path: Path, jsdelivr: dict[str, bytes] | None = None) -> tuple[Any, Any, dict[str, list]]:
    """``path`` opened offline: file:// passes; jsDelivr URLs in ``jsdelivr`` get those bytes;
    anything else is aborted. Returns the context, the page and what was seen."""
    seen: dict[str, list] = {"requests": [], "aborted": [], "errors": []}
    context = browser.new_context(viewport={"width": 1200, "height": 900})

    def route(r: Any) -> None:
        url = r.request.url
        seen["requests"].append(url)
        if url.startswith("file://"):
            r.continue_()
        elif jsdelivr is not None and url in jsdelivr:
            r.fulfill(status=200, body=jsdelivr[url], content_type="application/javascript",
                      headers={"Access-Control-Allow-Origin": "*"})
        else:
            seen["aborted"].append(url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: seen["errors"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
    page.goto(path.as_uri())
    page.wait_for_function(READY_JS, timeout=20_000)
    return context, page, seen


def hover_rows(page: Any) -> dict[str, str]:
    """Hover the middle of the chart's hover layer; the tooltip's rows."""
    (box,) = page.evaluate(
        "() => [...document.querySelectorAll('.chartspec-chart svg.marks g.role-mark')]"
        f".filter(g => g.getAttribute('class').split(' ').includes('{AREA_NAME}_marks'))"
        ".map(g => { const b = g.getBoundingClientRect(); return [b.x, b.y, b.width, b.height]; })")
    x, y, width, height = box
    page.mouse.move(x + width / 2, y + height / 2)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    return dict(page.evaluate("() => [...document.querySelectorAll('#vg-tooltip-element tr')].map(tr => "
                              "[tr.querySelector('.key').textContent.replace(/:$/, ''),"
                              " tr.querySelector('.value').textContent])"))


def expected_versions() -> list[str]:
    return [s.version for s in vendored()]


def test_a_built_page_runs_the_vendored_libraries_and_its_tooltip_works(browser: Any, shared: Path) -> None:
    bundle = shared / BUNDLE_DIR / bundle_filename()
    assert bundle.read_text(encoding="utf-8") == bundle_js()
    assert [p.name for p in (shared / BUNDLE_DIR).iterdir()] == [bundle.name]
    context, page, seen = open_page(browser, shared / f"{SPEC}.html")
    try:
        assert page.evaluate(STATES_JS) == ["ready"]
        assert page.evaluate(VERSIONS_JS) == expected_versions()
        assert bundle.as_uri() in seen["requests"]
        shown = hover_rows(page)
        step = float(shown.pop("Training step").replace(",", ""))
        with (SPECS / "data" / "lr_sweep_loss.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert sorted(shown) == sorted({r["run"] for r in rows})
        expected = {r["run"]: float(r["loss"]) for r in rows if float(r["step"]) == step}
        assert {run: float(v.replace(",", "")) for run, v in shown.items()} == pytest.approx(expected, abs=1e-9)
        assert not seen["errors"] and not seen["aborted"], seen
    finally:
        context.close()


AMD_HOST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>host with a loader</title>
<script>window.__amd = 0; window.define = function () { window.__amd += 1; }; window.define.amd = {};
window.require = function () { throw new Error('require called'); };
window.module = {exports: {}}; window.exports = window.module.exports;</script></head>
<body>%s</body></html>"""


def test_a_host_page_with_an_amd_and_commonjs_loader_still_draws(browser: Any, shared: Path) -> None:
    """Sphinx themes and notebooks load require.js: UMD files would register with it and leave
    ``vegaEmbed`` undefined. The bundle hides the loader from them."""
    fragment = (shared / f"{SPEC}.fragment.html").read_text(encoding="utf-8")
    host = shared / "amd_host.html"
    host.write_text(AMD_HOST % fragment, encoding="utf-8")
    context, page, seen = open_page(browser, host)
    try:
        assert page.evaluate(STATES_JS) == ["ready"]
        assert page.evaluate("() => window.__amd") == 0
        assert page.evaluate("() => Object.keys(window.module.exports).length") == 0
        assert page.evaluate(VERSIONS_JS) == expected_versions()
        assert not seen["errors"] and not seen["aborted"], seen
    finally:
        context.close()


def test_the_cdn_page_accepts_the_vendored_bytes_under_its_integrity_hashes(browser: Any, cdn: Path) -> None:
    """jsDelivr serves npm's files unchanged: answered with our copies, every SRI check passes
    and the page draws with the same versions as the shared bundle."""
    answers = {s.cdn_url: (VENDOR_DIR / s.file).read_bytes() for s in vendored()}
    assert not (cdn / BUNDLE_DIR).exists()
    context, page, seen = open_page(browser, cdn / f"{SPEC}.html", jsdelivr=answers)
    try:
        assert page.evaluate(STATES_JS) == ["ready"], seen
        assert page.evaluate(VERSIONS_JS) == expected_versions()
        assert [u for u in seen["requests"] if not u.startswith("file://")] == list(answers)
        assert hover_rows(page)
        assert not seen["errors"] and not seen["aborted"], seen
    finally:
        context.close()



def test_a_bundle_that_defines_no_library_is_reported(browser: Any, shared: Path, tmp_path: Path) -> None:
    """A file under the bundle's name that loads but defines nothing (truncated, replaced, swallowed
    by a loader): the figure says so instead of waiting for ever."""
    (tmp_path / BUNDLE_DIR).mkdir()
    (tmp_path / BUNDLE_DIR / bundle_filename()).write_text("window.notVega = 1;\n", encoding="utf-8")
    page_path = tmp_path / f"{SPEC}.html"
    page_path.write_bytes((shared / f"{SPEC}.html").read_bytes())
    context, page, seen = open_page(browser, page_path)
    try:
        assert page.evaluate(STATES_JS) == ["error"]
        box = page.locator("pre.chartspec-error")
        assert box.is_visible()
        assert box.text_content() == f"no chart library in {BUNDLE_DIR}/{bundle_filename()}"
        assert page.locator(".chartspec-chart > svg.marks:visible").is_visible()  # the static chart stays
        assert not seen["errors"] and not seen["aborted"], seen
    finally:
        context.close()
