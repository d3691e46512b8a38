"""Print resolution: a PNG says how big it is on paper (pHYs), --ppi N draws at N/72, PDFs keep
their vector size, and the bytes are the same from build to build."""

from __future__ import annotations

import io
import re
from pathlib import Path

from conftest import SPECS, RunCli, write_tree
from PIL import Image
from pypdf import PdfReader

SEED = (SPECS / "rl_training.yaml").read_text(encoding="utf-8")
CSV = (SPECS / "data" / "rl_training.csv").read_text(encoding="utf-8")


def _project(tmp_path: Path, config: str = "") -> Path:
    return write_tree(tmp_path, {"chartspec.toml": config, "specs/rl.yaml": SEED, "specs/data/rl_training.csv": CSV})


def _svg_size(svg: Path) -> tuple[float, float]:
    head = svg.read_text(encoding="utf-8")[:400]
    width, height = (float(re.search(rf'\b{k}="([\d.]+)"', head).group(1)) for k in ("width", "height"))
    return width, height


def test_ppi_300_declares_300_ppi_at_the_print_size(tmp_path: Path, run_cli: RunCli) -> None:
    _project(tmp_path)
    proc = run_cli("build", "specs", "-o", "out", "-f", "svg,png,pdf", "--ppi", "300", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    png = (tmp_path / "out" / "rl.png").read_bytes()
    image = Image.open(io.BytesIO(png))
    assert [round(d) for d in image.info["dpi"]] == [300, 300]
    width, height = _svg_size(tmp_path / "out" / "rl.svg")
    assert abs(image.size[0] - width * 300 / 72) <= 1 and abs(image.size[1] - height * 300 / 72) <= 1, image.size
    # the PDF keeps its vector size: the SVG's pixels are its points
    box = PdfReader(tmp_path / "out" / "rl.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (round(width), round(height))
    pdf = (tmp_path / "out" / "rl.pdf").read_bytes()
    # byte-identical again
    proc = run_cli("build", "specs", "-o", "again", "-f", "svg,png,pdf", "--ppi", "300", "-j", "0", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "again" / "rl.png").read_bytes() == png and (tmp_path / "again" / "rl.pdf").read_bytes() == pdf


def test_scale_declares_72_times_scale_ppi_and_ppi_is_a_scale(tmp_path: Path, run_cli: RunCli) -> None:
    _project(tmp_path, "ppi = 144\n")
    assert run_cli("build", "specs", "-o", "by_ppi", "-f", "png", "-j", "0", cwd=tmp_path).returncode == 0
    assert run_cli("build", "specs", "-o", "by_scale", "-f", "png", "--scale", "2", "-j", "0", cwd=tmp_path).returncode == 0
    assert run_cli("build", "specs", "-o", "one", "-f", "png", "--scale", "1", "-j", "0", cwd=tmp_path).returncode == 0
    by_ppi, by_scale = ((tmp_path / d / "rl.png").read_bytes() for d in ("by_ppi", "by_scale"))
    assert by_ppi == by_scale  # ppi 144 in chartspec.toml is --scale 2
    assert [round(d) for d in Image.open(io.BytesIO(by_scale)).info["dpi"]] == [144, 144]
    one = Image.open(tmp_path / "one" / "rl.png")
    assert [round(d) for d in one.info["dpi"]] == [72, 72]
    assert Image.open(io.BytesIO(by_scale)).size == (one.size[0] * 2, one.size[1] * 2)


def test_scale_and_ppi_together_are_a_usage_error(tmp_path: Path, run_cli: RunCli) -> None:
    _project(tmp_path)
    proc = run_cli("build", "specs", "-o", "out", "--scale", "2", "--ppi", "300", cwd=tmp_path)
    assert proc.returncode == 2 and "give --scale or --ppi, not both" in proc.stderr
    (tmp_path / "chartspec.toml").write_text("scale = 2\nppi = 300\n", encoding="utf-8")
    proc = run_cli("build", "specs", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2 and "chartspec.toml:2:1: error: give scale or ppi, not both" in proc.stderr
    (tmp_path / "chartspec.toml").write_text("ppi = 5000\n", encoding="utf-8")
    proc = run_cli("build", "specs", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 2 and "chartspec.toml:1:1: error: ppi must be between 7.2 and 720" in proc.stderr
