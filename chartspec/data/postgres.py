"""Charts of PostgreSQL tables: the M4 reduction runs in Postgres, as one Ibis expression.

``postgres_table`` checks the query in Postgres itself (its message, at the spec's place) and
keeps it as a lazy Ibis table (``Table.remote``). :meth:`PostgresSource.fetch` then, knowing the
chart, asks Postgres for (1) the full data's row count and x extent and the number of series, and
(2) per series and pixel column the rows with the first and last x and the smallest and largest
value of every y the layers draw, with m4sql.py's bucket formula and row tie-breaks (so the rows are
a DuckDB build's), and fetches those rows only, through Arrow, into the engine (remote.py). The
reduction is written once with Ibis (ibis.backends.postgres compiles it to one SQL query), the
expression layer that also speaks Trino, BigQuery, Snowflake...; Ibis is imported only by a spec
that reads such a connection.

Rows are numbered in the order Postgres returns the query (``row_number() OVER ()`` in a CTE that
the picks and the fetch both read, so Postgres computes it once); the session runs without
parallel workers or synchronized scans, so a table's order is its storage order, as a DuckDB
file's is (write ``ORDER BY`` in ``sql:`` for a defined one). Numbers are read as the engine reads
them: DOUBLE, NaN and ±Infinity missing (Postgres sorts NaN above every number; here it is no pick).

The session is read-only (``default_transaction_read_only``), one statement per query (psycopg's
extended protocol). What Postgres does not reduce, it sends back whole within ``max_drawn_rows()``
(transforms, EMA, a log or time x, point marks: as on Spark before its filter translation).
Repeated steps, missing values and holes are ruled in Postgres before its M4 (ibissteps.py), which
then picks from the rows each layer draws; their bits and pieces come back with the picks;
beyond that the spec fails at the layer, with the hint to do the work in ``sql:``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import DataError, JsonPath
from ..spec.model import ChartSpec, DataSource, Layer
from ..spec.source import SourceMap
from ..spec.transforms import Aggregate
from .connections import Connection, at_query_place, query_of, query_path, redact
from .engineagg import Parts
from .ibisexpr import IbisPlan, engine_number, ibis_plan, log_counts
from .ibissteps import holes_only, keep_column, kept_plan, ruled_table, rules_in_postgres
from .m4grid import m4_columns, m4_group, m4_rows, max_drawn_rows
from .pgguard import check_query
from .reduce import CHECKED_ROWS, LINE_MARKS, too_large
from .reduceoff import turned_off
from .remote import into_engine
from .rows import DRAWS, piece_column
from .stepsplain import applies, settings
from .table import Table

__all__ = ["FETCHES", "STREAM_ROWS", "PostgresSource", "postgres_table"]

#: one record per fetch from Postgres (rows brought back, rows in the full table): tests and
#: docs/databases.md read it to show what came back
FETCHES: list[dict[str, int]] = []
_backends: dict[tuple[tuple[str, str], ...], Any] = {}
#: every session: read-only; rows in storage order (no parallel scan, no scan joining another's); no
#: JIT: compiling the rules' and M4's long expressions cost more than it saves (the rules + M4 query of
#: 280,000 rows: 122 s with JIT, 20 s without, on this loaded 2-core machine)
_SESSION = ("-c default_transaction_read_only=on -c max_parallel_workers_per_gather=0 "
            "-c synchronize_seqscans=off -c jit=off")
_DESCRIBE = "SELECT * FROM ("
#: rows per batch when every row of a large table comes back (an EMA): what the process holds at a time
STREAM_ROWS = 100_000


@dataclass(frozen=True, eq=False)
class PostgresSource:
    conn: Connection
    expr: Any  # an ibis Table over the query, not yet run
    where: JsonPath
    #: "number" or "text" per column read as the engine reads it (others: not reduced in Postgres)
    kinds: dict[str, str] = field(default_factory=dict)
    #: the columns the rows are numbered by (missing last); empty: the order Postgres returns them in
    order: tuple[str, ...] = ()

    def fetch(self, table: Table, layers: list[Layer], has_own: bool, model: ChartSpec, source: SourceMap,
              scale: float, others: list[Table], root: Path | None, used: frozenset[str] | None) -> Table:
        try:
            return _fetch(self, table, layers, has_own, model, source, scale, others, root, used)
        except DataError:
            raise
        except Exception as err:  # the server went away, a cast failed at run time
            raise self._failed(err, source) from None

    def aggregate(self, table: Table, layer: Layer, model: ChartSpec, parts: Parts, limit: int,
                  source: SourceMap) -> Table | None:
        """The layer's aggregate as an Ibis expression (ibisagg.py), numbered in the DuckDB build's
        order, when the table has more than ``limit`` rows (engineagg.py's gate); else None."""
        from .ibisagg import ibis_aggregate

        made = ibis_aggregate(self.expr, self.kinds, layer, model, parts)
        if made is None:
            return None
        try:
            if self.expr.count().to_pyarrow().as_py() <= limit:
                return None
        except Exception as err:  # the server went away
            raise self._failed(err, source) from None
        expr, kinds, order = made
        return Table(name=table.name, columns=tuple(expr.columns), rows=(),
                     remote=PostgresSource(self.conn, expr, self.where, kinds, order))

    def _failed(self, err: Exception, source: SourceMap) -> DataError:
        first = redact(str(err).strip().split("\n", 1)[0], self.conn)[:300]
        return DataError(source.diagnostic(f"Postgres failed on connection {self.conn.name!r}: {first}",
                                           self.where, hint="run the query in psql to see the whole error"))


def _backend(conn: Connection) -> Any:
    """An Ibis Postgres backend for ``conn`` (one per settings and process)."""
    import ibis

    o = conn.options
    key = tuple(sorted((k, str(v)) for k, v in o.items()))
    if key not in _backends or _backends[key].con.closed:
        extra = {"sslmode": str(o["sslmode"])} if "sslmode" in o else {}
        _backends[key] = ibis.postgres.connect(
            host=str(o.get("host", "localhost")), port=int(o.get("port", 5432)), database=str(o.get("dbname", "postgres")),
            user=str(o["user"]) if "user" in o else None, password=str(o["password"]) if "password" in o else None,
            connect_timeout=int(o.get("connect_timeout", 10)), options=_SESSION, application_name="chartspec",
            **extra)
    return _backends[key]


def postgres_table(conn: Connection, source: DataSource, smap: SourceMap) -> Table:
    """The table a Postgres connection's ``table``/``sql`` names, as a handle; positioned errors."""
    try:
        import ibis  # noqa: F401
        import psycopg
    except ImportError:
        raise DataError(smap.diagnostic(f"connection {conn.name!r} needs the ibis-framework[postgres] package",
                                        source.json_path, hint="pip install 'chartspec[postgres]'")) from None
    try:
        backend = _backend(conn)
    except Exception as err:  # psycopg.OperationalError: no server, refused, bad password, timeout
        first = redact(" ".join(str(err).split()), conn)[:300]
        raise DataError(smap.diagnostic(f"cannot reach Postgres for connection {conn.name!r}: {first}",
                                        source.json_path, hint="check host, port, dbname, user and sslmode in "
                                        "chartspec.toml, that the server accepts connections, and the password's "
                                        "environment variable")) from None
    query = query_of(source)
    check_query(query, source, smap)  # no function reading the server's files (pgguard.py)
    try:
        with backend.con.cursor() as cur:  # Postgres's own words for a bad query, before Ibis reads it
            cur.execute(f"{_DESCRIBE}{query}) AS q LIMIT 0")
            described = [(d.name, d.type_code) for d in cur.description or ()]
            oids = sorted({oid for _, oid in described})
            names = dict(cur.execute("SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY(%s)",
                                     (oids,)).fetchall())
    except psycopg.Error as err:
        backend.con.rollback()
        raise _query_error(conn, source, smap, err) from None
    from ibis.backends.sql.datatypes import PostgresType

    schema = {name: PostgresType.from_string(names.get(oid, "text")) for name, oid in described}
    try:
        expr = backend.sql(query, schema=schema)
        backend.compile(expr)  # sqlglot reads the query here, not in the middle of the chart's fetch
    except Exception as err:  # sqlglot cannot read a query Postgres accepts
        first = redact(str(err).strip().split("\n", 1)[0], conn)[:300]
        raise DataError(smap.diagnostic(f"the query of {conn.name!r} cannot be read by Ibis: {first}",
                                        query_path(source), hint="write it more plainly (or as a view in the database, "
                                        "named in table:)")) from None
    kinds = {name: "number" if t.is_integer() or t.is_floating() else "text" for name, t in schema.items()
             if t.is_integer() or t.is_floating() or t.is_string()}
    return Table(name=f"{conn.name}: {source.table or 'sql'}", columns=tuple(schema), rows=(),
                 remote=PostgresSource(conn, expr, source.json_path, kinds))


def _query_error(conn: Connection, source: DataSource, smap: SourceMap, err: Any) -> DataError:
    """Postgres's message at the spec's query, moved to the place it names when it can be found."""
    first = redact(str(err).strip().split("\n", 1)[0], conn)[:300]
    hint = ("check the SQL syntax at the marked place (the query runs as written, in Postgres's SQL)"
            if type(err).__name__ == "SyntaxError" else
            "check the table and column names (the query runs as written, in Postgres's SQL)")
    error = DataError(smap.diagnostic(f"the query failed in {conn.name!r}: {first}", query_path(source), hint=hint))
    position = getattr(getattr(err, "diag", None), "statement_position", None)
    if source.sql is None or not position or not position.isdigit():
        return error
    offset = int(position) - 1 - len(_DESCRIBE)  # characters into the query
    query = query_of(source)
    if not 0 <= offset < len(query):
        return error
    before = query[:offset].split("\n")
    return at_query_place(error, query, len(before), len(before[-1]), smap)


def _reducible(t: Any, layers: Sequence[Layer], model: ChartSpec, has_own: bool, kinds: dict[str, str]
               ) -> tuple[Layer | None, dict[int, IbisPlan]]:
    """spark._reducible's rules: the first layer Postgres cannot reduce (None: all can), and each
    layer's plan (its filters and drawn calculates over ``t``, ibisexpr.py)."""
    plans: dict[int, IbisPlan] = {}
    for layer in layers:
        off = not (model.reduce if layer.reduce is None else layer.reduce)
        if (layer.mark not in LINE_MARKS or layer.smooth is not None or layer.heat is not None or off
                or (layer.band is not None and layer.band.extent is not None
                    and any(isinstance(t, Aggregate) for t in layer.transform))  # unless aggregated
                or model.x.type not in ("quantitative", "temporal") or model.x.scale == "log"):
            return layer, plans
        plan = ibis_plan(t, layer, model, has_own, kinds)
        if plan is None:
            return layer, plans
        plans[layer.index] = plan
    return None, plans


def _needs(layer: Layer, model: ChartSpec, has_own: bool, kinds: dict[str, str]) -> str | None:
    """The y a row must hold to be part of the layer's series where steps.py's sparse-column rule
    applies (a line or area of a y column, ``gaps`` not ``break``): the DuckDB build leaves such rows
    out of the layer (``__draws``), so they are no pick here either; None where the rule does not apply."""
    if not applies(layer, model, has_own) or settings(layer, model)[1] == "break":
        return None
    return layer.y.field if kinds.get(layer.y.field) == "number" else None


def _draws(t: Any, model: ChartSpec, needs: dict[int, str | None], kept: Sequence[int]) -> Any:
    """steps.py's ``__draws``: bit ``i`` unless layer ``i`` needs a y the row does not hold (the
    sparse-column rule) or the rules in Postgres take it (``kept``: ibissteps.keep_column). The
    fetched rows are cut again by reduce.py, which reads it: a row another layer picked must not
    become this layer's first or last x."""
    import ibis

    bits = ibis.literal(sum(1 << layer.index for layer in model.layers), "int64")
    for index, y in needs.items():
        if y is not None:
            bits = bits - ibis.ifelse(engine_number(t, y).isnull(), 1 << index, 0)
    for index in kept:
        bits = bits - ibis.ifelse(t[keep_column(index)], 0, 1 << index)
    return bits


def _fetch(src: PostgresSource, table: Table, layers: list[Layer], has_own: bool, model: ChartSpec,
           source: SourceMap, scale: float, others: list[Table], root: Path | None,
           used: frozenset[str] | None) -> Table:
    import ibis

    # rows numbered as the engine numbers them: an aggregate's by its groups (engineagg.py), a query's as it comes
    number = ibis.row_number().over(order_by=[ibis.asc(c, nulls_first=False) for c in src.order]) if src.order \
        else ibis.row_number()
    t = src.expr.mutate(__srow=number)
    wanted = [c for c in table.columns if used is None or c in used] or list(table.columns[:1])
    numeric_x = src.kinds.get(model.x.field) == "number"
    x = engine_number(t, model.x.field) if numeric_x else None
    culprit, plans = _reducible(t, layers, model, has_own, src.kinds) if x is not None else (
        layers[0] if layers else None, {})
    stats = t.aggregate(n=t.count(), lo=x.min(), hi=x.max()) if x is not None else t.aggregate(n=t.count())
    found = stats.to_pyarrow().to_pylist()[0]
    count, lo, hi = found["n"], found.get("lo"), found.get("hi")
    whole = count <= max_drawn_rows() and any(plan.signature != "()" for plan in plans.values())
    # the training-log rules in Postgres (ibissteps.py); a layer they cannot run there comes back whole
    rules = rules_in_postgres(t, layers, plans, model, has_own, src.kinds, source, table.name) if (
        culprit is None and not whole and lo is not None) else None
    ruled = rules if isinstance(rules, Layer) else None
    culprit = culprit or ruled
    steps, notes = rules if isinstance(rules, tuple) else ([], ())
    base = t
    if steps:  # the layers' rows with their bits and pieces: the M4 picks from the rows each layer draws
        t = ruled_table(t, steps, model)
        plans = {i: kept_plan(p, i, {r.layer.index for r in steps}) for i, p in _reducible(
            t, layers, model, has_own, src.kinds)[1].items()}
    pushed: list[tuple[int, float, float, int]] = []
    picked = None
    needs: dict[int, str | None] = {}
    if culprit is None and layers and lo is not None and not whole:
        needs = {lyr.index: None if any(r.layer is lyr for r in steps) else _needs(lyr, model, has_own, src.kinds)
                 for lyr in layers}
        picked = _m4(base, x, [(plans[lyr.index], needs[lyr.index]) for lyr in layers], model, scale, others,
                     (count, lo, hi), pushed)
    if not layers:  # drawn by no layer (each reads its own data, or an aggregate's): only checked, as reduce.py does
        picked = t.filter(t.__srow < CHECKED_ROWS).__srow  # Ibis counts rows from 0
    # EMA needs every row in order: streamed back in batches, the engine smooths and cuts them (as from Spark)
    streamed = picked is None and culprit is not None and ruled is None and count > max_drawn_rows() and _streamable(
        t, layers, model, has_own, src.kinds)
    if layers and picked is None and count > max_drawn_rows() and not streamed:
        if turned_off(culprit or model.layers[0], model):  # at the 'reduce: false' that did it
            raise too_large(count, culprit or model.layers[0], "the reduction is turned off", source)
        why = ("its repeated steps or holes need every row of a Postgres table (the steps rules)" if ruled else
               "this chart needs every row of a Postgres table (EMA, a transform, a log or time x or this mark)")
        err = too_large(count, culprit or model.layers[0], why, source)
        raise DataError(replace(err.first, hint="filter, aggregate or sample in the connection's sql: query, "
                                + ("or set gaps: connect and duplicates: all, which Postgres cuts as they are" if ruled
                                   else "or draw a line without transforms, which Postgres reduces")))
    # whole rows (steps.py rules them here) from the table as it is: the rules' windows are for the picks
    rows = base if picked is None else t.filter(t.__srow.isin(picked))
    # the rows the layers draw, when they come back cut (whole, steps.py decides here)
    kept = [r.layer.index for r in steps]
    drawn = {DRAWS: _draws(rows, model, needs, kept)} if picked is not None and (any(needs.values()) or kept) else {}
    pieces = {piece_column(r.layer.index): rows[f"__pc{r.layer.index}"] for r in steps if r.holes} if (
        picked is not None) else {}
    out = rows.select("__srow", *wanted, **drawn, **pieces)
    batches = [0]
    arrows = _batches(out, batches) if streamed else [holes_only(out.order_by("__srow").to_pyarrow(), pieces)]
    fetched = into_engine(table, arrows, root, pushed[0] if pushed else None)
    if picked is not None and notes:
        fetched = replace(fetched, notes=fetched.notes + notes)
    if pushed:  # cut here: the log scale note counts every row (ibisexpr.log_counts)
        fetched = replace(fetched, log_counts=log_counts({lyr.index: plans[lyr.index] for lyr in layers}, model))
    FETCHES.append({"rows": fetched.relation.count, "full": count, "streamed": int(streamed), "batches": batches[0]})
    return fetched


def _streamable(t: Any, layers: list[Layer], model: ChartSpec, has_own: bool, kinds: dict[str, str]) -> bool:
    """spark._streamable: whether the layers Postgres cannot cut are EMA-smoothed lines it could cut
    unsmoothed (the engine smooths every row, then cuts them); then every row is streamed back."""
    return all(_reducible(t, [lyr], model, has_own, kinds)[0] is None
               or (lyr.smooth is not None and _reducible(t, [replace(lyr, smooth=None)], model, has_own, kinds)[0]
                   is None) for lyr in layers)


def _batches(rows: Any, count: list[int]) -> Any:
    """Every row as Arrow tables of :data:`STREAM_ROWS` rows, read through a server-side cursor (Ibis's
    ``to_pyarrow_batches``): the process holds one batch, the engine's table takes (and spills) the rest.
    Not sorted in Postgres: the engine orders the rows by ``__srow`` (remote.into_engine)."""
    import pyarrow as pa

    reader = rows.to_pyarrow_batches(chunk_size=STREAM_ROWS)
    for batch in reader:
        count[0] += 1
        yield pa.Table.from_batches([batch])
    if not count[0]:  # no rows: their columns still
        yield reader.schema.empty_table()


def _m4(t: Any, x: Any, plans: list[tuple[IbisPlan, str | None]], model: ChartSpec, scale: float, others: list[Table],
        extent: tuple[int, float, float], pushed: list[tuple[int, float, float, int]]) -> Any:
    """The ``__srow`` of every row M4 keeps, as an Ibis column expression (one query with the fetch),
    or None when the table is small enough to come back whole; ``pushed`` as in spark._m4."""
    import ibis

    count, lo, hi = extent
    if model.x.domain is not None:
        lo, hi = (float(v) for v in model.x.domain)
    found = [(min(v), max(v)) for o in others if (v := o.numbers(model.x.field))]
    lo, hi = min([lo, *(f[0] for f in found)]), max([hi, *(f[1] for f in found)])
    hi = hi if hi > lo else lo + 1
    # layers with the same series, transforms and needed y share one pass (as m4sql.py's do)
    groups: dict[tuple[tuple[str, ...], str, str | None, tuple[str, ...]], tuple[IbisPlan, list[str]]] = {}
    series = 0
    for plan, needs in plans:
        # reduce._series_count: count(DISTINCT (keys)) over the whole table
        if len(plan.keys) == 1:
            n = t[plan.keys[0]].nunique().to_pyarrow().as_py()
        else:
            n = t.select(*plan.keys).distinct().count().to_pyarrow().as_py() if plan.keys else 1
        series += max(1, n) * max(1, len(plan.values))
        _, group = groups.setdefault((plan.keys, plan.signature, needs, plan.positive), (plan, []))
        group += [v for v in plan.values if v not in group]
    columns = m4_columns(model, scale, series)
    if count <= m4_rows(model, scale, columns):
        return None
    pushed.append((count, lo, hi, columns))
    parts = [_picks(plan.table, model.x.field, (lo, hi, columns), list(keys), needs, values,
                    m4_group(model, scale, columns), positive)
             for (keys, _, needs, positive), (plan, values) in groups.items()]
    nulls = t.filter(x.isnull()).order_by("__srow").limit(100).select(r=t.__srow)
    return ibis.union(nulls, *parts, distinct=False).r


def _picks(t: Any, x_field: str, cut: tuple[float, float, int], keys: list[str], needs: str | None,
           values: list[str], group_of: int = 1, positive: tuple[str, ...] = ()) -> Any:
    """Per series and column the rows with each value's extremes, and with the first and last x
    of every ``group_of`` columns, as m4sql.m4_part picks them: extremes over a window per column,
    then the first row holding each (the last for the largest x). A row without its layer's y is no part of the series (steps.py),
    unless the layer breaks its line there (``gaps: break``)."""
    import ibis

    lo, hi, columns = cut
    x = engine_number(t, x_field)
    # m4sql.py's bucket, with the same double arithmetic: floor((x - lo) / (hi - lo) * columns)
    bucket = ((x - ibis.literal(float(lo), "float64")) / ibis.literal(float(hi - lo), "float64") * columns).floor()
    # on a log scale the extremes of the values above zero (sparkm4._picks: x's first and last of every row)
    measured = [x, *(ibis.ifelse(engine_number(t, v) > 0, engine_number(t, v), ibis.null("float64")) if v in positive
                     else engine_number(t, v) for v in values)]
    drawn = x.notnull() if needs is None else x.notnull() & engine_number(t, needs).notnull()
    rows = t.filter(drawn).select(
        "__srow", *(t[k].name(f"__k{i}") for i, k in enumerate(keys)), __b=bucket,
        **{f"__m{i}": m for i, m in enumerate(measured)})
    group = [f"__k{i}" for i in range(len(keys))] + ["__b"]
    w = ibis.window(group_by=group)
    ends = rows.mutate(**{f"__{end}{i}": getattr(rows[f"__m{i}"], end)().over(w)
                          for i in range(len(measured)) for end in ("min", "max")})
    row = ends.__srow
    ids = {"p0": row.min(where=ends.__m0 == ends.__min0), "p1": row.max(where=ends.__m0 == ends.__max0)}
    for i in range(1, len(measured)):
        m = ends[f"__m{i}"]
        ids[f"p{2 * i}"] = row.min(where=m == ends[f"__min{i}"])
        ids[f"p{2 * i + 1}"] = row.min(where=m == ends[f"__max{i}"])
    grouped = ends.group_by(group).aggregate(**ids)
    picked = [grouped[p] for p in ids]
    if group_of > 1:  # x's first and last of the group: from its first and last column holding rows
        over = ibis.window(group_by=[*group[:-1], (grouped.__b / group_of).floor()])
        picked[:2] = [ibis.ifelse(grouped.__b == grouped.__b.min().over(over), picked[0], ibis.null()),
                      ibis.ifelse(grouped.__b == grouped.__b.max().over(over), picked[1], ibis.null())]
    return grouped.select(r=ibis.array(picked).unnest())
