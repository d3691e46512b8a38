"""Plain Vega-Lite whose transform reads a field its data lacks: a positioned error naming the
fields there are. Vega failed on a ``flatten`` or ``density`` of a missing field with a bare
"TypeError: Cannot read properties of undefined", placed nowhere, and drew nothing for the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

from chartspec.data.plainfields import missing_fields
from chartspec.spec.yamlload import load_yaml

HEAD = "$schema: https://vega.github.io/schema/vega-lite/v6.json\n"
ROWS = "data:\n  values:\n    - {a: 1, b: [1, 2]}\n    - {a: 2, b: [3, 4]}\n"
ENCODE = "mark: point\nencoding:\n  x: {field: a, type: quantitative}\n"


@pytest.mark.parametrize(("transform", "column"), [("flatten: [bb]", 15), ("density: bb", 14),
                                                   ("fold: [a, bb]", 15), ("pivot: bb\n    value: a", 12)])
def test_a_missing_field_is_an_error_at_its_place_not_a_type_error(tmp_path: Path, run_cli: RunCli,
                                                                   transform: str, column: int) -> None:
    write_tree(tmp_path, {"f.vl.yaml": HEAD + ROWS + f"transform:\n  - {transform}\n" + ENCODE})
    result = run_cli("build", "-j", "0", "-f", "svg", "f.vl.yaml", cwd=tmp_path)
    assert result.returncode == 1
    kind = transform.split(":")[0]
    assert f"f.vl.yaml:7:{column}: error: field 'bb' is not in the data of this {kind} transform" in result.stderr
    assert "did you mean 'b'?" in result.stderr and "TypeError" not in result.stderr
    assert not (tmp_path / "build" / "f.svg").exists()


def test_a_field_from_a_data_file_and_in_a_layer_is_checked(tmp_path: Path, run_cli: RunCli) -> None:
    write_tree(tmp_path, {"d.csv": "step,loss\n1,0.5\n", "f.vl.yaml": HEAD + (
        "data: {url: d.csv}\nlayer:\n  - {mark: point, encoding: {x: {field: step, type: quantitative}}}\n"
        "  - transform: [{aggregate: [{op: mean, field: lost, as: m}], groupby: [step]}]\n"
        "    mark: bar\n    encoding: {x: {field: step, type: ordinal}, y: {field: m, type: quantitative}}\n")})
    result = run_cli("validate", "f.vl.yaml", cwd=tmp_path)
    assert result.returncode == 1
    assert "f.vl.yaml:5:48: error: field 'lost' is not in the data of this aggregate transform" in result.stderr
    assert "did you mean 'loss'?" in result.stderr


def test_fields_transforms_make_are_known_and_unknown_columns_are_not_guessed() -> None:
    """Every field below exists when its transform runs (made by an earlier one, a nested path, an
    escaped dot); after a pivot or a lookup the columns depend on the data: nothing is reported."""
    spec = HEAD + """\
datasets:
  runs: [{run: a, losses: [1, 2], info: {lr: 0.1}, "x.y": 1}, {run: b, losses: [3, 4], info: {lr: 0.2}, "x.y": 2}]
data: {name: runs}
transform:
  - flatten: [losses]
  - {calculate: datum.info.lr, as: lr}
  - {bin: true, field: losses, as: lb}
  - window: [{op: sum, field: lb_end, as: cum}]
    sort: [{field: lr}]
  - fold: ["info.lr", "x\\\\.y", "x.y"]
hconcat:
  - {mark: point, encoding: {x: {field: cum, type: quantitative}}}
  - layer:
      - transform: [{density: losses, groupby: [run], extent: [0, 5]}, {filter: datum.density > 0},
                    {stack: density, groupby: [run], as: [s0, s1]}, {extent: s1, param: top}]
        mark: line
      - transform: [{regression: losses, on: lr, extent: [0, 1]}, {calculate: datum.lr * 2, as: l2},
                    {timeUnit: year, field: l2, as: yr}, {joinaggregate: [{op: max, field: yr, as: m}]}]
        mark: line
      - transform: [{aggregate: [{op: mean, field: losses, as: m}], groupby: [run]}, {pivot: run, value: m},
                    {fold: [a, b]}, {flatten: [anything]}]
        mark: point
      - transform: [{quantile: losses, groupby: [run]}, {impute: value, key: prob, groupby: [run]}]
        mark: point
  - data: {sequence: {start: 0, stop: 3}}
    transform: [{fold: [data]}]
    mark: point
"""
    doc = load_yaml(spec, "ok.vl.yaml")
    assert missing_fields(doc.data, doc.source) == []
    broken = spec.replace("field: lb_end", "field: lb_ned").replace("groupby: [run]}, {impute", "groupby: [rn]}, {impute")
    doc = load_yaml(broken, "broken.vl.yaml")
    assert [(d.line, d.message) for d in missing_fields(doc.data, doc.source)] == [
        (9, "field 'lb_ned' is not in the data of this window transform"),
        (24, "field 'rn' is not in the data of this quantile transform")]


@pytest.mark.parametrize(("name", "text", "where"), [
    ("p.vl.yaml", HEAD + "data:\n  values: [{k: x, v: 1}, {k: y, v: 2}]\ntransform:\n  - {pivot: k, value: v}\n"
     "  - flatten: [z]\n" + ENCODE, "p.vl.yaml:6:14"),  # after a pivot the columns are not known ahead
    ("c.yaml", "data: {values: [{step: 1, v: 2}]}\nx: {field: step}\nlayers: [{y: {field: v}}]\n"
     "vega_lite:\n  transform: [{flatten: [nothing]}]\n", "c.yaml:5:25"),  # a chart's Vega-Lite patch
])
def test_vegas_failure_inside_a_flatten_is_placed_at_it(tmp_path: Path, run_cli: RunCli, name: str, text: str,
                                                       where: str) -> None:
    write_tree(tmp_path, {name: text})
    result = run_cli("build", "-j", "0", "-f", "svg", name, cwd=tmp_path)
    assert result.returncode == 1
    assert f"{where}: error: rendering svg failed: TypeError: Cannot read properties of undefined (reading " \
           "'length') (in this flatten transform)" in result.stderr, result.stderr
    assert "hint: Vega fails here when a field it reads is not in the data at this point" in result.stderr
