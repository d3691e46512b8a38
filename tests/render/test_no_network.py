"""A build opens no socket and reads no file outside the project, whatever the spec asks for.

A loopback HTTP listener (127.0.0.1, a random port, stopped after each test) records every
connection. Hostile specs point image marks, url fields of their data, links and data at it, or
at image files outside the project, written as plain Vega-Lite or through a ``vega_lite:`` patch,
and are built to every static format and HTML through the real command line, in this process and
in a worker process. Not one connection may reach the listener; each hostile spec fails with an
error that says why; a link (followed by readers, never fetched) and an image inside the project
(inlined) build. The renderer is also called directly with addresses the compiler never saw (as an
expression would make them), to test its own guard.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import chartspec_exe

from chartspec.errors import ExportError
from chartspec.render.export import render

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==")


@dataclass
class Listener:
    port: int
    connections: list[Any] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener(0)

    class Handler(BaseHTTPRequestHandler):
        timeout = 5

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            found.requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(PNG)

        do_POST = do_HEAD = do_GET  # noqa: N815

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True

        def verify_request(self, request: Any, client_address: Any) -> bool:
            found.connections.append(client_address)  # any connection, even one sending nothing
            return True

    server = Server(("127.0.0.1", 0), Handler)
    found.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


XY = "  x: {field: a, type: quantitative}\n  y: {field: b, type: quantitative}\n"
IMAGE = "mark: {type: image, width: 20, height: 20}\n"
CHART = "x: {field: a}\nlayers:\n  - y: {field: b}\n"
PATCH = ("vega_lite:\n  layer: null\n  mark: {type: image, width: 20, height: 20}\n  encoding:\n"
         "    x: {field: a, type: quantitative}\n    y: {field: b, type: quantitative}\n")


def hostile_specs(listener: Listener, outside: Path) -> dict[str, str]:
    """name -> text of specs that must not build, and of two that must."""
    u = listener.url
    return {
        "plain_value.vl.yaml": f"data: {{values: [{{a: 1, b: 2}}]}}\n{IMAGE}encoding:\n{XY}"
                               f'  url: {{value: "{u("plain_value.png")}"}}\n',
        "plain_field.vl.yaml": f'data: {{values: [{{a: 1, b: 2, img: img/logo.png}}, {{a: 2, b: 1, img: "{u("row.png")}"}}]}}\n'
                               f"{IMAGE}encoding:\n{XY}  url: {{field: img}}\n",
        "plain_file.vl.yaml": f"data: {{url: pics.csv}}\n{IMAGE}encoding:\n{XY}  url: {{field: img}}\n",
        "plain_mark.vl.yaml": f'data: {{values: [{{a: 1, b: 2}}]}}\nmark: {{type: image, url: "{u("mark.png")}"}}\n'
                              f"encoding:\n{XY}",
        "plain_absolute.vl.yaml": f"data: {{values: [{{a: 1, b: 2}}]}}\n{IMAGE}encoding:\n{XY}"
                                  f'  url: {{value: "{outside}"}}\n',
        "plain_relative.vl.yaml": f"data: {{values: [{{a: 1, b: 2}}]}}\n{IMAGE}encoding:\n{XY}"
                                  '  url: {value: "../../outside.png"}\n',
        "plain_root.vl.yaml": f"data: {{values: [{{a: 1, b: 2}}]}}\n{IMAGE}encoding:\n{XY}"
                              '  url: {value: "/var/data/x.png"}\n',
        "patch_value.yaml": f"data: {{values: [{{a: 1, b: 2}}]}}\n{CHART}{PATCH}"
                            f'    url: {{value: "{u("patch_value.png")}"}}\n',
        "patch_field.yaml": f"data: {{path: pics.csv}}\n{CHART}{PATCH}    url: {{field: img}}\n",
        "patch_data.yaml": f'data: {{values: [{{a: 1, b: 2}}]}}\n{CHART}vega_lite:\n  data: {{values: null, url: "{u("d.csv")}"}}\n',
        # made at run time: only the renderer's own guard sees these
        "computed.vl.yaml": f"data: {{values: [{{a: 1, b: 2}}]}}\ntransform:\n"
                            f"  - {{calculate: \"'{u('calc')}' + '.png'\", as: pic}}\n{IMAGE}encoding:\n{XY}"
                            "  url: {field: pic}\n",
        "computed_relative.vl.yaml": "data: {values: [{a: 1, b: 2}]}\ntransform:\n"
                                     "  - {calculate: \"'img/' + 'logo.png'\", as: pic}\n"
                                     f"{IMAGE}encoding:\n{XY}  url: {{field: pic}}\n",
        # these build: a link is followed by a reader, an image of the project is inlined
        "link.vl.yaml": f"data: {{values: [{{a: 1, b: 2}}]}}\nmark: point\nencoding:\n{XY}"
                        f'  href: {{value: "{u("link")}"}}\n',
        "local.vl.yaml": f"data: {{values: [{{a: 1, b: 2}}]}}\n{IMAGE}encoding:\n{XY}  url: {{value: img/logo.png}}\n",
    }


@pytest.fixture
def project(tmp_path: Path, listener: Listener) -> Path:
    root = tmp_path / "project"
    specs = root / "specs"
    (specs / "img").mkdir(parents=True)
    (root / "chartspec.toml").write_text("", encoding="utf-8")
    (specs / "img" / "logo.png").write_bytes(PNG)
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG[:-12] + b"SECRET" + PNG[-6:])  # outside the project: must never be read
    (specs / "pics.csv").write_text(f"a,b,img\n1,2,img/logo.png\n2,1,{listener.url('csv_row.png')}\n", encoding="utf-8")
    for name, text in hostile_specs(listener, outside).items():
        (specs / name).write_text(text, encoding="utf-8")
    return root


BUILT = {"link", "local"}


def build(project: Path, jobs: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([chartspec_exe(), "build", "specs", "-o", "out", "-f", "svg,png,pdf,html", "-j", jobs,
                           "--html-bundle", "inline"], cwd=project, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "300"})


@pytest.mark.parametrize("jobs", ["0", "1"], ids=["in-process", "worker"])
def test_building_hostile_specs_opens_no_socket(project: Path, listener: Listener, jobs: str) -> None:
    proc = build(project, jobs)
    assert listener.connections == [] and listener.requests == [], listener.requests
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "    at " not in proc.stderr
    names = {Path(name).name.split(".")[0] for name in os.listdir(project / "specs") if name.endswith(".yaml")}
    for name in names - BUILT:
        lines = [line for line in proc.stderr.splitlines() if line.startswith(f"specs/{name}.")]
        assert lines and "error:" in lines[0], f"{name} was not refused:\n{proc.stderr}"
    for name in BUILT:
        for suffix in (".svg", ".png", ".pdf", ".html"):
            assert (project / "out" / f"{name}{suffix}").exists(), proc.stdout + proc.stderr
    assert not any((project / "out").glob("plain_*")) and not any((project / "out").glob("patch_*"))
    local_svg = (project / "out" / "local.svg").read_text(encoding="utf-8")
    assert 'href="data:image/png;base64,' in local_svg  # the project's image, inlined
    assert f'href="{listener.url("link")}"' in (project / "out" / "link.svg").read_text(encoding="utf-8")
    for output in (project / "out").rglob("*.*"):
        assert b"SECRET" not in output.read_bytes()
    assert listener.connections == []


def test_the_renderer_refuses_addresses_the_compiler_never_saw(listener: Listener, tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG)
    for url in (listener.url("direct.png"), str(outside), outside.as_uri(), "img/relative.png"):
        vl = {"data": {"values": [{"a": 1, "b": 2}]}, "mark": {"type": "image", "width": 20, "height": 20},
              "encoding": {"x": {"field": "a", "type": "quantitative"}, "url": {"value": url}}}
        for fmt in ("png", "pdf", "svg", "html"):
            with pytest.raises(ExportError, match="the chart draws an image from"):
                render(vl, [fmt])
    assert listener.connections == []


def test_a_data_image_still_draws(listener: Listener) -> None:
    data = "data:image/png;base64," + base64.b64encode(PNG).decode()
    vl = {"data": {"values": [{"a": 1, "b": 2}]}, "mark": {"type": "image", "width": 20, "height": 20},
          "encoding": {"x": {"field": "a", "type": "quantitative"}, "url": {"value": data},
                       "href": {"value": listener.url("clicked")}}}
    out = render(vl, ["svg", "png", "pdf"])
    assert data.encode() in out["svg"] and out["png"].startswith(b"\x89PNG") and out["pdf"].startswith(b"%PDF")
    assert listener.connections == []
