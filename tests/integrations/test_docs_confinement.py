"""A docs page's ``file:`` reference stays inside the project: a spec file outside it is refused
before it is read, so its bytes never reach a warning or an ``on_error: show`` page."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from chartspec.errors import ChartspecError
from chartspec.integrations.common import chart_from_file
from chartspec.integrations.markdown_ext import ChartspecExtension

SECRET = "hunter2-secret-line: 1\n"


def _project(tmp_path: Path) -> tuple[Path, Path]:
    """A project folder (marked by chartspec.toml) and a YAML mapping just outside it."""
    outside = tmp_path / "private.yaml"
    outside.write_text(SECRET, encoding="utf-8")
    project = tmp_path / "site"
    (project / "docs").mkdir(parents=True)
    (project / "chartspec.toml").write_text("", encoding="utf-8")
    return project, outside


def test_chart_from_file_refuses_a_spec_outside_the_root(tmp_path: Path) -> None:
    project, outside = _project(tmp_path)
    with pytest.raises(ChartspecError) as caught:
        chart_from_file(project / "docs" / ".." / ".." / outside.name, root=project)
    message = caught.value.format()
    assert "outside the project" in message
    assert "hunter2" not in message


@pytest.mark.parametrize("on_error", ["show", "raise"])
def test_markdown_file_reference_outside_the_project_names_the_page_line(tmp_path: Path, on_error: str) -> None:
    project, _ = _project(tmp_path)
    page = project / "docs" / "page.md"
    text = "# Page\n\n```chartspec\nfile: ../../private.yaml\n```\n"
    ext = ChartspecExtension(page=str(page), on_error=on_error)
    if on_error == "show":
        html = markdown.markdown(text, extensions=["fenced_code", ext])
        assert "outside the project" in html
        assert "hunter2" not in html
        assert "page.md:3" in html
    else:
        with pytest.raises(ChartspecError) as caught:
            markdown.markdown(text, extensions=["fenced_code", ext])
        assert "hunter2" not in caught.value.format()
        assert any(str(d.file).endswith("page.md") and d.line == 3 for d in caught.value.diagnostics)


def test_mkdocs_show_mode_never_puts_an_outside_file_in_the_page(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    (project / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - chartspec:\n      on_error: show\n"
                                        "      cache_dir: ''\n", encoding="utf-8")
    (project / "docs" / "index.md").write_text("# T\n\n```chartspec\nfile: ../../private.yaml\n```\n",
                                               encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml")],
                         cwd=project, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    page = (project / "site" / "index.html").read_text(encoding="utf-8")
    assert "outside the project" in page
    assert "hunter2" not in page and "hunter2" not in run.stderr
    assert "docs/index.md:3" in run.stderr


def test_mkdocs_show_mode_names_files_relative_to_the_project_when_built_from_elsewhere(tmp_path: Path) -> None:
    """The page shows ``docs/index.md:8:7``, never where the build machine keeps the site (a breaker's
    finding: built with ``-f /abs/mkdocs.yml`` from another folder, the page named the absolute paths)."""
    project, _ = _project(tmp_path)
    (project / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - chartspec:\n      on_error: show\n"
                                        "      cache_dir: ''\n", encoding="utf-8")
    (project / "specs").mkdir()
    (project / "specs" / "bad.yaml").write_text("titel: x\ndata: {values: [{a: 1}]}\nx: {field: a}\n"
                                                "layers: [{y: {field: a}}]\n", encoding="utf-8")
    (project / "docs" / "index.md").write_text(
        "# T\n\n```chartspec\nfile: ../specs/bad.yaml\n```\n\n```chartspec\nfile: ../specs/nope.yaml\n```\n\n"
        "```chartspec\ndata: missing.csv\nx: {field: step}\nlayers: [{y: {field: loss}}]\n```\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", str(project / "mkdocs.yml")],
                         cwd=elsewhere, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert run.returncode == 0, run.stderr
    page = (project / "site" / "index.html").read_text(encoding="utf-8")
    errors = re.findall(r'<pre class="chartspec-build-error" role="alert">([^<]*)</pre>', page)
    assert [e.split(": ", 1)[0] for e in errors] == ["specs/bad.yaml:1:1", "specs/nope.yaml", "docs/index.md:12:7"]
    assert "no such file: specs/nope.yaml" in errors[1]
    assert "docs/index.md:3: note: chart included here" in errors[0]
    assert str(tmp_path) not in page and "../site/" not in page


@pytest.mark.parametrize("name", ["private.yaml", "nothere.yaml"])
def test_a_docs_rooted_reference_outside_the_project_fails_the_same_whether_there_or_not(tmp_path: Path,
                                                                                         name: str) -> None:
    project, _ = _project(tmp_path)
    page = project / "docs" / "page.md"
    ext = ChartspecExtension(page=str(page), on_error="show", root=str(project))
    html = markdown.markdown(f"# Page\n\n```chartspec\nfile: /../{name}\n```\n", extensions=["fenced_code", ext])
    found = re.search(r'role="alert">([^<]*)</pre>', html)
    assert found is not None
    assert found[1].replace(name, "NAME").split("\n")[0] == \
        "../NAME: error: spec file &#x27;../NAME&#x27; leads outside the project"
    assert str(tmp_path) not in html
