"""Incremental builds: only what changed is rendered again, and the output folder stays tidy.

Most scenarios run the library in this process (``jobs=0``, SVG only) to stay fast; the ones
about what the command line prints or which flags it honours run the real console script.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import RunCli, files_under, write_tree

import chartspec
from chartspec.builder.cache import MANIFEST_NAME
from chartspec.builder.options import BuildOptions, BuildReport
from chartspec.render import export

SPEC = """\
title: {title}
data: {data}
x: {{field: step}}
layers:
  - y: {{field: loss}}
"""
CSV_A = "step,loss\n0,2.3\n10,1.9\n20,1.4\n30,1.2\n"
CSV_B = "step,loss\n0,5.0\n10,4.0\n20,3.5\n"


def make_project(root: Path) -> Path:
    """one.yaml and two.yaml read data/a.csv; three.yaml reads data/b.csv."""
    specs = {f"{name}.yaml": SPEC.format(title=name.title(), data=data)
             for name, data in (("one", "data/a.csv"), ("two", "data/a.csv"), ("three", "data/b.csv"))}
    return write_tree(root, {"chartspec.toml": "", "data/a.csv": CSV_A, "data/b.csv": CSV_B, **specs})


def build(project: Path, out: Path, **options: object) -> BuildReport:
    settings: dict[str, object] = {"out": out, "jobs": 0, "formats": ("svg",), **options}
    return chartspec.build([project], BuildOptions(**settings))  # type: ignore[arg-type]


def statuses(report: BuildReport) -> dict[str, str]:
    return {r.target.spec.stem: r.status for r in report.results}


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Bytes and modification time of every file below ``folder``."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}




# --- nothing changed -------------------------------------------------------------------------------


def test_second_build_renders_nothing(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    first = run_cli("build", project, "-o", out, "-j", "0", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.count("built proj/") == 3
    assert "3 built" in first.stdout
    before = snapshot(out)
    assert files_under(out) == {f"{stem}.{ext}" for stem in ("one", "two", "three") for ext in ("html", "svg", "png")}
    assert len(list((out / "_chartspec").glob("vega-bundle.*.js"))) == 1  # one bundle for all pages

    again = run_cli("build", project, "-o", out, "-j", "0", "--json", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    report = json.loads(again.stdout)
    assert report["ok"] is True
    assert report["counts"] == {"built": 0, "up-to-date": 3, "valid": 0, "failed": 0}
    assert {s["spec"]: s["status"] for s in report["specs"]} == {
        "proj/one.yaml": "up-to-date", "proj/two.yaml": "up-to-date", "proj/three.yaml": "up-to-date"}
    assert report["removed"] == []

    plain = run_cli("build", project, "-o", out, "-j", "0", cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith("nothing to do: 3 up to date"), plain.stdout
    assert "built" not in plain.stdout
    # not a byte and not a timestamp changed, the manifest's included
    assert snapshot(out) == before


# --- what changed decides what is rebuilt ----------------------------------------------------------------


def test_editing_a_data_file_rebuilds_exactly_the_specs_reading_it(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    assert statuses(build(project, out)) == {"one": "built", "two": "built", "three": "built"}
    before = snapshot(out)

    (project / "data" / "a.csv").write_text(CSV_A.replace("2.3", "9.7"), encoding="utf-8")
    report = build(project, out)
    assert report.ok
    assert statuses(report) == {"one": "built", "two": "built", "three": "up-to-date"}
    after = snapshot(out)
    assert after["three.svg"] == before["three.svg"]
    assert after["one.svg"][0] != before["one.svg"][0]  # the new maximum moved the y axis
    assert after["two.svg"][0] != before["two.svg"][0]

    # rewriting a file with the same bytes is no change (contents are hashed, not timestamps)
    (project / "data" / "b.csv").write_text(CSV_B, encoding="utf-8")
    assert statuses(build(project, out)) == {"one": "up-to-date", "two": "up-to-date", "three": "up-to-date"}

    (project / "data" / "b.csv").write_text(CSV_B + "30,3.1\n", encoding="utf-8")
    assert statuses(build(project, out)) == {"one": "up-to-date", "two": "up-to-date", "three": "built"}


def test_editing_a_spec_rebuilds_only_that_spec(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    build(project, out)
    before = snapshot(out)
    (project / "two.yaml").write_text(SPEC.format(title="Second chart", data="data/a.csv"), encoding="utf-8")
    assert statuses(build(project, out)) == {"one": "up-to-date", "two": "built", "three": "up-to-date"}
    after = snapshot(out)
    assert b"Second chart" in after["two.svg"][0]
    assert after["one.svg"] == before["one.svg"] and after["three.svg"] == before["three.svg"]


def test_a_change_to_chartspecs_code_rebuilds_even_at_the_same_version(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    import chartspec
    from chartspec.builder import cache
    from chartspec.render import versions as library

    assert re.fullmatch(r"[0-9a-f]{64}", library.code_hash()) and library.library_versions()["code"] == library.code_hash()
    # the hash follows the code's bytes and relative paths, not where the package is installed
    package = Path(chartspec.__file__).parent
    first, second = tmp_path / "a" / "chartspec", tmp_path / "elsewhere" / "b" / "chartspec"
    shutil.copytree(package, first, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(package, second, ignore=shutil.ignore_patterns("__pycache__"))
    assert library.tree_hash(first) == library.tree_hash(second) == library.tree_hash(package)
    (second / "compiler" / "chart.py").write_text((second / "compiler" / "chart.py").read_text(encoding="utf-8") + "\n# edited\n",
                                        encoding="utf-8")
    assert library.tree_hash(second) != library.tree_hash(first)
    # a build after a code change (a new hash, same version) renders everything again
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    build(project, out)
    assert set(statuses(build(project, out)).values()) == {"up-to-date"}
    versions = library.library_versions()
    monkeypatch.setattr(cache, "library_versions", lambda: {**versions, "code": "0" * 64})
    assert set(statuses(build(project, out)).values()) == {"built"}
    assert set(statuses(build(project, out)).values()) == {"up-to-date"}


def test_changing_formats_or_scale_rebuilds(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    build(project, out, formats=("svg",))
    all_built = {"one": "built", "two": "built", "three": "built"}
    all_fresh = {"one": "up-to-date", "two": "up-to-date", "three": "up-to-date"}

    assert statuses(build(project, out, formats=("svg", "png"))) == all_built
    assert files_under(out) == {f"{s}.{e}" for s in ("one", "two", "three") for e in ("svg", "png")}
    # the same formats in another order are the same outputs
    assert statuses(build(project, out, formats=("png", "svg"))) == all_fresh

    small = (out / "one.png").read_bytes()
    assert statuses(build(project, out, formats=("svg", "png"), scale=2.0)) == all_built
    assert (out / "one.png").read_bytes() != small
    assert statuses(build(project, out, formats=("svg", "png"), scale=2.0)) == all_fresh
    assert statuses(build(project, out, formats=("svg", "png"), scale=1.0)) == all_built
    assert (out / "one.png").read_bytes() == small


def test_dropping_a_format_removes_its_outputs(tmp_path: Path) -> None:
    """OUT mirrors the current formats: a PNG from an earlier build does not linger, unless edited."""
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    build(project, out, formats=("svg", "png"))
    (out / "three.png").write_bytes(b"edited by hand")  # not as chartspec wrote it: kept

    report = build(project, out, formats=("svg",))
    assert sorted(p.name for p in report.removed) == ["one.png", "two.png"]
    assert files_under(out) == {"one.svg", "two.svg", "three.svg", "three.png"}
    assert (out / "three.png").read_bytes() == b"edited by hand"
    # the manifest no longer claims the PNGs: nothing is removed again, nothing rebuilt
    report = build(project, out, formats=("svg",))
    assert report.removed == [] and set(statuses(report).values()) == {"up-to-date"}


def test_format_and_scale_options_of_the_cli_rebuild(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"

    def counts(*args: str) -> dict[str, int]:
        proc = run_cli("build", project, "-o", out, "-j", "0", "--json", *args, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout)["counts"]

    assert counts("-f", "svg,png")["built"] == 3
    assert counts("-f", "svg,png")["up-to-date"] == 3
    assert counts("-f", "svg,png", "--scale", "2")["built"] == 3
    assert counts("-f", "svg", "--scale", "2")["built"] == 3


def test_force_rebuilds_everything(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    assert run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", cwd=tmp_path).returncode == 0
    before = snapshot(out)
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", "--force", "--json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["counts"]["built"] == 3 and report["counts"]["up-to-date"] == 0
    after = snapshot(out)
    for name in ("one.svg", "two.svg", "three.svg"):
        assert after[name][0] == before[name][0]    # same bytes (rendering is deterministic) ...
        assert after[name][1] != before[name][1]    # ... written anew
    # and a forced build leaves a manifest the next build trusts
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", "--json", cwd=tmp_path)
    assert json.loads(proc.stdout)["counts"]["up-to-date"] == 3


# --- the output folder -------------------------------------------------------------------------------------


def test_deleting_a_spec_removes_only_its_outputs(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj")
    (project / "nested").mkdir()
    (project / "nested" / "deep.yaml").write_text(SPEC.format(title="Deep", data="../data/a.csv"), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("build", project, "-o", out, "-j", "0", "-f", "svg,png", cwd=tmp_path).returncode == 0
    assert (out / "nested" / "deep.svg").is_file()
    # files chartspec did not write, including one named like an output
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    (out / "old.svg").write_text("<svg/>", encoding="utf-8")
    (out / "nested" / "extra.png").write_bytes(b"not ours")

    (project / "two.yaml").unlink()
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg,png", "-v", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "removed out/two.svg" in proc.stdout and "removed out/two.png" in proc.stdout
    assert "2 stale output(s) removed" in proc.stdout
    assert files_under(out) == {"one.svg", "one.png", "three.svg", "three.png", "nested/deep.svg",
                                "nested/deep.png", "nested/extra.png", "notes.txt", "old.svg"}
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"

    # a deleted spec in a sub-folder takes its outputs, and the folder once empty, with it
    (project / "nested" / "deep.yaml").unlink()
    (out / "nested" / "extra.png").unlink()
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg,png", "--json", cwd=tmp_path)
    report = json.loads(proc.stdout)
    assert sorted(report["removed"]) == ["out/nested/deep.png", "out/nested/deep.svg"]
    assert report["counts"] == {"built": 0, "up-to-date": 2, "valid": 0, "failed": 0}
    assert not (out / "nested").exists()
    assert files_under(out) == {"one.svg", "one.png", "three.svg", "three.png", "notes.txt", "old.svg"}


def test_an_output_deleted_or_changed_by_hand_is_rebuilt(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    build(project, out, formats=("svg", "png"))
    good_svg = (out / "one.svg").read_bytes()

    (out / "one.png").unlink()
    assert statuses(build(project, out, formats=("svg", "png"))) == {
        "one": "built", "two": "up-to-date", "three": "up-to-date"}
    assert (out / "one.png").read_bytes().startswith(b"\x89PNG")

    (out / "three.svg").write_text("<svg>edited</svg>", encoding="utf-8")
    assert statuses(build(project, out, formats=("svg", "png"))) == {
        "one": "up-to-date", "two": "up-to-date", "three": "built"}
    assert b"edited" not in (out / "three.svg").read_bytes()
    assert (out / "one.svg").read_bytes() == good_svg


@pytest.mark.parametrize("content", [
    "{not json",
    '{"format": 1, "specs": {"/a',                      # cut short
    "[]",
    '{"format": 1, "specs": []}',
    '{"format": 1, "specs": {"/gone.yaml": {"key": "k", "inputs": 5, "outputs": [1]}}}',
    '{"format": 1, "specs": {"/gone.yaml": {"key": "k", "inputs": [], "outputs": {"x.svg": "big"}}}}',
    '{"format": 1, "specs": {"/gone.yaml": {"key": "k"}}}',
    '{"format": 99, "specs": {}}',
])
def test_a_corrupt_manifest_means_a_full_rebuild(tmp_path: Path, content: str) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    build(project, out)
    (out / MANIFEST_NAME).write_text(content, encoding="utf-8")
    report = build(project, out)
    assert report.ok
    assert statuses(report) == {"one": "built", "two": "built", "three": "built"}
    # the manifest is whole again
    assert statuses(build(project, out)) == {"one": "up-to-date", "two": "up-to-date", "three": "up-to-date"}


def test_a_manifest_never_makes_chartspec_delete_outside_the_output_folder(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "precious.txt"
    victim.write_text("keep me", encoding="utf-8")
    forged = {"format": 1, "specs": {str(tmp_path / "deleted.yaml"): {
        "key": "k", "inputs": [], "outputs": {"../precious.txt": [7, 0], str(victim): [7, 0]}}}}
    (out / MANIFEST_NAME).write_text(json.dumps(forged), encoding="utf-8")
    report = build(project, out)
    assert report.ok and report.removed == []
    assert victim.read_text(encoding="utf-8") == "keep me"


def test_data_saved_during_a_render_is_rebuilt_next_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editor saving a data file while its chart renders (routine under `chartspec watch`): the
    output shows the old data, so the manifest must not record the new data as built."""
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    real_svg = export.WRITERS["svg"]

    def save_meanwhile(vl, svg, scale):  # type: ignore[no-untyped-def]
        if vl.get("title", {}).get("text") == "Three":
            (project / "data" / "b.csv").write_text(CSV_B.replace("5.0", "50.0"), encoding="utf-8")
        return real_svg(vl, svg, scale)

    monkeypatch.setitem(export.WRITERS, "svg", save_meanwhile)
    assert build(project, out).ok
    rendered_from_old_data = (out / "three.svg").read_bytes()
    monkeypatch.setitem(export.WRITERS, "svg", real_svg)

    assert statuses(build(project, out)) == {"one": "up-to-date", "two": "up-to-date", "three": "built"}
    assert (out / "three.svg").read_bytes() != rendered_from_old_data


# --- failures are never cached -------------------------------------------------------------------------------


def test_a_failed_spec_is_retried_on_the_next_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project(tmp_path / "proj")
    out = tmp_path / "out"
    assert build(project, out).ok
    old_two = (out / "two.svg").read_bytes()

    # a render failure that has nothing to do with the inputs (say, out of memory) ...
    real_svg = export.WRITERS["svg"]

    def flaky(vl, svg, scale):  # type: ignore[no-untyped-def]
        if vl.get("title", {}).get("text") == "Two!":
            raise RuntimeError("renderer ran out of memory")
        return real_svg(vl, svg, scale)

    monkeypatch.setitem(export.WRITERS, "svg", flaky)
    (project / "two.yaml").write_text(SPEC.format(title="Two!", data="data/a.csv"), encoding="utf-8")
    report = build(project, out)
    assert statuses(report) == {"one": "up-to-date", "two": "failed", "three": "up-to-date"}
    assert (out / "two.svg").read_bytes() == old_two        # the old output is kept, untouched

    # ... is retried although no input changed since
    report = build(project, out)
    assert statuses(report)["two"] == "failed"
    monkeypatch.setitem(export.WRITERS, "svg", real_svg)
    report = build(project, out)
    assert statuses(report) == {"one": "up-to-date", "two": "built", "three": "up-to-date"}
    assert b"Two!" in (out / "two.svg").read_bytes()

    # an invalid spec is retried (and reported) on every build too, through the CLI as well
    (project / "three.yaml").write_text(SPEC.format(title="Three", data="data/a.csv").replace("loss", "los"),
                                        encoding="utf-8")
    for _ in range(2):
        report = build(project, out)
        assert statuses(report)["three"] == "failed"
        assert "field 'los' not in data/a.csv" in str(report.failed[0].error)
    (project / "three.yaml").write_text(SPEC.format(title="Three", data="data/b.csv"), encoding="utf-8")
    assert statuses(build(project, out))["three"] == "built"


def test_a_failed_spec_exits_1_on_every_cli_build(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj")
    (project / "data" / "b.csv").write_text("step,loss\n0,1\n1\n", encoding="utf-8")  # a ragged row
    out = tmp_path / "out"
    for _ in range(2):
        proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", "--json", cwd=tmp_path)
        assert proc.returncode == 1
        report = json.loads(proc.stdout)
        assert report["counts"]["failed"] == 1
        assert {s["spec"]: s["status"] for s in report["specs"]}["proj/three.yaml"] == "failed"
    assert report["counts"]["up-to-date"] == 2
    (project / "data" / "b.csv").write_text(CSV_B, encoding="utf-8")
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", "--json", cwd=tmp_path)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["counts"] == {"built": 1, "up-to-date": 2, "valid": 0, "failed": 0}


def test_library_versions_read_beside_the_module_equal_importlib_metadata() -> None:
    """The outputs' key reads vl-convert's version from its .dist-info folder (a cold build's
    shortcut): it must be what importlib.metadata says, or upgrades would not rebuild."""
    from importlib.metadata import version

    from chartspec.render.versions import _distribution_version, library_versions, versions_ahead

    assert _distribution_version("vl_convert", "vl_convert_python") == version("vl-convert-python")
    assert _distribution_version("yaml", "no_such_distribution") == "unknown"
    versions_ahead()  # started ahead or not, the same answer
    assert library_versions()["vl-convert"] == version("vl-convert-python")
