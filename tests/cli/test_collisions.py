"""Output collisions the file system would hide: names that differ only in case (one file on macOS,
Windows and many web hosts) and one spec's output that is another format of another spec's.

Linux tells ``a.svg`` from ``A.svg``, so without the check both are written here and the build
"works" - then a Mac checkout or a case-insensitive web host keeps one of them. Every colliding
spec fails before anything is written, with the error ``a.yaml`` + ``a.yml`` already gets.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from conftest import RunCli, files_under, write_tree

CSV = "step,loss\n0,2.3\n10,1.9\n20,1.4\n"
SPEC = """\
title: {title}
data: {data}
x: {{field: step}}
layers:
  - y: {{field: loss}}
"""


def spec(title: str, data: str = "data/metrics.csv") -> str:
    return SPEC.format(title=title, data=data)


def make_project(root: Path, specs: dict[str, str]) -> Path:
    return write_tree(root, {"chartspec.toml": "", "data/metrics.csv": CSV, **specs})


def errors(stderr: str) -> dict[str, str]:
    """{spec as shown: its error line} from a build's stderr."""
    return {m.group(1): m.group(2) for m in re.finditer(r"^(\S+): error: (.*)$", stderr, re.M)}


def test_specs_whose_names_differ_only_in_case_collide(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"a.yaml": spec("Lower"), "A.yml": spec("Upper"),
                                               "b.yaml": spec("B")})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg,png", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = errors(proc.stderr)
    assert set(found) == {"proj/a.yaml", "proj/A.yml"}, proc.stderr
    for message in found.values():
        assert message == ("outputs out/A.* and out/a.* would be written by several specs: proj/A.yml, "
                           "proj/a.yaml (names that differ only in case are one file on macOS, Windows and "
                           "many web hosts)")
    assert "hint: rename one of the specs or build them into different output folders" in proc.stderr
    assert files_under(out) == {"b.svg", "b.png"}  # neither wrote anything, the other spec was built
    assert "1 built, 2 failed" in proc.stderr


def test_folders_that_differ_only_in_case_collide_too(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"Charts/loss.yaml": spec("Upper", "../data/metrics.csv"),
                                               "charts/loss.yaml": spec("Lower", "../data/metrics.csv"),
                                               "charts/other.yaml": spec("Other", "../data/metrics.csv")})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", "--json", cwd=tmp_path)
    assert proc.returncode == 1
    report = json.loads(proc.stdout)
    assert {s["spec"]: s["status"] for s in report["specs"]} == {
        "proj/Charts/loss.yaml": "failed", "proj/charts/loss.yaml": "failed", "proj/charts/other.yaml": "built"}
    assert files_under(out) == {"charts/other.svg"}


def test_unicode_names_in_two_normal_forms_collide(tmp_path: Path, run_cli: RunCli) -> None:
    """'café' typed on Linux (one code point) and saved by macOS (e + a combining accent) are two
    files here and one on macOS."""
    composed, decomposed = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")
    assert composed != decomposed
    project = make_project(tmp_path / "proj", {f"{composed}.yaml": spec("One"), f"{decomposed}.yml": spec("Two")})
    proc = run_cli("build", project, "-o", tmp_path / "out", "-j", "0", "-f", "svg", cwd=tmp_path)
    assert proc.returncode == 1
    assert len(errors(proc.stderr)) == 2 and "would be written by several specs" in proc.stderr
    assert files_under(tmp_path / "out") == set()


def test_a_fragment_and_a_page_with_the_same_file_name_collide(tmp_path: Path, run_cli: RunCli) -> None:
    """x.yaml's fragment and x.fragment.yaml's page are both x.fragment.html: one silently replaced
    the other, and every rebuild flipped which."""
    project = make_project(tmp_path / "proj", {"x.yaml": spec("Plain x"), "x.fragment.yaml": spec("Fragment x"),
                                               "y.yaml": spec("Y")})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "html,fragment", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    found = errors(proc.stderr)
    assert set(found) == {"proj/x.yaml", "proj/x.fragment.yaml"}, proc.stderr
    for message in found.values():
        assert message == ("output out/x.fragment.html would be written by several specs: "
                           "proj/x.fragment.yaml (html), proj/x.yaml (fragment)")
    assert "hint: rename one of the specs, or build the formats into different output folders" in proc.stderr
    assert files_under(out) == {"y.html", "y.fragment.html"}

    # in formats that do not meet, the same two specs are fine
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "html,svg", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert {"x.html", "x.svg", "x.fragment.html", "x.fragment.svg"} <= files_under(out)
    assert b"Fragment x" in (out / "x.fragment.svg").read_bytes()


def test_a_collision_keeps_the_outputs_of_an_earlier_build(tmp_path: Path, run_cli: RunCli) -> None:
    project = make_project(tmp_path / "proj", {"a.yaml": spec("First")})
    out = tmp_path / "out"
    assert run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", cwd=tmp_path).returncode == 0
    before = (out / "a.svg").read_bytes()
    (project / "A.yaml").write_text(spec("Second"), encoding="utf-8")
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", cwd=tmp_path)
    assert proc.returncode == 1 and len(errors(proc.stderr)) == 2, proc.stderr
    assert files_under(out) == {"a.svg"} and (out / "a.svg").read_bytes() == before


def test_an_output_file_that_is_another_specs_output_folder_collides(tmp_path: Path, run_cli: RunCli) -> None:
    # a.yaml writes out/a.svg; A.SVG/b.yaml writes out/A.SVG/b.svg: a file and a folder of one name
    for folder, fmt in (("a.svg", "svg"), ("A.SVG", "svg"), ("a.vl.json", "json")):
        project = make_project(tmp_path / f"proj-{folder}", {"a.yaml": spec("File"), "c.yaml": spec("C"),
                                                            f"{folder}/b.yaml": spec("Folder", "../data/metrics.csv")})
        out = tmp_path / f"out-{folder}"
        proc = run_cli("build", project, "-o", out, "-j", "0", "-f", fmt, cwd=tmp_path)
        assert proc.returncode == 1, proc.stdout + proc.stderr
        found = errors(proc.stderr)
        assert set(found) == {f"proj-{folder}/a.yaml", f"proj-{folder}/{folder}/b.yaml"}, proc.stderr
        output = "a.svg" if fmt == "svg" else "a.vl.json"
        for message in found.values():
            assert message == (f"output out-{folder}/{output} would be a file for proj-{folder}/a.yaml ({fmt}) and a "
                               f"folder for proj-{folder}/{folder}/b.yaml: one path cannot be both")
        assert "Operation not permitted" not in proc.stderr and "Traceback" not in proc.stderr
        assert files_under(out) == {"c.svg" if fmt == "svg" else "c.vl.json"}  # nothing of a or b written


def test_names_that_only_a_full_casefold_equates_do_not_collide(tmp_path: Path, run_cli: RunCli) -> None:
    # casefold() maps ß to ss; NTFS, HFS+ and APFS keep straße and strasse apart
    project = make_project(tmp_path / "proj", {"straße.yaml": spec("Eszett"), "strasse.yaml": spec("Double s"),
                                               "ΟΔΟΣ.yaml": spec("Upper sigma"), "οδος.yaml": spec("Final sigma")})
    out = tmp_path / "out"
    proc = run_cli("build", project, "-o", out, "-j", "0", "-f", "svg", cwd=tmp_path)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    # the Greek pair is one name on a case-insensitive disk (Σ, σ and ς are one letter there)
    assert set(errors(proc.stderr)) == {"proj/ΟΔΟΣ.yaml", "proj/οδος.yaml"}, proc.stderr
    assert files_under(out) == {"straße.svg", "strasse.svg"}
