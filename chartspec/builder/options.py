"""What a build is asked to do and what it reports: :class:`BuildOptions` in, :class:`BuildReport` out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ChartspecError, Diagnostic, UsageError, display_path
from ..render.formats import DEFAULT_FORMATS, FORMATS, SUFFIXES, BundleMode
from ..spec.files import path_argument

if TYPE_CHECKING:  # the command line imports this module to start up: discovery waits until needed
    from .discover import Target

Status = Literal["built", "up-to-date", "valid", "failed"]

#: the allowed ranges of the numeric options (command line and chartspec.toml); a timeout past
#: a day (or inf) would overflow the waits on worker processes
SCALE_RANGE = (0.1, 10.0)
MAX_JOBS = 256
MAX_TIMEOUT = 86400.0


@dataclass(frozen=True)
class BuildOptions:
    """How to build. Vary with ``dataclasses.replace``. ``out`` and ``theme`` take a ``str`` or any
    path-like object, ``formats`` a comma-separated string or a sequence."""

    out: Path = Path("build")
    formats: tuple[str, ...] = DEFAULT_FORMATS
    #: PNG pixels per SVG pixel; the PNG declares 72 x scale pixels per inch
    scale: float = 1.0
    #: print resolution: renders PNGs at ppi/72 scale (so a 600 px wide chart is 600/72 in wide on
    #: paper at any ppi); sets ``scale``, so give one or the other
    ppi: float | None = None
    #: worker processes; 0: none, specs are built one by one in this process (Vega drawing in a
    #: helper process of its own, builder/renderer.py), as is a build with one spec to render
    jobs: int = field(default_factory=lambda: min(os.cpu_count() or 1, MAX_JOBS))
    #: seconds one spec may take to render before it is stopped
    timeout: float = 300.0
    force: bool = False
    #: fetch the data of specs that read a connection again (and rebuild them), even if up to date
    refresh: bool = False
    render: bool = True  # False: validate only, write nothing
    #: where HTML outputs load Vega from: one shared file in OUT, inside each page, or a CDN
    html_bundle: BundleMode = "shared"
    #: pre-rendered SVG inside HTML outputs, shown until (or unless) scripts draw the chart
    fallback: bool = True
    #: theme of specs that name none (spec/themes.py): a theme name or an absolute theme file path
    theme: str | None = None
    #: their theme on a dark page (HTML outputs): None: chartspec-dark under chartspec's look, else ``theme``
    dark_theme: str | None = None
    #: globs (relative to each folder built) of the files a folder search takes, and of those it leaves out
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # frozen: normalise through object.__setattr__, so that a script may write out="build"
        object.__setattr__(self, "out", path_argument(self.out, "BuildOptions(out)", "a folder path"))
        if self.ppi is not None:
            scale = ppi_scale(self.ppi)
            if self.scale not in (1.0, scale):
                raise UsageError("give scale or ppi, not both", hint=f"ppi {self.ppi:g} is scale {scale:g}")
            object.__setattr__(self, "scale", scale)
        if self.theme is not None:
            object.__setattr__(self, "theme", os.fspath(self.theme))
        for key in ("include", "exclude"):
            value = getattr(self, key)
            object.__setattr__(self, key, (value,) if isinstance(value, str) else tuple(value))
        if not isinstance(self.formats, tuple) or any(f not in FORMATS for f in self.formats):
            object.__setattr__(self, "formats", parse_formats(self.formats))
        _check_ranges(self)


def _check_ranges(options: BuildOptions) -> None:
    """The limits the command line and chartspec.toml enforce, for a script's options too (jobs=-1
    built with no workers, timeout=inf overflowed the waits, scale=nan failed every spec)."""
    jobs, scale, timeout = options.jobs, options.scale, options.timeout
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 0 <= jobs <= MAX_JOBS:
        raise UsageError(f"jobs must be between 0 and {MAX_JOBS}", hint="0 builds in this process, without workers")
    low, high = SCALE_RANGE
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not low <= scale <= high:  # also nan
        raise UsageError(f"scale must be between {low} and {high:g}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT:
        raise UsageError(f"timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds")


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
    #: what loading the spec noticed without failing it (severity "note"; data/steps.py, table.py)
    notes: tuple[Diagnostic, ...] = ()
    #: the connections the spec read and when (data.connections.Fetched): now, or at the build
    #: that made its up-to-date outputs
    fetched: tuple[Any, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None

    def __repr__(self) -> str:
        """``SpecResult(spec='specs/a.yaml', status='built', outputs=3)``; ``error``'s first line when failed."""
        error = f", error={self.error.first.message!r}" if self.error is not None and self.error.diagnostics else ""
        return (f"SpecResult(spec={display_path(self.target.spec)!r}, status={self.status!r}, outputs={len(self.outputs)}"
                f"{error})")


@dataclass
class BuildReport:
    results: list[SpecResult] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    rendered: bool = True  # False for a validate-only run
    #: what the build noticed about no one spec: files in the folders it skipped (builder/select.py)
    notes: list[Diagnostic] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def failed(self) -> list[SpecResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def raise_for_errors(self) -> BuildReport:
        """Raise a :class:`ChartspecError` listing every failed spec's diagnostics, if any failed;
        else return the report (``chartspec.build(...).raise_for_errors()`` in a script)."""
        if self.failed:
            errors = [r.error for r in self.failed if r.error is not None]
            raise ChartspecError([d for e in errors for d in e.diagnostics])
        return self

    def __repr__(self) -> str:
        """``BuildReport(built=3, failed=1, seconds=2.1)``: counts; ``str()`` adds the errors."""
        counts = "".join(f"{s.replace('-', '_')}={self.count(s)}, " for s in ("built", "up-to-date", "valid", "failed")
                         if self.count(s))
        return f"BuildReport({counts}seconds={self.seconds:.1f})"

    def __str__(self) -> str:
        """One summary line, then every failed spec's diagnostics (what a notebook shows)."""
        counts = ", ".join(f"{self.count(s)} {s}" for s in ("built", "up-to-date", "valid", "failed") if self.count(s))
        lines = [f"{counts or 'nothing built'} ({self.seconds:.1f} s)"]
        lines += [r.error.format() for r in self.failed if r.error is not None]
        return "\n".join(lines)


def ppi_scale(ppi: float) -> float:
    """The PNG scale of a print resolution: ``ppi / 72`` (72 ppi is scale 1)."""
    low, high = SCALE_RANGE
    if not low * 72 <= ppi <= high * 72:  # also refuses nan
        raise UsageError(f"ppi must be between {low * 72:g} and {high * 72:g}")
    return ppi / 72


def parse_formats(text: str | Sequence[str]) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else list(text)
    if odd := [f for f in items if not isinstance(f, str)]:
        raise UsageError(f"unknown format {odd[0]!r}", hint=f"choose from {', '.join(FORMATS)}")
    formats = tuple(dict.fromkeys(f.strip().lower() for f in items if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise UsageError(f"unknown format {unknown[0]!r}" if unknown else "no output format given",
                         hint=f"choose from {', '.join(FORMATS)}")
    return formats


def output_paths(target: Target, options: BuildOptions) -> dict[str, Path]:
    base = options.out / target.stem
    return {fmt: base.with_name(base.name + SUFFIXES[fmt]) for fmt in options.formats}
