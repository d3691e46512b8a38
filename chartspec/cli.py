"""The command line: a thin layer that parses options, calls the library and reports.

Exit codes: 0 everything built (or validated), 1 at least one spec failed, 2 usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .build import BuildOptions, BuildReport, SpecResult, build, parse_formats
from .errors import ChartspecError, display_path
from .export import DEFAULT_FORMATS, FORMATS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _report(result: SpecResult, *, quiet: bool) -> None:
    name = result.target.shown
    if result.error is not None:
        click.echo(result.error.format(context=True), err=True)
        return
    if quiet:
        return
    if result.outputs:
        first = display_path(result.outputs[0])
        stem = first[: -len(_suffix(result.outputs[0]))]
        exts = [_suffix(p).lstrip(".") for p in result.outputs]
        target = first if len(exts) == 1 else f"{stem}.{{{','.join(exts)}}}"
        click.echo(f"built {name} -> {target} ({result.seconds:.2f} s)")
    else:
        click.echo(f"ok {name}")


def _suffix(path: Path) -> str:
    return ".vl.json" if path.name.endswith(".vl.json") else path.suffix


def _summary(report: BuildReport, verb: str) -> None:
    failed = len(report.failed)
    done = len(report.results) - failed
    parts = [f"{done} {verb}"] + ([f"{failed} failed"] if failed else [])
    click.echo(f"{', '.join(parts)} in {report.seconds:.1f} s", err=bool(failed))


def _run(paths: tuple[str, ...], options: BuildOptions, *, quiet: bool, verb: str) -> None:
    try:
        report = build(list(paths), options, on_result=lambda r: _report(r, quiet=quiet))
    except ChartspecError as err:
        click.echo(err.format(), err=True)
        sys.exit(EXIT_USAGE)
    if not quiet or report.failed:
        _summary(report, verb)
    sys.exit(EXIT_OK if report.ok else EXIT_FAILED)


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    try:
        return parse_formats(value)
    except ChartspecError as err:
        raise click.BadParameter(err.first.message + (f" ({err.first.hint})" if err.first.hint else "")) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="chartspec")
def main() -> None:
    """chartspec: charts as code. YAML chart specs -> HTML, SVG, PNG, PDF."""


@main.command("build")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("build"),
              show_default=True, help="Output folder; outputs mirror the specs' paths below it.")
@click.option("-f", "--format", "formats", callback=_formats, default=",".join(DEFAULT_FORMATS),
              show_default=True, help=f"Comma-separated output formats: {', '.join(FORMATS)}.")
@click.option("--scale", type=click.FloatRange(0.1, 10), default=1.0, show_default=True,
              help="PNG scale factor (2 for high-DPI screens).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def build_command(paths: tuple[str, ...], out: Path, formats: tuple[str, ...], scale: float, quiet: bool) -> None:
    """Build chart specs (files, or folders searched for *.yaml / *.yml)."""
    _run(paths, BuildOptions(out=out, formats=formats, scale=scale), quiet=quiet, verb="built")


@main.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def validate_command(paths: tuple[str, ...], quiet: bool) -> None:
    """Check specs and their data without rendering."""
    _run(paths, BuildOptions(render=False), quiet=quiet, verb="valid")


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the spec language."""
    from .schema import schema_text

    click.echo(schema_text(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
