"""Building many specs: discover, then load -> compile -> render -> write each one.

A spec that fails is reported and skipped; it never stops the others and never leaves a
partial output (everything is rendered in memory, then written atomically).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .api import load
from .compiler import compile_vegalite
from .discover import Target, discover
from .errors import ChartspecError, Diagnostic, UsageError, display_path
from .export import DEFAULT_FORMATS, FORMATS, SUFFIXES, render, write_atomic

__all__ = ["BuildOptions", "BuildReport", "SpecResult", "build", "parse_formats"]


@dataclass(frozen=True)
class BuildOptions:
    out: Path = Path("build")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    scale: float = 1.0
    render: bool = True  # False: validate only


@dataclass(frozen=True)
class SpecResult:
    target: Target
    outputs: tuple[Path, ...] = ()
    error: ChartspecError | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class BuildReport:
    results: list[SpecResult] = field(default_factory=list)
    seconds: float = 0.0

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


def build_one(target: Target, options: BuildOptions) -> SpecResult:
    """Load, compile, render and write one spec; errors are returned, not raised."""
    started = time.perf_counter()
    try:
        spec = load(target.spec, root=target.root)                 # YAML -> validated model + data
        written: tuple[Path, ...] = ()
        if options.render:
            vl = compile_vegalite(spec)                            # pure: spec -> Vega-Lite
            paths = output_paths(target, options)
            rendered = render(vl, options.formats, scale=options.scale)  # all in memory first
            for fmt, path in paths.items():
                write_atomic(path, rendered[fmt])                  # temp file + rename
            written = tuple(paths.values())
        return SpecResult(target, written, None, time.perf_counter() - started)
    except ChartspecError as err:
        return SpecResult(target, (), err, time.perf_counter() - started)


def _collisions(targets: list[Target], options: BuildOptions) -> dict[Path, ChartspecError]:
    """Specs whose outputs would overwrite each other fail before anything is written."""
    by_stem: dict[Path, list[Target]] = defaultdict(list)
    for t in targets:
        by_stem[t.stem].append(t)
    errors: dict[Path, ChartspecError] = {}
    for stem, group in by_stem.items():
        if len(group) < 2:
            continue
        names = ", ".join(t.shown for t in group)
        for t in group:
            errors[t.spec] = UsageError(Diagnostic(
                f"output {display_path(options.out / stem)}.* would be written by several specs: {names}",
                file=t.shown, hint="rename one of the specs or build them into different output folders"))
    return errors


def build(paths: Sequence[str | Path], options: BuildOptions = BuildOptions(),
          on_result: Callable[[SpecResult], None] | None = None) -> BuildReport:
    """Build every spec found under ``paths``. Raises :class:`UsageError` for bad paths only."""
    started = time.perf_counter()
    targets = discover(list(paths), options.out)
    if not targets:
        raise UsageError(f"no spec files (*.yaml, *.yml) found in {', '.join(map(str, paths))}")
    clashes = _collisions(targets, options)
    report = BuildReport()
    for target in targets:
        clash = clashes.get(target.spec)
        result = SpecResult(target, error=clash) if clash else build_one(target, options)
        report.results.append(result)
        if on_result:
            on_result(result)
    report.seconds = time.perf_counter() - started
    return report
