"""DVCLive's folder (``dvclive/`` by default): ``plots/metrics/**/*.tsv``, one file per metric.

A metric's name is its file's path under ``plots/metrics`` without ``.tsv``, so
``plots/metrics/train/loss.tsv`` is ``train/loss``. Each file has a header (``step`` and the
metric's last name part; older versions start with ``timestamp``, in milliseconds) and a row per
logged step. Rows come in step order, a step logged again after the first (``Live(resume=True)``)
after it. Hidden files (a macOS ``._loss.tsv`` copy) are not metrics and are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...errors import DataError, Diagnostic
from .common import Part, long_table, read_text, walk, whole_steps

__all__ = ["METRICS", "read_folder"]

METRICS = Path("plots") / "metrics"


def _columns(path: Path, location: str) -> tuple[dict[str, Any], int]:
    """A metric file's columns (step, timestamp, value) as arrays, and its number of rows."""
    import numpy as np

    text = read_text(path, location)
    header, _, body = text.partition("\n")
    names = header.rstrip("\r").split("\t")
    metric = [i for i, n in enumerate(names) if n not in ("step", "timestamp")]
    if "step" not in names or not metric:  # a header of 'timestamp step' alone names no metric
        raise DataError(Diagnostic("a DVCLive metric file starts with a header naming 'step' and the metric",
                                   file=location, line=1, column=1, source_line=header))
    lines = [line for line in body.split("\n") if line.strip()]
    try:
        array = np.array(body.split(), dtype=np.float64).reshape(len(lines), len(names))
    except ValueError:
        for number, line in enumerate(body.split("\n"), start=2):
            fields = line.split()
            if fields and (len(fields) != len(names) or not all(_is_number(f) for f in fields)):
                raise DataError(Diagnostic(f"expected {len(names)} numbers separated by tabs", file=location,
                                           line=number, column=1, source_line=line)) from None
        raise
    step = whole_steps(array[:, names.index("step")], body, 2, names.index("step"), location)
    found = {"step": step, "value": array[:, metric[0]],
             "wall_time": array[:, names.index("timestamp")] / 1000 if "timestamp" in names else None}
    return found, len(lines)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_folder(folder: Path, root: Path, location: str) -> tuple[Part, list[Path], list[Path]]:
    """The scalars of one DVCLive folder, the files read and the folders searched."""
    import numpy as np

    metrics_dir = folder / METRICS
    if not metrics_dir.is_dir():
        raise DataError(Diagnostic(f"no DVCLive metrics: {location}/{METRICS.as_posix()} is missing", file=location,
                                   hint="DVCLive writes it on the first live.log_metric(...) and live.next_step()"))
    files, folders = walk(metrics_dir, root, f"{location}/{METRICS.as_posix()}")
    files = [p for p in files if p.suffix == ".tsv"]
    steps, walls, names, values, lines = [], [], [], [], []
    for path in files:
        key = path.relative_to(metrics_dir).with_suffix("").as_posix()
        found, n = _columns(path, f"{location}/{METRICS.as_posix()}/{key}.tsv")
        steps.append(found["step"])
        values.append(found["value"])
        walls.append(found["wall_time"] if found["wall_time"] is not None else np.full(n, np.nan))
        names += [key] * n
        lines.append(np.arange(n))
    step = np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64)
    line = np.concatenate(lines) if lines else np.zeros(0)
    order = np.lexsort((line, step))  # no common clock: step order, a repeated step after the first
    seq = np.empty(len(order), dtype=np.int64)
    seq[order] = np.arange(len(order))
    wall = np.concatenate(walls) if walls else np.zeros(0)
    timed = bool(len(wall)) and not np.isnan(wall).all()
    part = Part({}, long_table(seq, step, wall if timed else None, names, np.concatenate(values) if values else []))
    return part, files, folders
