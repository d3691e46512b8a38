"""`chartspec init`: a starter project that builds at once."""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import Diagnostic, UsageError, display_path
from ..spec.schema import SCHEMA_FILENAME, schema_text

__all__ = ["init_project"]

CONFIG = """\
# chartspec project settings; command-line options override them.
out = "build"                   # output folder, relative to this file
formats = ["html", "svg", "png"] # html, svg, png, pdf, json
# scale = 2                     # PNG scale factor
# jobs = 2                      # worker processes (default: number of CPUs)
# timeout = 300                 # seconds one spec may take to render
# html_bundle = "shared"        # where HTML loads Vega from: shared, inline or cdn
# fallback = true               # pre-rendered SVG inside HTML until scripts draw the chart
"""

SPEC = """\
title: Training run
data: data/metrics.csv
x: {field: step, title: Step}
legend: {position: top}
grid: {dash: [4, 4]}
layers:
  - {mark: line, point: circle, y: {field: loss, title: Loss, format: ".2f"}}
  - {mark: line, point: square, y: {field: accuracy, title: Accuracy, domain: [0, 1], tick_step: 0.2}}
"""


def _data() -> str:
    rows = ["step,loss,accuracy"]
    for i in range(11):
        step = i * 100
        rows.append(f"{step},{2.3 * 0.78 ** i + 0.05:.3f},{min(0.97, 0.1 + 0.09 * i):.2f}")
    return "\n".join(rows) + "\n"


#: VS Code's YAML extension (and every editor with the YAML language server) checks and completes
#: the specs with the project's copy of the schema: no modeline in each spec, and a copy that
#: travels with the repository (``chartspec schema --path`` names the installed one instead)
VSCODE_SETTINGS = {"yaml.schemas": {f"./schemas/{SCHEMA_FILENAME}": ["specs/**/*.yaml", "specs/**/*.yml"]}}


def init_project(folder: Path) -> list[Path]:
    """Write the starter files into ``folder``; refuses to overwrite anything but leaves an
    existing ``.vscode/settings.json`` alone (the project's own editor settings)."""
    files = {
        folder / "chartspec.toml": CONFIG,
        folder / "specs" / "example.yaml": SPEC,
        folder / "specs" / "data" / "metrics.csv": _data(),
        folder / "schemas" / SCHEMA_FILENAME: schema_text(),
    }
    settings = folder / ".vscode" / "settings.json"
    if not settings.exists():
        files[settings] = json.dumps(VSCODE_SETTINGS, indent=2) + "\n"
    existing = [p for p in files if p.exists()]
    if existing:
        raise UsageError([Diagnostic(f"{display_path(p)} already exists; not overwriting it", file=display_path(p))
                          for p in existing])
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
