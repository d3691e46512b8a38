"""A folder build told charts from look-alikes by key names: ML and plotting configs (``layers:
[{type: conv}]``, ``x: {min: 0}``, ``legend: true``) and theme files were built as broken charts,
a comment mentioning a chart hid it, and a linked folder moved another folder's outputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

from chartspec.builder.discover import discover

SPEC = "data: {values: [{a: 1, b: 2}, {a: 2, b: 3}]}\nx: {field: a}\nlayers:\n  - y: {field: b}\n"
THEME = "background: '#fbf8f3'\ntitle: {color: '#333', fontSize: 16}\nlegend: {labelColor: '#555'}\n"
CONFIGS = {
    "conf/model.yaml": "name: small-cnn\nlayers: [{type: conv, channels: 64}, {type: relu}]\n",
    "conf/plot.yaml": "figsize: [8, 5]\ntitle: Training loss\nlegend: true\nxlabel: step\n",
    "conf/aug.yaml": "augment: {flip: true}\nx: {min: 0, max: 224}\n",
    "conf/block.yaml": "layers:\n  - type: linear\n    units: 128\nx:\n  low: 0\n  high: 1\n",
    # keys a chart's x and layer have too (type, name, title), but not the one each requires
    "conf/named.yaml": "layers: [{name: conv1, type: conv}]\nx: {type: float, title: scale}\nlr: 0.1\n",
}


def _found(root: Path, *, exclude: tuple[str, ...] = ()) -> list[str]:
    return sorted(t.spec.relative_to(root).as_posix() for t in discover([root], root / "build", exclude=exclude))


def test_configs_shaped_unlike_charts_are_skipped_and_half_written_charts_built(tmp_path: Path,
                                                                                run_cli: RunCli) -> None:
    root = write_tree(tmp_path / "r", {"specs/loss.yaml": SPEC, **CONFIGS,
                                       # charts being written: still built, so their errors are shown
                                       "wip/typo.yaml": "data: d.csv\nx: {field: step}\nlayers: [{y: {field: loss}}]\n"
                                                        "titel: Loss\n",
                                       "wip/x_only.yaml": "x: {field: step, lable: Step}\nfigsize: 3\n",
                                       "wip/layer_typo.yaml": "layers: [{y: {feild: loss}, mark: line}]\n",
                                       "wip/legend.yaml": "title: Loss\nlegend: false\n",
                                       "wip/concat.yaml": "hconcat:\n  - title: Adam\n",
                                       # an ML config made of the language's keys (breaker14 #7)
                                       "conf/net.yaml": "data: cifar10\nlayers: [conv, relu, pool]\n"})
    assert _found(root) == ["specs/loss.yaml", "wip/concat.yaml", "wip/layer_typo.yaml", "wip/legend.yaml",
                            "wip/typo.yaml", "wip/x_only.yaml"]
    proc = run_cli("build", ".", "-f", "json", "-j", "0", "--exclude", "wip/**", cwd=root)
    assert proc.returncode == 0 and "1 built" in proc.stdout and "failed" not in proc.stdout, proc.stdout
    assert "conf/model.yaml: note: skipped: not a chart spec (top-level keys layers, name, none holding" in proc.stderr
    assert "conf/plot.yaml: note: skipped: not a chart spec (top-level keys figsize, legend, title, xlabel" in proc.stderr
    for name in CONFIGS:
        assert f"{name}: note: skipped: not a chart spec" in proc.stderr, proc.stderr


def test_a_theme_is_told_by_its_shape_whoever_names_it(tmp_path: Path, run_cli: RunCli) -> None:
    rows = ", ".join(f"{{a: {i}, b: {i}}}" for i in range(4000))
    big = f"data: {{values: [{rows}]}}\nx: {{field: a}}\nlayers: [{{y: {{field: b}}}}]\ntheme: late.yaml\n"
    assert len(big) > 70_000  # its theme line is past the first 64 KB
    root = write_tree(tmp_path / "r", {"looks/brand.yaml": THEME,  # its folder built alone
                                       "specs/a.yaml": "theme: skipped.yaml\n" + SPEC, "specs/skipped.yaml": THEME,
                                       "big/big.yaml": big, "big/late.yaml": "legend: {labelColor: '#123'}\n"})
    notes: list = []
    assert discover([root / "looks"], notes=notes) == []
    assert [n.message for n in notes] == ["skipped: not a chart spec (top-level keys background, legend, title: "
                                          "a Vega-Lite config, as a theme file holds)"]
    assert _found(root, exclude=("specs/a.yaml",)) == ["big/big.yaml"]  # the spec naming it left out
    proc = run_cli("build", "big", "-f", "json", "-j", "0", cwd=root)
    assert proc.returncode == 0 and "big/late.yaml: note: skipped: not a chart spec (big/big.yaml reads it as its " \
                                    "theme or data)" in proc.stderr, proc.stderr


def test_a_chart_mentioned_in_a_comment_or_string_is_still_built(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {
        "a.yaml": "# data: b.yaml\n" + SPEC,
        "c.yaml": 'description: "compare with the chart in data: b.yaml here"\n' + SPEC,
        "d.yaml": "title: 'x' # theme: e.yml\n" + SPEC, "e.yml": SPEC,
        "b.yaml": SPEC})
    assert _found(root) == ["a.yaml", "b.yaml", "c.yaml", "d.yaml", "e.yml"]


def test_a_folder_reached_through_a_link_is_built_at_its_own_path(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "specs", {"a/a.yaml": SPEC, "b/b.yaml": SPEC})
    (root / "a" / "tob").symlink_to("../b", target_is_directory=True)
    (root / "a" / "b_too.yaml").symlink_to("../b/b.yaml")  # a file reached twice, too
    found = discover([root], tmp_path / "out")
    assert sorted(t.stem.as_posix() for t in found) == ["a/a", "b/b"]
    assert {t.spec.relative_to(root).as_posix() for t in found} == {"a/a.yaml", "b/b.yaml"}


def test_a_spec_larger_than_the_limit_is_built_not_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its chart keys after rows longer than discovery reads: skipped as 'not a chart' with exit
    code 0 (breaker14 #6); built, it fails with the size limit's error."""
    from chartspec.builder import select

    monkeypatch.setattr(select, "MAX_BYTES", 200_000)
    rows = "".join(f"    - {{step: {i}, loss: 0.5}}\n" for i in range(20_000))  # ~500 KB
    root = write_tree(tmp_path / "r", {"specs/huge.yaml": f"title: big\ndata:\n  values:\n{rows}x: {{field: step}}\n"
                                                         "layers: [{y: {field: loss}}]\n"})
    assert select.not_a_chart(root / "specs/huge.yaml") is None
