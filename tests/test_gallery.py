"""The gallery: enough example specs, every one built, and docs/gallery.md showing each of them.

The feature each spec shows is checked by the test_gallery_<area>.py files; this one checks the
gallery as a whole.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from conftest import SPECS
from PIL import Image

ROOT = SPECS.parent


def _make_gallery() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_gallery", ROOT / "docs" / "make_gallery.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GALLERY = _make_gallery()
CHARTS = GALLERY.chart_specs()


def test_the_gallery_has_at_least_twenty_charts() -> None:
    assert len(CHARTS) >= 20, [p.name for p in CHARTS]
    assert CHARTS[0].name == "rl_training.yaml"


def test_gallery_page_is_current() -> None:
    page = (ROOT / "docs" / "gallery.md").read_text(encoding="utf-8")
    assert page == GALLERY.page_text(), "run: python docs/make_gallery.py"
    for spec in CHARTS:
        assert f"(gallery/{GALLERY.picture_name(spec)})" in page


@pytest.mark.parametrize("spec", CHARTS, ids=lambda p: p.name)
def test_gallery_picture_is_that_chart(seed_build: Path, spec: Path) -> None:
    """The committed picture is a PNG of the chart as built now. Not compared byte for byte: text
    is drawn with the machine's fonts, so sizes may differ by a few pixels between machines."""
    picture = ROOT / "docs" / "gallery" / GALLERY.picture_name(spec)
    assert picture.is_file(), "run: python docs/make_gallery.py"
    built = next(p for p in seed_build.rglob("*.png")
                 if p.relative_to(seed_build).with_suffix("").as_posix()
                 == spec.relative_to(SPECS).as_posix().removesuffix(".yaml").removesuffix(".yml").removesuffix(".vl"))
    with Image.open(picture) as shown, Image.open(built) as fresh:
        assert shown.format == "PNG"
        assert abs(shown.width - fresh.width) <= 0.05 * fresh.width
        assert abs(shown.height - fresh.height) <= 0.05 * fresh.height
