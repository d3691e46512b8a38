"""The engines' scratch files in the temporary folder, and their removal however a process ends.

The engines keep files there: the renderer its console (``chartspec-engine-<pid>-*.log``,
render/engine.py), DuckDB its spill folder (``chartspec-engine-<pid>-spill-*``, data/engine.py) and
Spark's JVM its console (``chartspec-engine-<pid>-spark-*.log``, data/sparkconsole.py).
Both names carry the owner's pid, so that whoever outlives a process can remove them:

- the process itself, when it exits normally (``atexit``, registered by the engines);
- the build that started it, once it knows the process is gone (killed for its time limit, crashed,
  stopped with the build): :func:`remove_files_of`;
- the next process that starts an engine, for owners that went without anyone left to clean up
  (a build killed with SIGKILL, whose workers the kernel then kills too): :func:`sweep` removes
  the files of every pid that no longer runs. Only files of this user are touched, and only those
  of this machine's pid space: a pid is told running or not by ``kill(pid, 0)``, which cannot see
  a process in another container sharing the folder, or on another host sharing it, so the name
  carries a token of the host and pid namespace after the pid, and other tokens are left alone.

Folders left by versions before the pid was in the name (``chartspec-engine-<random>``) are
removed by :func:`sweep` when empty and untouched for :data:`_LEGACY_AGE` seconds.
"""

from __future__ import annotations

import atexit
import os
import re
import time
from pathlib import Path

__all__ = ["PREFIX", "new_file", "new_folder", "own_prefix", "remove_files_of", "remove_folders", "sweep"]

PREFIX = "chartspec-engine-"
_OWNED = re.compile(rf"{PREFIX}(\d+)-(?:n([0-9a-f]{{8}})-)?")
#: an old-style spill folder (no pid) this long untouched and empty is a leftover
_LEGACY_AGE = 3600.0
_LEGACY = re.compile(rf"{PREFIX}[a-z0-9_]{{8}}$")
_swept: list[bool] = []
#: the folders this process made and has not removed yet
_folders: list[str] = []
_exit_hook: list[bool] = []
_space: list[str] = []


def _temp() -> Path:
    import tempfile  # here: tempfile brings shutil, bz2 and lzma (~10 ms of a start that never needs it)

    return Path(tempfile.gettempdir())


def new_folder(kind: str) -> str:
    """A new private folder ``chartspec-engine-<pid>-<kind>-*``, removed by :func:`remove_folders`
    or, whatever path the process took to its exit, when it exits normally."""
    import tempfile

    sweep()
    if not _exit_hook:
        _exit_hook.append(True)
        atexit.register(remove_folders)
    _folders.append(tempfile.mkdtemp(prefix=f"{own_prefix()}{kind}-"))
    return _folders[-1]


def new_file(kind: str, suffix: str) -> tuple[int, str]:
    """A new private file ``chartspec-engine-<pid>-<kind>-*<suffix>`` (its descriptor and path),
    removed when the process exits normally (the next :func:`sweep` otherwise)."""
    import tempfile

    sweep()
    fd, path = tempfile.mkstemp(prefix=f"{own_prefix()}{kind}-", suffix=suffix)
    atexit.register(_remove, Path(path))
    return fd, path


def remove_folders() -> bool:
    """Remove the folders :func:`new_folder` made; whether there were any."""
    made = bool(_folders)
    while _folders:
        _remove(Path(_folders.pop()))
    return made


def own_prefix() -> str:
    """The prefix of this process' scratch files (by pid and pid space: see the module's docstring)."""
    return f"{PREFIX}{os.getpid()}-n{pid_space()}-"


def pid_space() -> str:
    """8 hex digits naming this host and pid namespace: pids are told apart only within one."""
    if not _space:
        import hashlib
        import socket

        try:
            namespace = os.stat("/proc/self/ns/pid").st_ino
        except OSError:
            namespace = 0
        _space.append(hashlib.sha256(f"{socket.gethostname()}:{namespace}".encode()).hexdigest()[:8])
    return _space[0]


def _ours(path: Path) -> bool:
    try:
        return not hasattr(os, "getuid") or path.lstat().st_uid == os.getuid()
    except OSError:
        return False


def _remove(path: Path) -> None:
    import shutil  # here: shutil brings bz2 and lzma (a start that never sweeps need not pay it)

    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        pass


def remove_files_of(pid: int) -> None:
    """Remove the scratch files of process ``pid``, once it is gone (or is this process, exiting)."""
    for path in _temp().glob(f"{PREFIX}{pid}-*"):
        if _ours(path):
            _remove(path)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):  # another user's, or cannot tell: leave it
        return True
    return True


def sweep() -> None:
    """Remove what processes that no longer run left behind (once per process)."""
    if _swept:
        return
    _swept.append(True)
    folder = _temp()
    try:
        entries = list(folder.glob(f"{PREFIX}*"))
    except OSError:
        return
    now = time.time()
    for path in entries:
        owner = _OWNED.match(path.name)
        if owner is not None and owner.group(2) == pid_space():
            if not _running(int(owner.group(1))) and _ours(path):
                _remove(path)
        elif owner is None and _LEGACY.match(path.name) and _ours(path):
            try:
                if now - path.stat().st_mtime > _LEGACY_AGE:
                    os.rmdir(path)  # only when empty: a live old-style engine's spilled rows stay
            except OSError:
                pass
