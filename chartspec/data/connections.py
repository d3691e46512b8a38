"""Data from a database or a cluster: ``data: {connection: warehouse, table: metrics}`` (or ``sql:``).

Connections are defined in the project's ``chartspec.toml`` only, never in a spec::

    [connections.warehouse]
    backend = "duckdb"              # a DuckDB file inside the project, opened read-only
    path = "metrics.duckdb"         # relative to chartspec.toml

    [connections.cluster]
    backend = "pyspark"             # Spark: the M4 reduction runs there (spark.py)
    master = "local[2]"
    conf = {"spark.sql.shuffle.partitions" = "4"}

    [connections.db]
    backend = "postgres"            # PostgreSQL: the M4 reduction runs there (postgres.py, Ibis)
    host = "db.example.com"
    user = "charts"
    password = "${PGPASSWORD}"

Secrets come only from the environment: ``password = "${PGPASSWORD}"`` is replaced at the moment
the connection is opened, and every value so substituted is masked (``***``) in any message the
engine gives back, so credentials never reach outputs, errors, the manifest or ``--json``. A build
opens a connection only when a spec names it (offline by default). ``refresh = "1h"`` in any
connection's table: the build fetches its charts' data again once that much time has passed
(builder/freshness.py decides, from the settings' digest, file stamps and :class:`Fetched`).

What runs where: a DuckDB file is the engine itself, so the table or query becomes the engine's
relation and everything (filters, EMA, steps rules, M4) runs on it as on a large CSV. On Spark
the chart's filters and M4 run in Spark and only the picked rows come back; an EMA's rows are
streamed back and smoothed here (spark.py). On Postgres the M4 runs there too (postgres.py).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import DataError, Diagnostic, JsonPath
from ..spec.files import read_regular
from ..spec.model import DataSource
from ..spec.source import SourceMap
from ..spec.suggest import did_you_mean

__all__ = ["BACKENDS", "COMMON_OPTIONS", "Connection", "Fetched", "at_query_place", "check_connections", "connection_settings",
           "find_connection", "query_of", "query_path", "redact", "refresh_seconds", "settings_digest",
           "utc_now"]

#: backend -> its options and what they mean (documented in docs/databases.md)
BACKENDS: dict[str, dict[str, str]] = {
    "duckdb": {"path": "the DuckDB database file, relative to chartspec.toml, inside the project"},
    "pyspark": {"master": "Spark master URL, e.g. local[2] or spark://host:7077 (default local[2])",
                "app_name": "Spark application name (default chartspec)",
                "conf": "a table of Spark settings (spark.* keys), values may use ${ENV_VAR}",
                "tables": "a table of NAME = \"file.parquet\" (relative to chartspec.toml) shown to queries as views"},
    "postgres": {"host": "the server's host name or address, or a Unix socket folder (default localhost)",
                 "port": "the server's port (default 5432)",
                 "dbname": "the database (default postgres)",
                 "user": "the role to connect as (one with SELECT rights only is best)",
                 "password": "the role's password: only as \"${PGPASSWORD}\" (an environment variable)",
                 "sslmode": "libpq's sslmode: disable, prefer, require, verify-ca or verify-full",
                 "connect_timeout": "seconds to wait for the server before failing the spec (default 10)"},
}
#: options of every backend
COMMON_OPTIONS: dict[str, str] = {
    "refresh": "fetch the data again when this much time has passed since the last fetch: \"30s\", \"15m\", "
               "\"1h\" or \"2d\" (default: only when the spec, the query or the settings change, or on --refresh)",
}
_PERIOD = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_MAX_CONFIG_BYTES = 16 * 1024 * 1024
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Connection:
    """One ``[connections.NAME]`` table with its ``${ENV}`` values substituted."""

    name: str
    backend: str
    options: Mapping[str, Any]
    #: the folder of the config file (relative paths start there) and the file as shown in errors
    base: Path
    config: str
    #: substituted environment values: masked in every message
    secrets: tuple[str, ...] = ()
    #: a hash of the settings as written (no secret values)
    digest: str = ""
    #: the config file itself: an input of the incremental build, so changed settings rebuild
    config_path: Path | None = None


@dataclass(frozen=True)
class Fetched:
    """A connection a spec read, as the build's manifest records it (builder/cache.py): the
    settings are keyed by :func:`connection_settings`, ``files`` (a DuckDB file, Parquet files a
    local Spark reads) by size and time; ``at`` says when the data was fetched (UTC)."""

    connection: str
    config: Path
    at: str
    files: tuple[Path, ...] = ()


def utc_now() -> str:
    """Now, in UTC, as ISO 8601 to the second (``2026-12-01T02:31:09Z``)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def refresh_seconds(value: Any) -> float | None:
    """``"1h"`` -> 3600.0; None for anything else (check_connections reports it)."""
    match = _PERIOD.match(value) if isinstance(value, str) else None
    return float(match.group(1)) * _SECONDS[match.group(2)] if match else None


def _config_file(spec_dir: Path, root: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest chartspec.toml (or pyproject.toml with [tool.chartspec]) from the spec up to ``root``."""
    for folder in (spec_dir, *spec_dir.parents):
        for name in ("chartspec.toml", "pyproject.toml"):
            path = folder / name
            if not path.is_file():
                continue
            try:
                document = tomllib.loads(path.read_text(encoding="utf-8", errors="replace"))
            except tomllib.TOMLDecodeError:
                continue  # reported by the build's config check
            section = document if name == "chartspec.toml" else document.get("tool", {}).get("chartspec")
            if isinstance(section, dict):
                return path, section
        if folder == root:
            break
    return None


def _position(text: str, name: str) -> tuple[int, int]:
    """Line and column of ``[connections.NAME]`` in a config file's text (1, 1 if not found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"^\s*\[(tool\.chartspec\.)?connections\.[\"']?{re.escape(name)}[\"']?\]", line):
            return number, 1
    return 1, 1


def _key_position(text: str, name: str, key: str) -> tuple[int, int]:
    """Line and column of ``key = ...`` inside ``[connections.NAME]`` (the table's line if not
    found there: a key written in an inline table, or the table in another form)."""
    start, _ = _position(text, name)
    lines = text.splitlines()
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if re.match(r"^\s*\[", line):
            break  # the next table
        found = re.match(rf"^(\s*)[\"']?{re.escape(key)}[\"']?\s*=", line)
        if found:
            return number, len(found[1]) + 1
    return start, 1


def check_connections(table: Any, shown: str, text: str) -> list[Diagnostic]:
    """Problems of a config file's ``[connections]`` table (builder/config.py checks it with the rest)."""
    if not isinstance(table, dict):
        return [Diagnostic("config key 'connections' must be a table of [connections.NAME] tables", file=shown,
                           path=("connections",))]
    out = []
    for name, options in table.items():
        line, column = _position(text, name)

        def at(message: str, hint: str | None = None, *, _n: str = name, _l: int = line, key: str | None = None
               ) -> Diagnostic:
            """At the table's line, or at ``key``'s (an unknown option, a bad value)."""
            where = (_l, column) if key is None else _key_position(text, _n, key)
            return Diagnostic(message, file=shown, line=where[0], column=where[1],
                              path=("connections", _n) + ((key,) if key else ()), hint=hint)

        if not isinstance(options, dict):
            out.append(at(f"connection {name!r} must be a table ([connections.{name}])"))
            continue
        backend = options.get("backend")
        if backend not in BACKENDS:
            out.append(at(f"connection {name!r}: unknown backend {backend!r}",
                          did_you_mean(str(backend), BACKENDS) or f"choose from {', '.join(BACKENDS)}"))
            continue
        known = {**BACKENDS[backend], **COMMON_OPTIONS}
        for key in options:
            if key != "backend" and key not in known:
                out.append(at(f"connection {name!r}: unknown {backend} option {key!r}",
                              did_you_mean(key, known, what="an option") or f"options: {', '.join(known)}", key=key))
        if "refresh" in options and not refresh_seconds(options["refresh"]):
            out.append(at(f"connection {name!r}: refresh must be a period such as \"30m\", \"1h\" or \"1d\", "
                          f"not {options['refresh']!r}", "a number and one of s, m, h, d (more than zero)",
                          key="refresh"))
        if backend == "duckdb" and not isinstance(options.get("path"), str):
            out.append(at(f"connection {name!r} needs path = \"file.duckdb\"", BACKENDS["duckdb"]["path"]))
        password = options.get("password")
        if backend == "postgres" and password is not None and not _ENV.fullmatch(str(password)):
            out.append(at(f"connection {name!r}: password must come from the environment, as \"${{PGPASSWORD}}\"",
                          "a password written in a file ends up in version control: set an environment variable"))
        for key in ("port", "connect_timeout"):
            if backend == "postgres" and key in options and not (isinstance(options[key], int)
                                                                  and not isinstance(options[key], bool)
                                                                  and options[key] > 0):
                out.append(at(f"connection {name!r}: {key} must be a whole number, not {options[key]!r}",
                              BACKENDS["postgres"][key]))
    return out


def _substitute(value: Any, secrets: list[str], missing: list[str]) -> Any:
    """``${NAME}`` replaced by the environment's value (recorded as a secret)."""
    if isinstance(value, dict):
        return {k: _substitute(v, secrets, missing) for k, v in value.items()}
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        found = os.environ.get(match.group(1))
        if found is None:
            missing.append(match.group(1))
            return ""
        if found:
            secrets.append(found)
        return found

    return _ENV.sub(one, value)


#: option names whose values are credentials: never in the digest, even hashed (a manifest may be
#: published with the charts, and a short hash of a weak password can be searched for)
_CREDENTIAL = re.compile(r"password|passwd|secret|token|credential|key", re.IGNORECASE)


def settings_digest(raw: Mapping[str, Any]) -> str:
    """A hash of a connection's settings with ``${ENV}`` substituted from the environment as it is
    now (``path = "${DBFILE}"`` switched to another file must rebuild the charts), except in
    credential options, which are hashed as written; ``refresh`` says when to fetch, not what,
    so it is left out."""
    import hashlib  # here: only a connection is hashed, and _hashlib loads OpenSSL

    settings = {k: _expanded(k, v) for k, v in raw.items() if k != "refresh"}
    return hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _expanded(key: str, value: Any) -> Any:
    if _CREDENTIAL.search(key):
        return value
    if isinstance(value, dict):
        return {k: _expanded(str(k), v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expanded(key, v) for v in value]
    return _ENV.sub(lambda m: os.environ.get(m.group(1), ""), value) if isinstance(value, str) else value


def connection_settings(config: Path, name: str) -> tuple[str, float | None] | None:
    """The settings digest and refresh period (seconds) of ``[connections.NAME]`` in ``config``
    as it is now, without opening the connection; None if the file or the table is gone.

    ``config`` may come from a forged manifest: only a config file's name, only a regular file of
    sane size is read (a pipe would hang the build, /dev/zero fill memory)."""
    if config.name not in ("chartspec.toml", "pyproject.toml"):
        return None
    try:
        document = tomllib.loads(read_regular(config, _MAX_CONFIG_BYTES).decode("utf-8", errors="replace"))
    except (OSError, ValueError):  # NotRegularFile, FileTooLarge; tomllib.TOMLDecodeError is a ValueError
        return None
    section = document if config.name != "pyproject.toml" else document.get("tool", {}).get("chartspec", {})
    defined = section.get("connections") if isinstance(section, dict) else None
    raw = defined.get(name) if isinstance(defined, dict) else None
    if not isinstance(raw, dict):
        return None
    return settings_digest(raw), refresh_seconds(raw.get("refresh"))


def find_connection(source: DataSource, spec_file: Path, root: Path, smap: SourceMap) -> Connection:
    """The connection ``source`` names, from the project config; positioned errors otherwise."""
    assert source.connection is not None
    found = _config_file(spec_file.parent, root.resolve())
    defined: dict[str, Any] = found[1].get("connections", {}) if found else {}
    name = source.connection
    if not isinstance(defined, dict) or not isinstance(defined.get(name), dict):
        names = sorted(defined) if isinstance(defined, dict) else []
        hint = did_you_mean(name, names, what="a connection") or (
            f"connections defined: {', '.join(names)}" if names else
            f"define it in chartspec.toml: [connections.{name}] with backend = \"duckdb\" and path = \"file.duckdb\"")
        raise DataError(smap.diagnostic(f"no connection named {name!r}" + ("" if found else " (no chartspec.toml)"),
                                        source.json_path, hint=hint))
    assert found is not None
    path, _ = found
    raw = dict(defined[name])
    shown = os.path.relpath(path) if path.is_absolute() else str(path)
    problems = check_connections({name: raw}, shown, path.read_text(encoding="utf-8", errors="replace"))
    if problems:
        note = smap.diagnostic(f"connection {name!r} used here", source.json_path)
        raise DataError((*problems, note))
    secrets: list[str] = []
    missing: list[str] = []
    options = _substitute({k: v for k, v in raw.items() if k not in ("backend", "refresh")}, secrets, missing)
    if missing:
        raise DataError(smap.diagnostic(
            f"connection {name!r} reads the environment variable {missing[0]} and it is not set", source.json_path,
            hint=f"set {missing[0]} before the build (secrets go in the environment, never in a file)"))
    return Connection(name, raw["backend"], options, path.parent, shown, tuple(sorted(set(secrets), key=len)[::-1]),
                      settings_digest(raw), path)


def redact(text: str, conn: Connection) -> str:
    """``text`` with every secret of ``conn`` masked (longest first, so no part of one shows)."""
    for secret in conn.secrets:
        text = text.replace(secret, "***")
    return text


def query_path(source: DataSource) -> JsonPath:
    """Where the spec's ``table`` or ``sql`` is: its errors are reported there."""
    return source.json_path[:-1] + ("sql" if source.sql is not None else "table",)


def query_of(source: DataSource, quote_name: str = '"') -> str:
    """The query a source runs: its ``sql``, or every column of its ``table``."""
    if source.sql is not None:
        return source.sql.strip().rstrip(";")
    assert source.table is not None
    q = quote_name
    return "SELECT * FROM " + ".".join(f"{q}{part}{q}" for part in source.table.split("."))


def at_query_place(error: DataError, query: str, number: int, column: int, smap: SourceMap) -> DataError:
    """``error`` moved to line ``number``, 0-based ``column`` of ``query``, where that query line is
    written verbatim in the spec (after the error's own place); else left where it is."""
    if not 1 <= number <= len(query.split("\n")):
        return error
    text = query.split("\n")[number - 1]
    d = error.first
    if column < 0 or not text.strip() or d.line is None:
        return error
    lines = smap.text.split("\n")
    for line in range(d.line, min(d.line + number + 2, len(lines) + 1)):
        at = lines[line - 1].find(text, (d.column or 1) - 1 if line == d.line else 0)
        if at >= 0:
            return DataError(replace(d, line=line, column=at + column + 1, source_line=lines[line - 1]))
    return error
