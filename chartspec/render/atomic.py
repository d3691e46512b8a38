"""All-or-nothing file writes: a temporary file beside the target, then an atomic rename.

A build killed at any moment leaves either the old file or the new one, never a partial file,
and the temporary names are recognisable so a later build can clean them up.
"""

from __future__ import annotations

import os
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


def remove_temp_files(paths: Iterable[Path]) -> None:
    """Remove temporary files a killed writer left next to ``paths``."""
    for path in paths:
        if path.parent.is_dir():
            for tmp in path.parent.glob(f".{path.name}.*.tmp*"):
                tmp.unlink(missing_ok=True)
