"""More series than colours: the palette is taken in turn, so two runs get one colour, and the
build says so in a note (compiler/colornotes.py), counted with the theme's own palette."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import RunCli, write_tree
from svgchart import parse_svg

import chartspec
from chartspec.compiler.vegalite import compile_noted, compile_vegalite

HINT = ("  hint: colour by a scheme with more colours ('scheme: tableau20' has 20; a sequential one such as 'turbo' "
        "spreads its colours over the series, distinct up to a few hundred), give the theme a longer "
        "'range.category', or draw the series in panels with 'facet'")


def _runs(count: int) -> str:
    rows = [f"{step},run-{run:02d},{1 / (step + 1) + run / 10:.3f}" for run in range(count) for step in range(4)]
    return "step,run,loss\n" + "\n".join(rows) + "\n"


def _notes(tmp_path: Path, spec: str, runs: int = 12, files: dict[str, str] | None = None) -> list[str]:
    root = write_tree(tmp_path, {"runs.csv": _runs(runs), "chart.yaml": spec, **(files or {})})
    loaded = chartspec.load(root / "chart.yaml")
    vl, notes = compile_noted(loaded)
    assert vl == compile_vegalite(loaded)  # the notes change nothing drawn
    assert all(n.severity == "note" for n in notes)
    return [f"{n.line}:{n.column}: {n.message}" for n in notes]


CHART = "data: runs.csv\nx: {field: step}\nlayers:\n  - y: {field: loss}\n    color: {field: run}\n"


def test_twelve_runs_on_ten_colours_are_noted_where_the_colour_field_is(tmp_path: Path, run_cli: RunCli) -> None:
    assert _notes(tmp_path, CHART) == [
        "5:20: 4 of the 12 series of 'run' share their colour with another series drawn alike (the palette has 10 "
        "colours): they look the same in the chart"]
    proc = run_cli("build", "chart.yaml", "-o", "out", "-f", "svg", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("chart.yaml:5:20: note: 4 of the 12 series of 'run'") == 1, proc.stderr
    assert HINT in proc.stderr
    # what the note says is what is drawn: 12 lines in 10 colours, run-10 in run-00's
    lines = [i for i in parse_svg(tmp_path / "out" / "chart.svg").items if i.role == "mark" and i.mark == "line"]
    strokes = [i.attrib.get("stroke") for i in lines]
    assert len(strokes) == 12 and len(set(strokes)) == 10 and strokes[10] == strokes[0], strokes


def test_as_many_runs_as_colours_get_no_note(tmp_path: Path) -> None:
    assert _notes(tmp_path, CHART, runs=10) == []
    assert _notes(tmp_path, CHART.replace("{field: run}", "{field: run, scheme: turbo}"), runs=30) == []


def test_the_theme_palette_and_a_scheme_are_counted_as_they_are(tmp_path: Path) -> None:
    five = json.dumps({"range": {"category": ["#111111", "#222222", "#333333", "#444444", "#555555"]}})
    assert _notes(tmp_path, "theme: five.json\n" + CHART, runs=7, files={"five.json": five}) == [
        "6:20: 4 of the 7 series of 'run' share their colour with another series drawn alike (the palette has 5 "
        "colours): they look the same in the chart"]
    assert _notes(tmp_path, CHART.replace("{field: run}", "{field: run, scheme: set2}")) == [
        "5:20: 8 of the 12 series of 'run' share their colour with another series drawn alike (scheme 'set2' gives "
        "8 colours): they look the same in the chart"]


def test_single_series_layers_past_the_palette_are_noted_once(tmp_path: Path) -> None:
    layers = "".join(f"  - {{name: l{i}, y: {{field: loss}}}}\n" for i in range(11))
    spec = "data: runs.csv\nx: {field: step}\nlayers:\n" + layers
    assert _notes(tmp_path, spec) == ["14:5: 2 of the 11 layers share their colour with another series drawn alike "
                                      "(the palette has 10 colours): they look the same in the chart"]
    coloured = spec.replace("{name: l10,", "{name: l10, color: black,")  # the spec's own colour: its choice
    assert _notes(tmp_path, coloured) == []
    # one colour, but each layer its own marker (specs/marks_point_shapes.yaml): told apart, no note
    shapes = "".join(f"  - {{mark: point, point: {p}, name: l{i}, y: {{field: loss}}}}\n"
                     for i, p in enumerate(["circle", "square", "cross", "diamond", "triangle-up", "triangle-down",
                                            "triangle-left", "triangle-right", "triangle", "wedge", "arrow"]))
    assert _notes(tmp_path, "data: runs.csv\nx: {field: step}\nlayers:\n" + shapes) == []


def test_a_layout_item_is_noted_at_its_own_place(tmp_path: Path) -> None:
    spec = ("data: runs.csv\nx: {field: step}\nvconcat:\n  - layers: [{y: {field: loss}}]\n"
            "  - layers:\n      - y: {field: loss}\n        color: {field: run}\n")
    root = write_tree(tmp_path, {"runs.csv": _runs(11), "chart.yaml": spec})
    [note] = compile_noted(chartspec.load(root / "chart.yaml"))[1]
    assert (note.line, note.column, note.path) == (7, 24, ("vconcat", 1, "layers", 0, "color", "field"))
    assert note.message.startswith("2 of the 11 series of 'run' share their colour")


def test_series_named_where_they_are_drawn_are_not_noted(tmp_path: Path) -> None:
    # each line's name at its end: two lines of one colour still say which run they are
    assert _notes(tmp_path, CHART + "    label: end\n", runs=11) == []
    # a panel per run, its header the run's name (grid rows or columns too)
    for facet in ("{field: run}", "{row: run}", "{column: run}"):
        assert _notes(tmp_path, f"facet: {facet}\n" + CHART, runs=11) == [], facet
    # one bar per run at its own tick of a discrete x axis
    bars = "data: runs.csv\nx: {field: run, type: nominal}\nlayers:\n  - {mark: bar, y: {field: loss}, color: {field: run}}\n"
    assert _notes(tmp_path, bars, runs=11) == []
    # but a facet by another field leaves the runs as alike as before (the header names the step)
    # (each panel holds one step: its lines of one row draw nothing, noted too: compiler/lonerows.py)
    assert [n for n in _notes(tmp_path, "facet: {field: step}\n" + CHART, runs=11) if "a line needs two" not in n] == [
        "6:20: 2 of the 11 series of 'run' share their colour with another series drawn alike (the palette has 10 "
        "colours): they look the same in the chart"]


def test_single_series_layers_with_direct_labels_are_not_noted(tmp_path: Path) -> None:
    layers = "".join(f"  - {{name: l{i}, y: {{field: loss}}, label: end}}\n" for i in range(11))
    assert _notes(tmp_path, "data: runs.csv\nx: {field: step}\nlayers:\n" + layers) == []


def test_layers_sharing_a_colour_field_are_noted_unless_every_one_names_its_series(tmp_path: Path) -> None:
    """Two layers of one colour field share its legend entries: a label at the end of one layer's
    lines leaves the other layer's lines (loss labelled, val_loss not) as alike as before."""
    two = ("data: runs.csv\nx: {field: step}\nlayers:\n"
           "  - {y: {field: loss}, name: loss, color: {field: run}%s}\n"
           "  - {y: {field: loss}, name: val, color: {field: run}%s}\n")
    alike = ("2 of the 11 series of 'run' share their colour with another series drawn alike (the palette has 10 "
             "colours): they look the same in the chart")
    assert _notes(tmp_path, two % (", label: end", ""), runs=11) == [f"5:50: {alike}"]  # at the unlabelled layer
    assert _notes(tmp_path, two % ("", ", label: end"), runs=11) == [f"4:51: {alike}"]
    assert _notes(tmp_path, two % ("", ""), runs=11) == [f"4:51: {alike}"]
    assert _notes(tmp_path, two % (", label: end", ", label: end"), runs=11) == []
