"""MLflow's two local stores: the file store (``mlruns/``) and the SQLite store (``mlflow.db``).

Both give the same table: ``run`` (the run's name, made unique over the store: ``sweep/baseline``
when runs of several experiments share the name, ``baseline (2)`` when runs of one experiment do;
a name one run has is kept, ``/`` and all: see ``_named``),
``experiment`` (the experiment's name), ``step``, ``wall_time`` (seconds) and one column per
metric key (``train/loss``). Runs and
experiments that were deleted (``lifecycle_stage: deleted``; MLflow keeps them until ``mlflow gc``)
are left out, as the MLflow UI leaves them out. Runs come in the order of experiment name, then
run name; a run's rows in the order they were logged (timestamp, then step).

File store layout: ``mlruns/<experiment id>/meta.yaml`` (``name``, ``lifecycle_stage``),
``mlruns/<experiment id>/<run id>/meta.yaml`` (``run_name``, ``lifecycle_stage``; older stores
keep the name in the tag file ``tags/mlflow.runName``) and one file per metric,
``metrics/<key>`` (a key with ``/`` is a path; hidden files, a macOS ``.DS_Store`` or an editor's
swap file, are not metrics and are left out), lines ``timestamp value step`` (MLflow 3 may add
``dataset_name dataset_digest``) with the time in
milliseconds. The SQLite store is opened read-only and its tables ``metrics``, ``runs`` and
``experiments`` queried.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from pathlib import Path
from typing import Any

from ...errors import DataError, Diagnostic
from .common import Part, hidden, long_table, read_text, walk, whole_steps

__all__ = ["read_file_store", "read_sqlite"]


def _meta(path: Path, location: str) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise DataError(Diagnostic(f"cannot read MLflow's {path.name}: {str(err).splitlines()[0]}",
                                   file=location)) from None
    return data if isinstance(data, dict) else {}


def _numbers(path: Path, location: str) -> tuple[Any, Any]:
    """A metric file's lines ``timestamp value step`` as an (n, 3) array of floats (a missing step
    is 0) and its steps as int64 (exact: a float rounds those of 2**53 or more). MLflow 3 adds
    ``dataset_name dataset_digest`` to a metric logged with a dataset: ignored."""
    import numpy as np

    text = read_text(path, location)
    array = _parse(text, location)
    return array, whole_steps(array[:, 2], text, 1, 2, location) if len(array) else np.zeros(0, dtype=np.int64)


def _parse(text: str, location: str) -> Any:
    import numpy as np

    lines = [line for line in text.split("\n") if line.strip()]
    widths = {len(line.split()) for line in lines}
    try:
        if not lines:
            return np.zeros((0, 3))
        if len(widths) == 1 and widths <= {2, 3}:
            array = np.array(text.split(), dtype=np.float64).reshape(len(lines), widths.pop())
            return array if array.shape[1] == 3 else np.column_stack([array, np.zeros(len(lines))])
        if min(widths) >= 3:  # with datasets (numpy's parser, not a Python loop: runs log millions)
            return np.loadtxt(io.StringIO(text), usecols=(0, 1, 2), ndmin=2, comments=None, dtype=np.float64)
    except ValueError:
        pass
    for number, line in enumerate(text.split("\n"), start=1):  # find the line to name
        fields = line.split()
        try:
            ok = not fields or (len(fields) in (2, 3) or len(fields) >= 5) and [float(f) for f in fields[:3]]
        except ValueError:
            ok = False
        if not ok:
            raise DataError(Diagnostic("an MLflow metric line is 'timestamp value step'", file=location,
                                       line=number, column=1, source_line=line))
    raise _mixed(text, location)


def _mixed(text: str, location: str) -> DataError:
    """The error for a metric file whose lines have and lack a step (2 fields beside 3 or more),
    at the first line unlike the first one."""
    lines = [(n, line, len(line.split())) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
    first = lines[0]
    number, line, fields = next((found for found in lines if (found[2] > 2) != (first[2] > 2)), lines[-1])
    return DataError(Diagnostic(
        f"MLflow metric line has {fields} fields where line {first[0]} has {first[2]}: "
        "lines must all have the same fields", file=location, line=number, column=1, source_line=line,
        hint="each line is 'timestamp value step' (MLflow 3 may add 'dataset_name dataset_digest')"))


def _run(run_dir: Path, root: Path, location: str) -> tuple[str, Part, list[Path], list[Path]] | None:
    import numpy as np

    meta = _meta(run_dir / "meta.yaml", f"{location}/meta.yaml")
    if meta.get("lifecycle_stage") == "deleted":
        return None
    name = meta.get("run_name")
    tag = run_dir / "tags" / "mlflow.runName"
    tags = [tag] if not name and tag.is_file() else []
    if tags:
        name = read_text(tag, f"{location}/tags/mlflow.runName").strip()
    name = str(name or meta.get("run_id") or run_dir.name)
    metrics_dir = run_dir / "metrics"
    files, folders = walk(metrics_dir, root, f"{location}/metrics") if metrics_dir.is_dir() else ([], [])
    names = [path.relative_to(metrics_dir).as_posix() for path in files]
    found = [_numbers(path, f"{location}/metrics/{key}") for path, key in zip(files, names)]
    sizes = [len(a) for a, _ in found]
    table = np.concatenate([a for a, _ in found]) if found else np.zeros((0, 3))
    steps = np.concatenate([s for _, s in found]) if found else np.zeros(0, dtype=np.int64)
    rank = {k: i for i, k in enumerate(sorted(names))}
    ranks = np.repeat(np.array([rank[k] for k in names], dtype=np.int64), sizes)
    keys = np.repeat(np.array(names, dtype=object), sizes)
    order = np.lexsort((ranks, steps, table[:, 0]))  # time, then step, then key
    seq = np.empty(len(order), dtype=np.int64)
    seq[order] = np.arange(len(order))
    part = Part({"run": name}, long_table(seq, steps, table[:, 0] / 1000, keys, table[:, 1]))
    return name, part, [*tags, *files], folders


#: what a run folder holds besides meta.yaml: one with any of them but no readable meta.yaml is a
#: damaged or partial run (a copy cut short, a run being created), skipped with a note
_RUN_PARTS = ("metrics", "params", "tags", "artifacts")


def _skipped(run_dir: Path, location: str) -> Diagnostic | None:
    """Why the run in ``run_dir`` cannot be read (a note), or None when its meta.yaml reads."""
    meta = run_dir / "meta.yaml"
    if not meta.exists():
        if not any((run_dir / p).is_dir() for p in _RUN_PARTS):
            return None  # not a run: a folder MLflow or a user keeps beside the runs
        why = "it has no meta.yaml"
    else:
        try:
            _meta(meta, f"{location}/meta.yaml")
            return None
        except DataError as err:
            why = err.diagnostics[0].message.replace("cannot read MLflow's meta.yaml", "its meta.yaml cannot be read")
    return Diagnostic(f"MLflow run folder {location} skipped: {why}", file=location, severity="note",
                      hint="a damaged or partial run (a copy cut short, a run still starting): copy it again, "
                      "or delete the folder")


def read_file_store(folder: Path, root: Path, location: str
                    ) -> tuple[list[Part], list[Path], list[Path], list[Diagnostic]]:
    """Every run of a file store: parts, the files read, the folders searched and the runs skipped (notes).

    What decides which runs are read is read too, so a build depends on it: every meta.yaml,
    also of a deleted run or experiment (``restore_run`` changes it), and every folder that could
    hold one (a run still starting, skipped, gets its meta.yaml; an experiment is created)."""
    found: list[tuple[str, str, Part]] = []
    files: list[Path] = []
    folders: list[Path] = [folder]
    notes: list[Diagnostic] = []
    for exp_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not hidden(p.name)):
        folders.append(exp_dir)
        if not (exp_dir / "meta.yaml").is_file():
            continue  # models/ and other folders MLflow keeps beside the experiments
        files.append(exp_dir / "meta.yaml")
        meta = _meta(exp_dir / "meta.yaml", f"{location}/{exp_dir.name}/meta.yaml")
        if meta.get("lifecycle_stage") == "deleted":
            continue
        experiment = str(meta.get("name", exp_dir.name))
        for run_dir in sorted(p for p in exp_dir.iterdir() if p.is_dir() and not hidden(p.name)):
            where = f"{location}/{exp_dir.name}/{run_dir.name}"
            folders.append(run_dir)
            files += [run_dir / "meta.yaml"] if (run_dir / "meta.yaml").is_file() else []
            if (skipped := _skipped(run_dir, where)) is not None or not (run_dir / "meta.yaml").is_file():
                notes += [skipped] if skipped else []
                continue
            got = _run(run_dir, root, where)
            if got is not None:
                name, part, read, searched = got
                found.append((experiment, name, Part({"run": name, "experiment": experiment}, part.scalars)))
                files += read
                folders += searched
    if not found:
        raise DataError((Diagnostic("no MLflow runs found", file=location,
                                    hint="an MLflow file store holds <experiment id>/<run id>/metrics/ folders"),
                         *notes))
    return _named(found), files, folders, notes


def _named(found: list[tuple[str, str, Part]]) -> list[Part]:
    """Parts in order of experiment and run name, each with a ``run`` no other run of the store
    has, so ``color: {field: run}`` never merges two runs into one series (a run's rows would be
    taken for a resumed run's). A name only one run has is kept as it is, whatever it holds
    (``sweep/baseline``, ``b (2)``); a name runs of several experiments share is prefixed with the
    experiment's (``sweep/baseline``), or, when that is another run's name, followed by it
    (``baseline (sweep)``); runs of one experiment sharing a name get their position among them
    (``baseline (2)``), skipping a position that is another run's name."""
    found.sort(key=lambda f: (f[0], f[1]))
    runs = Counter(name for _, name, _ in found)
    used = {name for name, count in runs.items() if count == 1}  # a run's own name wins over a made-up one
    bases = _bases(found, runs, used)
    shared = Counter(bases[experiment, name] for experiment, name, _ in found if runs[name] > 1)
    labels: list[str | None] = []
    for experiment, name, _ in found:  # first every label that needs no number
        label = name if runs[name] == 1 else bases[experiment, name]
        free = runs[name] == 1 or (shared[label] == 1 and label not in used)
        labels.append(label if free else None)
        used |= {label} if free else set()
    seen: Counter[str] = Counter()
    parts = []
    for label, (experiment, name, part) in zip(labels, found):
        if label is None:  # one name twice in one experiment, or a made-up label that is a run's name
            base = bases[experiment, name]
            seen[base] += 1
            while f"{base} ({seen[base]})" in used:
                seen[base] += 1
            label = f"{base} ({seen[base]})"
            used.add(label)
        parts.append(Part({"run": label, "experiment": experiment}, part.scalars))
    return parts


def _bases(found: list[tuple[str, str, Part]], runs: Counter[str], names: set[str]) -> dict[tuple[str, str], str]:
    """The label of each run whose name others share, before numbering: ``experiment/name`` when the
    name spans experiments, ``name (experiment)`` for the whole name when one of those is another
    run's name (``sweep`` + ``baseline`` against a run named ``sweep/baseline``), else the name."""
    experiments: dict[str, set[str]] = {}
    for experiment, name, _ in found:
        if runs[name] > 1:
            experiments.setdefault(name, set()).add(experiment)
    bases: dict[tuple[str, str], str] = {}
    for name, among in sorted(experiments.items()):
        shapes = {e: f"{e}/{name}" if len(among) > 1 else name for e in among}
        if len(among) > 1 and (names | set(bases.values())) & set(shapes.values()):
            shapes = {e: f"{name} ({e})" for e in among}
        bases.update(((e, name), shape) for e, shape in shapes.items())
    return bases


_QUERY = """
SELECT e.name, r.name, r.run_uuid, m.key, m.value, m.is_nan, m.timestamp, m.step
FROM metrics m JOIN runs r ON m.run_uuid = r.run_uuid JOIN experiments e ON r.experiment_id = e.experiment_id
WHERE r.lifecycle_stage <> 'deleted' AND e.lifecycle_stage <> 'deleted'
ORDER BY e.name, r.name, r.run_uuid, m.timestamp, m.step, m.key
"""


#: what MLflow's SQL store writes for an infinite value (SQL has no infinity): the largest double
_DBL_MAX = 1.7976931348623157e308


def _logged(value: float, is_nan: Any) -> float:
    """The value as it was logged: NaN is stored as 0 with ``is_nan`` set, +-inf as +-DBL_MAX
    (MLflow's ``sanitize_metric_value``); both come back non-finite, drawn as missing and noted."""
    if is_nan:
        return math.nan
    return math.copysign(math.inf, value) if abs(value) >= _DBL_MAX else value


def read_sqlite(path: Path, location: str) -> list[Part]:
    """Every run of a SQLite store, opened read-only (the build never writes to it)."""
    # here, not at the top: urllib.request (http, ssl, email) costs every validate ~30 ms of imports
    import sqlite3
    import urllib.request

    uri = "file:" + urllib.request.pathname2url(str(path)) + "?mode=ro"
    try:
        con = sqlite3.connect(uri, uri=True)
        try:
            records = con.execute(_QUERY).fetchall()
        finally:
            con.close()
    except sqlite3.Error as err:
        raise DataError(Diagnostic(f"not a readable MLflow SQLite store: {err}", file=location,
                                   hint="an MLflow store written with --backend-store-uri sqlite:///mlflow.db")) from None
    found: dict[str, tuple[str, str, list[tuple[Any, ...]]]] = {}
    for experiment, name, run_id, *rest in records:
        found.setdefault(run_id, (experiment, name or run_id, []))[2].append(tuple(rest))
    if not found:
        raise DataError(Diagnostic("no MLflow runs with metrics found", file=location))
    parts = []
    for experiment, name, rows in found.values():
        keys, stored, nans, times, steps = zip(*rows)
        values = [_logged(v, n) for v, n in zip(stored, nans)]
        parts.append((experiment, name, Part({}, long_table(range(len(rows)), steps, [t / 1000 for t in times],
                                                         keys, values))))
    return _named(parts)
