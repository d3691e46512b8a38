"""TensorBoard event files (``events.out.tfevents.*``), read without TensorFlow.

The records are read with the pure-Python reader and the protobufs TensorBoard itself ships
(``pip install 'chartspec[tensorboard]'``); every record's checksums are verified, so a truncated
or damaged file is an error rather than a silently shorter curve. Unlike TensorBoard's own
loader, which samples long series down to a reservoir, every event is kept.

Scalars come in two forms, both read: ``simple_value`` (tensorboardX, and PyTorch's
``SummaryWriter`` by default) and a one-value tensor whose tag names the ``scalars`` plugin
(TF2's ``tf.summary.scalar``, ``SummaryWriter(..., new_style=True)``); that plugin is named only
in the tag's first event, so it is remembered per tag. All event files of one folder belong to
one run (a resumed job writes a new file), read in name order, which is creation-time order.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import DataError, Diagnostic
from .common import MissingExtra, Part, long_table

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


def _records(path: Path, location: str) -> list[bytes]:
    """Every record of one event file, checksums verified."""
    _, errors, pywrap, _ = _modules()
    reader = pywrap.PyRecordReader_New(str(path))
    records: list[bytes] = []
    while True:
        try:
            reader.GetNext()
        except errors.OutOfRangeError:
            return records
        except errors.DataLossError as err:
            why = str(err.message if hasattr(err, "message") else err).replace(str(path), "").strip()
            raise DataError(Diagnostic(
                f"event file is damaged after {len(records)} records (record {len(records) + 1}: {why})",
                file=location, hint="a run that is still writing, or a copy cut short: copy the file again "
                "once the run has flushed it, or move the damaged file out of the folder")) from None
        records.append(reader.record())


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
    """The scalars of one run: its event files, in the given (name) order."""
    event_pb2, _, _, tensor_util = _modules()
    seq: list[int] = []
    steps: list[int] = []
    walls: list[float] = []
    metrics: list[str] = []
    values: list[float] = []
    for path, location in zip(paths, locations):
        plugins: dict[str, str] = {}
        for number, record in enumerate(_records(path, location), start=1):
            try:
                event = event_pb2.Event.FromString(record)
            except Exception as err:  # protobuf's DecodeError: the checksum held, the content did not
                raise DataError(Diagnostic(f"event file record {number} is not an event ({err})",
                                           file=location)) from None
            if not event.HasField("summary"):
                continue
            for value in event.summary.value:
                number_ = _scalar(value, plugins, tensor_util)
                if number_ is None:
                    continue
                seq.append(len(seq))
                steps.append(event.step)
                walls.append(event.wall_time)
                metrics.append(value.tag)
                values.append(number_)
    return Part({}, long_table(seq, steps, walls, metrics, values))


def event_files(folder: Path) -> list[Path]:
    """The event files directly in ``folder``, in name order."""
    return sorted(p for p in folder.iterdir() if p.name.startswith(EVENT_PREFIX) and p.is_file()) \
        if folder.is_dir() else []


def is_event_file(name: str) -> bool:
    return os.path.basename(name).startswith(EVENT_PREFIX)
