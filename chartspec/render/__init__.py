"""Stage 4, rendering: a Vega-Lite dict in, the bytes of every output format out, written atomically.

In: a compiled Vega-Lite dict. Out: SVG, PNG, PDF, HTML pages and fragments and ``.vl.json``
through vl-convert (:func:`~chartspec.render.export.render`), chartspec's own HTML templates
(html.py) running the vendored Vega libraries (vegajs.py, vendor/), byte-stable PDFs
(pdfbytes.py) and all-or-nothing file writes (files.py).

Imports only the stages below it.
"""
