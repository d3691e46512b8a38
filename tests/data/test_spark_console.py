"""A build reading a Spark connection prints chartspec's messages only (data/sparkconsole.py).

Before: every such build printed "WARNING: Using incubator modules: jdk.incubator.vector" (the
JVM's own, before log4j starts), then "Setting default log level to "WARN"." and "To adjust
logging level ..." (the log4j profile named the wrong logger for PySpark's start) on the user's
terminal. Spark's console now goes to a file in the temporary folder, removed at exit; when Spark
does not start, the error quotes the line that says why.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import RunCli, write_tree

SPEC = "data: {connection: cluster, table: metrics}\nx: {field: step}\nlayers: [{y: {field: loss}}]\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path / "proj"
    write_tree(root, {"chartspec.toml": ('[connections.cluster]\nbackend = "pyspark"\nmaster = "local[1]"\n'
                                         'tables = {metrics = "m.parquet"}\n'), "q.yaml": SPEC})
    pq.write_table(pa.table({"step": [0, 1, 2], "loss": [1.0, 0.5, 0.25]}), root / "m.parquet")
    (tmp_path / "tmp").mkdir()
    return root


def test_a_spark_build_prints_only_chartspec_s_lines(project: Path, run_cli: RunCli) -> None:
    scratch = project.parent / "tmp"
    proc = run_cli("build", project / "q.yaml", "-o", project / "out", "-f", "svg", cwd=project,
                   env={"TMPDIR": str(scratch)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # nothing of Spark's: no incubator warning, no log level notice, no WARN line
    assert [line.split()[0] for line in proc.stdout.splitlines()] == ["built", "1"], proc.stdout
    assert (project / "out" / "q.svg").read_text().startswith("<svg")
    assert list(scratch.iterdir()) == []  # Spark's console file went with the build


def test_spark_that_does_not_start_is_explained_from_its_console(project: Path, run_cli: RunCli) -> None:
    scratch = project.parent / "tmp"
    proc = run_cli("build", project / "q.yaml", "-o", project / "out", "-f", "svg", cwd=project,
                   env={"TMPDIR": str(scratch), "JAVA_HOME": str(project / "no-java")})
    assert proc.returncode == 1
    lines = proc.stderr.splitlines()
    assert lines[0].startswith("q.yaml:1:20: error: cannot reach Spark for connection 'cluster'"), proc.stderr
    hint = next(line for line in lines if line.lstrip().startswith("hint:"))
    assert "Spark said: " in hint and "no-java/bin/java: No such file or directory" in hint
    assert not [line for line in lines if "spark-class" in line and "hint:" not in line]  # only inside the hint
    assert list(scratch.iterdir()) == []
