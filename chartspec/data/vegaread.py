"""A data file of plain Vega-Lite, read as Vega's loader reads it, so that inlining changes nothing.

Vega reads CSV/TSV/DSV text with d3-dsv: every cell is a string (``00501`` stays ``"00501"``, an
empty cell is ``""``), and only ``format.parse`` and the parsing Vega-Lite adds for the encoding
(dates for temporal fields) change types. JSON is taken whole and ``format.property`` picks the
rows; TopoJSON is handed over whole with its ``format`` (``feature`` / ``mesh``), since Vega turns
it into features. chartspec's own rules stay: the file must be inside the project
(:func:`~chartspec.data.table.resolve_data_path`), and no more rows than Vega can draw.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import DataError, JsonPath
from ..spec.files import FileTooLarge, NotRegularFile, not_a_file, read_regular
from ..spec.model import DataSource
from ..spec.source import SourceMap
from .jsonrows import parse_json
from .reduce import max_drawn_rows
from .table import MAX_DATA_BYTES, Table, read_data, resolve_data_path
from .utf8 import decode_utf8

__all__ = ["VEGA_TYPES", "inline_vega_data", "split_access_path"]

#: the format types Vega reads; chartspec also reads JSON Lines and Parquet files (rows, by suffix)
VEGA_TYPES = ("csv", "tsv", "dsv", "json", "topojson")
_DELIMITERS = {"csv": ",", "tsv": "\t"}
#: format keys Vega uses to read a file; once the rows are inline, only the others still apply
_READ_KEYS = {"csv": ("type", "delimiter", "header"), "tsv": ("type", "delimiter", "header"),
              "dsv": ("type", "delimiter", "header"), "json": ("type", "property"), "topojson": ()}


def vega_type(url: str, fmt: dict[str, Any]) -> str:
    """The format Vega-Lite reads ``url`` as: ``format.type``, else the URL's extension, else json."""
    if isinstance(fmt.get("type"), str):
        return str(fmt["type"])
    ext = re.search(r"(?:\.([^.]+))?$", url)
    suffix = ext.group(1) if ext else None
    if suffix in ("jsonl", "ndjson", "parquet", "pq"):  # chartspec's own readers, rows by suffix
        return "rows"
    return suffix if suffix in VEGA_TYPES else "json"


def inline_vega_data(data: dict[str, Any], where: JsonPath, spec_file: Path | None, root: Path | None,
                     source: SourceMap) -> tuple[dict[str, Any], tuple[Path, ...]]:
    """The ``data`` node with its ``url`` replaced by inline ``values`` Vega parses as it would the
    file, and the files read."""
    fmt = dict(data["format"]) if isinstance(data.get("format"), dict) else {}
    url, kind = data["url"], vega_type(data["url"], fmt)
    at = where + ("url",)
    ref = DataSource(path=url, format=None, values=None, json_path=at)
    if kind == "rows":
        table = _rows_table(ref, spec_file, root, source)
        values: Any = [dict(row) for row in table.rows]
        files = table.files
    else:
        if spec_file is None or root is None:
            raise DataError(source.diagnostic("a spec given as text can only use inline 'values'", at,
                                              hint="load the spec from a file to use data files"))
        path = resolve_data_path(ref, spec_file, root, source)
        text, shown = _text(path, url, spec_file, source, at), _shown(url, spec_file, source)
        values, files = _parse(text, kind, fmt, shown, source, where), (path,)
    fmt = {k: v for k, v in fmt.items() if k not in _READ_KEYS.get(kind, ("type",))}
    node = {k: v for k, v in data.items() if k not in ("url", "format")}
    node["values"] = values
    if fmt:
        node["format"] = fmt  # 'parse' still applies to inline values; TopoJSON keeps its whole format
    return node, files


def _rows_table(ref: DataSource, spec_file: Path | None, root: Path | None, source: SourceMap) -> Table:
    from .reduce import whole

    return whole(read_data(replace(ref, format=None), spec_file, root, source), source, ref.json_path)


def _shown(url: str, spec_file: Path, source: SourceMap) -> str:
    """The data file as problems inside it are located: relative to the working folder, like the spec."""
    return os.path.normpath(os.path.join(os.path.dirname(source.file or str(spec_file)), url))


def _text(path: Path, url: str, spec_file: Path, source: SourceMap, at: JsonPath) -> str:
    try:
        raw = read_regular(path, MAX_DATA_BYTES)
    except FileTooLarge:
        raise DataError(source.diagnostic(f"data file {url!r} is larger than {MAX_DATA_BYTES:,} bytes", at)) from None
    except NotRegularFile as err:  # replaced by a pipe or a folder since it was resolved
        raise DataError(source.diagnostic(not_a_file(url, err.kind, "a data file"), at)) from None
    except OSError as err:
        raise DataError(source.diagnostic(f"cannot read data file {url!r}: {err.strerror}", at)) from None
    return decode_utf8(raw, _shown(url, spec_file, source))  # as fetch's text(): UTF-8, a BOM dropped


def _parse(text: str, kind: str, fmt: dict[str, Any], shown: str, source: SourceMap, where: JsonPath) -> Any:
    if kind in _DELIMITERS or kind == "dsv":
        delimiter = _DELIMITERS.get(kind, fmt.get("delimiter"))
        if not isinstance(delimiter, str) or len(delimiter) != 1:
            raise DataError(source.diagnostic("a dsv format needs a 'delimiter' of one character",
                                              where + ("format", "delimiter")))
        header = fmt.get("header")
        if isinstance(header, list):  # the file has no header line: Vega prepends this one
            text = delimiter.join(str(h) for h in header) + "\n" + text
        return dsv_rows(text, delimiter, source, where)
    document = parse_json(text, shown)
    if kind == "json" and isinstance(fmt.get("property"), str):
        return _property(document, fmt["property"], source, where + ("format", "property"))
    return document


def dsv_rows(text: str, delimiter: str, source: SourceMap, where: JsonPath) -> list[dict[str, str]]:
    """Rows as d3-dsv's ``parse`` makes them: strings, ``""`` for an empty or missing cell, the header's
    names as written (a repeated name keeps its last cell), extra cells dropped."""
    limit = max_drawn_rows()
    if text.count("\n") > limit or text.count("\r") > limit:  # count first: a huge file fails fast
        count = sum(1 for _ in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)) - 1
        if count > limit:
            raise DataError(source.diagnostic(
                f"the data has {count:,} rows, more than Vega can draw (limit {limit:,})", where + ("url",),
                hint="aggregate or sample the data first, or write the chart as a chartspec spec, which reduces "
                     "large data to what the pixels show; CHARTSPEC_MAX_DRAWN_ROWS raises the limit"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header = next(reader, [])
    # d3 gives an empty line one empty cell, so every column of it is ""
    return [{name: (record[i] if i < len(record) else "") for i, name in enumerate(header)} for record in reader]


def split_access_path(path: str) -> list[str]:
    """The keys of a Vega field path (vega-util's splitAccessPath): ``a.b``, ``a[0]``, ``a["b.c"]``, ``a\\.b``."""
    keys: list[str] = []
    quote: str | None = None
    bracket, pending, i, j = 0, "", 0, 0

    def push() -> None:
        nonlocal pending, i
        keys.append(pending + path[i:j])
        pending, i = "", j + 1

    while j < len(path):
        c = path[j]
        if c == "\\":
            pending += path[i:j]
            j += 1
            i = j
        elif c == quote:
            push()
            quote, bracket = None, -1
        elif quote:
            pass
        elif i == bracket and c in "\"'":
            i, quote = j + 1, c
        elif c == "." and not bracket:
            if j > i:
                push()
            else:
                i = j + 1
        elif c == "[":
            if j > i:
                push()
            bracket = i = j + 1
        elif c == "]":
            if bracket > 0:
                push()
            bracket, i = 0, j + 1
        j += 1
    if j > i:
        j += 1
        push()
    return keys


def _property(document: Any, prop: str, source: SourceMap, at: JsonPath) -> Any:
    """What ``format.property`` names in a JSON document, as Vega's ``field(property)`` reads it."""
    value = document
    for key in split_access_path(prop):
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise DataError(source.diagnostic(f"the data file has no {key!r} on the path {prop!r}", at,
                                              hint="'property' names where the rows are, e.g. 'results.rows'"))
    return value
