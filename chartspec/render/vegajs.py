"""The Vega libraries chartspec's HTML pages run: vendored builds, their manifest, their advisories.

Pages do not use vl-convert's JavaScript bundle: vl-convert 1.9 ships a Vega (6.2.0) with
published advisories, and upgrading the renderer is a separate decision. Instead the prebuilt,
minified UMD files of vega, vega-lite and vega-embed sit in ``vendor/`` exactly as npm published
them, with their licences and ``vendor.json``: versions, sha256 and the Subresource Integrity
hash of each file. ``tools/vendor_vega.py`` (npm, run by hand) is the only thing that writes
them; building pages reads them and nothing else, so builds stay offline and deterministic.

:data:`ADVISORIES` lists what is known to be wrong with older builds; :func:`audit` checks a
file's own version string and the text only the fixed code holds. The vendoring script refuses
a build that fails it and the tests check the shipped files with it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ..errors import ExportError

__all__ = [
    "ADVISORIES",
    "MANIFEST",
    "PACKAGES",
    "VENDOR_DIR",
    "Advisory",
    "VendoredScript",
    "audit",
    "bundle_digest",
    "bundle_text",
    "embedded_version",
    "load_manifest",
    "read_script",
    "vendored",
]

VENDOR_DIR = Path(__file__).resolve().with_name("vendor")
MANIFEST = "vendor.json"
#: the order pages load them in: vega-lite needs the global ``vega``, vega-embed both
PACKAGES = ("vega", "vega-lite", "vega-embed")
_REINSTALL = "reinstall chartspec; in a source checkout, run 'python tools/vendor_vega.py'"


@dataclass(frozen=True)
class VendoredScript:
    package: str
    version: str
    file: str       # its name in vendor/
    path: str       # its path in the npm package (and on jsDelivr)
    license: str    # the licence's file name in vendor/
    sha256: str
    integrity: str  # "sha384-...", for <script integrity>

    @property
    def cdn_url(self) -> str:
        # jsDelivr serves the npm tarball's files unchanged, so the SRI of our copy holds there.
        return f"https://cdn.jsdelivr.net/npm/{self.package}@{self.version}/{self.path}"


def load_manifest(folder: Path = VENDOR_DIR) -> tuple[VendoredScript, ...]:
    """The vendored scripts in load order, as ``vendor.json`` records them."""
    where = folder / MANIFEST
    try:
        entries = json.loads(where.read_text(encoding="utf-8"))["scripts"]
        scripts = tuple(VendoredScript(**{k: str(entry[k]) for k in VendoredScript.__dataclass_fields__})
                        for entry in entries)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ExportError(f"the Vega libraries for HTML pages are missing or unreadable ({where}: {err})",
                          hint=_REINSTALL) from err
    if tuple(s.package for s in scripts) != PACKAGES:
        raise ExportError(f"{where} must list {', '.join(PACKAGES)} in that order", hint=_REINSTALL)
    return scripts


@cache
def vendored() -> tuple[VendoredScript, ...]:
    return load_manifest()


def read_script(script: VendoredScript, folder: Path = VENDOR_DIR) -> str:
    """The file's text, refused unless its bytes are the ones the manifest (and so the SRI) names."""
    where = folder / script.file
    try:
        data = where.read_bytes()
    except OSError as err:
        raise ExportError(f"cannot read {where}: {err.strerror}", hint=_REINSTALL) from err
    if hashlib.sha256(data).hexdigest() != script.sha256:
        raise ExportError(f"{where} is not the {script.package} {script.version} that {MANIFEST} names "
                          "(its sha256 differs)", hint=_REINSTALL)
    return data.decode("utf-8")


# The bundle: the three UMD files in one function scope (their top-level names stay private; the
# guard makes a second load a no-op) whose local variables hide a host page's AMD or CommonJS
# loader (a Sphinx or notebook page with require.js), so that each library always sets its
# browser global (vega, vegaLite, vegaEmbed) and vega-embed finds the other two there. The
# pieces are hashed into the file name.
_PREFIX = "(function(){if(window.vegaEmbed)return;var define,exports,module,require;\n"
_SEPARATOR = "\n;\n"
_SUFFIX = "\n}).call(window);\n"
# Inside one file a source map comment would point the browser's tools at a file that is not there.
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=\S*[ \t]*$", re.MULTILINE)


def bundle_text(folder: Path = VENDOR_DIR) -> str:
    """The bundle's text (made once per process from the shipped files: every page and build reuses it)."""
    return _shipped_bundle() if folder == VENDOR_DIR else _bundle(load_manifest(folder), folder)


@cache
def _shipped_bundle() -> str:
    return _bundle(vendored(), VENDOR_DIR)


def _bundle(scripts: tuple[VendoredScript, ...], folder: Path) -> str:
    bodies = [_without_source_maps(read_script(s, folder)).rstrip() for s in scripts]
    return _PREFIX + _SEPARATOR.join(bodies) + _SUFFIX


_MARKER = "//# sourceMappingURL="


def _without_source_maps(text: str) -> str:
    """``text`` with every line :data:`_SOURCE_MAP` matches removed, as ``_SOURCE_MAP.sub("", text)``
    would, but ten times faster: only where ``str.find`` sees the comment is the pattern tried (a
    match starts with it), not at each of the ~800 KB's line starts."""
    pieces, last = [], 0
    at = text.find(_MARKER)
    while at != -1:
        found = _SOURCE_MAP.match(text, at)  # only where the comment is a whole line (^ ... $)
        if found is not None:
            pieces.append(text[last:found.start()])
            last = found.end()
        at = text.find(_MARKER, max(at + 1, last))
    pieces.append(text[last:])
    return "".join(pieces)


def bundle_digest(folder: Path = VENDOR_DIR) -> str:
    """sha256 naming the bundle: the files' hashes and the wrapper, without reading the files."""
    scripts = load_manifest(folder) if folder != VENDOR_DIR else vendored()
    key = json.dumps([[s.package, s.version, s.sha256] for s in scripts] + [_PREFIX, _SEPARATOR, _SUFFIX,
                                                                             _SOURCE_MAP.pattern])
    return hashlib.sha256(key.encode()).hexdigest()


# -- advisories -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Advisory:
    ids: str
    package: str          # the vendored package whose build carries the code
    fixed_in: str         # its first version with the fix
    marker: str | None    # text only the fixed build holds (an error message minifiers keep)
    summary: str


# The Vega 6 entries' fixed_in and markers were read off the builds npm publishes: vega 6.2.0 (what
# vl-convert 1.9 bundles) has neither marker, 6.3.0 only the vega-selections one, 6.3.1 both.
ADVISORIES: tuple[Advisory, ...] = (
    Advisory("CVE-2025-66648 / GHSA-m9rg-mr6g-75gm", "vega", "6.3.1",
             "modify parameter must be a data tuple, not a function",
             "XSS through the internal setdata/modify expression function (vega-functions < 6.1.1)"),
    Advisory("CVE-2025-65110 / GHSA-829q-m3qg-ph8r", "vega", "6.3.0",
             "First argument to selectionTuples must be an array.",
             "XSS through vlSelectionTuples and global function gadgets (vega-selections < 6.1.2)"),
    Advisory("GHSA-963h-3v39-3pqf", "vega", "5.32.0", None,
             "XSS through RegExp.prototype[@@replace] in the expression language (vega-functions < 5.17.0)"),
    Advisory("CVE-2025-26619 / GHSA-rcw3-wmx7-cphr", "vega", "5.31.0", None,
             "XSS through event filters calling unsupported JavaScript functions (vega-functions < 5.16.0)"),
)

# How a build states its own version; only vega's is a stable, exported assignment.
_VERSION = {"vega": re.compile(r"(?<![\w$.])[\w$]+\.version=\"(\d+\.\d+\.\d+)\"")}


def _parse(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def embedded_version(package: str, text: str) -> str | None:
    """The version a build of ``package`` declares, if it declares exactly one."""
    pattern = _VERSION.get(package)
    found = set(pattern.findall(text)) if pattern else set()
    return found.pop() if len(found) == 1 else None


def audit(package: str, text: str, advisories: tuple[Advisory, ...] = ADVISORIES) -> list[str]:
    """Why the build ``text`` of ``package`` is affected by a known advisory; empty if it is not.

    A build whose version cannot be read is refused too: it cannot be shown to be fixed.
    """
    relevant = [a for a in advisories if a.package == package]
    if not relevant:
        return []
    version = embedded_version(package, text)
    if version is None:
        return [f"{package}: the build does not declare one version, so it cannot be checked against "
                + ", ".join(a.ids for a in relevant)]
    problems = []
    for advisory in relevant:
        if _parse(version) < _parse(advisory.fixed_in):
            problems.append(f"{package} {version} is older than {advisory.fixed_in}, the first without "
                            f"{advisory.ids}: {advisory.summary}")
        elif advisory.marker is not None and advisory.marker not in text:
            problems.append(f"{package} {version} lacks the fix for {advisory.ids} "
                            f"(no {advisory.marker!r} in the build): {advisory.summary}")
    return problems
