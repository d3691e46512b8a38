"""Numeric columns between the engine and numpy, through Arrow buffers, for millions of values.

DuckDB's ``fetchnumpy`` converts on one thread (~0.25 s per million-row column here, five times
its Arrow export), and pyarrow's own conversions (``to_numpy``, ``pa.array``) import pandas when it
is installed (0.2-0.3 s on every cold build). So these read and write the Arrow buffers directly:
a numeric Arrow array is a data buffer and an optional validity bitmap (bit i set: value i is
present), which numpy views without a copy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb
    import numpy as np
    import pyarrow as pa

__all__ = ["arrow_table", "float_column", "int_column", "numeric_columns"]


def arrow_table(con: duckdb.DuckDBPyConnection, query: str) -> pa.Table:
    """``query``'s result as an Arrow table."""
    result = con.sql(query)
    # DuckDB 1.4 renamed fetch_arrow_table to to_arrow_table
    return result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.fetch_arrow_table()


def numeric_columns(con: duckdb.DuckDBPyConnection, query: str) -> dict[str, np.ndarray]:
    """Each column of ``query``'s result as one numpy array (fixed-width numbers only; a missing
    value is NaN in a float column, and must not occur in an integer one)."""
    table = arrow_table(con, query)
    return {name: _numpy(table.column(name)) for name in table.column_names}


def _numpy(column: pa.ChunkedArray) -> np.ndarray:
    import numpy as np

    dtype = np.dtype(column.type.to_pandas_dtype())  # a dtype object: pandas is not imported
    pieces = []
    for chunk in column.chunks:
        validity, data = chunk.buffers()[:2]
        values = np.frombuffer(data, dtype=dtype, count=chunk.offset + len(chunk))[chunk.offset:]
        if chunk.null_count:
            if dtype.kind != "f":
                raise ValueError(f"column of {column.type} holds missing values")
            bits = np.unpackbits(np.frombuffer(validity, np.uint8), bitorder="little")
            values = np.where(bits[chunk.offset: chunk.offset + len(chunk)].astype(bool), values, np.nan)
        pieces.append(values)
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype)


def float_column(values: np.ndarray) -> pa.Array:
    """``values`` (float64) as an Arrow array without a copy, NaN as a missing value (Vega cannot
    place NaN, and the engine would sort it above every number)."""
    import numpy as np
    import pyarrow as pa

    values = np.ascontiguousarray(values, dtype=np.float64)
    missing = np.isnan(values)
    count = int(np.count_nonzero(missing))
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little")) if count else None
    return pa.Array.from_buffers(pa.float64(), len(values), [validity, pa.py_buffer(values)], null_count=count)


def int_column(values: np.ndarray) -> pa.Array:
    """``values`` (whole numbers, none missing) as an int64 Arrow array, without a copy."""
    import numpy as np
    import pyarrow as pa

    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])
