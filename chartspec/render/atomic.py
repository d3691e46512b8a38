"""All-or-nothing file writes: a temporary file beside the target, then an atomic rename.

A build killed at any moment leaves either the old file or the new one, never a partial file,
and the temporary names are recognisable so a later build can clean them up.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import ExportError


def _temp_file(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename."""
    write_all_atomic({path: data})


def write_all_atomic(files: dict[Path, bytes]) -> None:
    """Replace several files together: all of them, or (on any error) none of them.

    Every file is first written to a temporary name; existing files are kept as hard-linked
    backups until every rename has succeeded, and restored if one fails.
    """
    temps: dict[Path, Path] = {}
    backups: dict[Path, Path | None] = {}
    current = next(iter(files), None)
    try:
        for current, data in files.items():
            temps[current] = _temp_file(current, data)
        for current, tmp in temps.items():
            path = current
            backups[path] = None
            if path.exists():
                backup = tmp.with_name(tmp.name + ".old")
                os.link(path, backup)
                backups[path] = backup
            os.replace(tmp, path)
    except BaseException as err:
        for path, backup in backups.items():  # undo the renames already done
            try:
                if backup is not None:
                    os.replace(backup, path)
                elif not temps[path].exists():
                    path.unlink(missing_ok=True)
            except OSError:
                pass
        for tmp in temps.values():
            tmp.unlink(missing_ok=True)
        for backup in backups.values():
            if backup is not None:
                backup.unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise ExportError(f"cannot write {current}: {err.strerror}") from err
        raise
    for backup in backups.values():
        if backup is not None:
            backup.unlink(missing_ok=True)


#: the names :func:`_temp_file` gives (``tempfile.mkstemp``: 8 characters of ``[a-z0-9_]``), and
#: their hard-linked backups; nothing else is ever removed as a leftover
_TEMP_NAME = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp(?:\.old)?")


def remove_temp_files(paths: Iterable[Path], *, within: Path | None = None) -> list[Path]:
    """Remove temporary files a killed writer left next to ``paths`` (files it was writing);
    returns them. Each folder is listed once; only regular files named as :func:`_temp_file`
    names them for one of ``paths`` are removed, and (with ``within``) only inside that folder."""
    wanted: dict[Path, set[str]] = {}
    for path in paths:
        wanted.setdefault(path.parent, set()).add(path.name)
    limit = within.resolve() if within is not None else None
    removed: list[Path] = []
    for folder, names in wanted.items():
        try:
            if limit is not None and not folder.resolve().is_relative_to(limit):
                continue  # a symbolic link out of the output folder
            with os.scandir(folder) as listing:
                found = [e for e in listing if (m := _TEMP_NAME.fullmatch(e.name)) and m.group("name") in names
                         and e.is_file(follow_symlinks=False)]
        except (OSError, ValueError):
            continue  # no such folder (yet): nothing left over
        for entry in found:
            try:
                os.unlink(entry.path)
            except OSError:
                continue
            removed.append(Path(entry.path))
    return removed
