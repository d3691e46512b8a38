"""The paths a ``files:`` pattern names, found without looking outside the project.

Python's ``glob`` lists whatever folder a pattern reaches: ``../../etc/pass*`` or ``link/*`` (a
symbolic link leading out) would match, or not, files outside the project, and a spec could tell
an existing file there from a missing one by the error it gets ("leads outside" against "no data
file matches", or a did-you-mean naming a neighbour). Here a pattern is expanded one part at a
time, and a folder is listed only once its real path is inside the project: a fixed part leading
out, or a matched name that is a link leading out, is the same error whether anything is there or
not (a link's target is a path, read without visiting it); under ``**`` such a link is passed by,
and one inside the project is followed, unless it leads back up (a loop).
Wildcards match hidden names only when the pattern's part starts with a dot, as in ``glob``.

One file reached by two paths (``runs/r2/sib`` a link to ``../r1``, which ``runs/**`` also lists)
is one file: :func:`one_per_file` keeps one path for it, so its rows are read and drawn once.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

__all__ = ["Outside", "match_inside", "one_per_file"]


class Outside(Exception):
    """The pattern leads outside the project: ``link`` says whether through a symbolic link."""

    def __init__(self, link: bool) -> None:
        super().__init__("outside the project")
        self.link = link


def match_inside(pattern: str, spec_dir: Path, root: Path, keep: Callable[[Path], bool]) -> list[str]:
    """The paths (relative to ``spec_dir``, POSIX) ``pattern`` matches that ``keep`` accepts; raises
    :class:`Outside` when a folder it would list, or a match, is outside ``root``."""
    real_root = root.resolve()
    parts = PurePosixPath(pattern.replace("\\", "/")).parts
    fixed = 0
    while fixed < len(parts) and not glob.has_magic(parts[fixed]):
        fixed += 1
    base = "/".join(parts[:fixed])
    if not _inside(spec_dir / base, real_root):  # the written prefix: decided before any look
        raise Outside(link=".." not in parts[:fixed])
    found = [base] if base else [""]
    for i, part in enumerate(parts[fixed:], start=fixed):
        last = i == len(parts) - 1
        found = [m for rel in found for m in _step(rel, part, spec_dir, real_root, last)]
    return sorted(m for m in found if m and keep(spec_dir / m))


def _step(rel: str, part: str, spec_dir: Path, real_root: Path, last: bool) -> list[str]:
    """The matches of one pattern ``part`` in the folder ``rel`` (inside the project)."""
    def join(name: str) -> str:
        return f"{rel}/{name}" if rel else name

    if not glob.has_magic(part):
        path = join(part)
        if not _inside(spec_dir / path, real_root):
            raise Outside(link=part != "..")
        return [path]
    if part == "**":
        return [rel, *_below(rel, spec_dir, real_root)] if not last else _below(rel, spec_dir, real_root)
    hidden = part.startswith(".")
    out = []
    for name in _names(spec_dir / rel if rel else spec_dir):
        if (hidden or not name.startswith(".")) and fnmatch.fnmatchcase(name, part):
            if not _inside(spec_dir / join(name), real_root):  # a link leading out, named by a wildcard
                raise Outside(link=True)
            out.append(join(name))
    return out


def _below(rel: str, spec_dir: Path, real_root: Path, chain: tuple[Path, ...] = ()) -> list[str]:
    """Every non-hidden path under the folder ``rel``, depth first. Links are followed while they
    stay inside the project (one leading out is passed by), but never into a folder that holds one
    of the folders they are reached from (``chain``, their real paths): a link to ``..`` looped
    until the paths grew too long, listing the same files 200 times."""
    folder = spec_dir / rel if rel else spec_dir
    chain = chain or tuple(r for r in (_real(folder),) if r is not None)
    out = []
    for name in _names(folder):
        path = f"{rel}/{name}" if rel else name
        if name.startswith(".") or not _inside(spec_dir / path, real_root):
            continue
        if (spec_dir / path).is_dir():
            real = _real(spec_dir / path)
            if real is None or any(above.is_relative_to(real) for above in chain):
                continue
            out.append(path)
            out.extend(_below(path, spec_dir, real_root, (*chain, real)))
        else:
            out.append(path)
    return out


def one_per_file(paths: Iterable[str], base: Path) -> list[str]:
    """``paths`` (relative to ``base``) with one path kept for each real file or folder, in their
    order: the one through the fewest symbolic links (the run's own folder, not a sibling's link to
    it), then the first by name. Two names for one file read its rows twice, as two runs."""
    paths = list(paths)
    chosen: dict[Path, str] = {}
    for rel in sorted(paths, key=lambda rel: (_links(base, rel), rel)):
        chosen.setdefault(_real(base / rel) or base / rel, rel)
    kept = set(chosen.values())
    return [rel for rel in paths if rel in kept]


def _links(base: Path, rel: str) -> int:
    """How many of the folders and the file ``rel`` names below ``base`` are symbolic links."""
    parts = PurePosixPath(rel).parts
    return sum((base.joinpath(*parts[:i])).is_symlink() for i in range(1, len(parts) + 1))


def _real(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a link loop
        return None


def _names(folder: Path) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return sorted(e.name for e in entries)
    except (OSError, ValueError):  # not a folder, or unreadable: matches nothing, as in glob
        return []


def _inside(path: Path, real_root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(real_root)
    except (OSError, RuntimeError):  # a link loop
        return False
