"""Hostile local files around a build: a forged manifest, leftover temporary files, pipes.

Each scenario would crash (a traceback), hang (a named pipe) or grow (leftovers) before the fix;
the library runs in this process (``jobs=0``, SVG only) and every read of a pipe is bounded by
the test's own timeout thread so a regression fails instead of hanging.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

import chartspec
from chartspec.builder.cache import MANIFEST_NAME, Manifest
from chartspec.builder.options import BuildOptions, BuildReport
from chartspec.errors import ChartspecError

SPEC = "data: data/m.csv\nx: {field: step}\nlayers:\n  - y: {field: loss}\n"
CSV = "step,loss\n0,2.3\n10,1.9\n"


def bounded(call: Callable[[], Any], seconds: float = 60) -> Any:
    """``call()`` in a thread; fails the test (rather than hanging it) if it blocks."""
    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = call()
        except BaseException as err:  # noqa: BLE001 - handed back to the test
            result["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"blocked for more than {seconds} s")
    if "error" in result:
        raise result["error"]
    return result["value"]


def project(root: Path) -> Path:
    return write_tree(root, {"chartspec.toml": "", "s16.yaml": SPEC, "data/m.csv": CSV})


def build(root: Path, out: Path, **options: Any) -> BuildReport:
    settings: dict[str, Any] = {"out": out, "jobs": 0, "formats": ("svg",), **options}
    return bounded(lambda: chartspec.build([root], BuildOptions(**settings)))


FORGED = {
    "nul output": '{"format":2,"specs":{"../zz.yaml":{"key":"x","inputs":[],"outputs":{"a\\u0000.svg":[1,2,"h"]}}}}',
    "surrogate input": '{"format":2,"specs":{"../s16.yaml":{"key":"x","inputs":["\\ud800"],"outputs":{}}}}',
    "nul spec": '{"format":2,"specs":{"../z\\u0000.yaml":{"key":"x","inputs":[],"outputs":{}}}}',
    "deep nesting": '{"format":2,"specs":' + "[" * 100_000,
    "entry not a mapping": '{"format":2,"specs":{"../s16.yaml":[1]}}',
    "not an object": "[1, 2]",
}


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("text", FORGED.values(), ids=FORGED.keys())
def test_a_forged_manifest_is_ignored_and_the_build_succeeds(tmp_path: Path, text: str, force: bool) -> None:
    root = project(tmp_path / "p")
    out = root / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    (out / MANIFEST_NAME).write_text(text, encoding="utf-8")
    report = build(root, out, force=force)
    assert [r.status for r in report.results] == ["built"]
    assert (out / "s16.svg").read_bytes().startswith(b"<svg")
    assert (out / "keep.txt").read_text() == "mine"
    assert Manifest.load(out).entries  # the forged manifest was replaced by a real one


def test_a_manifest_that_is_a_named_pipe_does_not_hang_the_build(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    out = root / "out"
    out.mkdir()
    os.mkfifo(out / MANIFEST_NAME)
    report = build(root, out)
    assert [r.status for r in report.results] == ["built"]
    assert (out / MANIFEST_NAME).is_file()  # the pipe was replaced by the new manifest


def test_a_manifest_linked_to_an_endless_device_is_not_read(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    out = root / "out"
    out.mkdir()
    (out / MANIFEST_NAME).symlink_to("/dev/zero")
    assert bounded(lambda: Manifest.load(out)).entries == {}
    assert [r.status for r in build(root, out).results] == ["built"]


def test_an_oversized_manifest_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from chartspec.builder import cache

    root = project(tmp_path / "p")
    out = root / "out"
    build(root, out)
    assert Manifest.load(out).entries
    monkeypatch.setattr(cache, "MAX_MANIFEST_BYTES", (out / MANIFEST_NAME).stat().st_size - 1)
    assert Manifest.load(out).entries == {}


def test_leftover_temporary_files_of_a_killed_build_are_removed(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    out = root / "out"
    build(root, out, formats=("svg", "html"))
    # what kill -9 leaves behind while writing: temp files and a hard-linked backup
    leftovers = [".s16.svg.e7_visqz.tmp", ".s16.html.abcd1234.tmp", ".s16.svg.e7_visqz.tmp.old",
                 f".{MANIFEST_NAME}.zz99zz99.tmp"]
    # not chartspec's: other names, another output's look-alike, a folder with a temp name
    foreign = [".s16.svg.tmp", ".s16.svg.mine.tmp", "s16.svg.e7_visqz.tmp", ".s16.svg.e7_visqz.tmp.keep",
               ".other.svg.e7_visqz.tmp", ".s16.svg.E7_VISQZ.tmp"]
    for name in leftovers + foreign:
        (out / name).write_text("partial")
    (out / ".s16.png.dir12345.tmp").mkdir()
    report = build(root, out, formats=("svg", "html"))
    assert [r.status for r in report.results] == ["up-to-date"]  # even when nothing is rendered
    for name in leftovers:
        assert not (out / name).exists(), name
    for name in foreign:
        assert (out / name).read_text() == "partial", name
    assert (out / ".s16.png.dir12345.tmp").is_dir()


def test_temporary_files_outside_the_output_folder_are_never_removed(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    out = root / "out"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".s16.svg.e7_visqz.tmp").write_text("not yours")
    build(root, out)
    (out / "sub").symlink_to(elsewhere, target_is_directory=True)
    (out / MANIFEST_NAME).write_text(
        '{"format":2,"specs":{"../s16.yaml":{"key":"","inputs":[],"outputs":{"sub/s16.svg":[1,2,"h"]}}}}')
    build(root, out)
    assert (elsewhere / ".s16.svg.e7_visqz.tmp").read_text() == "not yours"


def test_a_spec_that_is_a_named_pipe_is_reported_not_read(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    os.mkfifo(root / "x.yaml")
    report = bounded(lambda: chartspec.build([root / "x.yaml"], BuildOptions(out=root / "out", render=False)))
    assert "x.yaml is a named pipe, not a file" in report.results[0].error.first.message
    with pytest.raises(ChartspecError, match="is a named pipe, not a file"):
        bounded(lambda: chartspec.load(root / "x.yaml"))


def test_a_spec_that_is_a_list_must_be_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "l.yaml").write_text("- a\n- b\n")
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(tmp_path / "l.yaml")
    first = caught.value.first
    assert "must be a YAML mapping" in first.message and (first.line, first.column) == (1, 1)


def test_a_file_or_folder_name_that_is_not_utf8_builds_its_page(tmp_path: Path) -> None:
    """The page's title falls back on the file name: 'spec\\xe9.yaml' (Latin-1) failed every HTML
    build with "'utf-8' codec can't encode character '\\udce9'" (SVG and PNG built)."""
    chart = b"data: {values: [{a: 1, b: 2}, {a: 2, b: 3}]}\nx: {field: a}\nlayers:\n  - y: {field: b}\n"
    root = os.fsencode(tmp_path / "p")
    os.makedirs(root + b"/f\xe9")
    for name in (b"/spec\xe9.yaml", b"/f\xe9/s.yaml"):
        with open(root + name, "wb") as f:
            f.write(chart)
    (tmp_path / "p" / "chartspec.toml").write_text("", encoding="utf-8")
    out = tmp_path / "out"
    report = chartspec.build(tmp_path / "p", chartspec.BuildOptions(out=out, formats="html", jobs=0))
    assert report.ok, report
    pages = sorted(p.read_bytes().decode("utf-8") for p in out.rglob("*.html"))
    assert len(pages) == 2 and all("<title>" in page for page in pages)
    assert any("<title>spec\ufffd</title>" in page for page in pages), [p[:300] for p in pages]
