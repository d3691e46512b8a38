"""Charts in the docs sites people use, driven in headless Chromium: MkDocs Material (its palette
toggle and instant navigation) and Sphinx with furo, each built once per module from the example
sites in ``tests/sites/`` and served on 127.0.0.1 (any other request fails the test).

- light and dark: the toggle redraws the chart in chartspec's dark look and back (the rendered
  SVG's background and title fill are read), the static fallback follows the scheme before scripts;
- Material's ``navigation.instant``: a chart on a page reached through an in-site link is drawn
  (SVG present, its tooltip shows on hover), with no console error;
- the site's CSS leaves the chart's action menu alone: its boxes are the ones of the same chart on
  chartspec's own page.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, chartspec_exe
from test_integrations import ENV, serving

SITES = REPO / "tests" / "sites"
LIGHT = ("rgb(255, 255, 255)", "#000")  # chartspec's look: the SVG's background, the title's fill
DARK = ("rgb(30, 30, 30)", "#e6e6e6")   # chartspec-dark

MATERIAL = """site_name: chartspec Material example
site_url: {base}
docs_dir: docs
use_directory_urls: true
theme:
  name: material
  font: false          # Google Fonts: no request may leave the machine
  features: [navigation.instant]
  palette:
    - scheme: default
      toggle: {{icon: material/brightness-7, name: Switch to dark mode}}
    - scheme: slate
      toggle: {{icon: material/brightness-4, name: Switch to light mode}}
plugins:
  - search
  - chartspec
"""


def _copy(name: str, into: Path) -> Path:
    target = into / name
    shutil.copytree(SITES / name, target, ignore=shutil.ignore_patterns(".cache", "_build", "site"))
    return target


@pytest.fixture(scope="module")
def material(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example MkDocs site under Material, served; its base URL. Instant navigation only
    follows links into ``site_url``, so the site is built for the address it is served from."""
    site = _copy("mkdocs", tmp_path_factory.mktemp("material"))
    (site / "site").mkdir()
    with serving(site / "site") as base:
        (site / "mkdocs.yml").write_text(MATERIAL.format(base=base), encoding="utf-8")
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(site / "mkdocs.yml"), "-d",
                               str(site / "site")], cwd=site, capture_output=True, text=True, timeout=300, env=ENV)
        assert proc.returncode == 0, proc.stderr
        yield base


@pytest.fixture(scope="module")
def furo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example Sphinx project under furo, served; its base URL."""
    site = _copy("sphinx", tmp_path_factory.mktemp("furo"))
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-D", "html_theme=furo", str(site),
                           str(site / "_build" / "html")], cwd=site, capture_output=True, text=True, timeout=300,
                          env=ENV)
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stdout + proc.stderr
    with serving(site / "_build" / "html") as base:
        yield base


@pytest.fixture(scope="module")
def pydata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example Sphinx project under pydata-sphinx-theme, served; its base URL."""
    site = _copy("sphinx", tmp_path_factory.mktemp("pydata"))
    proc = subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-D", "html_theme=pydata_sphinx_theme",
                           str(site), str(site / "_build" / "html")], cwd=site, capture_output=True, text=True,
                          timeout=300, env=ENV)
    assert proc.returncode == 0 and "WARNING" not in proc.stderr, proc.stdout + proc.stderr
    with serving(site / "_build" / "html") as base:
        yield base


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The RL training chart of the example sites on chartspec's own page (no site CSS)."""
    out = tmp_path_factory.mktemp("bare")
    proc = subprocess.run([chartspec_exe(), "build", str(SITES / "mkdocs" / "specs" / "rl_training.yaml"), "-o",
                           str(out), "-f", "html"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    with serving(out) as base:
        yield base


@contextmanager
def tab(browser: Any, base: str, path: str, *, scheme: str = "light", init: str | None = None) -> Iterator[Any]:
    """A page of the site; afterwards, no console error and no request off the machine. ``init``:
    a script run before the page's own (a returning reader's stored settings)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    if init is not None:
        context.add_init_script(init)
    errors: list[str] = []
    refused: list[str] = []

    def route(r: Any) -> None:
        if r.request.url.startswith(base):
            r.continue_()
        else:
            refused.append(r.request.url)
            r.abort()

    try:
        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
        page.goto(base + path)
        yield page
    finally:
        context.close()
    assert not errors, errors
    assert not refused, refused


def drawn(page: Any, count: int, scheme: str) -> list[tuple[str, str]]:
    """Wait until ``count`` charts are drawn in ``scheme``; each one's SVG background and title fill."""
    page.wait_for_function(
        "([n, s]) => { const f = [...document.querySelectorAll('figure.chartspec')]; return f.length === n &&"
        " f.every(x => x.getAttribute('data-chartspec') === 'ready' && x.getAttribute('data-chartspec-scheme') === s"
        " && x.querySelector('.chartspec-chart.vega-embed svg.marks')); }", arg=[count, scheme], timeout=20_000)
    return [tuple(x) for x in page.evaluate(
        "() => [...document.querySelectorAll('figure.chartspec .chartspec-chart svg.marks')].map(s =>"
        " [getComputedStyle(s).backgroundColor, s.querySelector('.role-title-text text').getAttribute('fill')])")]


def tooltip_on_hover(page: Any, figure: int = 0) -> str:
    """Hover the middle of a chart's plot; the class of Vega's tooltip once it shows."""
    box = page.locator("figure.chartspec .chartspec-chart svg.marks").nth(figure).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=5_000)
    return page.get_attribute("#vg-tooltip-element", "class")


# -- MkDocs Material --------------------------------------------------------------------------------

def test_material_palette_toggle_redraws_the_charts_dark_and_back(browser: Any, material: str) -> None:
    with tab(browser, material, "sub/page/") as page:
        assert drawn(page, 2, "light") == [LIGHT, LIGHT]
        page.click("label[for=__palette_1]")  # Material's toggle: body[data-md-color-scheme=slate]
        assert page.get_attribute("body", "data-md-color-scheme") == "slate"
        assert drawn(page, 2, "dark") == [DARK, DARK]
        assert "dark-theme" in tooltip_on_hover(page)
        page.click("label[for=__palette_0]")
        assert drawn(page, 2, "light") == [LIGHT, LIGHT]


def test_material_dark_palette_on_arrival_draws_dark(browser: Any, material: str) -> None:
    """The scheme Material restores from its storage on load: the charts start dark, and before
    scripts draw them the dark static SVG is the one shown."""
    with tab(browser, material, "") as page:
        drawn(page, 1, "light")
        page.click("label[for=__palette_1]")  # remembered by Material for the next page
        drawn(page, 1, "dark")
        # no Vega (an empty bundle): the charts stay static, their fallbacks shown
        page.route("**/_chartspec/*", lambda r: r.fulfill(body="", content_type="text/javascript"))
        page.goto(material + "sub/page/")
        page.wait_for_function("document.querySelectorAll('figure.chartspec[data-chartspec=error]').length === 2")
        assert page.locator("pre.chartspec-error").first.text_content().startswith("no chart library in")
        shown = page.evaluate("() => [...document.querySelectorAll('figure.chartspec svg.marks')]"
                              ".filter(s => getComputedStyle(s).display !== 'none').map(s => s.getAttribute('class'))")
        assert shown == ["marks chartspec-fallback-dark"] * 2
        page.unroute("**/_chartspec/*")
        page.goto(material + "sub/page/")  # a full load, dark from the start
        assert drawn(page, 2, "dark") == [DARK, DARK]


def test_material_instant_navigation_draws_the_next_pages_charts(browser: Any, material: str) -> None:
    with tab(browser, material, "") as page:
        assert drawn(page, 1, "light") == [LIGHT]
        page.evaluate("window.__samePage = true")
        page.click("article a[href*='sub/page']")
        page.wait_for_url("**/sub/page/")
        assert page.evaluate("window.__samePage") is True  # Material swapped the content: no reload
        assert drawn(page, 2, "light") == [LIGHT, LIGHT]
        assert page.locator("figure.chartspec .chartspec-chart > svg.marks").count() == 0  # fallbacks replaced
        assert "light-theme" in tooltip_on_hover(page, 0)
        page.click("label[for=__palette_1]")  # the toggle still reaches the charts of the new page
        assert drawn(page, 2, "dark") == [DARK, DARK]
        page.go_back()  # back through instant navigation as well
        page.wait_for_url(material)
        assert drawn(page, 1, "dark") == [DARK]
        assert page.evaluate("window.__samePage") is True


MENU = """fig => { const e = fig.querySelector('.chartspec-chart.vega-embed'), r = e.getBoundingClientRect();
  const box = el => { const b = el.getBoundingClientRect();
    return [Math.round(b.right - r.right), Math.round(b.top - r.top), Math.round(b.width), Math.round(b.height)]; };
  const d = e.querySelector('details'), s = d.querySelector('summary');
  // the chart's own size is the site's layout (a narrower column scales it): not compared
  const out = {details: [box(d)[0], box(d)[3]], summary: box(s),
    icon: box(s.querySelector('svg')), marks: [':before', ':after'].map(p => getComputedStyle(s, p).content)};
  d.open = true;
  out.menu = box(e.querySelector('.vega-actions'));
  out.items = [...e.querySelectorAll('.vega-actions a')].map(box);
  d.open = false;
  return out; }"""


def menu_geometry(page: Any, figure: int) -> dict[str, Any]:
    return page.locator("figure.chartspec").nth(figure).evaluate(MENU)


def test_site_css_leaves_the_action_menu_alone(browser: Any, material: str, furo: str, bare: str) -> None:
    """Material styles details/summary as admonitions (an icon and a chevron, a border under the
    chart): the menu's boxes must be those of the same chart on chartspec's own page."""
    with tab(browser, bare, "rl_training.html") as page:
        drawn(page, 1, "light")
        expected = menu_geometry(page, 0)
    assert expected["marks"] == ["none", "none"] and expected["details"][1] == 0  # no line under the chart
    assert len(expected["items"]) >= 2
    with tab(browser, material, "sub/page/") as page:
        drawn(page, 2, "light")
        assert menu_geometry(page, 1) == expected
    with tab(browser, furo, "sub/page.html") as page:
        page.wait_for_function("document.querySelectorAll('figure.chartspec[data-chartspec=ready]').length === 2")
        assert menu_geometry(page, 1) == expected


# -- Sphinx furo ------------------------------------------------------------------------------------

def test_furo_theme_toggle_redraws_the_charts_dark_and_back(browser: Any, furo: str) -> None:
    with tab(browser, furo, "sub/page.html") as page:
        assert drawn(page, 2, "light") == [LIGHT, LIGHT]
        assert page.get_attribute("body", "data-theme") == "auto"
        page.locator("button.theme-toggle:visible").first.click()  # furo: auto -> dark (the system is light)
        assert page.get_attribute("body", "data-theme") == "dark"
        assert drawn(page, 2, "dark") == [DARK, DARK]
        # the :format: svg chart has no script: CSS shows its dark SVG
        static = page.evaluate("() => [...document.querySelectorAll('.chartspec-static svg.marks')]"
                               ".filter(s => getComputedStyle(s).display !== 'none').map(s => s.getAttribute('class'))")
        assert static == ["marks chartspec-fallback-dark"]
        page.locator("button.theme-toggle:visible").first.click()  # dark -> light
        assert drawn(page, 2, "light") == [LIGHT, LIGHT]


def test_furo_auto_follows_the_system_scheme(browser: Any, furo: str) -> None:
    with tab(browser, furo, "index.html", scheme="dark") as page:
        assert page.get_attribute("body", "data-theme") == "auto"
        assert drawn(page, 1, "dark") == [DARK]
        page.emulate_media(color_scheme="light")
        assert drawn(page, 1, "light") == [LIGHT]


# pydata-sphinx-theme logs a console error on a first visit ("Got invalid theme mode: .") before it
# stores its default; a returning reader has "auto" stored
PYDATA_AUTO = "localStorage.setItem('mode', 'auto')"


def test_pydata_theme_switch_redraws_the_charts_dark_and_back(browser: Any, pydata: str) -> None:
    with tab(browser, pydata, "sub/page.html", init=PYDATA_AUTO) as page:
        assert drawn(page, 2, "light") == [LIGHT, LIGHT]

        def choose(mode: str) -> None:  # pydata's colour-mode menu (Bootstrap dropdown) in the header
            page.locator("button.theme-switch-button:visible").first.click()
            page.locator(f"button.theme-change-button[data-mode={mode}]:visible").first.click()

        choose("dark")
        assert page.get_attribute("html", "data-theme") == "dark"  # pydata marks <html>, not <body>
        assert drawn(page, 2, "dark") == [DARK, DARK]
        choose("light")
        assert drawn(page, 2, "light") == [LIGHT, LIGHT]


def test_pydata_auto_follows_the_system_scheme(browser: Any, pydata: str) -> None:
    with tab(browser, pydata, "index.html", scheme="dark", init=PYDATA_AUTO) as page:
        assert drawn(page, 1, "dark") == [DARK]
        page.emulate_media(color_scheme="light")
        assert drawn(page, 1, "light") == [LIGHT]


# -- chartspec's own page ---------------------------------------------------------------------------

def test_chartspecs_own_page_follows_prefers_color_scheme(browser: Any, bare: str) -> None:
    with tab(browser, bare, "rl_training.html", scheme="dark") as page:
        assert drawn(page, 1, "dark") == [DARK]
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == DARK[0]
        page.emulate_media(color_scheme="light")
        assert drawn(page, 1, "light") == [LIGHT]
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == LIGHT[0]


def test_the_page_holds_the_data_once(bare: str) -> None:
    """The dark look is written as the keys that differ from the light spec: the data is not repeated."""
    import urllib.request

    text = urllib.request.urlopen(bare + "rl_training.html").read().decode()
    dark = re.search(r'<template class="chartspec-spec-dark">(.*?)</template>', text, re.S)
    assert dark is not None and '"config"' in dark.group(1) and "#1e1e1e" in dark.group(1)
    assert '"data"' not in dark.group(1) and '"values"' not in dark.group(1)


# -- settings ---------------------------------------------------------------------------------------

def test_site_themes_come_from_the_setting_else_chartspec_toml(tmp_path: Path) -> None:
    from chartspec.errors import ChartspecError
    from chartspec.integrations.common import Looks, chart_from_text, site_looks

    looks = lambda setting: site_looks(setting, base=tmp_path, root=tmp_path, where="theme")  # noqa: E731
    assert looks(None) == Looks(None, "chartspec-dark")  # no chartspec.toml: chartspec's two looks
    (tmp_path / "chartspec.toml").write_text('theme = "dark"\n', encoding="utf-8")
    assert looks(None) == Looks("dark", None)  # one theme configured: every chart in it, on any page
    (tmp_path / "chartspec.toml").write_text('theme = "ggplot2"\ndark_theme = "dark"\n', encoding="utf-8")
    assert looks(None) == Looks("ggplot2", "dark")
    assert looks({"dark": "carbong100"}) == Looks(None, "carbong100")  # the site's setting wins
    assert looks("fivethirtyeight") == Looks("fivethirtyeight", None)
    with pytest.raises(ChartspecError, match="unknown theme 'drak'"):
        looks({"dark": "drak"})
    with pytest.raises(ChartspecError, match=r"must be a theme name or file, or \{light: THEME, dark: THEME\}"):
        looks({"night": "dark"})

    spec = "title: T\ndata: {values: [{a: 1, b: 2}]}\nx: {field: a}\nlayers: [{mark: line, y: {field: b}}]\n"
    chart = chart_from_text(spec, page=tmp_path / "p.md", file="p.md", root=tmp_path, looks=Looks("dark", None))
    assert chart.vl["config"]["background"] == "#333" and chart.dark_vl is None
    chart = chart_from_text(spec, page=tmp_path / "p.md", file="p.md", root=tmp_path)
    assert chart.vl.get("background") == "white" and chart.dark_vl["config"]["background"] == "#1e1e1e"
    assert chart.dark_svg is not None and "#1e1e1e" in chart.dark_svg
    # a spec that names its theme keeps it on dark pages too
    chart = chart_from_text("theme: vox\n" + spec, page=tmp_path / "p.md", file="p.md", root=tmp_path)
    assert chart.dark_vl is None


def test_the_command_line_sets_the_dark_theme_of_html_pages(tmp_path: Path) -> None:
    import vl_convert as vlc

    spec = "title: T\ndata: {values: [{a: 1, b: 2}, {a: 2, b: 3}]}\nx: {field: a}\nlayers: [{mark: line, y: {field: b}}]\n"
    (tmp_path / "chartspec.toml").write_text('dark_theme = "dark"\n', encoding="utf-8")
    (tmp_path / "s.yaml").write_text(spec, encoding="utf-8")
    carbon = vlc.get_themes()["carbong100"]["background"]

    def page(*flags: str) -> str:
        out = tmp_path / ("out" + "".join(flags))
        proc = subprocess.run([chartspec_exe(), "build", "s.yaml", "-o", str(out), "-f", "html", "-q", *flags],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return (out / "s.html").read_text(encoding="utf-8")

    assert carbon not in page()  # chartspec.toml's dark theme
    assert carbon in page("--dark-theme", "carbong100")  # the flag beats the file
    proc = subprocess.run([chartspec_exe(), "build", "s.yaml", "--dark-theme", "drak"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "--dark-theme: error: unknown theme 'drak'" in proc.stderr
    assert "did you mean 'dark'?" in proc.stderr
