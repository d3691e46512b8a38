"""Spark's console goes to a file, never to the build's: a build prints only chartspec's messages.

The driver's log4j settings (spark-log4j2.properties, passed by spark.py) quiet what Spark logs,
but not what is printed before or beside log4j: the JVM itself prints "WARNING: Using incubator
modules: jdk.incubator.vector" (Spark 4 starts it with ``--add-modules``; no JVM option silences
it), spark-class's shell prints why Java would not start, and a JVM's stray ``System.err`` lines.
PySpark's JVM inherits the Python process' stdout and stderr, so this process starts the JVM
itself (``launch_gateway``, with its output sent to ``chartspec-engine-<pid>-spark-*.log`` in the
temporary folder, removed at exit: chartspec/scratch.py) before the session is built; the
session then uses that JVM. When Spark does not start, :func:`reason` reads why from that file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["reason", "start_jvm"]

_LOG: list[str] = []
#: lines Spark prints on every start, which say nothing about a failure
_NOISE = ("WARNING: Using incubator modules", "Setting default log level", "To adjust logging level")


def start_jvm(settings: dict[str, str]) -> None:
    """Start Spark's JVM with ``settings`` (as ``--conf``), its console in a file, unless this
    process has one already (a session made by the caller's own code keeps its console)."""
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    if SparkContext._gateway is not None or "PYSPARK_GATEWAY_PORT" in os.environ:  # a JVM is there already
        return
    from ..scratch import new_file

    fd, path = new_file("spark", ".log")
    _LOG[:] = [path]
    try:
        conf = SparkConf(loadDefaults=False).setAll(list(settings.items()))
        gateway: Any = launch_gateway(conf, popen_kwargs={"stdout": fd, "stderr": fd})
    finally:
        os.close(fd)  # the JVM holds its own copy
    SparkContext._ensure_initialized(gateway=gateway)


def reason() -> str | None:
    """The first telling line of Spark's console (why it did not start), if it printed one."""
    if not _LOG:
        return None
    try:
        text = Path(_LOG[0]).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(_NOISE):
            return line[:300]
    return None
