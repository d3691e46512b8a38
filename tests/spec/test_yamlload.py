"""The YAML loader: positions for every node, YAML 1.2 scalars, plain data only."""

from __future__ import annotations

import pytest

from chartspec.errors import SpecSyntaxError
from chartspec.spec.source import Position
from chartspec.spec.yamlload import MAX_DEPTH, load_yaml

TEXT = """\
title: T
x: {field: step}
layers:
  - mark: line
    y:
      field: loss
"""


def test_positions_of_values_and_keys() -> None:
    doc = load_yaml(TEXT, "s.yaml")
    src = doc.source
    assert src.values[("title",)] == Position(1, 8)
    assert src.keys[("title",)] == Position(1, 1)
    assert src.values[("x", "field")] == Position(2, 12)
    assert src.values[("layers", 0)] == Position(4, 5)
    assert src.keys[("layers", 0, "y", "field")] == Position(6, 7)
    assert src.values[("layers", 0, "y", "field")] == Position(6, 14)
    # Unknown paths fall back to the nearest ancestor.
    assert src.position(("layers", 0, "y", "nope")) == Position(6, 7)


@pytest.mark.parametrize("text, value", [
    ("a: yes", "yes"), ("a: on", "on"), ("a: NO", "NO"), ("a: true", True), ("a: False", False),
    ("a: 12:30", "12:30"), ("a: 2024-01-02", "2024-01-02"), ("a: 0x1f", 31), ("a: 0o17", 15),
    ("a: 007", 7), ("a: 1e3", 1000.0), ("a: .5", 0.5), ("a: ~", None), ("a:", None), ("a: .inf", ".inf"),
    ("a: '5'", "5"), ("a: 1_000", "1_000"),
])
def test_yaml_1_2_core_scalars(text: str, value: object) -> None:
    assert load_yaml(text).data == {"a": value}


def test_merge_keys_fill_missing_keys() -> None:
    data = load_yaml("base: &b {x: 1, y: 2}\nc: {<<: *b, y: 3}\n").data
    assert data["c"] == {"x": 1, "y": 3}


@pytest.mark.parametrize("text, message, line, column", [
    ("a: 1\na: 2\n", "duplicate key 'a'", 2, 1),
    ("a: !!python/object:os.system x\n", "unsupported tag", 1, 4),
    ("a: !custom 1\n", "unsupported tag '!custom'", 1, 4),
    ("? [1, 2]\n: x\n", "mapping keys must be plain strings", 1, 3),
    ("1: x\n", "mapping keys must be plain strings", 1, 1),
    ("a: 1\n---\nb: 2\n", "more than one YAML document", 2, 1),
    ("", "the spec is empty", 1, 1),
    ("a: [1,\n", "expected", 2, 1),
])
def test_refused_documents(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(SpecSyntaxError) as info:
        load_yaml(text, "s.yaml")
    diag = info.value.first
    assert message in diag.message
    assert (diag.file, diag.line, diag.column) == ("s.yaml", line, column)


def test_non_utf8_points_at_the_bad_byte() -> None:
    with pytest.raises(SpecSyntaxError) as info:
        load_yaml(b"title: ok\nx: caf\xe9\n", "s.yaml")
    diag = info.value.first
    assert (diag.line, diag.column) == (2, 7)
    assert "0xe9" in diag.message and diag.hint == "save the file as UTF-8"


def test_utf8_bom_is_accepted() -> None:
    assert load_yaml("\ufeffa: 1".encode()).data == {"a": 1}


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    with pytest.raises(SpecSyntaxError, match=f"deeper than {MAX_DEPTH}"):
        load_yaml("a: " + "[" * 100_000)


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(SpecSyntaxError, match="nesting deeper"):
        load_yaml("a: &a [*a]\n")


def test_alias_bomb_is_refused_quickly() -> None:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]" for p, c in zip("abcdefgh", "bcdefghi")]
    with pytest.raises(SpecSyntaxError, match="expands to more than"):
        load_yaml("\n".join(levels) + "\n")


def test_a_document_large_as_written_is_not_blamed_on_aliases(monkeypatch: pytest.MonkeyPatch) -> None:
    """40,000 inline rows and no alias: 'expands ... aliases (*name) ...' named a cause it did not
    have (the limit lowered here: composing 100,000 nodes takes seconds)."""
    import chartspec.spec.yamlload as yamlload

    monkeypatch.setattr(yamlload, "MAX_NODES", 1_000)
    rows = "".join(f"  - {{step: {i}, loss: {i % 7}}}\n" for i in range(400))
    with pytest.raises(SpecSyntaxError) as err:
        load_yaml("data:\n values:\n" + rows)
    [d] = err.value.diagnostics
    assert "more than 1,000 values" in d.message and "alias" not in d.message + (d.hint or "")
    assert "CSV or Parquet" in (d.hint or "") and d.line > 100  # where the count ran out
    with pytest.raises(SpecSyntaxError, match="expands to more than 1,000 nodes"):  # aliases: as before
        load_yaml("a: &a [" + ", ".join(["x"] * 100) + "]\nb: [" + ", ".join(["*a"] * 20) + "]\n")
