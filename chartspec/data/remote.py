"""Tables of a remote engine (Spark, Postgres) brought into the embedded engine, cut where they live.

A connection whose data stays in its engine gives a :class:`~.table.Table` with a ``remote``
handle (spark.py's ``SparkSource``, postgres.py's ``PostgresSource``); once the chart's pixels are
known, :func:`fetch_remote` asks each handle to ``fetch`` what the chart needs (M4's picks where the
engine can pick them, else every row within the drawing limit), and :func:`into_engine` makes the
Arrow tables that come back the engine's relation, as if they had been read from a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..spec.model import ChartSpec
from ..spec.source import SourceMap
from .rows import DRAWS
from .table import Table

__all__ = ["fetch_remote", "into_engine"]


def fetch_remote(model: ChartSpec, table: Table, layer_tables: Sequence[Table | None], source: SourceMap,
                 scale: float, root: Path | None, used: frozenset[str] | None
                 ) -> tuple[ChartSpec, Table, tuple[Table | None, ...]]:
    """Every remote table of the chart brought into the engine: reduced by M4 where it lives when
    its layers allow, else whole (within the drawing limit). A large layer's aggregate runs where
    the data lives first (engineagg.py's pipeline): the layer then draws the aggregated rows as its
    own table, cut by M4 there too, and the model has that layer without its transforms."""
    own = list(layer_tables) + [None] * (len(model.layers) - len(layer_tables))
    model, aggregated = _aggregates(model, table, own, source)
    small = [t for t in (table, *own) if t is not None and t.remote is None and t.relation is None]
    if table.remote is not None:
        table = table.remote.fetch(table, [lyr for lyr in model.layers if own[lyr.index] is None], False, model,
                                   source, scale, small, root, used)
    for layer in model.layers:
        t = own[layer.index]
        if t is not None and t.remote is not None:
            # an aggregate's table holds only what the layer draws (its band's columns too)
            wanted = None if layer.index in aggregated else used
            own[layer.index] = t.remote.fetch(t, [layer], True, model, source, scale, small, root, wanted)
    size = max(len(layer_tables), 1 + max(aggregated, default=-1))
    return model, table, tuple(own[:size])


def _aggregates(model: ChartSpec, table: Table, own: list[Table | None], source: SourceMap
                ) -> tuple[ChartSpec, set[int]]:
    """engineagg.engine_aggregates for remote tables: each eligible layer of a table with more rows
    than Vega can draw gets the engine's aggregate (a lazy remote table) as its own data."""
    from .engineagg import aggregate_parts, aggregated_layer, eligible
    from .reduce import max_drawn_rows

    layers, done = list(model.layers), set()
    for layer in model.layers:
        base = own[layer.index] or table
        if base.remote is None or not eligible(model, layer):
            continue
        parts = aggregate_parts(layer, model, own[layer.index] is not None)
        made = None if parts is None else base.remote.aggregate(base, layer, model, parts, max_drawn_rows(), source)
        if made is not None:
            own[layer.index], layers[layer.index] = made, aggregated_layer(layer, model)
            done.add(layer.index)
    return (replace(model, layers=tuple(layers)) if done else model), done


def into_engine(table: Table, arrows: Any, root: Path | None, pushed: tuple[int, float, float, int] | None
                ) -> Table:
    """The fetched rows (Arrow tables, ``__srow`` the remote row number) as an engine table, in
    the remote engine's row order; ``pushed``: the M4 the remote engine ran (count, x extent, columns)."""
    from .engine import Relation, connect, new_name, typed_exprs

    con = connect(root)
    name = new_name()
    # one Arrow table per Spark partition or Postgres batch (or one for all): only one is held at a time, the
    # engine's table spills to disk past its memory limit
    first = True
    for arrow in arrows:
        con.register(f"{name}_arrow", arrow)
        verb = f"CREATE OR REPLACE TEMP TABLE {name}_raw AS" if first else f"INSERT INTO {name}_raw"
        con.execute(f"{verb} SELECT * FROM {name}_arrow")
        con.unregister(f"{name}_arrow")
        first = False
    cols = [(c, t) for c, t, *_ in con.execute(f"DESCRIBE SELECT * FROM {name}_raw").fetchall() if c != "__srow"]
    numeric: set[str] = set()
    integer: set[str] = set()
    # steps.py's row bits, when the remote engine worked them out (sparksteps.py, postgres.py):
    # whole numbers as a local steps pass makes them (steps._with_arrays), never read as doubles
    exprs = [f"CAST({DRAWS} AS BIGINT) AS {DRAWS}" if c == DRAWS else e
             for (c, _), e in zip(cols, typed_exprs([(c, "VARCHAR" if c == DRAWS else t) for c, t in cols],
                                                    numeric, integer), strict=True)]
    numeric |= {DRAWS} & {c for c, _ in cols}
    integer |= {DRAWS} & {c for c, _ in cols}
    con.execute(f"CREATE TEMP TABLE {name}_data AS SELECT {', '.join(exprs)} FROM {name}_raw ORDER BY __srow")
    con.execute(f"DROP TABLE {name}_raw")
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT rowid AS __row, * FROM {name}_data")
    count = con.execute(f"SELECT count(*) FROM {name}_data").fetchall()[0][0]
    kept = tuple(c for c, _ in cols)
    rel = Relation(con, name, count, kept, frozenset(numeric), frozenset(integer), prereduced=pushed is not None,
                   pushed=pushed)
    return replace(table, relation=rel, remote=None)
