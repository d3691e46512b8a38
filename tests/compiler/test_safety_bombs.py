"""Hostile images and escapes the renderer would choke on (compiler/safety.py, data/imagesize.py,
data/undrawable.py): an image whose header claims billions of pixels, and an expression that builds
a control character at render time (vl-convert aborts the process on one). Both are refused with
a position by ``chartspec validate`` and a build, before anything decodes or renders them.
"""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path

import pytest
from conftest import RunCli
from test_safety import PNG, at, compile_file, patched_image, project, refused  # noqa: F401 (a fixture)

from chartspec.compiler.limits import MAX_PIXELS
from chartspec.data.undrawable import undrawable_escape


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int) -> bytes:
    """A PNG claiming ``width`` x ``height`` RGBA pixels, with a tiny IDAT: never decoded here."""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def riff(kind: bytes, body: bytes) -> bytes:
    return b"RIFF" + struct.pack("<I", 4 + 8 + len(body)) + b"WEBP" + kind + struct.pack("<I", len(body)) + body


def vp8l(width: int, height: int) -> bytes:
    return riff(b"VP8L", b"\x2f" + ((width - 1) | (height - 1) << 14).to_bytes(4, "little") + b"\x00" * 8)


BOMBS = {  # name -> (bytes, width, height)
    "big.png": (png_header(32000, 32000), 32000, 32000),
    "big.gif": (b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x00" * 8, 65535, 65535),
    # APP0 segment first, then a baseline frame header (SOF0) claiming 60000 x 50000
    "big.jpg": (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00" + b"\x00" * 9
                + b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, 50000, 60000, 3) + b"\x00" * 9, 60000, 50000),
    "lossy.webp": (riff(b"VP8 ", b"\x00\x00\x00\x9d\x01\x2a" + struct.pack("<HH", 16000, 16000) + b"\x00" * 4),
                   16000, 16000),
    "lossless.webp": (vp8l(16000, 9000), 16000, 9000),
    "extended.webp": (riff(b"VP8X", b"\x00" * 4 + (99999).to_bytes(3, "little") + (99999).to_bytes(3, "little")),
                      100000, 100000),
    "sized.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" width="50000px" height="50000"></svg>', 50000, 50000),
    "boxed.svg": (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 90000 90000"></svg>', 90000, 90000),
}


@pytest.mark.parametrize("name", sorted(BOMBS))
def test_an_image_claiming_too_many_pixels_is_refused_where_named(project: Path, name: str) -> None:  # noqa: F811
    data, width, height = BOMBS[name]
    (project / "specs" / "img" / name).write_bytes(data)
    text = patched_image(f'{{value: "img/{name}"}}')
    [d] = refused(project / "specs" / "x.yaml", text)
    assert (d.line, d.column) == at(text, f'"img/{name}"')
    assert f"img/{name}" in d.message and f"{width:,} x {height:,} px" in d.message
    assert f"{MAX_PIXELS:,} pixels" in d.message and "CHARTSPEC_MAX_PIXELS" in (d.hint or "")


def test_a_data_url_bomb_and_a_headless_png_are_refused(project: Path) -> None:  # noqa: F811
    url = "data:image/png;base64," + base64.b64encode(png_header(32000, 32000)).decode()
    text = patched_image(f'{{value: "{url}"}}')
    [d] = refused(project / "specs" / "x.yaml", text)
    assert "32,000 x 32,000 px" in d.message and (d.line, d.column) == at(text, f'"{url}"')
    (project / "specs" / "img" / "cut.png").write_bytes(PNG[:12])  # right magic, no IHDR
    [d] = refused(project / "specs" / "x.yaml", patched_image('{value: "img/cut.png"}'))
    assert "gives no size" in d.message


def test_the_pixel_limit_is_the_charts_and_can_be_raised(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    (project / "specs" / "img" / "wide.png").write_bytes(png_header(8000, 6000))  # 48 M pixels
    path = project / "specs" / "x.yaml"
    [d] = refused(path, patched_image('{value: "img/wide.png"}'))
    assert "8,000 x 6,000 px" in d.message
    monkeypatch.setenv("CHARTSPEC_MAX_PIXELS", "50_000_000")
    assert compile_file(path)["encoding"]["url"]["value"].startswith("data:image/png;base64,")
    (project / "specs" / "img" / "small.svg").write_bytes(b'<svg xmlns="http://www.w3.org/2000/svg" width="100%"/>')
    path.write_text(patched_image('{value: "img/small.svg"}'), encoding="utf-8")
    assert compile_file(path)["encoding"]["url"]["value"].startswith("data:image/svg+xml;base64,")


# -- escapes of undrawable characters --------------------------------------------------------------

@pytest.mark.parametrize("text, found", [
    (r"'A\u0001B'", "U+0001"), (r"'\x1f'", "U+001F"), (r"'\u{1}'", "U+0001"), (r"'\u{0000b}'", "U+000B"),
    (r"'a\1'", "U+0001"), (r"'\01'", "U+0001"), (r"'\0'", "U+0000"), (r"'\37'", "U+001F"),
    (r"'\uD800x'", "U+D800"), (r"'\uDC00'", "U+DC00"), (r"'\uffff'", "U+FFFF"), (r"'\\\u0002'", "U+0002"),
])
def test_escapes_of_undrawable_characters_are_found(text: str, found: str) -> None:
    assert found in (undrawable_escape(text) or "")


@pytest.mark.parametrize("text", [r"'\n\t\r'", r"'\u00e9'", r"'\\u0001'", r"'\uD83D\uDE00'", r"'\u{1F600}'",
                                  r"'\x41\101'", r"'\8\9'", r"datum.a + '\u0020'", r"'\u{110000}'"])
def test_ordinary_escapes_are_accepted(text: str) -> None:
    assert undrawable_escape(text) is None


PLAIN = {"data": {"values": [{"a": 1, "b": 2}]}, "mark": "text",
         "encoding": {"x": {"field": "a", "type": "quantitative"}, "text": {"field": "c"}},
         "transform": [{"calculate": "'A\\u0001B'", "as": "c"}]}
PATCHED = ("data: {values: [{step: 1, loss: 2}]}\nx: {field: step}\nlayers:\n  - y: {field: loss}\n"
           "vega_lite:\n  title: {text: {expr: \"'run\\\\u0001x'\"}}\n")


def write_specs(folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    texts = {"c.vl.json": json.dumps(PLAIN, indent=1), "t.yaml": PATCHED}
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return texts


def test_an_expression_building_a_control_character_is_refused_where_written(project: Path) -> None:  # noqa: F811
    texts = write_specs(project / "specs")
    [d] = refused(project / "specs" / "c.vl.json", texts["c.vl.json"])
    assert (d.line, d.column) == at(texts["c.vl.json"], '"\'A')
    assert "\\u0001 (U+0001)" in d.message
    [d] = refused(project / "specs" / "t.yaml", texts["t.yaml"])
    assert (d.line, d.column) == at(texts["t.yaml"], "\"'run") and "U+0001" in d.message


def test_ordinary_escapes_in_expressions_still_compile(project: Path) -> None:  # noqa: F811
    spec = dict(PLAIN, transform=[{"calculate": "'A\\n\\u00e9\\\\u0001B'", "as": "c"}])
    path = project / "specs" / "ok.vl.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    assert compile_file(path)["transform"][0]["calculate"] == "'A\\n\\u00e9\\\\u0001B'"


@pytest.mark.parametrize("command", [("validate", "specs"), ("build", "specs", "-j", "0", "-f", "svg")])
def test_validate_and_build_explain_instead_of_aborting(project: Path, run_cli: RunCli,  # noqa: F811
                                                       command: tuple[str, ...]) -> None:
    texts = write_specs(project / "specs")
    proc = run_cli(*command, cwd=project)
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    output = proc.stdout + proc.stderr
    for name, needle in (("c.vl.json", '"\'A'), ("t.yaml", "\"'run")):
        line, column = at(texts[name], needle)
        assert f"specs/{name}:{line}:{column}: error: the escape \\u0001 (U+0001)" in output, output
    assert "Traceback" not in output
