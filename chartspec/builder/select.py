"""Which YAML files under a folder are chart specs: ``include``/``exclude`` globs, and files that
are clearly something else.

Repositories hold YAML that is not a chart: DVC pipelines and parameters, ``mkdocs.yml``, CI
workflows, ``docker-compose.yml``, ``.pre-commit-config.yaml``. A file found in a folder whose
top-level keys include no key that makes a chart (``x``, ``layers``, ``hconcat``, Vega-Lite's
``mark``, ``layer``, ``encoding``, ...; ``title`` or ``data`` alone could be anything) is skipped
with a note; so is one whose only such keys hold numbers (an ML config's ``layers: 12`` or
``x: 224``). That first look scans the top level of block YAML with a regular expression, no parse:
discovery stays cheap for a no-op rebuild of hundreds of specs. A chartspec file it keeps that is
small (under 64 KB: configs and themes are; a larger one holds a chart's rows) is then parsed, and
kept only when one of its chart keys holds a value the schema allows (shape.py): ``layers: [{type:
conv}]``, ``x: {min: 0}`` or ``legend: true`` beside ``figsize`` are a config's. So is a theme file
kept beside its spec: one a spec in the build names (a real ``theme:`` or data key, parsed), or
one shaped like a theme (every top-level key a Vega-Lite config's, and no chart key holding a
chart's value: ``legend: {labelColor: ...}``). Named on the command line, a file is built and its
errors reported as always.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from ..errors import ChartspecError, Diagnostic, display_path
from ..spec.plain import PLAIN_SUFFIXES
from ..spec.yamlload import MAX_BYTES, load_yaml
from .shape import chart_shaped, yaml_refs

__all__ = ["CHARTSPEC_KEYS", "CHART_KEYS", "GlobFilter", "not_a_chart", "side_file_note", "side_files"]

#: top-level keys only a chart has: chartspec's own (in .yaml files), and plain Vega-Lite's view
#: keys (in .vl.yaml files: a Kubernetes manifest's 'spec:' or a tokenizer's 'encoding:' is no chart)
CHARTSPEC_KEYS = frozenset({"x", "layers", "hconcat", "vconcat", "facet", "vega_lite", "annotations", "legend",
                            "align_ticks"})
CHART_KEYS = CHARTSPEC_KEYS | {"mark", "layer", "encoding", "concat", "repeat", "spec"}
_KEY = re.compile(r"""^(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#'"\-?:{}\[\],&*!|>%@`][^:\n]*?))[ \t]*:(?:[ \t]|$)([^\n]*)""", re.M)
#: a value no chart key takes: a number or a flow list of numbers (an ML config's ``layers: 12``,
#: ``x: 224``, ``layers: [512, 256]``)
_NUMBERS = re.compile(r"\s*(?:[-+]?[\d.][\d.eE+\-_]*|\[[\d.eE+\-_,\s]*\])\s*(?:#.*)?")
#: chart keys a scalar may set (``mark: line``, ``legend: false``, ``align_ticks: true``)
_ANY_VALUE = frozenset({"mark", "legend", "align_ticks"})
#: a top-level x whose (first) key is field, flow or block style
_X_FIELD = re.compile(r"^x[ \t]*:[ \t]*(?:\{[ \t]*|(?:#[^\n]*)?\n(?:[ \t]*(?:#[^\n]*)?\n)*[ \t]+)field[ \t]*:", re.M)
_CONCAT = frozenset({"hconcat", "vconcat"})
_SCHEMA = re.compile(r"\$schema\b.*(vega-lite|chartspec)", re.I)
#: keys no Vega-Lite config has: a file holding one is no theme (told before the Vega-Lite schema is read)
_NO_CONFIG = frozenset({"x", "layers", "hconcat", "vconcat", "data", "layer", "encoding", "repeat", "spec",
                        "transform", "vega_lite", "annotations"})
#: a YAML file a spec may name as its theme, data or ``path`` (at any depth, flow or block style; a
#: comment or string may match too: a hint to parse, not an answer)
_SIDE = re.compile(r"""(?:^|[{,\s])(?:theme|data|path)[ \t]*:[ \t]*(["']?)([^\n"'#{}\[\],]+?\.ya?ml)\1[ \t]*(?=$|[,}#\s])""",
                   re.M | re.I)
#: bytes read to decide; a spec's top-level keys come early (and a larger file is not parsed to decide)
_HEAD = 65536


def not_a_chart(path: Path) -> Diagnostic | None:
    """A note when ``path`` is YAML with top-level keys and none of them a chart's (or none holding
    what a chart's holds); ``None`` when it may be a chart (or cannot be told: unreadable, empty,
    not YAML: then the build says why)."""
    if path.name.lower().endswith(".json"):
        return None
    plain = path.name.lower().endswith(PLAIN_SUFFIXES)
    try:
        with path.open("rb") as file:
            raw = file.read(_HEAD)
            # a long first value (inline rows, a long title) can push every chart key past the head:
            # only a verdict on the whole file may skip it
            cheap = _skips(raw)
            if cheap or (not plain and len(raw) < _HEAD):
                raw += file.read(MAX_BYTES)
                if file.read(1):  # larger than a spec may be: built, so the size limit's error is shown
                    return None
    except OSError:
        return None
    text = raw.decode("utf-8", errors="replace")
    if cheap and (note := _verdict(path, text)) is not None:
        return note
    # chart keys found: a small chartspec file (configs and themes are small; a large one holds a
    # chart's rows, and parsing it would slow every no-op rebuild) must also hold a chart's values
    if plain or len(raw) >= _HEAD or _SCHEMA.search(text) or _plainly_chart(text):
        return None
    return _by_shape(path, raw)


def _plainly_chart(text: str) -> bool:
    """Only the language's top-level keys, among them ``layers`` and an ``x`` whose first key is
    ``field`` (or a concat): a chart (or one being written), told without a parse (~0.6 ms a spec)
    on every no-op rebuild. Anything else is parsed (an ML config's ``x: {low: 0}`` beside ``layers``)."""
    from ..spec.schema import load_schema

    keys = {next(g for g in m.groups()[:3] if g is not None).strip() for m in _KEY.finditer(text)}
    return keys <= load_schema()["properties"].keys() and (
        ("layers" in keys and bool(_X_FIELD.search(text))) or bool(keys & _CONCAT))


def _by_shape(path: Path, raw: bytes) -> Diagnostic | None:
    try:
        top = load_yaml(raw, display_path(path)).data
    except ChartspecError:
        return None  # the build reports it
    if not isinstance(top, dict) or not top or chart_shaped(top, CHARTSPEC_KEYS):
        return None
    keys = sorted(map(str, top))
    shown = ", ".join(keys[:4]) + (", ..." if len(keys) > 4 else "")
    from ..spec.vegalite_schema import config_keys  # ~0.1 s, for files that are no chart only

    if set(keys) <= config_keys():  # background, title: {fontSize}, legend: {labelColor}: a theme file
        return _note(path, f"top-level keys {shown}", ": a Vega-Lite config, as a theme file holds")
    return _note(path, f"top-level keys {shown}", ", none holding what a chart's x, layers or legend holds")


def _skips(head: bytes) -> bool:
    return _verdict(Path(), head.decode("utf-8", errors="replace")) is not None


def side_files(spec: Path) -> set[Path]:
    """The YAML files ``spec`` names as its theme or data (resolved): inputs of a chart, never charts.
    Its real keys only, read from the parsed file (a comment or a string mentioning one names nothing);
    parsed only when its text mentions a YAML file under such a key at all."""
    try:
        if not spec.is_file():  # a named pipe would block the read: the build reports it
            return set()
        with spec.open("rb") as file:
            raw = file.read(MAX_BYTES + 1)  # a larger spec is an error the build reports
    except OSError:
        return set()
    low = raw.lower()
    if (b".yaml" not in low and b".yml" not in low) or not _SIDE.search(raw.decode("utf-8", errors="replace")):
        return set()  # (the substring test first: the expression is slow over a spec's inline rows)
    try:
        named = yaml_refs(load_yaml(raw, display_path(spec)).data)
    except ChartspecError:
        return set()  # the build reports it
    found = set()
    for name in named:
        try:
            found.add((spec.parent / name).resolve())
        except (OSError, RuntimeError, ValueError):  # a link loop, a NUL: the build says what is wrong
            continue
    return found


def side_file_note(path: Path, user: str) -> Diagnostic:
    """The note for a file found in a folder that the spec ``user`` names as its theme or data."""
    return Diagnostic(f"skipped: not a chart spec ({user} reads it as its theme or data)", file=display_path(path),
                      severity="note", hint="name the file on the command line to build it anyway")


def _verdict(path: Path, text: str) -> Diagnostic | None:
    if _SCHEMA.search(text):  # a modeline or $schema naming the language
        return None
    # Windows line ends and a byte-order mark: the same keys (a CRLF spec was skipped as no chart)
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    chart_keys = CHART_KEYS if path.name.lower().endswith(PLAIN_SUFFIXES) else CHARTSPEC_KEYS
    body = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")
            and line.strip() not in ("---", "...")]
    if not body or body[0].startswith("{"):  # nothing, or a flow mapping: not told cheaply
        return None
    if body[0].startswith(("- ", "[")) or body[0] == "-":
        return _note(path, "a YAML list")
    if any(line.startswith(("?", "!", "<<", "&", "*")) for line in body):
        return None  # explicit keys, tags, merge keys, anchors at the top: not told cheaply
    lines = text.splitlines()
    found = [(next(g for g in m.groups()[:3] if g is not None).strip(), m.group(4), text.count("\n", 0, m.start()))
             for m in _KEY.finditer(text)]
    keys = {key for key, _, _ in found}
    if keys and _theme_like(keys, plain=chart_keys is CHART_KEYS):
        shown = ", ".join(sorted(keys)[:4]) + (", ..." if len(keys) > 4 else "")
        return _note(path, f"top-level keys {shown}", ": a Vega-Lite config, as a theme file holds")
    if not keys or any(key in chart_keys and _chart_like(key, value, lines[at + 1:]) for key, value, at in found):
        return None
    shown = ", ".join(sorted(keys)[:4]) + (", ..." if len(keys) > 4 else "")
    return _note(path, f"top-level keys {shown}")


def _theme_like(keys: set[str], *, plain: bool) -> bool:
    """Is every top-level key a Vega-Lite config's and one of them no chart's (``axis``, ``range``,
    ``font``, ``line``)? A theme file (spec/themes.py) beside its spec, which names one. A chart's
    ``legend`` or ``title`` alone tells nothing: a chart being written is still built, to say what it lacks."""
    if keys & _NO_CONFIG:
        return False  # every chart has one: the Vega-Lite schema (~0.1 s to read) is not needed
    from ..spec.schema import load_schema
    from ..spec.vegalite_schema import chart_keys, config_keys

    return keys <= config_keys() and bool(keys - (chart_keys() if plain else load_schema()["properties"].keys()))


def _chart_like(key: str, value: str, after: list[str]) -> bool:
    """Could ``key: value`` (the lines ``after`` it) be a chart's? Its x, layers, facet, encoding,
    ... are mappings or lists of mappings: a number, a word (``encoding: utf-8``), ``true`` or a
    list of plain values is a config's (``layers: 12``, ``x: 224``, ``layers: [512, 256]``)."""
    value = re.sub(r"(^|\s)#.*", "", value).strip()  # a comment after the key is no value
    if key in _ANY_VALUE or value.startswith(("{", "&", "*", "!")):
        return True
    if value.startswith("["):  # (an empty list is a chart's mistake: the build says so)
        return not (_NUMBERS.fullmatch(value) and re.search(r"\d", value))
    if value:
        return False  # a plain scalar
    nxt = next((line.strip() for line in after if line.strip() and not line.lstrip().startswith("#")), "")
    if nxt.startswith("- ") or nxt == "-":  # a block list: of mappings, or of plain values
        item = re.sub(r"(^|\s)#.*", "", nxt[1:]).strip()  # '- # points': the mapping follows
        return item == "" or item.startswith(("{", "&", "*", "!")) or ":" in item
    return True  # a block mapping


def _note(path: Path, what: str, why: str = ", no chart key such as x, layers or mark") -> Diagnostic:
    return Diagnostic(f"skipped: not a chart spec ({what}{why})", file=display_path(path), severity="note",
                      hint="name the file on the command line to build it anyway, or exclude it in chartspec.toml")


class GlobFilter:
    """``include`` / ``exclude`` globs over paths relative to the folder being built (``*`` within a
    folder name, ``**`` across folders, ``?`` one character): a file is taken when it matches an
    include glob (or none is given) and no exclude glob; a folder matching an exclude glob is not searched."""

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        self.include = [_regex(g) for g in include]
        self.exclude = [_regex(g) for g in exclude]

    def __bool__(self) -> bool:
        return bool(self.include or self.exclude)

    def takes(self, relative: str) -> bool:
        if any(r.fullmatch(relative) for r in self.exclude):
            return False
        return not self.include or any(r.fullmatch(relative) for r in self.include)

    def searches(self, relative: str) -> bool:
        return not any(r.fullmatch(relative) for r in self.exclude)


def _regex(glob: str) -> re.Pattern[str]:
    glob = glob.strip()
    glob = glob[2:] if glob.startswith("./") else glob
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(out).rstrip("/"))
