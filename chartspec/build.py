"""Building many specs: the steps of a build, in order.

A spec that fails is reported and skipped: it never stops the others and never leaves a
partial output (each spec is rendered in memory, then every file is written atomically).
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .cache import Manifest, fingerprint, input_key
from .discover import Target, discover
from .errors import ChartspecError, Diagnostic, UsageError, display_path
from .export import DEFAULT_FORMATS, FORMATS, PAGE_FORMATS, SUFFIXES, remove_temp_files
from .html import BUNDLE_DIR, BundleMode, HtmlOptions, PageContext, bundle_filename

if TYPE_CHECKING:
    from .workers import WorkerPool

__all__ = ["BuildOptions", "BuildReport", "SpecResult", "build", "parse_formats", "render_target"]

Status = Literal["built", "up-to-date", "valid", "failed"]


@dataclass(frozen=True)
class BuildOptions:
    """How to build. Vary with ``dataclasses.replace``."""

    out: Path = Path("build")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    scale: float = 1.0
    #: worker processes; 0 renders in this process (no time limit then)
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    #: seconds one spec may take to render in a worker before it is stopped
    timeout: float = 300.0
    force: bool = False
    render: bool = True  # False: validate only, write nothing
    #: where HTML outputs load Vega from: one shared file in OUT, inside each page, or a CDN
    html_bundle: BundleMode = "shared"
    #: pre-rendered SVG inside HTML outputs, shown until (or unless) scripts draw the chart
    fallback: bool = True
    #: theme of specs that name none (themes.py): a theme name or an absolute theme file path
    theme: str | None = None


@dataclass(frozen=True)
class SpecResult:
    target: Target
    status: Status = "failed"
    outputs: tuple[Path, ...] = ()
    inputs: tuple[str, ...] = ()
    error: ChartspecError | None = None
    seconds: float = 0.0
    #: hash of the inputs as they were when loaded, before rendering (see :func:`cache.input_key`)
    key: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BuildReport:
    results: list[SpecResult] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    rendered: bool = True  # False for a validate-only run

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[SpecResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    formats = tuple(dict.fromkeys(f.strip().lower() for f in items if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {unknown[0]!r}" if unknown else "no output format given",
                         hint=f"choose from {', '.join(FORMATS)}")
    return formats


def output_paths(target: Target, options: BuildOptions) -> dict[str, Path]:
    base = options.out / target.stem
    return {fmt: base.with_name(base.name + SUFFIXES[fmt]) for fmt in options.formats}


def render_target(target: Target, options: BuildOptions) -> SpecResult:
    """Load, compile, render and write one spec; errors are returned, not raised."""
    from .api import load
    from .compiler import compile_vegalite
    from .export import render, write_all_atomic
    from .themes import with_build_theme

    started = time.perf_counter()
    try:
        spec = load(target.spec, root=target.root)                   # YAML -> validated model + data
        spec = with_build_theme(spec, options.theme)                  # --theme, unless the spec names one
        inputs = tuple(str(p.resolve()) for p in spec.inputs)
        # hashed now: a file saved while the chart renders must not pass for rendered
        key = input_key(list(inputs), _fingerprint(target, options)) if options.render else None
        vl = compile_vegalite(spec)                                  # pure: spec -> Vega-Lite
        if not options.render:  # validated and compiled: what only the compiler can refuse is reported too
            return SpecResult(target, "valid", (), inputs, None, time.perf_counter() - started)
        paths = output_paths(target, options)
        page = _page_context(target, vl, options, paths)
        rendered = render(vl, options.formats, scale=options.scale, page=page)  # every format, in memory
        write_all_atomic({path: rendered[fmt] for fmt, path in paths.items()})  # all formats or none
        return SpecResult(target, "built", tuple(paths.values()), inputs, None, time.perf_counter() - started, key)
    except ChartspecError as err:
        if any(d.file is None for d in err.diagnostics):  # render and write errors: say which spec
            err = type(err)([d if d.file else replace(d, file=target.shown) for d in err.diagnostics])
        return SpecResult(target, "failed", error=err, seconds=time.perf_counter() - started)


def _collisions(targets: list[Target], options: BuildOptions) -> dict[Path, SpecResult]:
    """Specs whose outputs would overwrite each other fail before anything is written."""
    by_stem: dict[Path, list[Target]] = defaultdict(list)
    for t in targets:
        by_stem[t.stem].append(t)
    failed: dict[Path, SpecResult] = {}
    for stem, group in by_stem.items():
        if len(group) < 2:
            continue
        names = ", ".join(t.shown for t in group)
        for t in group:
            failed[t.spec] = SpecResult(t, error=UsageError(Diagnostic(
                f"output {display_path(options.out / stem)}.* would be written by several specs: {names}",
                file=t.shown, hint="rename one of the specs or build them into different output folders")))
    return failed


def _fingerprint(target: Target, options: BuildOptions) -> str:
    html = f"{options.html_bundle}:{int(options.fallback)}" if set(options.formats) & set(PAGE_FORMATS) else ""
    # the build theme's name counts here; a theme file's bytes count as an input of each spec
    return fingerprint(target.stem.as_posix(), options.formats, options.scale, html, theme=options.theme)


def _page_context(target: Target, vl: dict, options: BuildOptions, paths: dict[str, Path]) -> PageContext:
    from .export import chart_id, chart_label, chart_title

    page_dir = next(iter(paths.values())).parent
    bundle = os.path.relpath(options.out / BUNDLE_DIR / bundle_filename(), page_dir)
    name = target.stem.as_posix()
    return PageContext(chart_id=chart_id(name), title=chart_title(vl, name), label=chart_label(vl, name),
                       bundle_href=Path(bundle).as_posix(),
                       options=HtmlOptions(bundle=options.html_bundle, fallback=options.fallback))


def write_shared_bundle(out: Path) -> Path:
    """Write the Vega bundle into ``OUT/_chartspec`` once (and drop bundles of older versions)."""
    from .export import write_atomic
    from .html import bundle_js

    folder = out / BUNDLE_DIR
    target = folder / bundle_filename()
    if target.exists():
        return target  # a no-op build must not start the renderer to make it again
    write_atomic(target, bundle_js().encode())
    for old in folder.glob("vega-bundle.*.js"):
        if old != target:
            old.unlink(missing_ok=True)
    return target


def build(paths: Sequence[str | Path], options: BuildOptions | None = None,
          on_result: Callable[[SpecResult], None] | None = None,
          on_start: Callable[[int], None] | None = None, pool: WorkerPool | None = None) -> BuildReport:
    """Build every spec found under ``paths``. Raises :class:`UsageError` for bad paths only.

    ``pool`` keeps warm worker processes between builds (see ``watch``); by default a build
    starts its own workers and stops them when it is done.
    """
    options = options or BuildOptions()
    started = time.perf_counter()
    report = BuildReport(rendered=options.render)

    def finish(result: SpecResult) -> None:
        report.results.append(result)
        if on_result:
            on_result(result)

    targets = discover(list(paths), options.out)                     # spec files -> output stems
    if not targets:
        raise UsageError(f"no spec files (*.yaml, *.yml, *.vl.json) found in {', '.join(map(str, paths))}")
    if on_start:
        on_start(len(targets))
    clashes = _collisions(targets, options)                          # two specs, one output: refuse
    for result in clashes.values():
        finish(result)
    targets = [t for t in targets if t.spec not in clashes]
    if not options.render:                                           # validate: no cache, no workers
        for target in targets:
            finish(render_target(target, options))
        report.seconds = time.perf_counter() - started
        return report

    manifest = Manifest.load(options.out)                            # what earlier builds wrote
    report.removed = manifest.remove_deleted_specs()                 # outputs of deleted specs
    todo = []
    for target in targets:                                           # unchanged inputs: nothing to do
        key = target.spec.resolve()
        if not options.force and manifest.up_to_date(key, _fingerprint(target, options)):
            finish(SpecResult(target, "up-to-date", outputs=tuple(output_paths(target, options).values())))
        else:
            todo.append(target)

    def done(result: SpecResult) -> None:
        key = result.target.spec.resolve()
        if result.ok:
            report.removed += manifest.record(key, list(result.inputs), list(result.outputs),
                                              _fingerprint(result.target, options), key=result.key)
        else:
            manifest.invalidate(key)
        finish(result)

    def cleanup(target: Target) -> None:
        remove_temp_files(output_paths(target, options).values())

    try:
        if options.jobs == 0 or not todo:
            for target in todo:
                done(render_target(target, options))
        elif pool is not None:
            pool.run(todo, options, done, cleanup)
        else:
            from .workers import run_in_workers

            run_in_workers(todo, render_target, options, options.jobs, done, cleanup)
    finally:
        if todo or report.removed:
            manifest.save()                                          # even after Ctrl-C: keep what was built
    pages = options.html_bundle == "shared" and set(options.formats) & set(PAGE_FORMATS)
    if pages and any(r.ok for r in report.results):
        write_shared_bundle(options.out)                             # once per build, not per page
    report.seconds = time.perf_counter() - started
    return report
