"""Every example spec compiles to schema-valid Vega-Lite equal to its reviewed golden file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, SPECS, assert_valid_vega_lite

import chartspec
from chartspec.builder.discover import output_stem

GOLDEN = REPO / "tests" / "golden"
SPEC_FILES = sorted(p for p in SPECS.rglob("*.yaml") if "data" not in p.relative_to(SPECS).parts)


def _golden_path(spec: Path) -> Path:
    stem = output_stem(spec.relative_to(SPECS))  # a.yaml and plain Vega-Lite a.vl.yaml both give a
    return GOLDEN / stem.with_name(stem.name + ".vl.json")


@pytest.mark.parametrize("spec", SPEC_FILES, ids=lambda p: str(p.relative_to(SPECS)))
def test_compiled_vega_lite_matches_golden(spec: Path, update_goldens: bool) -> None:
    compiled = chartspec.to_vegalite(chartspec.load(spec))
    assert_valid_vega_lite(compiled)
    golden = _golden_path(spec)
    text = json.dumps(compiled, indent=2, ensure_ascii=False) + "\n"
    if update_goldens or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
        if not update_goldens:
            pytest.fail(f"golden {golden.relative_to(REPO)} was missing and has been written; review and commit it")
    assert text == golden.read_text(encoding="utf-8"), f"{golden.relative_to(REPO)} differs; --update-goldens"


def test_every_golden_has_a_spec() -> None:
    expected = {_golden_path(s) for s in SPEC_FILES}
    assert set(GOLDEN.rglob("*.vl.json")) <= expected, "remove goldens of deleted specs"
