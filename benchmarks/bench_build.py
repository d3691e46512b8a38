#!/usr/bin/env python3
"""Benchmark: chartspec build against raw vl-convert on the same charts, in the same run.

    python benchmarks/bench_build.py [--specs 20] [--repeat 3]

Generates N dual-axis specs (half with 11 points, half with 1,000), compiles them once to
Vega-Lite, then times in fresh processes (both pay Python start-up and the Vega engine start):
  (a) raw vl_convert: vegalite_to_svg, vegalite_to_png, vegalite_to_html(bundle=True) per chart
  (b) chartspec build --format svg,png,html
and prints the medians and the ratio b/a. Absolute times vary on shared machines: compare the
ratio, which is measured in one run.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPEC = """\
title: Benchmark {i}
data: data/run{i}.csv
x: {{field: step, title: Steps}}
legend: {{position: top-left}}
grid: {{dash: [4, 4], color: "#d9d9d9"}}
layers:
  - {{mark: line, point: square, color: "#1f77b4", y: {{field: a, title: A}}}}
  - {{mark: line, point: circle, color: "#d62728", y: {{field: b, title: B, format: ".1f"}}}}
"""

RAW = """\
import sys, json, pathlib, vl_convert as vlc
out = pathlib.Path(sys.argv[1])
for f in sys.argv[2:]:
    vl = json.loads(pathlib.Path(f).read_text())
    stem = out / pathlib.Path(f).name.removesuffix(".vl.json")
    stem.with_suffix(".svg").write_text(vlc.vegalite_to_svg(vl, vl_version="6.4"))
    stem.with_suffix(".png").write_bytes(vlc.vegalite_to_png(vl, vl_version="6.4"))
    stem.with_suffix(".html").write_text(vlc.vegalite_to_html(vl, vl_version="6.4", bundle=True))
"""


def make_project(root: Path, n: int) -> Path:
    specs = root / "specs"
    (specs / "data").mkdir(parents=True)
    (root / "chartspec.toml").write_text("")
    for i in range(n):
        points = 11 if i % 2 == 0 else 1000
        rows = ["step,a,b"] + [f"{s},{3000 + 30 * s + 200 * math.sin(s / 7):.1f},{20 + 15 * s / points:.2f}"
                               for s in range(points)]
        (specs / "data" / f"run{i}.csv").write_text("\n".join(rows) + "\n")
        (specs / f"chart{i:03d}.yaml").write_text(SPEC.format(i=i))
    return specs


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    chartspec = [sys.executable, "-m", "chartspec"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        specs = make_project(root, args.specs)
        timed([*chartspec, "build", str(specs), "-o", str(root / "vl"), "--format", "json", "-q"], root)
        vl_files = sorted(str(p) for p in (root / "vl").glob("*.vl.json"))
        raw_times, cs_times = [], []
        for _ in range(args.repeat):
            for name in ("raw", "cs"):
                shutil.rmtree(root / name, ignore_errors=True)
                (root / name).mkdir()
            raw_times.append(timed([sys.executable, "-c", RAW, str(root / "raw"), *vl_files], root))
            cs_times.append(timed([*chartspec, "build", str(specs), "-o", str(root / "cs"),
                                   "--format", "svg,png,html", "-q"], root))
        raw, cs = statistics.median(raw_times), statistics.median(cs_times)
        print(f"{args.specs} dual-axis charts (11 and 1,000 points), svg+png+html, median of {args.repeat}:")
        print(f"  (a) raw vl_convert        {raw:7.2f} s")
        print(f"  (b) chartspec build       {cs:7.2f} s   ratio b/a = {cs / raw:.2f}")


if __name__ == "__main__":
    main()
