"""Stage 3, the compiler: a loaded spec in, a Vega-Lite specification out. Pure: no I/O.

In: a :class:`~chartspec.data.loader.Spec`. Out: a JSON-ready Vega-Lite dict
(:func:`~chartspec.compiler.vegalite.compile_vegalite`): axes and their placement, scales, the
merged legend, marks, annotations, facets and layouts, the hover layer, themes and the
``vega_lite:`` patch. Named ``compiler`` so the package does not shadow ``chartspec.compile``.

Imports only the stages below it: :mod:`chartspec.data`, :mod:`chartspec.spec`, :mod:`chartspec.errors`.
"""
