"""How a build tells the user what happened: plain lines, a progress bar, or JSON.

The only module besides the CLI that prints. Errors always go to stderr.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import IO, Any, Protocol

from ..builder.options import BuildReport, SpecResult
from ..errors import Diagnostic, display_path

__all__ = ["JsonReporter", "PlainReporter", "ProgressReporter", "Reporter", "choose_reporter", "summary"]


def say(text: str, stream: IO[str]) -> None:
    """Print a line; a reader that went away (``chartspec build | head``) must not stop the build.

    The stream's descriptor is pointed at the null device, so later lines and the interpreter's
    final flush go nowhere instead of raising (the recipe of Python's signal module docs, "Note on
    SIGPIPE"); the outputs are files, so the build goes on and its exit code still says how it went.
    """
    try:
        print(text, file=stream, flush=True)
    except OSError as err:
        if err.errno != errno.EPIPE:
            raise
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # not a real file (a test's StringIO): nothing to silence
            pass


class Reporter(Protocol):
    def start(self, total: int) -> None: ...
    def result(self, result: SpecResult) -> None: ...
    def finish(self, report: BuildReport) -> None: ...


def _suffix(path: Path) -> str:
    for double in (".vl.json", ".fragment.html"):
        if path.name.endswith(double):
            return double
    return path.suffix


def describe(result: SpecResult) -> str:
    name = result.target.shown
    if result.status == "valid":
        return f"ok {name}"
    if not result.outputs:
        return f"{result.status} {name}"
    first = display_path(result.outputs[0])
    exts = [_suffix(p).lstrip(".") for p in result.outputs]
    target = first if len(exts) == 1 else f"{first[: -len(_suffix(result.outputs[0]))]}.{{{','.join(exts)}}}"
    verb = "built" if result.status == "built" else "up to date"
    timing = f" ({result.seconds:.2f} s)" if result.status == "built" else ""
    return f"{verb} {name} -> {target}{timing}"


def format_notes(result: SpecResult) -> str:
    """A spec's notes as compilers print them (``file:line:col: note: ...`` and the excerpt)."""
    return "\n".join(d.format(context=True) for d in result.notes)


def summary(report: BuildReport) -> str:
    built, fresh, valid, failed = (report.count(s) for s in ("built", "up-to-date", "valid", "failed"))
    if not built and not failed and not valid and fresh:
        text = f"nothing to do: {fresh} up to date"
    else:
        parts = [f"{built} built"] if report.rendered else [f"{valid} valid"]
        parts += [f"{fresh} up to date"] if fresh else []
        parts += [f"{failed} failed"] if failed else []
        text = ", ".join(parts)
    if report.removed:
        text += f", {len(report.removed)} stale output(s) removed"
    return f"{text} in {report.seconds:.2f} s"


class PlainReporter:
    """One line per spec (for CI logs and pipes); ``quiet`` prints only errors."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False, out: IO[str] | None = None,
                 err: IO[str] | None = None) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.out, self.err = out or sys.stdout, err or sys.stderr

    def start(self, total: int) -> None:
        pass

    def result(self, result: SpecResult) -> None:
        if result.error is not None:
            say(result.error.format(context=True), self.err)
        elif not self.quiet and (result.status != "up-to-date" or self.verbose):
            say(describe(result), self.out)
        if result.notes and not self.quiet:  # after the spec's line: they tell about it
            say(format_notes(result), self.err)

    def finish(self, report: BuildReport) -> None:
        if report.notes and not self.quiet:  # files the folder search skipped
            say("\n".join(d.format() for d in report.notes), self.err)
        if self.verbose:
            for path in report.removed:
                say(f"removed {display_path(path)}", self.out)
        if not self.quiet or report.failed:
            say(summary(report), self.err if report.failed else self.out)


class ProgressReporter(PlainReporter):
    """A rich progress bar on a terminal; errors and built specs scroll above it."""

    def start(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True, highlight=False)
        self.progress = Progress(TextColumn("[bold]chartspec[/]"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=self.console, transient=True)
        self.task = self.progress.add_task("build", total=total)
        self.progress.start()

    def result(self, result: SpecResult) -> None:
        if result.error is not None:
            self.console.print(result.error.format(context=True), markup=False, style="red")
        elif not self.quiet and (result.status != "up-to-date" or self.verbose):
            self.console.print(describe(result), markup=False)
        if result.notes and not self.quiet:
            self.console.print(format_notes(result), markup=False, style="cyan")
        self.progress.advance(self.task)

    def finish(self, report: BuildReport) -> None:
        self.progress.stop()
        super().finish(report)


class JsonReporter:
    """A machine-readable report on stdout once the build is done."""

    def start(self, total: int) -> None:
        pass

    def result(self, result: SpecResult) -> None:
        pass

    def finish(self, report: BuildReport) -> None:
        say(json.dumps(report_dict(report), indent=2), sys.stdout)


def report_dict(report: BuildReport) -> dict[str, Any]:
    def entry(d: Diagnostic) -> dict[str, Any]:
        return {"file": d.file, "line": d.line, "column": d.column, "path": list(d.path), "severity": d.severity,
                "message": d.message, "hint": d.hint}

    def spec(r: SpecResult) -> dict[str, Any]:
        out = {"spec": r.target.shown, "status": r.status, "outputs": [display_path(p) for p in r.outputs],
               "seconds": round(r.seconds, 3), "errors": [entry(d) for d in (r.error.diagnostics if r.error else ())],
               "notes": [entry(d) for d in r.notes]}
        if r.fetched:  # a spec that read a connection: when its data was fetched (UTC), by connection
            out["fetched"] = {f.connection: f.at for f in r.fetched}
        return out

    return {
        "ok": report.ok,
        "seconds": round(report.seconds, 3),
        "counts": {s: report.count(s) for s in ("built", "up-to-date", "valid", "failed")},
        "specs": [spec(r) for r in sorted(report.results, key=lambda r: r.target.shown)],
        "removed": [display_path(p) for p in report.removed],
        "notes": [entry(d) for d in report.notes],
    }


def choose_reporter(*, json_output: bool, quiet: bool, verbose: bool) -> Reporter:
    if json_output:
        return JsonReporter()
    if sys.stderr.isatty() and not quiet:
        return ProgressReporter(quiet=quiet, verbose=verbose)
    return PlainReporter(quiet=quiet, verbose=verbose)
