"""A repository that is not only charts: YAML that is clearly something else is skipped with a note
when a folder is built (and still an error when named), and include/exclude globs choose the rest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import RunCli, write_tree

from chartspec.builder.discover import discover
from chartspec.builder.select import GlobFilter

SPEC = "data: {values: [{a: 1, b: 2}, {a: 2, b: 3}]}\nx: {field: a}\nlayers:\n  - y: {field: b}\n"
PLAIN = "mark: point\ndata: {values: [{a: 1}]}\nencoding: {x: {field: a, type: quantitative}}\n"
OTHERS = {
    "mkdocs.yml": "site_name: Docs\ntheme:\n  name: material\nnav:\n  - index.md\n",
    "docker-compose.yml": "services:\n  web:\n    image: nginx\n",
    "ci/workflow.yml": "name: ci\non: [push]\njobs:\n  test: {runs-on: ubuntu-latest}\n",
    "config/hooks.yaml": "- id: ruff\n  name: ruff\n",
    "dvc.yaml": "stages:\n  train: {cmd: python train.py}\n",
    "params.yaml": "train:\n  lr: 0.01\n",
}


def _repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", {"chartspec.toml": "", "specs/loss.yaml": SPEC, "specs/plain.vl.yaml": PLAIN,
                                          "specs/drafts/wip.yaml": SPEC, "flow.yaml": "{x: {field: a}}\n", **OTHERS})


def _found(root: Path, **globs: tuple[str, ...]) -> list[str]:
    notes: list = []
    return [t.spec.relative_to(root).as_posix() for t in discover([root], root / "build", notes=notes, **globs)]


def test_a_folder_build_skips_what_is_not_a_chart_with_a_note(tmp_path: Path, run_cli: RunCli) -> None:
    root = _repo(tmp_path)
    (root / "flow.yaml").unlink()
    proc = run_cli("build", ".", "-f", "svg", "-j", "0", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (root / "build" / "specs").rglob("*.svg")) == ["loss.svg", "plain.svg", "wip.svg"]
    for name, keys in (("mkdocs.yml", "nav, site_name, theme"), ("docker-compose.yml", "services"),
                       ("ci/workflow.yml", "jobs, name, on")):
        assert f"{name}: note: skipped: not a chart spec (top-level keys {keys}, no chart key" in proc.stderr, proc.stderr
    assert "config/hooks.yaml: note: skipped: not a chart spec (a YAML list" in proc.stderr
    assert "dvc.yaml" not in proc.stderr and "params.yaml" not in proc.stderr  # DVC's files: never specs
    assert "error" not in proc.stderr
    proc = run_cli("build", ".", "-f", "svg", "-j", "0", "--json", cwd=root)
    notes = json.loads(proc.stdout)["notes"]
    assert {n["file"] for n in notes} == {"mkdocs.yml", "docker-compose.yml", "ci/workflow.yml", "config/hooks.yaml"}
    assert {n["severity"] for n in notes} == {"note"}


def test_named_explicitly_it_is_still_an_error(tmp_path: Path, run_cli: RunCli) -> None:
    root = _repo(tmp_path)
    proc = run_cli("build", "mkdocs.yml", "-f", "svg", cwd=root)
    assert proc.returncode == 1
    assert "mkdocs.yml:1:1: error: unknown key 'site_name'" in proc.stderr and "note:" not in proc.stderr


def test_a_folder_of_nothing_but_other_yaml_says_what_it_skipped(tmp_path: Path, run_cli: RunCli) -> None:
    root = write_tree(tmp_path / "r", {"mkdocs.yml": OTHERS["mkdocs.yml"]})
    proc = run_cli("build", ".", cwd=root)
    assert proc.returncode == 2
    assert "no spec files (*.yaml, *.yml, *.vl.json) found in .; skipped, as not chart specs: mkdocs.yml" in proc.stderr


def test_ml_configs_whose_chart_like_keys_hold_numbers_are_skipped(tmp_path: Path) -> None:
    """``layers: 12`` or ``x: 224`` in a model config made 'build .' fail on files that are no
    charts; a chart's x is a mapping and its layers a list of mappings."""
    root = _repo(tmp_path)
    write_tree(root, {"configs/model.yaml": "name: vit\nlayers: 12\nhidden: 768\n",
                      "configs/data.yaml": "x: 224  # crop\ny: 224\n",
                      "configs/mlp.yaml": "layers: [512, 256, 1e-3]\nx: -1.5\n",
                      "configs/block.yaml": "layers:\n  - 512\n  - 256\nencoding: utf-8\nx: true\n",
                      "configs/hex.yaml": "layers: 0x10  # hex\nrepeat: null\n",
                      "specs/inline.yaml": "layers: [{y: {field: b}}]\nx: {field: a}\ndata: {values: [{a: 1, b: 2}]}\n",
                      # charts written unusually are never skipped (the build reports their errors)
                      "specs/empty.yaml": "data: d.csv\nlayers: []\n",
                      "specs/merge.yaml": "<<: *base\ntitle: t\n",
                      "specs/explicit.yaml": "? x\n: {field: a}\nlayers:\n  - y: {field: b}\n",
                      "specs/block.yaml": "x:\n  field: a\nlayers:\n  -\n    y: {field: b}\n",
                      "specs/commented.yaml": "x: # the step\n  field: a\nlayers: # one\n  # the loss\n"
                                              "  - y: {field: b}\n",
                      "specs/crlf.yaml": "x:\r\n  field: a\r\nlayers:\r\n  - y: {field: b}\r\n",
                      "specs/bom.yaml": "\ufeffhconcat:\n  - # left\n    x: {field: a}\n",
                      "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 2\n",
                      "configs/tok.yaml": "encoding:\n  name: utf-8\nmark: '[MASK]'\n"})
    found = _found(root)
    assert not any(f.startswith("configs/") for f in found), found
    assert {"specs/inline.yaml", "specs/empty.yaml", "specs/merge.yaml", "specs/explicit.yaml",
            "specs/block.yaml", "specs/commented.yaml", "specs/crlf.yaml", "specs/bom.yaml"} <= set(found), found
    assert not any(f.startswith("k8s/") for f in found), found


def test_flow_style_and_schema_modelines_are_never_skipped(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "specs" / "moded.yaml").write_text("# yaml-language-server: $schema=../schemas/chartspec.schema.json\n"
                                               "title: only a title\n", encoding="utf-8")
    found = _found(root)
    assert "flow.yaml" in found and "specs/moded.yaml" in found


def test_chart_keys_after_a_long_first_value_are_found(tmp_path: Path, run_cli: RunCli) -> None:
    # 5,000 inline rows before x and layers: well past what the first read looks at
    rows = ", ".join(f"{{step: {i}, loss: {i}}}" for i in range(5000))
    big = f"data: {{values: [{rows}]}}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}}}]\n"
    assert len(big) > 100_000
    long_title = f"description: {'t' * 70_000}\ndata: {{values: [{{a: 1}}, {{a: 2}}]}}\nx: {{field: a}}\nlayers: [{{y: {{field: a}}}}]\n"
    other = "settings:\n" + "".join(f"  key{i}: {'v' * 60}\n" for i in range(2000))  # a long file of other keys
    root = write_tree(tmp_path / "r", {"inline_big.yaml": big, "long_title.yaml": long_title, "other.yaml": other})
    proc = run_cli("build", ".", "-o", "out", "-f", "json", "-j", "0", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (root / "out").glob("*.vl.json")) == ["inline_big.vl.json", "long_title.vl.json"]
    assert "other.yaml: note: skipped: not a chart spec (top-level keys settings" in proc.stderr
    assert "inline_big" not in proc.stderr and "long_title" not in proc.stderr


def test_include_and_exclude_globs(tmp_path: Path, run_cli: RunCli) -> None:
    root = _repo(tmp_path)
    assert _found(root, exclude=("specs/drafts",)) == ["flow.yaml", "specs/loss.yaml", "specs/plain.vl.yaml"]
    assert _found(root, include=("specs/**",), exclude=("**/*.vl.yaml",)) == ["specs/drafts/wip.yaml", "specs/loss.yaml"]
    assert _found(root, include=("*.yaml",)) == ["flow.yaml"]  # * stays within a folder
    # chartspec.toml's globs, and the command line's added to them
    (root / "chartspec.toml").write_text('exclude = ["specs/drafts/**"]\n', encoding="utf-8")
    proc = run_cli("build", ".", "-f", "json", "-j", "0", "--exclude", "flow.yaml", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.relative_to(root / "build").as_posix() for p in (root / "build").rglob("*.vl.json")) == [
        "specs/loss.vl.json", "specs/plain.vl.json"]
    (root / "chartspec.toml").write_text("exclude = [1]\n", encoding="utf-8")
    proc = run_cli("build", ".", cwd=root)
    assert proc.returncode == 2 and "chartspec.toml:1:1: error: exclude must be a list of globs" in proc.stderr


@pytest.mark.parametrize(("glob", "path", "taken"), [
    ("**/*.yaml", "a.yaml", True), ("**/*.yaml", "a/b/c.yaml", True), ("a/*", "a/b/c.yaml", False),
    ("a/**", "a/b/c.yaml", True), ("./a/?.yaml", "a/b.yaml", True), ("a/?.yaml", "a/bc.yaml", False),
])
def test_glob_semantics(glob: str, path: str, taken: bool) -> None:
    assert GlobFilter(include=(glob,)).takes(path) is taken


def test_globs_that_leave_out_every_spec_say_so(tmp_path: Path, run_cli: RunCli) -> None:
    """Globs are relative to the folder built: 'specs/**' from 'chartspec build specs' matches nothing."""
    root = write_tree(tmp_path / "repo", {"chartspec.toml": 'include = ["specs/**/*.yaml"]\n', "specs/loss.yaml": SPEC})
    proc = run_cli("validate", "specs", cwd=root)
    assert proc.returncode == 2, proc.stderr
    assert "no spec files (*.yaml, *.yml, *.vl.json) found in specs" in proc.stderr
    assert ("hint: include ['specs/**/*.yaml'] left out every file: globs are relative to the folder "
            "being built (specs), e.g. '**/*.yaml'") in proc.stderr


def test_theme_files_beside_their_specs_are_not_built_as_charts(tmp_path: Path, run_cli: RunCli) -> None:
    """A theme kept next to its spec (not in themes/) has a chart's 'legend' and 'title' too, and a folder
    build took it for a broken chart: one a spec or chartspec.toml names is an input, and so is one
    shaped like a Vega-Lite config (a key no chart has: axis, range, font, line)."""
    root = write_tree(tmp_path / "r", {
        "chartspec.toml": 'theme = "looks/house.yml"\n',
        "looks/house.yml": "legend: {labelColor: '#222222'}\n",  # named by the build only
        "specs/a.yaml": "theme: brand.yaml  # the look\n" + SPEC,
        "specs/brand.yaml": "background: '#fbf8f3'\ntitle: {color: '#2b2a4c'}\nlegend: {labelColor: '#2b2a4c'}\n",
        "specs/b.yaml": "data: {values: [{a: 1, b: 2}]}\ntheme: 'sub/mine.yaml'\nx: {field: a}\nlayers: [{y: {field: b}}]\n",
        "specs/sub/mine.yaml": "title: {fontSize: 20}\nlegend: {titleColor: '#333333'}\n",  # named only
        "specs/unnamed.yaml": "axis: {gridColor: '#eeeeee'}\nlegend: {labelColor: '#111111'}\n",  # a theme's shape
        "specs/plain.vl.yaml": PLAIN,
        "specs/look.vl.yaml": "mark: {color: '#ff0000'}\nline: {strokeWidth: 3}\n",
        "specs/wip.yaml": "title: Loss\nlegend: {position: top}\n",  # a chart being written: still built
    })
    proc = run_cli("build", ".", "-f", "json", "-j", "0", cwd=root)
    assert sorted(p.relative_to(root / "build").as_posix() for p in (root / "build").rglob("*.vl.json")) == [
        "specs/a.vl.json", "specs/b.vl.json", "specs/plain.vl.json"], proc.stderr
    assert proc.returncode == 1 and "specs/wip.yaml:1:1: error: the spec is missing the required key 'x'" in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if ": error:" in line]
    assert errors and all(line.startswith("specs/wip.yaml:") for line in errors), proc.stderr
    assert "specs/sub/mine.yaml: note: skipped: not a chart spec (specs/b.yaml reads it as its theme or data)" in proc.stderr
    assert "looks/house.yml: note: skipped: not a chart spec (the build's theme reads it" in proc.stderr
    for name in ("specs/brand.yaml", "specs/unnamed.yaml", "specs/look.vl.yaml"):
        assert f"{name}: note: skipped: not a chart spec" in proc.stderr, proc.stderr
    a = json.loads((root / "build" / "specs" / "a.vl.json").read_text(encoding="utf-8"))
    assert a["config"]["background"] == "#fbf8f3"  # the theme file still themes its chart
    # named on the command line, a theme file is built as asked (and fails as a chart)
    proc = run_cli("build", "specs/brand.yaml", "-f", "json", "-j", "0", cwd=root)
    assert proc.returncode == 1 and "specs/brand.yaml:1:1: error: the spec is missing the required key 'x'" in proc.stderr
