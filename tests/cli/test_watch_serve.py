"""`chartspec watch` and `chartspec serve`, driven for real: a subprocess, real files, real HTTP.

Waits are bounded polls (never fixed sleeps that a slow machine could outrun). A change made
just as the watcher (re)starts watching can be missed, so edits are repeated, each time with
new content, until their effect shows.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from conftest import chartspec_exe, write_tree

WAIT = 60.0  # seconds any one expected event may take

SPEC = """\
title: {title}
data: ../data/{data}
x: {{field: step}}
layers:
  - y: {{field: {field}}}
"""
CSV = "step,loss\n0,2.3\n10,1.9\n20,1.4\n"


def csv_with(value: int) -> str:
    return f"step,loss\n0,{value}\n10,1.9\n20,1.4\n"


def make_project(root: Path) -> Path:
    """Specs in root/specs, data in root/data: the data folder is not below the watched one."""
    return write_tree(root, {
        "chartspec.toml": "", "data/a.csv": CSV, "data/b.csv": CSV,
        "specs/one.yaml": SPEC.format(title="One", data="a.csv", field="loss"),
        "specs/two.yaml": SPEC.format(title="Two", data="b.csv", field="loss"),
    })


class Running:
    """A subprocess whose stdout and stderr are collected line by line by reader threads."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([chartspec_exe(), *args], cwd=cwd, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, env=env)
        self.lock = threading.Lock()
        self.streams: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self.readers = [threading.Thread(target=self._read, args=(name, getattr(self.proc, name)), daemon=True)
                        for name in self.streams]
        for reader in self.readers:
            reader.start()

    def _read(self, name: str, pipe: Any) -> None:
        for line in pipe:
            with self.lock:
                self.streams[name].append(line)

    def text(self, name: str) -> str:
        with self.lock:
            return "".join(self.streams[name])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def describe(self) -> str:
        return f"exit code {self.proc.poll()}\n--- stdout\n{self.text('stdout')}\n--- stderr\n{self.text('stderr')}"

    def wait_for(self, what: str, check: Callable[[], Any], *, retry: Callable[[int], None] | None = None,
                 every: float = 5.0) -> Any:
        """Poll ``check`` until it returns something true; call ``retry`` every ``every`` seconds."""
        deadline = time.monotonic() + WAIT
        next_retry, attempt = time.monotonic() + every, 0
        while time.monotonic() < deadline:
            result = check()
            if result:
                return result
            assert self.alive(), f"the process ended while waiting for {what}\n{self.describe()}"
            if retry is not None and time.monotonic() > next_retry:
                attempt += 1
                retry(attempt)
                next_retry = time.monotonic() + every
            time.sleep(0.1)
        raise AssertionError(f"timed out waiting for {what}\n{self.describe()}")

    def stop(self) -> None:
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        for reader in self.readers:
            reader.join(timeout=5)


@contextmanager
def running(args: list[str], cwd: Path) -> Iterator[Running]:
    process = Running(args, cwd)
    try:
        yield process
    finally:
        process.stop()


def read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


# --- watch ------------------------------------------------------------------------------------------------


def test_watch_rebuilds_what_changed_and_survives_errors(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    with running(["watch", "proj/specs", "-o", str(out), "-f", "svg", "-j", "1"], tmp_path) as watcher:
        watcher.wait_for("the first build", lambda: re.search(r"^2 built", watcher.text("stdout"), re.M))
        assert "watching proj/specs" in watcher.text("stderr")
        assert "built proj/specs/one.yaml -> out/one.svg" in watcher.text("stdout")
        one, two = (out / "one.svg").read_bytes(), (out / "two.svg").read_bytes()

        # a data file outside the watched folder, read by one spec
        def edit_data(attempt: int) -> None:
            (project / "data" / "a.csv").write_text(csv_with(9000 + attempt), encoding="utf-8")

        edit_data(0)
        new_one = watcher.wait_for("one.svg to change", lambda: (data := read_bytes(out / "one.svg")) != one
                                   and data, retry=edit_data)
        assert b"9,000" in new_one or b"9000" in new_one  # the new maximum shows on the y axis
        watcher.wait_for("the rebuild summary", lambda: "1 built, 1 up to date" in watcher.text("stdout"))
        assert (out / "two.svg").read_bytes() == two    # incremental: the other chart was left alone

        # a broken spec: reported, and watching goes on
        def write_broken(attempt: int) -> None:
            text = SPEC.format(title="Broken", data="a.csv", field="los") + f"# edit {attempt}\n"
            (project / "specs" / "broken.yaml").write_text(text, encoding="utf-8")

        write_broken(0)
        watcher.wait_for("the error", lambda: "proj/specs/broken.yaml:5:16: error: field 'los' not in "
                         "../data/a.csv" in watcher.text("stderr"), retry=write_broken)
        assert "did you mean 'loss'?" in watcher.text("stderr")
        assert watcher.alive()
        assert "Traceback" not in watcher.text("stderr")

        # fixing it builds it
        def fix(attempt: int) -> None:
            text = SPEC.format(title="Fixed", data="b.csv", field="loss") + f"# edit {attempt}\n"
            (project / "specs" / "broken.yaml").write_text(text, encoding="utf-8")

        fix(0)
        watcher.wait_for("the fixed spec's output", lambda: b"Fixed" in read_bytes(out / "broken.svg"), retry=fix)
        assert watcher.alive()
    assert not list(out.glob(".*.tmp*"))


# --- serve ------------------------------------------------------------------------------------------------


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read()


def raw_get(port: int, path: str) -> int:
    """GET ``path`` exactly as written (urllib would not send some of these unchanged)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_serve_previews_every_chart_and_follows_changes(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    (project / "specs" / "bad.yaml").write_text(SPEC.format(title="Bad", data="a.csv", field="<b>loss</b>"),
                                                encoding="utf-8")
    out = tmp_path / "out"
    with running(["serve", "proj/specs", "--port", "0", "-o", str(out), "-j", "0"], tmp_path) as server:
        match = server.wait_for("the URL", lambda: re.search(r"serving (http://([\d.]+):(\d+)/)",
                                                             server.text("stderr")))
        base, host, port = match.group(1), match.group(2), int(match.group(3))
        assert host == "127.0.0.1" and port > 0

        def state() -> dict[str, Any]:
            status, kind, body = get(base + "_chartspec/state")
            assert status == 200 and kind == "application/json"
            return json.loads(body)

        def settled() -> dict[str, Any] | None:
            snap = state()
            charts = snap["charts"]
            done = set(charts) == {"one", "two", "bad"} and all(c["status"] != "pending" for c in charts.values())
            return snap if done else None

        snap = server.wait_for("the first build", settled)
        assert isinstance(snap["generation"], int) and snap["problem"] == ""
        assert {s: c["status"] for s, c in snap["charts"].items()} == {"one": "ok", "two": "ok", "bad": "failed"}

        # the index: every chart by name, thumbnails for the good ones, the error (escaped) for the bad one
        status, kind, body = get(base)
        page = body.decode()
        assert status == 200 and kind.startswith("text/html")
        for name in ("proj/specs/one.yaml", "proj/specs/two.yaml", "proj/specs/bad.yaml"):
            assert name in page
        assert "&lt;b&gt;loss&lt;/b&gt;" in page
        assert "<b>loss</b>" not in page
        assert "proj/specs/bad.yaml:5:16: error: field" in page
        for stem in ("one", "two"):
            assert f'src="/out/{stem}.svg?v=' in page
            status, kind, svg = get(f"{base}out/{stem}.svg?v=1")
            assert status == 200 and kind == "image/svg+xml" and svg.lstrip().startswith(b"<svg"), (status, kind)
        assert 'src="/out/bad.svg' not in page

        # a chart's page embeds its interactive HTML, which is there too
        status, kind, body = get(base + "chart/one")
        assert status == 200 and kind.startswith("text/html")
        assert 'src="/out/one.html?v=' in body.decode()
        status, kind, body = get(base + "out/one.html")
        assert status == 200 and kind.startswith("text/html") and b"vega" in body.lower()
        assert get(base + "chart/bad")[0] == 200
        assert get(base + "chart/nothing")[0] == 404
        assert get(base + "nothing")[0] == 404

        # nothing outside the output folder is served, even files that exist
        assert (project / "data" / "a.csv").is_file()
        for path in ("/out/..%2F..%2Fetc%2Fpasswd", "/out/../../etc/passwd", "/out/..%2Fproj%2Fdata%2Fa.csv",
                     "/out/%2e%2e/proj/data/a.csv", "/out/%2Fetc%2Fpasswd", "/out//etc/passwd"):
            assert raw_get(port, path) == 404, path
        # nor the manifest (it lists the specs' absolute paths), though it is inside it
        assert (out / ".chartspec-manifest.json").is_file()
        assert raw_get(port, "/out/.chartspec-manifest.json") == 404
        try:
            (out / "link.csv").symlink_to(project / "data" / "a.csv")
        except OSError:
            pass
        else:
            assert raw_get(port, "/out/link.csv") == 404

        # a data change bumps the chart's version; the chart that did not change keeps its own
        versions = {s: c["version"] for s, c in state()["charts"].items()}

        def edit_data(attempt: int) -> None:
            (project / "data" / "a.csv").write_text(csv_with(500 + attempt), encoding="utf-8")

        edit_data(0)
        server.wait_for("a new version of 'one'", lambda: state()["charts"]["one"]["version"] > versions["one"],
                        retry=edit_data)
        assert state()["charts"]["two"]["version"] == versions["two"]

        # fixing the bad spec replaces its error by a thumbnail
        def fix(attempt: int) -> None:
            text = SPEC.format(title="Good now", data="b.csv", field="loss") + f"# edit {attempt}\n"
            (project / "specs" / "bad.yaml").write_text(text, encoding="utf-8")

        fix(0)
        server.wait_for("'bad' to build", lambda: state()["charts"]["bad"]["status"] == "ok", retry=fix)
        page = get(base)[2].decode()
        assert 'src="/out/bad.svg?v=' in page and "error: field" not in page
        assert server.alive()
