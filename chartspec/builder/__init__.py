"""Stage 5, the build: paths in, every spec under them rendered (or reported) out.

Discovery of spec files and their output names (discover.py), build options and results
(options.py), one spec from file to outputs (target.py), the manifest that makes builds
incremental (cache.py), the worker processes (workers.py), project configuration from
``chartspec.toml`` / ``pyproject.toml`` (config.py), and the build itself (run.py). Named
``builder`` so the package does not shadow the public function ``chartspec.build``.

Never prints; imports only the stages below it.
"""
