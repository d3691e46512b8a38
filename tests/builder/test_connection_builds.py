"""Incremental builds of charts read from a connection (issue 16): what rebuilds them, the fetch
time in the manifest and in --json, offline by default, and no credential in any of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from chartspec import BuildOptions, build
from chartspec.builder.cache import MANIFEST_NAME

SPEC = "data: {connection: db, sql: 'select step, loss from metrics where step < 50'}\nx: {field: step}\n" \
       "layers: [{y: {field: loss}}]\n"
CSV_SPEC = "data: m.csv\nx: {field: step}\nlayers: [{y: {field: loss}}]\n"
CONFIG = '[connections.db]\nbackend = "duckdb"\npath = "metrics.duckdb"\n'


def _fill(path: Path, rows: int) -> None:
    con = duckdb.connect(str(path))
    con.execute(f"CREATE OR REPLACE TABLE metrics AS SELECT range AS step, range * 0.5 AS loss FROM range({rows})")
    con.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "chartspec.toml").write_text(CONFIG)
    _fill(root / "metrics.duckdb", 100)
    (root / "chart.yaml").write_text(SPEC)
    (root / "m.csv").write_text("step,loss\n1,2\n2,3\n")
    (root / "plain.yaml").write_text(CSV_SPEC)
    return root


def _build(root: Path, **options: object) -> dict[str, str]:
    report = build(root, BuildOptions(out=root.parent / "out", formats=("svg",), jobs=0, **options))  # type: ignore[arg-type]
    assert report.ok, str(report)
    return {r.target.shown.rsplit("/", 1)[-1]: r.status for r in report.results}


def _manifest(root: Path) -> dict:
    return json.loads((root.parent / "out" / MANIFEST_NAME).read_text())


def _entry(root: Path) -> dict:
    return next(e for name, e in _manifest(root)["specs"].items() if name.endswith("chart.yaml"))


def test_the_manifest_records_when_the_data_was_fetched(project: Path) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    assert _build(project) == {"chart.yaml": "built", "plain.yaml": "built"}
    [fetched] = _entry(project)["fetched"]
    assert fetched["connection"] == "db" and fetched["files"] == ["../proj/metrics.duckdb"]
    assert fetched["at"].endswith("Z")
    assert before <= datetime.fromisoformat(fetched["at"].replace("Z", "+00:00")) <= datetime.now(UTC)
    # the database file is keyed by its size and time, not hashed: it is no byte-hashed input
    assert "../proj/metrics.duckdb" not in _entry(project)["inputs"]
    assert not any("fetched" in e for n, e in _manifest(project)["specs"].items() if n.endswith("plain.yaml"))
    assert _build(project) == {"chart.yaml": "up-to-date", "plain.yaml": "up-to-date"}


def test_new_data_in_the_duckdb_file_rebuilds_without_refresh(project: Path) -> None:
    _build(project)
    svg = (project.parent / "out" / "chart.svg").read_bytes()
    _fill(project / "metrics.duckdb", 30)  # fewer rows: a different chart
    assert _build(project) == {"chart.yaml": "built", "plain.yaml": "up-to-date"}
    assert (project.parent / "out" / "chart.svg").read_bytes() != svg


def test_a_changed_query_or_connection_setting_rebuilds_an_unrelated_one_does_not(project: Path) -> None:
    _build(project)
    (project / "chart.yaml").write_text(SPEC.replace("step < 50", "step < 40"))
    assert _build(project)["chart.yaml"] == "built"
    (project / "chartspec.toml").write_text(CONFIG + '\n[connections.other]\nbackend = "duckdb"\npath = "x.duckdb"\n')
    assert _build(project)["chart.yaml"] == "up-to-date"  # another connection changed, not this one
    (project / "copy.duckdb").write_bytes((project / "metrics.duckdb").read_bytes())
    (project / "chartspec.toml").write_text(CONFIG.replace("metrics.duckdb", "copy.duckdb"))
    assert _build(project)["chart.yaml"] == "built"
    assert _entry(project)["fetched"][0]["files"] == ["../proj/copy.duckdb"]


def test_refresh_fetches_again_only_the_specs_that_read_a_connection(project: Path) -> None:
    _build(project)
    first = _entry(project)["fetched"][0]["at"]
    assert _build(project, refresh=True) == {"chart.yaml": "built", "plain.yaml": "up-to-date"}
    assert _entry(project)["fetched"][0]["at"] >= first
    assert _build(project) == {"chart.yaml": "up-to-date", "plain.yaml": "up-to-date"}


def _age(project: Path, hours: float) -> None:
    """Pretend the data was fetched ``hours`` ago."""
    manifest = _manifest(project)
    at = (datetime.now(UTC) - timedelta(hours=hours)).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    for name, entry in manifest["specs"].items():
        if name.endswith("chart.yaml"):
            entry["fetched"][0]["at"] = at
    (project.parent / "out" / MANIFEST_NAME).write_text(json.dumps(manifest))


def test_a_refresh_period_in_the_config_fetches_again_once_it_has_passed(project: Path) -> None:
    (project / "chartspec.toml").write_text(CONFIG + 'refresh = "1h"\n')
    _build(project)
    _age(project, 0.5)
    assert _build(project)["chart.yaml"] == "up-to-date"  # half an hour: still fresh
    _age(project, 2)
    assert _build(project) == {"chart.yaml": "built", "plain.yaml": "up-to-date"}
    assert _build(project)["chart.yaml"] == "up-to-date"  # just fetched
    # the period is read from the config as it is now, and is no setting of the data: no rebuild
    (project / "chartspec.toml").write_text(CONFIG + 'refresh = "3h"\n')
    _age(project, 2)
    assert _build(project)["chart.yaml"] == "up-to-date"


@pytest.mark.parametrize(("value", "message"), [
    ('"soon"', "refresh must be a period such as \"30m\", \"1h\" or \"1d\", not 'soon'"),
    ('"0h"', "refresh must be a period"),
    ("3600", "refresh must be a period"),
])
def test_a_bad_refresh_period_is_a_positioned_config_error(project: Path, run_cli, value: str,  # type: ignore[no-untyped-def]
                                                           message: str) -> None:
    # at the refresh key's line (4), not the [connections.db] line; a later table's key is not it
    (project / "chartspec.toml").write_text(CONFIG + f"  refresh = {value}\n\n[connections.b]\nbackend = \"duckdb\"\n"
                                            'path = "metrics.duckdb"\nrefresh = "1h"\n')
    proc = run_cli("build", project, "-o", project.parent / "out", "-f", "svg", cwd=project.parent)
    assert proc.returncode == 2, proc.stderr
    assert "proj/chartspec.toml:4:3: error: connection 'db': " + message in proc.stderr
    assert "a number and one of s, m, h, d" in proc.stderr


def test_an_unknown_connection_option_is_reported_at_its_key(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (project / "chartspec.toml").write_text(CONFIG + 'refrsh = "1h"\n')
    proc = run_cli("build", project, "-o", project.parent / "out", "-f", "svg", cwd=project.parent)
    assert proc.returncode == 2, proc.stderr
    assert "proj/chartspec.toml:4:1: error: connection 'db': unknown duckdb option 'refrsh'" in proc.stderr


def test_a_broken_connection_no_spec_names_is_never_opened(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "chartspec.toml").write_text(
        '[connections.gone]\nbackend = "duckdb"\npath = "missing.duckdb"\n\n'
        '[connections.cluster]\nbackend = "pyspark"\nmaster = "spark://nowhere.invalid:7077"\n'
        'conf = {"spark.token" = "${CS_UNSET_TOKEN}"}\n')
    (tmp_path / "m.csv").write_text("step,loss\n1,2\n2,3\n")
    (tmp_path / "plain.yaml").write_text(CSV_SPEC)
    proc = run_cli("build", ".", "-o", "out", "-f", "svg", "--json", cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["counts"]["built"] == 1 and "fetched" not in report["specs"][0]
    assert (tmp_path / "out" / "plain.svg").is_file()


def test_json_reports_the_fetch_time_and_refresh_on_the_command_line(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    def run(*extra: str) -> dict:
        proc = run_cli("build", "proj", "-o", "out", "-f", "svg", "--json", *extra, cwd=project.parent)
        assert proc.returncode == 0, proc.stderr
        return {s["spec"]: s for s in json.loads(proc.stdout)["specs"]}

    first = run()
    assert set(first["proj/chart.yaml"]["fetched"]) == {"db"} and "fetched" not in first["proj/plain.yaml"]
    again = run()  # up to date: the time the outputs' data was fetched
    assert again["proj/chart.yaml"]["status"] == "up-to-date"
    assert again["proj/chart.yaml"]["fetched"] == first["proj/chart.yaml"]["fetched"]
    refreshed = run("--refresh")
    assert {s: r["status"] for s, r in refreshed.items()} == {"proj/chart.yaml": "built", "proj/plain.yaml": "up-to-date"}
    assert refreshed["proj/chart.yaml"]["fetched"]["db"] >= first["proj/chart.yaml"]["fetched"]["db"]


def test_watch_follows_a_database_file_outside_the_folder_built(tmp_path: Path) -> None:
    from chartspec.cli.watch import watched_roots

    (tmp_path / "chartspec.toml").write_text(CONFIG.replace("metrics.duckdb", "data/metrics.duckdb"))
    (tmp_path / "data").mkdir()
    _fill(tmp_path / "data" / "metrics.duckdb", 20)
    (tmp_path / "specs").mkdir()
    (tmp_path / "specs" / "chart.yaml").write_text(SPEC)
    report = build(tmp_path / "specs", BuildOptions(out=tmp_path / "out", formats=("svg",), jobs=0))
    assert report.ok, str(report)
    roots = watched_roots([tmp_path / "specs"], report)
    assert any((tmp_path / "data" / "metrics.duckdb").is_relative_to(r) for r in roots)


def test_a_forged_manifest_naming_a_pipe_as_config_is_stale_not_a_hang(project: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    import os

    _build(project)
    (project.parent / "forged").mkdir()
    os.mkfifo(project.parent / "forged" / "chartspec.toml")
    manifest = _manifest(project)
    for name, entry in manifest["specs"].items():
        if name.endswith("chart.yaml"):
            entry["fetched"][0]["config"] = "../forged/chartspec.toml"
    (project.parent / "out" / MANIFEST_NAME).write_text(json.dumps(manifest))
    proc = run_cli("build", "proj", "-o", "out", "-f", "svg", "--json", cwd=project.parent, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert {s["spec"]: s["status"] for s in json.loads(proc.stdout)["specs"]} == {
        "proj/chart.yaml": "built", "proj/plain.yaml": "up-to-date"}
    assert _entry(project)["fetched"][0]["config"] == "../proj/chartspec.toml"


def test_a_setting_switched_through_the_environment_rebuilds(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``path = "${DBFILE}"``: a breaker switched DBFILE between two files of one size and time and
    got "nothing to do" (the digest hashed the setting as written)."""
    import os

    for name, factor in (("metrics.duckdb", 0.5), ("other.duckdb", 0.7)):  # one shape, other values
        (project / name).unlink(missing_ok=True)
        con = duckdb.connect(str(project / name))
        con.execute(f"CREATE TABLE metrics AS SELECT range AS step, range * {factor} AS loss FROM range(100)")
        con.close()
    for name in ("metrics.duckdb", "other.duckdb"):
        os.utime(project / name, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    assert (project / "metrics.duckdb").stat().st_size == (project / "other.duckdb").stat().st_size
    (project / "chartspec.toml").write_text(CONFIG.replace('"metrics.duckdb"', '"${CS_DBFILE}"'))
    monkeypatch.setenv("CS_DBFILE", "metrics.duckdb")
    _build(project)
    svg = (project.parent / "out" / "chart.svg").read_bytes()
    assert _build(project)["chart.yaml"] == "up-to-date"
    monkeypatch.setenv("CS_DBFILE", "other.duckdb")
    assert _build(project)["chart.yaml"] == "built"
    assert (project.parent / "out" / "chart.svg").read_bytes() != svg


def test_a_credential_is_never_hashed_into_the_manifest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The manifest may be published with the charts: a short hash of a weak password can be
    searched for, so credential options count as written; the host they switch does count."""
    from chartspec.data.connections import settings_digest

    raw = {"backend": "postgres", "host": "${CS_HOST}", "password": "${CS_PASSWORD}",
           "conf": {"spark.some.token": "${CS_PASSWORD}"}}
    monkeypatch.setenv("CS_HOST", "staging")
    monkeypatch.setenv("CS_PASSWORD", "hunter2")
    first = settings_digest(raw)
    monkeypatch.setenv("CS_PASSWORD", "hunter3")
    assert settings_digest(raw) == first
    monkeypatch.setenv("CS_HOST", "prod")
    assert settings_digest(raw) != first
