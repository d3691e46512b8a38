"""A throwaway PostgreSQL server for the tests of ``backend = "postgres"`` (the ``postgres`` fixture).

initdb into a new folder under /tmp, a free port on 127.0.0.1, the Unix socket in that folder,
password authentication over TCP (so the tests' password is really used), no fsync (nothing is
kept). initdb and postgres refuse to run as root, and CI runs as root: then they run as the
unprivileged ``nobody`` (runuser), owning the folder. The server binaries come from PATH or from
Debian's /usr/lib/postgresql/VERSION/bin (.ci/run installs the ``postgresql`` package); if they are
missing the tests fail, they never skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "chartspec"
PASSWORD = "pg-Secret-4711"  # the tests check it never shows in an output, error, manifest or report


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    folder: Path

    def connect(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=USER, password=PASSWORD, dbname="postgres",
                               autocommit=True)


def _binaries() -> Path:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                    if p.parent.parent.name.isdigit() else 0)
    if debian:
        return debian[-1].parent
    pytest.fail("the PostgreSQL server binaries (initdb, pg_ctl) are not installed: the Postgres connection's "
                "tests need them (Debian: apt-get install postgresql; .ci/run does it)", pytrace=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(folder: Path) -> list[str]:
    """The command prefix that runs the server's programs: as ``nobody`` when we are root."""
    if os.geteuid() != 0:
        return []
    shutil.chown(folder, "nobody")
    return ["runuser", "-u", "nobody", "--"]


def start() -> Iterator[Server]:
    bin_dir = _binaries()
    # in /tmp itself: the server user must reach it, and a Unix socket path has ~100 characters at most
    folder = Path(tempfile.mkdtemp(prefix="chartspec-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
    try:
        prefix = _as_server_user(folder)
        pwfile = folder / "pw"
        pwfile.write_text(PASSWORD + "\n")
        if prefix:
            shutil.chown(pwfile, "nobody")
        data = folder / "data"
        run = [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "--pwfile", str(pwfile),
               "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"]
        subprocess.run(run, check=True, capture_output=True, timeout=120, cwd=folder)
        port = _free_port()
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off "
                   "-c synchronous_commit=off -c shared_buffers=32MB -c max_connections=20")
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),
                        "-w", "-t", "60", "start"], check=True, capture_output=True, timeout=90, cwd=folder)
    except (OSError, LookupError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as err:  # no runuser, no nobody
        log = (folder / "log").read_text(errors="replace") if (folder / "log").is_file() else ""
        shutil.rmtree(folder, ignore_errors=True)
        output = getattr(err, "stderr", b"") or b""
        pytest.fail(f"could not start a PostgreSQL server: {err}\n{output.decode(errors='replace')}\n{log}",
                    pytrace=False)
    try:
        yield Server("127.0.0.1", port, folder)
    finally:
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                       capture_output=True, timeout=60, cwd=folder)
        shutil.rmtree(folder, ignore_errors=True)
