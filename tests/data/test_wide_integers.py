"""Integers beyond int64 read the same on both paths, and name their series as Vega does.

DuckDB types a column holding 9300000000000000001 as DOUBLE (the engine's path, past ~10,000
rows); the CSV reader already read such a cell as a float (numbers.cell_value), but JSON, JSON
Lines and inline rows kept the exact integer: three series ids 9.3e18 + 0, 1, 2 were three
series in a small file and one in a large one. The honest behaviour is the engine's: Vega reads
every number as a double, so these are one value there too; both paths now read them as floats.
The series' names were Python's text of the value ("9.3e+18") where Vega's toString() writes
"9300000000000000000": the colour scale found no colour and the line drew in none.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import vl_convert as vlc
from conftest import drawn_vegalite, write_tree

import chartspec

SPEC = "data: {data}\nx: {{field: step}}\nlayers:\n  - {{mark: line, y: {{field: loss}}, color: {{field: id}}}}\n"


def _rows(n: int) -> list[dict[str, object]]:
    return [{"step": i, "id": 9_300_000_000_000_000_000 + i % 3 if i % 2 else 5, "loss": 1 / (i + 1)} for i in range(n)]


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_integers_beyond_int64_read_alike_small_and_large(tmp_path: Path, kind: str) -> None:
    seen = {}
    for n in (30, 30_000):  # Python's reader, the engine's
        rows = _rows(n)
        text = ("".join(json.dumps(r) + "\n" for r in rows) if kind == "jsonl"
                else "step,id,loss\n" + "".join(f"{r['step']},{r['id']},{r['loss']}\n" for r in rows))
        write_tree(tmp_path, {"chartspec.toml": "", f"d{n}.{kind}": text, "c.yaml": SPEC.format(data=f"d{n}.{kind}")})
        spec = chartspec.load(tmp_path / "c.yaml")
        seen[n] = {v for r in spec.table.rows if isinstance(v := r["id"], (int, float)) and v > 1e18}
        vl = json.dumps(chartspec.to_vegalite(spec))
        assert re.findall(r'"domain": \[("[^\]]*")\]', vl)[0] == '"5", "9300000000000000000"', (kind, n)
    assert seen[30] == seen[30_000] == {9.3e18}  # floats on both paths: one series, as in Vega


def test_a_series_beyond_2_53_is_drawn_in_its_colour(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.jsonl": "".join(json.dumps(r) + "\n" for r in _rows(30)),
                          "c.yaml": SPEC.format(data="d.jsonl")})
    svg = vlc.vegalite_to_svg(drawn_vegalite(chartspec.load(tmp_path / "c.yaml")))
    lines = re.findall(r'<g class="mark-line role-mark[^>]*>(.*?)</g>', svg, re.S)
    strokes = [re.findall(r'stroke="(#[0-9a-fA-F]+)"', line) for line in lines]
    assert len(strokes) == 2 and all(strokes), strokes  # each series in a colour ("9.3e+18" found none)
