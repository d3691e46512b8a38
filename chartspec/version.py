"""chartspec's version (a module of its own so every stage can read it without a cycle).

The one place it is written: the package's metadata takes it from here (``[tool.hatch.version]``
in pyproject.toml), and reading it costs no import of ``importlib.metadata`` at start-up.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
