"""Building many specs: the steps of a build, in order.

A spec that fails is reported and skipped: it never stops the others and never leaves a
partial output (each spec is rendered in memory, then every file is written atomically).
"""

from __future__ import annotations

import os
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Diagnostic, UsageError, display_path
from ..render.formats import PAGE_FORMATS
from ..spec.files import path_argument
from ..spec.plain import PLAIN_SUFFIXES
from .cache import Manifest
from .discover import Target, discover
from .options import BuildOptions, BuildReport, SpecResult, output_paths
from .target import _fingerprint, render_target, write_shared_bundle

if TYPE_CHECKING:  # what only rendering needs is imported when a build renders: validate starts faster
    from .inprocess import InProcess
    from .workers import WorkerPool

__all__ = ["BuildOptions", "BuildReport", "SpecResult", "build", "render_target"]


def _fold(name: str) -> str:
    """A file name as case-insensitive file systems (macOS, Windows, many web hosts) compare it.

    Character by character, one character for one (as NTFS's upcase table and APFS do): a full
    casefold() would make ``straße`` and ``strasse`` one name, which no file system does.
    """
    folded = []
    for char in unicodedata.normalize("NFC", name):
        upper = char.upper()
        char = upper if len(upper) == 1 else char  # "ς" and "σ" are both "Σ"; "ß" stays
        lower = char.lower()
        folded.append(lower if len(lower) == 1 else char)
    return unicodedata.normalize("NFC", "".join(folded))


def _file_folder_clashes(targets: list[Target], options: BuildOptions, failed: dict[Path, SpecResult]) -> None:
    """One spec's output file is the folder another spec writes into (``a.yaml`` writes
    ``a.svg``, ``a.svg/b.yaml`` writes ``a.svg/b.svg``): neither can be written."""
    folders: dict[str, list[Target]] = defaultdict(list)
    files: list[tuple[Target, str, Path]] = []
    for t in targets:
        for fmt, path in output_paths(t, options).items():
            rel = path.relative_to(options.out)
            files.append((t, fmt, path))
            for parent in {_fold(p.as_posix()) for p in rel.parents if p.parts}:
                folders[parent].append(t)
    hint = "rename one of the specs or its folder, or build them into different output folders"
    for t, fmt, path in files:
        inside = [other for other in dict.fromkeys(folders.get(_fold(path.relative_to(options.out).as_posix()), []))
                  if other is not t]
        if not inside:
            continue
        message = (f"output {display_path(path)} would be a file for {t.shown} ({fmt}) and a folder for "
                   f"{', '.join(o.shown for o in inside)}: one path cannot be both")
        for spec in (t, *inside):
            failed.setdefault(spec.spec, SpecResult(spec, error=UsageError(Diagnostic(message, file=spec.shown,
                                                                                      hint=hint))))


def _collisions(targets: list[Target], options: BuildOptions) -> dict[Path, SpecResult]:
    """Specs whose outputs would overwrite each other fail before anything is written.

    Every output file of every spec counts, compared as case-insensitive file systems compare
    names: ``a.yaml`` and ``A.yml`` write ``a.*`` and ``A.*``, one file on macOS; ``x.yaml``'s
    fragment and ``x.fragment.yaml``'s page are both ``x.fragment.html``.
    """
    claims: dict[str, list[tuple[Target, str, Path]]] = defaultdict(list)
    for t in targets:
        for fmt, path in output_paths(t, options).items():
            claims[_fold(path.relative_to(options.out).as_posix())].append((t, fmt, path))
    failed: dict[Path, SpecResult] = {}
    for claim in claims.values():
        group = list(dict.fromkeys(t for t, _, _ in claim))
        if len(group) < 2 or all(t.spec in failed for t in group):
            continue
        stems = sorted({t.stem.as_posix() for t in group})
        if len({_fold(stem) for stem in stems}) == 1:  # the same name, maybe in another case
            shown = [f"{display_path(options.out / stem)}.*" for stem in stems]
            names = ", ".join(t.shown for t in group)
            hint = "rename one of the specs or build them into different output folders"
        else:  # one spec's output is another format of another spec's
            shown = sorted({display_path(path) for _, _, path in claim})
            names = ", ".join(f"{t.shown} ({fmt})" for t, fmt, _ in claim)
            hint = "rename one of the specs, or build the formats into different output folders"
        message = f"output {shown[0]}" if len(shown) == 1 else f"outputs {' and '.join(shown)}"
        message += f" would be written by several specs: {names}"
        if len(shown) > 1 and len({_fold(name) for name in shown}) == 1:
            message += " (names that differ only in case are one file on macOS, Windows and many web hosts)"
        for t in group:
            failed.setdefault(t.spec, SpecResult(t, error=UsageError(Diagnostic(message, file=t.shown, hint=hint))))
    _file_folder_clashes(targets, options, failed)
    _own_spec_clashes(targets, options, failed)
    return failed


def _own_spec_clashes(targets: list[Target], options: BuildOptions, failed: dict[Path, SpecResult]) -> None:
    """A spec an output would overwrite: ``x.vl.json`` built with ``-f json`` into its own folder
    replaced the hand-written spec (data URL and all) with its compiled copy, and later builds
    found no spec."""
    specs = {_fold(str(t.spec.resolve())): t.shown for t in targets}
    manifest: Manifest | None = None  # what earlier builds wrote, read if needed
    for t in targets:
        for fmt, path in output_paths(t, options).items():
            victim = specs.get(_fold(str(path.resolve())))
            if victim is None and path.name.lower().endswith(PLAIN_SUFFIXES) and path.is_file():
                # a Vega-Lite spec not in this build (-o into a folder of them, one spec named):
                # overwritten unless an earlier build wrote it and nobody changed it since
                manifest = manifest or Manifest.load(options.out)
                victim = None if manifest.wrote(path.relative_to(options.out).as_posix()) else display_path(path)
            if victim is not None and t.spec not in failed:
                failed[t.spec] = SpecResult(t, error=UsageError(Diagnostic(
                    f"its {fmt} output {display_path(path)} would overwrite the spec {victim}", file=t.shown,
                    hint="build into another folder (-o), or leave out the json format")))


def _render(targets: list[Target], options: BuildOptions, manifest: Manifest, here: InProcess,
            pool: WorkerPool | None, report: BuildReport, finish: Callable[[SpecResult], None],
            cleanup: Callable[[Target], None]) -> None:
    """Render the targets whose inputs changed (here, in the pool, or in workers of their own),
    recording each in the manifest as it finishes."""
    from ..render.atomic import remove_temp_files
    from .inprocess import renders_here

    # outputs this build writes are never "stale", whatever spec the manifest had them from
    planned = [path for t in targets for path in output_paths(t, options).values()]
    # a build killed outright (kill -9) leaves temporary files no ``finally`` removed: those of
    # every output this build may write, of every output the manifest knows, and of the manifest
    known = [options.out / rel for entry in manifest.entries.values() for rel in entry.outputs]
    remove_temp_files([*planned, *known, manifest.path], within=options.out)
    report.removed = manifest.remove_deleted_specs(keep=planned)     # outputs of deleted specs
    todo = []
    for target in targets:                                           # unchanged inputs: nothing to do
        if not options.force and manifest.up_to_date(target.spec, partial(_fingerprint, target, options),
                                                     refresh=options.refresh):
            finish(SpecResult(target, "up-to-date", outputs=tuple(output_paths(target, options).values()),
                              notes=manifest.notes(target.spec),  # a cached spec still tells its notes
                              fetched=manifest.fetched(target.spec)))
        else:
            todo.append(target)

    def done(result: SpecResult) -> None:
        if result.ok:
            report.removed += manifest.record(result.target.spec, list(result.inputs), list(result.outputs),
                                              _fingerprint(result.target, options), key=result.key,
                                              notes=result.notes, fetched=result.fetched)
        else:
            manifest.invalidate(result.target.spec)
        manifest.checkpoint()                                        # a killed build keeps what it built
        finish(result)

    if not (todo and renders_here(options, len(todo), pool)):
        here.release()                                               # started early for nothing: stop it
    try:
        if not todo:
            pass
        elif renders_here(options, len(todo), pool):
            here.start_engine()
            for target in todo:
                done(here.render(target, last=target is todo[-1]))
        elif pool is not None:
            pool.run(todo, options, done, cleanup)
        else:
            from .workers import run_in_workers

            run_in_workers(todo, render_target, options, options.jobs, done, cleanup)
    finally:
        manifest.save_if_changed()                                   # even after Ctrl-C: keep what was built


def build(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], options: BuildOptions | None = None,
          on_result: Callable[[SpecResult], None] | None = None,
          on_start: Callable[[int], None] | None = None, pool: WorkerPool | None = None,
          keep_engine: bool = True) -> BuildReport:
    """Build every spec found under ``paths``. Raises :class:`UsageError` for bad paths only: a
    spec that fails is in the report (``report.ok``; ``report.raise_for_errors()`` raises).

    ``pool`` keeps warm worker processes between builds (see ``watch``); by default a build
    starts its own workers and stops them when it is done. ``keep_engine=False`` (a one-shot
    build, the command line's): the renderer's process stops once the last chart is drawn.
    """
    if isinstance(paths, (str, os.PathLike)):  # one folder or file, not a sequence of characters
        paths = [paths]
    if not isinstance(paths, Iterable):
        raise TypeError(f"paths must be a folder or spec file path, or a list of them, not {type(paths).__name__}")
    paths = list(paths)
    for path in paths:
        path_argument(path, "each of chartspec.build(paths)", "a folder or spec file path")
    if options is not None and not isinstance(options, BuildOptions):
        raise TypeError(f"options must be a chartspec.BuildOptions, not {type(options).__name__}"
                        + (" (write chartspec.BuildOptions(**options))" if isinstance(options, dict) else ""))
    options = options or BuildOptions()
    started = time.perf_counter()
    report = BuildReport(rendered=options.render)

    def finish(result: SpecResult) -> None:
        report.results.append(result)
        if on_result:
            on_result(result)

    targets = discover(list(paths), options.out, include=options.include, exclude=options.exclude,
                       notes=report.notes, themes=(options.theme, options.dark_theme))  # spec files -> output stems
    if not targets:
        skipped = f"; skipped, as not chart specs: {', '.join(n.file or '' for n in report.notes[:5])}" if report.notes else ""
        folders = ', '.join(map(str, paths))
        globs = [f"{k} {list(v)}" for k, v in (("include", options.include), ("exclude", options.exclude)) if v]
        hint = (f"{' and '.join(globs)} left out every file: globs are relative to the folder being built ({folders}), "
                "e.g. '**/*.yaml'") if globs else None  # 'specs/**' from 'build specs' matches nothing
        raise UsageError(f"no spec files (*.yaml, *.yml, *.vl.json) found in {folders}{skipped}", hint=hint)
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

    from ..render.atomic import remove_temp_files
    from .cache import Manifest
    from .inprocess import InProcess, renders_here

    def cleanup(target: Target) -> None:
        remove_temp_files(output_paths(target, options).values())

    manifest = Manifest.load(options.out)                            # what earlier builds wrote
    here = InProcess(options, keep_engine)                           # inprocess.py: Vega in a process of its own
    if not manifest.entries and renders_here(options, len(targets), pool):
        here.start_engine()                                          # a fresh folder renders it all: start now
    _render(targets, options, manifest, here, pool, report, finish, cleanup)
    pages = options.html_bundle == "shared" and set(options.formats) & set(PAGE_FORMATS)
    if pages and any(r.ok for r in report.results):
        write_shared_bundle(options.out)                             # once per build, not per page
    report.seconds = time.perf_counter() - started
    return report
