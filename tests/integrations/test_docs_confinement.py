"""A docs page's ``file:`` reference stays inside the project: a spec file outside it is refused
before it is read, so its bytes never reach a warning or an ``on_error: show`` page."""

from __future__ import annotations

import os
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
