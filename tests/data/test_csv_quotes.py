"""An unterminated quote in a CSV/TSV file is reported where it opened, on both readers (breakfix3):
Python's csv module failed at the file's last line ('unexpected end of data') or where the field
outgrew its limit (line 85,925 of 150,000), DuckDB with 'Error when sniffing file' and no line."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.data.csvquote import open_quote
from chartspec.errors import ChartspecError


@pytest.fixture(params=["python", "engine"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "engine":
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0)  # every CSV/TSV file goes to DuckDB
    return str(request.param)


def _error(tmp_path: Path, name: str, text: str) -> str:
    write_tree(tmp_path, {"chartspec.toml": "", name: text,
                          "chart.yaml": f"data: {name}\nx: {{field: step}}\nlayers:\n  - {{y: {{field: loss}}}}\n"})
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(tmp_path / "chart.yaml")
    return caught.value.diagnostics[0].format(context=True).replace(str(tmp_path) + "/", "")


@pytest.mark.parametrize(("name", "text", "where", "line"), [
    ("m.csv", 'step,loss,note\n0,1,a\n1,2,"oops\n2,3,c\n3,4,d\n', "3:5", '1,2,"oops'),
    ("m.tsv", 'step\tloss\tnote\n0\t1\ta\n1\t2\t"oops\n2\t3\tc\n', "3:5", '1\t2\t"oops'),
    # a later quote inside a field "closes" it: still the quote that opened the field is the mistake
    ("m.csv", 'step,loss,note\n0,1,"fine, quoted"\n1,2,"oops\n2,3,c\n3,4,a"b\n4,5,e\n', "3:5", '1,2,"oops'),
])
def test_an_unterminated_quote_is_reported_where_it_opened(tmp_path: Path, path_kind: str, name: str, text: str,
                                                           where: str, line: str) -> None:
    kind = "TSV" if name.endswith(".tsv") else "CSV"
    found = _error(tmp_path, name, text)
    assert found.startswith(f"{name}:{where}: error: malformed {kind}: a quoted field opens here and is never "
                            f"closed\n    3 | {line}\n"), found


def test_a_long_file_points_at_the_quote_not_where_the_field_outgrew_its_limit(tmp_path: Path, path_kind: str) -> None:
    rows = ["step,loss"] + [f"{i},{i % 7}" for i in range(150_000)]
    rows[3] = '2,"3'
    rows[85_925] = '85924,1"5'
    found = _error(tmp_path, "big.csv", "\n".join(rows) + "\n")
    assert found.startswith("big.csv:4:3: error: malformed CSV: a quoted field opens here and is never closed"), found


@pytest.mark.parametrize(("text", "at"), [
    ('a,"b",c\n', None), ('a,"b ""q"" c",d\n', None), ('a,"b\nc",d\n', None), ('a,b"c,d\n', None),
    ('a,"b\n', 2), ('a,"b"x,c\n', 2), ('"a\n', 0),
])
def test_open_quote(text: str, at: int | None) -> None:
    assert open_quote(text, ",") == at
