"""The pixel size of an image, read from its header without decoding it.

A 4 MB PNG can claim 32,000 x 32,000 pixels and decompress to 4 GB when the renderer draws it, so
the compiler refuses images over the chart pixel limit (compiler/safety.py, compiler/limits.py)
before anything decodes them. Formats: PNG (IHDR), GIF (logical screen), JPEG (SOFn), WebP
(VP8, VP8L, VP8X) and SVG (``width``/``height`` in px, or the ``viewBox``, when written simply).
"""

from __future__ import annotations

import re
import struct

__all__ = ["image_size"]

_SOF = {*range(0xC0, 0xD0)} - {0xC4, 0xC8, 0xCC}  # frame headers; C4/C8/CC are other segments
_STANDALONE = {0x01, *range(0xD0, 0xD8)}  # markers without a length


def _png(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _gif(data: bytes) -> tuple[int, int] | None:
    return struct.unpack("<HH", data[6:10]) if len(data) >= 10 else None


def _jpeg(data: bytes) -> tuple[int, int] | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, or the scan started without a frame header
            return None
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in _SOF:
            if at + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    return None


def _webp(data: bytes) -> tuple[int, int] | None:
    kind, body = data[12:16], data[20:30]
    if kind == b"VP8 " and len(body) == 10 and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return width & 0x3FFF, height & 0x3FFF
    if kind == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8X" and len(body) == 10:
        return int.from_bytes(body[4:7], "little") + 1, int.from_bytes(body[7:10], "little") + 1
    return None


_SVG_TAG = re.compile(rb"<svg\b([^>]*)>", re.IGNORECASE)
_NUMBER = r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*"


def _svg(data: bytes) -> tuple[int, int] | None:
    tag = _SVG_TAG.search(data)
    if tag is None:
        return None
    attrs = tag.group(1).decode("utf-8", errors="replace")

    def attr(name: str) -> str | None:
        found = re.search(rf"""(?<![\w:-]){name}\s*=\s*["']([^"']*)["']""", attrs, re.IGNORECASE)
        return found.group(1) if found else None

    sizes = [re.fullmatch(_NUMBER + r"(?:px)?\s*", attr(n) or "") for n in ("width", "height")]
    if sizes[0] and sizes[1]:
        return round(float(sizes[0].group(1))), round(float(sizes[1].group(1)))
    box = re.fullmatch(r"\s*" + r"[\s,]+".join([r"(-?[0-9.eE+-]+)"] * 4) + r"\s*", attr("viewBox") or "")
    try:
        return (round(float(box.group(3))), round(float(box.group(4)))) if box else None
    except (ValueError, OverflowError):
        return None


_READERS = {"image/png": _png, "image/gif": _gif, "image/jpeg": _jpeg, "image/webp": _webp, "image/svg+xml": _svg}


def image_size(data: bytes, mime: str) -> tuple[int, int] | None:
    """(width, height) in pixels as the image's header says, or None when it cannot be read."""
    reader = _READERS.get(mime)
    try:
        return reader(data) if reader else None
    except (struct.error, ValueError, OverflowError):
        return None
