"""tools/vendor_vega.py, with a stand-in for npm: no registry, no network.

The stand-in ``npm pack`` packs tarballs from files the test chooses: the shipped files (re-vendoring
them must reproduce the vendor folder byte for byte), an old or unfixed vega, a tarball whose file
is a symlink or whose names climb out of the folder, npm answering another version than asked.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import REPO

from chartspec.render.vegajs import MANIFEST, VENDOR_DIR, load_manifest

SCRIPT = REPO / "tools" / "vendor_vega.py"

# npm pack PKG@VER --json --pack-destination DIR, answered from FAKE_NPM_PLAN:
# {"PKG@VER": {"tar": "path of a ready tarball", "answer": "name@version to claim"}}
FAKE_NPM = """import json, os, shutil, sys
args = sys.argv[1:]
assert args[0] == "pack" and "--json" in args, args
spec, dest = args[1], args[args.index("--pack-destination") + 1]
plan = json.load(open(os.environ["FAKE_NPM_PLAN"]))
if spec not in plan:
    print(f"npm error 404 {spec} is not in this registry", file=sys.stderr)
    sys.exit(1)
entry = plan[spec]
name, _, version = entry["answer"].rpartition("@")
filename = name + "-" + version + ".tgz"
shutil.copy(entry["tar"], os.path.join(dest, filename))
print(json.dumps([{"name": name, "version": version, "filename": filename, "integrity": "sha512-fake"}]))
"""


def tarball(path: Path, files: dict[str, bytes], *, symlink: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        if symlink is not None:
            info = tarfile.TarInfo(symlink)
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
            tar.addfile(info)
    return path


def shipped_tarball(tmp: Path, package: str, *, script: bytes | None = None, extra: dict[str, bytes] | None = None,
                    symlink: bool = False) -> Path:
    """A tarball like npm's for ``package``, holding the shipped build (or ``script``) and licence."""
    data = (VENDOR_DIR / f"{package}.min.js").read_bytes() if script is None else script
    files = {"package/LICENSE": (VENDOR_DIR / f"{package}.LICENSE.txt").read_bytes(),
             "package/package.json": json.dumps({"name": package}).encode(), **(extra or {})}
    if not symlink:
        files[f"package/build/{package}.min.js"] = data
    return tarball(tmp / f"{package}-src.tgz", files, symlink=f"package/build/{package}.min.js" if symlink else None)


def versions() -> dict[str, str]:
    return {s.package: s.version for s in load_manifest()}


def run(tmp: Path, plan: dict[str, dict[str, str]], dest: Path, *args: str) -> subprocess.CompletedProcess[str]:
    npm = tmp / "npm"
    npm.write_text(f"#!{sys.executable}\n{FAKE_NPM}", encoding="utf-8")
    npm.chmod(0o755)
    (tmp / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    env = {**os.environ, "FAKE_NPM_PLAN": str(tmp / "plan.json"), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, str(SCRIPT), "--npm", str(npm), "--dest", str(dest), *args],
                          capture_output=True, text=True, timeout=120, env=env)


def good_plan(tmp: Path, **override: Path) -> dict[str, dict[str, str]]:
    plan = {}
    for package, version in versions().items():
        tar = override.get(package.replace("-", "_")) or shipped_tarball(tmp, package)
        plan[f"{package}@{version}"] = {"tar": str(tar), "answer": f"{package}@{version}"}
    return plan


def version_args() -> list[str]:
    return [arg for package, version in versions().items() for arg in (f"--{package}", version)]


def test_re_vendoring_the_shipped_versions_reproduces_the_folder(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    proc = run(tmp_path, good_plan(tmp_path), dest, *version_args())
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in VENDOR_DIR.iterdir())
    for path in VENDOR_DIR.iterdir():
        if path.name != MANIFEST:
            assert (dest / path.name).read_bytes() == path.read_bytes(), path.name
    written, shipped = (json.loads((folder / MANIFEST).read_text(encoding="utf-8")) for folder in (dest, VENDOR_DIR))
    for entry in [*written["scripts"], *shipped["scripts"]]:
        entry.pop("npm_integrity")  # the stand-in's tarballs are not npm's
    assert written == shipped
    assert load_manifest(dest) == load_manifest()
    for s in load_manifest():
        assert f"{s.package}@{s.version}" in proc.stdout and s.integrity in proc.stdout


def test_the_pinned_defaults_are_the_shipped_versions(tmp_path: Path) -> None:
    """Running the script without arguments must not silently move to other versions."""
    dest = tmp_path / "out"
    assert run(tmp_path, good_plan(tmp_path), dest).returncode == 0
    assert load_manifest(dest) == load_manifest()


@pytest.mark.parametrize("version", ["6.2.0", "6.3.0"])
def test_a_vega_with_an_advisory_is_refused_and_nothing_is_written(tmp_path: Path, version: str) -> None:
    text = (VENDOR_DIR / "vega.min.js").read_bytes()
    old = text.replace(b'.version="6.4.0"', f'.version="{version}"'.encode())
    assert old != text
    dest = tmp_path / "out"
    plan = good_plan(tmp_path, vega=shipped_tarball(tmp_path, "vega", script=old))
    plan = {k.replace("vega@6.4.0", f"vega@{version}"): {**v, "answer": v["answer"].replace("6.4.0", version)}
            for k, v in plan.items()}
    proc = run(tmp_path, plan, dest, "--vega", version)
    assert proc.returncode == 1
    assert "refusing a build with a known advisory" in proc.stderr and "CVE-2025-66648" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not dest.exists()


def test_a_vega_without_the_fix_is_refused(tmp_path: Path) -> None:
    unfixed = (VENDOR_DIR / "vega.min.js").read_bytes().replace(
        b"modify parameter must be a data tuple, not a function", b"modify parameter")
    dest = tmp_path / "out"
    proc = run(tmp_path, good_plan(tmp_path, vega=shipped_tarball(tmp_path, "vega", script=unfixed)), dest)
    assert proc.returncode == 1 and "lacks the fix for CVE-2025-66648" in proc.stderr
    assert not dest.exists()


def test_npm_answering_another_version_is_refused(tmp_path: Path) -> None:
    plan = good_plan(tmp_path)
    key = next(k for k in plan if k.startswith("vega-embed@"))
    plan[key]["answer"] = "vega-embed@7.0.2"
    proc = run(tmp_path, plan, tmp_path / "out")
    assert proc.returncode == 1 and f"asked npm for {key}, got vega-embed@7.0.2" in proc.stderr


def test_a_version_npm_does_not_have_is_reported(tmp_path: Path) -> None:
    proc = run(tmp_path, good_plan(tmp_path), tmp_path / "out", "--vega-lite", "6.4.99")
    assert proc.returncode == 1 and "npm pack vega-lite@6.4.99 failed" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_symlinked_build_file_is_refused(tmp_path: Path) -> None:
    plan = good_plan(tmp_path, vega_lite=shipped_tarball(tmp_path, "vega-lite", symlink=True))
    proc = run(tmp_path, plan, tmp_path / "out")
    assert proc.returncode == 1 and "build/vega-lite.min.js is not a regular file" in proc.stderr


def test_names_climbing_out_of_the_tarball_are_never_written(tmp_path: Path) -> None:
    """Only the two named members are read, into memory: nothing else in the tarball lands on disk."""
    evil = {"package/../../escaped.txt": b"x", "/tmp/absolute-escape.txt": b"x", "package/build/../../up.txt": b"x"}
    plan = good_plan(tmp_path, vega_embed=shipped_tarball(tmp_path, "vega-embed", extra=evil))
    dest = tmp_path / "deep" / "out"
    proc = run(tmp_path, plan, dest)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "deep" / "up.txt").exists()
    assert sorted(p.name for p in dest.iterdir()) == sorted(p.name for p in VENDOR_DIR.iterdir())


def test_stale_files_of_an_earlier_vendoring_are_removed(tmp_path: Path) -> None:
    dest = tmp_path / "out"
    dest.mkdir()
    (dest / "vega-tooltip.min.js").write_text("old", encoding="utf-8")
    (dest / "vega-tooltip.LICENSE.txt").write_text("old", encoding="utf-8")
    (dest / "README.keep").write_text("not ours", encoding="utf-8")
    assert run(tmp_path, good_plan(tmp_path), dest).returncode == 0
    assert not (dest / "vega-tooltip.min.js").exists() and not (dest / "vega-tooltip.LICENSE.txt").exists()
    assert (dest / "README.keep").exists()
