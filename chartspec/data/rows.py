"""Rows out of the engine: which columns a spec can use, the kept rows as Python dicts, and the
first cell of each text column that is not a number (what the checks must name).
"""

from __future__ import annotations

import re
from typing import Any

from .engine import INTEGER_TYPES, Relation, quote
from .numbers import number_sql

__all__ = ["DRAWS", "LAYER_MASK", "fetch", "first_texts", "mentioned", "numbers_in_data", "piece_column"]

#: the column saying which layers draw a row of a reduced table shared by several (bit i: layer i)
LAYER_MASK = "__layers"
#: the column saying which layers draw a row by the training-log rules (steps.py; bit i: layer i)
DRAWS = "__draws"


def piece_column(index: int) -> str:
    """The column numbering the pieces of layer ``index``'s line (present only when it has a hole:
    steps.py; here, without numpy, for the compiler)."""
    return f"__piece_{index}"


_QUOTED = re.compile(r"""(["'])(.*?)\1""")


def mentioned(raw: Any, found: set[str] | None = None) -> set[str]:
    """Every name a spec mapping could use as a field: its keys, its text values and the fields
    its Vega expressions read. A reduced table keeps only these columns (the rest cannot be drawn)."""
    found = set() if found is None else found
    if isinstance(raw, dict):
        for key, value in raw.items():
            found.add(str(key))
            mentioned(value, found)
    elif isinstance(raw, list):
        for item in raw:
            mentioned(item, found)
    elif isinstance(raw, str):
        found.add(raw)
        found.add(re.sub(r"\\(.)", r"\1", raw))  # Vega-Lite's escaped field name: "a\\.b" is column a.b
        found.update(m.group(2) for m in _QUOTED.finditer(raw))  # datum["a b"] in an expression
        found.update(part for part in re.split(r"[^\w$]+", raw) if part)  # datum.loss, and words
    return found


def fetch(rel: Relation, keep: str | None = None, mask: bool = False,
          used: frozenset[str] | None = None) -> tuple[dict[str, Any], ...]:
    """Rows of ``rel`` as Python dicts in file order, integers as ints (``__row`` dropped); with
    ``keep`` (SQL listing rows ``r`` and layer bits ``m``) only those, and with ``mask`` their bits
    as :data:`LAYER_MASK`."""
    wanted = [c for c in rel.columns if used is None or c in used or c.startswith("__")]
    # a NaN or infinity an engine step made (1/0 in a calculate, a mean over it) is missing, as in
    # every data file: JSON cannot hold it and Vega cannot place it
    picked = ", ".join(f"CASE WHEN isfinite(TRY_CAST(t.{quote(c)} AS DOUBLE)) IS FALSE THEN NULL ELSE t.{quote(c)} "
                       f"END AS {quote(c)}" if c in rel.numeric else f"t.{quote(c)}" for c in wanted) or "NULL AS __none"
    if keep is None:
        query = f"SELECT {picked} FROM {rel.name} t ORDER BY t.__row"
    else:
        bits = f", k.m AS {LAYER_MASK}" if mask else ""
        query = f"SELECT {picked}{bits} FROM {rel.name} t JOIN ({keep}) k ON t.__row = k.r ORDER BY t.__row"
    cur = rel.con.execute(query)
    names = [d[0] for d in cur.description]
    # whole numbers held as doubles (Parquet integers, rows read in Python) become ints again;
    # an integer column comes out as ints already
    ints = [n in rel.integer and str(d[1]) not in INTEGER_TYPES for n, d in zip(names, cur.description)]
    if not any(ints) and "__none" not in names:  # nothing to convert: each row made in C
        return tuple(dict(zip(names, record)) for record in cur.fetchall())
    out = []
    for record in cur.fetchall():
        out.append({n: (int(v) if i and isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else v)
                    for n, v, i in zip(names, record, ints) if n != "__none"})
    return tuple(out)


def numbers_in_data(rel: Relation, rows: tuple[dict[str, Any], ...], used: frozenset[str] | None) -> frozenset[str]:
    """The number columns of ``rel`` that hold a finite number in the full data although ``rows``
    (what the reduction kept, after the layers' filters) hold none: the checks ask the data, as they
    do of rows read in Python before any transform, so a filter that keeps nothing draws an empty
    chart at any size. A query per such column only (none when the rows have numbers)."""
    found = []
    for c in sorted(rel.numeric):
        if c.startswith("__") or (used is not None and c not in used) or any(
                isinstance(v := row.get(c), (int, float)) and not isinstance(v, bool) for row in rows):
            continue
        if rel.sql(f"SELECT 1 FROM {rel.name} WHERE isfinite(CAST({quote(c)} AS DOUBLE)) LIMIT 1"):
            found.append(c)
    return frozenset(found)


def first_texts(rel: Relation, used: frozenset[str] | None) -> dict[str, tuple[int, Any]]:
    """Each text column's first cell that is not a number, by its row in the file (the checks
    must name that row, which the reduction may not keep)."""
    found = {}
    for c in rel.columns:
        if c in rel.numeric or c.startswith("__") or (used is not None and c not in used):
            continue
        text = f"CAST({quote(c)} AS VARCHAR)"
        bad = rel.sql(f"SELECT __row, {quote(c)} FROM {rel.name} WHERE {quote(c)} IS NOT NULL AND "
                      f"NOT {number_sql(text)} ORDER BY __row LIMIT 1")  # numbers.py's rule
        if bad:
            found[c] = (bad[0][0] + 1, bad[0][1])
    return found
