"""A categorical x with more values than the plot can show is refused before Vega runs (a log's
100,000 steps read as categories took Vega 282 s and made a 37 MB SVG)."""

from __future__ import annotations

from pathlib import Path

from conftest import load_error, write_tree

import chartspec


def _csv(n: int) -> str:
    return "step,loss\n" + "".join(f"{i},{i % 7}\n" for i in range(n))


def test_more_categories_than_the_plot_can_show_is_an_error_at_x(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": _csv(7_000)})
    err = load_error(tmp_path / "a.yaml", "data: d.csv\nx: {field: step, type: ordinal}\nlayers: [{y: {field: loss}}]\n")
    [d] = err.diagnostics
    assert (d.line, d.column) == (2, 24)
    assert "more than 6,000 distinct values on its ordinal axis" in d.message and "quantitative" in (d.hint or "")


def test_a_wide_plot_or_fewer_categories_are_drawn(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": _csv(7_000), "few.csv": _csv(900)})
    wide = chartspec.loads("data: d.csv\nwidth: 800\nx: {field: step, type: nominal}\nlayers: [{y: {field: loss}}]\n",
                           file="w.yaml", path=tmp_path / "w.yaml")
    assert len(wide.table.rows) == 7_000
    few = chartspec.loads("data: few.csv\nwidth: 50\nx: {field: step, type: ordinal}\nlayers: [{y: {field: loss}}]\n",
                          file="f.yaml", path=tmp_path / "f.yaml")
    assert len(few.table.rows) == 900  # at least 1,000 categories may be drawn, however narrow


def test_categories_are_counted_after_the_filters(tmp_path: Path) -> None:
    csv = "name,v\n" + "".join(f"cat{i},{i % 17}\n" for i in range(7_000))
    write_tree(tmp_path, {"chartspec.toml": "", "c.csv": csv})
    for where in ("transform: [{filter: {field: v, equal: 3}}]\nlayers:\n  - {mark: bar, y: {field: v}}\n",
                  "layers:\n  - {mark: bar, y: {field: v}, transform: [{filter: 'datum.v == 3'}]}\n",
                  # 1,111 names by a regular expression, run as JavaScript would (jsregexp.py): drawn
                  "layers:\n  - {mark: bar, y: {field: v}, transform: [{filter: 'test(/^cat1/, datum.name)'}]}\n"):
        spec = chartspec.loads("data: c.csv\nx: {field: name, type: nominal}\n" + where, file="c.yaml",
                               path=tmp_path / "c.yaml")
        assert len(spec.table.rows) == 7_000  # drawn after Vega's filter: 412 names


def test_a_categorical_y_and_a_facet_of_too_many_values_are_errors_at_their_keys(tmp_path: Path) -> None:
    """The same kind as x: 50,000 names on y took Vega 78 s (27 MB SVG); a facet of 50,000 values
    crashed the renderer out of memory, with no position."""
    csv = "name,v,step\n" + "".join(f"n{i},{i % 17},{i % 5}\n" for i in range(7_000))
    write_tree(tmp_path, {"chartspec.toml": "", "c.csv": csv})
    err = load_error(tmp_path / "y.yaml", "data: c.csv\nheight: 300\nx: {field: v}\nlayers:\n"
                                          "  - {mark: point, y: {field: name, type: nominal}}\n")
    [d] = err.diagnostics
    assert (d.line, d.column) == (5, 42) and "more than 3,000 distinct values on its nominal axis" in d.message
    err = load_error(tmp_path / "f.yaml", "data: c.csv\nx: {field: step}\nfacet: {field: name}\n"
                                          "layers: [{y: {field: v}}]\n")
    [d] = err.diagnostics
    assert (d.line, d.column) == (3, 16) and "more than 500 distinct values as panels" in d.message


def test_a_regular_expression_filter_does_not_hide_categories(tmp_path: Path) -> None:
    """A filter neither SQL nor Python ran used to leave its layer uncounted: 5,889 names passed.
    Now it is run as JavaScript would; a pattern that is not run here is counted as keeping every
    row, and the error says so."""
    csv = "name,v\n" + "".join(f"cat{i},{i % 17}\n" for i in range(7_000))
    write_tree(tmp_path, {"chartspec.toml": "", "c.csv": csv})
    head = "data: c.csv\nwidth: 300\nx: {field: name, type: nominal}\n"
    err = load_error(tmp_path / "c.yaml", head + "layers:\n  - {mark: bar, y: {field: v}, "
                                                 "transform: [{filter: '!test(/^cat1/, datum.name)'}]}\n")
    [d] = err.diagnostics
    assert (d.line, d.column) == (3, 24) and d.message.endswith("more than 3,000 distinct values on its nominal axis: "
                                                                "each would get under a tenth of a pixel of the 300 px "
                                                                "plot, and Vega would take minutes placing their labels")
    err = load_error(tmp_path / "c.yaml", head + "layers:\n  - {mark: bar, y: {field: v}, "
                                                 "transform: [{filter: 'test(/^(c|d)+at1/, datum.name)'}]}\n")
    [d] = err.diagnostics
    assert "before a filter chartspec cannot run ahead of Vega (a regular expression)" in d.message
    assert "'test(/^(c|d)+at1/, datum.name)'" in (d.hint or "") and "one_of" in (d.hint or "")
