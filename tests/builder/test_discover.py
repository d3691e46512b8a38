"""Discovery on hostile folders: symlink loops, links to an ancestor, a build's own outputs.

A folder linking to itself or its parent made discovery loop (100% CPU until killed) or build
the same spec again ~40 folders deep; building into the specs folder with ``-f json`` picked
its own ``a.vl.json`` up as a second spec on the next build.
"""

from __future__ import annotations

from pathlib import Path

from conftest import RunCli, files_under, write_tree

from chartspec.builder.discover import discover

SPEC = "title: T\ndata: {data}\nx: {{field: step}}\nlayers:\n  - y: {{field: loss}}\n"
CSV = "step,loss\n0,2.3\n10,1.9\n"


def _loops(specs: Path) -> None:
    (specs / "l1").symlink_to(".", target_is_directory=True)
    (specs / "l2").symlink_to(".", target_is_directory=True)
    (specs / "l1b").symlink_to("..", target_is_directory=True)
    (specs / "self").symlink_to("self")  # a link to itself: neither a file nor a folder


def test_symlink_loops_are_searched_once(tmp_path: Path) -> None:
    specs = write_tree(tmp_path / "s", {"x.yaml": SPEC.format(data="d.csv"), "sub/y.yaml": SPEC.format(data="d.csv")})
    (tmp_path / "other.yaml").write_text(SPEC.format(data="d.csv"), encoding="utf-8")  # outside s: never found
    _loops(specs)
    (specs / "sub" / "up").symlink_to("../..", target_is_directory=True)
    (specs / "alias").symlink_to("sub", target_is_directory=True)  # a sibling reached twice: built once
    found = discover([specs])
    assert sorted(t.spec.resolve().relative_to(specs.resolve()).as_posix() for t in found) == ["sub/y.yaml", "x.yaml"]
    assert len({t.stem for t in found}) == 2


def test_validate_and_build_finish_on_a_symlink_loop(tmp_path: Path, run_cli: RunCli) -> None:
    specs = write_tree(tmp_path / "s", {"x.yaml": SPEC.format(data="d.csv"), "d.csv": CSV})
    _loops(specs)
    proc = run_cli("validate", specs, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("build", specs, "-o", tmp_path / "out", "-j", "0", "-f", "svg", cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert files_under(tmp_path / "out") == {"x.svg"}


def test_a_build_into_its_specs_folder_does_not_read_its_own_outputs(tmp_path: Path, run_cli: RunCli) -> None:
    specs = write_tree(tmp_path / "p", {"a.yaml": SPEC.format(data="d.csv"), "d.csv": CSV})
    for _ in range(3):
        proc = run_cli("build", ".", "-o", ".", "-f", "json", "-j", "0", cwd=specs, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "error" not in proc.stderr
    assert (specs / "a.vl.json").is_file()
    # a plain Vega-Lite spec the user wrote is still a spec
    (specs / "b.vl.json").write_text((specs / "a.vl.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert sorted(t.spec.name for t in discover([specs], specs)) == ["a.yaml", "b.vl.json"]
    # and built elsewhere afterwards: the folder's own manifest still marks a.vl.json an output
    # (only the output folder's manifest was read: every spec clashed with its own output)
    assert sorted(t.spec.name for t in discover([specs], tmp_path / "site")) == ["a.yaml", "b.vl.json"]
    proc = run_cli("build", ".", "-o", tmp_path / "site", "-f", "svg", "-j", "0", cwd=specs, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert files_under(tmp_path / "site") == {"a.svg", "b.svg"}


def test_out_empty_in_the_project_file_does_not_read_its_own_outputs(tmp_path: Path, run_cli: RunCli) -> None:
    project = write_tree(tmp_path / "p", {"chartspec.toml": 'out = ""\nformats = ["json"]\n',
                                          "charts/a.yaml": SPEC.format(data="../d.csv"), "d.csv": CSV})
    for _ in range(2):
        proc = run_cli("build", ".", "-j", "0", cwd=project, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (project / "charts" / "a.vl.json").is_file()
    assert [t.spec.name for t in discover([project], project)] == ["a.yaml"]


def test_a_plain_vega_lite_spec_is_never_overwritten_by_its_own_output(tmp_path: Path, run_cli: RunCli) -> None:
    """'build . -o . -f json' wrote p.vl.json's compiled copy over the hand-written p.vl.json (its
    data URL replaced by inline rows), and later builds found no spec at all."""
    spec = ('{"data": {"values": [{"a": 1, "b": 2}]}, "mark": "point", "encoding": '
            '{"x": {"field": "a", "type": "quantitative"}, "y": {"field": "b", "type": "quantitative"}}}')
    project = write_tree(tmp_path / "p", {"p.vl.json": spec, "a.yaml": SPEC.format(data="d.csv"), "d.csv": CSV})
    proc = run_cli("build", ".", "-o", ".", "-f", "json", "-j", "0", cwd=project, timeout=60)
    assert proc.returncode == 1 and "its json output p.vl.json would overwrite the spec p.vl.json" in proc.stderr
    assert (project / "p.vl.json").read_text(encoding="utf-8") == spec and (project / "a.vl.json").is_file()
    proc = run_cli("build", ".", "-o", tmp_path / "site", "-f", "svg", "-j", "0", cwd=project, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert files_under(tmp_path / "site") == {"a.svg", "p.svg"}
    # a spec not in this build: one spec named, or a folder of Vega-Lite specs as the output folder
    (project / "a.vl.json").unlink()
    (project / "a.vl.json").write_text(spec, encoding="utf-8")
    for args in (["a.yaml", "-o", "."], [".", "-o", "sub"]):
        (project / "sub").mkdir(exist_ok=True)
        (project / "sub" / "a.vl.json").write_text(spec, encoding="utf-8")
        proc = run_cli("build", *args, "-f", "json", "-j", "0", cwd=project, timeout=60)
        assert "would overwrite the spec" in proc.stderr and proc.returncode == 1, proc.stderr
        assert (project / "a.vl.json").read_text(encoding="utf-8") == spec
        assert (project / "sub" / "a.vl.json").read_text(encoding="utf-8") == spec
