"""When a chart read from a connection must be fetched again (the manifest's view, cache.py).

A connection's data is not a file the build can hash, so a chart from one is keyed by what can
be checked offline, without opening the connection:

- the connection's settings as written in the config (a digest, ``${ENV}`` unsubstituted, so no
  secret is hashed or stored; ``refresh`` left out);
- the size and modification time of the local files it reads (a DuckDB file, the Parquet files a
  local Spark shows as views): cheap, where hashing a database of gigabytes is not;
- the spec's bytes hold the table or query (the spec file is an input like any other).

And it is fetched again when ``refresh`` in its ``[connections.NAME]`` table has passed since the
time recorded (``at``, UTC), or on ``--refresh`` (``BuildOptions.refresh``): a Spark cluster's
tables change without any local file changing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..data.connections import Fetched, connection_settings

__all__ = ["connection_stamp", "expired", "fetched_from_stored", "fetched_to_stored", "well_formed_fetched"]


def connection_stamp(fetched: Iterable[Fetched], base: Path) -> str | None:
    """The part of a spec's key its connections give; None when a config or file is gone."""
    parts: list[Any] = []
    for item in sorted(fetched, key=lambda f: (f.connection, str(f.config))):
        settings = connection_settings(item.config, item.connection)
        if settings is None:
            return None
        parts.append([item.connection, _shown(item.config, base), settings[0]])
        for path in item.files:
            try:
                st = path.stat()
            except (OSError, ValueError):
                return None
            parts.append([_shown(path, base), st.st_size, st.st_mtime_ns])
    return json.dumps(parts) if parts else ""


def expired(fetched: Iterable[Fetched], now: datetime | None = None) -> bool:
    """Has the ``refresh`` period of a connection passed since its data was fetched?"""
    now = now or datetime.now(UTC)
    for item in fetched:
        settings = connection_settings(item.config, item.connection)
        period = settings[1] if settings else None
        if period is None:
            continue
        try:
            at = datetime.fromisoformat(item.at.replace("Z", "+00:00"))
        except ValueError:
            return True
        if (now - at).total_seconds() >= period:
            return True
    return False


def _shown(path: Path, base: Path) -> str:
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).as_posix()


def fetched_to_stored(fetched: Iterable[Fetched], base: Path) -> list[dict[str, Any]]:
    """As the manifest writes them: paths relative to the output folder ``base``."""
    return [{"connection": f.connection, "config": _shown(f.config, base), "at": f.at,
             "files": [_shown(p, base) for p in f.files]} for f in fetched]


def fetched_from_stored(stored: list[dict[str, Any]], base: Path) -> tuple[Fetched, ...]:
    def path(name: str) -> Path:
        return Path(os.path.normpath(base / name))

    return tuple(Fetched(s["connection"], path(s["config"]), s["at"], tuple(path(p) for p in s["files"]))
                 for s in stored)


def well_formed_fetched(stored: Any) -> bool:
    """Types as :func:`fetched_to_stored` writes them (a forged manifest is ignored)."""
    def name(value: Any) -> bool:
        return isinstance(value, str) and "\0" not in value

    return isinstance(stored, list) and all(
        isinstance(s, dict) and set(s) == {"connection", "config", "at", "files"}
        and all(name(s[k]) for k in ("connection", "config", "at"))
        and isinstance(s["files"], list) and all(name(p) for p in s["files"]) for s in stored)
