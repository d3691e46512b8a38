"""The Vega libraries HTML pages run: the vendored files themselves, their manifest, their advisories.

The shipped files are read as they are (vega's own version string, the text only fixed builds
hold), checked against the manifest, the CDN hashes and the bundle; hostile copies (an old
version, a build without the fix, tampered bytes, a broken manifest) must be refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
import vl_convert as vlc

from chartspec.compiler.common import VEGA_LITE_VERSION
from chartspec.errors import ExportError
from chartspec.render import html, vegajs
from chartspec.render.vegajs import (
    ADVISORIES,
    MANIFEST,
    PACKAGES,
    VENDOR_DIR,
    audit,
    bundle_digest,
    bundle_text,
    embedded_version,
    load_manifest,
    read_script,
    vendored,
)

VEGA_SETDATA = next(a for a in ADVISORIES if "CVE-2025-66648" in a.ids)
VEGA_SELECTIONS = next(a for a in ADVISORIES if "CVE-2025-65110" in a.ids)


def shipped(package: str) -> str:
    return (VENDOR_DIR / f"{package}.min.js").read_bytes().decode("utf-8")


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(map(int, text.split(".")))


# -- the shipped files ----------------------------------------------------------------------------

def test_the_shipped_vega_declares_its_version_and_has_no_known_advisory() -> None:
    text = shipped("vega")
    version = embedded_version("vega", text)
    assert version is not None and version == next(s.version for s in vendored() if s.package == "vega")
    assert audit("vega", text) == []
    for advisory in ADVISORIES:
        assert version_tuple(version) >= version_tuple(advisory.fixed_in), advisory.ids
        if advisory.marker is not None:
            assert advisory.marker in text, advisory.ids
    # what the issue is about, stated on its own: vega-functions' setdata/modify fix is in
    assert "modify parameter must be a data tuple, not a function" in text


@pytest.mark.parametrize("package", PACKAGES)
def test_every_shipped_file_passes_the_audit(package: str) -> None:
    assert audit(package, shipped(package)) == []


def test_vl_converts_own_bundle_is_the_vulnerable_one_and_the_audit_says_so() -> None:
    """What pages used to ship: vl-convert 1.9's bundle. The audit refuses it, and it holds
    neither fix: had chartspec kept it, this is what the test above would report."""
    old = vlc.javascript_bundle(vl_version=VEGA_LITE_VERSION)
    assert vlc.get_vega_version() == "6.2.0"
    problems = audit("vega", old)
    assert problems and VEGA_SETDATA.ids in problems[0]
    assert VEGA_SETDATA.marker not in old and VEGA_SELECTIONS.marker not in old
    assert html.bundle_js() != old


@pytest.mark.parametrize("old", ["6.2.0", "6.3.0", "5.33.1"])
def test_an_old_vega_version_is_refused(old: str) -> None:
    text = re.sub(r'\.version="\d+\.\d+\.\d+"', f'.version="{old}"', shipped("vega"))
    assert embedded_version("vega", text) == old
    problems = audit("vega", text)
    assert any(VEGA_SETDATA.ids in p and "older than 6.3.1" in p for p in problems), problems


def test_a_new_version_without_the_fix_is_refused() -> None:
    """A build calling itself fixed but without the fixed code (a mislabelled or patched file)."""
    text = shipped("vega").replace(VEGA_SETDATA.marker, "modify parameter")
    (problem,) = audit("vega", text)
    assert VEGA_SETDATA.ids in problem and "lacks the fix" in problem


@pytest.mark.parametrize("hostile", [
    "",                                                       # empty
    'vega.version="6.4.0";vega.version="6.2.0";',             # two versions: which one runs?
    'var version = "6.4.0";',                                 # not the exported assignment
])
def test_a_build_without_one_readable_version_is_refused(hostile: str) -> None:
    text = hostile + VEGA_SETDATA.marker + VEGA_SELECTIONS.marker
    problems = audit("vega", text)
    assert problems and "cannot be checked" in problems[0]


def test_the_advisory_table_is_well_formed() -> None:
    for advisory in ADVISORIES:
        assert advisory.package in PACKAGES
        assert re.fullmatch(r"\d+\.\d+\.\d+", advisory.fixed_in)
        assert re.search(r"(CVE-\d{4}-\d+|GHSA(-[a-z0-9]{4}){3})", advisory.ids)


# -- manifest, hashes, licences, CDN --------------------------------------------------------------

def test_the_manifest_describes_the_bytes_shipped() -> None:
    manifest = json.loads((VENDOR_DIR / MANIFEST).read_text(encoding="utf-8"))
    assert [s["package"] for s in manifest["scripts"]] == list(PACKAGES)
    for script in vendored():
        data = (VENDOR_DIR / script.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == script.sha256
        assert script.integrity == "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()
        assert script.path == f"build/{script.file}"
        licence = (VENDOR_DIR / script.license).read_text(encoding="utf-8")
        assert "University of Washington Interactive Data Lab" in licence
        assert "Redistribution and use in source and binary forms" in licence  # BSD-3-Clause
    # vega-lite is the line the compiler targets
    vega_lite = next(s for s in vendored() if s.package == "vega-lite")
    assert vega_lite.version.startswith(VEGA_LITE_VERSION + ".")


def test_the_vendor_folder_holds_only_what_the_manifest_names() -> None:
    named = {MANIFEST} | {s.file for s in vendored()} | {s.license for s in vendored()}
    assert {p.name for p in VENDOR_DIR.iterdir()} == named


def test_cdn_scripts_are_the_vendored_versions_with_their_hashes() -> None:
    assert html.CDN_SCRIPTS == html.cdn_scripts()
    assert html.CDN_SCRIPTS == tuple(
        (f"https://cdn.jsdelivr.net/npm/{s.package}@{s.version}/build/{s.package}.min.js", s.integrity)
        for s in vendored())


# -- the bundle -----------------------------------------------------------------------------------

def test_the_bundle_is_the_three_files_in_order_without_source_maps() -> None:
    bundle = html.bundle_js()
    positions = []
    for package in PACKAGES:
        body = re.sub(r"^//# sourceMappingURL=\S*$", "", shipped(package), flags=re.MULTILINE).rstrip()
        assert bundle.count(body) == 1, package
        positions.append(bundle.index(body))
    assert positions == sorted(positions)
    assert "sourceMappingURL" not in bundle
    # each library must set its browser global even on a page with an AMD or CommonJS loader
    assert bundle.startswith("(function(){if(window.vegaEmbed)return;var define,exports,module,require;\n")
    assert bundle.endswith("}).call(window);\n")


@pytest.mark.parametrize("text", ["a\n//# sourceMappingURL=x.map\nb", "//# sourceMappingURL=x.map", "no comment",
                                  "x //# sourceMappingURL=y\n//# sourceMappingURL=z  \nq", "//# sourceMappingURL=a b\n",
                                  "\n//# sourceMappingURL=\n//# sourceMappingURL=k\t\n",
                                  "//# sourceMappingURL=a//# sourceMappingURL=b\n"])
def test_source_maps_are_removed_as_the_pattern_says(text: str) -> None:
    """The bundle strips source map comments with str.find (fast), exactly where the pattern matches."""
    assert vegajs._without_source_maps(text) == vegajs._SOURCE_MAP.sub("", text)


@pytest.mark.parametrize("script", vendored(), ids=lambda s: s.package)
def test_source_maps_of_the_shipped_files_are_removed_as_the_pattern_says(script: vegajs.VendoredScript) -> None:
    text = read_script(script)
    assert vegajs._without_source_maps(text) == vegajs._SOURCE_MAP.sub("", text)


def test_an_inline_page_cannot_be_closed_by_the_bundle(monkeypatch: pytest.MonkeyPatch) -> None:
    hostile = 'var a="</script><script>window.__pwned=1</script>",b="</SCRIPT >",c="</ScRiPt";'
    monkeypatch.setattr(html, "bundle_js", lambda: hostile)
    text = html.page({}, chart_id="c", title="t", label="l", options=html.HtmlOptions(bundle="inline"),
                     bundle_href="x.js")
    head = text[text.index("<head>"):text.index("</head>")]
    assert len(re.findall(r"</script", head, flags=re.IGNORECASE)) == 1  # the inline script's own end
    assert "window.__pwned" in head and "<\\/script><script>" in head and "<\\/SCRIPT >" in head


def copy_vendor(tmp_path: Path) -> Path:
    folder = tmp_path / "vendor"
    shutil.copytree(VENDOR_DIR, folder)
    return folder


def rewrite(folder: Path, package: str, data: bytes, version: str) -> None:
    """Replace a vendored file and record it in the manifest, as the vendoring script would."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    entry = next(s for s in manifest["scripts"] if s["package"] == package)
    (folder / entry["file"]).write_bytes(data)
    entry.update(version=version, sha256=hashlib.sha256(data).hexdigest())
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")


def test_the_bundle_name_follows_the_vendored_files(tmp_path: Path) -> None:
    folder = copy_vendor(tmp_path)
    assert bundle_digest(folder) == bundle_digest()
    assert bundle_text(folder) == html.bundle_js()
    assert html.bundle_filename() == f"vega-bundle.{bundle_digest()[:16]}.js"
    embed = (folder / "vega-embed.min.js").read_bytes()
    rewrite(folder, "vega-embed", embed + b"\n", "7.3.0")       # same version, other bytes
    changed_bytes = bundle_digest(folder)
    rewrite(folder, "vega-embed", embed + b"\n", "7.3.1")       # another version
    assert len({bundle_digest(), changed_bytes, bundle_digest(folder)}) == 3
    assert bundle_text(folder).endswith("}).call(window);\n")


def test_the_library_versions_name_the_page_scripts() -> None:
    from chartspec.render.versions import library_versions

    scripts = library_versions()["page-scripts"]
    for s in vendored():
        assert f"{s.package}@{s.version}" in scripts
    assert bundle_digest()[:16] in scripts


def test_a_tampered_file_is_refused(tmp_path: Path) -> None:
    folder = copy_vendor(tmp_path)
    vega = next(s for s in load_manifest(folder) if s.package == "vega")
    (folder / vega.file).write_bytes((folder / vega.file).read_bytes().replace(b"6.4.0", b"6.2.0"))
    with pytest.raises(ExportError, match=r"is not the vega 6\.4\.0 that vendor\.json names") as info:
        bundle_text(folder)
    assert info.value.first.hint and "vendor_vega.py" in info.value.first.hint


@pytest.mark.parametrize("manifest", [
    None,                                                     # missing
    "{not json",
    '{"scripts": [{"package": "vega"}]}',                     # fields missing
    '{"scripts": "vega"}',
    "[]",
])
def test_a_broken_manifest_is_an_export_error(tmp_path: Path, manifest: str | None) -> None:
    folder = copy_vendor(tmp_path)
    if manifest is None:
        (folder / MANIFEST).unlink()
    else:
        (folder / MANIFEST).write_text(manifest, encoding="utf-8")
    with pytest.raises(ExportError, match="missing or unreadable"):
        load_manifest(folder)


def test_a_manifest_in_the_wrong_order_is_refused(tmp_path: Path) -> None:
    folder = copy_vendor(tmp_path)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["scripts"].reverse()  # vega-embed first: it would find no vega global
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ExportError, match="in that order"):
        load_manifest(folder)


def test_a_missing_file_is_an_export_error(tmp_path: Path) -> None:
    folder = copy_vendor(tmp_path)
    (folder / "vega-lite.min.js").unlink()
    with pytest.raises(ExportError, match="cannot read .*vega-lite.min.js"):
        bundle_text(folder)
    # the other files stay readable on their own
    assert read_script(load_manifest(folder)[0], folder).startswith("!function")


def test_the_default_folder_is_the_packaged_one() -> None:
    assert VENDOR_DIR == Path(vegajs.__file__).resolve().parent / "vendor"
