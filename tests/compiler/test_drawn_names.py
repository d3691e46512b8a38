"""Names a chart takes from its data are held to the text limit where they are drawn, and only there
(compiler/drawnnames.py): a legend entry, a direct label, a panel header. A run's name no legend
draws is not refused; a calculated or folded name is refused at the colour field with the same
limit as a column's; an axis title taken from a long field name ends in an ellipsis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import RunCli, write_tree
from svgchart import parse_svg

import chartspec
from chartspec.errors import CompileError, quoted
from chartspec.spec.schema import max_text_length

LIMIT = max_text_length()
RUN = "r" * (LIMIT + 100)  # a 600-character run name
COLUMN = "m" * (LIMIT + 100)  # a 600-character column name
SHORT = quoted(RUN)  # any long run of r's is shown so


def _data(tmp_path: Path) -> None:
    rows = [f"{s},{1 / (s + 1):.3f},{2 * s},{run}" for run in (RUN, "short") for s in range(4)]
    write_tree(tmp_path, {"long.csv": f"step,loss,{COLUMN},run\n" + "\n".join(rows) + "\n"})


def _error(tmp_path: Path, spec: str) -> tuple[int, int, str, str | None]:
    _data(tmp_path)
    (tmp_path / "chart.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        chartspec.to_vegalite(chartspec.load(tmp_path / "chart.yaml"))
    [d] = caught.value.diagnostics
    return d.line, d.column, d.message, d.hint


def _svg(tmp_path: Path, run_cli: RunCli, spec: str) -> str:
    _data(tmp_path)
    (tmp_path / "chart.yaml").write_text(spec, encoding="utf-8")
    proc = run_cli("build", "chart.yaml", "-o", "out", "-f", "svg,html", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return (tmp_path / "out" / "chart.svg").read_text(encoding="utf-8")


RUNS = "data: long.csv\n{top}x: {{field: step}}\nlayers:\n  - y: {{field: loss}}\n    color: {{field: run}}\n{extra}"


@pytest.mark.parametrize("top", ["legend: false\n", "legend: {position: none}\n"])
def test_a_name_no_legend_draws_is_not_refused(tmp_path: Path, run_cli: RunCli, top: str) -> None:
    svg = _svg(tmp_path, run_cli, RUNS.format(top=top, extra=""))
    chart = parse_svg(tmp_path / "out" / "chart.svg")
    assert chart.legends == [] and RUN not in svg  # drawn nowhere: two lines, no legend
    assert len(chart.mark_groups("line")) == 1 and len(chart.by_role("mark", "line")) == 2
    assert chart.width < 1000, chart.width
    # the page's hover tooltip names the run, one line at a time
    assert RUN in (tmp_path / "out" / "chart.html").read_text(encoding="utf-8")


def test_a_single_series_without_a_legend_is_not_refused(tmp_path: Path, run_cli: RunCli) -> None:
    # one run left: a single series gets no legend unless the spec asks for one
    spec = RUNS.format(top="transform: [{filter: \"datum.run != 'short'\"}]\n", extra="")
    svg = _svg(tmp_path, run_cli, spec)
    assert parse_svg(tmp_path / "out" / "chart.svg").legends == [] and RUN not in svg
    line, _, message, _ = _error(tmp_path, spec.replace("x:", "legend: true\nx:"))
    assert line == 7 and message.endswith("for a legend name")


def test_a_name_a_legend_or_label_draws_is_refused_at_the_colour_field(tmp_path: Path) -> None:
    for top, extra, what in (("", "", "a legend name"), ("legend: false\n", "    label: end\n", "a direct label")):
        line, column, message, hint = _error(tmp_path, RUNS.format(top=top, extra=extra))
        assert (line, column) == (5 + bool(top), 20)
        assert message == (f"the series {SHORT} of field 'run' is {len(RUN):,} characters long: more than the limit "
                           f"of {LIMIT:,} for {what}")
        assert hint == "shorten the names in the data, or colour by a field of short names (a run id)"


CALC = ("data: long.csv\n{top}x: {{field: step}}\ntransform:\n  - calculate: \"datum.run + datum.run\"\n    as: big\n"
        "layers:\n  - y: {{field: loss}}\n    color: {{field: big}}\n")


def test_a_calculated_name_is_refused_at_the_colour_field_with_the_spec_limit(tmp_path: Path, run_cli: RunCli
                                                                              ) -> None:
    line, column, message, hint = _error(tmp_path, CALC.format(top=""))
    assert (line, column) == (8, 20)  # was line 0: the compiled legend's domain, 'more than the limit of 1,000'
    assert message == (f"the series {SHORT} of field 'big' is {2 * len(RUN):,} characters long: more than the limit "
                       f"of {LIMIT:,} for a legend name")
    assert hint == "shorten the values the transform on line 4 makes for 'big', or colour by a field of short names " \
                   "(a run id)"
    # the CLI's JSON report has the position
    proc = run_cli("validate", "--json", "chart.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    [error] = json.loads(proc.stdout)["specs"][0]["errors"]
    assert (error["line"], error["column"], error["path"]) == (8, 20, ["layers", 0, "color", "field"])
    # with no legend the same names are drawn by nothing: the chart builds, no 1,200-character text in it
    svg = _svg(tmp_path, run_cli, CALC.format(top="legend: false\n"))
    assert RUN not in svg and parse_svg(tmp_path / "out" / "chart.svg").legends == []


def test_a_folded_column_name_is_a_legend_name(tmp_path: Path) -> None:
    spec = (f"data: long.csv\nx: {{field: step}}\ntransform:\n  - fold: [loss, {COLUMN}]\nlayers:\n"
            "  - y: {field: value}\n    color: {field: key}\n")
    line, column, message, hint = _error(tmp_path, spec)
    assert (line, column) == (7, 20)
    assert message == (f"the series {quoted(COLUMN)} of field 'key' is {len(COLUMN):,} characters long: "
                       f"more than the limit of {LIMIT:,} for a legend name")
    assert hint == ("shorten the names of the columns the 'fold' on line 4 lists (rename them in the data), or colour "
                    "by a field of short names (a run id)")


def test_a_long_panel_header_is_refused_at_the_facet_field(tmp_path: Path) -> None:
    for facet in ("{field: run}", "{row: run}", "{column: run}"):
        key = facet[1:].split(":")[0]
        line, column, message, _ = _error(tmp_path, f"data: long.csv\nfacet: {facet}\nx: {{field: step}}\n"
                                                    "layers:\n  - y: {field: loss}\n")
        assert (line, column) == (2, 11 + len(key)), facet
        assert message == (f"the value {SHORT} of facet field 'run' is {len(RUN):,} characters long: more than the "
                           f"limit of {LIMIT:,} for a panel header")
    # a facet field a transform makes: its values too
    line, column, message, _ = _error(tmp_path, "data: long.csv\nfacet: {field: big}\nx: {field: step}\ntransform:\n"
                                                "  - {calculate: \"datum.run + datum.run\", as: big}\n"
                                                "layers:\n  - y: {field: loss}\n")
    assert (line, column) == (2, 16) and message.startswith("the value 'rrr") and "panel header" in message


def test_an_axis_title_from_a_long_field_name_ends_in_an_ellipsis(tmp_path: Path, run_cli: RunCli) -> None:
    _svg(tmp_path, run_cli, f"data: long.csv\nx: {{field: step}}\nlayers:\n  - y: {{field: {COLUMN}}}\n")
    chart = parse_svg(tmp_path / "out" / "chart.svg")
    [title] = [t for t in chart.texts("axis-title") if t.startswith("m")]
    assert title.endswith("…") and len(title) < 100 and chart.height < 500, (title, chart.height)


def test_every_item_of_a_layout_is_checked_and_located_in_the_layout(tmp_path: Path) -> None:
    _data(tmp_path)
    (tmp_path / "chart.yaml").write_text("data: long.csv\nx: {field: step}\nvconcat:\n  - facet: {field: run}\n"
                                         "    layers:\n      - y: {field: loss}\n  - legend: false\n    layers:\n"
                                         "      - {y: {field: loss}, color: {field: run}}\n  - layers:\n"
                                         "      - y: {field: loss}\n        color: {field: run}\n", encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        chartspec.to_vegalite(chartspec.load(tmp_path / "chart.yaml"))
    # both errors at once, each with its item's place in its path; the item without a legend is fine
    assert [(d.line, d.column, d.path) for d in caught.value.diagnostics] == [
        (4, 20, ("vconcat", 0, "facet", "field")), (12, 24, ("vconcat", 2, "layers", 0, "color", "field"))]


def test_a_layer_named_after_a_long_y_field_is_refused_where_its_name_is_drawn(tmp_path: Path,
                                                                              run_cli: RunCli) -> None:
    two = f"data: long.csv\nx: {{field: step}}\nlayers:\n  - y: {{field: loss}}\n  - y: {{field: {COLUMN}}}\n"
    line, column, message, hint = _error(tmp_path, two)
    assert (line, column, hint) == (5, 16, "give the layer a short 'name'")
    assert message == (f"the layer's name, its y field {quoted(COLUMN)}, is {len(COLUMN):,} characters long: "
                       f"more than the limit of {LIMIT:,} for a legend name")
    # runs sharing a colour field: the layer's name is its line style's legend entry
    shared = two.replace("}\n", "}\n    color: {field: run}\n").replace("{field: step}\n    color: {field: run}",
                                                                       "{field: step}")
    (tmp_path / "chart.yaml").write_text(shared, encoding="utf-8")
    with pytest.raises(CompileError) as caught:
        chartspec.to_vegalite(chartspec.load(tmp_path / "chart.yaml"))
    assert [(d.line, d.column, d.message[:22]) for d in caught.value.diagnostics] == [
        (5, 20, "the series 'rrrrrrrrrr"), (6, 16, "the layer's name, its ")]  # the long run and the layer's name
    # no legend: the name is drawn nowhere (the y axis' title ends in an ellipsis)
    _svg(tmp_path, run_cli, two.replace("x:", "legend: false\nx:"))
    chart = parse_svg(tmp_path / "out" / "chart.svg")  # (its aria-label, never drawn, names the axis whole)
    assert chart.legends == [] and chart.width < 1000 and all(COLUMN not in i.text for i in chart.items)


def test_a_text_mark_writing_long_values_is_refused_at_its_text_key(tmp_path: Path) -> None:
    spec = ("data: long.csv\nx: {field: step}\nlayers:\n  - y: {field: loss}\n"
            "  - {mark: text, name: t, text: run, y: {field: loss}}\n")
    line, column, message, _ = _error(tmp_path, spec)
    assert (line, column) == (5, 33)
    assert message == (f"the value {SHORT} of field 'run' is {len(RUN):,} characters long: more than the limit of "
                       f"{LIMIT:,} for a text mark")


def test_an_hline_labelled_by_default_after_a_long_field_is_refused_at_the_field(tmp_path: Path) -> None:
    spec = (f"data: long.csv\nx: {{field: step}}\nannotations:\n  - hline: {{aggregate: mean, field: {COLUMN}}}\n"
            "layers:\n  - y: {field: loss}\n")
    _data(tmp_path)
    (tmp_path / "chart.yaml").write_text(spec, encoding="utf-8")
    with pytest.raises(chartspec.ChartspecError) as caught:
        chartspec.load(tmp_path / "chart.yaml")
    [d] = caught.value.diagnostics
    assert (d.line, d.column, d.hint) == (4, 37, "give the annotation a short 'label'")
    assert d.message == (f"hline: the default label {quoted('mean ' + COLUMN + ' 3')} is {len(COLUMN) + 7:,} characters "
                         f"long: more than the limit of {LIMIT:,}")
    # with its own label it draws (the label and the value), in a chart of ordinary width
    (tmp_path / "chart.yaml").write_text(spec.replace("}\nlayers:", "}\n    label: mean\nlayers:"), encoding="utf-8")
    assert "mean 3" in json.dumps(chartspec.to_vegalite(chartspec.load(tmp_path / "chart.yaml")))
