"""The documentation-site integrations, end to end: real MkDocs and Sphinx builds of the example
sites in ``tests/sites/``, their pages opened in headless Chromium, and the Python-Markdown
extension on its own.

Each site is copied to a temporary folder and built there by the real command line
(``python -m mkdocs build``, ``python -m sphinx -b html``). The built pages are served by a
``http.server`` on 127.0.0.1; every request that goes anywhere else is aborted and fails the test,
as do console errors and uncaught exceptions.
"""

from __future__ import annotations

import functools
import html as html_module
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# mkdocs, sphinx, markdown, pymdown-extensions and playwright are test dependencies: a missing one
# fails the run here instead of skipping these tests.
import markdown
import mkdocs  # noqa: F401
import pymdownx  # noqa: F401
import pytest
import sphinx  # noqa: F401
from conftest import REPO

from chartspec.errors import ChartspecError
from chartspec.integrations.common import find_fences, reference
from chartspec.integrations.markdown_ext import ChartspecExtension, bundle_url, fence_format, write_bundle
from chartspec.render.html import BUNDLE_DIR, bundle_filename

SITES = REPO / "tests" / "sites"
BUNDLE = bundle_filename()
ENV = {**os.environ, "NO_COLOR": "1"}

# -- building the example sites ---------------------------------------------------------------------


def copy_site(name: str, into: Path) -> Path:
    target = into / name
    shutil.copytree(SITES / name, target, ignore=shutil.ignore_patterns(".cache", "_build", "site"))
    return target


def mkdocs_build(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(site / "mkdocs.yml"),
                           "-d", str(site / "site"), *args], cwd=site, capture_output=True, text=True,
                          timeout=300, env=ENV)


def sphinx_build(site: Path, *args: str, builder: str = "html") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-d", str(site / "_build" / "doctrees"),
                           str(site), str(site / "_build" / builder), *args], cwd=site, capture_output=True,
                          text=True, timeout=300, env=ENV)


@pytest.fixture(scope="module")
def mkdocs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example MkDocs site, built; its output folder."""
    site = copy_site("mkdocs", tmp_path_factory.mktemp("mkdocs"))
    proc = mkdocs_build(site)
    assert proc.returncode == 0, proc.stderr
    return site / "site"


@pytest.fixture(scope="module")
def sphinx_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example Sphinx project, built with the html builder; its output folder."""
    site = copy_site("sphinx", tmp_path_factory.mktemp("sphinx"))
    proc = sphinx_build(site)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr
    return site / "_build" / "html"


# pages of each site, and how many interactive (figure.chartspec) and static charts each holds
MKDOCS_PAGES = {"index.html": (1, 0), "sub/page/index.html": (2, 0)}
SPHINX_PAGES = {"index.html": (1, 0), "sub/page.html": (2, 1)}


def bundle_urls(page: Path) -> list[str]:
    """The bundle URL of every fragment of ``page``, as its script will request it."""
    text = page.read_text(encoding="utf-8")
    found = re.findall(r'<template class="chartspec-spec"[^>]* data-bundle="([^"]*)"', text)
    return [url for urls in found for url in json.loads(html_module.unescape(urls))]


def check_site(out: Path, pages: dict[str, tuple[int, int]]) -> None:
    """Every chart in its page; one bundle in the site; every page's URL for it leads to it."""
    bundles = sorted(p.relative_to(out).as_posix() for p in out.rglob("vega-bundle.*.js"))
    assert bundles == [f"{BUNDLE_DIR}/{BUNDLE}"]
    bundle = (out / BUNDLE_DIR / BUNDLE).resolve()
    assert bundle.read_bytes().startswith(b"(function(){if(window.vegaEmbed)return;")
    for name, (interactive, static) in pages.items():
        text = (out / name).read_text(encoding="utf-8")
        assert text.count('<figure class="chartspec"') == interactive, name
        assert text.count('<div class="chartspec-static"') == static, name
        urls = bundle_urls(out / name)
        assert len(urls) == interactive, name
        for url in urls:
            assert not url.startswith(("/", "http:", "https:")), url
            assert ((out / name).parent / url).resolve() == bundle, (name, url)


# -- MkDocs ---------------------------------------------------------------------------------------

def test_mkdocs_build_draws_every_chart_with_one_shared_bundle(mkdocs_site: Path) -> None:
    check_site(mkdocs_site, MKDOCS_PAGES)
    assert bundle_urls(mkdocs_site / "index.html") == [f"{BUNDLE_DIR}/{BUNDLE}"]
    assert bundle_urls(mkdocs_site / "sub/page/index.html") == [f"../../{BUNDLE_DIR}/{BUNDLE}"] * 2
    page = (mkdocs_site / "sub/page/index.html").read_text(encoding="utf-8")
    assert 'aria-label="Loss curves"' in page and 'aria-label="RL Training Progression"' in page
    assert '"train":2.5' in page  # the inline spec's data file, read relative to the Markdown file
    # a chartspec fence shown inside a longer fence of another language stays an example
    assert "file: not/a/real/spec.yaml" in page
    # the charts' data and scripts stay out of the search index, their pages' text does not
    index = (mkdocs_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "An inline spec" in index
    assert "vegaEmbed" not in index and "2.5" not in index and "Loss" not in index and "RL Training" not in index


def test_mkdocs_rebuild_renders_only_changed_charts(tmp_path: Path) -> None:
    site = copy_site("mkdocs", tmp_path)
    first = mkdocs_build(site)
    assert first.returncode == 0, first.stderr
    assert "chartspec: 3 chart(s), 3 rendered, 0 from the cache" in first.stderr
    again = mkdocs_build(site)
    assert "chartspec: 3 chart(s), 0 rendered, 3 from the cache" in again.stderr, again.stderr
    data = site / "data" / "loss.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("0,2.5,2.6", "0,2.75,2.6"), encoding="utf-8")
    changed = mkdocs_build(site)
    assert "chartspec: 3 chart(s), 1 rendered, 2 from the cache" in changed.stderr, changed.stderr
    assert '"train":2.75' in (site / "site" / "sub/page/index.html").read_text(encoding="utf-8")
    check_site(site / "site", MKDOCS_PAGES)


def test_mkdocs_cache_keeps_only_the_entries_of_the_last_build(tmp_path: Path) -> None:
    site = copy_site("mkdocs", tmp_path)
    folder = site / ".cache" / "chartspec"

    def entries() -> set[str]:
        return {p.stem for p in folder.glob("*.json") if re.fullmatch(r"[0-9a-f]{64}", p.stem)}

    assert mkdocs_build(site).returncode == 0
    before = entries()
    assert before and any(p.name.startswith("vega-bundle") for p in folder.iterdir())
    spec = site / "specs" / "rl_training.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("title: RL", "title: Edited RL"), encoding="utf-8")
    edited = mkdocs_build(site)
    assert edited.returncode == 0, edited.stderr
    after = entries()
    assert len(after) == len(before) and len(before - after) == 1  # the old spec's entry went, the new came
    assert "chartspec: removed 1 stale cache entry" in edited.stderr, edited.stderr
    assert any(p.name.startswith("vega-bundle") for p in folder.iterdir())  # the cached bundle stays
    again = mkdocs_build(site)
    assert entries() == after and "stale cache" not in again.stderr


def test_mkdocs_typo_in_a_fence_fails_the_build_at_its_line(tmp_path: Path) -> None:
    site = copy_site("mkdocs", tmp_path)
    page = site / "docs" / "sub" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace("x: {field: epoch", "x: {feild: epoch"), encoding="utf-8")
    proc = mkdocs_build(site)
    assert proc.returncode != 0
    # line 12 of the file: the front matter MkDocs strips is counted
    assert "docs/sub/page.md:12:5: error: unknown key 'feild'" in proc.stderr, proc.stderr
    assert "did you mean 'field'?" in proc.stderr


@pytest.mark.parametrize("edited, old, new, message", [
    ("specs/rl_training.yaml", "title: RL", "titel: RL", "specs/rl_training.yaml:1:1: error: unknown key 'titel'"),
    ("docs/sub/page.md", "rl_training.yaml", "nope.yaml", "no such file: specs/nope.yaml"),
], ids=["error-in-the-spec", "missing-spec"])
def test_mkdocs_error_in_an_included_spec_names_the_file_and_the_page(tmp_path: Path, edited: str, old: str,
                                                                     new: str, message: str) -> None:
    site = copy_site("mkdocs", tmp_path)
    path = site / edited
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    proc = mkdocs_build(site)
    assert proc.returncode != 0
    assert message in proc.stderr, proc.stderr
    assert "docs/sub/page.md:20: note: chart included here" in proc.stderr


def test_mkdocs_on_error_show_puts_the_escaped_error_in_the_page(tmp_path: Path) -> None:
    site = copy_site("mkdocs", tmp_path)
    config = site / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - chartspec\n", "  - chartspec:\n      on_error: show\n"),
                      encoding="utf-8")
    index = site / "docs" / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("{mark: bar,", '{mark: "<script>alert(1)</script>",'),
                     encoding="utf-8")
    proc = mkdocs_build(site)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" in proc.stderr and "docs/index.md:16:12: error:" in proc.stderr, proc.stderr
    assert "chartspec: 0 chart(s), 0 rendered" not in proc.stderr
    html = (site / "site" / "index.html").read_text(encoding="utf-8")
    assert '<pre class="chartspec-build-error" role="alert">docs/index.md:16:12: error:' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    assert '<figure class="chartspec"' not in html
    assert mkdocs_build(site, "--strict").returncode != 0  # the warning fails a strict build


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(url: str, expected: str, proc: subprocess.Popen[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        assert proc.poll() is None, "mkdocs serve stopped"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                text = response.read().decode()
            if expected in text:
                return text
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"{expected!r} never appeared at {url}")


def test_mkdocs_serve_rebuilds_when_a_spec_or_data_file_outside_docs_changes(tmp_path: Path) -> None:
    site = copy_site("mkdocs", tmp_path)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-f", str(site / "mkdocs.yml"),
                             "-a", f"127.0.0.1:{port}"], cwd=site, stdout=log, stderr=subprocess.STDOUT,
                            text=True, env=ENV)
    try:
        url = f"http://127.0.0.1:{port}/sub/page/"
        wait_for(url, '"train":2.5,', proc)
        data = site / "data" / "loss.csv"  # outside docs_dir: only the plugin watches it
        data.write_text(data.read_text(encoding="utf-8").replace("0,2.5,2.6", "0,9.75,2.6"), encoding="utf-8")
        wait_for(url, '"train":9.75,', proc)
        spec = site / "specs" / "rl_training.yaml"
        spec.write_text(spec.read_text(encoding="utf-8").replace("title: RL Training Progression",
                                                                 "title: RL Training, Revised"), encoding="utf-8")
        page = wait_for(url, 'aria-label="RL Training, Revised"', proc)
        assert f"../../{BUNDLE_DIR}/{BUNDLE}" in page
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
    output = (tmp_path / "serve.log").read_text(encoding="utf-8")
    assert "1 rendered, 2 from the cache" in output, output


# -- Sphinx ---------------------------------------------------------------------------------------

def test_sphinx_build_draws_every_chart_with_one_shared_bundle(sphinx_site: Path) -> None:
    check_site(sphinx_site, SPHINX_PAGES)
    assert bundle_urls(sphinx_site / "sub/page.html") == [f"../{BUNDLE_DIR}/{BUNDLE}"] * 2
    page = (sphinx_site / "sub/page.html").read_text(encoding="utf-8")
    assert "Loss over five epochs" in page  # :caption:
    assert 'class="chartspec-box" style="width:90%;max-width:100%"' in page  # :width:
    # :format: svg: the static chart, labelled by :alt:, and no script
    static = re.search(r'<div class="chartspec-static"[^>]*>.*?</div>', page, re.DOTALL)
    assert static is not None
    assert 'aria-label="Token length and reproduced rate over RL training steps"' in static.group()
    assert "<script" not in static.group() and "<svg" in static.group()
    index = (sphinx_site / "index.html").read_text(encoding="utf-8")
    assert 'aria-label="Tokens per second for four batch sizes"' in index  # :alt:


def test_sphinx_latex_includes_every_chart_as_a_vector_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader

    site = copy_site("sphinx", tmp_path)
    proc = sphinx_build(site, builder="latex")
    assert proc.returncode == 0, proc.stderr
    out = site / "_build" / "latex"
    (tex,) = out.glob("*.tex")
    text = tex.read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics\[width=\\linewidth\]\{([^}]+\.pdf)\}", text)
    assert len(included) == sum(interactive + static for interactive, static in SPHINX_PAGES.values())
    titles = []
    for name in included:
        reader = PdfReader(out / name)
        assert len(reader.pages) == 1
        titles.append(reader.pages[0].extract_text())
    assert any("Throughput by batch size" in t for t in titles) and any("Loss curves" in t for t in titles)
    assert sum("RL Training Progression" in t for t in titles) == 2
    caption = text.index("Loss over five epochs")  # the :caption: figure holds its chart
    assert text.rfind("\\begin{figure}", 0, caption) > text.rfind("\\end{figure}", 0, caption)
    assert "chartspec_interactive" not in "".join(titles)  # drawn at rest, no hover layer


def test_sphinx_dirhtml_pages_find_the_bundle_from_their_folders(tmp_path: Path) -> None:
    site = copy_site("sphinx", tmp_path)
    proc = sphinx_build(site, builder="dirhtml")
    assert proc.returncode == 0, proc.stderr
    out = site / "_build" / "dirhtml"
    check_site(out, {"index.html": (1, 0), "sub/page/index.html": (2, 1)})
    assert bundle_urls(out / "sub/page/index.html") == [f"../../{BUNDLE_DIR}/{BUNDLE}"] * 2


def test_sphinx_singlehtml_keeps_chart_ids_apart(tmp_path: Path) -> None:
    site = copy_site("sphinx", tmp_path)
    proc = sphinx_build(site, builder="singlehtml")
    assert proc.returncode == 0, proc.stderr
    out = site / "_build" / "singlehtml"
    check_site(out, {"index.html": (3, 1)})
    ids = re.findall(r'<(?:figure|div) class="chartspec(?:-static)?" id="([^"]+)"', (out / "index.html").read_text())
    assert ids == ["chartspec-index-chart-1", "chartspec-sub-page-chart-1", "chartspec-sub-page-rl_training-2",
                   "chartspec-sub-page-rl_training-3"]


def test_sphinx_rereads_a_document_when_its_data_changes(tmp_path: Path) -> None:
    site = copy_site("sphinx", tmp_path)
    assert sphinx_build(site).returncode == 0
    again = sphinx_build(site)
    assert "0 added, 0 changed, 0 removed" in again.stdout, again.stdout
    data = site / "data" / "loss.csv"
    data.write_text(data.read_text(encoding="utf-8").replace("0,2.5,2.6", "0,2.75,2.6"), encoding="utf-8")
    changed = sphinx_build(site)
    assert "0 added, 1 changed, 0 removed" in changed.stdout, changed.stdout
    assert '"train":2.75' in (site / "_build" / "html" / "sub" / "page.html").read_text(encoding="utf-8")


def test_sphinx_typo_in_inline_spec_is_reported_at_the_document_line(tmp_path: Path) -> None:
    site = copy_site("sphinx", tmp_path)
    page = site / "sub" / "page.rst"
    page.write_text(page.read_text(encoding="utf-8").replace("x: {field: epoch", "x: {feild: epoch"), encoding="utf-8")
    proc = sphinx_build(site)
    assert f"{page}:11: ERROR: chartspec: sub/page.rst:11:4: error: 'x' is missing" in proc.stderr, proc.stderr
    assert "sub/page.rst:11:8: error: unknown key 'feild'" in proc.stderr
    assert sphinx_build(site, "-W", "-E").returncode != 0  # warnings as errors: the build fails


def test_sphinx_error_in_a_spec_file_names_the_file_and_the_document(tmp_path: Path) -> None:
    site = copy_site("sphinx", tmp_path)
    spec = site / "specs" / "rl_training.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("title: RL", "titel: RL"), encoding="utf-8")
    proc = sphinx_build(site)
    page = site / "sub" / "page.rst"
    assert f"{page}:18: ERROR: chartspec: specs/rl_training.yaml:1:1: error: unknown key 'titel'" in proc.stderr, \
        proc.stderr
    assert "sub/page.rst:18: note: chart included here" in proc.stderr


# -- in the browser ---------------------------------------------------------------------------------



class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1, from a thread; its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Visit:
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def visit(browser: Any, base: str, path: str, interactive: int, static: int,
          also: Callable[[Any], None] | None = None) -> Visit:
    """Open one page; wait until its charts are drawn; check them (and run ``also`` on the page)."""
    seen = Visit()
    context = browser.new_context()
    try:
        page = context.new_page()

        def route(r: Any) -> None:
            url = r.request.url
            seen.requests.append(url)
            if url.startswith(base):
                r.continue_()
            else:
                seen.refused.append(url)
                r.abort()

        context.route("**/*", route)
        page.on("console", lambda msg: seen.errors.append(f"console: {msg.text}") if msg.type == "error" else None)
        page.on("pageerror", lambda exc: seen.errors.append(f"pageerror: {exc}"))
        page.goto(base + path)
        page.wait_for_function(
            "n => { const f = [...document.querySelectorAll('figure.chartspec')];"
            " return f.length === n && f.every(x => x.hasAttribute('data-chartspec')); }",
            arg=interactive, timeout=20_000)
        states = page.eval_on_selector_all("figure.chartspec", "fs => fs.map(f => f.getAttribute('data-chartspec'))")
        assert states == ["ready"] * interactive, (path, states)
        figures = page.locator("figure.chartspec")
        for i in range(interactive):  # Vega's live SVG, the static fallback replaced
            assert figures.nth(i).locator(".chartspec-chart.vega-embed svg.marks .role-mark").count() > 0, path
            assert figures.nth(i).locator(".chartspec-chart > svg.marks").count() == 0, path
        assert page.locator(".chartspec-static svg.marks .role-mark").count() > 0 if static else True
        assert page.locator("pre.chartspec-error:visible, pre.chartspec-build-error").count() == 0
        ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
        assert len(ids) == len(set(ids)), ids
        if also:
            also(page)
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    bundle_requests = [u for u in seen.requests if u.split("?")[0].endswith(f"/{BUNDLE_DIR}/{BUNDLE}")]
    assert bundle_requests == [base + f"{BUNDLE_DIR}/{BUNDLE}"], (path, bundle_requests)
    assert not seen.refused, f"requests left the machine: {seen.refused}"
    assert not seen.errors, (path, seen.errors)
    return seen


@pytest.mark.parametrize("path", ["", "sub/page/"])
def test_mkdocs_pages_draw_their_charts_in_chromium(browser: Any, mkdocs_site: Path, path: str) -> None:
    interactive, static = MKDOCS_PAGES[path + "index.html" if path else "index.html"]
    with serving(mkdocs_site) as base:
        visit(browser, base, path, interactive, static)


@pytest.mark.parametrize("path", ["index.html", "sub/page.html"])
def test_sphinx_pages_draw_their_charts_in_chromium(browser: Any, sphinx_site: Path, path: str) -> None:
    def sized(page: Any) -> None:
        """A chart given :width: is scaled into its box (about 90% of the column, not its own 697px)."""
        column, box, chart = page.evaluate("""(() => { const b = document.querySelector('.chartspec-box[style]');
            return [b.parentElement.getBoundingClientRect().width, b.getBoundingClientRect().width,
                    b.querySelector('svg.marks').getBoundingClientRect().width]; })()""")
        assert abs(box - 0.9 * column) < 2 and 0.8 * box < chart <= box, (column, box, chart)

    with serving(sphinx_site) as base:
        visit(browser, base, path, *SPHINX_PAGES[path], also=sized if path == "sub/page.html" else None)


# -- the Python-Markdown extension ----------------------------------------------------------------

INLINE = """title: Throughput
data: {values: [{batch: 1, tps: 40}, {batch: 2, tps: 75}]}
x: {field: batch, type: ordinal}
layers: [{mark: bar, y: {field: tps}}]
"""


def convert(text: str, **settings: Any) -> str:
    return markdown.markdown(text, extensions=[ChartspecExtension(**settings)])


def test_markdown_extension_replaces_fences_with_fragments() -> None:
    html = convert(f"# Title\n\nBefore.\n\n```chartspec\n{INLINE}```\n\nAfter.\n\n~~~chartspec\n{INLINE}~~~\n",
                   bundle_url="/static/bundle.js")
    assert html.count('<figure class="chartspec"') == 2
    assert html.index("Before.") < html.index("<figure") < html.index("After.")
    assert 'data-bundle="[&quot;/static/bundle.js&quot;]"' in html
    assert 'id="chartspec-chart-1"' in html and 'id="chartspec-chart-2"' in html
    assert "<p><figure" not in html  # a block of its own, not inside a paragraph
    assert '"tps":75' in html


def test_markdown_extension_default_bundle_url_and_write_bundle(tmp_path: Path) -> None:
    assert bundle_url() == f"/{BUNDLE_DIR}/{BUNDLE}"
    assert bundle_url("/docs/") == f"/docs/{BUNDLE_DIR}/{BUNDLE}"
    assert html_module.escape(json.dumps([bundle_url()])) in convert(f"```chartspec\n{INLINE}```\n")
    path = write_bundle(tmp_path)
    assert path == tmp_path / BUNDLE_DIR / BUNDLE and path.stat().st_size > 100_000
    assert write_bundle(tmp_path) == path


def test_markdown_extension_spec_file_and_data_relative_to_the_page(tmp_path: Path) -> None:
    site = copy_site("mkdocs", tmp_path)
    text = (site / "docs" / "sub" / "page.md").read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=[ChartspecExtension(page=str(site / "docs" / "sub" / "page.md")),
                                               "meta"])
    assert html.count('<figure class="chartspec"') == 2
    assert '"train":2.5' in html and 'aria-label="RL Training Progression"' in html
    assert "file: not/a/real/spec.yaml" in html  # the example inside a ````markdown fence
    # "/" paths are relative to the root
    slash = convert("```chartspec\nfile: /specs/rl_training.yaml\n```\n", root=str(site), page=str(site / "a.md"))
    assert 'aria-label="RL Training Progression"' in slash
    # an absolute file-system path is not read from "/": it says where it was looked for
    outside = tmp_path / "outside.yaml"
    outside.write_text((site / "specs" / "rl_training.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ChartspecError) as info:
        convert(f"```chartspec\nfile: {outside}\n```\n", root=str(site), page=str(site / "a.md"))
    assert "no such file:" in str(info.value) and "never from the file system's root" in str(info.value)
    assert "chart included here" in str(info.value)


def test_markdown_extension_fences_in_lists_and_indented_errors(tmp_path: Path) -> None:
    indented = "".join(f"    {line}\n" for line in INLINE.splitlines())
    html = convert(f"- item\n\n    ```chartspec\n{indented}    ```\n")
    assert html.count('<figure class="chartspec"') == 1
    bad = indented.replace("{field: batch", "{feild: batch")
    with pytest.raises(ChartspecError) as info:
        convert(f"- item\n\n    ```chartspec\n{bad}    ```\n", page=str(tmp_path / "list.md"))
    # line 6 of the file; the column counts the indentation the fence's lines have in the file
    assert "list.md:6:9: error: unknown key 'feild'" in str(info.value)
    assert info.value.diagnostics[0].source_line == "    x: {feild: batch, type: ordinal}"


def test_markdown_extension_raises_located_errors(tmp_path: Path) -> None:
    text = "---\ntitle: front matter\n---\n\nText.\n\n```chartspec\n" + INLINE.replace("tps}", "tsp}") + "```\n"
    with pytest.raises(ChartspecError) as info:
        convert(text, page=str(tmp_path / "page.md"))
    first = info.value.diagnostics[0]
    assert first.file.endswith("page.md") and first.line == 11 and "'tsp'" in first.message
    with pytest.raises(ChartspecError) as missing:
        convert("Text.\n\n```chartspec\nfile: nope.yaml\n```\n", page=str(tmp_path / "page.md"))
    assert "no such file" in missing.value.diagnostics[0].message
    note = missing.value.diagnostics[-1]
    assert (note.severity, note.line, note.message) == ("note", 3, "chart included here")


def test_markdown_extension_shows_errors_escaped() -> None:
    hostile = INLINE.replace("mark: bar", 'mark: "<script>alert(1)</script>"')
    html = convert(f"```chartspec\n{hostile}```\n", on_error="show")
    assert '<pre class="chartspec-build-error" role="alert">&lt;markdown&gt;:5:17: error:' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


def test_superfences_custom_fence() -> None:
    from pymdownx.superfences import SuperFencesException

    configs = {"pymdownx.superfences": {"custom_fences": [
        {"name": "chartspec", "class": "chartspec", "format": fence_format}]}}
    html = markdown.markdown(f"Text.\n\n```chartspec\n{INLINE}```\n\n```python\nx = 1\n```\n",
                             extensions=["pymdownx.superfences"], extension_configs=configs)
    assert html.count('<figure class="chartspec"') == 1 and html_module.escape(json.dumps([bundle_url()])) in html
    assert '<span class="mi">1</span>' in html  # the other fence is superfences' as usual
    with pytest.raises(SuperFencesException, match=r"<chartspec fence>:4:33: error: field 'tsp' not in inline data"):
        markdown.markdown(f"```chartspec\n{INLINE.replace('tps}', 'tsp}')}```\n", extensions=["pymdownx.superfences"],
                          extension_configs=configs)
    # with the extension loaded too, its settings apply (and it finds the fences first)
    html = markdown.markdown(f"```chartspec\n{INLINE}```\n", extensions=[
        "pymdownx.superfences", ChartspecExtension(bundle_url="b.js")], extension_configs=configs)
    assert 'data-bundle="[&quot;b.js&quot;]"' in html


def test_find_fences() -> None:
    text = ("```chartspec\na: 1\n```\n"
            "````markdown\n```chartspec\nb: 2\n```\n````\n"
            "  ~~~ {.chartspec}\n  c: 3\n  ~~~\n"
            "```python\nd = 4\n```\n"
            "```chartspec\nunclosed: 5\n")
    fences = find_fences(text)
    assert [(f.line, f.indent, f.body) for f in fences] == [
        (1, "", "a: 1\n"), (9, "  ", "c: 3\n"), (15, "", "unclosed: 5\n")]
    assert reference("file: specs/x.yaml\n") == "specs/x.yaml"
    assert reference("# a comment\nfile: 'my specs/x.yaml'  # why\n") == "my specs/x.yaml"
    assert reference("file: x.yaml\ntitle: y\n") is None
    assert reference(INLINE) is None
