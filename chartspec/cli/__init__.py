"""The command line: a thin layer over the library (``chartspec build|validate|watch|serve|init|schema``).

The only package that prints (report.py) or exits. ``main`` is the console script's entry point.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
