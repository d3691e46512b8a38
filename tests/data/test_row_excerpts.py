"""A row with too few or too many fields shows its line with a caret on both readers (breaker: a
short row at line 150,002 of a large CSV printed no excerpt; the engine names a line, never its
text, so it is read from the file; one among the rows DuckDB's sniffer samples gave "Error when
sniffing file" with the file's absolute path and no line: the row is found as the Python reader finds it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.errors import ChartspecError


@pytest.mark.parametrize("engine_read", [False, True])
@pytest.mark.parametrize(("bad", "fields"), [("1500", 1), ("1500,1,2,3", 4)])
@pytest.mark.parametrize("delimiter", [",", "\t"])
@pytest.mark.parametrize("at", [1502, 25_002])  # among the engine's sniffed rows (its error named no line), past them
def test_a_row_of_the_wrong_width_shows_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine_read: bool,
                                                 bad: str, fields: int, delimiter: str, at: int) -> None:
    lines = ["step,loss,acc"] + [f"{i},{1 / (i + 1)},{i % 7}" for i in range(at + 1000)]
    lines[at - 1] = bad
    name = "d.csv" if delimiter == "," else "d.tsv"
    write_tree(tmp_path, {"chartspec.toml": "", name: "\n".join(lines).replace(",", delimiter) + "\n",
                          "c.yaml": f"data: {name}\nx: {{field: step}}\nlayers: [{{mark: line, y: {{field: loss}}}}]\n"})
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0 if engine_read else 1 << 40)
    with pytest.raises(ChartspecError) as caught:
        chartspec.load(tmp_path / "c.yaml")
    d = caught.value.diagnostics[0]
    assert d.message == f"row has {fields} fields but the header has 3"
    assert (Path(d.file or "").name, d.line, d.column, d.source_line) == (name, at, 1, bad.replace(",", delimiter))
