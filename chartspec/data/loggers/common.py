"""What every logger reader shares: scalars in long form, safe folder walks, and the pivot.

A reader turns its files into *parts* (one per run it finds), each a long table of scalars, one
row per logged value::

    seq  step  wall_time  metric      value
    0    0     1.7e9      train/loss  2.31
    1    0     1.7e9      train/lr    3e-4

``seq`` is the order the values were logged in (or, where a format keeps each metric in its own
file without times, step order). :func:`pivot` turns the parts into the wide table charts read:
one row per (run, step), one column per metric named as the logger named it, empty where a metric
was not logged at that step. A step logged again (a run resumed from a checkpoint logs its steps
again, often into a new file) gives a second row for that step, after the first: the rows keep
what was logged, and the data step decides what repeated steps mean.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...errors import DataError, Diagnostic
from ...spec.files import read_regular
from ..engine import Relation, connect, literal, new_name, quote
from ..globfiles import one_per_file
from ..rows import fetch

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["LogData", "MissingExtra", "Part", "hidden", "long_table", "named_only", "pivot", "read_text",
           "unnamed_note", "walk", "whole_steps"]

#: wide tables with more cells than this stay in the engine; smaller ones become Python rows
PYTHON_CELLS = 200_000


class MissingExtra(Exception):
    """A format needs an optional dependency: ``extra`` is what ``pip install 'chartspec[extra]'`` adds."""

    def __init__(self, what: str, extra: str) -> None:
        super().__init__(what)
        self.what, self.extra = what, extra


@dataclass(frozen=True)
class Part:
    """One run's scalars: its key columns (``run``, ``experiment``), its long table and the notes
    its reading gave (severity "note": a partial last record, metrics left out)."""

    keys: dict[str, str]
    scalars: pa.Table
    notes: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class LogData:
    """A reader's result: the wide table as rows or in the engine, and the files and folders read."""

    columns: tuple[str, ...]
    rows: tuple[dict[str, Any], ...] = ()
    relation: Relation | None = None
    files: tuple[Path, ...] = ()
    folders: tuple[Path, ...] = field(default=())
    #: per metric column with NaN or infinite values: (column, count, where the first is, its value)
    nonfinite: tuple[tuple[str, int, str, float], ...] = ()
    #: the readers' notes (Part.notes)
    notes: tuple[Diagnostic, ...] = ()


def long_table(seq: Any, step: Any, wall_time: Any, metric: Any, value: Any) -> pa.Table:
    """A long table from columns (lists or numpy arrays); ``wall_time`` None when the format has none.

    A NaN wall time (a DVCLive file without timestamps beside one with them) is a missing one:
    the wide table's ``min(wall_time)`` would otherwise keep the NaN, and JSON cannot hold it."""
    import pyarrow as pa

    n = len(step)
    wall = (pa.nulls(n, pa.float64()) if wall_time is None
            else pa.array(wall_time, pa.float64(), from_pandas=True))  # from_pandas: NaN -> null
    return pa.table({"seq": pa.array(seq, pa.int64()), "step": pa.array(step, pa.int64()), "wall_time": wall,
                     "metric": pa.array(metric, pa.string()), "value": pa.array(value, pa.float64())})


def unnamed_note(count: int, location: str) -> Diagnostic:
    """The note for ``count`` logged values whose metric has an empty (or blank) name: no column can
    be named after it, so they are left out (every reader, as a CSV column without a name)."""
    values = "1 value" if count == 1 else f"{count:,} values"
    return Diagnostic(f"{values} logged under an empty metric name left out (no column can be named '')",
                      file=location, severity="note", hint="give the metric a name where it is logged")


def named_only(part: Part, location: str) -> Part:
    """``part`` without its values of metrics with an empty or blank name, and a note if it had any."""
    import pyarrow.compute as pc

    unnamed = pc.equal(pc.utf8_trim_whitespace(part.scalars["metric"]), "")
    count = pc.sum(unnamed).as_py() or 0
    if not count:
        return part
    return Part(part.keys, part.scalars.filter(pc.invert(unnamed)), (*part.notes, unnamed_note(count, location)))


def read_text(path: Path, location: str) -> str:
    """A log file's text; a file that is not UTF-8 (a damaged copy, a binary file under a log's
    name) or cannot be read is an error naming it, at the first bad byte, as for a data file."""
    try:
        raw = read_regular(path)
    except OSError as err:
        raise DataError(Diagnostic(f"cannot read {os.path.basename(location)}: {err.strerror or err}",
                                   file=location)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        good = raw[: err.start].decode("utf-8-sig", errors="replace").split("\n")
        raise DataError(Diagnostic(f"log file is not valid UTF-8 (byte 0x{raw[err.start]:02x})", file=location,
                                   line=len(good), column=len(good[-1]) + 1, source_line=good[-1].rstrip("\r"),
                                   hint="a damaged copy, or a file that is not the logger's: copy it again, "
                                   "or move it out of the log folder")) from None


def whole_steps(steps: Any, text: str, start: int, field: int, location: str) -> Any:
    """``steps`` (floats, one per non-blank line of ``text``, its ``field``-th field) as the int64
    steps the loggers wrote; ``start``: the number of ``text``'s first line in the file. A step that
    is not such an integer (1.5, nan, 1e30: every logger writes its steps as integers, and the table
    keeps them so) is an error at its line. Steps of 2**53 or more are read again from their text:
    a float rounds 9223372036854775807, int64's largest, up to 2**63, which was 'not an integer'."""
    import numpy as np

    with np.errstate(invalid="ignore"):
        ok = np.isfinite(steps) & (np.floor(steps) == steps) & (np.abs(steps) < 2.0**63)
        big = np.isfinite(steps) & (np.abs(steps) >= 2.0**53)
    out = np.where(ok, steps, 0).astype(np.int64)
    lines = [(n, t) for n, t in enumerate(text.split("\n"), start=start) if t.strip()] if (big.any() or not ok.all()) \
        else []
    for index in np.flatnonzero(big):
        exact = _integer(lines[index][1].split()[field])
        if exact is not None:
            out[index], ok[index] = exact, True
    if ok.all():
        return out
    number, line = lines[int(np.flatnonzero(~ok)[0])]
    raise DataError(Diagnostic(f"step {line.split()[field]!r} is not an integer", file=location, line=number,
                               column=1, source_line=line.rstrip("\r"),
                               hint="a logger writes each step as a whole number of at most 19 digits"))


def _integer(text: str) -> int | None:
    """``text`` as an int64 when it is written as an integer that one holds, else None."""
    digits = text.lstrip("+-")
    if len(text) - len(digits) > 1 or not digits.isascii() or not digits.isdigit() or len(digits) > 19:
        return None
    value = int(text)
    return value if -2**63 <= value < 2**63 else None


def hidden(name: str) -> bool:
    """A name no logger writes: a dot file (macOS's ``.DS_Store`` and ``._*`` copies, an editor's
    ``.x.swp``), left out of every log folder as MLflow's and DVCLive's own readers never see them."""
    return name.startswith(".")


def walk(folder: Path, root: Path, location: str) -> tuple[list[Path], list[Path]]:
    """Every file under ``folder`` (sorted) and the folders searched, hidden ones left out. Symbolic
    links are followed only while they stay inside ``root``: one leading out is an error, as for a
    data path; a link leading back up (to ``..``) is not followed; a file reached twice is listed once."""
    files: list[Path] = []
    folders: list[Path] = []
    real_root = root.resolve()
    chains = {folder: (folder.resolve(),)}  # each folder's real path and those of the folders above it
    for here, dirs, names in os.walk(folder, followlinks=True):  # a metric folder may be a link
        folders.append(Path(here))
        for name in sorted(n for n in names if not hidden(n)) + sorted(d for d in dirs if not hidden(d)):
            path = Path(here) / name
            if not path.resolve().is_relative_to(real_root):
                shown = os.path.join(location, os.path.relpath(path, folder))
                raise DataError(Diagnostic(f"{shown} leads outside the project through a symbolic link",
                                           file=location, hint="keep logs inside the project folder"))
            if path.is_file():
                files.append(path)
        dirs[:] = [d for d in sorted(dirs) if not hidden(d) and _down(Path(here) / d, chains, Path(here))]
    # a metric file also reached through a link to its folder (eval/sib -> ../train) is one metric
    kept = one_per_file([path.relative_to(folder).as_posix() for path in files], folder)
    return [folder / rel for rel in kept], folders


def _down(folder: Path, chains: dict[Path, tuple[Path, ...]], parent: Path) -> bool:
    """Whether the walk goes into ``folder``: not when it holds a folder the walk came through (a
    link to ``..``, or two links leading to each other), which would loop."""
    real = folder.resolve()
    if any(above.is_relative_to(real) for above in chains[parent]):
        return False
    chains[folder] = (*chains[parent], real)
    return True


def _key_names(parts: Sequence[Part]) -> list[str]:
    names: dict[str, None] = {}
    for part in parts:
        names.update(dict.fromkeys(part.keys))
    return list(names)


def _combined(parts: Sequence[Part], keys: Sequence[str]) -> pa.Table:
    import pyarrow as pa

    tables = []
    for i, part in enumerate(parts):
        n = part.scalars.num_rows
        extra = {"__part": pa.array([i] * n, pa.int64()),
                 **{k: pa.array([part.keys.get(k)] * n, pa.string()) for k in keys}}
        tables.append(pa.table({**extra, **{c: part.scalars[c] for c in part.scalars.column_names}}))
    return pa.concat_tables(tables)


def pivot(parts: Sequence[Part], root: Path, files: Sequence[Path], folders: Sequence[Path] = ()) -> LogData:
    """The wide table of ``parts`` (see the module docstring), built by the engine.

    Rows follow the parts' order, then each part's log order; metric columns the order their
    first values were logged in. NaN and infinite values are missing (Vega cannot place them);
    ``nonfinite`` counts them per metric for the note table.py gives, as for a CSV file."""
    keys = _key_names(parts)
    con = connect(root)
    name = new_name()
    con.register(f"{name}_arrow", _combined(parts, keys))
    con.execute(f"CREATE TEMP TABLE {name}_long AS SELECT *, row_number() OVER "
                f"(PARTITION BY __part, step, metric ORDER BY seq) AS occ FROM {name}_arrow")
    con.unregister(f"{name}_arrow")
    odd = _nonfinite(con, f"{name}_long", parts)
    metrics = [m for (m,) in con.execute(f"SELECT metric FROM {name}_long GROUP BY metric "
                                         f"ORDER BY min(__part), min(seq), metric").fetchall()]
    # fetchall, not fetchone: a result left unfinished makes DuckDB (2.x) refuse the relation API
    # that reduce.py runs on this connection next ("connection has an unfinished result")
    timed = con.execute(f"SELECT count(wall_time) FROM {name}_long").fetchall()[0][0]
    taken = set(keys) | {"step", "wall_time"}
    clash = [m for m in metrics if m in taken or m.startswith("__")]
    if clash:  # a metric named like a key column keeps its values under a longer name
        metrics = [m for m in metrics if m not in clash]
    cells = [f"any_value(CASE WHEN isfinite(value) THEN value END) FILTER (WHERE metric = {literal(m)}) "
             f"AS {quote(m)}" for m in metrics]
    cells += [f"any_value(CASE WHEN isfinite(value) THEN value END) FILTER (WHERE metric = {literal(m)}) "
              f"AS {quote(m + ' (metric)')}" for m in clash]
    group = ", ".join(["__part", *map(quote, keys), "step", "occ"])
    wall = ["min(CASE WHEN isfinite(wall_time) THEN wall_time END) AS wall_time"] if timed else []
    select = ", ".join([*map(quote, keys), "step", *wall, *cells])
    con.execute(f"CREATE TEMP TABLE {name} AS SELECT row_number() OVER (ORDER BY __part, min(seq), step, occ) - 1 "
                f"AS __row, {select} FROM {name}_long GROUP BY {group} ORDER BY __row")
    con.execute(f"DROP TABLE {name}_long")
    columns = (*keys, "step", *(["wall_time"] if timed else []), *metrics, *(m + " (metric)" for m in clash))
    odd = tuple((m + " (metric)" if m in clash else m, *rest) for m, *rest in odd)
    count = con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
    numeric = frozenset(columns[len(keys):])
    rel = Relation(con, name, count, columns, numeric, frozenset({"step"}))
    if count * len(columns) > PYTHON_CELLS:
        return LogData(columns, relation=rel, files=tuple(files), folders=tuple(folders), nonfinite=odd)
    rows = fetch(rel)
    con.execute(f"DROP TABLE {name}")
    return LogData(columns, rows=rows, files=tuple(files), folders=tuple(folders), nonfinite=odd)


def _nonfinite(con: Any, long: str, parts: Sequence[Part]) -> tuple[Any, ...]:
    """Per metric with NaN or infinite values: (metric, count, "step S of run R" for the first one
    logged, its value), in log order; what the CSV reader's note says, for a log (no rows)."""
    order = "__part * 4294967296 + seq"  # parts' order, then log order
    found = con.execute(f"SELECT metric, count(*), arg_min(__part, {order}), arg_min(step, {order}), "
                        f"arg_min(value, {order}) FROM {long} WHERE NOT isfinite(value) "
                        f"GROUP BY metric ORDER BY min({order})").fetchall()
    odd = []
    for metric, count, part, step, value in found:
        keys = ", ".join(f"{k} {v!r}" for k, v in parts[part].keys.items())
        odd.append((metric, count, f"step {step}" + (f" of {keys}" if keys else ""), value))
    return tuple(odd)
