"""Themes: a named Vega theme, chartspec's own look, or a project file holding a Vega-Lite config.

A theme is merged into the compiled spec's ``config`` (never handed to vega-embed), so the SVG,
PNG, PDF and HTML outputs all draw the same chart (:mod:`chartspec.compiler.themes`). A spec's
own ``theme:`` wins over the build's theme (``--theme`` / ``theme`` in chartspec.toml): the build
theme is the project's default look, a spec that names one asked for it.

``chartspec`` is the default theme: today's look, the reference chart byte for byte. This module
resolves a theme's name or file into a :class:`Theme`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Diagnostic, JsonPath, SpecValidationError, display_path
from .files import outside_message
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .model import ChartSpec
    from .source import SourceMap

__all__ = ["DARK_THEME", "DEFAULT_THEME", "Theme", "build_theme_value", "dark_theme_for",
           "resolve_theme", "spec_theme", "theme_names"]

DEFAULT_THEME = "chartspec"
#: chartspec's look on a dark page: what docs sites and HTML pages draw when the page is dark
DARK_THEME = "chartspec-dark"
_TEXT, _MUTED, _LINE = "#e6e6e6", "#c4c4c4", "#9a9a9a"
_DARK_CONFIG: dict[str, Any] = {
    "background": "#1e1e1e",
    "title": {"color": _TEXT, "subtitleColor": _MUTED},
    "style": {"guide-label": {"fill": _MUTED}, "guide-title": {"fill": _TEXT}},
    "axis": {"domainColor": _LINE, "tickColor": _LINE, "gridColor": "#3a3a3a",
             "labelColor": _MUTED, "titleColor": _TEXT},
    "legend": {"labelColor": _MUTED, "titleColor": _TEXT},
    "header": {"labelColor": _MUTED, "titleColor": _TEXT},
    "view": {"stroke": "#4a4a4a"},
    "text": {"color": _TEXT},
    # chartspec's category colours (CATEGORY10), each lighter so that it reads on the dark
    # background (at least 3:1) and keeps its hue: a series is the same colour in both looks
    "range": {"category": ["#5aa9e6", "#ffa347", "#5cc95c", "#ff6b6b", "#b593e0",
                           "#c49c94", "#f7a8dc", "#b0b0b0", "#dbdb50", "#4dd9e8"]},
}
THEME_SUFFIXES = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Theme:
    """A resolved theme: its name (or file as written), its Vega-Lite config, and the file it came from."""

    name: str
    config: dict[str, Any]
    file: Path | None = None


@cache
def _vega_themes() -> dict[str, dict[str, Any]]:
    import vl_convert as vlc  # ships the vega-themes package: offline, pinned with vl-convert

    from .vegalite_schema import config_keys

    # vega-themes also style raw Vega marks (group, path, shape, symbol), which a Vega-Lite config
    # does not describe: they are left out so the compiled spec stays valid Vega-Lite.
    known = config_keys()
    return {name: {k: v for k, v in config.items() if k in known} for name, config in vlc.get_themes().items()}


def theme_names() -> tuple[str, ...]:
    """Every named theme: chartspec's own first, then the Vega themes."""
    return (DEFAULT_THEME, DARK_THEME, *sorted(_vega_themes()))


def _is_file_name(value: str) -> bool:
    return value.lower().endswith(THEME_SUFFIXES) or "/" in value


def resolve_theme(value: str, *, base: Path, root: Path | None, source: SourceMap | None,
                  path: JsonPath = ("theme",), shown: str | None = None) -> Theme:
    """The theme ``value`` names; a file is read relative to ``base`` and must stay inside ``root``.

    Errors point at ``path`` in ``source`` (the spec) or, without a source, at the config ``shown``.
    """
    def fail(message: str, hint: str | None = None) -> SpecValidationError:
        if source is not None:
            return SpecValidationError(source.diagnostic(message, path, hint=hint))
        return SpecValidationError(Diagnostic(message, file=shown, hint=hint))

    if not _is_file_name(value):
        if value == DEFAULT_THEME:
            return Theme(value, {})
        if value == DARK_THEME:
            return Theme(value, copy.deepcopy(_DARK_CONFIG))
        if value in _vega_themes():
            return Theme(value, copy.deepcopy(_vega_themes()[value]))
        hint = did_you_mean(value, theme_names()) or (
            f"choose one of {', '.join(theme_names())}, or name a .json/.yaml file holding a Vega-Lite config")
        raise fail(f"unknown theme {value!r}", hint)
    file = Path(value)
    if file.is_absolute() and source is not None:
        raise fail(f"theme path {value!r} is absolute", "write the path relative to the spec file")
    resolved = (base / file).resolve()
    if root is not None and not resolved.is_relative_to(root.resolve()):
        raise fail(outside_message("theme path", value, root, base), "keep theme files inside the project folder")
    if not resolved.is_file():
        raise fail(f"theme file {value!r} not found")
    return Theme(value, _read_theme_file(resolved), resolved)


def _read_theme_file(file: Path) -> dict[str, Any]:
    """A theme file's config, checked against the Vega-Lite ``Config`` schema with positioned errors."""
    from .fonts import FONT_HINT, font_problems, strings_of
    from .jsonload import read_document
    from .vegalite_schema import config_errors

    doc = read_document(file.read_bytes(), display_path(file))  # .json as JSON, .yaml as YAML, with positions
    if not isinstance(doc.data, dict):
        raise SpecValidationError(doc.source.diagnostic("a theme file must hold a Vega-Lite config object", ()))
    problems = []
    for error in config_errors(doc.data):
        where = tuple(error.absolute_path)
        unknown = error.validator == "additionalProperties"
        message = error.message[:200]
        hint = None
        if unknown:
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            if extra:
                where += (extra[0],)
                message = f"unknown Vega-Lite config key {extra[0]!r}"
                hint = did_you_mean(extra[0], error.schema.get("properties", {}))
        problems.append(doc.source.diagnostic(f"invalid theme: {message}", where, key=unknown,
                                              hint=hint or "a theme is a Vega-Lite config object: "
                                                           "https://vega.github.io/vega-lite/docs/config.html"))
    problems += [doc.source.diagnostic(f"invalid theme: {message}", where, hint=FONT_HINT)
                 for where, message in font_problems(strings_of(doc.data))]
    if problems:
        raise SpecValidationError(sorted(problems, key=lambda d: (d.line, d.column)))
    return doc.data


def spec_theme(model: ChartSpec, spec_file: Path | None, root: Path | None,
               source: SourceMap) -> tuple[Theme | None, list[Diagnostic]]:
    """The theme a spec names (``None`` when it names none), or the diagnostics saying why not."""
    value = getattr(model, "theme", None)
    if value is None:
        return None, []
    base = spec_file.parent if spec_file is not None else Path.cwd()
    try:
        return resolve_theme(value, base=base, root=root or base, source=source), []
    except SpecValidationError as err:
        problems = list(err.diagnostics)
        if any(d.file != source.file for d in problems):  # errors inside the theme file: say which spec line
            problems.append(replace(source.diagnostic("theme file used here", ("theme",)), severity="note"))
        return None, problems


def dark_theme_for(light: str | None, dark: str | None) -> str | None:
    """The theme of a chart on a dark page, given the light one and the dark one configured (each
    ``None`` when not set); ``None`` when it is the light look (a page then has one look).

    Unset, the dark look of chartspec's own is ``chartspec-dark``; of any other theme, itself:
    ``theme = "dark"`` alone means every chart is dark."""
    if dark is None:
        dark = DARK_THEME if light in (None, DEFAULT_THEME) else light
    return None if dark == (light or DEFAULT_THEME) else dark


def build_theme_value(value: str, base: Path) -> str:
    """A build theme as the build keeps it: a name, or a file made absolute against ``base``."""
    return str((base / value).resolve()) if _is_file_name(value) else value


