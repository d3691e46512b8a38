"""The PNG made in the renderer's process (builder/renderer.py) while the build writes the SVG and
the page: the same bytes as the build's own, and made there again should the renderer fail; a
short SVG's PNG made by the build, the renderer stopped first."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

from chartspec.builder.options import BuildOptions
from chartspec.builder.renderer import Renderer, shared
from chartspec.builder.run import build
from chartspec.errors import ExportError
from chartspec.render import engine
from chartspec.render.engine import EngineError

#: 3,000 points, noisy: a line whose path the build compacts (svgpaths.py) before it writes it
_ROWS = ", ".join(f"{{step: {i}, loss: {(i * 7919 % 1000) / 997:.4f}}}" for i in range(3000))
LINE = f"data: {{values: [{_ROWS}]}}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}}}]\n"


def _build(root: Path, jobs: int = 0) -> Path:
    write_tree(root, {"chartspec.toml": "", "specs/line.yaml": LINE})
    options = BuildOptions(out=root / "out", formats=("svg", "png", "html"), jobs=jobs)
    assert build([root / "specs"], options, keep_engine=False).ok
    return root / "out"


def test_the_png_is_made_by_the_renderer_with_the_builds_own_bytes(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from chartspec.render import export

    monkeypatch.setattr(export, "PNG_AHEAD_BYTES", 0)  # the test chart's SVG is shorter
    renderer, asked = shared(), []
    made = renderer.png

    def recorded(scale: float, timeout: float | None = None) -> bytes:
        asked.append(scale)
        return made(scale, timeout)

    monkeypatch.setattr(renderer, "png", recorded)
    out = _build(tmp_path)
    assert asked == [1.0]
    assert renderer._proc is None  # a one-shot build: stopped after the PNG
    # the PNG of the SVG written (compacted, labelled), made in this process: byte for byte the same
    svg = (out / "line.svg").read_text(encoding="utf-8")
    assert (out / "line.png").read_bytes() == engine.svg_to_png(svg, 1.0)


@pytest.mark.parametrize("failure", [ExportError("the renderer crashed"), EngineError("boom")])
def test_a_png_the_renderer_fails_to_make(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          failure: Exception) -> None:
    """A renderer that died is no reason to fail the PNG: it is made here. An engine error is the
    chart's own (this process' engine would give it too): the spec fails with it."""
    def fails(self: Renderer, scale: float, timeout: float | None = None) -> bytes:
        raise failure

    from chartspec.render import export

    monkeypatch.setattr(export, "PNG_AHEAD_BYTES", 0)
    monkeypatch.setattr(Renderer, "png", fails)
    write_tree(tmp_path, {"chartspec.toml": "", "specs/line.yaml": LINE})
    options = BuildOptions(out=tmp_path / "out", formats=("svg", "png"), jobs=0)
    report = build([tmp_path / "specs"], options, keep_engine=False)
    if isinstance(failure, ExportError):
        assert report.ok
        assert (tmp_path / "out" / "line.png").read_bytes().startswith(b"\x89PNG")
    else:
        assert not report.ok
        assert "rendering png failed: boom" in str(report.results[0].error)


def test_a_short_svgs_png_is_made_here_after_the_renderer_stopped(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Below PNG_AHEAD_BYTES the renderer's Vega heap is not kept for the PNG (memory of case 1)."""
    renderer, alive = shared(), []

    def refused(scale: float, timeout: float | None = None) -> bytes:
        raise AssertionError("the PNG of a short SVG is made by the build")

    made = engine.svg_to_png

    def recorded(svg: str, scale: float) -> bytes:
        alive.append(renderer._proc is not None)
        return made(svg, scale)

    monkeypatch.setattr(renderer, "png", refused)
    monkeypatch.setattr(engine, "svg_to_png", recorded)
    out = _build(tmp_path)
    assert alive == [False]  # stopped before this process made the PNG
    assert (out / "line.png").read_bytes().startswith(b"\x89PNG")
