"""A colour field naming more series than a legend or palette can show is refused before Vega
runs, at the field (50,000 runs built in 31 s and made a 9.7 MB SVG), counted after the
layers' filters: by the engine for the tables it holds, in Python for small ones."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from conftest import load_error, write_tree

import chartspec
from chartspec.data.seriescount import MAX_SERIES

SPEC = "data: {data}\nx: {{field: step}}\nlayers:\n  - {{y: {{field: loss}}, color: {{field: run}}{extra}}}\n"


def _csv(runs: int, steps: int = 2) -> str:
    return "run,step,loss\n" + "".join(f"r{r},{s},{(r * 7 + s) % 11}\n" for r in range(runs) for s in range(steps))


def _parquet(path: Path, runs: int, steps: int = 2) -> None:
    """A table the engine reads (Parquet always is), whatever its size."""
    pq.write_table(pa.table({"run": [f"r{r}" for r in range(runs) for _ in range(steps)],
                             "step": [s for _ in range(runs) for s in range(steps)],
                             "loss": [float((r * 7 + s) % 11) for r in range(runs) for s in range(steps)]}), path)


def test_too_many_series_is_an_error_at_the_colour_field(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": _csv(1_500)})
    _parquet(tmp_path / "d.parquet", 1_500)
    for data in ("d.csv", "d.parquet"):  # read in Python / held by the engine
        err = load_error(tmp_path / "a.yaml", SPEC.format(data=data, extra=""))
        [d] = err.diagnostics
        assert (d.line, d.column) == (4, 39), data
        assert f"field 'run' has more than {MAX_SERIES:,} distinct values as colours" in d.message
        assert "filter" in (d.hint or "") and "aggregate" in (d.hint or "")


def test_series_are_counted_after_the_filters_of_the_layers_colouring_by_them(tmp_path: Path) -> None:
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": _csv(1_500)})
    _parquet(tmp_path / "d.parquet", 1_500)
    kept = ", transform: [{filter: {field: loss, lte: 0}}]"  # 1 run in 11
    expr = ", transform: [{filter: 'datum.loss <= 0'}]"
    regex = ", transform: [{filter: 'test(/^r1/, datum.run)'}]"  # 611 runs, counted by running it in Python
    for data in ("d.csv", "d.parquet"):
        for extra in (kept, expr, regex):
            spec = chartspec.loads(SPEC.format(data=data, extra=extra), file="a.yaml", path=tmp_path / "a.yaml")
            assert spec.table.columns[:3] == ("run", "step", "loss")
    # the limit is inclusive, and the series of every layer sharing the field are counted together
    write_tree(tmp_path, {"few.csv": _csv(MAX_SERIES)})
    chartspec.loads(SPEC.format(data="few.csv", extra=""), file="f.yaml", path=tmp_path / "f.yaml")
    half = ("data: {data}\nx: {{field: step}}\nlayers:\n"
            "  - {{y: {{field: loss}}, color: {{field: run}}, transform: [{{filter: {{field: step, equal: 0}}}}]}}\n"
            "  - {{y: {{field: loss}}, name: b, color: {{field: run}}, transform: [{{filter: {{field: step, equal: 1}}}}]}}\n")
    rows = "run,step,loss\n" + "".join(f"r{r},{r % 2},1\n" for r in range(1_200))  # 600 runs each layer
    write_tree(tmp_path, {"halves.csv": rows})
    pq.write_table(pa.table({"run": [f"r{r}" for r in range(1_200)], "step": [r % 2 for r in range(1_200)],
                             "loss": [1.0] * 1_200}), tmp_path / "halves.parquet")
    for data in ("halves.csv", "halves.parquet"):
        err = load_error(tmp_path / "h.yaml", half.format(data=data))
        assert [(d.line, d.column) for d in err.diagnostics] == [(4, 39)], data


def test_another_layer_with_the_field_as_a_column_is_not_counted(tmp_path: Path) -> None:
    """Only the layers colouring by the field name series: a plain line over the same table does not."""
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": _csv(1_500)})
    spec = chartspec.loads("data: d.csv\nx: {field: step}\nlayers:\n  - {y: {field: loss}}\n"
                           "  - {y: {field: loss}, name: b, color: {field: run}, transform: [{filter: {field: loss, lte: 0}}]}\n",
                           file="a.yaml", path=tmp_path / "a.yaml")
    assert len(spec.table.rows) == 3_000


def test_a_regular_expression_filter_does_not_let_series_through(tmp_path: Path) -> None:
    """A filter neither SQL nor the Python evaluator ran left its layer uncounted, so any number of
    series passed behind one. It is run as JavaScript would (jsregexp.py): 1,499 runs are refused;
    a pattern not run here (a repeated alternation) counts the rows it sees, and says so."""
    write_tree(tmp_path, {"chartspec.toml": "", "d.csv": _csv(1_500)})
    _parquet(tmp_path / "d.parquet", 1_500)
    for data in ("d.csv", "d.parquet"):
        err = load_error(tmp_path / "a.yaml", SPEC.format(data=data, extra=", transform: [{filter: "
                                                                              "'!test(/^r0$/, datum.run)'}]"))
        [d] = err.diagnostics
        assert (d.line, d.column) == (4, 39), data
        assert d.message.endswith("(50,000 took Vega 31 s to draw)"), d.message
        err = load_error(tmp_path / "a.yaml", SPEC.format(data=data, extra=", transform: [{filter: "
                                                                              "'test(/^(r|s)+1/, datum.run)'}]"))
        [d] = err.diagnostics
        assert (d.line, d.column) == (4, 39), data
        assert d.message.endswith("before a filter chartspec cannot run ahead of Vega (a regular expression): "
                                  "counted as if it kept every row"), d.message
        assert "'one_of'" in (d.hint or "") and "test(/^(r|s)+1/, datum.run)" in (d.hint or "")
