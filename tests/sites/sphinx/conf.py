project = "chartspec Sphinx example"
extensions = ["chartspec.integrations.sphinx_ext"]
exclude_patterns = ["_build"]
html_theme = "alabaster"
