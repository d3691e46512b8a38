"""Project configuration: ``chartspec.toml``, or ``[tool.chartspec]`` in ``pyproject.toml``.

    # chartspec.toml
    out = "site/charts"
    formats = ["svg", "png"]
    scale = 2
    jobs = 2
    timeout = 120

Command-line options override these. Unknown keys and wrong types are positioned errors,
like errors in specs.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..data.connections import check_connections
from ..errors import Diagnostic, SpecValidationError, UsageError, display_path
from ..render.formats import FORMATS
from ..spec.suggest import did_you_mean
from ..spec.themes import build_theme_value, resolve_theme

__all__ = ["CONFIG_KEYS", "ProjectConfig", "find_config", "load_config"]

#: key -> (accepted Python types, description); the description feeds `chartspec init` and errors
CONFIG_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "out": ((str,), "output folder, relative to this file"),
    "formats": ((list, str), "output formats: html, svg, png, pdf, json"),
    "scale": ((int, float), "PNG scale factor (the PNG declares 72 x scale ppi)"),
    "ppi": ((int, float), "print resolution of PNGs: renders at ppi/72 scale and declares it (instead of scale)"),
    "jobs": ((int,), "worker processes (0 renders in the chartspec process itself)"),
    "timeout": ((int, float), "seconds one spec may take to render before it is stopped"),
    "html_bundle": ((str,), "where HTML loads Vega from: shared, inline or cdn"),
    "fallback": ((bool,), "pre-rendered SVG inside HTML outputs"),
    "theme": ((str,), "theme of specs that name none: a Vega theme name or a theme file relative to this file"),
    "dark_theme": ((str,), "theme of those charts on a dark page (HTML outputs, docs sites): default chartspec-dark "
                           "when theme is chartspec or unset, else theme itself"),
    "include": ((list, str), "globs of the files a folder build takes, relative to the folder (default: every spec)"),
    "exclude": ((list, str), "globs of files and folders a folder build leaves out, e.g. [\"drafts/**\"]"),
    "connections": ((dict,), "databases and clusters specs read with data: {connection: NAME, table|sql: ...}: "
                             "[connections.NAME] with backend = \"duckdb\" (path), \"pyspark\" (master, conf) or \"postgres\" (host, ...), "
                             "refresh = \"1h\" to fetch again; secrets only as ${ENV_VAR}"),
}


@dataclass(frozen=True)
class ProjectConfig:
    """Settings from a config file; ``None`` means "not set here"."""

    file: Path | None = None
    out: Path | None = None
    formats: tuple[str, ...] | None = None
    scale: float | None = None
    ppi: float | None = None
    jobs: int | None = None
    timeout: float | None = None
    html_bundle: str | None = None
    fallback: bool | None = None
    theme: str | None = None
    dark_theme: str | None = None
    include: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None


def find_config(start: Path) -> Path | None:
    """The nearest ``chartspec.toml``, or ``pyproject.toml`` with ``[tool.chartspec]``, at or above ``start``."""
    start = start.resolve()
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.parents):
        if (candidate / "chartspec.toml").is_file():
            return candidate / "chartspec.toml"
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and re.search(r"^\[tool\.chartspec\]", pyproject.read_text(errors="replace"), re.M):
            return pyproject
    return None


def _key_position(text: str, table: str | None, key: str) -> tuple[int, int]:
    """Line and column of ``key = ...`` inside ``[table]`` (or the top level)."""
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        header = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            current = header.group(1).strip()
            continue
        match = re.match(rf"^(\s*)[\"']?{re.escape(key)}[\"']?\s*=", line)
        if match and current == table:
            return number, len(match.group(1)) + 1
    return (1, 1) if table is None else (0, 0)


def load_config(path: Path) -> ProjectConfig:
    """Read and check one config file."""
    shown = display_path(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        where = re.search(r"line (\d+), column (\d+)", str(err))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (0, 0)
        raise SpecValidationError(Diagnostic(f"invalid TOML: {str(err).split(' (at')[0]}", file=shown,
                                             line=line, column=column)) from None
    table: str | None = None
    section: Any = document
    if path.name == "pyproject.toml":
        table = "tool.chartspec"
        section = document.get("tool", {}).get("chartspec", {})
    problems: list[Diagnostic] = []
    values: dict[str, Any] = {}
    for key, value in section.items():
        line, column = _key_position(text, table, key)
        if key not in CONFIG_KEYS:
            problems.append(Diagnostic(f"unknown config key {key!r}", file=shown, line=line, column=column,
                                       path=(key,), hint=did_you_mean(key, CONFIG_KEYS, what="a key")))
            continue
        types, what = CONFIG_KEYS[key]
        if (isinstance(value, bool) and bool not in types) or not isinstance(value, types):
            problems.append(Diagnostic(f"config key {key!r} must be {' or '.join(t.__name__ for t in types)}",
                                       file=shown, line=line, column=column, path=(key,), hint=what))
            continue
        values[key] = value
    problems += _check_values(values, shown, text, table)
    if problems:
        raise SpecValidationError(problems)
    formats = values.get("formats")
    if isinstance(formats, str):
        formats = formats.split(",")
    return ProjectConfig(
        file=path,
        out=(path.parent / values["out"]) if "out" in values else None,
        formats=tuple(f.strip().lower() for f in formats) if formats is not None else None,
        scale=float(values["scale"]) if "scale" in values else None,
        ppi=float(values["ppi"]) if "ppi" in values else None,
        jobs=values.get("jobs"),
        timeout=float(values["timeout"]) if "timeout" in values else None,
        html_bundle=values.get("html_bundle"),
        fallback=values.get("fallback"),
        theme=build_theme_value(values["theme"], path.parent) if "theme" in values else None,
        dark_theme=build_theme_value(values["dark_theme"], path.parent) if "dark_theme" in values else None,
        include=_globs(values["include"]) if "include" in values else None,
        exclude=_globs(values["exclude"]) if "exclude" in values else None,
    )


def _globs(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _check_values(values: dict[str, Any], shown: str, text: str, table: str | None) -> list[Diagnostic]:
    from .options import MAX_JOBS, MAX_TIMEOUT, SCALE_RANGE

    def at(key: str, message: str, hint: str | None = None) -> Diagnostic:
        line, column = _key_position(text, table, key)
        return Diagnostic(message, file=shown, line=line, column=column, path=(key,), hint=hint)

    out = []
    formats = values.get("formats")
    if formats is not None:
        items = formats.split(",") if isinstance(formats, str) else formats
        if not items:
            out.append(at("formats", "no output format given", f"choose from {', '.join(FORMATS)}"))
        for item in items:
            if not isinstance(item, str) or item.strip().lower() not in FORMATS:
                out.append(at("formats", f"unknown format {item!r}", did_you_mean(str(item), FORMATS)))
    low, high = SCALE_RANGE
    if "scale" in values and not low <= values["scale"] <= high:  # also refuses nan
        out.append(at("scale", f"scale must be between {low} and {high:g}"))
    if "ppi" in values and not low * 72 <= values["ppi"] <= high * 72:
        out.append(at("ppi", f"ppi must be between {low * 72:g} and {high * 72:g}"))
    elif "ppi" in values and "scale" in values:
        out.append(at("ppi", "give scale or ppi, not both", f"ppi {values['ppi']:g} is scale {values['ppi'] / 72:g}"))
    if "jobs" in values and not 0 <= values["jobs"] <= MAX_JOBS:
        out.append(at("jobs", f"jobs must be between 0 and {MAX_JOBS}"))
    for key in ("out", "theme", "dark_theme"):
        if isinstance(values.get(key), str) and "\0" in values[key]:
            out.append(at(key, f"{key} must not contain a NUL character (\\u0000)"))
            values.pop(key)  # not resolved as a theme below
    if isinstance(values.get("out"), str) and not _inside(Path(shown).parent, values["out"]):
        # as theme paths are: a config must not make a build replace files elsewhere (../www/index.html)
        out.append(at("out", f"out {values['out']!r} leads outside the project (the folder of {Path(shown).name})",
                      "write a folder inside the project, or give --out on the command line for one elsewhere"))
        values.pop("out")
    if "html_bundle" in values and values["html_bundle"] not in ("shared", "inline", "cdn"):
        out.append(at("html_bundle", f"unknown html_bundle {values['html_bundle']!r}",
                      did_you_mean(values["html_bundle"], ("shared", "inline", "cdn"))))
    for key in ("include", "exclude"):
        globs = values.get(key)
        if isinstance(globs, list) and not all(isinstance(g, str) and g.strip() for g in globs):
            out.append(at(key, f"{key} must be a list of globs (strings)", 'e.g. ["drafts/**", "**/*.draft.yaml"]'))
            values.pop(key)
    if "timeout" in values and not 0 < values["timeout"] <= MAX_TIMEOUT:  # also refuses nan and inf
        out.append(at("timeout", f"timeout must be more than 0 and at most {MAX_TIMEOUT:g} seconds"))
    if "connections" in values:  # checked here, opened only when a spec names one (data/connections.py)
        out += check_connections(values["connections"], shown, text)
    for key in ("theme", "dark_theme"):
        if key in values:
            try:
                resolve_theme(values[key], base=Path(shown).parent, root=Path(shown).parent, source=None, shown=shown)
            except SpecValidationError as err:
                out.append(at(key, err.first.message, err.first.hint))
    return out


def _inside(base: Path, given: str) -> bool:
    root = base.resolve()
    return (root / given).resolve().is_relative_to(root)


def _both(given: dict[str, Any]) -> float:
    raise UsageError("give --scale or --ppi, not both", hint=f"--ppi {given['ppi']:g} is --scale {given['ppi'] / 72:g}")


def resolve_options(paths: list[str], **given: Any) -> Any:
    """BuildOptions from defaults, then the project config, then explicit ``given`` values.

    ``given`` holds BuildOptions fields; ``None`` values mean "not given on the command line".
    """
    from dataclasses import replace

    from .options import BuildOptions, parse_formats, ppi_scale

    options = BuildOptions()
    found = find_config(Path(paths[0])) if paths and Path(paths[0]).exists() else None
    if found is not None:
        config = load_config(found)
        from_file = {"out": config.out, "formats": config.formats and parse_formats(config.formats),
                     "scale": config.scale if config.ppi is None else config.ppi / 72, "jobs": config.jobs, "timeout": config.timeout,
                     "html_bundle": config.html_bundle, "fallback": config.fallback, "theme": config.theme,
                     "dark_theme": config.dark_theme, "include": config.include, "exclude": config.exclude}
        options = replace(options, **{k: v for k, v in from_file.items() if v is not None})
    for key in ("theme", "dark_theme"):  # --theme, --dark-theme: a file is relative to the working folder
        if given.get(key) is not None:
            given = {**given, key: build_theme_value(given[key], Path.cwd())}
    if given.get("ppi") is not None:  # --ppi is a scale (options.py); with --scale too, a usage error
        given = {**given, "scale": ppi_scale(given["ppi"]) if given.get("scale") in (None, given["ppi"] / 72)
                 else _both(given)}
    given.pop("ppi", None)
    for key in ("include", "exclude"):  # the command line's globs add to the file's
        given[key] = (*getattr(options, key), *given[key]) if given.get(key) else None
    options = replace(options, **{k: v for k, v in given.items() if v is not None})
    for key, flag in (("theme", "--theme"), ("dark_theme", "--dark-theme")):
        if getattr(options, key) is not None:
            try:
                resolve_theme(getattr(options, key), base=Path.cwd(), root=None, source=None, shown=flag)
            except SpecValidationError as err:
                raise UsageError(err.diagnostics) from None
    return options
