"""Training logs read where their loggers wrote them: TensorBoard, MLflow, Hugging Face Trainer, DVCLive.

Every reader gives the same table (common.py): the key columns (``run`` from ``files: ... as: run``,
``run`` and ``experiment`` for MLflow), ``step``, ``wall_time`` in seconds where the format keeps
it, then one column per metric under the logger's name (``train/loss``), empty where that metric
was not logged at that step. The format is told by the name the spec gives, or by ``format:``:

=========================================  =============  ====================================
name                                       format         one run is
=========================================  =============  ====================================
``events.out.tfevents.*`` (or a folder     ``tensorboard``  a folder of event files (a resumed
holding them)                                               job adds a file)
``mlruns`` (folder), ``mlflow.db``         ``mlflow``       an MLflow run (the store holds many)
``trainer_state.json``                     ``hf_trainer``   a file
``dvclive`` (folder)                       ``dvclive``      a folder
=========================================  =============  ====================================

Paths are confined to the project as every data path is (table.resolve_data_path, passed in so
this package does not import the module that dispatches to it); files found inside a folder are
checked again, so a symbolic link cannot lead out.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from ...errors import DataError, Diagnostic
from ...spec.model import DataSource
from ...spec.source import SourceMap
from ..sources import expand_files, searched_folders, short_names
from . import dvclive, hf, mlflow, tensorboard
from .common import LogData, MissingExtra, Part, named_only, pivot

__all__ = ["FORMATS", "LogData", "detect", "logger_format", "read_logs"]

FORMATS = ("tensorboard", "mlflow", "hf_trainer", "dvclive")
#: formats whose runs are folders (a glob may name folders)
_FOLDERS = frozenset({"tensorboard", "mlflow", "dvclive"})
Resolve = Callable[..., Path]


def detect(name: str) -> str | None:
    """The logger that writes files or folders called like the last part of ``name``, if any."""
    base = os.path.basename(name.replace("\\", "/").rstrip("/"))
    if tensorboard.is_event_file(base):
        return "tensorboard"
    return {"mlruns": "mlflow", "mlflow.db": "mlflow", "trainer_state.json": "hf_trainer",
            "dvclive": "dvclive"}.get(base)


def logger_format(source: DataSource, spec_dir: Path) -> str | None:
    """The logger format ``source`` names: its ``format:``, else told by its name; None for a data file."""
    if source.values is not None or (source.format is not None and source.format not in FORMATS):
        return None
    if source.format is not None:
        return source.format
    names = source.files or ((source.path,) if source.path else ())
    found = {detect(n) for n in names}
    if len(found) == 1 and None not in found:
        return found.pop()
    if source.path is not None and (spec_dir / source.path).is_dir():  # a TensorBoard run's log folder
        if tensorboard.event_files(spec_dir / source.path):
            return "tensorboard"
    return None


def _runs(fmt: str, names: Sequence[str], paths: Sequence[Path]) -> list[tuple[str, list[Path]]]:
    """Names and paths of the runs: each path is one, except that TensorBoard's runs are folders."""
    if fmt != "tensorboard":
        return [(n, [p]) for n, p in zip(names, paths)]
    runs: dict[str, list[Path]] = {}
    for name, path in zip(names, paths):
        if path.is_dir():
            runs.setdefault(name, []).extend(tensorboard.event_files(path))
        else:
            runs.setdefault(os.path.dirname(name) or ".", []).append(path)
    return [(n, sorted(set(p))) for n, p in runs.items()]


def _read_run(fmt: str, paths: list[Path], shown: Callable[[Path], str], root: Path
              ) -> tuple[list[Part], list[Path], list[Path], list[Diagnostic]]:
    """The parts of one run (MLflow: of a whole store), the files read, the folders searched and
    the notes of what was skipped; ``shown(path)``: how messages name a path."""
    if fmt == "tensorboard":
        return [tensorboard.read_run(paths, [shown(p) for p in paths])], list(paths), [paths[0].parent], []
    path = paths[0]
    if fmt == "hf_trainer":
        return [hf.read_state(path, shown(path))], [path], [], []
    if fmt == "dvclive":
        part, files, folders = dvclive.read_folder(path, root, shown(path))
        return [part], files, folders, []
    if path.is_dir():
        return mlflow.read_file_store(path, root, shown(path))
    return mlflow.read_sqlite(path, shown(path)), [path], [], []


def read_logs(source: DataSource, fmt: str, spec_file: Path, root: Path, smap: SourceMap,
              resolve: Resolve) -> tuple[str, LogData]:
    """The table of a logger source, and the name to call it by in messages."""
    def fail(message: str, hint: str | None = None) -> DataError:
        return DataError(smap.diagnostic(message, source.json_path, hint=hint))

    spec_dir = spec_file.parent
    if source.files is not None:
        names = expand_files(source.files, spec_dir, fail, root=root, folders=fmt in _FOLDERS)
    else:
        names = [source.path or "."]
    paths = [resolve(replace(source, path=n), spec_file, root, smap, folders=fmt in _FOLDERS) for n in names]
    runs = _runs(fmt, names, paths)
    label = source.as_field if source.files is not None else None
    # a TensorBoard run is the folder of the event files a glob names: the glob's folder part names it
    patterns = [*source.files, *(os.path.dirname(p) for p in source.files)] if source.files else []
    shorts = short_names([n for n, _ in runs], patterns, folders=fmt == "tensorboard" or all(p.is_dir() for p in paths))
    base = os.path.dirname(smap.file or str(spec_file))

    def shown(path: Path) -> str:  # as the spec's own file is named: relative to the working folder
        return os.path.normpath(os.path.join(base, os.path.relpath(path, spec_dir.resolve())))

    parts: list[Part] = []
    notes: list[Diagnostic] = []
    empty: list[str] = []  # runs that logged nothing: no row, so no legend entry; said in a note
    files: list[Path] = []
    folders: list[Path] = list(searched_folders(source.files or (), spec_dir, root))
    for (name, run_paths), short in zip(runs, shorts):
        if fmt == "tensorboard" and not run_paths:
            raise fail(f"no TensorBoard event files (events.out.tfevents.*) in {name!r}")
        try:
            found, read, searched, skipped = _read_run(fmt, run_paths, shown, root)
        except MissingExtra as err:
            raise fail(f"{err.what}, which is not installed",
                       f"install chartspec's extra: pip install 'chartspec[{err.extra}]'") from None
        except DataError as err:
            note = replace(smap.diagnostic("data file used here", source.json_path), severity="note")
            raise DataError((*err.diagnostics, note)) from None
        for part in found:
            part = named_only(part, shown(run_paths[0]))
            if label is not None and label in part.keys:
                raise fail(f"{name} already has a column {label!r}", "choose another name with 'as'")
            parts.append(Part({label: short, **part.keys} if label else part.keys, part.scalars, part.notes))
            if part.scalars.num_rows == 0 and (label or "run" in part.keys):
                empty.append(short if label else part.keys["run"])
        notes += skipped
        files += read
        folders += searched
    logs = pivot(parts, root, files, folders)
    notes += [n for part in parts for n in part.notes]
    if empty:
        notes.append(_empty_note(empty, smap, source))
    return ", ".join(source.files) if source.files else names[0], replace(logs, notes=tuple(notes))


def _empty_note(runs: Sequence[str], smap: SourceMap, source: DataSource) -> Diagnostic:
    """The note for runs that logged no values (an empty trainer_state.json, a run that has not
    logged yet): they give no rows, so no line and no legend entry, and would vanish unsaid."""
    named = ", ".join(repr(r) for r in runs[:3]) + (f" and {len(runs) - 3:,} more" if len(runs) > 3 else "")
    what = f"run {named}" if len(runs) == 1 else f"{len(runs):,} runs ({named})"
    return replace(smap.diagnostic(f"{what} logged no values: not drawn", source.json_path,
                                   hint="a run that has not logged yet: build again once it has"), severity="note")
