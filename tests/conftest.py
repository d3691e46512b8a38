"""Shared fixtures: the real CLI, the Vega-Lite schema, golden-file updating."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings
from playwright import sync_api
from remotes import connections

import chartspec

# Property tests draw the same examples on every run (CI must not pass or fail by the draw);
# CHARTSPEC_HYPOTHESIS=explore draws new ones, to hunt for inputs the fixed set misses.
settings.register_profile("fixed", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile("explore" if os.environ.get("CHARTSPEC_HYPOTHESIS") == "explore" else "fixed")

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "specs"
#: a plain Vega-Lite chart Vega takes a few seconds to draw (200,000 points), without running out of memory
SLOW_VEGA_LITE = json.dumps({
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "data": {"sequence": {"start": 0, "stop": 200000, "as": "i"}},
    "mark": "point", "encoding": {"x": {"field": "i", "type": "quantitative"},
                                  "y": {"field": "i", "type": "quantitative"}}})


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="rewrite expected.* golden files")


# a wrapper, whose part before the yield runs before every plain implementation: xdist's reads the
# groups (and names each test after its group) in its own plain hook, which tryfirst did not precede
@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> Iterator[None]:
    """Keep the tests that share an expensive fixture on one xdist worker (``--dist loadgroup``,
    pyproject.toml): a module-scoped fixture (the browser, a built site, a gallery build) is made
    once per module, a session-scoped one (the Spark JVM, the seed build) once per run, only if
    every test using it runs in the same worker. Tests linked by such fixtures form one group
    (a module whose tests use the session's Spark joins the "spark" group, and with it every other
    module using Spark); a test using only function-scoped fixtures goes to whichever worker is free."""
    parent: dict[str, str] = {}

    def find(key: str) -> str:
        while parent.setdefault(key, key) != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    keys: dict[int, list[str]] = {}
    for i, item in enumerate(items):
        info = getattr(item, "_fixtureinfo", None)
        found = []
        for name, defs in (info.name2fixturedefs.items() if info is not None else ()):
            fixture = defs[-1]
            if not fixture.baseid:  # pytest's and plugins' own (tmp_path_factory...): cheap
                continue
            if fixture.scope == "session":
                found.append(f"session-{name}")
            elif fixture.scope in ("module", "package", "class"):
                found.append(item.nodeid.split("::", 1)[0])
        for key in found[1:]:
            a, b = sorted((find(key), find(found[0])), key=lambda k: not k.startswith("session-"))
            parent[b] = a  # a session fixture names the group it joins
        keys[i] = found
    for i, item in enumerate(items):
        if keys[i]:
            item.add_marker(pytest.mark.xdist_group(find(keys[i][0])))
    result = yield
    # xdist 3.8 names a grouped test "ID@GROUP" (what its scheduler groups by) through Item._nodeid,
    # which pytest 9.2 no longer reads (the id is Item._id): without this, every test is on its own
    if getattr(config.option, "loadgroup", False):
        from _pytest.nodeid import NodeId

        for item in items:
            mark = item.get_closest_marker("xdist_group")
            if mark is not None and "@" not in item.nodeid:
                item._id = NodeId.parse(f"{item.nodeid}@{mark.args[0]}")
    return result


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def chartspec_exe() -> str:
    """The installed console script; the tests exercise the real entry point."""
    exe = Path(sys.executable).parent / "chartspec"
    found = str(exe) if exe.exists() else shutil.which("chartspec")
    if not found:
        raise RuntimeError("the 'chartspec' console script is not installed: run pip install '.[test]' first")
    return found


def chromium_path() -> str:
    """Debian's chromium for the browser tests. It is required: .ci/run installs it, and a run
    without it fails here rather than skipping the tests that need it."""
    for candidate in (os.environ.get("CHARTSPEC_CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium",
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.fail("the browser tests need Debian's chromium: run 'bash .ci/run', or 'apt-get install chromium'",
                pytrace=False)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian chromium driven by playwright, one per test module."""
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(),
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield chromium
        chromium.close()


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli() -> RunCli:
    def run(*args: str | Path, cwd: Path | None = None, timeout: float = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})}
        return subprocess.run([chartspec_exe(), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                              timeout=timeout, env=env)

    return run


@cache
def vega_lite_validator():  # type: ignore[no-untyped-def]
    """jsonschema validator for the Vega-Lite schema Altair ships (the official one)."""
    import altair
    import jsonschema

    path = Path(altair.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def assert_valid_vega_lite(spec: dict) -> None:  # type: ignore[type-arg]
    errors = sorted(vega_lite_validator().iter_errors(spec), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message[:300]}" for e in errors[:10])


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """specs/ built once through the real CLI, in every format, into a temporary folder."""
    out = tmp_path_factory.mktemp("seed_build")
    proc = subprocess.run([chartspec_exe(), "build", str(SPECS), "-o", str(out), "--format",
                           "html,svg,png,pdf,json"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out


def build_specs(out: Path, specs: list[Path], formats: str = "svg,json", *extra: str) -> Path:
    """Build ``specs`` into ``out`` through the real CLI (in-process rendering); returns ``out``."""
    proc = subprocess.run([chartspec_exe(), "build", *map(str, specs), "-o", str(out), "--format", formats, *extra],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def built_vegalite(out: Path, stem: str, *, hover: bool = False) -> dict:  # type: ignore[type-arg]
    """The ``NAME.vl.json`` a build wrote, checked against the Vega-Lite schema; without its hover
    layer (what SVG, PNG and PDF draw) unless ``hover``."""
    from chartspec.compiler.interactive import static_view

    vl = json.loads((out / f"{stem}.vl.json").read_text(encoding="utf-8"))
    assert_valid_vega_lite(vl)
    return vl if hover else static_view(vl)


def drawn_vegalite(spec: Any) -> dict:  # type: ignore[type-arg]
    """``chartspec.to_vegalite(spec)`` without the HTML's hover layer: what static outputs draw."""
    from chartspec.compiler.interactive import static_view

    return static_view(chartspec.to_vegalite(spec))


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` below ``root`` (folders made as needed); returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def files_under(folder: Path) -> set[str]:
    """The chart outputs below ``folder`` (relative, POSIX): not the build manifest, not the shared
    support files in ``_chartspec/`` (the Vega bundle, checked by its own tests)."""
    if not folder.exists():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and p.name != ".chartspec-manifest.json" and "_chartspec" not in p.relative_to(folder).parts}


def child_pids(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc): a build's workers."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except (OSError, ValueError, IndexError):
            pass
    return found


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    """One local Spark for the whole run, set up for small test jobs: a JVM start costs seconds,
    and the default 200 shuffle partitions turn each aggregation into 200 tasks. A test run is
    all cold start: the JVM's quick compiler alone (TieredStopAtLevel=1) took a third less CPU
    than the full JIT for the 2-million-row chart (27 s against 40-45 s). chartspec's own
    ``getOrCreate`` (data/spark.py) finds this session, so the code under test is the real path."""
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("chartspec-tests")
               .config("spark.sql.shuffle.partitions", "2").config("spark.default.parallelism", "2")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A throwaway PostgreSQL server for the whole run (tests/pgserver.py): fails if not installed."""
    import pgserver

    yield from pgserver.start()


#: a DuckDB file and the same table as Parquet under a local Spark (the connection tests)
WAREHOUSE_CONFIG = connections(spark={"metrics": "metrics.parquet"})


def make_warehouse(root: Path, spec: str, *, rows: int, runs: int, period: float) -> Path:
    """``root`` with WAREHOUSE_CONFIG, a table ``metrics`` (step, run, loss) of ``rows`` rows over
    ``runs`` runs in both stores, and ``warehouse.yaml`` / ``cluster.yaml``: ``spec`` with NAME set."""
    import duckdb

    (root / "chartspec.toml").write_text(WAREHOUSE_CONFIG)
    con = duckdb.connect(str(root / "metrics.duckdb"))
    # a noisy sine: distinct values, so every M4 pick is unique
    con.execute(f"CREATE TABLE metrics AS SELECT range // {runs} AS step, 'run' || (range % {runs}) AS run, "
                f"sin(range / {period}) + hash(range) % 1000 / 5000.0 AS loss FROM range({rows})")
    con.execute(f"COPY metrics TO '{root / 'metrics.parquet'}' (FORMAT parquet)")
    con.close()
    for name in ("warehouse", "cluster"):
        (root / f"{name}.yaml").write_text(spec.replace("NAME", name))
    return root


def load_error(spec: Path, text: str) -> chartspec.ChartspecError:
    """The error ``chartspec.load`` raises for ``text`` written to ``spec`` (fails if none)."""
    spec.write_text(text, encoding="utf-8")
    with pytest.raises(chartspec.ChartspecError) as caught:
        chartspec.load(spec)
    return caught.value
