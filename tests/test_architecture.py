"""The package layout: one sub-package per pipeline stage, imports one way, no cycles, small modules.

The layers themselves are import-linter's contract in pyproject.toml (``lint-imports``, run by
.ci/run); these tests check that the contract holds, that it would catch an upward import, that no
cycle hides in function-level or ``TYPE_CHECKING`` imports, and that the entry points users and
tools name still resolve.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from conftest import REPO

import chartspec

PACKAGE = Path(chartspec.__file__).resolve().parent
STAGES = ("spec", "data", "compiler", "render", "builder", "cli", "integrations")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every chartspec module ``path`` imports, at any depth of the file (functions and
    ``if TYPE_CHECKING:`` blocks included), resolved to module names."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: (_imports(path) & set(modules)) - {name} for name, path in modules.items()}


def test_every_stage_is_a_package_with_a_docstring() -> None:
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        assert init.is_file(), stage
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{stage}/__init__.py says nothing"


def test_no_import_cycle_anywhere() -> None:
    graph = _graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = path[path.index(nxt):] + [nxt] if nxt in path else [node, nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_no_stage_imports_the_top_level_package() -> None:
    """``chartspec/__init__.py`` imports every stage: a stage importing it back makes a cycle."""
    for name, imported in _graph().items():
        if name.count(".") >= 1 and name != "chartspec.__main__":
            assert "chartspec" not in imported, name


def test_modules_stay_small() -> None:
    sizes = {p.relative_to(PACKAGE).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
             for p in PACKAGE.rglob("*.py")}
    assert not {name: n for name, n in sizes.items() if n > MAX_LINES}


def _lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    assert exe.exists(), "import-linter is a test dependency: pip install '.[test]'"
    return subprocess.run([str(exe), "--config", str(REPO / "pyproject.toml")], cwd=root, capture_output=True,
                          text=True, env={"PYTHONPATH": str(root), "PATH": str(exe.parent)}, timeout=300)


def test_layers_contract_holds() -> None:
    result = _lint_imports(PACKAGE.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_layers_contract_refuses_an_upward_import(tmp_path: Path) -> None:
    """The contract is not vacuous: the spec stage importing the compiler breaks it."""
    copy = tmp_path / "chartspec"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    model = copy / "spec" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nfrom ..compiler import common  # noqa\n",
                     encoding="utf-8")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "chartspec.spec.model -> chartspec.compiler.common" in result.stdout


def test_entry_points_still_resolve() -> None:
    scripts = {ep.name: ep for ep in entry_points(group="console_scripts")}
    assert scripts["chartspec"].load() is importlib.import_module("chartspec.cli").main
    plugins = {ep.name: ep for ep in entry_points(group="mkdocs.plugins")}
    assert plugins["chartspec"].load().__name__ == "ChartspecPlugin"
    assert callable(importlib.import_module("chartspec.integrations.sphinx_ext").setup)
    assert importlib.import_module("chartspec.integrations.markdown_ext").ChartspecExtension
    result = subprocess.run([sys.executable, "-m", "chartspec", "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and chartspec.__version__ in result.stdout
