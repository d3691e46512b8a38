"""Images and links in Vega-Lite: where a specification names an address, and reading local images.

A build never uses the network and reads only files of the project. Vega-Lite names addresses in
a few places: the ``url`` of image marks (a value, a mark property, or a data field whose rows
hold the addresses), ``href`` links, and ``data: {url}``. :func:`url_spots` finds them all (the
compiler checks them, compiler/safety.py); :func:`with_images` reads the images a spec draws
from files of its project and keeps them as ``data:`` URLs, so the chart carries its pictures
and nothing is fetched when it renders (and the image files count as inputs of the build).
"""

from __future__ import annotations

import base64
import binascii
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from ..errors import JsonPath
from ..spec.files import project_shown
from .loaded import ConcatSpec, LocalImages, Spec

__all__ = ["MAX_IMAGE_BYTES", "Spot", "data_image", "data_image_problem", "field_path", "field_value", "inline_rows",
           "is_local_path", "url_spots", "with_images"]

#: an image file larger than this is refused (it is inlined into every output)
MAX_IMAGE_BYTES = 8 * 1024 * 1024
#: what an image file may be, by suffix; its first bytes must agree
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp", ".svg": "image/svg+xml"}
_MAGIC = {"image/png": (b"\x89PNG\r\n\x1a\n",), "image/jpeg": (b"\xff\xd8\xff",), "image/gif": (b"GIF87a", b"GIF89a")}
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DATA_URL = re.compile(r"^data:([^,;]*)((?:;[^,;]*)*),(.*)$", re.IGNORECASE | re.DOTALL)

#: what makes an SVG more than a picture: elements that run or embed, event handlers, sources
_SVG_ACTIVE = re.compile(r"(<(?:script|foreignobject|iframe|embed|object|audio|video|handler|listener)\b)"
                         r"|[\s\"'/](on[a-z]+)\s*=|[\s\"'/](src)\s*=")

Kind = Literal["image", "href", "data"]


@dataclass(frozen=True)
class Spot:
    """A place of a Vega-Lite specification that names an address."""

    path: JsonPath  # of the value, or of the channel definition naming ``field``
    kind: Kind  # an image to draw, a link to follow, or data to read
    value: str | None = None  # the address written there
    field: str | None = None  # or the data field whose rows hold the addresses


def url_spots(vl: Any, path: JsonPath = (), parent: str | int | None = None) -> Iterator[Spot]:
    """Every address ``vl`` names, at any depth (layers, concat items, facets, config)."""
    if isinstance(vl, list):
        for index, item in enumerate(vl):
            yield from url_spots(item, path + (index,), parent)
        return
    if not isinstance(vl, dict):
        return
    if parent == "encoding":  # the url and href channels
        for channel, kind in (("url", "image"), ("href", "href")):
            if channel in vl:
                yield from _channel(vl[channel], path + (channel,), kind)
    elif parent == "data" and isinstance(vl.get("url"), str):
        yield Spot(path + ("url",), "data", value=vl["url"])
    else:  # a mark definition or a config block: url and href are properties of marks
        for key, kind in (("url", "image"), ("href", "href")):
            if isinstance(vl.get(key), str):
                yield Spot(path + (key,), kind, value=vl[key])
    for key, value in vl.items():
        # not into rows of data (a column may be called "url"), nor into metadata no renderer reads
        skip = key in ("usermeta", "datasets") or (parent == "data" and key == "values") or \
            (parent == "encoding" and key in ("url", "href"))
        if not skip:
            yield from url_spots(value, path + (key,), key)


def _channel(definition: Any, path: JsonPath, kind: Kind) -> Iterator[Spot]:
    if isinstance(definition, list):  # conditions may be lists
        for index, item in enumerate(definition):
            yield from _channel(item, path + (index,), kind)
        return
    if not isinstance(definition, dict):
        return
    for key in ("value", "datum"):
        if isinstance(definition.get(key), str):
            yield Spot(path + (key,), kind, value=definition[key])
    if isinstance(definition.get("field"), str):
        yield Spot(path, kind, field=definition["field"])
    if "condition" in definition:
        yield from _channel(definition["condition"], path + ("condition",), kind)


def inline_rows(vl: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, list[Any]]]:
    """Every list of inline rows: ``data: {values}`` at any depth and the top-level ``datasets``."""
    if isinstance(vl, dict):
        for key, value in vl.items():
            if key == "data" and isinstance(value, dict) and isinstance(value.get("values"), list):
                yield path + (key, "values"), value["values"]
            elif key == "datasets" and not path and isinstance(value, dict):
                yield from ((path + (key, name), rows) for name, rows in value.items() if isinstance(rows, list))
            elif key != "usermeta":
                yield from inline_rows(value, path + (key,))
    elif isinstance(vl, list):
        for index, item in enumerate(vl):
            yield from inline_rows(item, path + (index,))


def field_path(row: Any, name: str) -> tuple[str, ...]:
    """The keys a Vega-Lite field reads in a row: ``a.b`` is nested, ``a\\.b`` (or a key holding
    the dot) is one name."""
    plain = re.sub(r"\\(.)", r"\1", name)
    if isinstance(row, dict) and plain in row:
        return (plain,)
    return tuple(re.sub(r"\\(.)", r"\1", part) for part in re.split(r"(?<!\\)\.", name))


def field_value(row: Any, name: str) -> Any:
    """The value of a Vega-Lite field in a row, or None."""
    value: Any = row
    for key in field_path(row, name):
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def is_local_path(text: str) -> bool:
    """A path of the file system as opposed to an address with a scheme (``http:``, ``data:``, ...)."""
    return bool(text) and not _SCHEME.match(text) and not text.startswith("//")


# -- data: URLs ------------------------------------------------------------------------------------

def data_image_problem(url: str) -> str | None:
    """Why a ``data:`` URL is not an image chartspec draws, or None when it is one."""
    match = _DATA_URL.match(url)
    if match is None:
        return "is not a well-formed data: URL"
    mime, params, payload = match.group(1).strip().lower(), match.group(2).lower(), match.group(3)
    if mime not in IMAGE_TYPES.values():
        return f"is a data: URL of type {mime or 'text/plain'!r}, not a PNG, JPEG, GIF, WebP or SVG image"
    if mime != "image/svg+xml":
        return None
    try:
        body = base64.b64decode(payload, validate=False) if ";base64" in params else \
            urllib.parse.unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return "is a data: URL whose SVG cannot be decoded"
    return _svg_problem(body)


def data_image(url: str) -> tuple[str, bytes] | None:
    """The type and bytes of a ``data:`` URL of an image, or None when it is not a decodable one."""
    match = _DATA_URL.match(url)
    if match is None:
        return None
    mime, params, payload = match.group(1).strip().lower(), match.group(2).lower(), match.group(3)
    try:
        body = base64.b64decode(payload, validate=False) if ";base64" in params else \
            urllib.parse.unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None
    return (mime, body) if mime in IMAGE_TYPES.values() else None


def _svg_problem(body: bytes) -> str | None:
    """An SVG image may refer to other files and addresses, which a renderer would fetch, or carry
    script and embedded HTML, which a page opened from the output might run: refuse it then."""
    text = body.decode("utf-8", errors="replace").lower()
    if "<svg" not in text:
        return "is not an SVG image"
    if (active := _SVG_ACTIVE.search(text)) is not None:
        found = active.group(1) or active.group(2) or active.group(3)
        return f"is an SVG image with script or embedded content ({found.strip()!r})"
    refs = re.findall(r"""(?:href\s*=\s*["']([^"']*)|url\(\s*["']?([^)"']*))""", text)
    if any(not (href or url).strip().startswith("#") for href, url in refs) or re.search(r"<!entity|@import", text):
        return "is an SVG image that refers to other files or addresses"
    return None


def _file_problem(data: bytes, mime: str) -> str | None:
    if mime == "image/svg+xml":
        return _svg_problem(data)
    if mime == "image/webp":
        return None if data[:4] == b"RIFF" and data[8:12] == b"WEBP" else "is not a WebP image"
    return None if data.startswith(_MAGIC[mime]) else f"is not a {mime.split('/')[1].upper()} image"


# -- reading the images of a spec ------------------------------------------------------------------

def with_images(spec: Spec, root: Path | None) -> Spec:
    """``spec`` with the images it draws from project files read and inlined (``spec.images``).

    Only what the spec itself writes is read: image addresses in plain Vega-Lite or the
    ``vega_lite:`` patch, and the values of a ``url`` field in the spec's data. What cannot be
    read is recorded with the reason; the compiler reports it where the spec names it."""
    wanted = _wanted(spec)
    if not wanted:
        return spec
    urls, problems, files = dict(spec.images.urls), dict(spec.images.problems), list(spec.images.files)
    for raw in wanted:
        found = _read(raw, spec.path, root)
        if isinstance(found, str):
            problems[raw] = found
        else:
            path, url = found
            urls[raw] = url
            files.append(path)
    return replace(spec, images=LocalImages(urls, problems, tuple(dict.fromkeys(files))))


def _tables(spec: Spec) -> Iterator[tuple[dict[str, Any], ...]]:
    yield spec.table.rows
    yield from (t.rows for t in spec.layer_tables if t is not None)
    if isinstance(spec.model, ConcatSpec):
        for item in spec.model.items:
            yield from _tables(item)


def _wanted(spec: Spec) -> list[str]:
    """The local image paths the spec names, in order, each once."""
    vl = spec.model.vega_lite  # what the spec writes in Vega-Lite: a plain file, or the patch
    if not vl:
        return []
    spots = [s for s in url_spots(vl) if s.kind == "image"]
    names = [s.value for s in spots if s.value is not None]
    fields = {s.field for s in spots if s.field is not None}
    if fields:
        tables = [*_tables(spec), *(rows for _, rows in inline_rows(vl))]
        names += [v for rows in tables for row in rows for f in fields if isinstance(v := field_value(row, f), str)]
    return list(dict.fromkeys(n for n in names if is_local_path(n)))


def _read(raw: str, spec_file: Path | None, root: Path | None) -> tuple[Path, str] | str:
    """The image file ``raw`` names and its ``data:`` URL, or why it cannot be used."""
    if spec_file is None or root is None:
        return "cannot be read: a spec given as text can only use data: URLs for images"
    if Path(raw).is_absolute() or raw.startswith("~"):
        return "is an absolute path: write the path relative to the spec file"
    path = (spec_file.parent / raw).resolve()
    if not path.is_relative_to(root.resolve()):
        return f"leads outside the project (its folder is {project_shown(root, spec_file.parent)!r} relative to the spec)"
    mime = IMAGE_TYPES.get(path.suffix.lower())
    try:
        if not path.is_file():
            return "is not a file"
        if mime is None:
            return f"is not a PNG, JPEG, GIF, WebP or SVG file (by its suffix {path.suffix or 'none'!r})"
        if path.stat().st_size > MAX_IMAGE_BYTES:
            return f"is larger than {MAX_IMAGE_BYTES:,} bytes"
        data = path.read_bytes()
    except OSError as err:
        return f"cannot be read ({err.strerror or err})"
    if (problem := _file_problem(data, mime)) is not None:
        return problem
    return path, f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
