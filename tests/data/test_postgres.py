"""Charts from a PostgreSQL connection (issue 16): the M4 runs in Postgres and the SVG equals the
DuckDB file's, byte for byte; errors are Postgres's own, at the spec's place; the password never shows.

The server is the run's throwaway one (the ``postgres`` fixture, tests/pgserver.py). The table is
made by ``generate_series`` in Postgres, with ties (so the row tie-breaks matter), NaN, ±Infinity
and NULL values; the DuckDB file holds the very same values, read back from Postgres.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import load_error
from pgserver import PASSWORD
from remotes import BANDS, LINES, check_bands, check_log_cut, connections, layered, pair, store

from chartspec import load, save
from chartspec.builder.cache import MANIFEST_NAME
from chartspec.cli.main import main
from chartspec.data import postgres as pg_module
from chartspec.data.connections import check_connections
from chartspec.data.reduce import m4_columns

ROWS = 120_000
SPEC = LINES


@pytest.fixture(scope="module")
def project(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pg")
    with postgres.connect() as con:
        con.execute("DROP TABLE IF EXISTS metrics")
        # two runs; values on a coarse grid (many ties per pixel column); NaN, ±Infinity and NULL here and there
        con.execute(f"""CREATE TABLE metrics AS SELECT (i / 2)::bigint AS step, 'run' || (i % 2) AS run,
            (CASE i % 4999 WHEN 5 THEN 'NaN' WHEN 6 THEN 'Infinity' WHEN 7 THEN '-Infinity' WHEN 8 THEN NULL
             ELSE (round((sin(i / 4000.0) * 40)::numeric) / 40 + ((i * 7919) % 50) / 500.0)::text END)::float8 AS loss
            FROM generate_series(0, {ROWS - 1}) AS i""")
        con.execute("CREATE SEQUENCE IF NOT EXISTS counter")
        step, run, loss = zip(*con.execute("SELECT step, run, loss FROM metrics").fetchall(), strict=True)
    import pyarrow as pa

    # the very values Postgres holds, in the DuckDB file
    store(pa.table({"step": pa.array(step, pa.int64()), "run": run, "loss": pa.array(loss, pa.float64())}), root,
          "metrics", duckdb="metrics.duckdb")
    (root / "chartspec.toml").write_text(connections(postgres=postgres.port))
    pair(root, "chart", SPEC, "db")
    return root


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CS_PGPASSWORD", PASSWORD)


def _rows(spec: Any) -> list[tuple[Any, ...]]:
    return [tuple(repr(r[c]) for c in ("step", "run", "loss")) for r in spec.table.rows]


def test_postgres_pushes_m4_down_and_draws_the_same_svg(project: Path, tmp_path: Path) -> None:
    pg_module.FETCHES.clear()
    spec = load(project / "chart_db.yaml")
    [fetched] = pg_module.FETCHES
    columns = m4_columns(spec.model, 1.0, 2)
    assert fetched["full"] == ROWS and fetched["rows"] <= 4 * columns * 2  # per pixel column and run, not 120,000
    local = load(project / "chart_warehouse.yaml")
    assert spec.table.reduced_from == local.table.reduced_from == ROWS
    assert _rows(spec) == _rows(local)
    svg = save(spec, tmp_path / "db.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


LAYERED = layered(first=2000, cut=35000, below=50000, also=" && datum.loss != 0.5",
                  offset="(datum.loss > 0 ? 0.5 : -0.25)")


def test_filters_and_calculates_run_in_postgres(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # over the drawing limit, so the layers' transforms must run in Postgres (ibisexpr.py); within
    # it a layer with transforms comes back whole, as on Spark
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "50000")
    remote, warehouse = pair(project, "layered", LAYERED, "db")
    pg_module.FETCHES.clear()
    spec = load(remote)
    [fetched] = pg_module.FETCHES
    series = 2 * 2
    assert fetched["full"] == ROWS and fetched["rows"] <= 4 * m4_columns(spec.model, 1.0, series) * series
    local = load(warehouse)
    assert _rows(spec) == _rows(local)
    svg = save(spec, tmp_path / "db.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()
    # '/' stays in DuckDB (Postgres fails on a division by zero): that layer needs every row
    (project / "div.yaml").write_text(LAYERED.replace("NAME", "db").replace("datum.loss * 2", "datum.loss / 2"))
    message = str(load_error(project / "div.yaml", (project / "div.yaml").read_text()))
    assert "div.yaml:11:5: error: layer 'scaled'" in message and "needs every row of a Postgres table" in message


def test_bad_query_gives_postgres_message_at_the_query(project: Path) -> None:
    line = "data: {connection: db, sql: 'select stp, loss from metrics'}"
    d = load_error(project / "bad.yaml", SPEC.replace(SPEC.splitlines()[0], line)).first
    assert (d.line, d.column) == (1, line.index("stp") + 1)
    assert d.message == "the query failed in 'db': column \"stp\" does not exist"
    assert "table and column names" in (d.hint or "")
    d = load_error(project / "bad.yaml", SPEC.replace("NAME", "db").replace("metrics", "metrix")).first
    assert (d.line, d.column) == (1, 31) and 'relation "metrix" does not exist' in d.message


def test_the_session_is_read_only(project: Path) -> None:
    line = "data: {connection: db, sql: \"select nextval('counter') as step, run, loss from metrics\"}"
    d = load_error(project / "bad.yaml", SPEC.replace(SPEC.splitlines()[0], line)).first
    assert "cannot execute nextval() in a read-only transaction" in d.message


def test_unreachable_server_fails_that_spec_and_the_password_never_shows(project: Path, tmp_path: Path,
                                                                          postgres: Any) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    root = tmp_path / "p"
    root.mkdir()
    (root / "chartspec.toml").write_text(connections(duckdb=None, postgres=postgres.port)
                                         + f'\n[connections.down]\nbackend = "postgres"\nport = {closed}\n'
                                         'user = "chartspec"\npassword = "${CS_PGPASSWORD}"\n')
    (root / "chart.yaml").write_text(SPEC.replace("NAME, table: metrics", "db, sql: 'select * from metrics "
                                                  "where step < 20000'"))
    (root / "bad.yaml").write_text(SPEC.replace("NAME", "down"))
    (root / "good.yaml").write_text("data: {values: [{s: 1, v: 2}, {s: 2, v: 3}]}\nx: {field: s}\n"
                                    "layers: [{y: {field: v}}]\n")
    out = tmp_path / "out"
    args = ["build", str(root), "-o", str(out), "-f", "svg,html", "-j", "0", "--json"]
    run = CliRunner().invoke(main, args)
    assert run.exit_code == 1, run.output
    specs = {Path(s["spec"]).name: s for s in json.loads(run.stdout)["specs"]}
    [error] = specs["bad.yaml"]["errors"]
    assert error["message"].startswith("cannot reach Postgres for connection 'down': connection failed")
    assert (error["line"], error["column"]) == (1, 20) and "host, port" in error["hint"]
    assert specs["chart.yaml"]["status"] == "built" and set(specs["chart.yaml"]["fetched"]) == {"db"}
    assert (out / "good.svg").is_file() and (out / "chart.svg").is_file()
    manifest = (out / MANIFEST_NAME).read_text()
    assert '"connection": "db"' in manifest
    assert PASSWORD not in run.output
    assert not any(PASSWORD in p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    again = CliRunner().invoke(main, args)
    assert {s["status"] for s in json.loads(again.stdout)["specs"] if s["errors"] == []} == {"up-to-date"}
    assert PASSWORD not in again.output


@pytest.mark.parametrize(("options", "expected"), [
    ('password = "hunter2"', "connection 'db': password must come from the environment"),
    ("port = \"5432\"", "connection 'db': port must be a whole number"),
    ("dbnam = \"x\"", "connection 'db': unknown postgres option 'dbnam'"),
])
def test_postgres_options_are_checked(options: str, expected: str) -> None:
    text = f'[connections.db]\nbackend = "postgres"\n{options}\n'
    import tomllib

    [problem] = check_connections(tomllib.loads(text)["connections"], "chartspec.toml", text)
    assert problem.message.startswith(expected)


def test_band_extents_and_aggregates_run_in_postgres_then_its_m4(project: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # more rows than the (lowered) drawing limit: the DuckDB build aggregates in its engine
    # (engineagg.py); Postgres runs the same aggregate, then cuts the 60,000 aggregated rows with M4
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "50000")
    remote, warehouse = pair(project, "bands", BANDS, "db")
    pg_module.FETCHES.clear()
    spec = load(remote)
    check_bands(spec, load(warehouse), pg_module.FETCHES, rows=ROWS, steps=60_000, out=tmp_path)


def test_an_ema_beyond_the_drawing_limit_streams_every_row_in_batches(project: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # EMA is a recursion along each run: every row comes back, 10,000 at a time through a
    # server-side cursor, into the engine, which smooths and cuts them as it does a DuckDB file's
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "50000")
    monkeypatch.setattr(pg_module, "STREAM_ROWS", 10_000)
    ema = SPEC + "    smooth: {ema: 0.9}\n"
    remote, warehouse = pair(project, "ema", ema, "db")
    pg_module.FETCHES.clear()
    spec = load(remote)
    assert pg_module.FETCHES == [{"rows": ROWS, "full": ROWS, "streamed": 1, "batches": ROWS // 10_000}]
    local = load(warehouse)
    assert spec.table.reduced_from == local.table.reduced_from == ROWS  # then cut by M4 here
    assert _rows(spec) == _rows(local)
    svg = save(spec, tmp_path / "db.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


def test_a_band_beside_the_runs_lines_aggregates_in_postgres_and_cuts_the_lines_too(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the usual chart: a minmax band over the runs, and each run's line from the chart's table
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "50000")
    band = SPEC.replace("layers:\n", "layers:\n  - {mark: errorband, name: range, y: {field: loss}, band: {extent: minmax}}\n")
    remote, warehouse = pair(project, "band_lines", band, "db")
    pg_module.FETCHES.clear()
    spec = load(remote)
    lines, aggregated = pg_module.FETCHES
    assert (lines["full"], aggregated["full"]) == (ROWS, 60_000)
    assert lines["rows"] <= 4 * m4_columns(spec.model, 1.0, 2) * 2
    assert aggregated["rows"] <= 4 * m4_columns(spec.model, 1.0, 3) * 3
    local = load(warehouse)
    assert _rows(spec) == _rows(local)
    svg = save(spec, tmp_path / "db.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


@pytest.fixture(scope="module")
def holes(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs of 20,000 steps: ``outage`` with run1's loss NULL for 6,000 steps (a logging outage),
    ``nans`` with run0's NaN for 100 steps, ``resumed`` with 1,000 of run0's steps logged twice; the
    same rows in a DuckDB file and in Postgres."""
    import pyarrow as pa

    root = tmp_path_factory.mktemp("pgholes")
    steps = [i // 2 for i in range(40_000)]
    runs = [f"run{i % 2}" for i in range(40_000)]
    loss = [1 + i % 2 + 0.5 ** (i / 8000) + (i * 7919 % 50) / 500 for i in range(40_000)]
    outage = [None if r == "run1" and 6000 <= s < 12000 else v for s, r, v in zip(steps, runs, loss, strict=True)]
    nans = [float("nan") if r == "run0" and 15000 <= s < 15100 else v for s, r, v in zip(steps, runs, loss, strict=True)]
    # run0 resumed from a checkpoint: steps 9,000-9,999 logged again
    resumed = [s - 1000 if r == "run0" and s >= 10_000 else s for s, r in zip(steps, runs, strict=True)]
    for name, xs, values in (("outage", steps, outage), ("nans", steps, nans), ("resumed", resumed, loss)):
        store(pa.table({"step": pa.array(xs, pa.int64()), "run": runs, "loss": pa.array(values, pa.float64())}),
              root, name, duckdb="metrics.duckdb", postgres=postgres)
    (root / "chartspec.toml").write_text(connections(postgres=postgres.port))
    return root


@pytest.mark.parametrize("name", ["outage", "nans", "resumed"])
def test_holes_and_repeated_steps_are_drawn_as_the_duckdb_file_draws_them(holes: Path, tmp_path: Path,
                                                                         name: str) -> None:
    # the rows without a loss leave a hole in one run: steps.py breaks its line there (a __piece_0
    # column); a repeated step draws the row logged last, with a note. Postgres does both
    # (ibissteps.py) before its M4: a few rows per pixel column and run come back, not 40,000
    remote, warehouse = pair(holes, name, SPEC.replace("metrics", name), "db")
    pg_module.FETCHES.clear()
    spec = load(remote)
    [fetched] = pg_module.FETCHES
    assert fetched["full"] == 40_000 and fetched["rows"] <= 4 * m4_columns(spec.model, 1.0, 2) * 2, fetched
    local = load(warehouse)
    assert ("__piece_0" in local.table.columns) == ("__piece_0" in spec.table.columns) == (name != "resumed")
    assert [n.message.replace("of db:", "of warehouse:") for n in spec.table.notes] == [
        n.message for n in local.table.notes]
    assert bool(spec.table.notes) == (name == "resumed")
    assert spec.table.reduced_from == local.table.reduced_from == 40_000
    assert _rows(spec) == _rows(local)
    svg = save(spec, tmp_path / "db.svg").read_bytes()
    assert b"<path" in svg and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


def test_a_log_y_line_keeps_its_smallest_values_above_zero_in_postgres(project: Path) -> None:
    # the loss crosses zero: a column near a crossing holds negatives, which a log scale leaves out;
    # Postgres's cut keeps the smallest value above zero of each column, as DuckDB's does
    remote, warehouse = pair(project, "logy", SPEC.replace("{field: loss}", "{field: loss, scale: log}"), "db")
    assert "scale: log" in remote.read_text()
    pg_module.FETCHES.clear()
    remote_spec = load(remote)
    assert pg_module.FETCHES[-1]["rows"] < ROWS // 4  # cut in Postgres
    check_log_cut(remote_spec, load(warehouse), ("db:", "warehouse:"))


def test_a_data_driven_hline_on_rows_postgres_cut_is_refused_not_drawn_at_their_mean(project: Path) -> None:
    # Postgres sends only its M4's picks: their mean (0.0758 here) is not the data's (0.0772), so the
    # statistic is refused rather than drawn at a false value; the local engine's is exact
    spec = LINES + "annotations:\n  - {hline: {aggregate: mean}}\n"
    db, warehouse = pair(project, "stat", spec, "db")
    local = load(warehouse)
    assert local.table.reduced_from == ROWS and local.model.annotations[0].y[0] == pytest.approx(0.0772064220183)
    err = load_error(db, db.read_text(encoding="utf-8"))
    message = err.diagnostics[0].message
    assert message.startswith("hline: cannot compute the mean of 'loss' in layer 'loss'") and (
        "its server sent only the rows it keeps for the drawing" in message), message


def test_reduce_false_too_large_is_blamed_at_its_reduce_key(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As for a file (data/reduceoff.py): the chart's 'reduce: false' at the chart's key, a layer's at its own."""
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", "50000")
    chart = "reduce: false\n" + SPEC.replace("NAME", "db")
    d = load_error(project / "off.yaml", chart).first
    assert (d.line, d.column, d.path) == (1, 9, ("reduce",)), d
    assert d.message.startswith(f"the chart would hand {ROWS:,} rows to Vega") and "remove 'reduce: false'" in (d.hint or "")
    d = load_error(project / "off.yaml", SPEC.replace("NAME", "db") + "    reduce: false\n").first
    assert d.path == ("layers", 0, "reduce") and d.message.startswith("layer 'loss'"), d
