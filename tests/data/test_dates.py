"""Dates as text in temporal fields become UTC epoch milliseconds in the data stage (data/dates.py).

Vega reads ``2024-03-01T18:00`` in the reader's time zone; chartspec's hover spans and annotations
read it as UTC. Every form the data may hold a time in must reach Vega as the same instant: ISO
text with and without an offset, dates alone, epoch numbers, Parquet timestamps with and without a
zone, JSON strings, for small tables read in Python and for engine tables alike.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import write_tree

import chartspec
from chartspec.data import engine
from chartspec.data.isodate import iso_ms, iso_sql
from chartspec.errors import ChartspecError

EVENING = 1709316000000  # 2024-03-01T18:00Z
DAY = 86_400_000
LINE = "layers:\n  - {mark: line, y: {field: v}}\n"


def _values(vl: dict[str, Any], field: str = "at") -> list[Any]:
    return [row[field] for row in vl["data"]["values"]]


def _compile(tmp_path: Path, files: dict[str, str], spec: str) -> dict[str, Any]:
    write_tree(tmp_path, {"chartspec.toml": "", **files, "s.yaml": spec})
    return chartspec.to_vegalite(tmp_path / "s.yaml")


def _errors(tmp_path: Path, files: dict[str, str], spec: str) -> list[str]:
    with pytest.raises(ChartspecError) as err:
        _compile(tmp_path, files, spec)
    return [f"{d.line}:{d.column}: {d.message}" for d in err.value.diagnostics]


@pytest.mark.parametrize(("text", "ms"), [
    ("2024-03-01", EVENING - 18 * 3_600_000),  # a date alone: midnight UTC, as Vega reads it
    ("2024-03-01T18:00", EVENING),  # no offset: UTC, not the reader's zone
    ("2024-03-01 18:00:00", EVENING),
    ("2024-03-01T18:00Z", EVENING),
    ("2024-03-01T23:30+05:30", EVENING),  # converted to UTC
    ("2024-03-01T11:00-0700", EVENING),
    ("2024-03-02T08:00:00.250+14:00", EVENING + 250),
    (" 2024-03-01T18:00 ", EVENING),  # blanks around a cell, as numbers.py trims them
    ("1969-12-31T23:59:59.999", -1),
])
def test_iso_text_is_a_utc_instant(text: str, ms: int) -> None:
    assert iso_ms(text) == ms


@pytest.mark.parametrize("text", ["2024-02-30", "2023-02-29", "0000-01-01", "2024-03-01T24:00", "2024/03/01",
                                  "03/01/2024", "2024-03-01Z", "2024-3-1", "Mar 1, 2024", "2024-03-01T18", "hello"])
def test_other_text_is_no_date(text: str) -> None:
    with pytest.raises(ValueError):
        iso_ms(text)


def test_the_engine_reads_iso_text_as_python_does() -> None:
    """The SQL of the rule against the Python, value for value, on a covering set of texts."""
    import duckdb

    dates = ["2024-02-29", "2023-02-29", "2024-02-30", "2024-04-31", "2024-12-31", "0000-06-01", "0001-01-01",
             "9999-12-31", "1969-12-31", "2024-13-01", "2024-00-10", "2024-1-01"]
    times = ["", "T00:00", " 23:59", "T24:00", "T18:00:59", "T18:00:60", "T18:00:00.5", "T18:00:00.123456789",
             "T18:00:00.1234567891", "T18:0", "t18:00"]
    zones = ["", "Z", "+05:30", "-0700", "+14:00", "+24:00", "-00:60", "z"]
    texts = ["".join(p) for p in itertools.product(dates, times, zones)] + [" 2024-03-01 ", "", "x", "2024-03-01 "]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[t] for t in texts])
    got = dict(con.execute(f"SELECT v, {iso_sql('trim(v)')} FROM t").fetchall())

    def python(text: str) -> float | None:
        try:
            return float(iso_ms(text))
        except ValueError:
            return None

    assert {t: got[t] for t in texts} == {t: python(t) for t in texts}
    assert sum(v is not None for v in got.values()) > 100  # the set covers dates, not only refusals


@pytest.mark.parametrize(("header", "rows", "expected"), [
    ("at,v", ["2024-03-01T18:00,1", "2024-03-02T18:00,3"], [EVENING, EVENING + DAY]),
    ("at,v", ["2024-03-01 18:00:00,1", "2024-03-02 18:00:00,3"], [EVENING, EVENING + DAY]),
    ("at,v", ["2024-03-01T23:30+05:30,1", "2024-03-02T18:00Z,3"], [EVENING, EVENING + DAY]),
    ("at,v", ["2024-03-01,1", "2024-03-02,3"], [EVENING - 18 * 3_600_000, EVENING + 6 * 3_600_000]),
    ("at,v", [f"{EVENING},1", f"{EVENING + DAY},3"], [EVENING, EVENING + DAY]),  # epoch numbers as they are
    ("at,v", ["2024-03-01T18:00,1", ",2"], [EVENING, None]),  # an empty cell stays missing
])
def test_a_small_csv_reaches_vega_as_epoch_ms(tmp_path: Path, header: str, rows: list[str],
                                              expected: list[Any]) -> None:
    vl = _compile(tmp_path, {"d.csv": "\n".join([header, *rows]) + "\n"},
                  "data: {path: d.csv}\nx: {field: at, type: temporal}\n" + LINE)
    assert _values(vl) == expected


def test_json_inline_and_layer_data_are_made_utc_too(tmp_path: Path) -> None:
    rows = [{"at": "2024-03-01T18:00", "v": 1}, {"at": "2024-03-02T04:00+10:00", "v": 2}]
    spec = ("data: {path: d.json}\nx: {field: at, type: temporal}\nlayers:\n  - {mark: line, y: {field: v}}\n"
            '  - mark: point\n    name: own\n    y: {field: v}\n    data: {values: [{at: "2024-03-01T18:00", v: 5}]}\n')
    vl = _compile(tmp_path, {"d.json": json.dumps(rows)}, spec)
    assert _values(vl) == [EVENING, EVENING]
    own = [layer["data"]["values"] for layer in vl["layer"][0]["layer"] if "data" in layer]
    assert own == [[{"at": EVENING, "v": 5}]]
    inline = chartspec.to_vegalite(chartspec.loads('data: {values: [{at: "2024-03-01T18:00", v: 1}]}\n'
                                                   "x: {field: at, type: temporal}\n" + LINE))
    assert _values(inline) == [EVENING]


def test_a_temporal_y_is_made_utc_and_parse_still_wins(tmp_path: Path) -> None:
    spec = ('data: {path: d.csv, parse: {day: "%d/%m/%Y"}}\nx: {field: day, type: temporal}\n'
            "layers:\n  - {mark: point, y: {field: at, type: temporal}}\n")
    vl = _compile(tmp_path, {"d.csv": "day,at\n01/03/2024,2024-03-01T18:00\n"}, spec)
    assert vl["data"]["values"] == [{"day": EVENING - 18 * 3_600_000, "at": EVENING}]


def test_text_that_is_no_date_is_refused_at_the_axis_field(tmp_path: Path) -> None:
    spec = "data: {path: d.csv}\nx: {field: at, type: temporal}\n" + LINE
    assert _errors(tmp_path, {"d.csv": "at,v\n2024-03-01T18:00,1\n03/02/2024,2\n"}, spec) == [
        "2:12: row 2 of d.csv: '03/02/2024' in temporal field 'at' is not a date"]


def _big_csv(rows: list[str], header: str = "at,v") -> str:
    return "\n".join([header, *rows]) + "\n"


def test_engine_tables_are_made_utc_as_python_ones(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = ["2024-03-01T18:00", "2024-03-01 19:00:00.5", "2024-03-01T23:30+05:30", "2024-03-02", ""]
    csv = _big_csv([f"{t},{i}" for i, t in enumerate(texts)])
    spec = "data: {path: d.csv}\nx: {field: at, type: temporal}\n" + LINE
    small = _values(_compile(tmp_path, {"d.csv": csv}, spec))
    monkeypatch.setattr(engine, "ENGINE_BYTES", 0)  # every file read by the engine
    assert _values(_compile(tmp_path, {"d.csv": csv}, spec)) == small == [
        EVENING, EVENING + 3_600_500, EVENING, EVENING + 6 * 3_600_000, None]
    bad = _big_csv(["2024-03-01T18:00,1", "2024-03-01T19:00,2", "soon,3"])
    assert _errors(tmp_path, {"d.csv": bad}, spec) == [
        "2:12: row 3 of d.csv: 'soon' in temporal field 'at' is not a date"]


@pytest.mark.parametrize("engine_read", [False, True])
def test_parquet_timestamps_with_and_without_a_zone_are_instants(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  engine_read: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    kolkata = dt.timezone(dt.timedelta(hours=5, minutes=30))
    table = pa.table({
        "naive": pa.array([dt.datetime(2024, 3, 1, 18)], pa.timestamp("ms")),
        "zoned": pa.array([dt.datetime(2024, 3, 1, 23, 30, tzinfo=kolkata)], pa.timestamp("us", tz="Asia/Kolkata")),
        "day": pa.array([dt.date(2024, 3, 1)], pa.date32()),
        "text": pa.array(["2024-03-01T23:30+05:30"]),
        "v": pa.array([1.0])})
    write_tree(tmp_path, {"chartspec.toml": ""})
    pq.write_table(table, tmp_path / "d.parquet")
    if engine_read:
        monkeypatch.setattr(engine, "ENGINE_BYTES", 0)
    for field in ("naive", "zoned", "text"):
        spec = f"data: {{path: d.parquet}}\nx: {{field: {field}, type: temporal}}\n" + LINE
        assert _values(_compile(tmp_path, {}, spec), field) == [EVENING], field
    spec = "data: {path: d.parquet}\nx: {field: day, type: temporal}\n" + LINE
    assert _values(_compile(tmp_path, {}, spec), "day") == [EVENING - 18 * 3_600_000]


def test_filters_annotations_and_ticks_read_dates_by_the_same_rule(tmp_path: Path) -> None:
    csv = "at,v\n2024-03-01T18:00,1\n2024-03-02T18:00,3\n2024-03-03T18:00,2\n"
    spec = ("data: {path: d.csv}\nx: {field: at, type: temporal, values: ['2024-03-02T06:00', '2024-03-03']}\n"
            "transform: [{filter: {field: at, gte: '2024-03-02T00:00+05:30'}}]\n"
            "annotations:\n  - {vline: '2024-03-02T12:00', label: noon}\n" + LINE)
    vl = _compile(tmp_path, {"d.csv": csv}, spec)
    line = vl["layer"][0]["layer"][0]
    assert line["transform"][0] == {"filter": {"field": "at", "gte": EVENING + DAY - 18 * 3_600_000 - 19_800_000}}
    assert line["encoding"]["x"]["axis"]["values"] == [EVENING + 12 * 3_600_000, EVENING + DAY + 6 * 3_600_000]
    rules = [lyr for lyr in vl["layer"][0]["layer"] if lyr.get("mark", {}).get("type") == "rule"]
    assert rules[0]["encoding"]["x"] == {"datum": EVENING + 18 * 3_600_000, "type": "temporal"}
    # the hover table spans the same instants the marks are drawn at
    hover = next(lyr for lyr in vl["layer"] if lyr.get("name") == "chartspec_interactive")
    assert [row["at"] for row in hover["data"]["values"]] == [EVENING + DAY, EVENING + 2 * DAY]


def test_dates_the_spec_writes_for_a_time_axis_must_be_dates(tmp_path: Path) -> None:
    csv = "at,v\n2024-03-01T18:00,1\n2024-03-02T18:00,3\n"
    spec = ("data: {path: d.csv}\nx: {field: at, type: temporal, values: ['2024-03-02', '03/01/2024']}\n"
            "transform: [{filter: {field: at, lt: 'tomorrow'}}]\n"
            "annotations:\n  - {vline: 'March 2'}\n" + LINE)
    assert _errors(tmp_path, {"d.csv": csv}, spec) == [
        "2:55: tick value '03/01/2024' is not a date",
        "3:38: 'tomorrow' is not a date in the format 'ISO 8601' of 'at'",
        "5:13: x 'March 2' is not a date"]
