"""One spec from file to outputs: load, compile, render every format in memory, write them all.

Errors are returned in the :class:`~chartspec.builder.options.SpecResult`, never raised, so a
failing spec never stops the others; worker processes run :func:`render_target` too.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ChartspecError, Diagnostic
from ..render.formats import PAGE_FORMATS
from . import stop
from .cache import fingerprint, spec_key
from .discover import Target
from .options import BuildOptions, SpecResult, output_paths

if TYPE_CHECKING:
    from ..render.html import PageContext


def render_target(target: Target, options: BuildOptions, draw: Callable[[dict[str, Any]], str] | None = None,
                  png: Callable[[float], bytes] | None = None) -> SpecResult:
    """Load, compile, render and write one spec; errors are returned, not raised. ``draw`` draws
    the SVG elsewhere than in this process' engine (builder/renderer.py), and ``png`` makes the
    PNG of what it drew there."""
    from ..compiler.vegalite import compile_noted
    from ..data.loader import load, with_build_theme

    started = time.perf_counter()
    if options.render:  # the outputs' key needs the code hash: made while the spec loads
        from ..render.versions import versions_ahead

        versions_ahead()
    try:
        loaded = load(target.spec, root=target.root, scale=options.scale)  # YAML -> model + data, reduced
        spec = with_build_theme(loaded, options.theme)                # --theme, unless the spec names one
        # a connection's files and config are keyed by stamps and settings (freshness.py), not bytes
        stamped = {p.resolve() for f in spec.fetched for p in (f.config, *f.files)}
        inputs = tuple(str(p.resolve()) for p in spec.inputs if p.resolve() not in stamped)
        # hashed now, before the chart compiles and draws: a file saved while it renders must not
        # pass for rendered (hashing in a thread beside the render raced with such a save)
        key = spec_key(list(inputs), spec.fetched, _fingerprint(target, options),
                       options.out.resolve()) if options.render else None
        # pure: spec -> Vega-Lite; its rows the loaded ones (nothing here changes them)
        vl, compiled = compile_noted(spec, checked_only=not options.render, share_rows=True)
        notes = tuple(dict.fromkeys(spec.notes + compiled))  # the data's, then what the compiler chose
        if not options.render:  # validated and compiled: what only the compiler can refuse is reported too
            return SpecResult(target, "valid", (), inputs, None, time.perf_counter() - started, notes=notes,
                              fetched=spec.fetched)
        from ..render.atomic import write_all_atomic  # here: validate never loads the renderer
        from ..render.export import draw_ahead, render

        paths = output_paths(target, options)
        if draw is not None:  # Vega draws in the renderer's process while this one compiles the dark look
            draw = draw_ahead(vl, options.formats, draw, fallback=options.fallback)
        page = _page_context(target, vl, options, paths, _dark_vl(loaded, options))
        rendered = render(vl, options.formats, scale=options.scale, page=page, spec=spec, draw=draw,
                          png=png if draw is not None else None)  # in memory
        write_all_atomic({path: rendered[fmt] for fmt, path in paths.items()})  # all formats or none
        return SpecResult(target, "built", tuple(paths.values()), inputs, None, time.perf_counter() - started, key,
                          notes=notes, fetched=spec.fetched)
    except ChartspecError as err:
        stop.check(err.__cause__ or err.__context__)  # an engine's error made of a Ctrl-C or SIGTERM: stop
        if any(d.file is None for d in err.diagnostics):  # render and write errors: say which spec
            err = type(err)([d if d.file else replace(d, file=target.shown) for d in err.diagnostics])
        return SpecResult(target, "failed", error=err, seconds=time.perf_counter() - started)
    except Exception as err:  # a bug met by this spec: fail it alone, in one line, never with a traceback
        stop.check(err)
        return SpecResult(target, "failed", error=internal_error(err, target.shown),
                          seconds=time.perf_counter() - started)


def internal_error(err: Exception, shown: str) -> ChartspecError:
    """What a user sees of an exception chartspec did not expect: its class and message, at the spec."""
    first = (str(err).splitlines() or [""])[0][:200]
    return ChartspecError([Diagnostic(
        f"internal error in chartspec ({type(err).__name__}{': ' + first if first else ''})", file=shown,
        hint="a bug in chartspec, not in the spec: please report it with this spec; the other specs are built")])


def _fingerprint(target: Target, options: BuildOptions) -> str:
    html = f"{options.html_bundle}:{int(options.fallback)}:{options.dark_theme}" if set(options.formats) & set(
        PAGE_FORMATS) else ""
    # the build theme's name counts here; a theme file's bytes count as an input of each spec
    return fingerprint(target.stem.as_posix(), options.formats, options.scale, html, theme=options.theme)


def _dark_vl(loaded: Any, options: BuildOptions) -> dict[str, Any] | None:
    """The chart in the build's dark theme, which HTML pages show on a dark system; None when the
    page has one look (no HTML output, the spec names its own theme, one theme configured)."""
    from ..compiler.vegalite import compile_vegalite
    from ..data.loader import with_build_theme
    from ..spec.themes import dark_theme_for

    dark = dark_theme_for(options.theme, options.dark_theme)
    if dark is None or not set(options.formats) & set(PAGE_FORMATS):
        return None
    themed = with_build_theme(loaded, dark)
    return compile_vegalite(themed, share_rows=True) if themed is not loaded else None


def _page_context(target: Target, vl: dict, options: BuildOptions, paths: dict[str, Path],
                  dark_vl: dict[str, Any] | None = None) -> PageContext:
    from ..render.export import chart_id, chart_label, chart_title
    from ..render.html import BUNDLE_DIR, HtmlOptions, PageContext, bundle_filename

    page_dir = next(iter(paths.values())).parent
    bundle = os.path.relpath(options.out / BUNDLE_DIR / bundle_filename(), page_dir)
    # the page's title falls back on the file name: a byte that is not UTF-8 (read by Python as a
    # lone surrogate, PEP 383) becomes U+FFFD rather than failing the page's encoding
    name = target.stem.as_posix().encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return PageContext(chart_id=chart_id(name), title=chart_title(vl, name), label=chart_label(vl, name),
                       bundle_href=Path(bundle).as_posix(),
                       options=HtmlOptions(bundle=options.html_bundle, fallback=options.fallback), dark_vl=dark_vl)


def write_shared_bundle(out: Path) -> Path:
    """Write the Vega bundle into ``OUT/_chartspec`` once (and drop bundles of older versions)."""
    from ..render.atomic import write_atomic
    from ..render.html import BUNDLE_DIR, bundle_filename, bundle_js

    folder = out / BUNDLE_DIR
    target = folder / bundle_filename()
    if target.exists():
        return target  # a no-op build must not start the renderer to make it again
    write_atomic(target, bundle_js().encode())
    for old in folder.glob("vega-bundle.*.js"):
        if old != target:
            old.unlink(missing_ok=True)
    return target
