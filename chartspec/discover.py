"""Finding spec files and deciding where their outputs go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Diagnostic, UsageError, display_path
from .project import find_project_root

__all__ = ["Target", "discover", "SPEC_SUFFIXES", "SKIPPED_DIRS"]

SPEC_SUFFIXES = (".yaml", ".yml")
# Folders that hold data, tooling or outputs rather than chart specs.
SKIPPED_DIRS = frozenset({"data", "node_modules", "__pycache__", "site-packages", "venv", ".venv"})


@dataclass(frozen=True)
class Target:
    """One spec to build and the stem of its outputs, relative to the output folder."""

    spec: Path
    stem: Path
    root: Path

    @property
    def shown(self) -> str:
        return display_path(self.spec)


def _skip_dir(path: Path, out: Path | None) -> bool:
    if path.name in SKIPPED_DIRS or path.name.startswith((".", "_")):
        return True
    if (path / "pyvenv.cfg").exists():
        return True
    return out is not None and path.resolve() == out


def _walk(folder: Path, out: Path | None) -> list[Path]:
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir():
            if not _skip_dir(entry, out):
                found += _walk(entry, out)
        elif entry.suffix.lower() in SPEC_SUFFIXES and not entry.name.startswith("."):
            found.append(entry)
    return found


def discover(paths: list[str | Path], out: Path | None = None) -> list[Target]:
    """Spec files under ``paths`` (files or folders, searched recursively), in a stable order."""
    if not paths:
        raise UsageError("no spec files or folders given")
    out_resolved = out.resolve() if out is not None else None
    targets: dict[Path, Target] = {}
    for given in map(Path, paths):
        if not given.exists():
            raise UsageError(Diagnostic(f"no such file or folder: {display_path(given)}", file=display_path(given)))
        if given.is_dir():
            for spec in _walk(given, out_resolved):
                root = find_project_root(spec.parent, fallback=given)
                targets.setdefault(spec.resolve(), Target(spec, spec.relative_to(given).with_suffix(""), root))
        else:
            root = find_project_root(given.parent, fallback=given.parent)
            targets.setdefault(given.resolve(), Target(given, Path(given.stem), root))
    return list(targets.values())
