"""Vendor the Vega libraries chartspec's HTML pages run, from npm, into chartspec/render/vendor/.

    python tools/vendor_vega.py                       # the pinned versions below
    python tools/vendor_vega.py --vega 6.4.0 --vega-lite 6.4.1 --vega-embed 7.3.0

For each package, ``npm pack`` fetches the published tarball (npm checks it against the
registry's integrity hash); the prebuilt minified UMD file and the LICENSE are copied out of it
byte for byte, and ``vendor.json`` records versions, sha256 and SRI hashes. A vega build with a
known advisory (chartspec.render.vegajs.ADVISORIES) is refused. This is the only step that needs
npm or the network: builds and tests read the vendored files. Commit the folder's changes.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from chartspec.render.vegajs import MANIFEST, PACKAGES, VENDOR_DIR, audit

# vega: newest 6.x, past both 2025 advisories. vega-lite: the 6.4 line chartspec compiles for
# (VEGA_LITE_VERSION), the patch vl-convert renders SVG/PNG/PDF with, so pages and images agree.
# vega-embed: newest 7.x.
PINNED = {"vega": "6.4.0", "vega-lite": "6.4.1", "vega-embed": "7.3.0"}
BUILD_FILE = {"vega": "build/vega.min.js", "vega-lite": "build/vega-lite.min.js",
              "vega-embed": "build/vega-embed.min.js"}


class VendorError(Exception):
    pass


def npm_pack(npm: str, package: str, version: str, into: Path) -> tuple[Path, str]:
    """The tarball of ``package@version`` and npm's integrity hash of it."""
    proc = subprocess.run([npm, "pack", f"{package}@{version}", "--json", "--pack-destination", str(into)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        raise VendorError(f"npm pack {package}@{version} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    try:
        (info,) = json.loads(proc.stdout)
        name, got, filename, integrity = info["name"], info["version"], info["filename"], info["integrity"]
    except (ValueError, KeyError, TypeError) as err:
        raise VendorError(f"npm pack {package}@{version} printed no usable --json answer: {err}") from err
    if (name, got) != (package, version):
        raise VendorError(f"asked npm for {package}@{version}, got {name}@{got}")
    tarball = into / Path(filename).name
    if not tarball.is_file():
        raise VendorError(f"npm pack {package}@{version} wrote no {tarball.name}")
    return tarball, integrity


def members(tarball: Path, wanted: dict[str, str]) -> dict[str, bytes]:
    """The bytes of the named files (``key -> path in the package``), read without extracting."""
    found: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for key, path in wanted.items():
            try:
                member = tar.getmember(f"package/{path}")
            except KeyError:
                raise VendorError(f"{tarball.name} has no {path}") from None
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                raise VendorError(f"{tarball.name}: {path} is not a regular file")
            found[key] = handle.read()
    return found


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def vendor(versions: dict[str, str], dest: Path, npm: str = "npm") -> dict:
    """Fetch, check and write the three libraries and the manifest; the manifest written."""
    files: dict[str, bytes] = {}
    scripts = []
    with tempfile.TemporaryDirectory() as tmp:
        for package in PACKAGES:
            version = versions[package]
            tarball, npm_integrity = npm_pack(npm, package, version, Path(tmp))
            got = members(tarball, {"script": BUILD_FILE[package], "license": "LICENSE"})
            try:
                text = got["script"].decode("utf-8")
            except UnicodeDecodeError as err:
                raise VendorError(f"{package}@{version}: {BUILD_FILE[package]} is not UTF-8") from err
            if problems := audit(package, text):
                raise VendorError("refusing a build with a known advisory:\n  " + "\n  ".join(problems))
            name, licence = Path(BUILD_FILE[package]).name, f"{package}.LICENSE.txt"
            files[name], files[licence] = got["script"], got["license"]
            scripts.append({"package": package, "version": version, "file": name, "path": BUILD_FILE[package],
                            "license": licence, "sha256": hashlib.sha256(got["script"]).hexdigest(),
                            "integrity": sri(got["script"]), "npm_integrity": npm_integrity})
    manifest = {"comment": "written by tools/vendor_vega.py; do not edit by hand", "scripts": scripts}
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (dest / name).write_bytes(data)
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for stale in [*dest.glob("*.min.js"), *dest.glob("*.LICENSE.txt")]:
        if stale.name not in files:
            stale.unlink()
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for package, version in PINNED.items():
        parser.add_argument(f"--{package}", default=version, metavar="VERSION", help=f"default {version}")
    parser.add_argument("--dest", type=Path, default=VENDOR_DIR, help="default: chartspec/render/vendor")
    parser.add_argument("--npm", default="npm", help="the npm executable")
    args = parser.parse_args(argv)
    versions = {package: getattr(args, package.replace("-", "_")) for package in PACKAGES}
    try:
        manifest = vendor(versions, args.dest, args.npm)
    except (VendorError, OSError, subprocess.TimeoutExpired, tarfile.TarError) as err:
        print(f"vendor_vega: error: {err}", file=sys.stderr)
        return 1
    for s in manifest["scripts"]:
        print(f"{s['package']}@{s['version']}  {s['file']}  {(args.dest / s['file']).stat().st_size:,} bytes  "
              f"{s['integrity']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
