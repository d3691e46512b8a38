"""A categorical scale (band, point) on an axis of numbers is one fault, reported once: at the
scale, saying which type to write. A text column with 'scale: band' but no 'type' (numbers by
default) gave two errors, 'plotted as numbers but row 1 holds ...' and 'a band scale cannot draw
quantitative values', on a text mark as on any other."""

from __future__ import annotations

from pathlib import Path

from conftest import load_error, write_tree


def test_a_band_scale_on_a_text_column_without_a_type_is_one_error_at_the_scale(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "name,v\na,1\nb,2\n"})
    for spec, at in (("data: d.csv\nx: {field: v}\nlayers:\n  - {mark: text, y: {field: name, scale: band}, text: v}\n",
                      (4, 42)),
                     ("data: d.csv\nx: {field: name, scale: point}\nlayers:\n  - {mark: point, y: {field: v}}\n",
                      (2, 25))):
        err = load_error(tmp_path / "a.yaml", spec)
        [d] = err.diagnostics
        assert (d.line, d.column) == at, d
        assert "draws categories" in d.message and "quantitative (the default)" in d.message, d.message
        assert "type: nominal" in (d.hint or "") and "type: ordinal" in (d.hint or ""), d.hint


def test_a_written_number_type_with_a_band_scale_is_one_error_too(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": "name,v\na,1\nb,2\n"})
    err = load_error(tmp_path / "b.yaml", "data: d.csv\nx: {field: v}\nlayers:\n"
                                          "  - {mark: text, y: {field: name, type: quantitative, scale: band}, text: v}\n")
    [d] = err.diagnostics
    assert d.path[-1] == "scale" and d.message == "a band scale cannot draw quantitative values", d
