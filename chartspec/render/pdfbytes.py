"""Byte-stable PDFs: put svg2pdf's output into one canonical object order.

vl-convert writes PDFs with svg2pdf, which keeps the embedded fonts in a Rust ``HashMap``. With more
than one font (Vega's bold titles next to regular labels) the font objects are numbered and
written, and the page's ``/Font`` dictionary listed, in an order that changes from run to run: the
document is the same, its bytes are not. :func:`canonical_pdf` sorts the entries of every innermost
dictionary by name, renumbers the objects in the order a walk from the trailer meets them, writes
them in that order and rebuilds the cross-reference table, so the same chart always gives the same
bytes. Input it does not recognise (not svg2pdf's plain layout) is returned unchanged.
"""

from __future__ import annotations

import re

__all__ = ["canonical_pdf"]

_OBJ = re.compile(rb"(\d+) (\d+) obj\n")
_BODY_END = re.compile(rb"\nstream\n|\nendobj")
_LENGTH = re.compile(rb"/Length (\d+)\s")
_REF = re.compile(rb"(?<![\d.])(\d+) 0 R(?![\w])")
_INNER_DICT = re.compile(rb"<<([^<>]*)>>")
_TRAILER = re.compile(rb"\s*xref\n.*?trailer\n(<<.*?>>)\nstartxref\n\d+\n%%EOF\s*$", re.S)


class _Unsupported(Exception):
    pass


def canonical_pdf(data: bytes) -> bytes:
    """``data`` with its objects in a canonical order (or unchanged if the layout is unfamiliar)."""
    try:
        return _canonical(data)
    except _Unsupported:
        return data


def _sort_entries(match: re.Match[bytes]) -> bytes:
    lines = match.group(1).split(b"\n")
    entries = [line for line in lines if line.strip()]
    multiline = len(lines) >= 2 and not lines[0].strip() and not lines[-1].strip()
    if not multiline or not entries or not all(line.lstrip().startswith(b"/") for line in entries):
        return match.group(0)
    indent = lines[-1]  # whitespace before the closing >>
    body = b"\n".join(sorted(entries, key=lambda line: line.split()[0]))
    return b"<<\n" + body + b"\n" + indent + b">>"


def _canonical(data: bytes) -> bytes:
    first = _OBJ.search(data)
    if not data.startswith(b"%PDF-") or first is None:
        raise _Unsupported
    header, pos = data[:first.start()], first.start()
    dicts: dict[int, bytes] = {}
    streams: dict[int, bytes] = {}
    while m := _OBJ.match(data, pos):
        number, generation = int(m.group(1)), int(m.group(2))
        if generation != 0 or number in dicts:
            raise _Unsupported
        end = _BODY_END.search(data, m.end())
        if end is None:
            raise _Unsupported
        dicts[number] = _INNER_DICT.sub(_sort_entries, data[m.end():end.start()])
        if end.group(0) == b"\nstream\n":
            length = _LENGTH.search(dicts[number])
            if length is None:
                raise _Unsupported
            stop = end.end() + int(length.group(1))
            if data[stop:stop + 17] != b"\nendstream\nendobj":
                raise _Unsupported
            streams[number] = data[end.end():stop]
            pos = stop + 17
        else:
            pos = end.end()
        while data[pos:pos + 1] in (b"\n", b"\r", b" "):
            pos += 1
    trailer = _TRAILER.match(data, pos)
    if trailer is None or sorted(dicts) != list(range(1, len(dicts) + 1)):
        raise _Unsupported

    # Number the objects in the order a depth-first walk from the trailer reaches them.
    order: dict[int, int] = {}

    def visit(text: bytes) -> None:
        for ref in _REF.finditer(text):
            old = int(ref.group(1))
            if old not in dicts:
                raise _Unsupported
            if old not in order:
                order[old] = len(order) + 1
                visit(dicts[old])

    visit(trailer.group(1))
    for old in sorted(dicts):  # anything the walk missed keeps its relative order, at the end
        order.setdefault(old, len(order) + 1)

    def renumber(text: bytes) -> bytes:
        return _REF.sub(lambda ref: b"%d 0 R" % order[int(ref.group(1))], text)

    out = bytearray(header)
    offsets: dict[int, int] = {}
    for old, new in sorted(order.items(), key=lambda item: item[1]):
        offsets[new] = len(out)
        out += b"%d 0 obj\n" % new + renumber(dicts[old])
        if old in streams:
            out += b"\nstream\n" + streams[old] + b"\nendstream"
        out += b"\nendobj\n\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(order) + 1)
    out += b"".join(b"%010d 00000 n\r\n" % offsets[n] for n in range(1, len(order) + 1))
    trailer_dict = re.sub(rb"/Size \d+", b"/Size %d" % (len(order) + 1), renumber(trailer.group(1)))
    out += b"trailer\n" + trailer_dict + b"\nstartxref\n%d\n%%%%EOF" % xref
    return bytes(out)
