"""Stage 2, the data: a model in, the tables it charts and the data-aware checks out.

In: a :class:`~chartspec.spec.model.ChartSpec` and the files it names (CSV, TSV, JSON, JSON Lines,
Parquet, globs of several files). Out: :class:`~chartspec.data.table.Table` rows for the chart and
each layer, the values the compiler needs ahead of Vega (evaluated transforms, EMA columns, band
extents, series names, the hover table), and :class:`~chartspec.data.loader.Spec`: the model with
its tables and theme, ready to compile. Checks that need the data (fields that exist, log scales
over positive values, ...) live here too, so one load reports every problem of a spec.

Large files are read by the columnar engine (engine.py, DuckDB) and cut to what the chart's
pixels can show before anything else sees them (reduce.py: M4; smoothframe.py + ema.py: EMA on
the full series first), so every later step works on a few thousand rows.

Imports only :mod:`chartspec.spec` and :mod:`chartspec.errors`.
"""
