"""Incremental builds: a manifest in the output folder records what each output was made from.

A spec is up to date when the hash of everything its outputs depend on (the spec's bytes, the
bytes of every data and theme file it read, the output formats, scale and build theme, the
versions of chartspec, vl-convert and Vega-Lite, and a hash of chartspec's own code and schema)
equals the recorded one and its outputs are still as written. Only files listed in the manifest
are ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..render.versions import library_versions

__all__ = ["MANIFEST_NAME", "Manifest", "fingerprint", "input_key"]

MANIFEST_NAME = ".chartspec-manifest.json"
_FORMAT_VERSION = 1


def fingerprint(stem: str, formats: tuple[str, ...], scale: float, html: str = "", *,
                theme: str | None = None) -> str:
    """Everything besides input files that changes the outputs (``theme``: the build's theme)."""
    extra = {"theme": theme} if theme is not None else {}  # no theme: the same hash as before themes
    return json.dumps({"versions": library_versions(), "stem": stem, "formats": sorted(formats), "scale": scale,
                       "html": html, **extra}, sort_keys=True)


def input_key(inputs: list[str], fingerprint_text: str) -> str | None:
    """Hash of the fingerprint and every input file; ``None`` if an input is gone.

    An input folder (one a data glob searches) counts by the names it lists, so a new file that
    the glob would match changes the key.
    """
    digest = hashlib.sha256(fingerprint_text.encode())
    for name in inputs:
        try:
            path = Path(name)
            data = "\n".join(sorted(os.listdir(path))).encode() if path.is_dir() else path.read_bytes()
        except OSError:
            return None
        digest.update(f"\0{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _stat(path: Path) -> list[int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


@dataclass
class Entry:
    key: str
    inputs: list[str]
    outputs: dict[str, list[int]]  # output path relative to OUT -> [size, mtime_ns]


def _well_formed(entry: Entry) -> bool:
    """Types as written by :meth:`Manifest.record`, and outputs that stay inside the output folder."""
    return (isinstance(entry.key, str)
            and isinstance(entry.inputs, list) and all(isinstance(i, str) for i in entry.inputs)
            and isinstance(entry.outputs, dict)
            and all(isinstance(rel, str) and not Path(rel).is_absolute() and ".." not in Path(rel).parts
                    and isinstance(stat, list) and all(isinstance(n, int) for n in stat)
                    for rel, stat in entry.outputs.items()))


@dataclass
class Manifest:
    out: Path
    entries: dict[str, Entry] = field(default_factory=dict)

    @property
    def path(self) -> Path:
        return self.out / MANIFEST_NAME

    @classmethod
    def load(cls, out: Path) -> Manifest:
        manifest = cls(out)
        try:
            raw: Any = json.loads(manifest.path.read_text(encoding="utf-8"))
            if raw.get("format") == _FORMAT_VERSION:
                entries = {spec: Entry(**entry) for spec, entry in raw["specs"].items()}
                if all(isinstance(spec, str) and _well_formed(entry) for spec, entry in entries.items()):
                    manifest.entries = entries
        except (OSError, ValueError, TypeError, AttributeError, KeyError):
            pass  # no manifest, or one we cannot read: everything is rebuilt
        return manifest

    def up_to_date(self, spec: Path, fingerprint_text: str) -> bool:
        entry = self.entries.get(str(spec))
        if entry is None:
            return False
        if any(_stat(self.out / rel) != stat for rel, stat in entry.outputs.items()):
            return False  # an output was deleted or changed by hand
        return input_key(entry.inputs, fingerprint_text) == entry.key

    def record(self, spec: Path, inputs: list[str], outputs: list[Path], fingerprint_text: str,
               key: str | None = None) -> list[Path]:
        """``key``: the inputs' hash taken when they were read (default: hash them now).

        Outputs the spec no longer produces (its formats shrank) are deleted, if they are still
        as chartspec wrote them; returns the files removed.
        """
        stats = {str(p.relative_to(self.out)): _stat(p) or [] for p in outputs}
        old = self.entries.get(str(spec))
        removed = self._remove_outputs(old, keep=set(stats)) if old is not None else []
        key = key or input_key(inputs, fingerprint_text)
        if key is None:
            self.entries.pop(str(spec), None)
        else:
            self.entries[str(spec)] = Entry(key=key, inputs=inputs, outputs=stats)
        return removed

    def _remove_outputs(self, entry: Entry, keep: set[str] = frozenset()) -> list[Path]:  # type: ignore[assignment]
        """Delete ``entry``'s outputs (but those in ``keep``) that nobody changed since they were written."""
        removed: list[Path] = []
        for rel, stat in entry.outputs.items():
            target = self.out / rel
            if rel in keep or not target.is_file() or _stat(target) != stat:
                continue
            target.unlink()
            removed.append(target)
            _prune_empty_dirs(target.parent, self.out)
        return removed

    def invalidate(self, spec: Path) -> None:
        """The spec failed: rebuild it next time, but keep tracking its old outputs."""
        entry = self.entries.get(str(spec))
        if entry is not None:
            entry.key = ""

    def remove_deleted_specs(self) -> list[Path]:
        """Delete the outputs of specs that no longer exist; returns the files removed."""
        removed: list[Path] = []
        for spec, entry in list(self.entries.items()):
            if Path(spec).exists():
                continue
            removed += self._remove_outputs(entry)
            del self.entries[spec]
        return removed

    def save(self) -> None:
        from ..render.atomic import write_atomic

        data = {"format": _FORMAT_VERSION,
                "specs": {spec: vars(entry) for spec, entry in sorted(self.entries.items())}}
        write_atomic(self.path, (json.dumps(data, indent=1, sort_keys=True) + "\n").encode())


def _prune_empty_dirs(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_relative_to(stop):
        try:
            os.rmdir(folder)
        except OSError:
            return
        folder = folder.parent
