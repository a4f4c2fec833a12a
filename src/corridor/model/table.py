"""A `Table`: named NumPy columns of one length, the type of a network's component tables.

The model needs little of a data-frame library from its tables: a column by name,
the rows as tuples or dicts, the rows picked by a boolean mask, a copy with one
column replaced. A `Table` does those and nothing else, so that reading a dataset
and answering ``corridor analyze`` imports NumPy but not pandas. Where a real
DataFrame is wanted (a report of tables, a notebook), :meth:`Table.to_pandas`
gives one and :meth:`Table.from_pandas` reads one back.

Columns are read-only arrays: float64, int64, bool, or object (Python strings),
as declared in ``components.csv``. A table is never edited in place; scenarios
build new tables with :meth:`Table.with_column` and :meth:`Table.take`.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Mapping, Sequence
from numbers import Number
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd


def _column(values: Any) -> npt.NDArray[Any]:
    """A read-only 1-D copy of ``values``: numbers as NumPy numbers, anything else (text)
    as Python objects.

    Examples
    --------
    >>> _column(["aktau", "alat"]).dtype, _column([1.5, 2.0]).dtype, _column([3, 4]).dtype
    (dtype('O'), dtype('float64'), dtype('int64'))
    """
    if isinstance(values, np.ndarray) and values.dtype.kind not in "US":
        arr = np.array(values)
    else:
        items = values.tolist() if isinstance(values, np.ndarray) else list(values)
        numeric = bool(items) and all(isinstance(v, Number | np.bool_) for v in items)
        if numeric:
            arr = np.array(items)
        else:
            arr = np.empty(len(items), dtype=object)
            arr[:] = items
    if arr.ndim != 1:
        raise ValueError(f"a column is one-dimensional, got shape {arr.shape}")
    arr.flags.writeable = False
    return arr


class Table:
    """Named columns of one length (see the module docs).

    Examples
    --------
    >>> t = Table({"id": ["a", "b", "c"], "length_km": [1.0, 2.5, 4.0]})
    >>> len(t), t.columns
    (3, ('id', 'length_km'))
    >>> t[t["length_km"] > 2.0].to_dict("records")
    [{'id': 'b', 'length_km': 2.5}, {'id': 'c', 'length_km': 4.0}]
    >>> [r.id for r in t.itertuples()]
    ['a', 'b', 'c']
    """

    __slots__ = ("_columns", "_length")

    def __init__(self, columns: Mapping[str, Any]) -> None:
        cols = {str(name): _column(values) for name, values in columns.items()}
        lengths = {len(c) for c in cols.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: {sorted(lengths)}")
        self._columns = cols
        self._length = lengths.pop() if lengths else 0

    @property
    def columns(self) -> tuple[str, ...]:
        """The column names, in order."""
        return tuple(self._columns)

    @property
    def dtypes(self) -> dict[str, np.dtype[Any]]:
        """Each column's NumPy type."""
        return {name: c.dtype for name, c in self._columns.items()}

    @property
    def empty(self) -> bool:
        """True when the table has no rows."""
        return self._length == 0

    def __len__(self) -> int:
        return self._length

    def __contains__(self, name: object) -> bool:
        """Whether the table has a column ``name``."""
        return name in self._columns

    def __repr__(self) -> str:
        return f"Table({self._length} rows: {', '.join(self._columns)})"

    @overload
    def __getitem__(self, key: str) -> npt.NDArray[Any]: ...

    @overload
    def __getitem__(self, key: list[str] | npt.NDArray[np.bool_]) -> Table: ...

    def __getitem__(self, key: str | list[str] | npt.NDArray[np.bool_]) -> Any:
        """A column by name; a table of some columns by a list of names; a table of the
        rows where a boolean array of the table's length is true."""
        if isinstance(key, str):
            if key not in self._columns:
                raise KeyError(key)
            return self._columns[key]
        if isinstance(key, list):
            return Table({name: self[name] for name in key})
        mask = np.asarray(key)
        if mask.dtype != np.bool_ or mask.shape != (self._length,):
            raise TypeError("rows are picked by a boolean array of the table's length")
        return self.take(np.flatnonzero(mask))

    def take(self, positions: Sequence[int] | npt.NDArray[np.integer[Any]]) -> Table:
        """The rows at ``positions``, in that order."""
        pos = np.asarray(positions, dtype=np.intp)
        return Table._of({name: c[pos] for name, c in self._columns.items()}, len(pos))

    def with_column(self, name: str, values: Any) -> Table:
        """A copy with column ``name`` replaced (or added last)."""
        new = _column(values)
        if len(new) != self._length:
            raise ValueError(f"column '{name}' has {len(new)} values for {self._length} rows")
        return Table._of({**self._columns, name: new}, self._length)

    def copy(self) -> Table:
        """The same table (columns are read-only, so they are shared)."""
        return Table._of(dict(self._columns), self._length)

    def itertuples(self) -> Iterator[Any]:
        """The rows as named tuples of Python values; a column whose name is not an
        identifier (``from``) is read by position (``r[1]``)."""
        row = namedtuple("Row", self._columns, rename=True)  # type: ignore[misc]
        return map(row._make, zip(*(c.tolist() for c in self._columns.values()), strict=True))

    def to_dict(self, orient: str = "records") -> list[dict[str, Any]]:
        """The rows as dicts of Python values (the only orientation: ``"records"``)."""
        if orient != "records":
            raise ValueError("a Table gives its rows as records only")
        names = list(self._columns)
        cols = [c.tolist() for c in self._columns.values()]
        return [dict(zip(names, values, strict=True)) for values in zip(*cols, strict=True)]

    def equals(self, other: Table) -> bool:
        """Same columns, types and values (NaN equal to NaN)."""
        if self.columns != other.columns or len(self) != len(other):
            return False
        for name, a in self._columns.items():
            b = other[name]
            if a.dtype != b.dtype:
                return False
            same = np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
            if not same:
                return False
        return True

    def to_pandas(self) -> pd.DataFrame:
        """The table as a pandas DataFrame (string columns stay of object type)."""
        import pandas as pd

        return pd.DataFrame(
            {name: pd.Series(c, dtype=c.dtype) for name, c in self._columns.items()},
            columns=list(self._columns),
        )

    @classmethod
    def from_pandas(cls, frame: pd.DataFrame) -> Table:
        """A table of a DataFrame's columns (its index is dropped)."""
        cols = {}
        for name in frame.columns:
            s = frame[name]
            kind = s.dtype.kind if isinstance(s.dtype, np.dtype) else "O"
            cols[str(name)] = s.to_numpy(dtype=s.dtype if kind in "biuf" else object)
        return cls(cols)

    @classmethod
    def _of(cls, columns: dict[str, npt.NDArray[Any]], length: int) -> Table:
        """A table of columns already read-only and of one length."""
        for c in columns.values():
            c.flags.writeable = False
        out = cls.__new__(cls)
        out._columns = columns
        out._length = length
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self._columns, self._length))


def _rebuild(columns: dict[str, npt.NDArray[Any]], length: int) -> Table:
    return Table._of(columns, length)
