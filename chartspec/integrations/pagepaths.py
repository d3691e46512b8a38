"""How a docs page names files: relative to the project folder, never the build machine's paths.

With ``on_error: show`` an error is written into the page, which anyone reading the site sees: a
file named as the build's working folder sees it (an absolute path when the site is built from
elsewhere, ``mkdocs build -f /srv/ci/site/mkdocs.yml``) tells where the machine keeps things. So
every file an integration's error names is shown relative to the project folder (``docs/index.md``,
``specs/a.yaml``), and absolute paths left in a message's text are hidden (errors.hide_paths).
A ``file:`` reference leading outside the project is refused before anything there is looked at,
so the error is the same whether a file is there or not.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from ..errors import ChartspecError, Diagnostic, SpecValidationError, UsageError, display_path, hide_paths

__all__ = ["confine", "for_page", "project_file", "referenced_spec"]


def project_file(path: str | Path, root: Path | None) -> str:
    """``path`` (absolute, or relative to the working folder) relative to ``root`` (POSIX); a path
    outside ``root`` is shown as the project sees it (``../x.yaml``); names like ``<markdown>`` stay."""
    text = str(path)
    if root is None or text.startswith("<"):
        return text
    full = os.path.normpath(os.path.abspath(text))  # lexical: a link's target is not shown
    try:
        return Path(os.path.relpath(full, root.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return Path(full).name


def for_page(err: ChartspecError, root: Path | None) -> ChartspecError:
    """``err`` with its files named relative to ``root`` and the machine's paths hidden in its texts.

    The loader names a file as the working folder sees it (errors.display_path): absolute, or
    relative to the working folder (``ci/site/specs/a.yaml``); names already relative to ``root``
    (a page's, given by the integration) are left as they are."""
    if root is None:
        return err
    outer = display_path(root)  # the project folder as the loader's names start with it
    prefix = re.compile(rf"(?<![\w./-]){re.escape(outer)}/") if outer not in (".", str(root.resolve())) else None

    def text(value: str) -> str:
        value = hide_paths(value, root)
        return prefix.sub("", value) if prefix is not None else value

    def file(name: str) -> str:
        if Path(name).is_absolute():
            return project_file(name, root)
        return prefix.sub("", name, count=1) if prefix is not None else name

    return type(err)([replace(d, file=file(d.file) if d.file else d.file, message=text(d.message),
                              hint=text(d.hint) if d.hint else d.hint) for d in err.diagnostics])


def confine(path: Path, root: Path | None) -> None:
    """Refuse a spec file outside ``root`` before reading it: its lines would be quoted in the
    error (a warning, or the page itself with ``on_error: show``), e.g. ``file: ../../../etc/passwd``."""
    if root is not None and not path.resolve().is_relative_to(root.resolve()):
        shown = project_file(path, root)
        raise SpecValidationError(Diagnostic(
            f"spec file {shown!r} leads outside the project", file=shown,
            hint="keep spec files inside the project folder (marked by chartspec.toml, pyproject.toml or .git), "
                 "or set the integration's root"))


def referenced_spec(ref: str, page_folder: Path, top: Path, top_name: str, root: Path | None = None) -> Path:
    """The spec file a fence's ``file: REF`` names: relative to the page, or to ``top`` (the docs
    folder) when it starts with ``/``, as a site's own links do. Raises :class:`UsageError` for a
    missing ``/``-path, saying where it was looked for (an absolute file-system path is not read);
    one leading outside ``root`` is refused first, whether it exists or not."""
    if not ref.startswith("/"):
        return page_folder / ref
    spec = top / ref.lstrip("/")
    confine(spec, root)
    if not spec.exists():
        shown = project_file(spec, root)
        raise UsageError(Diagnostic(f"no such file: {shown}", file=shown,
                                    hint=f"a path starting with / is read from {top_name} "
                                         f"({project_file(top, root)}), never from the file system's root; write "
                                         f"it relative to the page or to {top_name}"))
    return spec
