"""PDF output: canonical bytes, and a page that looks like the PNG rendered from the same SVG."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2
import vl_convert as vlc
from conftest import SPECS
from PIL import Image, ImageChops, ImageStat

import chartspec
from chartspec.render.pdfbytes import canonical_pdf


def _svg() -> str:
    return vlc.vegalite_to_svg(chartspec.to_vegalite(chartspec.load(SPECS / "rl_training.yaml")))


def test_canonical_pdf_is_stable_across_renders() -> None:
    svg = _svg()
    raw = {vlc.svg_to_pdf(svg) for _ in range(12)}
    canonical = {canonical_pdf(pdf) for pdf in raw}
    assert len(canonical) == 1
    # svg2pdf itself varies; if it ever stops, this canonicaliser can go.
    assert len(raw) >= 1


def test_canonical_pdf_renders_like_the_png(seed_build: Path) -> None:
    pdf = pypdfium2.PdfDocument(seed_build / "rl_training.pdf")
    assert len(pdf) == 1
    page = pdf[0].render(scale=1).to_pil().convert("RGB")
    png = Image.open(seed_build / "rl_training.png").convert("RGB")
    assert page.size == png.size
    diff = ImageStat.Stat(ImageChops.difference(page, png).convert("L"))
    assert diff.mean[0] < 3.0, f"PDF page differs from the PNG by {diff.mean[0]:.2f} on average"


def test_canonicaliser_leaves_unknown_input_alone() -> None:
    assert canonical_pdf(b"not a pdf") == b"not a pdf"
    broken = vlc.svg_to_pdf(_svg())[:-200]
    assert canonical_pdf(broken) == broken


def test_pdf_text_survives_canonicalisation() -> None:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(canonical_pdf(vlc.svg_to_pdf(_svg()))), strict=True)
    text = reader.pages[0].extract_text()
    assert "RL Training Steps" in text and "Token Length" in text
