"""Applying a theme to a compiled chart: its config under what the spec says explicitly.

Precedence, lowest first: chartspec's style defaults < the theme < what the spec sets
explicitly (grid, background). Themes are resolved (named or read from a file) by
:mod:`chartspec.spec.themes`.
"""

from __future__ import annotations

from typing import Any

from ..data.loaded import Spec
from ..spec.source import SourceMap
from ..spec.themes import DEFAULT_THEME, Theme


def theme_palette(theme: Theme | None) -> tuple[str, ...] | None:
    """The theme's category colours (``range.category`` as a list), which the layers and runs of
    a chart take in order; None when it has none (a named scheme is Vega's to resolve, not ours)."""
    if theme is None:
        return None
    category = theme.config.get("range", {}).get("category") if isinstance(theme.config.get("range"), dict) else None
    if isinstance(category, list) and category and all(isinstance(c, str) for c in category):
        return tuple(category)
    return None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _explicit(source: SourceMap, *path: str | int) -> bool:
    return tuple(path) in source.values


#: Vega-Lite axis config key -> the spec's ``grid`` key that sets it
_GRID_KEYS = {"gridColor": "color", "gridDash": "dash", "gridWidth": "width"}


def apply_theme(vl: dict[str, Any], spec: Spec) -> dict[str, Any]:
    """``vl`` in the spec's theme. The default theme returns ``vl`` unchanged."""
    theme: Theme | None = getattr(spec, "theme", None)
    if theme is None or theme.name == DEFAULT_THEME:
        return vl
    config = vl.get("config", {})
    axis = dict(config.get("axis", {}))
    grid_explicit = _explicit(spec.source, "grid", "color")
    if not grid_explicit:
        axis.pop("gridColor", None)  # chartspec's grid colour is a default: the theme's wins
    merged = _merge({**config, "axis": axis}, theme.config)
    # What the spec says in so many words beats the theme.
    spec_grid = {key: config["axis"][key] for key, name in _GRID_KEYS.items()
                 if key in config.get("axis", {}) and _explicit(spec.source, "grid", name)}
    if "gridColor" in spec_grid and not _explicit(spec.source, "theme"):
        # the page's dark look (a build theme, not the spec's): a light grey drawn for a white page
        # keeps its contrast, mirrored onto the dark background; a colour with a hue is kept
        spec_grid["gridColor"] = grey_on(spec_grid["gridColor"], merged.get("background"))
    if spec_grid:
        merged["axis"] = {**merged.get("axis", {}), **spec_grid}
    out = dict(vl)
    out["config"] = merged
    if "background" in theme.config and not _explicit(spec.source, "background"):
        out.pop("background", None)  # the theme's background (config.background) applies
    background = out.get("background", merged.get("background", "white"))
    _restyle_legend_boxes(out, background)
    return out


#: CSS names of greys (the spec's colours are CSS colours; spec/colors.py)
_GREY_NAMES = {"white": 255, "whitesmoke": 245, "gainsboro": 220, "lightgray": 211, "lightgrey": 211, "silver": 192,
               "darkgray": 169, "darkgrey": 169, "gray": 128, "grey": 128}


def _grey_level(color: Any) -> int | None:
    """0-255 for a neutral grey (``#ddd``, ``#d9d9d9``, ``lightgray``), else None."""
    if not isinstance(color, str):
        return None
    text = color.strip().lower()
    if text in _GREY_NAMES:
        return _GREY_NAMES[text]
    if text.startswith("#") and len(text) in (4, 7):
        digits = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
        try:
            r, g, b = (int(digits[i:i + 2], 16) for i in (0, 2, 4))
        except ValueError:
            return None
        return round((r + g + b) / 3) if max(r, g, b) - min(r, g, b) <= 8 else None
    return None


def grey_on(color: Any, background: Any) -> Any:
    """``color``, a grey chosen for a white background, moved onto a dark ``background`` with the
    same difference in lightness (``#d9d9d9`` on ``#1e1e1e`` -> ``#444444``); anything else unchanged."""
    level, back = _grey_level(color), _grey_level(background)
    if level is None or back is None or back >= 128 or level < 128:
        return color
    shade = min(255, back + (255 - level))
    return f"#{shade:02x}{shade:02x}{shade:02x}"


def _restyle_legend_boxes(node: Any, background: str) -> None:
    """Legends inside the plot get chartspec's white box: paint it in the theme's background instead.
    Inline rows are data, not legends, and not walked (0.14 s of a dark page of 40,000 rows)."""
    if isinstance(node, dict):
        legend = node.get("legend")
        if isinstance(legend, dict) and legend.get("fillColor") == "white":
            legend["fillColor"] = background
        for key, value in node.items():
            if key not in ("data", "datasets"):
                _restyle_legend_boxes(value, background)
    elif isinstance(node, list):
        for item in node:
            _restyle_legend_boxes(item, background)
