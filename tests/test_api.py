"""The public Python API: what it exports and how a notebook user calls it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import pytest
from conftest import SPECS, assert_valid_vega_lite

import chartspec
from chartspec.compiler.interactive import static_view
from chartspec.compiler.scales import axis_values
from chartspec.compiler.series import SERIES_FIELD

SEED = SPECS / "rl_training.yaml"

INLINE = """
data: {values: [{t: 0, a: 1, b: 10}, {t: 1, a: 3, b: 20}, {t: 2, a: 2, b: 15}]}
x: {field: t}
layers:
  - {y: {field: a}}
  - {y: {field: b}, mark: bar}
"""


def test_exported_members() -> None:
    assert sorted(chartspec.__all__) == sorted([
        "BuildOptions", "BuildReport", "ChartspecError", "CompileError", "DataError", "Diagnostic",
        "ExportError", "Spec", "SpecResult", "SpecSyntaxError", "SpecValidationError", "UsageError",
        "__version__", "build", "compile", "load", "loads", "save", "to_vegalite", "validate",
    ])
    for name in chartspec.__all__:
        assert hasattr(chartspec, name), name


def test_the_version_is_the_installed_one() -> None:
    """chartspec/version.py is where the version is written; the package metadata reads it from there."""
    from importlib.metadata import version

    assert chartspec.__version__ == version("chartspec")


def test_error_classes_share_one_base() -> None:
    for name in ("CompileError", "DataError", "ExportError", "SpecSyntaxError", "SpecValidationError", "UsageError"):
        assert issubclass(getattr(chartspec, name), chartspec.ChartspecError)


def test_load_reads_model_and_data() -> None:
    spec = chartspec.load(SEED)
    assert spec.model.title == "RL Training Progression"
    assert [layer.name for layer in spec.model.layers] == ["Token Length", "Reproduced Rate (%)"]
    assert [layer.point for layer in spec.model.layers] == ["square", "circle"]
    assert spec.table.columns == ("step", "token_length", "reproduced_rate")
    assert len(spec.table.rows) == 21
    assert spec.inputs == (SEED.absolute(), (SPECS / "data" / "rl_training.csv").resolve())


def test_compile_returns_altair_chart_that_validates() -> None:
    chart = chartspec.compile(SEED)  # a path works too, for notebooks
    assert isinstance(chart, alt.LayerChart)
    spec = chart.to_dict(validate=True)  # Altair's own schema validation
    assert spec["resolve"] == {"scale": {"y": "independent"}}
    assert len(spec["datasets"][next(iter(spec["datasets"]))]) == 21
    # Jupyter shows the chart inline through Altair's mime bundle.
    bundle = chart._repr_mimebundle_()
    assert "RL Training Progression" in bundle["text/html"]


def test_to_vegalite_is_pure_and_deterministic() -> None:
    spec = chartspec.load(SEED)
    first, second = chartspec.to_vegalite(spec), chartspec.to_vegalite(spec)
    assert first == second
    assert first is not second
    assert_valid_vega_lite(first)


def test_loads_inline_values_without_files() -> None:
    spec = chartspec.loads(INLINE)
    vl = chartspec.to_vegalite(spec)
    assert_valid_vega_lite(vl)
    assert vl["data"]["values"][1] == {"t": 1, "a": 3, "b": 20}
    vl = static_view(vl)  # the drawn layers, without the hover layer of the HTML
    sides = [layer["encoding"]["y"]["axis"]["orient"] for layer in vl["layer"]]
    assert sides == ["left", "right"]
    # A bar layer's scale includes zero, a line's does not.
    assert [layer["encoding"]["y"]["scale"]["zero"] for layer in vl["layer"]] == [False, True]


def test_loads_file_data_needs_a_file() -> None:
    with pytest.raises(chartspec.DataError, match="inline 'values'"):
        chartspec.loads("data: x.csv\nx: {field: a}\nlayers: [{y: {field: b}}]\n")


@pytest.mark.parametrize("text", [None, 3, ["data: x.csv"]])
def test_loads_names_the_wrong_argument_type(text: object) -> None:
    with pytest.raises(TypeError, match=f"str or bytes, not {type(text).__name__}"):
        chartspec.loads(text)  # type: ignore[arg-type]


def test_loads_takes_bytearray_like_bytes() -> None:
    assert chartspec.loads(bytearray(INLINE.encode())).model == chartspec.loads(INLINE).model


def test_layers_sharing_an_axis_share_a_scale() -> None:
    spec = chartspec.loads("""
data: {values: [{t: 0, train: 1.0, val: 1.2, lr: 0.1}, {t: 1, train: 0.5, val: 0.7, lr: 0.05}]}
x: {field: t}
layers:
  - {name: train, y: {field: train, axis: loss, title: Loss}}
  - {name: val, y: {field: val, axis: loss}}
  - {name: lr, y: {field: lr, title: Learning rate}}
""")
    vl = chartspec.to_vegalite(spec)
    assert_valid_vega_lite(vl)
    loss, lr = static_view(vl)["layer"]
    assert [sub["encoding"]["y"]["field"] for sub in loss["layer"]] == ["train", "val"]
    assert loss["layer"][0]["encoding"]["y"]["axis"]["orient"] == "left"
    assert "titleColor" not in loss["layer"][0]["encoding"]["y"]["axis"]  # two series: neutral title
    assert lr["encoding"]["y"]["axis"]["orient"] == "right"
    assert lr["encoding"]["y"]["axis"]["titleColor"] == "#2ca02c"


def test_third_and_fourth_axes_are_offset_outward() -> None:
    columns = ["a", "b", "c", "d"]
    rows = ", ".join("{" + ", ".join(f"{c}: {i * (j + 1)}" for j, c in enumerate(columns)) + f", t: {i}}}"
                     for i in range(3))
    layers = "\n".join(f"  - {{y: {{field: {c}}}}}" for c in columns)
    vl = chartspec.to_vegalite(chartspec.loads(f"data: {{values: [{rows}]}}\nx: {{field: t}}\nlayers:\n{layers}\n"))
    axes = [layer["encoding"]["y"]["axis"] for layer in static_view(vl)["layer"]]
    assert [a["orient"] for a in axes] == ["left", "right", "left", "right"]
    assert "offset" not in axes[0] and "offset" not in axes[1]
    assert axes[2]["offset"] > 0 and axes[3]["offset"] > 0
    assert_valid_vega_lite(vl)


def test_field_names_with_dots_are_escaped() -> None:
    vl = chartspec.to_vegalite(chartspec.loads(
        "data: {values: [{step: 0, train.loss: 1}, {step: 1, train.loss: 0.5}]}\n"
        "x: {field: step}\nlayers: [{y: {field: train.loss}}]\n"))
    assert vl["layer"][0]["encoding"]["y"]["field"] == "train\\.loss"
    svg = __import__("vl_convert").vegalite_to_svg(vl)
    assert svg.count("<path") > 2 and "train.loss" in svg


def test_series_field_carries_legend_names() -> None:
    vl = static_view(chartspec.to_vegalite(chartspec.load(SEED)))
    calcs = [layer["transform"][0] for layer in vl["layer"]]
    assert [c["as"] for c in calcs] == [SERIES_FIELD, SERIES_FIELD]
    assert [c["calculate"] for c in calcs] == ['"Token Length"', '"Reproduced Rate (%)"']


@pytest.mark.parametrize("lo, hi, step, expected", [
    (0, 500, 50, [0, 50, 100, 150, 200, 250, 300, 350, 400, 450, 500]),
    (20, 35, 2.5, [20.0, 22.5, 25.0, 27.5, 30.0, 32.5, 35.0]),
    (0.1, 0.35, 0.1, [0.1, 0.2, 0.3]),
    (-1, 1, 0.5, [-1.0, -0.5, 0.0, 0.5, 1.0]),
])
def test_axis_values(lo: float, hi: float, step: float, expected: list[float]) -> None:
    assert axis_values(lo, hi, step) == expected


@pytest.mark.parametrize("suffix, magic", [
    (".svg", b"<svg"), (".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-"), (".html", b"<!DOCTYPE html>"),
    (".vl.json", b"{"),
])
def test_save_picks_format_from_suffix(tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = chartspec.save(SEED, tmp_path / f"chart{suffix}")
    assert out.read_bytes().lstrip()[: len(magic)].lower() == magic.lower()
    assert [p.name for p in tmp_path.iterdir()] == [f"chart{suffix}"]  # no temp files left


def test_save_rejects_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(chartspec.UsageError, match="unknown format 'gif'"):
        chartspec.save(SEED, tmp_path / "chart.gif")
    assert not list(tmp_path.iterdir())


def test_validate_returns_diagnostics(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("data: {values: [{a: 1}]}\nx: {field: a}\nlayers: [{y: {field: b}}]\n")
    (diag,) = chartspec.validate(bad)
    assert (diag.line, diag.column, diag.path) == (3, 22, ("layers", 0, "y", "field"))
    assert diag.message == "field 'b' not in inline data"
    assert chartspec.validate(SEED) == []


def test_standalone_svg_is_a_labelled_image(tmp_path: Path) -> None:
    """A .svg file has no alt text around it: the root carries role, aria-label and a <title>."""
    import xml.etree.ElementTree as ET

    label = 'Loss </title><script>alert(1)</script> & "more"'
    spec = chartspec.loads(f"""\
title: Loss
description: {json.dumps(label)}
data: {{values: [{{step: 0, loss: 2}}, {{step: 1, loss: 1}}]}}
x: {{field: step}}
layers: [{{y: {{field: loss}}}}]
""")
    root = ET.fromstring(chartspec.save(spec, tmp_path / "loss.svg").read_bytes())
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == ns + "svg"
    assert root.get("role") == "img" and root.get("aria-label") == label
    assert root[0].tag == ns + "title" and root[0].text == label
    assert not list(root.iter(ns + "script"))
    # without a description the title names the chart
    plain = chartspec.loads("title: Loss\ndata: {values: [{step: 0, loss: 2}]}\nx: {field: step}\nlayers: [{y: {field: loss}}]\n")
    assert ET.fromstring(chartspec.save(plain, tmp_path / "plain.svg").read_bytes()).get("aria-label") == "Loss"


@pytest.mark.parametrize(("call", "message"), [
    (lambda: chartspec.load(None), r"chartspec.load\(path\) must be a spec file's path \(str or os.PathLike\), not NoneType"),
    (lambda: chartspec.validate(3), r"must be a spec file's path \(str or os.PathLike\), not int"),
    (lambda: chartspec.to_vegalite({"data": {}}), r"spec must be a loaded Spec .* not dict"),
    (lambda: chartspec.save(None, "x.svg"), r"spec must be a loaded Spec .* not NoneType"),
    (lambda: chartspec.build(None), r"paths must be a folder or spec file path, or a list of them, not NoneType"),
    (lambda: chartspec.build([SPECS, None]), r"each of chartspec.build\(paths\) must be .* not NoneType"),
    (lambda: chartspec.build(SPECS, {"out": "b"}), r"options must be a chartspec.BuildOptions, not dict \(write "
                                                   r"chartspec.BuildOptions\(\*\*options\)\)"),
    (lambda: chartspec.BuildOptions(out=None), r"BuildOptions\(out\) must be a folder path .* not NoneType"),
])
def test_wrong_argument_types_name_the_argument(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()


def test_save_to_a_folder_says_so(tmp_path: Path) -> None:
    spec = chartspec.loads(INLINE)
    for folder in (str(tmp_path), f"{tmp_path}/", tmp_path):
        with pytest.raises(chartspec.UsageError, match="is a folder, not an output file") as caught:
            chartspec.save(spec, folder)
        assert caught.value.first.hint == "name the file, e.g. chart.svg (its suffix says the format)"
    assert list(tmp_path.iterdir()) == []
