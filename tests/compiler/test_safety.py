"""What the compiled Vega-Lite may ask for (compiler/safety.py, compiler/limits.py, data/images.py).

Hostile specs written three ways: plain Vega-Lite, a chartspec spec's ``vega_lite:`` patch, and a
layout's item patch. Each is refused with a diagnostic at the place the spec wrote the offending
value, by ``chartspec.to_vegalite`` and by ``chartspec validate`` alike; images inside the project
are inlined as data: URLs and become inputs of the spec.
"""

from __future__ import annotations

import base64
import struct
import zlib
from pathlib import Path

import pytest
from conftest import RunCli

import chartspec
from chartspec.compiler.limits import MAX_ROWS, MAX_SIDE
from chartspec.errors import ChartspecError, CompileError, Diagnostic, UsageError


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00\xff" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PNG = png_bytes()
PNG_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project (chartspec.toml) with specs/, an image inside it and one outside it."""
    root = tmp_path / "project"
    (root / "specs" / "img").mkdir(parents=True)
    (root / "chartspec.toml").write_text("", encoding="utf-8")
    (root / "specs" / "img" / "logo.png").write_bytes(PNG)
    (tmp_path / "outside.png").write_bytes(PNG)
    return root


def compile_file(path: Path) -> dict:  # type: ignore[type-arg]
    return chartspec.to_vegalite(chartspec.load(path))


def refused(path: Path, text: str) -> list[Diagnostic]:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChartspecError) as caught:
        compile_file(path)
    return list(caught.value.diagnostics)


def at(text: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """Line and column (1-based) of the n-th ``needle`` in ``text``."""
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def plain_image(url_line: str, rows: str = "[{a: 1, b: 2}]") -> str:
    return (f"data: {{values: {rows}}}\nmark: {{type: image, width: 20, height: 20}}\nencoding:\n"
            f"  x: {{field: a, type: quantitative}}\n  y: {{field: b, type: quantitative}}\n  url: {url_line}\n")


CHART = "data: {values: [{step: 1, loss: 2, img: img/logo.png}, {step: 2, loss: 1, img: img/logo.png}]}\n" \
        "x: {field: step}\nlayers:\n  - y: {field: loss}\n"


def patched_image(url_line: str) -> str:
    return (CHART + "vega_lite:\n  mark: {type: image, width: 20, height: 20}\n  layer: null\n  encoding:\n"
            "    x: {field: step, type: quantitative}\n    y: {field: loss, type: quantitative}\n"
            f"    url: {url_line}\n")


# -- images ---------------------------------------------------------------------------------------

REMOTE = ["http://127.0.0.1:9/x.png", "https://example.com/x.png", "file:///etc/hosts", "//example.com/x.png",
          "ftp://example.com/x.png", "data:text/html;base64,PGI+eDwvYj4=", "HTTP://127.0.0.1:9/x.png"]


@pytest.mark.parametrize("url", REMOTE)
@pytest.mark.parametrize("form", ["plain", "patch"])
def test_an_image_address_is_refused_where_the_spec_writes_it(project: Path, url: str, form: str) -> None:
    name, text = ("x.vl.yaml", plain_image(f'{{value: "{url}"}}')) if form == "plain" else \
        ("x.yaml", patched_image(f'{{value: "{url}"}}'))
    [d] = refused(project / "specs" / name, text)
    assert (d.line, d.column) == at(text, f'"{url}"')
    assert d.file and d.file.endswith(name)
    assert "the image" in d.message and url[:30] in d.message
    assert "network" in (d.hint or "")


@pytest.mark.parametrize("path, reason", [
    ("../../outside.png", "leads outside the project"),
    ("{outside}", "is an absolute path"),
    ("~/x.png", "is an absolute path"),
    ("img/missing.png", "is not a file"),
    ("img", "is not a file"),
    ("img/notes.txt", "is not a PNG, JPEG, GIF, WebP or SVG file"),
    ("img/fake.png", "is not a PNG image"),
    ("img/remote.svg", "refers to other files or addresses"),
    ("img/link.png", "leads outside the project"),
    ("img/script.svg", "with script or embedded content ('<script')"),
    ("img/onload.svg", "with script or embedded content ('onload')"),
    ("img/iframe.svg", "with script or embedded content ('<foreignobject')"),
    ("img/src.svg", "with script or embedded content ('src')"),
])
def test_a_local_image_outside_the_project_or_not_an_image_is_refused(project: Path, path: str,
                                                                      reason: str) -> None:
    images = project / "specs" / "img"
    (images / "notes.txt").write_text("hello", encoding="utf-8")
    (images / "fake.png").write_bytes(b"GIF89a" + PNG)
    (images / "remote.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><image href="http://127.0.0.1:9/a.png"/>'
                                       "</svg>", encoding="utf-8")
    (images / "link.png").symlink_to(project.parent / "outside.png")
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9">{}</svg>'
    (images / "script.svg").write_text(svg.format("<script>alert(1)</script>"), encoding="utf-8")
    (images / "onload.svg").write_text(svg.format('<rect width="9" height="9" onload="alert(2)"/>'), encoding="utf-8")
    (images / "iframe.svg").write_text(svg.format('<foreignObject><iframe xmlns="http://www.w3.org/1999/xhtml" '
                                                  'src="http://127.0.0.1:9/"/></foreignObject>'), encoding="utf-8")
    (images / "src.svg").write_text(svg.format('<g><x-frame src="http://127.0.0.1:9/"/></g>'), encoding="utf-8")
    path = path.format(outside=project.parent / "outside.png")
    text = patched_image(f'{{value: "{path}"}}')
    [d] = refused(project / "specs" / "x.yaml", text)
    assert reason in d.message and (d.line, d.column) == at(text, f'"{path}"')


def test_local_images_are_inlined_and_become_inputs(project: Path) -> None:
    (project / "specs" / "img" / "mark.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><defs><linearGradient id="g"/></defs>'
        '<rect width="4" height="4" fill="url(#g)"/></svg>', encoding="utf-8")
    path = project / "specs" / "x.yaml"
    path.write_text(patched_image("{field: img}"), encoding="utf-8")
    spec = chartspec.load(path)
    vl = chartspec.to_vegalite(spec)
    assert [row["img"] for row in vl["data"]["values"]] == [PNG_URL, PNG_URL]
    assert (project / "specs" / "img" / "logo.png").resolve() in spec.inputs
    plain = project / "specs" / "y.vl.yaml"
    plain.write_text(plain_image('{value: "img/mark.svg"}'), encoding="utf-8")
    vl = compile_file(plain)
    assert vl["encoding"]["url"]["value"].startswith("data:image/svg+xml;base64,")
    assert (project / "specs" / "img" / "mark.svg").resolve() in chartspec.load(plain).inputs


def test_a_url_field_is_checked_row_by_row(project: Path) -> None:
    rows = '[{a: 1, b: 2, img: img/logo.png}, {a: 2, b: 3, img: "http://127.0.0.1:9/2.png"}]'
    text = plain_image("{field: img}", rows)
    [d] = refused(project / "specs" / "x.vl.yaml", text)
    assert d.message.startswith("row 2 of the data, field 'img': the image 'http://127.0.0.1:9/2.png'")
    assert (d.line, d.column) == at(text, '"http://127.0.0.1:9/2.png"')  # the row is written in the spec
    # rows read from a data file: located at the channel naming the field
    (project / "specs" / "pics.csv").write_text("step,loss,img\n1,2,img/logo.png\n2,1,../../outside.png\n",
                                                encoding="utf-8")
    text = patched_image("{field: img}").replace(CHART.splitlines()[0], "data: {path: pics.csv}")
    [d] = refused(project / "specs" / "y.yaml", text)
    assert d.message.startswith("row 2 of the data, field 'img': the image '../../outside.png' leads outside")
    assert (d.line, d.column) == at(text, "{field: img}")


def test_conditions_data_urls_and_layout_items_are_checked(project: Path) -> None:
    text = plain_image('{condition: {test: "datum.a > 1", value: "https://example.com/a.png"}, value: img/logo.png}')
    [d] = refused(project / "specs" / "a.vl.yaml", text)
    assert (d.line, d.column) == at(text, '"https://example.com/a.png"')
    text = CHART + 'vega_lite:\n  data: {values: null, url: "http://127.0.0.1:9/data.csv"}\n'
    [d] = refused(project / "specs" / "b.yaml", text)
    assert "data is read from a URL" in d.message and (d.line, d.column) == at(text, '"http://127.0.0.1:9/data.csv"')
    text = ("data: {values: [{step: 1, loss: 2}]}\nhconcat:\n  - x: {field: step}\n    layers: [{y: {field: loss}}]\n"
            "  - x: {field: step}\n    layers: [{y: {field: loss}}]\n"
            '    vega_lite: {mark: {type: image, url: "http://127.0.0.1:9/i.png"}, layer: null,'
            " encoding: {x: {field: step, type: quantitative}}}\n")
    [d] = refused(project / "specs" / "c.yaml", text)
    assert (d.line, d.column) == at(text, '"http://127.0.0.1:9/i.png"')


# -- links ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("href", ["javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,<b>x</b>",
                                  "vbscript:x", "page.html", "/docs/", "file:///etc/hosts"])
def test_a_link_must_be_a_web_address(project: Path, href: str) -> None:
    text = (f'data: {{values: [{{a: 1, b: 2}}]}}\nmark: point\nencoding:\n  x: {{field: a, type: quantitative}}\n'
            f'  href: {{value: "{href}"}}\n')
    [d] = refused(project / "specs" / "x.vl.yaml", text)
    assert "the link" in d.message and (d.line, d.column) == at(text, f'"{href}"')
    assert "http" in (d.hint or "")


def test_web_links_are_kept_as_links(project: Path) -> None:
    path = project / "specs" / "x.vl.yaml"
    path.write_text('data: {values: [{a: 1, u: "https://example.com/a?b=1"}]}\n'
                    'mark: {type: point, href: "http://example.com/"}\nencoding:\n  x: {field: a, type: quantitative}\n'
                    "  href: {field: u}\n", encoding="utf-8")
    vl = compile_file(path)
    assert vl["mark"]["href"] == "http://example.com/" and vl["data"]["values"][0]["u"] == "https://example.com/a?b=1"


# -- embed options --------------------------------------------------------------------------------

@pytest.mark.parametrize("name, text", [
    ("x.vl.yaml", "data: {values: [{a: 1}]}\nmark: point\nusermeta:\n  embedOptions: {actions: true}\n"),
    ("x.yaml", CHART + 'vega_lite:\n  usermeta:\n    embedOptions: {editorUrl: "javascript:alert(1)"}\n'),
])
def test_a_spec_cannot_set_the_pages_embed_options(project: Path, name: str, text: str) -> None:
    [d] = refused(project / "specs" / name, text)
    assert "embed options" in d.message and (d.line, d.column) == at(text, "embedOptions")


def test_other_user_metadata_is_kept(project: Path) -> None:
    path = project / "specs" / "x.vl.yaml"
    path.write_text('data: {values: [{a: 1}]}\nmark: point\nusermeta: {url: "http://127.0.0.1:9/", owner: me}\n',
                    encoding="utf-8")
    assert compile_file(path)["usermeta"] == {"url": "http://127.0.0.1:9/", "owner": "me"}


# -- sizes ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, text, needle, words", [
    ("a.yaml", CHART + "vega_lite: {width: 100000}\n", "100000", "the width is 100,000 px"),
    ("b.vl.yaml", "data: {values: [{a: 1}]}\nmark: point\nheight: 100000\n", "100000", "the height is 100,000 px"),
    ("c.vl.yaml", "data: {values: [{a: 1}]}\nmark: bar\nwidth: {step: 50000}\n", "50000", "the step is 50,000 px"),
    ("d.vl.yaml", "data: {values: [{a: 1}]}\nmark: point\nconfig: {view: {continuousWidth: 1e6}}\n", "1e6",
     "config.view.continuousWidth is 1,000,000 px"),
    ("e.vl.yaml", "data: {values: [{a: 1}]}\nmark: point\npadding: 99999\n", "99999", "the padding is 99,999 px"),
    ("f.vl.yaml", "data: {values: [{a: 1}]}\nmark: point\nwidth: 10000\nheight: 10000\n", "10000",
     "the view is 10,000 x 10,000 px: more than the limit of 40,000,000 pixels"),
    ("g.vl.yaml", "data: {sequence: {start: 0, stop: 1e9, as: a}}\nmark: point\n", "{start", "1,000,000,000 rows"),
    ("h.vl.yaml", "data: {sequence: {start: 0, stop: 10, step: 0, as: a}}\nmark: point\n", "{start", "endless rows"),
])
def test_sizes_over_the_limits_are_refused_where_written(project: Path, name: str, text: str, needle: str,
                                                         words: str) -> None:
    [d] = refused(project / "specs" / name, text)
    assert words in d.message and (d.line, d.column) == at(text, needle)
    assert "CHARTSPEC_MAX_" in (d.hint or "")


def test_inline_rows_beyond_what_vega_can_draw_are_refused_where_written(project: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # plain Vega-Lite is drawn as written (no reduction): too many rows fail before Vega runs
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "5")
    text = "data: {values: [{a: 1}, {a: 2}, {a: 3}]}\nmark: point\ndatasets:\n  more: [{a: 1}, {a: 2}, {a: 3}]\n"
    [d] = refused(project / "specs" / "rows.vl.yaml", text)
    assert "hands 6 rows of data to Vega: more than the limit of 5" in d.message
    assert (d.line, d.column) == at(text, "[{a: 1}")  # the largest list, the first of equals
    assert "CHARTSPEC_MAX_DRAWN_ROWS" in (d.hint or "")
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "6")
    assert len(compile_file(project / "specs" / "rows.vl.yaml")["data"]["values"]) == 3


def test_the_charts_of_a_layout_add_up(project: Path) -> None:
    item = "  - x: {field: step}\n    width: 4000\n    layers: [{y: {field: loss}}]\n"
    text = "data: {values: [{step: 1, loss: 2}]}\nhconcat:\n" + item * 5
    [d] = refused(project / "specs" / "x.yaml", text)
    assert "take 20,000 x" in d.message and (d.line, d.column) == at(text, "hconcat")
    assert f"{MAX_SIDE:,}" in d.message


def test_the_limits_can_be_raised_for_a_build(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project / "specs" / "x.vl.yaml"
    path.write_text("data: {sequence: {start: 0, stop: 2000000, as: a}}\nmark: point\nwidth: 20000\n", encoding="utf-8")
    with pytest.raises(CompileError):
        compile_file(path)
    monkeypatch.setenv("CHARTSPEC_MAX_SIDE", "20_000")
    monkeypatch.setenv("CHARTSPEC_MAX_ROWS", str(2 * MAX_ROWS))
    assert compile_file(path)["width"] == 20000
    monkeypatch.setenv("CHARTSPEC_MAX_ROWS", "lots")
    with pytest.raises(UsageError, match="CHARTSPEC_MAX_ROWS must be a positive whole number"):
        compile_file(path)


# -- the command line -----------------------------------------------------------------------------

def test_validate_reports_what_a_build_would_refuse(project: Path, run_cli: RunCli) -> None:
    text = plain_image('{value: "http://127.0.0.1:9/x.png"}') + "usermeta: {embedOptions: {actions: true}}\n"
    (project / "specs" / "x.vl.yaml").write_text(text, encoding="utf-8")
    proc = run_cli("validate", "specs/x.vl.yaml", cwd=project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    line, column = at(text, '"http://127.0.0.1:9/x.png"')
    assert f"specs/x.vl.yaml:{line}:{column}: error: the image 'http://127.0.0.1:9/x.png' is a network address" \
        in proc.stderr
    assert f"specs/x.vl.yaml:{at(text, 'embedOptions')[0]}:" in proc.stderr
    assert "Traceback" not in proc.stderr


FONT_SPECS = {
    "patch": 'data: {values: [{a: 1}]}\nx: {field: a}\nlayers: [{y: {field: a}}]\nvega_lite: {config: {font: "x<"}}\n',
    "plain": '{"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "data": {"values": [{"a": 1}]},\n'
             ' "mark": {"type": "text", "font": "b&"}, "encoding": {"text": {"field": "a"}}}\n',
    "axis": 'data: {values: [{a: 1}]}\nx: {field: a}\nlayers: [{y: {field: a}}]\n'
            'vega_lite: {config: {axis: {labelFont: "Arial&x"}, title: {fontStyle: "i<"}}}\n',
}


@pytest.mark.parametrize("kind", sorted(FONT_SPECS))
def test_a_font_the_renderer_would_abort_on_is_refused_where_it_is_written(project: Path, kind: str) -> None:
    text = FONT_SPECS[kind]
    name = "chart.vl.json" if kind == "plain" else "chart.yaml"
    problems = refused(project / "specs" / name, text)
    bad = [v for v in ('"x<"', '"b&"', '"Arial&x"', '"i<"') if v in text]
    assert len(problems) == len(bad)
    for problem, value in zip(problems, bad):
        assert "which the renderer cannot measure text with" in problem.message
        assert (problem.line, problem.column) == at(text, value)


def test_a_theme_file_font_is_refused_at_its_line(project: Path, run_cli: RunCli) -> None:
    specs = project / "specs"
    (specs / "themes").mkdir()
    (specs / "themes" / "brand.json").write_text('{\n  "title": {"fontStyle": "x&y"}\n}\n', encoding="utf-8")
    (specs / "bad.yaml").write_text("theme: themes/brand.json\ndata: {values: [{a: 1}]}\nx: {field: a}\n"
                                    "layers: [{y: {field: a}}]\n", encoding="utf-8")
    (specs / "good.yaml").write_text("data: {values: [{a: 1}]}\nx: {field: a}\nlayers: [{y: {field: a}}]\n"
                                     "vega_lite: {config: {font: 'Helvetica Neue, x>y'}}\n", encoding="utf-8")
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg", cwd=project)
    assert proc.returncode == 1, proc.stderr
    assert "brand.json:2:26: error: invalid theme: fontStyle 'x&y' holds '&'" in proc.stderr
    assert "SIGABRT" not in proc.stderr and "crashed" not in proc.stderr
    assert sorted(p.name for p in (project / "out").iterdir() if p.suffix == ".svg") == ["good.svg"]


def test_the_drawing_limit_cannot_be_passed_by_rows_dressed_as_the_hover_table(project: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the data of chartspec's hover layer is left out of the count, at most 20,000 rows of it:
    rows whose keys start with '__hover_' were left out wherever they were."""
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "5")
    rows = ", ".join(f"{{__hover_a: {i}}}" for i in range(8))
    [d] = refused(project / "specs" / "spoof.vl.yaml", f"data: {{values: [{rows}]}}\nmark: point\n")
    assert "hands 8 rows of data to Vega" in d.message
