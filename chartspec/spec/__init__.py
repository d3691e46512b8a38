"""Stage 1, the spec: YAML text in, a validated, typed model out.

In: the bytes of a spec file (chartspec YAML, or plain Vega-Lite as YAML/JSON) and of theme files.
Out: :class:`~chartspec.spec.model.ChartSpec` (frozen dataclasses for every part of the language:
layers, axes, transforms, annotations, facets, bands, smoothing), the file's
:class:`~chartspec.spec.source.SourceMap` (line and column of every node) and positioned
:class:`~chartspec.errors.Diagnostic` records for what the JSON Schema refuses.

Nothing here reads data, compiles or renders; it imports only :mod:`chartspec.errors`.
"""
