"""A spec's Spark SQL reads the connection's tables and nothing of the machine (data/sparkguard.py).

A breaker's finding: ``'${env:PGPASSWORD}'`` in a spec's sql came back as the secret (Spark's
parser substitutes variables), written into the SVG and the Vega-Lite unmasked. The same reach:
``reflect('java.lang.System', 'getenv', ...)`` calls Java, ``text.`/etc/passwd``` and
``read_files`` read files, commands change the session or load code. Each is refused with the
spec's position, or (substitution, SQL on files) switched off in the session.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load_error, write_tree

import chartspec

SECRET = "tok_SECRET_123"


@pytest.fixture
def project(tmp_path: Path, spark: object, monkeypatch: pytest.MonkeyPatch) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setenv("CS_GUARD_TOKEN", SECRET)
    pq.write_table(pa.table({"step": [0, 1, 2], "loss": [1.0, 0.5, 0.25]}), tmp_path / "m.parquet")
    write_tree(tmp_path, {"chartspec.toml": ('[connections.cluster]\nbackend = "pyspark"\nmaster = "local[2]"\n'
                                             'tables = {metrics = "m.parquet"}\n'),
                          "secret.txt": SECRET + "\n"})
    return tmp_path


def _spec(sql: str) -> str:
    return f'data: {{connection: cluster, sql: "{sql}"}}\nx: {{field: step}}\nlayers: [{{y: {{field: loss}}}}]\n'


@pytest.mark.parametrize(("sql", "why"), [
    ("select step, reflect('java.lang.System', 'getenv', 'CS_GUARD_TOKEN') as loss from metrics", "reflect()"),
    ("select step, loss from metrics where java_method('java.lang.System', 'getenv', 'HOME') is not null",
     "java_method()"),
    ("with t as (select step, loss, try_reflect('java.lang.System', 'getenv', 'X') as r from metrics) "
     "select step, loss from t", "try_reflect()"),
    ("select step, loss from metrics where step in (select length(reflect('java.lang.System', 'getenv', 'X')))",
     "reflect()"),
    ("select 1 as step, length(value) as loss from read_files('secret.txt', format => 'text')", "read_files()"),
    ("select 1 as step, xpath_int('<a>1</a>', 'a') as loss", "xpath_int()"),
    ("SET spark.sql.variable.substitute=true", "command (SetCommand)"),
    ("ADD JAR /tmp/x.jar", "command (AddJarsCommand)"),
])
def test_queries_reaching_outside_the_tables_are_refused_at_the_sql(project: Path, sql: str, why: str) -> None:
    [diag] = load_error(project / "q.yaml", _spec(sql)).diagnostics
    assert diag.line == 1 and diag.column is not None and diag.column > 1
    assert diag.message.startswith("the query is refused: ") and why in diag.message
    assert SECRET not in diag.message


def test_variables_are_not_substituted_into_the_query(project: Path) -> None:
    spec = chartspec.loads(_spec("select step, loss, '${env:CS_GUARD_TOKEN}' as a from metrics")
                           .replace("layers: [{y: {field: loss}}]", "layers: [{y: {field: loss}, mark: text, text: a}]"),
                           path=project / "q.yaml")
    svg = chartspec.save(spec, project / "q.svg").read_bytes()
    vl = chartspec.save(spec, project / "q.vl.json").read_text()
    assert SECRET.encode() not in svg and SECRET not in vl
    assert "${env:CS_GUARD_TOKEN}" in vl  # the text as written, a plain string


def test_files_cannot_be_queried_as_tables(project: Path) -> None:
    err = load_error(project / "q.yaml", _spec(f"select 1 as step, length(value) as loss from text.`{project}/secret.txt`"))
    assert "the query failed in 'cluster'" in err.diagnostics[0].message
    assert SECRET not in str(err)


# A local session runs on the build machine: the absolute path of the file a row came from, the
# user the session runs as and Spark's version are about the machine, not the tables. ``user`` and
# ``current_user`` without parentheses become functions only when Spark analyses the query.
@pytest.mark.parametrize(("sql", "why"), [
    ("select step, loss, input_file_name() as a from metrics", "input_file_name()"),
    ("select step, loss, a from metrics, (select input_file_name() as a from metrics limit 1)", "input_file_name()"),
    ("select step, loss, current_user() as a from metrics", "current_user()"),
    ("select step, loss, current_user as a from metrics", "current_user tells about the machine"),
    ("select step, loss, user as a from metrics", "current_user tells about the machine"),
    ("select step, loss, session_user() as a from metrics", "session_user()"),
    ("select step, loss, version() as a from metrics", "version()"),
])
def test_what_tells_about_the_machine_is_refused(project: Path, sql: str, why: str) -> None:
    [diag] = load_error(project / "q.yaml", _spec(sql)).diagnostics
    assert diag.message.startswith("the query is refused: ") and why in diag.message
    assert str(project) not in diag.message


def test_a_column_named_user_is_still_a_column(project: Path) -> None:
    vl = chartspec.to_vegalite(chartspec.loads(_spec("select step, loss, user from (select step, loss, 'u1' as user "
                                                     "from metrics)"), path=project / "q.yaml"))
    assert vl


def test_spark_logs_errors_only_unless_the_connection_configures_log4j() -> None:
    """Spark's default profile printed its start-up warnings on every build's stderr."""
    from chartspec.data.spark import SPARK_LOG_CONFIG, quiet_driver

    text = SPARK_LOG_CONFIG.read_text()
    assert "rootLogger.level = error" in text and "org.apache.spark.repl.Main" in text
    conf = quiet_driver({"spark.executor.memory": "1g", "spark.driver.extraJavaOptions": "-Xss4m"})
    assert conf["spark.executor.memory"] == "1g"
    assert conf["spark.driver.extraJavaOptions"] == f"-Xss4m -Dlog4j2.configurationFile={SPARK_LOG_CONFIG.as_uri()}"
    own = {"spark.driver.extraJavaOptions": "-Dlog4j2.configurationFile=file:/etc/mine.properties"}
    assert quiet_driver(own) == own
