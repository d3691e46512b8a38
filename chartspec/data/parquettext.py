"""Numbers written as text in Parquet files, read by the rule of every other format (numbers.py).

A Parquet column of strings (``pa.array([f"{v:.4f}" for v in y])``, a pandas ``object`` column)
holds numbers as text. CSV, JSON and inline data read such a column as numbers when every
non-blank cell is a number by the rule; the engine's view over Parquet files kept it as text, so
the chart drew nothing (a note said the field had no values yet) while Vega drew the text. Here
each file's text columns are typed by numbers.column_kinds, the CSV reader's own query, and a
column is numeric when its text is numbers in every file that holds it as text and it is a number
type in the others; its non-finite cells are missing values with a note, as in a CSV file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .enginetypes import INTEGER_TYPES, quote
from .numbers import column_kinds, typed_cell_sql

if TYPE_CHECKING:
    import duckdb

__all__ = ["number_texts", "text_number_sql"]

_WHOLE_TYPES = INTEGER_TYPES
_NUMBER_TYPES = (*INTEGER_TYPES, "DOUBLE", "FLOAT", "DECIMAL", "REAL")


def number_texts(con: duckdb.DuckDBPyConnection, paths: Sequence[Path], schemas: Sequence[Sequence[tuple[Any, ...]]],
                 locations: Sequence[str], used: frozenset[str] | None
                 ) -> tuple[dict[str, str], list[tuple[str, str, int, int, float]]]:
    """The text columns (of the ``used`` ones) that hold numbers by the rule in every file, each
    with BIGINT (written as whole numbers) or DOUBLE, and their non-finite cells per file
    (location, column, count, first row (1-based), value)."""
    types: dict[str, list[str]] = {}
    for schema in schemas:
        for c, t, *_ in schema:
            types.setdefault(c, []).append(t)
    candidates = [c for c, ts in types.items() if (used is None or c in used) and "VARCHAR" in ts
                  and all(t == "VARCHAR" or t.startswith(_NUMBER_TYPES) for t in ts)]
    if not candidates:
        return {}, []
    kinds: dict[str, str] = {c: "BIGINT" if all(t == "VARCHAR" or t in _WHOLE_TYPES for t in types[c]) else "DOUBLE"
                             for c in candidates}
    odd: list[tuple[str, str, int, int, float]] = []
    for path, schema, location in zip(paths, schemas, locations):
        texts = [c for c, t, *_ in schema if t == "VARCHAR" and c in kinds]
        if not texts:
            continue
        scan = "'" + str(path).replace("'", "''") + "'"
        part = (f"(SELECT file_row_number AS rowid, {', '.join(quote(c) for c in texts)} "
                f"FROM read_parquet({scan}, file_row_number = true))")
        for c, (kind, stats) in column_kinds(con, part, texts).items():
            if kind == "VARCHAR":
                kinds.pop(c)
            elif kind == "DOUBLE":
                kinds[c] = "DOUBLE"
            if stats is not None and kind != "VARCHAR":
                odd.append((location, c, *stats))
    return kinds, [n for n in odd if n[1] in kinds]


def text_number_sql(column: str, kind: str) -> str:
    """A Parquet text column of numbers as the view reads numbers: doubles, non-finite and blank
    cells missing; whole numbers too are doubles (the view's integers are: exactx.py asks the files)."""
    if kind == "DOUBLE":
        return typed_cell_sql(column, kind)
    return f"CAST(TRY_CAST({quote(column)} AS BIGINT) AS DOUBLE) AS {quote(column)}"
