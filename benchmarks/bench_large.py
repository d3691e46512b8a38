#!/usr/bin/env python3
"""Benchmark: chartspec on large data against a matplotlib `twinx` script, in one run.

    python benchmarks/bench_large.py [--quick] [--big] [--repeat 3] [--json out.json] [--keep]

Generates training curves with numpy (columns step, loss, reward: decaying loss and rising reward
with noise and a few spikes) into a temporary folder, then runs each command in a fresh process
(all pay Python start-up, and chartspec the Vega engine), every time into an empty output folder.
An untimed warm-up run of each command first writes byte-compiled modules (into the temporary
folder, through PYTHONPYCACHEPREFIX) and matplotlib's font cache, as an installed package has them.

  1. dual-axis line chart (loss left, reward right) of --rows rows (default 1,000,000) from CSV:
     `chartspec build` to svg+png+html against a matplotlib script (pandas.read_csv, two lines
     on `twinx` axes, savefig PNG and SVG) on the same CSV.
     Targets: time <= 1.0x and memory <= 1.0x the script's, SVG < 300 KB, HTML page < 2 MB.
  2. --runs runs (default 10) of --run-rows rows (default 1,000,000) as Parquet files read with a
     glob (`data: {files: "runs/*.parquet", as: run}`), one line per run (`color: {field: run}`),
     `smooth: {ema: 0.9}`: `chartspec build` to svg+png+html; the peer reads the same files with
     pandas and draws pandas' debiased EMA (TensorBoard's) over the faint raw lines.
     Target: < 5 s.
  3. (only with --big) --big-rows rows (default 100,000,000) in one Parquet file, written in row
     groups without holding the rows in memory: `chartspec build` to svg+png; no peer.
     Target: it builds, peak memory < 2 GB.
  4. `chartspec validate` of the case-1 chart on a CSV of --validate-rows rows (default 9,000,000,
     ~200 MB). Target: < 3 s, < 500 MB.
  5. the case-1 chart on 3 rows (the fixed cost of a build) against the matplotlib script.

Wall time is the median of --repeat runs. Memory is the peak of the summed resident set size of
the whole process tree (the command and every descendant, such as chartspec's worker processes),
sampled from /proc every 10 ms by a thread of this script (a peak shorter than that can be
missed; a page shared by several processes counts once for each), the highest of the runs.
Sizes: SVG bytes, the HTML page's bytes (not the shared Vega bundle it loads) and every byte in
the output folder. 1 MB = 1,000,000 bytes. The ratios are chartspec / peer,
measured in the same run: compare those, not absolute times across runs on a shared machine.

A command that exits non-zero is reported as FAILED with the end of its stderr, one that runs
longer than --timeout seconds is stopped (its whole process tree) and reported as TIMEOUT, one
whose tree holds more than --max-memory GB is stopped and reported as MEMLIMIT (so a runaway
build cannot bring the kernel's OOM killer onto a shared machine); the other cases still run. --quick uses small sizes (a smoke run of 1-2 minutes); the targets are
set for the default sizes, so its "target met" column is only indicative. --no-reduce writes
`reduce: false` (draw every row, no M4 reduction) into the generated specs; trees without that
option reject it as an unknown key.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

MB = 1_000_000
CHUNK = 1_000_000  # rows generated (and written as one Parquet row group) at a time
FORMATS = "svg,png,html"
DEFAULTS = {"rows": 1_000_000, "runs": 10, "run_rows": 1_000_000, "big_rows": 100_000_000,
            "validate_rows": 9_000_000, "tiny_rows": 3, "repeat": 3}
QUICK = {"rows": 20_000, "runs": 10, "run_rows": 2_000, "big_rows": 1_000_000,
         "validate_rows": 100_000, "tiny_rows": 3, "repeat": 3}

LINES = """\
title: Training curves, {rows:,} rows
data: {data}
x: {{field: step, title: Step}}
legend: {{position: top-right}}
grid: {{dash: [4, 4], color: "#d9d9d9"}}
layers:
  - {{mark: line, name: Loss, color: "#1f77b4", y: {{field: loss, title: Loss}}}}
  - {{mark: line, name: Reward, color: "#d62728", y: {{field: reward, title: Reward}}}}
{extra}"""

RUNS = """\
title: {runs} runs x {rows:,} rows, EMA 0.9
data: {{files: "runs/*.parquet", as: run}}
x: {{field: step, title: Step}}
legend: {{position: top-right, title: Run}}
layers:
  - y: {{field: loss, title: Loss}}
    color: {{field: run}}
    smooth: {{ema: 0.9}}
{extra}"""

# The peer: what people write instead. The figure is about chartspec's default size (a 600 x 360
# plot area plus axes, title and legend).
PEER_LINES = """\
import sys, pathlib
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
data, out = sys.argv[1], pathlib.Path(sys.argv[2])
df = pd.read_csv(data)
fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=100)
ax.plot(df["step"], df["loss"], color="#1f77b4", linewidth=1, label="Loss")
ax.set_xlabel("Step")
ax.set_ylabel("Loss", color="#1f77b4")
ax.grid(True, linestyle="--", color="#d9d9d9")
right = ax.twinx()
right.plot(df["step"], df["reward"], color="#d62728", linewidth=1, label="Reward")
right.set_ylabel("Reward", color="#d62728")
lines = ax.get_lines() + right.get_lines()
ax.legend(lines, [line.get_label() for line in lines], loc="center right")
ax.set_title(f"Training curves, {len(df):,} rows")
fig.tight_layout()
fig.savefig(out / "chart.png")
fig.savefig(out / "chart.svg")
"""

PEER_RUNS = """\
import sys, glob, pathlib
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
pattern, out = sys.argv[1], pathlib.Path(sys.argv[2])
fig, ax = plt.subplots(figsize=(7.5, 4.8), dpi=100)
for i, name in enumerate(sorted(glob.glob(pattern))):
    df = pd.read_parquet(name, columns=["step", "loss"])
    ax.plot(df["step"], df["loss"], color=f"C{i}", linewidth=1, alpha=0.25)
    smooth = df["loss"].ewm(alpha=1 - 0.9, adjust=True).mean()  # TensorBoard's debiased EMA
    ax.plot(df["step"], smooth, color=f"C{i}", linewidth=1.5, label=pathlib.Path(name).stem)
ax.set_xlabel("Step")
ax.set_ylabel("Loss")
ax.legend(title="Run", loc="upper right")
ax.set_title("Runs, EMA 0.9")
fig.tight_layout()
fig.savefig(out / "chart.png")
fig.savefig(out / "chart.svg")
"""


# --- data ------------------------------------------------------------------------------------------

def curves(n: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """One synthetic training run of n rows, CHUNK rows at a time: (step, loss, reward)."""
    rng = np.random.default_rng(seed)
    floor, tau, mid, top = 0.2 + 0.1 * rng.random(), 0.08 + 0.08 * rng.random(), 0.3 + 0.2 * rng.random(), 160 + 40 * rng.random()
    spikes = int(rng.integers(3, 7)) if n >= 100 else 0
    where = np.sort(rng.integers(n // 20, max(n - n // 20, n // 20 + 1), size=spikes))
    heights = 0.4 + 1.2 * rng.random(spikes)
    width = max(3.0, n / 5000)  # a spike decays over ~0.1 % of the run
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        step = np.arange(lo, hi, dtype=np.int64)
        t = step / max(n - 1, 1)
        noise = rng.standard_normal((2, hi - lo))
        loss = floor + 2.2 * np.exp(-t / tau) + 0.3 * np.exp(-t / 0.6) + (0.03 + 0.12 * np.exp(-t / 0.2)) * noise[0]
        reward = -20 + top / (1 + np.exp(-(t - mid) / 0.08)) + (4 + 6 * t) * noise[1]
        for at, height in zip(where, heights, strict=True):
            a, b = max(lo, at), min(hi, at + int(10 * width) + 1)
            if a < b:
                decay = height * np.exp(-(np.arange(a, b) - at) / width)
                loss[a - lo:b - lo] += decay
                reward[a - lo:b - lo] -= 30 * decay
        yield step, np.round(np.maximum(loss, 0.01), 4), np.round(reward, 3)


def write_csv(path: Path, n: int, seed: int) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write(b"step,loss,reward\n")  # pyarrow would quote the names
        for step, loss, reward in curves(n, seed):
            pacsv.write_csv(pa.table({"step": step, "loss": loss, "reward": reward}), f,
                            pacsv.WriteOptions(include_header=False))
    return path.stat().st_size


def write_parquet(path: Path, n: int, seed: int) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    schema = pa.schema([("step", pa.int64()), ("loss", pa.float64()), ("reward", pa.float64())])
    with pq.ParquetWriter(path, schema) as writer:
        for step, loss, reward in curves(n, seed):
            writer.write_table(pa.table({"step": step, "loss": loss, "reward": reward}, schema=schema))
    return path.stat().st_size


def write_spec(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chart.yaml").write_text(text, encoding="utf-8")
    return folder / "chart.yaml"


# --- measuring -------------------------------------------------------------------------------------

PAGE = os.sysconf("SC_PAGE_SIZE")


def proc_stat(pid: int) -> tuple[int, int, int] | None:
    """(parent pid, start time, resident bytes) of a process from /proc/PID/stat; None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), int(fields[19]), int(fields[21]) * PAGE


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and all its descendants every ``interval`` seconds.

    A process belongs to the tree when its parent did when it was first seen, and stays in it after
    its parent exits (orphans are re-parented): it is tracked by pid and start time, so a reused pid
    is not counted. Processes seen outside the tree are remembered and not read again. A new process
    is counted from the sample after the one that found it: between fork (or vfork) and exec a child
    reports its parent's whole RSS, which would count the parent twice.
    """

    def __init__(self, root: int, limit: float = float("inf"), on_limit: Callable[[], None] = lambda: None,
                 interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.limit, self.on_limit, self.over = limit, on_limit, False
        self.interval = interval
        self.done = threading.Event()
        self.peak = 0
        self.tree: dict[int, int] = {}  # pid -> start time
        self.outside: set[int] = set()
        info = proc_stat(root)
        if info is not None:
            self.tree[root] = info[1]

    def run(self) -> None:
        while True:
            self.sample()
            if self.done.wait(self.interval):
                return

    def sample(self) -> None:
        pids = {int(name) for name in os.listdir("/proc") if name.isdigit()}
        self.outside &= pids
        total = 0
        for pid, start in list(self.tree.items()):
            info = proc_stat(pid) if pid in pids else None
            if info is None or info[1] != start:
                del self.tree[pid]  # exited
            else:
                total += info[2]
        new = {pid: proc_stat(pid) for pid in pids - self.outside - self.tree.keys()}
        grew = True
        while grew:  # a child and its own child can both be new
            grew = False
            for pid, info in list(new.items()):
                if info is not None and info[0] in self.tree:
                    self.tree[pid] = info[1]  # counted from the next sample on: see the class doc
                    del new[pid]
                    grew = True
        self.outside.update(pid for pid, info in new.items() if info is not None)
        self.peak = max(self.peak, total)
        if total > self.limit and not self.over:
            self.over = True
            self.on_limit()

    def members(self) -> list[int]:
        return list(self.tree)


@dataclass
class Run:
    status: str  # "ok", "FAILED" or "TIMEOUT"
    seconds: float
    peak_bytes: int
    returncode: int | None
    stderr_tail: str
    sizes: dict[str, int]


def output_sizes(out: Path) -> dict[str, int]:
    files = [p for p in out.rglob("*") if p.is_file()]
    sizes = {ext: sum(p.stat().st_size for p in files if p.suffix == f".{ext}") for ext in ("svg", "png", "html")}
    sizes["total"] = sum(p.stat().st_size for p in files)
    return sizes


def measure(cmd: list[str], cwd: Path, out: Path, log: Path, env: dict[str, str], timeout: float, max_bytes: float) -> Run:
    """Run ``cmd`` into the empty folder ``out``: wall time, peak tree memory, output sizes. The
    command is stopped after ``timeout`` seconds, or once its tree holds more than ``max_bytes``."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    timed_out, reaped = threading.Event(), threading.Event()
    with log.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                start_new_session=True, env=env)

        def stop() -> None:  # the command we started and every process it started, by pid
            for pid in sampler.members() if reaped.is_set() else [*sampler.members(), proc.pid]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if not reaped.is_set():
                try:
                    os.killpg(proc.pid, signal.SIGKILL)  # its process group (start_new_session)
                except OSError:
                    pass

        sampler = TreeMemory(proc.pid, max_bytes, stop)
        sampler.start()

        def expire() -> None:
            timed_out.set()
            stop()

        timer = threading.Timer(timeout, expire)
        timer.start()
        try:
            _, status = os.waitpid(proc.pid, 0)
            reaped.set()
        except BaseException:
            stop()
            raise
        finally:
            timer.cancel()
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
        sampler.sample()  # who is left: a descendant that outlived the command is not ours to leave running
        if sampler.members():
            stop()
    tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-12:])
    status_name = ("TIMEOUT" if timed_out.is_set() else "MEMLIMIT" if sampler.over
                   else "FAILED" if proc.returncode != 0 else "ok")
    return Run(status_name, elapsed, sampler.peak, proc.returncode, tail, output_sizes(out))


@dataclass
class Side:
    """The runs of one command (chartspec or its peer) in one case."""

    runs: list[Run] = field(default_factory=list)

    @property
    def status(self) -> str:
        return next((r.status for r in self.runs if r.status != "ok"), "ok" if self.runs else "-")

    @property
    def seconds(self) -> float | None:
        ok = [r.seconds for r in self.runs if r.status == "ok"]
        return statistics.median(ok) if ok and self.status == "ok" else None

    @property
    def peak_mb(self) -> float | None:
        return max(r.peak_bytes for r in self.runs) / MB if self.status == "ok" else None

    @property
    def sizes(self) -> dict[str, int]:
        return self.runs[-1].sizes if self.status == "ok" else {}

    def as_json(self) -> dict:
        return {"status": self.status, "seconds": self.seconds, "peak_mb": self.peak_mb, "sizes": self.sizes,
                "runs": [{"status": r.status, "seconds": round(r.seconds, 4), "peak_mb": round(r.peak_bytes / MB, 1),
                          "returncode": r.returncode, "stderr_tail": r.stderr_tail if r.status != "ok" else "",
                          "sizes": r.sizes} for r in self.runs]}


@dataclass
class Case:
    key: str
    label: str
    cwd: Path
    tool: Callable[[Path], list[str]]  # output folder -> command
    peer: Callable[[Path], list[str]] | None
    targets: list[tuple[str, str, float]]  # (what, measure, limit): met below the limit (ratios: up to it)
    chartspec: Side = field(default_factory=Side)
    other: Side = field(default_factory=Side)

    def ratio(self, what: str) -> float | None:
        a, b = (self.chartspec.seconds, self.other.seconds) if what == "time" else (self.chartspec.peak_mb, self.other.peak_mb)
        return a / b if a is not None and b else None

    def value(self, measure: str) -> float | None:
        sizes = self.chartspec.sizes
        return {"time_ratio": self.ratio("time"), "mem_ratio": self.ratio("memory"), "seconds": self.chartspec.seconds,
                "peak_mb": self.chartspec.peak_mb, "svg_kb": sizes["svg"] / 1000 if sizes else None,
                "html_mb": sizes["html"] / MB if sizes else None}[measure]

    def checks(self) -> list[dict]:
        found = []
        for what, measure, limit in self.targets:
            value = self.value(measure)
            strict = measure not in ("time_ratio", "mem_ratio")  # ratios: <=, absolute limits: <
            met = value is not None and (value < limit if strict else value <= limit)
            found.append({"target": what, "value": value, "limit": limit, "met": met})
        return found

    def met(self) -> bool | None:
        return all(c["met"] for c in self.checks()) if self.targets else None


# --- the run ---------------------------------------------------------------------------------------

def fmt_bytes(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1000:.0f} KB" if n >= 1000 else f"{n} B"


UNITS: dict[str, Callable[[float], str]] = {
    "time_ratio": lambda v: f"{v:.2f}x", "mem_ratio": lambda v: f"{v:.2f}x", "seconds": lambda v: f"{v:.2f} s",
    "peak_mb": lambda v: f"{v:.0f} MB", "svg_kb": lambda v: fmt_bytes(round(v * 1000)),
    "html_mb": lambda v: fmt_bytes(round(v * MB)),
}


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build_cases(args: argparse.Namespace, root: Path, exe: str) -> list[Case]:
    extra = "reduce: false\n" if args.no_reduce else ""
    jobs = ["--jobs", str(args.jobs)] if args.jobs is not None else []
    limit = ["--timeout", str(min(86400, args.timeout * 2))]  # ours stops it first, as TIMEOUT

    def build(spec_dir: Path, formats: str = FORMATS) -> Callable[[Path], list[str]]:
        return lambda out: [exe, "build", str(spec_dir), "-o", str(out), "--format", formats, "-q", *jobs, *limit]

    def lines_peer(csv: Path) -> Callable[[Path], list[str]]:
        return lambda out: [sys.executable, "-c", PEER_LINES, str(csv), str(out)]

    def lines_case(key: str, n: int, seed: int) -> tuple[Path, Path]:
        folder = root / f"case{key}"
        started = time.perf_counter()
        size = write_csv(folder / "data" / "train.csv", n, seed)
        write_spec(folder, LINES.format(rows=n, data="data/train.csv", extra=extra))
        note(f"[data] case {key}: {n:,} rows, CSV {fmt_bytes(size)}, {time.perf_counter() - started:.1f} s")
        return folder, folder / "data" / "train.csv"

    cases = []
    chosen = set(args.cases.split(","))
    folder, csv = lines_case("5", args.tiny_rows, 5)  # always: it also warms the caches up
    tiny = Case("5", f"fixed cost, {args.tiny_rows:,} rows CSV", root, build(folder), lines_peer(csv), [])
    if "1" in chosen:
        folder, csv = lines_case("1", args.rows, 1)
        cases.append(Case("1", f"dual axis, {args.rows:,} rows CSV", root, build(folder), lines_peer(csv),
                          [("time <= 1.0x peer", "time_ratio", 1.0), ("memory <= 1.0x peer", "mem_ratio", 1.0),
                           ("SVG < 300 KB", "svg_kb", 300), ("HTML page < 2 MB", "html_mb", 2)]))
    if "2" in chosen:
        folder = root / "case2"
        started = time.perf_counter()
        size = sum(write_parquet(folder / "runs" / f"run{i:02d}.parquet", args.run_rows, 100 + i)
                   for i in range(args.runs))
        write_spec(folder, RUNS.format(runs=args.runs, rows=args.run_rows, extra=extra))
        note(f"[data] case 2: {args.runs} x {args.run_rows:,} rows, Parquet {fmt_bytes(size)}, "
             f"{time.perf_counter() - started:.1f} s")
        pattern = str(folder / "runs" / "*.parquet")
        cases.append(Case("2", f"{args.runs} runs x {args.run_rows:,} rows Parquet, EMA", root, build(folder),
                          lambda out: [sys.executable, "-c", PEER_RUNS, pattern, str(out)],
                          [("time < 5 s", "seconds", 5)]))
    if "3" in chosen and args.big:
        folder = root / "case3"
        started = time.perf_counter()
        size = write_parquet(folder / "data" / "big.parquet", args.big_rows, 3)
        write_spec(folder, LINES.format(rows=args.big_rows, data="data/big.parquet", extra=extra))
        note(f"[data] case 3: {args.big_rows:,} rows, Parquet {fmt_bytes(size)}, {time.perf_counter() - started:.1f} s")
        cases.append(Case("3", f"dual axis, {args.big_rows:,} rows Parquet", root, build(folder, "svg,png"), None,
                          [("builds, peak < 2 GB", "peak_mb", 2000)]))
    elif "3" in chosen:
        note("[data] case 3 skipped: it runs with --big (and never with --quick)")
    if "4" in chosen:
        folder, csv = lines_case("4", args.validate_rows, 4)
        spec = folder / "chart.yaml"
        cases.append(Case("4", f"validate, {args.validate_rows:,} rows CSV ({fmt_bytes(csv.stat().st_size)})", root,
                          lambda out: [exe, "validate", "-q", str(spec)], None,
                          [("time < 3 s", "seconds", 3), ("peak < 500 MB", "peak_mb", 500)]))
    if "5" in chosen:
        cases.append(tiny)
    return [tiny, *cases]


def print_table(cases: list[Case], args: argparse.Namespace) -> None:
    def secs(side: Side) -> str:
        return f"{side.seconds:.2f} s" if side.seconds is not None else side.status

    def mem(side: Side) -> str:
        return f"{side.peak_mb:.0f}" if side.peak_mb is not None else side.status

    def ratio(value: float | None) -> str:
        return f"{value:.2f}x" if value is not None else "-"

    def sizes(side: Side) -> str:
        s = side.sizes
        if not s.get("total"):
            return "-"
        shown = [f"{ext} {fmt_bytes(s[ext])}" for ext in ("svg", "html") if s[ext]]
        return ", ".join([*shown, f"out {fmt_bytes(s['total'])}"])

    head = ["case", "chartspec", "peer", "ratio", "chartspec MB", "peer MB", "ratio", "sizes (chartspec)", "target met"]
    rows = []
    for c in cases:
        met = c.met()
        rows.append([f"{c.key}. {c.label}", secs(c.chartspec), secs(c.other) if c.peer else "-",
                     ratio(c.ratio("time")), mem(c.chartspec), mem(c.other) if c.peer else "-",
                     ratio(c.ratio("memory")), sizes(c.chartspec), "-" if met is None else "yes" if met else "no"])
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    right = {1, 2, 3, 4, 5, 6}
    for r in [head, *rows]:
        print("  ".join(str(v).rjust(w) if i in right else str(v).ljust(w) for i, (v, w) in enumerate(zip(r, widths, strict=True))).rstrip())
    print()
    print(f"median of {args.repeat} cold runs; memory: peak summed RSS of the process tree (MB = 10^6 bytes), max over runs;"
          " ratios chartspec / peer; peer: matplotlib twinx script (pandas + savefig PNG and SVG)")
    if args.quick:
        print("--quick: small sizes, a smoke run; the targets are set for the default sizes")
    for c in cases:
        parts = []
        for (_, measure_name, _), check in zip(c.targets, c.checks(), strict=True):
            value = "n/a" if check["value"] is None else UNITS[measure_name](check["value"])
            parts.append(f"{check['target']}: {value}, {'yes' if check['met'] else 'no'}")
        if not c.targets:
            parts.append("no target")
        if c.other.sizes:
            s = c.other.sizes
            parts.append(f"peer svg {fmt_bytes(s['svg'])}, png {fmt_bytes(s['png'])}")
        if c.chartspec.sizes.get("png"):
            parts.append(f"chartspec png {fmt_bytes(c.chartspec.sizes['png'])}")
        print(f"  {c.key}. " + ("; ".join(parts) if parts else "no target"))
    for c in cases:
        for who, side in (("chartspec", c.chartspec), ("peer", c.other)):
            bad = next((r for r in side.runs if r.status != "ok"), None)
            if bad is not None:
                print(f"\ncase {c.key} {who} {bad.status} after {bad.seconds:.1f} s (exit code {bad.returncode}, "
                      f"peak {bad.peak_bytes / MB:.0f} MB); stderr ends:")
                print("\n".join("    " + line for line in bad.stderr_tail.splitlines()) or "    (empty)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run (case 3 is skipped)")
    parser.add_argument("--rows", type=int, help=f"case 1 rows (default {DEFAULTS['rows']:,}; --quick {QUICK['rows']:,})")
    parser.add_argument("--runs", type=int, help=f"case 2 files (default {DEFAULTS['runs']})")
    parser.add_argument("--run-rows", type=int, help=f"case 2 rows per file (default {DEFAULTS['run_rows']:,}; --quick {QUICK['run_rows']:,})")
    parser.add_argument("--big", action="store_true", help="run case 3 (writes a multi-GB Parquet file)")
    parser.add_argument("--big-rows", type=int, help=f"case 3 rows (default {DEFAULTS['big_rows']:,})")
    parser.add_argument("--validate-rows", type=int, help=f"case 4 rows (default {DEFAULTS['validate_rows']:,}, ~200 MB; --quick {QUICK['validate_rows']:,})")
    parser.add_argument("--tiny-rows", type=int, help="case 5 rows (default 3)")
    parser.add_argument("--cases", default="1,2,3,4,5", help="comma-separated cases to run (default all; 3 also needs --big)")
    parser.add_argument("--repeat", type=int, help="runs of each command; the median time is shown (default 3)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds one command may run before it is stopped (default 300)")
    parser.add_argument("--max-memory", type=float, default=8, metavar="GB",
                        help="stop a command whose process tree holds more than this (default 8 GB), reported as MEMLIMIT")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to chartspec build (default: chartspec's own)")
    parser.add_argument("--no-reduce", action="store_true", help="write `reduce: false` into the generated specs")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures to FILE as JSON")
    parser.add_argument("--tmpdir", type=Path, help="where to generate data (default: the system temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated data and outputs")
    args = parser.parse_args()
    for key, value in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.quick:
        args.big = False
    exe = shutil.which("chartspec", path=str(Path(sys.executable).parent)) or shutil.which("chartspec")
    if exe is None:
        sys.exit("chartspec is not installed next to this Python or on PATH")

    root = Path(tempfile.mkdtemp(prefix="chartspec-bench-large-", dir=args.tmpdir))
    try:
        (root / "chartspec.toml").write_text("")  # the project root: data paths stay inside it
        cases = build_cases(args, root, exe)
        tiny, cases = cases[0], cases[1:]
        # Byte-compiled modules, as an installed package has them (an editable install under
        # PYTHONDONTWRITEBYTECODE would compile chartspec on every start): the warm-up writes them
        # into the temporary folder, for chartspec and the peer alike.
        env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPYCACHEPREFIX": str(root / "pycache")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        note("[warm-up] one untimed run of each command (bytecode, matplotlib's font cache)")
        for who, command in (("chartspec", tiny.tool), ("peer", tiny.peer)):
            out = root / "out" / f"warm-{who}"
            run = measure(command(out), root, out, root / f"warm-{who}.log", env, args.timeout, args.max_memory * 1e9)
            if run.status != "ok":
                note(f"[warm-up] {who} {run.status}:\n{run.stderr_tail}")
        for c in cases:
            for i in range(args.repeat):
                for who, side, command in (("chartspec", c.chartspec, c.tool), ("peer", c.other, c.peer)):
                    if command is None or side.status not in ("ok", "-"):
                        continue  # no peer, or it already failed: do not wait for it again
                    out = root / "out" / f"case{c.key}-{who}-{i}"
                    log = root / f"case{c.key}-{who}-{i}.log"
                    run = measure(command(out), c.cwd, out, log, env, args.timeout, args.max_memory * 1e9)
                    side.runs.append(run)
                    note(f"[run] case {c.key} {who} #{i + 1}: {run.status} {run.seconds:.2f} s, {run.peak_bytes / MB:.0f} MB")
                    if not args.keep:
                        shutil.rmtree(out, ignore_errors=True)
        print()
        print_table(cases, args)
        if args.json:
            report = {
                "benchmark": "bench_large", "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
                "chartspec": {"executable": exe, "version": subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()},
                "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                "cases": [{"case": c.key, "label": c.label, "chartspec": c.chartspec.as_json(),
                           "peer": c.other.as_json() if c.peer else None, "time_ratio": c.ratio("time"),
                           "memory_ratio": c.ratio("memory"), "targets": c.checks(), "met": c.met()} for c in cases],
            }
            args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    finally:
        if args.keep:
            note(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
