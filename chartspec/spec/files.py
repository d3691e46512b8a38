"""Reading a local file only when it is a regular file, so a named pipe, a device or a folder in
its place is a clear error instead of a hang (a FIFO) or an endless read (``/dev/zero``).

The file is opened without blocking and checked on the open descriptor, so swapping the file for
a pipe between a check and the read changes nothing.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["OUTSIDE_HINT", "FileTooLarge", "NotRegularFile", "kind_of", "not_a_file", "outside_message", "path_argument",
           "project_shown", "read_regular"]

OUTSIDE_HINT = "keep data inside the project folder (marked by chartspec.toml, pyproject.toml or .git)"


class NotRegularFile(OSError):
    """The path exists but is not a regular file; ``kind`` says what it is ("a named pipe")."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"is {kind}")
        self.kind = kind


class FileTooLarge(OSError):
    def __init__(self, size: int) -> None:
        super().__init__(f"{size:,} bytes")
        self.size = size


def path_argument(value: object, name: str, what: str = "a path") -> Path:
    """``value`` as a Path, for the Python API's path arguments. Raises :class:`TypeError` naming
    the argument for anything that is not ``str`` or path-like (as ``open(None)`` does, but saying
    which argument of which call)."""
    if isinstance(value, (str, os.PathLike)) and not isinstance(value, bytes):
        return Path(value)
    raise TypeError(f"{name} must be {what} (str or os.PathLike), not {type(value).__name__}")


def kind_of(mode: int) -> str | None:
    """What a file of ``mode`` is, for messages; ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def not_a_file(name: str, kind: str, what: str = "a file") -> str:
    """``data is a folder, not a data file`` / ``x is a named pipe, not a file``."""
    return f"{name} is {kind}, not {what if kind == 'a folder' else 'a file'}"


def project_shown(root: Path, base: Path) -> str:
    """The project folder as seen from ``base`` (``'..'``): where a path may go, without the
    machine's absolute path (a spec's author reads these messages, in a docs page or a CI log)."""
    try:
        return os.path.relpath(root.resolve(), base.resolve())
    except ValueError:  # another drive (Windows)
        return root.name


def outside_message(what: str, raw: str, root: Path, base: Path, link: bool = False) -> str:
    """``data path '../x.csv' leads outside the project (its folder is '..' relative to this file)``."""
    via = " through a symbolic link" if link else ""
    return f"{what} {raw!r} leads outside the project{via} (its folder is {project_shown(root, base)!r} relative to this file)"


def read_regular(path: str | Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file; :class:`NotRegularFile` for anything else, :class:`FileTooLarge`
    above ``limit`` bytes; other :class:`OSError` as ``open`` raises them."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        st = os.fstat(fd)
        kind = kind_of(st.st_mode)
        if kind is not None:
            raise NotRegularFile(kind)
        if limit is not None and st.st_size > limit:
            raise FileTooLarge(st.st_size)
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(-1 if limit is None else limit + 1)  # the file may grow after fstat
    finally:
        os.close(fd)
    if limit is not None and len(data) > limit:
        raise FileTooLarge(len(data))
    return data
