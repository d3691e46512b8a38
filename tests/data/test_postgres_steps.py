"""The training-log rules in Postgres (issue 16): repeated steps from a resumed run, missing-y
stretches and holes are ruled in Postgres before its M4 (chartspec/data/ibissteps.py), so a few
rows per pixel column come back, and the chart is the DuckDB file's, byte for byte, note included.

The table is made by ``generate_series`` in the run's Postgres server (tests/pgserver.py); the
DuckDB file holds the very values Postgres holds, read back from it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pgserver import PASSWORD
from remotes import LINES, connections, pair, store

from chartspec import load, save
from chartspec.data import postgres as pg_module
from chartspec.data.reduce import m4_columns

#: rows generated; run1's outage removes 4,000 of them
GENERATED = 40_000
ROWS = GENERATED - 4_000
#: the most rows Vega may draw, set below the table's: rules Postgres could not run would fail the
#: chart ("need every row") rather than bring every row back; the DuckDB file's M4 does not read it
LIMIT = "30000"


@pytest.fixture(scope="module")
def logs(postgres: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two runs interleaved row by row (step = i / 2): run0 resumed from a checkpoint (after step
    10,000 it logs steps 9,000-9,999 again, later rows with other values), run0's loss NaN for
    100 steps at 16,000, run1 without rows for steps 12,000-15,999 (an outage) and with its loss
    NULL for steps 4,000-4,799; every 7th row has no loss (a sparse column, no hole)."""
    import pyarrow as pa

    root = tmp_path_factory.mktemp("pgsteps")
    with postgres.connect() as con:
        con.execute("DROP TABLE IF EXISTS logs")
        con.execute(f"""CREATE TABLE logs AS SELECT step, run, loss FROM (
            SELECT (CASE WHEN i % 2 = 0 AND i / 2 >= 10000 THEN i / 2 - 1000 ELSE i / 2 END)::bigint AS step,
                   'run' || (i % 2) AS run,
                   (CASE WHEN i % 2 = 1 AND i / 2 BETWEEN 4000 AND 4799 THEN NULL
                         WHEN i % 2 = 0 AND i / 2 BETWEEN 16000 AND 16099 THEN 'NaN'
                         WHEN i % 7 = 3 THEN NULL
                         ELSE (1 + i % 2 + exp(-i / 12000.0) + ((i::bigint * 7919) % 50) / 500.0)::text
                    END)::float8 AS loss, i
            FROM generate_series(0, {GENERATED - 1}) AS i) AS g
            WHERE NOT (i % 2 = 1 AND i / 2 BETWEEN 12000 AND 15999) ORDER BY i""")
        step, run, loss = zip(*con.execute("SELECT step, run, loss FROM logs").fetchall(), strict=True)
    store(pa.table({"step": pa.array(step, pa.int64()), "run": run, "loss": pa.array(loss, pa.float64())}), root,
          "logs", duckdb="metrics.duckdb")
    (root / "chartspec.toml").write_text(connections(postgres=postgres.port))
    return root


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CS_PGPASSWORD", PASSWORD)
    monkeypatch.setenv("CHARTSPEC_MAX_DRAWN_ROWS", LIMIT)


def _rows(spec: Any) -> list[tuple[str, ...]]:
    return [tuple(repr(v) for k, v in r.items() if k != "__piece_0") for r in spec.table.rows]


#: 100 px wide: 500 M4 columns a run, so M4 keeps at most a ninth of the 36,000 rows
SPEC = LINES.replace("metrics", "logs").replace("width: 300", "width: 100")


@pytest.mark.parametrize(("settings", "kept"), [
    ("", "later"),  # duplicates: last, gaps: auto
    ("    duplicates: first\n    gaps: break\n", "earlier"),  # rows without a loss break the line too
])
def test_holes_repeats_and_missing_y_are_ruled_in_postgres(logs: Path, tmp_path: Path, settings: str,
                                                           kept: str) -> None:
    remote, warehouse = pair(logs, f"logs_{kept}", SPEC + settings, "db")
    pg_module.FETCHES.clear()
    spec = load(remote)  # more rows than Vega can draw: before, this failed ("need every row")
    [fetched] = pg_module.FETCHES
    # M4 per run and pixel column in Postgres: not 36,000 rows
    assert fetched["full"] == ROWS and fetched["rows"] <= 4 * m4_columns(spec.model, 1.0, 2) * 2, fetched
    local = load(warehouse)
    assert spec.table.reduced_from == local.table.reduced_from == ROWS
    # the outage, the NULL and the NaN stretches break the lines: pieces, as steps.py numbers them
    assert "__piece_0" in spec.table.columns and "__piece_0" in local.table.columns
    pieces = {(r["run"], r["__piece_0"]) for r in spec.table.rows if r["__piece_0"] >= 0}
    assert pieces == {("run0", 0), ("run0", 1), ("run1", 0), ("run1", 1), ("run1", 2)}
    # the resumed run's 1,000 repeated steps (714 with a loss both times, the first 9002: 9000 and 9001
    # lack one once): the same note, word for word
    [note] = spec.table.notes
    assert note.message == ("714 rows of db: logs repeat an x value of series 'loss' (first at step 9002, "
                            f"run 'run0'); the {kept} rows are drawn")
    assert [n.message.replace("of db:", "of warehouse:") for n in spec.table.notes] == [
        n.message for n in local.table.notes]
    assert _rows(spec) == _rows(local)
    # pieces are numbered within each run here, across runs by steps.py: the same paths either way
    same = {(r["run"], p["__piece_0"], r["__piece_0"]) for r, p in zip(spec.table.rows, local.table.rows, strict=True)}
    assert len(same) == len({s[:2] for s in same}) == len({(s[0], s[2]) for s in same})
    svg = save(spec, tmp_path / "db.svg").read_bytes()
    assert svg.count(b"<path") >= 5 and svg == save(local, tmp_path / "warehouse.svg").read_bytes()


def test_a_log_without_holes_or_repeats_is_cut_without_pieces(logs: Path) -> None:
    # gaps: connect and duplicates: all need no order; the sparse column alone gives no piece
    remote, warehouse = pair(logs, "plain", SPEC + "    gaps: connect\n    duplicates: all\n", "db")
    pg_module.FETCHES.clear()
    spec = load(remote)
    local = load(warehouse)
    assert "__piece_0" not in spec.table.columns and "__piece_0" not in local.table.columns
    assert not spec.table.notes and not local.table.notes
    assert pg_module.FETCHES[0]["rows"] <= 4 * m4_columns(spec.model, 1.0, 2) * 2
    assert _rows(spec) == _rows(local)
