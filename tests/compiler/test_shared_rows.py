"""A build's compiles share the loaded rows (compiler/chart.py ``share_rows``): the same Vega-Lite,
no copies of the rows, and copies all the same where the safety check may swap values in rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import write_tree

import chartspec
from chartspec.compiler.vegalite import compile_vegalite
from chartspec.data.images import inline_rows

ROWS = "".join(f'{i},{i % 7},"https://example.com/{i}"\n' for i in range(10))
SPEC = "data: m.csv\nx: {field: step}\nlayers:\n  - {y: {field: v}}\n"


def _spec(tmp_path: Path, extra: str = "") -> chartspec.Spec:
    write_tree(tmp_path, {"chartspec.toml": "", "m.csv": "step,v,u\n" + ROWS, "chart.yaml": SPEC + extra})
    return chartspec.load(tmp_path / "chart.yaml")


def _row_ids(vl: dict[str, Any], spec: chartspec.Spec) -> tuple[int, int]:
    """(rows of ``vl`` that are the loaded table's own dicts, rows in all), hover rows left out."""
    own = {id(row) for row in spec.table.rows}
    rows = [row for _, table in inline_rows(vl) for row in table if not any(k.startswith("__hover_") for k in row)]
    return sum(id(row) in own for row in rows), len(rows)


def test_shared_rows_give_the_same_chart_without_copies(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "title: the link u\n")  # every column named: the rows go in as they are
    copied, shared = compile_vegalite(spec), compile_vegalite(spec, share_rows=True)
    assert shared == copied
    assert _row_ids(copied, spec)[0] == 0  # the API's default: rows of its own
    same, total = _row_ids(shared, spec)
    assert total >= 10 and same == total


def test_rows_holding_columns_the_spec_never_names_are_copied_without_them(tmp_path: Path) -> None:
    spec = _spec(tmp_path)  # 'u' is never named: left out of the inline rows, so they are copies
    vl = compile_vegalite(spec, share_rows=True)
    assert vl == compile_vegalite(spec)
    same, total = _row_ids(vl, spec)
    assert total >= 10 and same == 0
    assert all("u" not in row for _, table in inline_rows(vl) for row in table)
    assert all("u" in row for row in spec.table.rows)  # the loaded table keeps every column


def test_rows_naming_links_are_copied(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "vega_lite:\n  encoding:\n    href: {field: u}\n")
    vl = compile_vegalite(spec, share_rows=True)
    assert vl == compile_vegalite(spec)
    same, total = _row_ids(vl, spec)
    assert total >= 10 and same == 0


def test_every_column_stays_where_a_tooltip_shows_every_field_and_rows_differ_in_keys(tmp_path: Path) -> None:
    """Vega-Lite's 'tooltip: {content: data}' (a theme's, or the spec's vega_lite patch) lists every
    field of a row: left-out columns vanished from it. And a JSON Lines log whose first row lacks a
    column was not pruned at all (only the first row's keys were read)."""
    spec = _spec(tmp_path, "vega_lite:\n  config: {mark: {tooltip: {content: data}}}\n")
    rows = [row for _, table in inline_rows(compile_vegalite(spec)) for row in table
            if not any(k.startswith("__hover_") for k in row)]
    assert len(rows) >= 10 and all("u" in row for row in rows)
    lines = ['{"step": 0, "v": 1}', *(f'{{"step": {i}, "v": {i % 3}, "junk": {i}}}' for i in range(1, 10))]
    write_tree(tmp_path, {"m.jsonl": "\n".join(lines) + "\n",
                          "j.yaml": "data: m.jsonl\nx: {field: step}\nlayers:\n  - {y: {field: v}}\n"})
    vl = compile_vegalite(chartspec.load(tmp_path / "j.yaml"))
    assert all("junk" not in row for _, table in inline_rows(vl) for row in table)


def test_columns_named_escaped_or_shown_by_a_tooltip_expression_stay(tmp_path: Path) -> None:
    """A patch's field 'a\\\\.b' (Vega-Lite's escape for the column a.b) and a tooltip of
    {expr: datum} lost their columns from the inline rows."""
    write_tree(tmp_path, {"m.csv": "step,v,a.b,w\n" + "".join(f"{i},{i % 3},{i},{i}\n" for i in range(10)),
                          "e.yaml": 'data: m.csv\nx: {field: step}\nlayers:\n  - {y: {field: v}}\n'
                                    'vega_lite:\n  encoding:\n    tooltip: [{field: "a\\\\.b"}]\n',
                          "t.yaml": "data: m.csv\nx: {field: step}\nlayers:\n  - {y: {field: v}}\n"
                                    "vega_lite:\n  config: {mark: {tooltip: {expr: datum}}}\n"})
    for name, column in (("e.yaml", "a.b"), ("t.yaml", "w")):
        vl = compile_vegalite(chartspec.load(tmp_path / name))
        rows = [row for _, table in inline_rows(vl) for row in table if not any(k.startswith("__hover_") for k in row)]
        assert rows and all(column in row for row in rows), name
