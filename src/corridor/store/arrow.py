"""Arrow tables built from their columns' buffers, for the tables a run keeps in the store.

``pa.table`` and ``pa.array`` import pandas (about half a second) to check whether
they were handed pandas objects. A table built from the columns' buffers does not,
so a command that records a table (``assign``'s flows, ``analyze``'s routes) runs
without pandas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np


def arrow_table(columns: Mapping[str, Any]) -> Any:
    """A pyarrow Table of named columns: whole numbers as int64, other numbers as
    float64, text (Python strings; an empty text column is an object array) as UTF-8.

    Examples
    --------
    >>> t = arrow_table({"id": ["aktau", "alat"], "flow": [1.5, 2.0], "n": [3, 4]})
    >>> t.schema.types
    [DataType(string), DataType(double), DataType(int64)]
    >>> t.column("id").to_pylist(), t.column("flow").to_pylist()
    (['aktau', 'alat'], [1.5, 2.0])
    """
    import pyarrow as pa

    arrays = []
    for name, values in columns.items():
        data = np.asarray(values)
        if data.dtype.kind in "OU":
            arrays.append(_strings(pa, name, data.tolist()))
        elif data.dtype.kind in "iuf":
            whole = data.dtype.kind in "iu"
            data = np.ascontiguousarray(data, dtype=np.int64 if whole else np.float64)
            kind = pa.int64() if whole else pa.float64()
            arrays.append(pa.Array.from_buffers(kind, len(data), [None, pa.py_buffer(data)]))
        else:
            raise TypeError(f"column '{name}': expected numbers or text, got {data.dtype}")
    return pa.Table.from_arrays(arrays, names=list(columns))


def _strings(pa: Any, name: str, texts: list[Any]) -> Any:
    """A UTF-8 string array from its offsets and bytes."""
    if not all(isinstance(t, str) for t in texts):
        raise TypeError(f"column '{name}': expected text in every row")
    encoded = [t.encode() for t in texts]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    data = pa.py_buffer(b"".join(encoded))
    return pa.StringArray.from_buffers(len(encoded), pa.py_buffer(offsets), data)
