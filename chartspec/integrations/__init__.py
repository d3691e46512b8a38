"""Documentation-site integrations: charts written in Markdown or reStructuredText pages.

Each lives in its own module and needs its own optional extra:

- :mod:`chartspec.integrations.mkdocs_plugin` (``pip install 'chartspec[mkdocs]'``): the
  ``chartspec`` MkDocs plugin.
- :mod:`chartspec.integrations.sphinx_ext` (``pip install 'chartspec[sphinx]'``): the
  ``.. chartspec::`` Sphinx directive.
- :mod:`chartspec.integrations.markdown_ext` (``pip install 'chartspec[markdown]'``): a
  Python-Markdown extension and a pymdownx.superfences custom fence, for other site tools.

They share :mod:`chartspec.integrations.common`: loading a spec given inline or by file with
errors positioned in the page, a cache of rendered charts, and the one shared Vega bundle.
"""
