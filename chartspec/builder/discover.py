"""Finding spec files and deciding where their outputs go."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Diagnostic, UsageError, display_path
from ..spec.plain import PLAIN_SUFFIXES
from ..spec.project import find_project_root
from .cache import Manifest
from .select import GlobFilter, not_a_chart, side_file_note, side_files

__all__ = ["LOGGER_DIRS", "LOGGER_FILES", "PLAIN_SUFFIXES", "SKIPPED_DIRS", "SPEC_SUFFIXES", "Target", "discover", "output_stem"]

SPEC_SUFFIXES = (".yaml", ".yml")
#: a folder holding this file is a build's output folder: its ``*.vl.json`` are outputs, not inputs
_OUTPUT_MARKER = ".chartspec-manifest.json"
# Folders that hold data, theme files (spec/themes.py), tooling or outputs rather than chart specs.
SKIPPED_DIRS = frozenset({"data", "themes", "node_modules", "__pycache__", "site-packages", "venv", ".venv"})
#: Folders training loggers write (MLflow, DVCLive, W&B, PyTorch Lightning): logs are data, never specs,
#: though MLflow keeps a meta.yaml in every experiment and run. A folder holding TensorBoard event
#: files is skipped too, whatever its name.
LOGGER_DIRS = frozenset({"mlruns", "mlartifacts", "dvclive", "wandb", "lightning_logs"})
#: YAML files DVC (and DVCLive) writes beside a project: pipeline, lock file and parameters
LOGGER_FILES = frozenset({"dvc.yaml", "dvc.lock", "params.yaml"})
_EVENT_PREFIX = "events.out.tfevents."


@dataclass(frozen=True)
class Target:
    """One spec to build and the stem of its outputs, relative to the output folder."""

    spec: Path
    stem: Path
    root: Path

    @property
    def shown(self) -> str:
        return display_path(self.spec)


def _is_spec(name: str) -> bool:
    return name.lower().endswith(SPEC_SUFFIXES + PLAIN_SUFFIXES) and name.lower() not in LOGGER_FILES


def _mlflow_meta(path: Path) -> bool:
    """An MLflow ``meta.yaml`` outside an ``mlruns`` folder (a store under another name)."""
    if path.name != "meta.yaml":
        return False
    try:
        head = path.read_bytes()[:4096]
    except OSError:
        return False
    return b"artifact_location:" in head or b"artifact_uri:" in head


def output_stem(spec: Path) -> Path:
    """Where a spec's outputs go, without their suffix: ``a/b.yaml`` and ``a/b.vl.json`` give ``a/b``."""
    name = spec.name
    for suffix in PLAIN_SUFFIXES + SPEC_SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return spec.with_name(name[: -len(suffix)])
    return spec.with_suffix("")


def _skip_dir(path: Path, out: Path | None) -> bool:
    if path.name in SKIPPED_DIRS or path.name in LOGGER_DIRS or path.name.startswith((".", "_")):
        return True
    try:
        if any(e.name.startswith(_EVENT_PREFIX) for e in path.iterdir()):  # a TensorBoard run's folder
            return True
    except OSError:
        pass
    if (path / "pyvenv.cfg").exists() or (path / _OUTPUT_MARKER).exists():
        return True
    return out is not None and path.resolve() == out


def _real(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return None


@dataclass
class _Search:
    """One folder's search: where outputs go, what was searched and written, the globs, the notes,
    and the linked folders found, searched last (a folder reached directly and through a link is
    searched at its own path: ``a/tob -> ../b`` must not move ``b``'s outputs to ``out/a/tob``)."""

    top: Path
    out: Path | None
    visited: set[Path]
    written: set[Path]
    globs: GlobFilter
    notes: list[Diagnostic]
    links: list[Path] = field(default_factory=list)


def _walk(folder: Path, search: _Search) -> list[Path]:
    """Spec files under ``folder``. ``search.visited``: the real paths of folders already searched, so a
    symlink to ``.``, ``..`` or a sibling is searched once, never in a loop; ``search.written``: the real
    paths of files the output folder's manifest says a build wrote (outputs, not inputs)."""
    real = _real(folder)
    if real is None or real in search.visited:
        return []
    search.visited.add(real)
    if real != search.out and (folder / _OUTPUT_MARKER).is_file():
        # a folder given to search that an earlier build wrote into (``build specs -o specs -f json``):
        # what its own manifest lists are outputs, whichever folder this build writes to
        search.written |= written_outputs(real)
    found: list[Path] = []
    for entry in sorted(folder.iterdir()):
        relative = entry.relative_to(search.top).as_posix()
        if entry.is_dir():
            if entry.is_symlink() and ((target := _real(entry)) is None or real.is_relative_to(target)):
                continue  # a link to ``.``, ``..`` or further up: its folder holds this one
            if not _skip_dir(entry, search.out) and search.globs.searches(relative):
                if entry.is_symlink():
                    search.links.append(entry)
                else:
                    found += _walk(entry, search)
        elif (_is_spec(entry.name) and not entry.name.startswith(".") and _real(entry) not in search.written
              and not _mlflow_meta(entry) and search.globs.takes(relative)):
            if (note := not_a_chart(entry)) is not None:
                search.notes.append(note)
            else:
                found.append(entry)
    return found


def written_outputs(out: Path | None) -> set[Path]:
    """Files an earlier build into ``out`` wrote: building into the specs folder with ``-f json``
    must not pick up its own ``*.vl.json`` as specs next time."""
    if out is None:
        return set()
    manifest = Manifest.load(out)
    return {real for entry in manifest.entries.values() for rel in entry.outputs
            if (real := _real(out / rel)) is not None}


def discover(paths: list[str | Path], out: Path | None = None, *, include: tuple[str, ...] = (),
             exclude: tuple[str, ...] = (), notes: list[Diagnostic] | None = None,
             themes: tuple[str | None, ...] = ()) -> list[Target]:
    """Spec files under ``paths`` (files or folders, searched recursively), in a stable order.

    In folders, only files the ``include``/``exclude`` globs take (relative to the folder), and no
    YAML that is clearly not a chart, nor one a spec found names as its theme or data, nor a build
    theme file (``themes``, absolute): each of those gets a note in ``notes`` (select.py). Files
    named in ``paths`` are always taken."""
    if not paths:
        raise UsageError("no spec files or folders given")
    notes = notes if notes is not None else []
    out_resolved = out.resolve() if out is not None else None
    targets: dict[Path, Target] = {}
    named: set[Path] = set()
    visited: set[Path] = set()
    written = written_outputs(out_resolved)
    for given in map(Path, paths):
        if not given.exists():
            raise UsageError(Diagnostic(f"no such file or folder: {display_path(given)}", file=display_path(given)))
        if given.is_dir():
            search = _Search(given, out_resolved, visited, written, GlobFilter(include, exclude), notes)
            found = _walk(given, search)
            while search.links:  # real folders first, then what only a link reaches
                found += _walk(search.links.pop(0), search)
            top = _real(given)  # a file reached through a link too (a/b.yaml -> ../b/b.yaml): its own path wins
            found.sort(key=lambda spec: top is None or _real(spec) != top / spec.relative_to(given))
            for spec in found:
                root = find_project_root(spec.parent, fallback=given)
                targets.setdefault(spec.resolve(), Target(spec, output_stem(spec.relative_to(given)), root))
        else:
            root = find_project_root(given.parent, fallback=given.parent)
            targets.setdefault(given.resolve(), Target(given, output_stem(Path(given.name)), root))
            named.add(given.resolve())
    return _without_side_files(targets, named, themes, notes)


def _without_side_files(targets: dict[Path, Target], named: set[Path], themes: tuple[str | None, ...],
                        notes: list[Diagnostic]) -> list[Target]:
    """``targets`` less the files found in folders that a spec reads as its theme or data: a theme
    kept beside its spec holds ``legend`` and ``title`` too, and was built as a broken chart."""
    users: dict[Path, str] = {Path(t).resolve(): "the build's theme" for t in themes if t}
    for real, target in targets.items():
        for side in side_files(target.spec):
            users.setdefault(side, target.shown)
    for i, note in enumerate(notes):  # a theme skipped for its shape: say who reads it
        if note.file and (real := _real(Path(note.file))) in users:
            notes[i] = side_file_note(Path(note.file), users[real])
    kept = []
    for real, target in targets.items():
        if real in users and real not in named:
            notes.append(side_file_note(target.spec, users[real]))
        else:
            kept.append(target)
    return kept
