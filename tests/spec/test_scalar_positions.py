"""Positions inside string values (spec/scalars.py): every character of a scalar is found where
the source writes it, whatever the style PyYAML writes it in (breaker 4's F8)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import RunCli
from hypothesis import given, settings
from hypothesis import strategies as st

from chartspec.spec.scalars import character_position
from chartspec.spec.source import Position, split_lines

_STYLES = [None, "'", '"', "|", ">"]


def _scalar(document: str, *, nested: bool = False) -> tuple[list[str], Position, str]:
    node = yaml.compose(document).value[0][1]
    node = node.value[0][1] if nested else node
    return split_lines(document), Position(node.start_mark.line + 1, node.start_mark.column + 1), node.value


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from("ab (+)\n\t\"'\\é#:\x07\U0001f600"), min_size=1, max_size=60),
       st.sampled_from(_STYLES), st.integers(8, 80), st.integers(2, 6), st.booleans())
def test_each_character_is_where_the_source_writes_it(text: str, style: str | None, width: int, indent: int,
                                                      nested: bool) -> None:
    document = yaml.dump({"p": {"k": text}} if nested else {"k": text}, default_style=style, width=width,
                         indent=indent, allow_unicode=True)
    lines, start, value = _scalar(document, nested=nested)
    assert value == text
    found = [character_position(lines, start, value, i) for i in range(len(value) + 1)]
    if all(p is None for p in found):  # the reading gave up as a whole: only for what it says it does not follow
        assert style in ("|", ">") and any(c.isdigit() for c in lines[start.line - 1][start.column - 1:]), document
        return
    for i, (c, at) in enumerate(zip(value, found)):
        assert at is not None
        shown = lines[at.line - 1][at.column - 1] if at.column <= len(lines[at.line - 1]) else "\n"
        assert shown == c or shown == "\\" or (c in " \n" and shown in "\n") or (c == "'" and style == "'"), (
            document, i, c, at)
    assert found[-1] is not None


@pytest.mark.parametrize(("document", "offset", "expected"), [
    ("k: |\n  datum.a +\n    foo(1)\n", 12, (3, 5)),
    ("k: >\n  datum.a +\n  foo(1)\n", 10, (3, 3)),
    ("k: >-\n  a\n\n  b\n", 2, (4, 3)),
    ('k: "a \\"\\u00e9\\" b"\n', 6, (1, 18)),
    ('k: "a\n  b \\\n  c"\n', 4, (3, 3)),
    ("k: 'it''s x'\n", 5, (1, 11)),
    ("k: a\n  b\n", 2, (2, 3)),
    ('k: "\\ud83d\\ude00 x"', 2, (1, 17)),  # YAML keeps a surrogate pair two characters
])
def test_examples(document: str, offset: int, expected: tuple[int, int]) -> None:
    lines, start, value = _scalar(document)
    at = character_position(lines, start, value, offset)
    assert at is not None and (at.line, at.column) == expected, (value, at)


def test_validate_points_inside_block_and_escaped_scalars(tmp_path: Path, run_cli: RunCli) -> None:
    (tmp_path / "pos.yaml").write_text(
        "data: {values: [{loss: 1, step: 0}]}\nx: {field: step}\ntransform:\n"
        "  - calculate: |\n      datum.loss * 2 +\n        foo(datum.acc)\n    as: a\n"
        "  - calculate: >\n      datum.loss +\n      window.alert(1)\n    as: b\n"
        "  - calculate: \"datum.loss + \\\"\\u00e9\\\" + bar(1)\"\n    as: c\n"
        "  - calculate: 'datum.loss + ''q'' + baz(1)'\n    as: d\n"
        "layers:\n  - y: {field: loss}\n", encoding="utf-8")
    proc = run_cli("validate", "pos.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    for where in ("pos.yaml:6:9: error: in the expression 'datum.loss * 2 +\\n  foo(datum.acc)\\n': unknown function",
                  "pos.yaml:10:7: error: in the expression 'datum.loss + window.alert(1)\\n': only Vega's functions",
                  "pos.yaml:12:43: error:", "pos.yaml:14:38: error:"):
        assert where in proc.stderr, proc.stderr
    assert "   10 |       window.alert(1)\n      |       ^" in proc.stderr
