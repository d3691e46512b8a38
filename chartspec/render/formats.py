"""The output formats and their file suffixes: what the command line, the configuration and the
build need to know about formats without loading the renderer (kept light on purpose: ``chartspec
--help`` and option checks import only this)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

__all__ = ["DEFAULT_FORMATS", "FORMATS", "PAGE_FORMATS", "SUFFIXES", "BundleMode", "suffix_format"]


FORMATS = ("html", "svg", "png", "pdf", "json", "fragment")


DEFAULT_FORMATS = ("html", "svg", "png")


SUFFIXES = {"html": ".html", "svg": ".svg", "png": ".png", "pdf": ".pdf", "json": ".vl.json",
            "fragment": ".fragment.html"}


#: formats that are HTML documents and need a PageContext
PAGE_FORMATS = ("html", "fragment")


def suffix_format(path: Path) -> str:
    name = path.name.lower()
    for fmt, suffix in sorted(SUFFIXES.items(), key=lambda item: -len(item[1])):
        if name.endswith(suffix):
            return fmt
    return path.suffix.lstrip(".").lower()


BundleMode = Literal["shared", "inline", "cdn"]
