"""The library API: load, validate, compile and save one spec.

    spec = chartspec.load("specs/rl_training.yaml")   # YAML -> validated model + data
    chart = chartspec.compile(spec)                    # Altair chart, displays in notebooks
    chartspec.save(spec, "out/rl_training.svg")        # any of html, svg, png, pdf, json
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import semantic_diagnostics
from .data import Table, read_data
from .errors import ChartspecError, Diagnostic, SpecValidationError, UsageError, display_path
from .model import ChartSpec, from_mapping
from .project import find_project_root
from .source import SourceMap
from .transforms import layer_views
from .themes import Theme, spec_theme
from .validate import schema_diagnostics
from .yamlload import Document, load_yaml

if TYPE_CHECKING:
    import altair as alt

    from .concat import ConcatSpec
    from .plainvl import PlainVegaLite

__all__ = ["Spec", "load", "loads", "validate", "compile", "to_vegalite", "save"]


@dataclass(frozen=True)
class Spec:
    """A validated spec with its data, ready to compile."""

    #: one chart; or a layout of charts (concat.py); or a plain Vega-Lite file (plainvl.py)
    model: ChartSpec | ConcatSpec | PlainVegaLite
    table: Table
    source: SourceMap
    path: Path | None = None
    #: per layer, the layer's own data (``data:`` on the layer), or None when it uses ``table``
    layer_tables: tuple[Table | None, ...] = ()
    #: the resolved theme (the spec's, else the build's); None: chartspec's default look
    theme: Theme | None = None

    @property
    def inputs(self) -> tuple[Path, ...]:
        """Every file the chart depends on: the spec and its data files (the layers' too), and the
        folders data globs searched (the build cache counts a folder by what it lists)."""
        tables = [self.table, *(t for t in self.layer_tables if t is not None)]
        files = tuple(f for t in tables for f in (*t.files, *t.folders))
        theme_file = (self.theme.file,) if self.theme is not None and self.theme.file else ()
        return ((self.path,) if self.path else ()) + tuple(dict.fromkeys(files + theme_file))


def loads(text: str | bytes, *, file: str | None = None, path: Path | None = None,
          root: Path | None = None) -> Spec:
    """Load a spec from YAML text. Raises :class:`ChartspecError` listing every problem found."""
    doc = load_yaml(text, file)
    if not isinstance(doc.data, dict):
        raise SpecValidationError(doc.source.diagnostic("a spec must be a YAML mapping (key: value lines)", ()))
    if path is not None and root is None:
        root = find_project_root(path.parent)
    return load_document(doc, path=path, root=root)


def load_document(doc: Document, *, path: Path | None, root: Path | None) -> Spec:
    """Validate a loaded YAML mapping and read its data: one chart, or a layout of several."""
    from .concat import load_concat
    from .layout import is_layout, missing_data
    from .plainvl import is_plain_vegalite, load_plain

    if is_plain_vegalite(doc):  # *.vl.yaml, *.vl.json, or a Vega-Lite $schema
        return load_plain(doc, path=path, root=root)
    if is_layout(doc.data):  # hconcat / vconcat: each item is loaded through this function
        return load_concat(doc, path=path, root=root)
    problems = sorted(schema_diagnostics(doc.data, doc.source) + missing_data(doc),
                      key=lambda d: (d.line, d.column, d.message))
    # Data-aware checks run even after schema errors, so one run reports the typo in a key and
    # the misspelt field together; when the schema errors keep the model from being built, they
    # alone explain why.
    error_class: type[ChartspecError] = SpecValidationError
    try:
        model = from_mapping(doc.data)
        theme, theme_problems = spec_theme(model, path, root, doc.source)  # themes.py: a name or a file
        problems += theme_problems
        # When 'data' itself is invalid there are no rows to check against: do not guess.
        if not any(d.path[:1] == ("data",) for d in problems):
            table = read_data(model.data, path, root, doc.source)
            layer_tables = _layer_tables(model, problems, path, root, doc.source)
            views, flow_problems = layer_views(model, table, layer_tables, doc.source)
            problems += flow_problems
            problems += semantic_diagnostics(model, table, doc.source, views=views)
    except ChartspecError as err:
        problems += err.diagnostics
        error_class = SpecValidationError if len(problems) > len(err.diagnostics) else type(err)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        if not problems:
            raise  # the schema accepted something the model cannot read: a bug, not user error
    if problems:
        raise error_class(_in_order(problems, doc.source.file))
    return Spec(model=model, table=table, source=doc.source, path=path, layer_tables=layer_tables, theme=theme)


def _layer_tables(model: ChartSpec, problems: list[Diagnostic], path: Path | None, root: Path | None,
                  source: SourceMap) -> tuple[Table | None, ...]:
    """The data of layers that name their own, unless the schema already refused that data."""
    bad = {d.path[:3] for d in problems if d.path[:1] == ("layers",)}
    return tuple(read_data(layer.data, path, root, source)
                 if layer.data is not None and layer.json_path + ("data",) not in bad else None
                 for layer in model.layers)


def _in_order(problems: list[Diagnostic], file: str | None) -> list[Diagnostic]:
    """Diagnostics of the spec by position. Those located in a data file keep their order and stay
    just before the spec diagnostic that follows them (the note on the line naming that file)."""
    blocks: list[list[Diagnostic]] = [[]]
    for d in dict.fromkeys(problems):
        blocks[-1].append(d)
        if d.file == file:
            blocks.append([])
    return [d for block in sorted(filter(None, blocks), key=lambda b: (b[-1].file != file, b[-1].line, b[-1].column))
            for d in block]


def load(path: str | Path, *, root: str | Path | None = None) -> Spec:
    """Load and validate a spec file and read its data.

    ``root`` is the folder data paths must stay in; by default the nearest folder above the
    spec holding ``chartspec.toml``, ``pyproject.toml`` or ``.git``, else the spec's folder.
    """
    path = Path(path)
    shown = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(Diagnostic(f"no such file: {shown}", file=shown)) from None
    except OSError as err:
        raise UsageError(Diagnostic(f"cannot read {shown}: {err.strerror}", file=shown)) from None
    return loads(raw, file=shown, path=path.absolute(), root=Path(root) if root else None)


def validate(path: str | Path, *, root: str | Path | None = None) -> list[Diagnostic]:
    """Every problem of a spec file, or an empty list when it is valid."""
    try:
        load(path, root=root)
    except ChartspecError as err:
        return list(err.diagnostics)
    return []


def _as_spec(spec: Spec | str | Path) -> Spec:
    return spec if isinstance(spec, Spec) else load(spec)


def to_vegalite(spec: Spec | str | Path) -> dict[str, Any]:
    """The compiled Vega-Lite specification as a dict."""
    from .compiler import compile_vegalite

    return compile_vegalite(_as_spec(spec))


def compile(spec: Spec | str | Path) -> alt.LayerChart:  # noqa: A001 - the public verb
    """Compile to an Altair chart (it displays inline in Jupyter)."""
    import altair as alt

    vl = to_vegalite(spec)
    data = vl.pop("data", None)
    # a facet or a layout (hconcat / vconcat) compiles to its own kind of chart
    kind = next((k for k in ("facet", "hconcat", "vconcat") if k in vl), "layer")
    chart_class = {"layer": alt.LayerChart, "facet": alt.FacetChart, "hconcat": alt.HConcatChart,
                   "vconcat": alt.VConcatChart}[kind]
    # from_dict costs ~0.7 ms per data row; attaching the rows afterwards keeps it cheap.
    chart = chart_class.from_dict(vl, validate=False)
    if data is not None:
        chart.data = alt.InlineData(values=data["values"])
    return chart


def save(spec: Spec | str | Path, path: str | Path, *, format: str | None = None, scale: float = 1.0) -> Path:
    """Render ``spec`` to ``path``; the format comes from the suffix unless given."""
    from .export import FORMATS, render, suffix_format, write_atomic

    path = Path(path)
    fmt = format or suffix_format(path)
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    outputs = render(to_vegalite(spec), (fmt,), scale=scale)
    write_atomic(path, outputs[fmt])
    return path
