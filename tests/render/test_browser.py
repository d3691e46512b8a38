"""The HTML outputs in a real, offline headless browser; hostile text in every output; accessibility.

Every page is opened from ``file://`` in Debian's chromium driven by Playwright, with the network
cut off: each request goes through a route that lets ``file://`` through and aborts (and records)
everything else, so a page that quietly fetched something from the internet fails its test. Console
errors and uncaught exceptions are recorded too and must be absent wherever a chart should draw.

The outputs are built once per module through the real console script: one build of four specs in
every HTML-related format, plus small builds for ``--html-bundle inline``, ``--html-bundle cdn``
and ``--no-fallback``.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import SPECS, chartspec_exe

from chartspec.render.html import BUNDLE_DIR, CDN_SCRIPTS, bundle_filename, script_json

# -- the specs ------------------------------------------------------------------------------------

HOSTILE = '</script><script>window.__pwned=1</script> <!-- <img src=x onerror="window.__pwned=2"> ]]> "\'&'
TITLE_EVIL, SUBTITLE_EVIL, DESCRIPTION_EVIL = f"T {HOSTILE}", f"S {HOSTILE}", f"D {HOSTILE}"
NAME_A, NAME_B = f"A {HOSTILE}", f"B {HOSTILE}"
HOSTILE_SPEC: dict[str, Any] = {
    "width": 1200,  # room for every text whole: longer ones end in an ellipsis (compiler text limits)
    "title": TITLE_EVIL,
    "subtitle": SUBTITLE_EVIL,
    "description": DESCRIPTION_EVIL,
    # "note" is not plotted, but it is embedded in the page with the rest of the data.
    "data": {"values": [{"step": i, "a": 2 * i, "b": 10 - i, "note": f"{HOSTILE} {i}"} for i in range(5)]},
    "x": {"field": "step", "title": f"X {HOSTILE}"},
    "layers": [
        {"mark": "line", "name": NAME_A, "y": {"field": "a", "title": f"YA {HOSTILE}"}},
        {"mark": "line", "point": True, "name": NAME_B, "y": {"field": "b", "title": f"YB {HOSTILE}"}},
    ],
}

LOSS_SPEC: dict[str, Any] = {
    "title": "Loss Curves",
    "description": "Training and validation loss fall over five epochs.",
    "width": 400, "height": 250,
    # 5.0 lies outside the domain: the marks are clipped (the SVG holds a clipPath with an id).
    "data": {"values": [{"epoch": e, "train": t, "val": v}
                        for e, t, v in [(0, 5.0, 5.0), (1, 2.0, 2.4), (2, 1.2, 1.6), (3, 0.8, 1.3), (4, 0.6, 1.2)]]},
    "x": {"field": "epoch", "title": "Epoch"},
    "layers": [
        {"mark": "line", "name": "train", "y": {"field": "train", "axis": "loss", "title": "Loss", "domain": [0, 3]}},
        {"mark": "line", "name": "validation", "point": True, "y": {"field": "val", "axis": "loss"}},
    ],
}

THROUGHPUT_SPEC: dict[str, Any] = {
    "title": "Throughput",
    "width": 300, "height": 200,
    "data": {"values": [{"batch": b, "tps": t} for b, t in [(1, 40), (2, 75), (4, 120), (8, 90)]]},
    "x": {"field": "batch", "type": "ordinal", "title": "Batch size"},
    "layers": [{"mark": "bar", "y": {"field": "tps", "title": "Tokens / s", "domain": [0, 100]}}],
}

RL_TITLE = "RL Training Progression"
TITLES = {"rl_training": RL_TITLE, "loss": "Loss Curves", "throughput": "Throughput", "hostile": TITLE_EVIL}
LABELS = {**TITLES, "loss": LOSS_SPEC["description"], "hostile": DESCRIPTION_EVIL}
BUNDLE = bundle_filename()
EVIL_ERROR = '<img src=x onerror="window.__pwned=3">'


def make_project(root: Path, names: list[str]) -> Path:
    """A project folder (``root/specs``) holding the named specs."""
    specs = root / "specs"
    (specs / "data").mkdir(parents=True)
    (root / "chartspec.toml").write_text("", encoding="utf-8")
    shutil.copy(SPECS / "data" / "rl_training.csv", specs / "data" / "rl_training.csv")
    written = {"loss": LOSS_SPEC, "throughput": THROUGHPUT_SPEC, "hostile": HOSTILE_SPEC}
    for name in names:
        if name == "rl_training":
            shutil.copy(SPECS / "rl_training.yaml", specs / "rl_training.yaml")
        else:
            text = yaml.safe_dump(written[name], allow_unicode=True, sort_keys=False, width=10_000)
            (specs / f"{name}.yaml").write_text(text, encoding="utf-8")
    return specs


def build(root: Path, names: list[str], formats: str, *options: str) -> Path:
    """Build the named specs through the real console script; the output folder."""
    specs, out = make_project(root, names), root / "out"
    proc = subprocess.run([chartspec_exe(), "build", str(specs), "-o", str(out), "-f", formats, "-j", "0", *options],
                          capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    if "fragment" in formats:  # the report names fragments by their whole suffix
        assert "fragment.html" in proc.stdout and "{html,html" not in proc.stdout, proc.stdout
    return out


def write_page(path: Path, body: str, title: str = "test page") -> Path:
    path.write_text(f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
                    f"</head>\n<body>\n{body}</body>\n</html>\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four specs built in every format the browser or the injection tests read, shared bundle."""
    root = tmp_path_factory.mktemp("site")
    out = build(root, ["rl_training", "loss", "throughput", "hostile"], "html,fragment,svg,pdf")
    fragments = {name: (out / f"{name}.fragment.html").read_text(encoding="utf-8") for name in TITLES}
    write_page(out / "three.html", fragments["loss"] + fragments["rl_training"] + fragments["throughput"])
    write_page(out / "twice.html", fragments["rl_training"] * 2)
    write_page(out / "hostile_fragment.html", fragments["hostile"])
    # Fragments pasted into a page of another folder: their relative bundle URL leads nowhere.
    (out / "elsewhere").mkdir()
    write_page(out / "elsewhere" / "three.html", fragments["loss"] + fragments["rl_training"] + fragments["throughput"])
    return out


@pytest.fixture(scope="module")
def inline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("inline"), ["rl_training"], "html", "--html-bundle", "inline")


@pytest.fixture(scope="module")
def cdn_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = build(tmp_path_factory.mktemp("cdn"), ["rl_training", "loss", "throughput"], "html,fragment",
                "--html-bundle", "cdn")
    body = "".join((out / f"{name}.fragment.html").read_text(encoding="utf-8")
                   for name in ("loss", "rl_training", "throughput"))
    write_page(out / "three.html", body)
    return out


@pytest.fixture(scope="module")
def bare_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(tmp_path_factory.mktemp("bare"), ["rl_training"], "html,fragment", "--no-fallback")


# -- the browser ----------------------------------------------------------------------------------

@dataclass
class Tab:
    page: Any
    requests: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # console errors and uncaught exceptions

    def wait_drawn(self) -> list[str]:
        """Wait until every chart figure is ``ready`` or ``error``; their states, in page order."""
        self.page.wait_for_function(
            "() => { const f = [...document.querySelectorAll('figure.chartspec')];"
            " return f.length > 0 && f.every(x => x.hasAttribute('data-chartspec')); }", timeout=15_000)
        return self.states()

    def states(self) -> list[str | None]:
        return self.page.eval_on_selector_all("figure.chartspec", "fs => fs.map(f => f.getAttribute('data-chartspec'))")

    def bundle_requests(self) -> int:
        return sum(1 for url in self.requests if url.endswith(f"/{BUNDLE_DIR}/{BUNDLE}"))

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)


Router = Callable[[Any, Tab], None]


def offline(route: Any, tab: Tab) -> None:
    """file:// only; anything else is aborted and recorded."""
    url = route.request.url
    if url.startswith("file://"):
        route.continue_()
    else:
        tab.aborted.append(url)
        route.abort()


# Counts assignments to window.vegaEmbed: the bundle must define it once however many charts load.
COUNT_EMBED = """(() => { let value; window.__embedSets = 0;
  Object.defineProperty(window, 'vegaEmbed', {configurable: true,
    get() { return value; }, set(v) { window.__embedSets += 1; value = v; }}); })();"""


@contextmanager
def opened(browser: Any, path: Path, *, js: bool = True, router: Router = offline,
           init_script: str | None = None) -> Iterator[Tab]:
    context = browser.new_context(java_script_enabled=js)
    try:
        page = context.new_page()
        tab = Tab(page)

        def handle(route: Any) -> None:
            tab.requests.append(route.request.url)
            router(route, tab)

        context.route("**/*", handle)
        page.on("console", lambda msg: tab.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: tab.errors.append(f"pageerror: {exc}"))
        if init_script:
            page.add_init_script(init_script)
        page.goto(path.as_uri())
        yield tab
    finally:
        context.close()


def assert_clean(tab: Tab) -> None:
    assert not tab.errors, tab.errors
    assert not tab.aborted, f"requests left the machine: {tab.aborted}"
    assert all(url.startswith("file://") for url in tab.requests), tab.requests


def csv_rows() -> int:
    return len((SPECS / "data" / "rl_training.csv").read_text(encoding="utf-8").strip().splitlines()) - 1


# -- 1. a standalone page, shared bundle ----------------------------------------------------------

def test_standalone_page_draws_offline_from_the_shared_bundle(browser: Any, site: Path) -> None:
    with opened(browser, site / "rl_training.html") as tab:
        assert tab.wait_drawn() == ["ready"]
        page = tab.page
        assert page.locator(".chartspec-chart svg .role-mark").count() > 0
        # two lines, and a marker per row of each
        assert page.locator(".chartspec-chart svg .mark-line.role-mark path").count() == 2
        assert page.locator(".chartspec-chart svg .mark-symbol.role-mark path").count() == 2 * csv_rows()
        legend = page.locator(".chartspec-chart svg .role-legend-label text").all_text_contents()
        assert legend == ["Token Length", "Reproduced Rate (%)"]
        assert page.locator(".chartspec-chart svg .role-title-text text").all_text_contents() == [RL_TITLE]
        assert tab.bundle_requests() == 1
        assert tab.requests == [(site / "rl_training.html").as_uri(), (site / BUNDLE_DIR / BUNDLE).as_uri()]
        assert page.locator("pre.chartspec-error").is_hidden()
        assert_clean(tab)


# -- 2. --html-bundle inline ----------------------------------------------------------------------

def test_inline_page_needs_no_script_request(browser: Any, inline_site: Path) -> None:
    assert not (inline_site / BUNDLE_DIR).exists()
    with opened(browser, inline_site / "rl_training.html") as tab:
        assert tab.wait_drawn() == ["ready"]
        assert tab.page.locator(".chartspec-chart svg .role-mark").count() > 0
        assert tab.requests == [(inline_site / "rl_training.html").as_uri()]
        assert tab.js("document.querySelectorAll('script[src]').length") == 0
        assert_clean(tab)


# -- 3. fragments sharing a page ------------------------------------------------------------------

def test_three_fragments_share_one_bundle_and_draw_their_own_charts(browser: Any, site: Path) -> None:
    with opened(browser, site / "three.html", init_script=COUNT_EMBED) as tab:
        assert tab.wait_drawn() == ["ready"] * 3
        page = tab.page
        assert tab.bundle_requests() == 1
        assert tab.js("window.__embedSets") == 1
        assert tab.js("typeof window.vegaEmbed") == "function"
        figures = page.locator("figure.chartspec")
        titles = [figures.nth(i).locator(".role-title-text text").all_text_contents() for i in range(3)]
        assert titles == [["Loss Curves"], [RL_TITLE], ["Throughput"]]
        for i in range(3):  # one live chart per figure, the fallback gone
            assert figures.nth(i).locator("svg.marks").count() == 1
            assert figures.nth(i).locator(".chartspec-chart.vega-embed > .chart-wrapper > svg.marks").count() == 1
            assert figures.nth(i).locator(".role-mark").count() > 0
        assert page.locator("figure.chartspec .mark-rect.role-mark:not(.chartspec_interactive_area_marks) path").count() == 4  # throughput's bars
        ids = tab.js("[...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids)), ids
        assert {"chartspec-loss", "chartspec-rl_training", "chartspec-throughput"} <= set(ids)
        assert_clean(tab)


def test_the_same_fragment_twice_draws_twice(browser: Any, site: Path) -> None:
    with opened(browser, site / "twice.html", init_script=COUNT_EMBED) as tab:
        assert tab.wait_drawn() == ["ready", "ready"]
        figures = tab.page.locator("figure.chartspec")
        for i in range(2):
            assert figures.nth(i).locator(".chart-wrapper svg.marks").count() == 1
            assert figures.nth(i).locator(".role-title-text text").all_text_contents() == [RL_TITLE]
        assert tab.bundle_requests() == 1
        assert tab.js("window.__embedSets") == 1
        assert_clean(tab)


def test_fragments_whose_bundle_cannot_load_all_say_so(browser: Any, site: Path) -> None:
    """Pasted into a page of another folder, the relative bundle URL is missing: every figure (not
    just the one that asked for the bundle) shows the error, and keeps its static chart."""
    with opened(browser, site / "elsewhere" / "three.html") as tab:
        assert tab.wait_drawn() == ["error"] * 3
        errors = tab.page.locator("pre.chartspec-error")
        for i in range(3):
            assert errors.nth(i).is_visible()
            assert errors.nth(i).text_content() == f"could not load {BUNDLE_DIR}/{BUNDLE}"
        assert tab.page.locator(".chartspec-chart > svg.marks:visible").count() == 3
        assert tab.bundle_requests() >= 1  # a fragment parsed after the failure may try again
        assert not tab.aborted


# -- 4. the static fallback -----------------------------------------------------------------------

def test_without_javascript_the_prerendered_svg_shows(browser: Any, site: Path) -> None:
    with opened(browser, site / "rl_training.html", js=False) as tab:
        page = tab.page
        svg = page.locator(".chartspec-chart > svg.marks:visible")
        assert svg.count() == 1 and svg.is_visible()
        assert RL_TITLE in svg.locator(".role-title-text").text_content()
        assert tab.states() == [None]
        assert page.locator(".vega-embed").count() == 0
        assert tab.requests == [(site / "rl_training.html").as_uri()]


def test_fallbacks_of_several_fragments_keep_their_ids_apart(browser: Any, site: Path) -> None:
    """Static SVGs name their clip paths (clip1, clip2, ...); on one page each fragment's must be
    its own, or one chart clips to the rectangle of another."""
    with opened(browser, site / "three.html", js=False) as tab:
        assert tab.page.locator(".chartspec-chart > svg.marks:visible").count() == 3
        ids = tab.js("[...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids)), ids
        assert tab.js("document.querySelectorAll('clipPath').length") > 0
        # every url(#...) reference resolves inside the figure that makes it
        dangling = tab.js("""[...document.querySelectorAll('figure.chartspec [clip-path]')].filter(el => {
            const id = el.getAttribute('clip-path').match(/url\\(#([^)]+)\\)/)[1];
            const target = document.getElementById(id);
            return !target || target.closest('figure') !== el.closest('figure'); }).length""")
        assert dangling == 0


def test_svg_ids_depend_on_the_chart_alone(site: Path) -> None:
    """Vega's clip-path counter lives as long as the process; the SVG must not show it."""
    from chartspec import to_vegalite
    from chartspec.render.export import render

    vl = to_vegalite(site.parent / "specs" / "throughput.yaml")
    first, second = (render(vl, ["svg"])["svg"] for _ in range(2))
    assert first == second
    assert b'id="clip1"' in first and b'clip-path="url(#clip1)"' in first
    assert first == (site / "throughput.svg").read_bytes()


def test_with_javascript_the_fallback_is_replaced(browser: Any, site: Path) -> None:
    with opened(browser, site / "rl_training.html") as tab:
        assert tab.wait_drawn() == ["ready"]
        chart = tab.page.locator(".chartspec-chart")
        assert "vega-embed" in chart.get_attribute("class").split()
        assert chart.locator("svg.marks").count() == 1
        assert chart.locator(":scope > svg.marks").count() == 0  # the static one is gone
        assert_clean(tab)


def test_no_fallback_leaves_an_empty_labelled_figure(browser: Any, bare_site: Path) -> None:
    for name in ("rl_training.html", "rl_training.fragment.html"):
        assert "<svg" not in (bare_site / name).read_text(encoding="utf-8")
    with opened(browser, bare_site / "rl_training.html", js=False) as tab:
        chart = tab.page.locator(".chartspec-chart")
        assert chart.inner_html() == ""
        assert chart.get_attribute("aria-label") == RL_TITLE
        assert tab.page.locator("figure.chartspec").get_attribute("aria-label") == RL_TITLE
    with opened(browser, bare_site / "rl_training.html") as tab:
        assert tab.wait_drawn() == ["ready"]
        assert tab.page.locator(".chartspec-chart svg .role-mark").count() > 0
        assert_clean(tab)


# -- 5. hostile text ------------------------------------------------------------------------------

def test_hostile_html_files_hold_no_markup_of_their_own(site: Path) -> None:
    for name in ("hostile.html", "hostile.fragment.html"):
        text = (site / name).read_text(encoding="utf-8")
        assert "<img" not in text and "window.__pwned=1</script>" not in text
        assert len(re.findall(r"<script\b", text)) == 1  # the runtime (the spec is a <template>), nothing injected
        assert "<!--" not in text
        # the embedded data (the unplotted column too) is there, escaped
        spec = re.search(r'<template class="chartspec-spec"[^>]*>(.*?)</template>', text, re.S)
        assert spec is not None
        assert json.loads(spec.group(1))["data"]["values"][0]["note"] == f"{HOSTILE} 0"


def assert_unharmed(tab: Tab) -> None:
    assert tab.js("typeof window.__pwned") == "undefined"
    assert tab.js("document.querySelectorAll('img').length") == 0


@pytest.mark.parametrize("name", ["hostile.html", "hostile_fragment.html"])
def test_hostile_text_is_shown_as_text_in_the_browser(browser: Any, site: Path, name: str) -> None:
    with opened(browser, site / name) as tab:
        assert tab.wait_drawn() == ["ready"]
        page = tab.page
        assert_unharmed(tab)
        chart = page.locator(".chartspec-chart svg.marks")
        assert chart.locator(".role-title-text text").all_text_contents() == [TITLE_EVIL]
        assert chart.locator(".role-title-subtitle text").all_text_contents() == [SUBTITLE_EVIL]
        assert chart.locator(".role-legend-label text").all_text_contents() == [NAME_A, NAME_B]
        assert page.locator("figure.chartspec").get_attribute("aria-label") == DESCRIPTION_EVIL
        # the tooltip (vega-tooltip builds HTML) shows the axis titles as text
        point = chart.locator(".mark-symbol.role-mark path").first.bounding_box()
        page.mouse.move(point["x"] + point["width"] / 2, point["y"] + point["height"] / 2)
        tooltip = page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=5_000)
        shown = tooltip.text_content()
        assert f"X {HOSTILE}" in shown and (NAME_A in shown or NAME_B in shown), shown
        assert tooltip.locator("img, script").count() == 0
        assert_unharmed(tab)
        assert_clean(tab)
    if name == "hostile.html":
        with opened(browser, site / name, js=False) as tab:
            assert tab.page.title() == TITLE_EVIL
            assert tab.page.locator(".chartspec-chart > svg:visible .role-title-text").text_content() == TITLE_EVIL
            assert tab.js("document.querySelectorAll('img').length") == 0


def test_hostile_svg_holds_text_only(site: Path) -> None:
    root = ET.fromstring((site / "hostile.svg").read_bytes())
    tags, on_attributes = set(), []
    for element in root.iter():
        tags.add(element.tag.rsplit("}", 1)[-1])
        on_attributes += [name for name in element.attrib if name.rsplit("}", 1)[-1].lower().startswith("on")]
    assert not tags & {"script", "img", "foreignObject", "iframe", "a", "image", "use"}, tags
    assert not on_attributes
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert TITLE_EVIL in texts and SUBTITLE_EVIL in texts and NAME_A in texts and NAME_B in texts


def _pdf_keys(obj: Any, seen: set[int]) -> Iterator[str]:
    import pypdf.generic as g

    if isinstance(obj, g.IndirectObject):
        if obj.idnum in seen:
            return
        seen.add(obj.idnum)
        obj = obj.get_object()
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield str(key)
            yield from _pdf_keys(value, seen)
    elif isinstance(obj, list):
        for value in obj:
            yield from _pdf_keys(value, seen)


def test_hostile_pdf_keeps_the_text_and_has_no_script(site: Path) -> None:
    import pypdf

    data = (site / "hostile.pdf").read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    text = "".join(page.extract_text() for page in reader.pages)
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731 - Vega's PDF text may drop spaces
    assert squeeze(TITLE_EVIL) in squeeze(text)
    assert squeeze(NAME_A) in squeeze(text)
    keys = set(_pdf_keys(reader.trailer, set()))
    assert "/Root" in keys and "/Pages" in keys
    assert not keys & {"/JS", "/JavaScript", "/OpenAction", "/AA", "/Launch"}, keys
    assert b"/JavaScript" not in data and b"/JS " not in data and b"/JS(" not in data


def test_errors_are_shown_as_text(browser: Any, site: Path) -> None:
    """A spec Vega rejects with a message quoting it: the message lands in pre.chartspec-error as
    text, nothing in it runs."""
    source = (site / "rl_training.html").read_text(encoding="utf-8")
    broken = {"mark": "point", "data": {"values": [{"a": 1}]}, "params": [{"name": "p", "expr": EVIL_ERROR}]}
    spec_block = re.compile(r'(<template class="chartspec-spec"[^>]*>).*?(</template>)', re.S)
    assert spec_block.search(source)
    page_path = site / "broken.html"
    page_path.write_text(spec_block.sub(lambda m: m.group(1) + script_json(broken) + m.group(2), source),
                         encoding="utf-8")
    with opened(browser, page_path) as tab:
        assert tab.wait_drawn() == ["error"]
        box = tab.page.locator("pre.chartspec-error")
        assert box.is_visible()
        assert EVIL_ERROR in box.text_content()
        assert box.text_content().startswith("chart could not be drawn:")
        assert "&lt;img" in box.inner_html()
        assert box.get_attribute("role") == "alert"
        assert_unharmed(tab)
        assert not [e for e in tab.errors if e.startswith("pageerror")]
        assert not tab.aborted


# -- 6. accessibility -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["rl_training", "loss", "hostile"])
def test_pages_are_labelled(browser: Any, site: Path, name: str) -> None:
    title, label = TITLES[name], LABELS[name]
    with opened(browser, site / f"{name}.html") as tab:
        page = tab.page
        assert page.title() == title
        assert tab.js("document.documentElement.lang") == "en"
        figure = page.locator("figure.chartspec")
        assert figure.get_attribute("role") == "figure" and figure.get_attribute("aria-label") == label
        chart = figure.locator(".chartspec-chart")
        assert chart.get_attribute("role") == "img" and chart.get_attribute("aria-label") == label
        # the names the browser computes, as assistive technology gets them
        assert page.get_by_role("figure", name=label, exact=True).count() == 1
        assert page.get_by_role("img", name=label, exact=True).count() == 1
        assert tab.wait_drawn() == ["ready"]
        # vega-embed keeps the container's own label; Vega labels the chart with the description
        assert chart.get_attribute("aria-label") == label and chart.get_attribute("role") == "img"
        wrapper = chart.locator(".chart-wrapper")
        assert wrapper.get_attribute("aria-roledescription") == "visualization"
        assert wrapper.get_attribute("aria-label") == label  # the Vega-Lite description
        svg = wrapper.locator("svg.marks")
        assert svg.locator('[aria-roledescription="title"]').get_attribute("aria-label") == f"Title text '{title}'"
        axes = svg.locator('[aria-roledescription="axis"]')
        assert axes.count() >= 2 and all(axes.nth(i).get_attribute("aria-label") for i in range(axes.count()))
        assert_clean(tab)


def test_fragment_figures_are_labelled(site: Path) -> None:
    for name, label in LABELS.items():
        text = (site / f"{name}.fragment.html").read_text(encoding="utf-8")
        figure = re.match(r'<figure class="chartspec" id="([^"]+)" role="figure" aria-label="([^"]*)">', text)
        assert figure is not None, text[:200]
        assert figure.group(1) == f"chartspec-{name}"
        assert figure.group(2) and html.unescape(figure.group(2)) == label


# -- 7. no editor action --------------------------------------------------------------------------

def test_actions_offer_export_only(browser: Any, site: Path) -> None:
    with opened(browser, site / "rl_training.html") as tab:
        assert tab.wait_drawn() == ["ready"]
        page = tab.page
        links = page.locator(".vega-embed .vega-actions a")
        assert links.all_text_contents() == ["Save as SVG", "Save as PNG"]
        assert page.locator('[href*="vega.github.io/editor"]').count() == 0
        assert page.locator('[href*="vega.github.io"]').count() == 0
        body = page.locator("body").text_content()
        for absent in ("Open in Vega Editor", "View Source", "View Compiled Vega"):
            assert absent not in body
        assert_clean(tab)


# -- the CDN variant ------------------------------------------------------------------------------

def test_cdn_page_asks_jsdelivr_with_integrity_and_says_when_offline(browser: Any, cdn_site: Path) -> None:
    assert not (cdn_site / BUNDLE_DIR).exists()
    with opened(browser, cdn_site / "rl_training.html") as tab:
        assert tab.wait_drawn() == ["error"]
        first_url, first_sri = CDN_SCRIPTS[0]
        assert tab.aborted == [first_url]  # loaded in order: the first failure stops the rest
        scripts = tab.js("[...document.querySelectorAll('script[src]')].map(s => "
                         "[s.src, s.integrity, s.crossOrigin])")
        assert scripts == [[first_url, first_sri, "anonymous"]]
        box = tab.page.locator("pre.chartspec-error")
        assert box.is_visible() and box.text_content() == f"could not load {first_url}"
        assert tab.page.locator(".chartspec-chart > svg.marks:visible").is_visible()  # the static chart stays
        assert_unharmed(tab)
    # the page lists every pinned script with its hash
    text = (cdn_site / "rl_training.html").read_text(encoding="utf-8")
    assert (f'data-bundle="{html.escape(script_json([u for u, _ in CDN_SCRIPTS]))}" '
            f'data-integrity="{html.escape(script_json([h for _, h in CDN_SCRIPTS]))}"') in text
    for url, sri in CDN_SCRIPTS:
        assert re.fullmatch(r"https://cdn\.jsdelivr\.net/npm/[a-z-]+@\d+\.\d+\.\d+/build/[a-z-]+\.min\.js", url)
        assert re.fullmatch(r"sha384-[A-Za-z0-9+/]{64}", sri)


def test_cdn_fragments_all_report_the_failure(browser: Any, cdn_site: Path) -> None:
    with opened(browser, cdn_site / "three.html") as tab:
        assert tab.wait_drawn() == ["error"] * 3
        assert set(tab.aborted) == {CDN_SCRIPTS[0][0]}
        assert tab.page.locator("pre.chartspec-error:visible").count() == 3


def test_cdn_script_with_wrong_bytes_is_refused(browser: Any, cdn_site: Path) -> None:
    """Subresource Integrity at work: a CDN answer that is not the pinned file never runs."""
    def tampering(route: Any, tab: Tab) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.fulfill(status=200, body="window.__tampered = 1;", content_type="application/javascript",
                          headers={"Access-Control-Allow-Origin": "*"})

    with opened(browser, cdn_site / "rl_training.html", router=tampering) as tab:
        assert tab.wait_drawn() == ["error"]
        assert tab.js("typeof window.__tampered") == "undefined"
        assert tab.page.locator("pre.chartspec-error").text_content() == f"could not load {CDN_SCRIPTS[0][0]}"
        assert any("integrity" in e for e in tab.errors), tab.errors
