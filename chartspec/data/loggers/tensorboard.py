"""TensorBoard event files (``events.out.tfevents.*``), read without TensorFlow.

The records are read here (the format is four fields: length, its CRC, data, its CRC) and with the protobufs TensorBoard itself ships
(``pip install 'chartspec[tensorboard]'``); every record's checksums are verified, so a damaged
file is an error rather than a silently shorter curve. A file that ends inside a record (a run
still writing it) is read up to that record, as TensorBoard reads it, with a note saying so. Unlike TensorBoard's own
loader, which samples long series down to a reservoir, every event is kept.

Scalars come in two forms, both read: ``simple_value`` (tensorboardX, and PyTorch's
``SummaryWriter`` by default) and a one-value tensor whose tag names the ``scalars`` plugin
(TF2's ``tf.summary.scalar``, ``SummaryWriter(..., new_style=True)``); that plugin is named only
in the tag's first event, so it is remembered per tag. All event files of one folder belong to
one run (a resumed job writes a new file), read in name order, which is creation-time order;
what a restart purges is left out, as TensorBoard's ``EventAccumulator`` leaves it out (restarts.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import DataError, Diagnostic
from .common import MissingExtra, Part, long_table, unnamed_note
from .restarts import History, kept

__all__ = ["EVENT_PREFIX", "event_files", "is_event_file", "read_run"]

EVENT_PREFIX = "events.out.tfevents."
_FLOAT32 = 1  # TensorProto dtype DT_FLOAT: shown with the digits it was logged with


def _modules() -> Any:
    try:
        from tensorboard.compat.proto import event_pb2
        from tensorboard.compat.tensorflow_stub import errors, pywrap_tensorflow
        from tensorboard.util import tensor_util
    except ImportError:
        raise MissingExtra("reading TensorBoard event files needs the 'tensorboard' package", "tensorboard") from None
    return event_pb2, errors, pywrap_tensorflow, tensor_util


def _short(value: float) -> float:
    """A float32 as the decimal it was logged as (0.1, not 0.10000000149011612)."""
    import numpy as np

    return float(str(np.float32(value)))


#: the most a record may claim: protobuf's limit for one message (2 GiB); more is a damaged header
_MAX_RECORD = 2**31
_DAMAGED_HINT = ("a copy cut short or a damaged disk: copy the file again, or move the damaged file out of "
                 "the folder")


class _Damaged(Exception):
    """A record that is not what its header or checksums say."""


class _Partial(Exception):
    """The file ends inside a record: a run still writing it."""


def _record(file: Any, left: int, crc: Any) -> bytes:
    """The next record's data (``left``: the bytes from here to the end of the file), checksums verified.
    A record is: length (8 bytes, little-endian), its masked CRC-32C (4), data (length), data CRC (4)."""
    import struct

    header = file.read(12)
    if len(header) < 12:
        raise _Partial(f"header ({len(header)} of 12 bytes)")
    length, header_crc = struct.unpack("<QI", header)
    if crc(header[:8]) != header_crc:
        raise _Damaged("its length fails its checksum")
    if length > _MAX_RECORD:  # checked before reading: reading it would allocate the claimed bytes
        raise _Damaged(f"it claims {length:,} bytes, more than an event can hold, with {left - 12:,} bytes left "
                       "in the file")
    if length + 4 > left - 12:
        raise _Partial(f"data ({left - 12:,} of {length + 4:,} bytes)")
    data = file.read(length)
    (data_crc,) = struct.unpack("<I", file.read(4))
    if crc(data) != data_crc:
        raise _Damaged("its data fails its checksum")
    return data


def _records(path: Path, location: str) -> tuple[list[bytes], Diagnostic | None]:
    """Every complete record of one event file, checksums verified, and a note when the file ends
    in a partial record (a run still writing: read up to it, as TensorBoard does)."""
    _, _, pywrap, _ = _modules()
    size = path.stat().st_size
    records: list[bytes] = []
    with path.open("rb") as file:
        while (at := file.tell()) < size:
            try:
                records.append(_record(file, size - at, pywrap.masked_crc32c))
            except _Partial as why:
                return records, Diagnostic(
                    f"event file ends in a partial record: read its {len(records)} complete records; record "
                    f"{len(records) + 1} stops in its {why}", file=location,
                    severity="note", hint="a run still writing: build again for the newest steps")
            except _Damaged as why:
                raise DataError(Diagnostic(f"event file is damaged at record {len(records) + 1}: {why}",
                                           file=location, hint=_DAMAGED_HINT)) from None
    return records, None


def _scalar(value: Any, plugins: dict[str, str], tensor_util: Any) -> float | None:
    """The number a summary value holds, if it is a scalar."""
    if value.HasField("metadata") and value.metadata.plugin_data.plugin_name:
        plugins[value.tag] = value.metadata.plugin_data.plugin_name
    kind = value.WhichOneof("value")
    if kind == "simple_value":
        return _short(value.simple_value)
    if kind == "tensor" and plugins.get(value.tag) == "scalars":
        array = tensor_util.make_ndarray(value.tensor)
        if array.size != 1:
            return None
        number = float(array.reshape(-1)[0])
        return _short(number) if value.tensor.dtype == _FLOAT32 else number
    return None


def read_run(paths: Sequence[Path], locations: Sequence[str]) -> Part:
    """The scalars of one run: its event files, in the given (name) order, without the values a
    restart purges (restarts.py)."""
    import numpy as np

    event_pb2, _, _, tensor_util = _modules()
    history = History()
    positions: list[int] = []
    steps: list[int] = []
    walls: list[float] = []
    metrics: list[str] = []
    values: list[float] = []
    notes: list[Diagnostic] = []
    for path, location in zip(paths, locations):
        plugins: dict[str, str] = {}
        records, partial = _records(path, location)
        unnamed = 0
        for number, record in enumerate(records, start=1):
            try:
                event = event_pb2.Event.FromString(record)
            except Exception as err:  # protobuf's DecodeError: the checksum held, the content did not
                raise DataError(Diagnostic(f"event file record {number} is not an event ({err})",
                                           file=location)) from None
            position = history.see(event, location)
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                number_ = _scalar(value, plugins, tensor_util)
                if number_ is None:
                    continue
                if not value.tag.strip():  # no column can be named '': left out, with a note
                    unnamed += 1
                    continue
                positions.append(position)
                steps.append(event.step)
                walls.append(event.wall_time)
                metrics.append(value.tag)
                values.append(number_)
        notes += ([partial] if partial else []) + ([unnamed_note(unnamed, location)] if unnamed else [])
    step, metric = np.array(steps, dtype=np.int64), np.array(metrics, dtype=object)
    keep, purged = kept(np.array(positions, dtype=np.int64), step, metric, history)
    table = long_table(np.arange(int(keep.sum())), step[keep], np.array(walls)[keep], metric[keep],
                       np.array(values, dtype=np.float64)[keep])
    return Part({}, table, tuple(notes) + ((purged,) if purged else ()))


def event_files(folder: Path) -> list[Path]:
    """The event files directly in ``folder``, in name order."""
    return sorted(p for p in folder.iterdir() if p.name.startswith(EVENT_PREFIX) and p.is_file()) \
        if folder.is_dir() else []


def is_event_file(name: str) -> bool:
    return os.path.basename(name).startswith(EVENT_PREFIX)
