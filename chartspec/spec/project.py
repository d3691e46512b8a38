"""Where a project starts: data paths must not leave it."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROJECT_MARKERS", "find_project_root"]

PROJECT_MARKERS = ("chartspec.toml", "pyproject.toml", ".git")


def find_project_root(start: Path, fallback: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding a project marker, else ``fallback``.

    ``fallback`` is the folder being built; without one, ``start`` itself.
    """
    start = start.resolve()
    for folder in (start, *start.parents):
        if any((folder / marker).exists() for marker in PROJECT_MARKERS):
            return folder
    return (fallback or start).resolve()
