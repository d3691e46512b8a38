"""An HTTP server for local previews: loopback only, and every hostile request gets a 4xx, never a traceback.

Any web page the user visits may send requests to 127.0.0.1, and a page whose own domain name is made
to resolve to 127.0.0.1 (DNS rebinding) may even read the answers. So, like webpack-dev-server's
``allowedHosts`` and Vite's ``server.allowedHosts``, only requests whose ``Host`` names the loopback
address and the port listened on are answered. Request targets are checked before they come near a
file path; connections are few and must send their request within a deadline, so idle or trickling
clients cannot hold threads; and an error in a handler is one log line and a 500, not a traceback.
"""

from __future__ import annotations

import io
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import PurePath
from typing import Any
from urllib.parse import unquote

__all__ = ["HOST", "BadRequest", "GuardedHandler", "LoopbackServer", "Response", "Target", "parse_target"]

HOST = "127.0.0.1"  # never another interface: previews show local files
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
MAX_TARGET = 2048  # characters; chartspec's own URLs are far shorter, and file names stop at 255 bytes
ALLOW = "GET, HEAD"
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")

Log = Callable[[str], None]


class BadRequest(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class Target:
    """A checked request target: ``path`` is percent-decoded, ``segments`` are its names."""

    path: str
    segments: tuple[str, ...]
    query: str


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def parse_target(raw: str) -> Target:
    """Check a request target as sent; raises :class:`BadRequest` for anything a browser would not send."""
    if len(raw) > MAX_TARGET:
        raise BadRequest(414, "request target too long")
    if not raw.startswith("/"):  # absolute-form (http://...), authority-form, "*"
        raise BadRequest(400, "request target is not a path")
    if any(not "!" <= char <= "~" for char in raw):
        raise BadRequest(400, "request target has characters that are not printable ASCII")
    if "#" in raw:
        raise BadRequest(400, "request target has a fragment")
    path, _, query = raw.partition("?")
    if _BAD_PERCENT.search(path):
        raise BadRequest(400, "bad percent-encoding")
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(400, "percent-encoding that is not UTF-8") from None
    if any(char < " " or char in "\x7f\\" for char in decoded):
        raise BadRequest(400, "control characters or backslashes in the path")
    segments = tuple(decoded[1:].split("/")) if decoded != "/" else ()
    for index, segment in enumerate(segments):
        if segment in (".", "..") or (not segment and index < len(segments) - 1):
            raise BadRequest(400, "dot segments or empty segments in the path")
        # a name the OS would read as a drive or as more than one name (Windows: "C:", "a:b")
        if segment and (PurePath(segment).anchor or PurePath(segment).name != segment):
            raise BadRequest(400, "a path segment that is not a plain name")
    return Target(decoded, segments, query)


def allowed_host(values: Sequence[str], port: int) -> bool:
    """Exactly one Host header naming the loopback address and our port."""
    if len(values) != 1:
        return False
    names = {f"{name}:{port}" for name in LOOPBACK_NAMES}
    if port == 80:  # browsers leave the default port out
        names.update(LOOPBACK_NAMES)
    return values[0].strip().lower() in names


def one_line(text: str, limit: int = 300) -> str:
    """Client-controlled text made safe for the console: one line, no escape sequences, bounded."""
    text = "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _DeadlineReader(io.RawIOBase):
    """Socket reads sharing one deadline: a client sending a byte now and then cannot hold a thread."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self.sock, self.deadline = sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the request was not received in time")
        self.sock.settimeout(remaining)
        return self.sock.recv_into(buffer)


class LoopbackServer(ThreadingHTTPServer):
    """Listens on 127.0.0.1 only; at most ``max_connections`` at once, each answered once then closed."""

    daemon_threads = True

    def __init__(self, port: int, handler: type[GuardedHandler], *, request_timeout: float = 10.0,
                 max_connections: int = 32, log: Log | None = None) -> None:
        self.request_timeout = request_timeout
        self.slots = threading.BoundedSemaphore(max_connections)
        self.log = log or _stderr
        super().__init__((HOST, port), handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            self._busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    @staticmethod
    def _busy(request: socket.socket) -> None:
        try:  # a short answer fits the socket's buffer: sending it cannot block the accepting thread
            request.setblocking(False)
            request.send(b"HTTP/1.0 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
        except OSError:
            pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Replaces socketserver's traceback print: a client that went away is normal, anything else one line."""
        err = sys.exc_info()[1]
        if isinstance(err, (ConnectionError, TimeoutError)):
            return
        self.log(one_line(f"chartspec serve: error on a connection: {type(err).__name__}: {err}"))


class GuardedHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD through :meth:`route` once the request has passed every check."""

    server: LoopbackServer
    # the base class answers a request line it cannot read (HTTP/9.9, garbage) before it knows the
    # version, as HTTP/0.9: a body without a status line. Nobody speaks 0.9; answer those as 1.0.
    default_request_version = "HTTP/1.0"

    def version_string(self) -> str:
        return "chartspec"  # not Python's version: nothing to fingerprint

    def route(self, target: Target) -> Response:  # pragma: no cover - overridden
        raise NotImplementedError

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.request_timeout)
        self.rfile.close()  # replaced, so that the whole request shares one deadline
        self.rfile = io.BufferedReader(
            _DeadlineReader(self.connection, time.monotonic() + self.server.request_timeout))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass  # quiet: the build output is what matters; errors are logged by _answer and handle_error

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self._answer()

    def do_HEAD(self) -> None:  # noqa: N802 - the base class's name
        self._answer()

    # answered too (405 with Allow), so that they are not the base class's 501
    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = do_GET

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """The base class's errors (bad request line, long headers, unknown method) without echoing the request."""
        reason = self.responses.get(code, ("error",))[0]
        self._send(Response(code, f"{code} {reason}\n".encode()))

    def _answer(self) -> None:
        try:
            response = self._checked()
        except Exception as err:  # a bug must not drop the connection or print a traceback
            self.server.log(one_line(f"chartspec serve: error answering {self.command} {self._raw_target()!r}: "
                                     f"{type(err).__name__}: {err}"))
            response = Response(500, b"internal error\n")
        self._send(response)

    def _raw_target(self) -> str:
        words = self.requestline.split()
        return words[1] if len(words) > 1 else ""

    def _checked(self) -> Response:
        hosts = self.headers.get_all("Host") or []
        if not allowed_host(hosts, self.server.port):
            if len(hosts) != 1:
                return Response(400, b"a request needs exactly one Host header\n")
            return Response(403, f"this preview answers only requests for 127.0.0.1:{self.server.port} or "
                                 f"localhost:{self.server.port}\n".encode())
        if self.command not in ("GET", "HEAD"):
            return Response(405, b"the preview is read-only\n", headers=(("Allow", ALLOW),))
        if self.headers.get("Transfer-Encoding") or self.headers.get("Content-Length", "0").strip() != "0":
            return Response(400, b"a GET or HEAD request has no body\n")
        try:
            target = parse_target(self._raw_target())
        except BadRequest as err:
            return Response(err.status, f"{err.status} {err.reason}\n".encode())
        return self.route(target)

    def _send(self, response: Response) -> None:
        self.close_connection = True  # one request per connection: nothing unread is taken for a next request
        self.connection.settimeout(self.server.request_timeout)  # reads may have left a shorter one
        self.send_response(response.status)
        for name, value in (("Content-Type", response.content_type), ("Content-Length", str(len(response.body))),
                            ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"),
                            ("Connection", "close"), *response.headers):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
