"""What every rendered output depends on besides its inputs: library versions and chartspec's own code.

The build cache and the docs integrations' caches key on :func:`library_versions`, so upgrading
vl-convert, editing chartspec or vendoring other Vega libraries for pages re-renders what it must.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

from ..errors import ExportError

_AHEAD: list[threading.Thread] = []


def versions_ahead() -> None:
    """Start :func:`library_versions` in a thread (once): a build calls it before it loads a spec,
    whose engine work leaves the interpreter free meanwhile; reading and hashing chartspec's code
    is 40-110 ms a cold build would otherwise wait for after the data is read."""
    if not _AHEAD:
        _AHEAD.append(threading.Thread(target=_library_versions, name="chartspec-versions", daemon=True))
        _AHEAD[0].start()


def library_versions() -> dict[str, str]:
    """chartspec's version and code hash, vl-convert's and Vega-Lite's versions, the page scripts'."""
    if _AHEAD and _AHEAD[0] is not threading.current_thread():
        _AHEAD[0].join()  # started ahead: its result is cached when it ends
    return _library_versions()


@cache
def _library_versions() -> dict[str, str]:
    from ..compiler.common import VEGA_LITE_VERSION
    from ..version import __version__

    return {"chartspec": __version__, "vl-convert": _distribution_version("vl_convert", "vl_convert_python"),
            "vega-lite": VEGA_LITE_VERSION, "code": code_hash(), "page-scripts": page_scripts()}


def _distribution_version(module: str, distribution: str) -> str:
    """The installed version of ``distribution``, from the ``.dist-info`` beside ``module`` (one
    folder listing; importlib.metadata scans every path entry: 30-70 ms), else importlib.metadata."""
    from importlib.util import find_spec

    found = find_spec(module)
    if found is not None and found.origin:
        site = Path(found.origin).resolve().parents[1]
        for info in sorted(site.glob(f"{distribution}-*.dist-info")):
            for line in (info / "METADATA").read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution.replace("_", "-"))
    except PackageNotFoundError:  # pragma: no cover - it is a required dependency
        return "unknown"


def page_scripts() -> str:
    """The Vega libraries pages load, with the digest in the bundle's name: pages name the bundle
    (or the CDN files), so a cached page must not outlive a change of them. Only ``*.py`` files
    count in :func:`code_hash`, so the vendored files need their own entry."""
    from .vegajs import bundle_digest, vendored

    try:
        return " ".join(f"{s.package}@{s.version}" for s in vendored()) + f" {bundle_digest()[:16]}"
    except ExportError:
        return "unavailable"  # reported where a page needs them; SVG, PNG and PDF do not


@cache
def code_hash() -> str:
    """sha256 of chartspec's modules and its schema, by path relative to the package.

    An editable install keeps its version while its code changes: without this, a build after a
    change to the compiler would call every output up to date. Contents and relative paths only,
    so the hash (and the outputs' manifest) is the same on every machine.
    """
    import hashlib  # here: validate never hashes, and _hashlib loads OpenSSL

    from ..spec.schema import schema_text

    digest = hashlib.sha256(tree_hash(Path(__file__).resolve().parents[1]).encode())
    digest.update(schema_text().encode())
    return digest.hexdigest()


def tree_hash(folder: Path) -> str:
    """sha256 of the ``*.py`` files below ``folder``: their paths relative to it and their bytes."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py"), key=lambda p: p.relative_to(folder).as_posix()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()
