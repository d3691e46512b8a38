"""`chartspec watch` and `chartspec serve`, driven for real: a subprocess, real files, real HTTP.

Waits are bounded polls (never fixed sleeps that a slow machine could outrun). A change made
just as the watcher (re)starts watching can be missed, so edits are repeated, each time with
new content, until their effect shows.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
import select
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import chartspec_exe, write_tree

from chartspec.cli.loopback import LoopbackServer
from chartspec.cli.serve import ChartState, PreviewState, make_server

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
        # the whole diagnostic, hint included: stderr may be read between its lines
        watcher.wait_for("the error", lambda: "proj/specs/broken.yaml:5:16: error: field 'los' not in "
                         "../data/a.csv" in watcher.text("stderr") and "did you mean" in watcher.text("stderr"),
                         retry=write_broken)
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

        # the config above the watched folder: a broken one is reported (watching goes on), a new
        # theme rebuilds the charts in it
        def break_config(attempt: int) -> None:
            (project / "chartspec.toml").write_text(f'fromats = ["png"]\n# edit {attempt}\n', encoding="utf-8")

        break_config(0)
        watcher.wait_for("the config error", lambda: "chartspec.toml:1:1: error: unknown config key 'fromats'"
                         in watcher.text("stderr"), retry=break_config)
        assert watcher.alive() and "Traceback" not in watcher.text("stderr")

        def dark(attempt: int) -> None:
            (project / "chartspec.toml").write_text(f'theme = "dark"\n# edit {attempt}\n', encoding="utf-8")

        dark(0)
        watcher.wait_for("the dark chart", lambda: b'fill="#333"' in read_bytes(out / "two.svg")
                         or b"#333333" in read_bytes(out / "two.svg"), retry=dark)
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

        # nothing outside the output folder is served, even files that exist: such paths are malformed
        assert (project / "data" / "a.csv").is_file()
        for path in ("/out/..%2F..%2Fetc%2Fpasswd", "/out/../../etc/passwd", "/out/..%2Fproj%2Fdata%2Fa.csv",
                     "/out/%2e%2e/proj/data/a.csv", "/out/%2Fetc%2Fpasswd", "/out//etc/passwd",
                     "/out/one.svg%00.html", "/out/" + "a" * 5000):
            assert raw_get(port, path) in (400, 414), path
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
        assert "Traceback" not in server.text("stderr")


# --- serve: hostile requests, against a server started in-process on an ephemeral loopback port ----------

ESC = "\x1b"


@contextmanager
def preview_server(tmp_path: Path, state: PreviewState | None = None, **options: Any) -> Iterator[LoopbackServer]:
    """An output folder with a chart, a hidden manifest and a secret next to it, served until the block ends."""
    out = write_tree(tmp_path / "out", {"good.svg": "<svg>good</svg>", "good.html": "<html>vega</html>",
                                        "café.svg": "<svg>café</svg>", "sub/nested.svg": "<svg>nested</svg>",
                                        ".chartspec-manifest.json": '{"specs": ["/home/me/secret"]}'})
    (tmp_path / "secret.csv").write_text("password\n", encoding="utf-8")
    if state is None:
        state = PreviewState()
        state.charts["good"] = ChartState("good", "specs/good.yaml", "ok", "", 1)
    server = make_server(state, out, 0, **options)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def ask(port: int, method: str, target: str, *, host: str | bool = True, headers: Sequence[tuple[str, str]] = (),
        body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """Send exactly this request (``host``: True for the right Host, False for none, or the value to send)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
        if host is not False:
            conn.putheader("Host", f"127.0.0.1:{port}" if host is True else host)
        for name, value in headers:
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


def raw(port: int, data: bytes) -> bytes:
    """Send bytes as they are and read everything until the server closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
        return b"".join(chunks)


def raw_status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def assert_quiet(capfd: pytest.CaptureFixture[str]) -> None:
    err = capfd.readouterr().err
    assert "Traceback" not in err and err == "", err


def test_serve_answers_malformed_targets_with_4xx_never_a_traceback(tmp_path: Path,
                                                                   capfd: pytest.CaptureFixture[str]) -> None:
    with preview_server(tmp_path) as server:
        port = server.port
        cases = {
            "/out/good.svg": 200, "/out/caf%C3%A9.svg": 200, "/out/sub/nested.svg": 200,
            "/out/good.svg?v=1&x=%zz%00%": 200,            # the query is never decoded
            "/out/good.svg%00.html": 400, "/out/%00": 400, "/out/good.svg%0d%0aSet-Cookie:%20x=1": 400,
            "/out/" + "a" * 5000: 414, "/out/good.svg?" + "v" * 3000: 414,
            "/out/" + "a" * 1000 + ".svg": 404,            # under the limit but too long a file name for the OS
            "/out/" + "a/" * 900 + "b.svg": 404,
            "/out/%zz.svg": 400, "/out/good.svg%": 400, "/out/good%2": 400,
            "/out/%C3%28.svg": 400, "/out/%FF": 400,      # not UTF-8
            "/out/../secret.csv": 400, "/out/..%2Fsecret.csv": 400, "/out/%2e%2e/secret.csv": 400,
            "/out/sub/../../secret.csv": 400, "/out/./good.svg": 400, "/out/sub/%2E/nested.svg": 400,
            "/out/..%5Csecret.csv": 400, "/out/sub\\nested.svg": 400, "/out/good.svg\\": 400,
            "/out//etc/passwd": 400, "/out/%2Fetc%2Fpasswd": 400, "//out/good.svg": 400, "/out/sub//nested.svg": 400,
            f"http://127.0.0.1:{port}/out/good.svg": 400, "*": 400, "out/good.svg": 400,
            "/out/good.svg#top": 400,
            "/out/.chartspec-manifest.json": 404, "/out/%2Echartspec-manifest.json": 404, "/out/": 404,
            "/out": 404, "/chart/": 404, "/chart/good/": 404, "/chart/good": 200,
            "/out/good.svg/": 404, "/out/good.svg%2F": 404, "/out/sub/nested.svg/": 404,  # a file is no folder
        }
        got = {target: ask(port, "GET", target)[0] for target in cases}
        assert got == cases
        (tmp_path / "out" / "link.csv").symlink_to(tmp_path / "secret.csv")
        assert ask(port, "GET", "/out/link.csv")[0] == 404
        # bytes http.client would refuse to send: raw NUL, raw non-ASCII, raw control characters
        for target in (b"/out/good.svg\x00.html", "/out/café.svg".encode(), b"/out/good\x01.svg", b"/\x7f"):
            response = raw(port, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
            assert raw_status(response) == 400, (target, response)
        # the error pages say what is wrong without echoing the request back
        status, headers, body = ask(port, "GET", "/out/<script>%00")
        assert status == 400 and headers["content-type"].startswith("text/plain") and b"<script>" not in body
        assert ask(port, "GET", "/")[0] == 200  # still serving
    assert_quiet(capfd)


def test_serve_head_is_get_without_a_body(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with preview_server(tmp_path) as server:
        port = server.port
        for target in ("/", "/_chartspec/state", "/chart/good", "/out/good.svg", "/out/good.html",
                       "/out/missing.svg", "/out/%00", "/out/" + "a" * 5000):
            get_status, get_headers, get_body = ask(port, "GET", target)
            head_status, head_headers, head_body = ask(port, "HEAD", target)
            get_headers.pop("date"), head_headers.pop("date")
            assert (head_status, head_headers) == (get_status, get_headers), target
            assert int(head_headers["content-length"]) == len(get_body) > 0 and head_body == b""
            # on the wire: nothing at all after the headers
            response = raw(port, b"HEAD %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % (target.encode(), port))
            assert raw_status(response) == get_status and response.endswith(b"\r\n\r\n"), response[-200:]
        assert ask(port, "HEAD", "/out/good.svg")[1]["content-type"] == "image/svg+xml"
    assert_quiet(capfd)


def test_serve_refuses_requests_for_other_hosts(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    """DNS rebinding: a page on evil.example whose name resolves to 127.0.0.1 sends Host: evil.example."""
    with preview_server(tmp_path) as server:
        port = server.port
        other_port = port + 1 if port < 65535 else port - 1
        for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"LocalHost:{port}", f"[::1]:{port}"):
            assert ask(port, "GET", "/", host=host)[0] == 200, host
        refused = ("evil.example", f"evil.example:{port}", "127.0.0.1", "localhost", f"127.0.0.1:{other_port}",
                   f"localhost.:{port}", f"127.0.0.1.evil.example:{port}", f"localhost.evil.example:{port}",
                   f"evil.example@127.0.0.1:{port}", f"0.0.0.0:{port}", f"[::ffff:127.0.0.1]:{port}",
                   f"2130706433:{port}", f"127.1:{port}", f"127.0.0.1:{port}/", f"127.0.0.1:0{port}", "")
        for target in ("/", "/_chartspec/state", "/out/good.svg", "/chart/good", "/nothing"):
            for host in refused:
                status, _, body = ask(port, "GET", target, host=host)
                assert status == 403, (target, host)
                assert b"good" not in body and b"generation" not in body and b"<svg" not in body
            assert ask(port, "HEAD", target, host="evil.example")[0] == 403
            assert ask(port, "GET", target, host=False)[0] == 400  # no Host at all
            two = ((("Host", f"127.0.0.1:{port}"),), (("Host", "evil.example"),))
            assert ask(port, "GET", target, headers=two[0])[0] == 400  # two Host headers, even the right one twice
            assert ask(port, "GET", target, host="evil.example", headers=two[0])[0] == 400
        # the absolute form does not smuggle another host past the check
        assert ask(port, "GET", f"http://127.0.0.1:{port}/", host="evil.example")[0] == 403
    assert_quiet(capfd)


def test_serve_is_read_only(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with preview_server(tmp_path) as server:
        port = server.port
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"):
            status, headers, _ = ask(port, method, "/out/good.svg", body=b"<svg>evil</svg>")
            assert (status, headers.get("allow")) == (405, "GET, HEAD"), method
        response = raw(port, b"CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n" % port)
        assert raw_status(response) == 405 and b"Allow: GET, HEAD" in response
        assert (tmp_path / "out" / "good.svg").read_text(encoding="utf-8") == "<svg>good</svg>"
        assert ask(port, "BREW", "/")[0] == 501 and ask(port, "get", "/")[0] == 501  # not methods we know
        # a body on a GET is refused rather than left to be read as the next request
        assert ask(port, "GET", "/", body=b"GET /out/.chartspec-manifest.json HTTP/1.1\r\n\r\n")[0] == 400
        assert ask(port, "GET", "/", headers=(("Transfer-Encoding", "chunked"),))[0] == 400
        assert ask(port, "GET", "/", headers=(("Content-Length", "x"),))[0] == 400
        assert ask(port, "GET", "/", headers=(("Content-Length", "0"),))[0] == 200
        for request in (b"GET / HTTP/9.9\r\n\r\n", b"GET / FOO/1.1\r\n\r\n", b"GET / HTTP/1.1 extra\r\n\r\n",
                        b"\r\n\r\n", b"GET\r\n\r\n", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"):
            response = raw(port, request)
            assert response == b"" or 400 <= raw_status(response) < 600, (request, response)
    assert_quiet(capfd)


def test_serve_survives_abusive_connections(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    with preview_server(tmp_path, request_timeout=2.0, max_connections=3) as server:
        port = server.port
        host = b"Host: 127.0.0.1:%d\r\n" % port
        assert raw_status(raw(port, b"GET / HTTP/1.1\r\n" + host + b"X-Long: " + b"a" * 70_000 + b"\r\n\r\n")) == 431
        many = b"".join(b"X-%d: 1\r\n" % n for n in range(150))
        assert raw_status(raw(port, b"GET / HTTP/1.1\r\n" + host + many + b"\r\n")) == 431
        # keep-alive and pipelining: one answer per connection, then it is closed
        pipelined = b"GET /out/good.svg HTTP/1.1\r\n" + host + b"Connection: keep-alive\r\n\r\n"
        response = raw(port, pipelined * 5)
        assert response.count(b"HTTP/1.") == 1 and response.endswith(b"<svg>good</svg>")

        def closed_within(sock: socket.socket, seconds: float, trickle: bool) -> float:
            """Seconds until the server closed ``sock``, sending a header byte every 0.2 s if ``trickle``."""
            start = time.monotonic()
            while time.monotonic() - start < seconds:
                try:
                    if trickle:
                        sock.sendall(b"X")
                    readable, _, _ = select.select([sock], [], [], 0.2)
                    if readable and sock.recv(65536) == b"":
                        return time.monotonic() - start
                except OSError:  # reset: closed with our bytes unread
                    return time.monotonic() - start
            raise AssertionError(f"the server kept the connection open for {seconds} s")

        for trickle in (False, True):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(b"GET / HTTP/1.1\r\n" + host)
                assert closed_within(sock, 10.0, trickle) < 6.0
        # no more than three connections at once: the fourth is told to come back, nobody waits forever
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
        try:
            busy = raw(port, b"GET / HTTP/1.1\r\n" + host + b"\r\n")
            assert raw_status(busy) == 503 and b"Retry-After" in busy
        finally:
            for sock in idle:
                sock.close()
        deadline = time.monotonic() + 10
        while (status := ask(port, "GET", "/")[0]) != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert status == 200
    assert_quiet(capfd)


class FailingOnce(PreviewState):
    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    def snapshot(self) -> dict[str, Any]:
        if self.failures:
            self.failures -= 1
            raise RuntimeError(f"boom {ESC}[31m\nsecond line")
        return super().snapshot()


def test_serve_answers_500_and_logs_one_line_when_a_handler_fails(tmp_path: Path,
                                                                  capfd: pytest.CaptureFixture[str]) -> None:
    with preview_server(tmp_path, state=FailingOnce()) as server:
        status, headers, body = ask(server.port, "GET", "/?q=%1b[2J")
        assert (status, headers["content-type"], body) == (500, "text/plain; charset=utf-8", b"internal error\n")
        assert b"boom" not in body
        assert ask(server.port, "GET", "/")[0] == 200  # and it goes on
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and ESC not in err, err
    assert "chartspec serve: error answering GET '/?q=%1b[2J': RuntimeError: boom \\x1b[31m\\nsecond line" in err


def test_serve_listens_on_127_0_0_1_only(tmp_path: Path) -> None:
    with preview_server(tmp_path) as server:
        assert server.socket.family == socket.AF_INET
        assert server.socket.getsockname() == ("127.0.0.1", server.port) and server.port > 0


def test_serve_links_to_specs_named_with_url_characters(tmp_path: Path) -> None:
    # "%", "#", "?", spaces and non-ASCII in a spec's name: every link and source a browser follows
    # (fragment dropped, as a browser does) must reach that chart's page and output files
    stems = ["100%", "x#y", "a b/c?d=1&e", "café", "%2e%2e", "it's \"q\""]
    out = tmp_path / "out"
    state = PreviewState()
    for stem in stems:
        write_tree(out, {f"{stem}.svg": f"<svg>{stem}</svg>", f"{stem}.html": f"<html>{stem}</html>"})
        state.charts[stem] = ChartState(stem, f"specs/{stem}.yaml", "ok", "", 1)
    server = make_server(state, out, 0)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.port}/"

    def follow(url: str) -> tuple[int, bytes]:
        target = urllib.parse.urldefrag(urllib.parse.urljoin(base, html.unescape(url))).url[len(base) - 1:]
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        try:
            conn.request("GET", target)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()

    try:
        index = follow("/")[1].decode()
        links = re.findall(r'<a href="(/chart/[^"]*)"', index)
        images = re.findall(r'<img src="([^"]*)"', index)
        assert len(links) == len(images) == len(stems), index
        for stem, link, image in zip(sorted(stems), links, images):
            assert follow(image) == (200, f"<svg>{stem}</svg>".encode()), (stem, image)
            status, page = follow(link)
            assert status == 200 and f"specs/{html.escape(stem)}.yaml" in page.decode(), (stem, link)
            (frame,) = re.findall(r'<iframe src="([^"]*)"', page.decode())
            assert follow(frame) == (200, f"<html>{stem}</html>".encode()), (stem, frame)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
