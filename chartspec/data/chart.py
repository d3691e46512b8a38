"""Loading one chart: schema, model, theme, data, then every data-aware check, reported together.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ChartspecError, DataError, Diagnostic, SpecValidationError
from ..spec.checks import parse_diagnostics
from ..spec.expressions import transform_expression_diagnostics
from ..spec.layout import missing_data
from ..spec.model import ChartSpec, DataSource
from ..spec.parse import from_mapping
from ..spec.source import SourceMap
from ..spec.themes import spec_theme
from ..spec.validate import schema_diagnostics
from ..spec.yamlload import Document
from .bandnotes import empty_aggregate_notes, single_sample_notes
from .categories import category_diagnostics
from .checks import semantic_diagnostics
from .dates import with_utc_dates
from .exactx import x_collision_diagnostics
from .flow import RESERVED_PREFIX, layer_views
from .loaded import Spec, in_order
from .logscale import log_diagnostics
from .m4grid import m4_columns, m4_rows, max_drawn_rows
from .reduce import reduce_tables
from .refvalues import resolve_reference_lines
from .rows import mentioned
from .seriescount import engine_series_diagnostics
from .table import Table, read_data


def _layer_tables(model: ChartSpec, problems: list[Diagnostic], path: Path | None, root: Path | None,
                  source: SourceMap, used: frozenset[str]) -> tuple[Table | None, ...]:
    """The data of layers that name their own, unless the schema already refused that data."""
    bad = {d.path[:3] for d in problems if d.path[:1] == ("layers",)}
    return tuple(_read(layer.data, path, root, source, used, rows_optional=True)
                 if layer.data is not None and layer.json_path + ("data",) not in bad else None
                 for layer in model.layers)


def _read(source: DataSource, path: Path | None, root: Path | None, smap: SourceMap, used: frozenset[str],
          *, rows_optional: bool = False) -> Table:
    """A data source's table: from a connection (warehouse.py; opened only here) or files.
    ``rows_optional``: a layer's own file with a header only draws nothing (a note), as a column
    with no value yet does (checks.py); the chart's data must have rows."""
    if source.connection is not None and path is not None and root is not None:
        from .warehouse import read_connection

        table = read_connection(source, path, root, smap)
    else:
        table = read_data(source, path, root, smap, used, rows_optional=rows_optional)
    # chartspec's own columns (__series, __draws, ...) would be overwritten and the chart drawn wrong
    if reserved := [c for c in table.columns if c.startswith(RESERVED_PREFIX)]:
        raise DataError(smap.diagnostic(
            f"column {reserved[0]!r} of {table.name}: names starting with '__' are chartspec's own", source.json_path,
            hint="rename the column in the data (or in the query), e.g. without the leading underscores"))
    return table


def _engine_aggregates(model: ChartSpec, table: Table, layer_tables: tuple[Table | None, ...], root: Path | None,
                       scale: float) -> tuple[ChartSpec, Table, tuple[Table | None, ...]]:
    # the M4 reduction's gate (reduce.py): more rows than M4 keeps of one curve, when Vega's
    # own aggregate would embed and group every row; below it (every golden chart) Vega aggregates
    limit = min(max_drawn_rows(), m4_rows(model, scale, m4_columns(model, scale, 1)))
    if all(t is None or (t.relation.count if t.relation is not None else len(t.rows)) <= limit
           for t in (table, *layer_tables)):
        return model, table, layer_tables  # small data: nothing imported, nothing changed
    from .engineagg import engine_aggregates

    return engine_aggregates(model, table, layer_tables, limit, root)


def load_chart(doc: Document, *, path: Path | None, root: Path | None, scale: float = 1.0) -> Spec:
    """Validate one chart's mapping, read its data, reduce what is too large to draw (for images
    ``scale`` device pixels per CSS pixel) and run every check; raises listing every problem."""
    problems = sorted(schema_diagnostics(doc.data, doc.source) + missing_data(doc)
                      + transform_expression_diagnostics(doc.data, doc.source),  # Vega's grammar, before Vega runs
                      key=lambda d: (d.line, d.column, d.message))
    # Data-aware checks run even after schema errors, so one run reports the typo in a key and
    # the misspelt field together; when the schema errors keep the model from being built, they
    # alone explain why.
    error_class: type[ChartspecError] = SpecValidationError
    log_notes: list[Diagnostic] = []
    band_notes: list[Diagnostic] = []
    empty_notes: list[Diagnostic] = []
    try:
        model = from_mapping(doc.data)
        theme, theme_problems = spec_theme(model, path, root, doc.source)  # spec/themes.py: a name or a file
        problems += theme_problems + parse_diagnostics(model, doc.source)  # before any row is read
        # When 'data' itself is invalid there are no rows to check against: do not guess.
        if not any(d.path[:1] == ("data",) for d in problems):
            used = frozenset(mentioned(doc.data))  # large files: only the columns a spec can use
            table = _read(model.data, path, root, doc.source, used)
            layer_tables = _layer_tables(model, problems, path, root, doc.source, used)
            # date text in temporal fields: UTC epoch ms, so no reader's time zone moves the chart
            table, layer_tables = with_utc_dates(model, table, layer_tables, doc.source)
            # large data: cut to what the pixels show (reduce.py), then checked; also when the
            # schema found a typo, or the checks would see no rows and report made-up problems
            if any(t is not None and t.remote is not None for t in (table, *layer_tables)):
                from .remote import fetch_remote  # the M4 runs in Spark or Postgres, the rest here

                model, table, layer_tables = fetch_remote(model, table, layer_tables, doc.source, scale, root,
                                                          used)
            # steps beyond 2**53 that one x would draw, found in the exact integers before any cut
            problems += x_collision_diagnostics(model, (table, *layer_tables), doc.source)
            # a large layer's aggregate (band extents, mean over seeds) run by the engine (engineagg.py)
            before, before_tables = model, layer_tables
            model, table, layer_tables = _engine_aggregates(model, table, layer_tables, root, scale)
            # bands with a gap where an x has one row: counted on every aggregated row, before the reduction;
            # and layers whose filters kept no row, as the compiler notes them in smaller charts
            band_notes = (single_sample_notes(model, table, layer_tables, doc.source, root)
                          + empty_aggregate_notes(before, model, before_tables, table, layer_tables, doc.source))
            # colour fields of 50,000 runs counted where the rows are, in the engine (seriescount.py)
            series_problems, counted = engine_series_diagnostics(model, table, layer_tables, doc.source)
            problems += series_problems
            table, layer_tables = reduce_tables(model, table, layer_tables, doc.source, scale, root, used=used)
            problems += category_diagnostics(model, table, layer_tables, doc.source, counted)  # before Vega's minutes
            views, flow_problems = layer_views(model, table, layer_tables, doc.source)
            problems += flow_problems
            model, ref_problems = resolve_reference_lines(model, table, layer_tables, doc.source)
            # a column with no value yet (a metric before its first eval) is a note: the chart builds
            found = ref_problems + semantic_diagnostics(model, table, doc.source, views=views)
            problems += [d for d in found if d.severity != "note"]
            empty_notes = sorted((d for d in found if d.severity == "note"), key=lambda d: (d.line, d.column))
            log_errors, log_notes = log_diagnostics(model, table, layer_tables, doc.source)  # after transforms
            problems += log_errors
    except ChartspecError as err:
        problems += err.diagnostics
        error_class = SpecValidationError if len(problems) > len(err.diagnostics) else type(err)
    except Exception:  # any kind: a value the schema refused (tick_step: 0) may trip any check after it
        if not problems:
            raise  # the schema accepted something the model cannot read: a bug, not user error
    if problems:
        raise error_class(in_order(problems, doc.source.file))
    notes = tuple(dict.fromkeys([*(n for t in (table, *layer_tables) if t is not None for n in t.notes), *log_notes,
                                 *band_notes, *empty_notes]))
    return Spec(model=model, table=table, source=doc.source, path=path, layer_tables=layer_tables, theme=theme,
                notes=notes, scale=scale)
