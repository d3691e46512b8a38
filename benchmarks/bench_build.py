#!/usr/bin/env python3
"""Benchmark: chartspec build against raw vl-convert on the same charts, in one run.

    python benchmarks/bench_build.py [--specs 200] [--repeat 1]

Generates N dual-axis specs (half with 11 data points, half with 1,000), compiles them once to
Vega-Lite, then times, each in a fresh process (all pay Python start-up and the Vega engine):

  (a) raw vl_convert, one process: vegalite_to_svg, vegalite_to_png (of the chart at rest), and
      vegalite_to_html (of the interactive chart) per chart
  (b) chartspec build --jobs 1 and --jobs 2 (svg, png, html), each from an empty output folder
  (c) a no-op rebuild (nothing changed)
  (d) a cold `chartspec validate one.yaml`

and prints medians and the ratios to (a). Shared machines are noisy: compare the ratios, which
are measured in the same run, not absolute times across runs.
Targets on a 2-core machine: jobs 1 <= 1.10x (a), jobs 2 <= 0.55x (a), no-op of 200 specs
< 0.5 s, cold validate < 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chartspec.compiler.interactive import static_view

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

# The static pictures draw the chart at rest (NAME.static.json, without the HTML's hover layer),
# the page the interactive chart (NAME.vl.json): the same two charts chartspec renders.
RAW = """\
import sys, json, pathlib, vl_convert as vlc
out = pathlib.Path(sys.argv[1])
for f in sys.argv[2:]:
    vl = json.loads(pathlib.Path(f).read_text())
    static = json.loads(pathlib.Path(f.removesuffix(".vl.json") + ".static.json").read_text())
    stem = out / pathlib.Path(f).name.removesuffix(".vl.json")
    stem.with_suffix(".svg").write_text(vlc.vegalite_to_svg(static, vl_version="6.4"))
    stem.with_suffix(".png").write_bytes(vlc.vegalite_to_png(static, vl_version="6.4"))
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


#: the commands' environment: byte-compiled modules written into the run's temporary folder, as
#: an installed package has them (a shell with PYTHONDONTWRITEBYTECODE, or a source tree edited
#: since its bytecode was written, recompiled modules on every command: cold validate 0.33 s
#: instead of 0.17 s, --jobs 1 0.96x instead of 0.78x)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"command failed: {' '.join(cmd)}\n{proc.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--specs", type=int, default=200, help="number of generated specs (default 200)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement (median is shown)")
    args = parser.parse_args()
    exe = shutil.which("chartspec", path=str(Path(sys.executable).parent)) or "chartspec"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        specs = make_project(root, args.specs)
        ENV["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        # untimed: the Vega-Lite the raw side draws, and the bytecode of every command (warm-up)
        timed([exe, "build", str(specs), "-o", str(root / "vl"), "--format", "json", "-q"], root)
        vl_files = sorted(str(p) for p in (root / "vl").glob("*.vl.json"))
        for name in vl_files:  # not timed: what the static outputs draw, as chartspec derives it
            static = static_view(json.loads(Path(name).read_text(encoding="utf-8")))
            Path(name.removesuffix(".vl.json") + ".static.json").write_text(json.dumps(static), encoding="utf-8")
        (root / "warm").mkdir()
        timed([sys.executable, "-c", RAW, str(root / "warm"), vl_files[0]], root)
        timed([exe, "build", str(specs / "chart000.yaml"), "-o", str(root / "warm"), "--format", "svg,png,html",
               "-q", "--jobs", "2"], root)
        timed([exe, "validate", "-q", str(specs / "chart000.yaml")], root)
        times: dict[str, list[float]] = {"raw": [], "j1": [], "j2": [], "noop": [], "validate": []}
        for _ in range(args.repeat):
            for name in ("raw", "j1", "j2"):
                shutil.rmtree(root / name, ignore_errors=True)
                (root / name).mkdir()
            times["raw"].append(timed([sys.executable, "-c", RAW, str(root / "raw"), *vl_files], root))
            for jobs in (1, 2):
                times[f"j{jobs}"].append(timed([exe, "build", str(specs), "-o", str(root / f"j{jobs}"),
                                                 "--format", "svg,png,html", "-q", "--jobs", str(jobs)], root))
            times["noop"].append(timed([exe, "build", str(specs), "-o", str(root / "j2"),
                                        "--format", "svg,png,html", "-q"], root))
            times["validate"].append(timed([exe, "validate", "-q", str(specs / "chart000.yaml")], root))
        med = {k: statistics.median(v) for k, v in times.items()}
        raw = med["raw"]
        print(f"{args.specs} dual-axis charts (11 and 1,000 points), svg+png+html, median of {args.repeat}:")
        print(f"  (a) raw vl_convert, 1 process   {raw:8.2f} s   1.00")
        print(f"  (b) chartspec build --jobs 1    {med['j1']:8.2f} s   {med['j1'] / raw:.2f}x (target <= 1.10)")
        print(f"      chartspec build --jobs 2    {med['j2']:8.2f} s   {med['j2'] / raw:.2f}x (target <= 0.55)")
        print(f"  (c) no-op rebuild               {med['noop']:8.3f} s   (target < 0.5 s for 200 specs)")
        print(f"  (d) cold validate one spec      {med['validate']:8.3f} s   (target < 0.3 s)")


if __name__ == "__main__":
    main()
