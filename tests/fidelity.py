"""Shared by the reduction's fidelity tests: the full chart's PNG at each scale, drawn by Vega once."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

import chartspec
from chartspec.render import engine
from chartspec.render.export import render


def image(png: bytes) -> np.ndarray:
    """A PNG's pixels as RGBA integers."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def full_pngs(spec_path: Path, loaded_for: float = 1.0) -> Callable[[float], np.ndarray]:
    """The pixels of ``spec_path``'s chart, loaded for scale ``loaded_for``, at a scale. Its SVG does
    not depend on the scale it is rasterised at (each PNG is that SVG rasterised, export.py): Vega
    draws it once, for every scale asked."""
    spec = chartspec.load(spec_path, scale=loaded_for)
    vl, drawn = chartspec.to_vegalite(spec), []

    def draw_once(view: dict[str, Any]) -> str:
        drawn[:] = drawn or [engine.draw_svg(view)]
        return drawn[0]

    return lambda scale: image(render(vl, ("png",), scale=scale, spec=spec, draw=draw_once)["png"])
