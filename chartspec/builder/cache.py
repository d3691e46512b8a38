"""Incremental builds: a manifest in the output folder records what each output was made from.

A spec is up to date when the hash of everything its outputs depend on (the spec's bytes, the
bytes of every data and theme file it read, the output formats, scale and build theme, the
versions of chartspec, vl-convert and Vega-Lite, and a hash of chartspec's own code and schema)
equals the recorded one and its outputs are still as written. A spec that read a connection is
keyed by the connection's settings and file stamps instead, and records when its data was
fetched (freshness.py). Each spec's notes are recorded too, so an up-to-date spec still shows
them. Only files listed in the manifest are ever deleted.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..data.connections import Fetched
from ..errors import Diagnostic, display_path
from ..render.versions import library_versions
from ..spec.files import read_regular
from .freshness import connection_stamp, expired, fetched_from_stored, fetched_to_stored, well_formed_fetched

__all__ = ["MANIFEST_NAME", "Manifest", "fingerprint", "input_key", "spec_key", "stored_name"]

MANIFEST_NAME = ".chartspec-manifest.json"
#: 2: every path relative to the output folder, outputs with their sha256; 1: absolute paths
_FORMAT_VERSION = 2
#: above this many specs a save after every finished spec would slow a build down: saves are
#: then spaced to take at most about a tenth of the time
_THROTTLE_FROM = 500
#: a larger manifest is ignored (everything is rebuilt) rather than read into memory
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
_HASH_CHUNK = 1 << 20


def fingerprint(stem: str, formats: tuple[str, ...], scale: float, html: str = "", *,
                theme: str | None = None) -> str:
    """Everything besides input files that changes the outputs (``theme``: the build's theme)."""
    extra = {"theme": theme} if theme is not None else {}  # no theme: the same hash as before themes
    return json.dumps({"versions": library_versions(), "stem": stem, "formats": sorted(formats), "scale": scale,
                       "html": html, **extra}, sort_keys=True)


def stored_name(path: str | Path, base: Path) -> str:
    """How the manifest names a file: relative to the output folder ``base``, so a project moved
    or cloned together with its output folder keeps its manifest; absolute only where no
    relative path exists (another drive on Windows)."""
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _from_stored(name: str, base: Path) -> Path:
    return Path(os.path.normpath(base / name))


def input_key(inputs: list[str], fingerprint_text: str, base: Path | None = None) -> str | None:
    """Hash of the fingerprint and every input file; ``None`` if an input is gone.

    Inputs are hashed under their names relative to ``base`` (the output folder) when given, so
    the key does not change when the project moves. An input folder (one a data glob searches)
    counts by the names it lists, so a new file that the glob would match changes the key. Only
    regular files and folders are read: a forged manifest naming a device or a pipe is stale.
    """
    import hashlib  # here: validate never hashes, and _hashlib loads OpenSSL

    digest = hashlib.sha256(fingerprint_text.encode())
    for name in inputs:
        try:
            path = Path(name)
            mode = path.stat().st_mode
            shown = stored_name(path, base) if base is not None else name
            if stat.S_ISDIR(mode):
                data = "\n".join(sorted(os.listdir(path))).encode()
                digest.update(f"\0{shown}\0{len(data)}\0".encode())
                digest.update(data)
            elif not stat.S_ISREG(mode) or not _hash_file(digest, path, shown):
                return None
        except (OSError, ValueError):  # ValueError: a NUL or an unencodable name in a forged manifest
            return None
    return digest.hexdigest()


def _hash_file(digest: Any, path: Path, shown: str) -> bool:
    """Hash a file's name, size and bytes as a read of it whole would, a MiB at a time (a build
    hashes its data while it draws: no second copy of a large file); False when the file changed
    size meanwhile (no key: the next build renders it again)."""
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        digest.update(f"\0{shown}\0{size}\0".encode())
        read = 0
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
            read += len(chunk)
    return read == size


def spec_key(inputs: list[str], fetched: tuple[Fetched, ...], fingerprint_text: str, base: Path) -> str | None:
    """:func:`input_key` of a spec's files, with its connections' settings and file stamps."""
    stamp = connection_stamp(fetched, base)
    return None if stamp is None else input_key(inputs, fingerprint_text + stamp, base)


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except (OSError, ValueError):
        return None
    return [st.st_size, st.st_mtime_ns]


def _sha256(path: Path) -> str | None:
    import hashlib

    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except (OSError, ValueError):
        return None


@dataclass
class Entry:
    key: str
    inputs: list[str]  # names as :func:`stored_name` gives them
    #: output path relative to OUT -> [size, mtime_ns, sha256] (no sha256 in format 1)
    outputs: dict[str, list[Any]]
    #: the notes of the build that wrote the outputs (:func:`_note_record`); none in older manifests
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: the connections read and when (freshness.fetched_to_stored); written only when there are some
    fetched: list[dict[str, Any]] = field(default_factory=list)


def _file_name(name: object) -> bool:
    """A string the operating system can take as a path: no NUL, no lone surrogate."""
    if not isinstance(name, str) or "\0" in name:
        return False
    try:
        os.fsencode(name)
    except UnicodeEncodeError:
        return False
    return True


def _well_formed(entry: Entry) -> bool:
    """Types as written by :meth:`Manifest.record`, and outputs that stay inside the output folder."""
    return (isinstance(entry.key, str)
            and isinstance(entry.inputs, list) and all(_file_name(i) for i in entry.inputs)
            and isinstance(entry.outputs, dict)
            and all(_file_name(rel) and rel and not Path(rel).is_absolute() and ".." not in Path(rel).parts
                    and isinstance(recorded, list) and len(recorded) <= 3
                    and all(isinstance(n, int) for n in recorded[:2]) and all(isinstance(h, str) for h in recorded[2:])
                    for rel, recorded in entry.outputs.items())
            and isinstance(entry.notes, list) and all(isinstance(n, dict) for n in entry.notes)
            and well_formed_fetched(entry.fetched))


def _note_record(note: Diagnostic, base: Path) -> dict[str, Any]:
    """A note as the manifest keeps it: its file relative to the output folder, as inputs are."""
    record = {k: v for k, v in asdict(note).items() if v not in (None, "", 0, ())}
    if note.file is not None:
        record["file"] = stored_name(Path(note.file).resolve(), base)
    return record


def _note(record: dict[str, Any], base: Path) -> Diagnostic | None:
    """A recorded note, its file shown from the working folder; None for a record no build wrote."""
    try:
        note = Diagnostic(**{**record, "path": tuple(record.get("path", ()))})
        if not (isinstance(note.message, str) and isinstance(note.line, int) and isinstance(note.column, int)):
            return None
        return note if note.file is None else replace(note, file=display_path(_from_stored(note.file, base)))
    except (TypeError, ValueError):
        return None


def _from_format_1(entries: dict[str, Entry], base: Path) -> dict[str, Entry]:
    """Absolute paths become relative ones. The keys were hashed over absolute names, so each
    spec is rendered once more; its old outputs stay tracked (and are never deleted as stale
    while the build writes them again)."""
    return {stored_name(spec, base): Entry("", [stored_name(i, base) for i in entry.inputs], entry.outputs)
            for spec, entry in entries.items()}


@dataclass
class Manifest:
    out: Path
    entries: dict[str, Entry] = field(default_factory=dict)
    #: the entries differ from the file (so it must be saved)
    changed: bool = False
    _next_save: float = 0.0

    @property
    def path(self) -> Path:
        return self.out / MANIFEST_NAME

    @property
    def base(self) -> Path:
        return self.out.resolve()

    def _name(self, spec: Path) -> str:
        return stored_name(spec.resolve(), self.base)

    @classmethod
    def load(cls, out: Path) -> Manifest:
        manifest = cls(out)
        try:  # only a regular file of sane size: a pipe would hang the build, /dev/zero fill memory
            raw: Any = json.loads(read_regular(manifest.path, MAX_MANIFEST_BYTES).decode("utf-8"))
            if raw.get("format") in (1, _FORMAT_VERSION):
                entries = {spec: Entry(**entry) for spec, entry in raw["specs"].items()}
                if all(_file_name(spec) and _well_formed(entry) for spec, entry in entries.items()):
                    if raw["format"] == 1:
                        entries, manifest.changed = _from_format_1(entries, manifest.base), True
                    manifest.entries = entries
        except (OSError, ValueError, TypeError, AttributeError, KeyError, RecursionError, MemoryError):
            pass  # no manifest, or one we cannot read (deep nesting: RecursionError): everything is rebuilt
        return manifest

    def _unchanged(self, rel: str, recorded: list[Any]) -> bool:
        """The output is as chartspec wrote it: same size and time, or (copied, cloned, touched)
        the same bytes. Only regular files inside the output folder count."""
        target = self.out / rel
        now = _stat(target)
        if now is None or not target.is_file() or not target.resolve().is_relative_to(self.base):
            return False
        if now == recorded[:2]:
            return True
        if len(recorded) < 3 or now[0] != recorded[0] or _sha256(target) != recorded[2]:
            return False
        recorded[1] = now[1]  # the same bytes with a new time: check by time again next build
        self.changed = True
        return True

    def fetched(self, spec: Path) -> tuple[Fetched, ...]:
        """The connections the spec read at its last build, and when."""
        entry = self.entries.get(self._name(spec))
        return fetched_from_stored(entry.fetched, self.base) if entry is not None else ()

    def up_to_date(self, spec: Path, fingerprint_text: str | Callable[[], str], *, refresh: bool = False) -> bool:
        """``refresh``: a spec that read a connection is not (``--refresh``). ``fingerprint_text``
        may be a function, called only for a spec the manifest knows: a first build into a fresh
        folder then does not wait for the code hash (40-110 ms) before it starts loading."""
        entry = self.entries.get(self._name(spec))
        if entry is None or not entry.key:
            return False
        fetched = fetched_from_stored(entry.fetched, self.base)
        if fetched and (refresh or expired(fetched)):
            return False  # fetch the connection's data again: asked to, or its refresh period passed
        if not all(self._unchanged(rel, recorded) for rel, recorded in entry.outputs.items()):
            return False  # an output was deleted or changed by hand
        inputs = [str(_from_stored(name, self.base)) for name in entry.inputs]
        text = fingerprint_text if isinstance(fingerprint_text, str) else fingerprint_text()
        return spec_key(inputs, fetched, text, self.base) == entry.key

    def notes(self, spec: Path) -> tuple[Diagnostic, ...]:
        """The notes recorded with the spec's outputs (shown again when it is up to date)."""
        entry = self.entries.get(self._name(spec))
        found = (_note(n, self.base) for n in entry.notes) if entry is not None else ()
        return tuple(n for n in found if n is not None)

    def record(self, spec: Path, inputs: list[str], outputs: list[Path], fingerprint_text: str,
               key: str | None = None, notes: tuple[Diagnostic, ...] = (),
               fetched: tuple[Fetched, ...] = ()) -> list[Path]:
        """``inputs``: absolute paths; ``key``: the inputs' hash taken when they were read (default:
        hash them now); ``notes``: what loading the spec noted; ``fetched``: the connections read.

        Outputs the spec no longer produces (its formats shrank) are deleted, if they are still
        as chartspec wrote them; returns the files removed.
        """
        stats = {p.relative_to(self.out).as_posix(): [*(_stat(p) or [-1, -1]), _sha256(p) or ""] for p in outputs}
        name = self._name(spec)
        old = self.entries.get(name)
        removed = self._remove_outputs(old, keep=set(stats)) if old is not None else []
        key = key or spec_key(inputs, fetched, fingerprint_text, self.base)
        if key is None:
            self.entries.pop(name, None)
        else:
            self.entries[name] = Entry(key=key, inputs=[stored_name(i, self.base) for i in inputs], outputs=stats,
                                       notes=[_note_record(n, self.base) for n in notes],
                                       fetched=fetched_to_stored(fetched, self.base))
        self.changed = True
        return removed

    def _remove_outputs(self, entry: Entry, keep: set[str] = frozenset()) -> list[Path]:  # type: ignore[assignment]
        """Delete ``entry``'s outputs (but those in ``keep``) that nobody changed since they were written."""
        removed: list[Path] = []
        for rel, recorded in entry.outputs.items():
            target = self.out / rel
            if rel in keep or not self._unchanged(rel, recorded):
                continue
            target.unlink()
            removed.append(target)
            _prune_empty_dirs(target.parent, self.out)
        return removed

    def wrote(self, rel: str) -> bool:
        """Is ``rel`` (relative to the output folder) a file an earlier build wrote, unchanged since?"""
        return any(rel in entry.outputs and self._unchanged(rel, entry.outputs[rel]) for entry in self.entries.values())

    def invalidate(self, spec: Path) -> None:
        """The spec failed: rebuild it next time, but keep tracking its old outputs."""
        entry = self.entries.get(self._name(spec))
        if entry is not None and entry.key:
            entry.key = ""
            self.changed = True

    def remove_deleted_specs(self, keep: list[Path] = ()) -> list[Path]:  # type: ignore[assignment]
        """Delete the outputs of specs that no longer exist, but those in ``keep`` (outputs the
        build is about to write again); returns the files removed."""
        kept = {p.relative_to(self.out).as_posix() for p in keep}
        removed: list[Path] = []
        for spec, entry in list(self.entries.items()):
            if _from_stored(spec, self.base).exists():
                continue
            removed += self._remove_outputs(entry, keep=kept)
            del self.entries[spec]
            self.changed = True
        return removed

    def checkpoint(self) -> None:
        """Save after a spec finished, so a killed build keeps the record of what it built; in a
        very large project, at most as often as keeps saving to about a tenth of the time."""
        if self.changed and (len(self.entries) < _THROTTLE_FROM or time.monotonic() >= self._next_save):
            self.save()

    def save_if_changed(self) -> None:
        if self.changed:
            self.save()

    def save(self) -> None:
        from ..render.atomic import write_atomic

        started = time.monotonic()
        data = {"format": _FORMAT_VERSION,
                "specs": {spec: {k: v for k, v in vars(entry).items() if v or k != "fetched"}
                          for spec, entry in sorted(self.entries.items())}}
        write_atomic(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())
        self.changed = False
        self._next_save = time.monotonic() + 9 * (time.monotonic() - started)


def _prune_empty_dirs(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent
