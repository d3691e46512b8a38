"""Golden error cases: every folder of tests/cases/ holds a broken spec.yaml and, in
expected.errors.txt, exactly what ``chartspec validate spec.yaml`` prints on stderr when run in
that folder (so locations read ``spec.yaml:LINE:COL``). Folders starting with ``_`` hold shared
data, not cases.

The closing summary line ("0 valid, 1 failed in 0.01 s") is checked, then left out of the golden:
it holds a run time and belongs to the reporter, not to the diagnostics. The absolute path of the
repository (the project root, which a message about data escaping the project names) is
written as ``<repo>``.

    pytest tests/spec/test_error_cases.py --update-goldens     # rewrite the goldens, then review the diff
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO, RunCli

CASES = REPO / "tests" / "cases"
GOLDEN = "expected.errors.txt"

# Cases whose golden must name these (file, line, column) locations: the place the error is *about*.
# This guards the goldens themselves: regenerating them cannot silently move a caret.
LOCATIONS: dict[str, list[str]] = {
    "unknown_key_titel": ["spec.yaml:1:1"],                 # the key
    "unknown_key_domian": ["spec.yaml:5:3"],                # the key
    "wrong_type": ["spec.yaml:3:8"],                        # the value
    "bad_enum_legend": ["spec.yaml:3:20"],                  # the value
    "text_too_long": ["spec.yaml:1:8", "spec.yaml:4:25", "spec.yaml:5:17", "spec.yaml:7:24", "spec.yaml:8:23",
                      "spec.yaml:9:28", "spec.yaml:11:11", "spec.yaml:12:29", "spec.yaml:14:53"],  # each text
    "vega_lite_text_too_long": ["spec.yaml:7:24", "spec.yaml:7:1040", "spec.yaml:9:23"],  # Vega-Lite's own titles
    "missing_required_y": ["spec.yaml:4:5"],                # the layer lacking 'y'
    "field_not_in_data": ["spec.yaml:6:16"],                # the field name
    "non_numeric_quantitative": ["spec.yaml:5:16"],
    "reversed_domain": ["spec.yaml:2:26"],                  # the domain list
    "invalid_colour": ["spec.yaml:5:12"],
    "duplicate_key": ["spec.yaml:6:5"],                     # the second 'mark'
    "yaml_syntax_error": ["spec.yaml:2:25"],                # where the unclosed quote opens
    "tab_indentation": ["spec.yaml:3:1"],
    "several_documents": ["spec.yaml:5:1"],                 # the '---'
    "non_utf8": ["spec.yaml:1:11"],                         # where the bad byte sits
    "alias_bomb": ["spec.yaml:6:8"],                        # the alias whose expansion overflows
    "python_tag": ["spec.yaml:3:8"],
    "control_character": ["spec.yaml:2:25"],               # the string holding the escape
    "number_too_large": ["spec.yaml:2:30"],
    "data_missing": ["spec.yaml:1:7"],
    "data_dotdot_escape": ["spec.yaml:1:7"],
    "data_absolute_path": ["spec.yaml:1:7"],
    "data_url": ["spec.yaml:2:9"],
    "data_ragged_csv": ["../_data/ragged.csv:4:1", "spec.yaml:1:7"],   # into the CSV, then the spec
    "data_invalid_json": ["../_data/broken.json:4:14", "spec.yaml:1:7"],
    "data_glob_no_match": ["spec.yaml:2:15"],                        # the pattern
    "data_bad_date": ["spec.yaml:4:17"],                             # the format the value does not fit
    "transform_unknown_field": ["spec.yaml:4:16", "spec.yaml:8:16"],  # the expression, then the axis field
    "transform_unknown_kind": ["spec.yaml:5:5"],
    "plainvl_transform_missing_field": ["spec.yaml:7:15", "spec.yaml:8:20", "spec.yaml:14:44"],  # each field
    "smooth_derived_field": ["spec.yaml:7:5"],                       # the 'smooth' key
    "several_errors": ["spec.yaml:1:1", "spec.yaml:3:47", "spec.yaml:4:20", "spec.yaml:6:11",
                       "spec.yaml:8:33", "spec.yaml:9:14"],
    "layout_facet_unknown_field": ["spec.yaml:2:16"],                # the facet field
    "layout_concat_item_error": ["spec.yaml:8:15", "spec.yaml:9:20"],  # inside the second item
    "plainvl_invalid": ["spec.yaml:3:20", "spec.yaml:5:26"],          # plain Vega-Lite: key, then value
    "vega_lite_remote_image": ["spec.yaml:11:18"],                   # the address in the patch
    "plainvl_embed_options": ["spec.yaml:6:17", "spec.yaml:8:3"],    # the link's value, the options' key
    "vega_lite_too_wide": ["spec.yaml:6:10", "spec.yaml:6:10", "spec.yaml:7:11"],
    "number_format_invalid": ["spec.yaml:2:26", "spec.yaml:4:38", "spec.yaml:8:18"],  # each format's value
    "several_semantic_errors": ["spec.yaml:2:12", "spec.yaml:3:13", "spec.yaml:5:16", "spec.yaml:6:41",
                                "spec.yaml:7:12"],
    "expression_positions": ["spec.yaml:6:9", "spec.yaml:10:7", "spec.yaml:12:43", "spec.yaml:14:38"],  # the fault
    "plainvl_event_selector": ["spec.yaml:5:38", "spec.yaml:5:64"],  # in the selectors' strings
}


def case_dirs() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


SUMMARY = re.compile(r"^\d+ \w+(?:, [^,\n]+)*, 1 failed in \d+(?:\.\d+)? s\n\Z", re.MULTILINE)


def diagnostics_only(stderr: str) -> str:
    """stderr without the summary line, which must say that the one spec failed."""
    assert SUMMARY.search(stderr), f"no summary line saying '1 failed' at the end of:\n{stderr}"
    return SUMMARY.sub("", stderr).replace(str(REPO), "<repo>")


def test_cases_exist() -> None:
    names = {p.name for p in case_dirs()}
    assert len(names) >= 25
    assert not set(LOCATIONS) - names, "LOCATIONS names a case that does not exist"


@pytest.mark.parametrize("case", case_dirs(), ids=lambda p: p.name)
def test_error_case(case: Path, run_cli: RunCli, update_goldens: bool) -> None:
    assert (case / "spec.yaml").is_file(), f"{case.name} has no spec.yaml"
    proc = run_cli("validate", "spec.yaml", cwd=case, timeout=60)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 1, f"exit {proc.returncode}\n{proc.stderr}"
    assert proc.stdout == "", "validate prints errors on stderr only"
    actual = diagnostics_only(proc.stderr)
    golden = case / GOLDEN
    if update_goldens or not golden.exists():
        golden.write_text(actual, encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"wrote missing golden {golden.relative_to(REPO)}: review it and run again")
    assert actual == golden.read_text(encoding="utf-8")

    # Every error is located (file:line:col) and followed by the line it is about.
    errors = re.findall(r"^(\S+?):(\d+):(\d+): (error|note): ", actual, flags=re.MULTILINE)
    assert errors, f"no located error in:\n{actual}"
    located = [f"{f}:{line}:{col}" for f, line, col, _ in errors]
    assert located[: len(LOCATIONS.get(case.name, []))] == LOCATIONS.get(case.name, located[:0])


def test_caret_points_at_the_located_column() -> None:
    """In every golden, the caret under an excerpt sits at the column its location names."""
    pattern = re.compile(r"^\S+?:(\d+):(\d+): \w+: .*\n\s*(\d+) \| (.*)\n(\s*\| )(.*)\^$", re.MULTILINE)
    checked = 0
    for case in case_dirs():
        text = (case / GOLDEN).read_text(encoding="utf-8")
        for m in pattern.finditer(text):
            line, column, shown_line, excerpt, _gutter, pad = m.groups()
            assert line == shown_line, f"{case.name}: excerpt of line {shown_line} under location line {line}"
            if not excerpt.startswith("..."):  # long lines are cut around the column
                assert len(pad) + 1 == int(column), f"{case.name}: caret at {len(pad) + 1}, location {column}"
            checked += 1
    assert checked >= 40
