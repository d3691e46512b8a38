"""A CSV/TSV file that is not UTF-8 fails the same way on both readers, wherever the bad byte is.

Before: a file of 2 MB or more with a latin-1 'café' near its start gave "internal error in chartspec
(UnicodeDecodeError ...)" (the engine's header read decoded its first 8 KB), on build and validate;
with the byte deep in the file, in a column the chart does not draw, it built silently (DuckDB checks
only the text columns a query reads); under 2 MB, the same files failed at the byte's line and column.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import chartspec
from chartspec.data import engine, utf8
from chartspec.errors import ChartspecError

_HINT = "save the file as UTF-8 (a spreadsheet's \"CSV UTF-8\" type, or iconv -f latin1 -t utf-8 file.csv)"


@pytest.fixture(params=["python", "engine"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if request.param == "engine" else 1 << 40)
    return str(request.param)


def _error(tmp_path: Path, data: bytes, name: str = "m.csv") -> ChartspecError:
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / name).write_bytes(data)
    (tmp_path / "c.yaml").write_text(f"data: {name}\nx: {{field: step}}\nlayers:\n  - {{y: {{field: loss}}}}\n")
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(tmp_path / "c.yaml")
    return caught.value


@pytest.mark.parametrize("data, line, column, shown", [
    (b"step,loss,note\n0,1.5,caf\xe9\n1,2.5,ok\n", 2, 10, "0,1.5,caf"),  # in the engine's header read
    (b"step,loss,note\n" + b"".join(b"%d,0.5,ok\n" % i for i in range(3000)) + b"7,0.5,caf\xe9\n",
     3002, 10, "7,0.5,caf"),  # deep, in a column the chart does not draw
    (b"\xef\xbb\xbfstep,loss,n\xe9\n0,1,a\n", 1, 12, "step,loss,n"),  # after a BOM, in the header
    (b"step,loss,note\r\n0,1,\xc3\xa9\xe9\r\n", 2, 6, "0,1,é"),  # CRLF; after a good 'é'
    (b"step,loss,note\n0,1,caf\xc3", 2, 8, "0,1,caf"),  # the file ends inside a character
])
def test_a_byte_that_is_not_utf8_fails_at_its_place_on_both_readers(
        tmp_path: Path, reader: str, data: bytes, line: int, column: int, shown: str) -> None:
    err = _error(tmp_path, data)
    d = err.first
    assert d.message.startswith("data file is not valid UTF-8 (byte 0x"), d.message
    assert Path(d.file or "").name == "m.csv"
    assert (d.line, d.column, d.source_line, d.hint) == (line, column, shown, _HINT)
    assert "internal error" not in str(err)


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64])
def test_the_place_is_the_same_whatever_the_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   chunk: int) -> None:
    """A line, a \\r\\n or a character split over two reads of the engine's check (4 MB each)."""
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0)
    monkeypatch.setattr(utf8, "_CHUNK", chunk)
    data = b"step\tloss\tnote\r\n0\t1\t\xc3\xa9t\xc3\xa9\r\n1\t2\tna\xc3\xafve \xe2\x82\xac\r2\t3\tb\xc3\xa9\xff\n"
    d = _error(tmp_path, data, "m.tsv").first
    assert (d.line, d.column, d.source_line) == (4, 7, "2\t3\tbé")
    assert d.message == "data file is not valid UTF-8 (byte 0xff)"


def test_a_valid_file_still_reads_whatever_the_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0)
    monkeypatch.setattr(utf8, "_CHUNK", 3)
    (tmp_path / "chartspec.toml").write_text("")
    (tmp_path / "m.csv").write_bytes("step,loss,note\n0,1,été\n1,2,naïve €\n".encode())
    (tmp_path / "c.yaml").write_text("data: m.csv\nx: {field: step}\nlayers:\n  - {y: {field: loss}}\n")
    assert len(chartspec.load(tmp_path / "c.yaml").table.rows) == 2
