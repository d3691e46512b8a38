"""Building in the build's own process: ``--jobs 0``, or a build with a single spec to render.

A worker process costs a Python start and a second import of the whole pipeline, a third of a
cold build of one spec. So such builds load, compile and write each spec here, one at a time,
and only Vega runs elsewhere: in the renderer's own process (renderer.py), started as soon as the
build knows it will render, so that its engine starts while this process imports, loads and
compiles. A chart that crashes the renderer or runs past the time limit fails alone, as in a
worker, and the next spec gets a new renderer.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .discover import Target
    from .options import BuildOptions, SpecResult
    from .renderer import Renderer
    from .workers import WorkerPool

__all__ = ["InProcess", "renders_here", "start_early"]


def renders_here(options: BuildOptions, count: int, pool: WorkerPool | None) -> bool:
    """Render from this process: with ``--jobs 0``, or when one spec is all there is to render and
    no warm pool waits (a worker would cost a Python start and the pipeline's imports again)."""
    return options.jobs == 0 or (count == 1 and pool is None)


def start_early(options: BuildOptions) -> None:
    """Start the renderer's process before the build imports its pipeline, when the build will
    most likely need it: it renders, into a folder it has not built into (so everything is to
    render). The build stops it again if it renders in workers instead (:meth:`InProcess.release`).
    Light on purpose: the command line calls it first thing."""
    if not options.render:  # validate: not even the renderer's module
        return
    from .cache import MANIFEST_NAME
    from .renderer import shared

    if not (options.out / MANIFEST_NAME).exists():
        _start(shared())


def _start(renderer: Renderer) -> None:
    from ..errors import ChartspecError

    try:
        renderer.start()
    except ChartspecError:
        pass  # said where it matters: as the failure of each spec that needed it


class InProcess:
    """The specs of one build rendered from this process (see the module)."""

    def __init__(self, options: BuildOptions, keep_engine: bool = True) -> None:
        from .renderer import shared

        self.options = options
        self.renderer = shared()
        #: False: a one-shot build, whose renderer may stop once it has drawn the last chart
        self.keep_engine = keep_engine

    def start_engine(self) -> None:
        """Start the renderer's process now, unless it runs already (its engine starts at once)."""
        _start(self.renderer)

    def release(self) -> None:
        """The build renders elsewhere or not at all: stop a renderer started for it that has drawn nothing."""
        self.renderer.release()

    def render(self, target: Target, last: bool = False) -> SpecResult:
        """Load, compile, render and write ``target``, Vega drawing in the renderer's process;
        ``last``: no chart follows it in this build."""
        from .engine import needs_reset
        from .target import render_target

        draw: Callable[[Any], Any] = partial(self.renderer.svg, timeout=self.options.timeout)
        png: Callable[[Any], Any] = partial(self.renderer.png, timeout=self.options.timeout)
        done = last and not self.keep_engine
        if done:
            draw, png = partial(self._draw_last, draw, "png" in self.options.formats), partial(self._then_close, png)
        try:
            result = render_target(target, self.options, draw=draw, png=png)
        finally:
            if done:
                self.renderer.close()  # also when no PNG was asked of it
        if needs_reset(result) and not done:
            self.renderer.recover()  # the next spec gets a fit engine (engine.py)
        return result

    def _draw_last(self, draw: Callable[[dict[str, Any]], str], png: bool, vl: dict[str, Any]) -> str:
        """The last chart's SVG; then the renderer stops, unless it is to make the PNG of that SVG
        (render/export.py: a long SVG's). Its engine holds ~190 MB after a large chart (Vega's
        heap), memory the PNG, PDF and pages, made here from the SVG, can use."""
        from ..render import export

        svg = ""
        try:
            svg = draw(vl)
            return svg
        finally:
            if not (png and len(svg) >= export.PNG_AHEAD_BYTES):
                self.renderer.close()

    def _then_close(self, call: Callable[[Any], Any], arg: Any) -> Any:
        """The last chart's PNG; then the renderer stops."""
        try:
            return call(arg)
        finally:
            self.renderer.close()
