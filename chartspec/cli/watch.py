"""Rebuild on every save: watch the specs and the files they read, rebuild what changed.

The incremental build does the deciding (only specs whose inputs changed are rendered); this
module only waits for changes. It watches the given paths plus the folders of every input of
the last build, and never the output folder, so a build does not trigger itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..builder.options import BuildOptions, BuildReport
from ..builder.run import build
from ..errors import ChartspecError

if TYPE_CHECKING:
    from ..builder.workers import WorkerPool

__all__ = ["watch", "watched_roots"]

_IGNORED_PARTS = {".git", "__pycache__", ".venv", "node_modules", ".hypothesis", ".pytest_cache"}


def watched_roots(paths: Sequence[str | Path], report: BuildReport | None) -> list[Path]:
    """The smallest set of folders that holds the given paths and every input of ``report``, and
    the project's config file (chartspec.toml usually sits above the specs folder)."""
    from ..builder.config import find_config

    folders = {Path(p).resolve() if Path(p).is_dir() else Path(p).resolve().parent for p in paths}
    for result in report.results if report else ():
        folders |= {Path(name).parent for name in result.inputs}
        # a connection's config and files are keyed by stamps, not inputs: watched all the same
        folders |= {p.parent for f in result.fetched for p in (f.config, *f.files)}
    roots: list[Path] = []
    for folder in sorted(folders, key=lambda p: len(p.parts)):
        if folder.exists() and not any(folder.is_relative_to(r) for r in roots):
            roots.append(folder)
    config = find_config(Path(paths[0])) if paths and Path(paths[0]).exists() else None
    if config is not None and not any(config.resolve().is_relative_to(r) for r in roots):
        roots.append(config.resolve())  # the file alone: not every file of the project
    return roots


def _filter(out: Path) -> Callable[[object, str], bool]:
    out = out.resolve()

    def keep(change: object, name: str) -> bool:
        path = Path(name)
        if path.is_relative_to(out) or _IGNORED_PARTS & set(path.parts):
            return False
        return not path.name.startswith(".") or path.name == ".chartspec.toml"

    return keep


def watch(paths: Sequence[str | Path], options: BuildOptions, *,
          run: Callable[[WorkerPool | None], BuildReport | None] | None = None,
          on_error: Callable[[ChartspecError], None] | None = None,
          stop: threading.Event | None = None, debounce_ms: int = 200) -> None:
    """Build, then rebuild after every batch of changes until ``stop`` is set (or Ctrl-C).

    ``run(pool)`` does one build with the watch's warm worker pool (``None`` with ``jobs=0``).
    """
    import logging

    import watchfiles

    # its own "KeyboardInterrupt caught, stopping watch" would precede our one 'interrupted' line
    logging.getLogger("watchfiles.main").setLevel(logging.ERROR)

    from ..builder.target import render_target
    from ..builder.workers import WorkerPool

    def default_run(pool: WorkerPool | None) -> BuildReport | None:
        try:
            return build(list(paths), options, pool=pool)
        except ChartspecError as err:  # e.g. the folder was emptied: report, keep watching
            if on_error:
                on_error(err)
            return None

    run = run or default_run
    stop = stop or threading.Event()
    pool = WorkerPool(render_target, options.jobs, stop) if options.jobs else None
    try:
        report = run(pool)
        while not stop.is_set():
            roots = watched_roots(paths, report)
            for _changes in watchfiles.watch(*roots, watch_filter=_filter(options.out), debounce=debounce_ms,
                                             stop_event=stop, raise_interrupt=False):
                report = run(pool) or report
                if watched_roots(paths, report) != roots:
                    break  # inputs moved: watch the new set
            else:
                return
    finally:
        if pool is not None:
            pool.close()
