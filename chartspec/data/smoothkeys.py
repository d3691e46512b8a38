"""The values that tell an EMA's series apart when a transform makes the field holding them.

Smoothing runs on the data before its transforms (smoothing.py), yet a layer may be coloured by
a field its ``calculate`` makes (``color: {field: name}`` with ``'lr=' + datum.run``). Read from
the rows before transforms that field is missing: rows read in Python fell into one series (the
EMA averaged the colours together), and the engine's SQL named a column that does not exist. So
each row's series is that expression of the row, computed here on the rows before transforms:
with vegaexpr.py for rows read in Python, as SQL (vegasql.py: numbers, and text such as
``datum.step < 5e4 ? 'a' : 'b'`` or ``'part ' + floor(datum.step / 1e5)``, exactly as Vega writes
it) over the engine's relation, so both paths average the same series. What the SQL cannot say runs
in Python once per distinct combination of the columns it reads (at most
:data:`MAX_COMBINATIONS`).

A ``fold`` copies every row once per key: each key's series holds all of the rows, so its key
does not split the EMA.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..spec.model import ChartSpec, Layer
from ..spec.transforms import Calculate, expression_fields
from .arrownp import arrow_table
from .engine import Relation, new_name, quote
from .evaluate import evaluate
from .stepsplain import series_plan
from .vegasql import series_sql

__all__ = ["MAX_COMBINATIONS", "keyed_rows", "keyed_source", "keyed_sources"]

#: the most distinct combinations of the columns a series' calculate reads that are run in Python
#: (a step per row of a 10^7-row log would take a minute): beyond, the layer cannot be smoothed
MAX_COMBINATIONS = 200_000


def keyed_rows(rows: Sequence[dict[str, Any]], made: Sequence[Calculate], x: str,
               dates: Mapping[str, str]) -> Sequence[dict[str, Any]] | None:
    """``rows`` with the fields ``made`` computes (row for row), or None when vegaexpr.py cannot
    run one of them. They are read as series keys: NaN and Infinity as the names Vega gives them."""
    return evaluate(rows, made, x, dates, names=frozenset(t.as_field for t in made)) if made else rows


def keyed_source(rel: Relation, made: Sequence[Calculate], x: str, dates: Mapping[str, str]
                 ) -> tuple[str, str | None]:
    """A FROM item: ``rel`` with the fields ``made`` computes as columns (as SQL when vegasql.py
    translates them, else as codes of the values vegaexpr.py gives each distinct combination of
    the columns they read); or ``rel``'s name and a field neither way can compute."""
    if not made:
        return rel.name, None
    kinds: dict[str, str] = {c: "number" if c in rel.numeric else "text" for c in rel.columns}
    source, present, dated = rel.name, set(rel.columns), set(dates)
    for t in made:
        found = series_sql(t.expr, kinds)  # type: ignore[arg-type]
        if set(expression_fields(t.expr)) & dated:  # what it makes may be a Date too (datum.time)
            dated.add(t.as_field)
            if found is not None and found[1] == "text":
                found = None  # a Date joined to text is "Tue Nov 14 2023 ..." in Vega, not its ms
        if found is None:  # what vegasql.py does not translate ('lr=' + datum.run): run in Python
            return _coded(rel, made, x, dates)
        sql, kinds[t.as_field] = found
        column = quote(t.as_field)
        verb = f"* REPLACE (({sql}) AS {column})" if t.as_field in present else f"*, ({sql}) AS {column}"
        present.add(t.as_field)
        source = f"(SELECT {verb} FROM {source})"
    return source, None


def keyed_sources(rel: Relation, todo: Sequence[Layer], model: ChartSpec, has_own: bool
                   ) -> dict[int, str | None]:
    """Per layer whose series fields a calculate makes: a FROM item with them as columns
    (smoothkeys.py), or None when they cannot be computed (the layer is drawn as it is)."""
    out: dict[int, str | None] = {}
    for layer in todo:
        made = series_plan(layer, model, has_own)[1]
        if made:
            found, unknown = keyed_source(rel, made, model.x.field, dict((layer.data or model.data).parse))
            out[layer.index] = None if unknown else found
    return out


def _coded(rel: Relation, made: Sequence[Calculate], x: str, dates: Mapping[str, str]) -> tuple[str, str | None]:
    """``made`` run in Python on each distinct combination of the columns they read, joined back
    as one code per value (the EMA only needs to tell the series apart, as smoothing.py does)."""
    import pyarrow as pa


    inputs = sorted({f for t in made for f in expression_fields(t.expr) if f in rel.columns})
    cols = ", ".join(quote(c) for c in inputs)
    if not inputs:  # constants: one value for every row
        combos = pa.table({"__one": [1]})
    elif rel.sql(f"SELECT count(*) FROM (SELECT DISTINCT {cols} FROM {rel.name})")[0][0] > MAX_COMBINATIONS:
        return rel.name, made[-1].as_field
    else:
        combos = arrow_table(rel.con, f"SELECT DISTINCT {cols} FROM {rel.name}")
    keyed = keyed_rows(combos.to_pylist(), made, x, dates)
    if keyed is None:
        return rel.name, made[-1].as_field
    fields = list(dict.fromkeys(t.as_field for t in made))
    codes: dict[str, dict[Any, int]] = {f: {} for f in fields}
    for f in fields:
        for row in keyed:
            codes[f].setdefault(_hashable(row.get(f)), len(codes[f]))
    names = [f"__key{i}" for i in range(len(fields))]
    arrays = [pa.array([codes[f][_hashable(row.get(f))] for row in keyed], pa.int64()) for f in fields]
    name = new_name()
    rel.con.register(f"{name}_keys", pa.Table.from_arrays(list(combos.columns) + arrays,
                                                           names=combos.column_names + names))
    on = " AND ".join(f"t.{quote(c)} IS NOT DISTINCT FROM k.{quote(c)}" for c in inputs) or "TRUE"
    replaced = [quote(f) for f in fields if f in rel.columns]  # a calculate may overwrite a column
    kept = f"t.* EXCLUDE ({', '.join(replaced)})" if replaced else "t.*"
    added = ", ".join(f"k.{n} AS {quote(f)}" for n, f in zip(names, fields))
    return f"(SELECT {kept}, {added} FROM {rel.name} t JOIN {name}_keys k ON {on})", None


def _hashable(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
