"""The command line: a thin layer that parses options, calls the library and reports.

Exit codes: 0 everything built (or validated), 1 at least one spec failed, 2 usage error,
130 interrupted (Ctrl-C, as shells report a program stopped by SIGINT).
"""

from __future__ import annotations

import math
import signal
import sys
from pathlib import Path
from typing import Any

import click

from ..builder.options import MAX_JOBS, MAX_TIMEOUT, SCALE_RANGE
from ..errors import ChartspecError
from ..render.formats import DEFAULT_FORMATS, FORMATS
from ..version import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def interrupted() -> None:
    """Ctrl-C: one line and 130, not click's "Aborted!" and 1 (which reads as "a spec failed");
    SIGTERM or SIGHUP: "terminated" and 128 + the signal, as a shell reports a program it ended."""
    from ..builder import stop

    stopped_by = stop.requested() or signal.SIGINT
    for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)  # a second signal must not interrupt the exit itself
    if stopped_by == signal.SIGINT:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    click.echo("terminated", err=True)
    sys.exit(128 + stopped_by)


class _Cli(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from .signals import install

        install()  # Ctrl-C, SIGTERM, SIGHUP: raised as KeyboardInterrupt, even during a query
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            interrupted()


class _FiniteRange(click.FloatRange):
    """A FloatRange that also refuses nan (which passes every comparison) and inf."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a number in the range {self._describe_range()}.", param, ctx)
        return number


class _SafePath(click.Path):
    """A path without NUL, which no file name can hold (it would crash the first file call)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if "\0" in str(value):
            self.fail("a path cannot contain a NUL character.", param, ctx)
        return super().convert(value, param, ctx)


_JOBS = click.IntRange(0, MAX_JOBS)


def _usage_error(err: ChartspecError) -> None:
    click.echo(err.format(context=True), err=True)
    sys.exit(EXIT_USAGE)


def _formats(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...] | None:
    """``-f svg,png`` and ``-f svg -f png`` alike (a repeated option adds to the list, never replaces it)."""
    from ..builder.options import parse_formats

    if not value:
        return None
    try:
        return parse_formats(",".join(value))
    except ChartspecError as err:
        raise click.BadParameter(err.first.message + (f" ({err.first.hint})" if err.first.hint else "")) from None


def run_build(paths: tuple[str, ...], *, json_output: bool = False, quiet: bool = False, verbose: bool = False,
              **given: Any) -> int:
    """Resolve options (defaults < config file < command line), build, report; returns the exit code."""
    from ..builder.config import resolve_options

    _one_volume(quiet, verbose)
    from ..builder.inprocess import start_early

    try:
        options = resolve_options(list(paths), **given)
    except ChartspecError as err:
        _usage_error(err)
    start_early(options)  # the renderer's engine starts while the rest of the pipeline is imported
    from ..builder.run import build
    from .report import choose_reporter

    reporter = choose_reporter(json_output=json_output, quiet=quiet, verbose=verbose)
    try:
        report = build(list(paths), options, on_result=reporter.result, on_start=reporter.start, keep_engine=False)
    except ChartspecError as err:
        _usage_error(err)
    reporter.finish(report)
    return EXIT_OK if report.ok else EXIT_FAILED


_paths = click.argument("paths", nargs=-1, required=True, type=_SafePath(path_type=str))
_out = click.option("-o", "--out", type=_SafePath(file_okay=False, path_type=Path), default=None,
                    help="Output folder; outputs mirror the specs' paths below it.  [default: build]")
_quiet = click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
_verbose = click.option("-v", "--verbose", is_flag=True, help="Also list up-to-date specs and removed files.")
_json = click.option("--json", "json_output", is_flag=True, help="Print a machine-readable JSON report.")
_include = click.option("--include", multiple=True, metavar="GLOB",
                        help="In folders, build only files matching GLOB (relative to the folder; ** spans folders); "
                             "may be repeated, adds to 'include' in chartspec.toml.")
_exclude = click.option("--exclude", multiple=True, metavar="GLOB",
                        help="In folders, leave out files and folders matching GLOB; may be repeated, adds to "
                             "'exclude' in chartspec.toml.")


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="chartspec")
def main() -> None:
    """chartspec: charts as code. YAML chart specs -> HTML, SVG, PNG, PDF.

    Options not given on the command line come from chartspec.toml or [tool.chartspec] in
    pyproject.toml (found next to or above the first PATH), then from the defaults.
    """


@main.command("build")
@_paths
@_out
@click.option("-f", "--format", "formats", callback=_formats, multiple=True,
              help=f"Comma-separated output formats: {', '.join(FORMATS)}; may be repeated.  "
                   f"[default: {','.join(DEFAULT_FORMATS)}]")
@click.option("--scale", type=_FiniteRange(*SCALE_RANGE), default=None,
              help="PNG scale factor; the PNG declares 72 x N ppi.  [default: 1]")
@click.option("--ppi", type=_FiniteRange(SCALE_RANGE[0] * 72, SCALE_RANGE[1] * 72), default=None,
              help="Print resolution: PNGs rendered at N/72 scale, declaring N pixels per inch (instead of --scale).")
@click.option("-j", "--jobs", type=_JOBS, default=None,
              help="Worker processes (0: render in this process).  [default: number of CPUs]")
@click.option("--timeout", type=_FiniteRange(min=0, max=MAX_TIMEOUT, min_open=True), default=None,
              help="Seconds one spec may take to render before it is stopped.  [default: 300]")
@click.option("--force", is_flag=True, default=None, help="Rebuild every spec, even if up to date.")
@click.option("--refresh", is_flag=True, default=None,
              help="Fetch the data of specs that read a connection again and rebuild them, even if up to date.")
@click.option("--html-bundle", type=click.Choice(["shared", "inline", "cdn"]), default=None,
              help="Where HTML outputs load Vega from: one shared file in OUT/_chartspec, inside each page, "
                   "or jsDelivr with pinned versions and SRI.  [default: shared]")
@click.option("--fallback/--no-fallback", default=None,
              help="Put the pre-rendered SVG in HTML outputs until scripts draw the chart.  [default: on]")
@click.option("--theme", default=None, metavar="NAME|FILE", type=_SafePath(path_type=str),
              help="Theme of specs that name none (a spec's own theme wins): a Vega theme such as dark or "
                   "fivethirtyeight, or a Vega-Lite config file.  [default: chartspec]")
@click.option("--dark-theme", default=None, metavar="NAME|FILE", type=_SafePath(path_type=str),
              help="Theme of those specs on a dark page (HTML follows the reader's light/dark scheme).  "
                   "[default: chartspec-dark under the chartspec theme, else --theme]")
@_include
@_exclude
@_quiet
@_verbose
@_json
def build_command(paths: tuple[str, ...], **options: Any) -> None:
    """Build chart specs (files, or folders searched for *.yaml / *.yml / *.vl.json).

    Only specs whose spec file, data files, options or chartspec version changed since the last
    build into the same folder are rendered again.
    """
    sys.exit(run_build(paths, **options))


@main.command("validate")
@_paths
@_include
@_exclude
@_quiet
@_verbose
@_json
def validate_command(paths: tuple[str, ...], **options: Any) -> None:
    """Check specs and their data without rendering or writing anything."""
    sys.exit(run_build(paths, render=False, **options))


def _watch_options(paths: tuple[str, ...], given: dict[str, Any]) -> Any:
    from ..builder.config import resolve_options

    try:
        return resolve_options(list(paths), **given)
    except ChartspecError as err:
        _usage_error(err)


def _one_volume(quiet: bool, verbose: bool) -> None:
    if quiet and verbose:
        raise click.UsageError("give -q/--quiet or -v/--verbose, not both")


def _reloaded(paths: tuple[str, ...], given: dict[str, Any]) -> Any:
    """The options as the config says now (watch reads it again on every change); None, after
    printing why, while it is broken: watching goes on until it is fixed."""
    from ..builder.config import resolve_options

    try:
        return resolve_options(list(paths), **given)
    except ChartspecError as err:
        click.echo(err.format(context=True), err=True)
        return None


def _build_callbacks(quiet: bool, verbose: bool) -> Any:
    from ..builder.run import build
    from .report import PlainReporter

    def run_once(paths: tuple[str, ...], options: Any, pool: Any) -> Any:
        if options is None:  # the config is broken: said so, nothing built
            return None
        reporter = PlainReporter(quiet=quiet, verbose=verbose)
        try:
            report = build(list(paths), options, on_result=reporter.result, pool=pool)
        except ChartspecError as err:
            click.echo(err.format(context=True), err=True)
            return None
        reporter.finish(report)
        return report

    return run_once


@main.command("watch")
@_paths
@_out
@click.option("-f", "--format", "formats", callback=_formats, multiple=True, help="Output formats, as for build.")
@click.option("-j", "--jobs", type=_JOBS, default=None, help="Worker processes, as for build.")
@_quiet
@_verbose
def watch_command(paths: tuple[str, ...], out: Path | None, formats: tuple[str, ...] | None, jobs: int | None,
                  quiet: bool, verbose: bool) -> None:
    """Build, then rebuild whatever changes on every save (Ctrl-C to stop).

    Errors are shown and watching goes on.
    """
    from .watch import watch

    _one_volume(quiet, verbose)
    given = {"out": out, "formats": formats, "jobs": jobs}
    options = _watch_options(paths, given)
    run_once = _build_callbacks(quiet, verbose)
    click.echo(f"watching {', '.join(paths)} (Ctrl-C to stop)", err=True)
    watch(paths, options, run=lambda pool: run_once(paths, _reloaded(paths, given), pool))
    interrupted()  # watching ends only on Ctrl-C (watchfiles takes it while waiting for changes)


@main.command("serve")
@_paths
@_out
@click.option("-p", "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("-j", "--jobs", type=_JOBS, default=None, help="Worker processes, as for build.")
@_quiet
def serve_command(paths: tuple[str, ...], out: Path | None, port: int, jobs: int | None, quiet: bool) -> None:
    """Preview every chart in the browser, live-reloading on every save.

    Serves on 127.0.0.1 only: an index of every chart (thumbnails, names, errors) and a page per
    chart that reloads itself when its spec or data changes.
    """
    from .report import PlainReporter
    from .serve import serve

    given = {"out": out, "jobs": jobs}
    options = _watch_options(paths, given)
    reporter = PlainReporter(quiet=quiet)
    try:
        serve(paths, options, port=port, on_result=reporter.result, reload=lambda: _reloaded(paths, given),
              on_ready=lambda url: click.echo(f"serving {url} (Ctrl-C to stop)", err=True))
    except OSError as err:
        click.echo(f"error: cannot serve on 127.0.0.1:{port}: {err.strerror}", err=True)
        sys.exit(EXIT_USAGE)


@main.command("init")
@click.argument("folder", default=".", type=_SafePath(file_okay=False, path_type=Path))
def init_command(folder: Path) -> None:
    """Create a starter project in FOLDER: config, an example spec with its data, the schema."""
    from ..errors import display_path
    from .scaffold import init_project

    try:
        written = init_project(folder)
    except ChartspecError as err:
        _usage_error(err)
    for path in written:
        click.echo(f"created {display_path(path)}")
    click.echo(f"next: cd {display_path(folder)} && chartspec build specs/")


@main.command("schema")
@click.option("--path", "path", is_flag=True, help="Print where the installed schema file is, for editor settings.")
def schema_command(path: bool) -> None:
    """Print the JSON Schema of the spec language (or, with --path, its file)."""
    from ..spec.schema import schema_path, schema_text

    click.echo(str(schema_path()) if path else schema_text(), nl=path)


if __name__ == "__main__":  # pragma: no cover
    main()
