"""The network's table type: columns typed as declared when read, rows picked without
editing the original, and a CSV cell read back as the value written."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import DataError
from corridor.model.network import load_network
from corridor.model.table import Table
from tiny_network import TINY

LINKS_HEADER = TINY["links"].splitlines()[0]
_LINK_ENDS = [("a", "b"), ("c", "d"), ("e", "f"), ("c", "r"), ("r", "f"), ("a", "f")]


def _table() -> Table:
    return Table(
        {
            "id": ["x", "y", "z"],
            "from": ["a", "b", "c"],
            "length_km": [1.5, math.nan, 4.0],
            "vessels": np.array([1, 2, 3], dtype=np.int64),
            "bidirectional": [True, False, True],
        }
    )


def test_columns_keep_their_types_and_rows_come_back_as_python_values() -> None:
    t = _table()
    assert t.dtypes == {
        "id": np.dtype(object), "from": np.dtype(object), "length_km": np.dtype(np.float64),
        "vessels": np.dtype(np.int64), "bidirectional": np.dtype(bool),
    }  # fmt: skip
    first = t.to_dict("records")[0]
    assert first == {"id": "x", "from": "a", "length_km": 1.5, "vessels": 1,
                     "bidirectional": True}  # fmt: skip
    # Python values, not NumPy scalars: JSON and `is True` work on them as on CSV-read rows
    assert [type(v) for v in first.values()] == [str, str, float, int, bool]
    row = next(t.itertuples())
    assert row.id == "x" and row[1] == "a" and type(row.vessels) is int  # `from` by position


def test_rows_by_mask_and_columns_by_list_leave_the_original_alone() -> None:
    t = _table()
    picked = t[t["vessels"] >= 2]
    assert list(picked["id"]) == ["y", "z"] and len(t) == 3
    assert picked[["id", "vessels"]].columns == ("id", "vessels")
    longer = t.with_column("length_km", t["length_km"] * 2)
    assert longer["length_km"][0] == 3.0 and t["length_km"][0] == 1.5
    with pytest.raises(ValueError, match="read-only"):
        t["length_km"][0] = 9.0  # a shared table cannot be edited in place
    with pytest.raises(TypeError, match="boolean array"):
        t[np.array([True, False])]
    with pytest.raises(ValueError, match="different lengths"):
        Table({"a": [1.0], "b": [1.0, 2.0]})
    assert "vessels" in t and "name" not in t
    # text kept as Python strings, whatever it came as; NumPy numbers kept as numbers
    typed = Table({"id": np.array(["a", "b"]), "x": [np.float64(1.0), 2]})
    assert typed.dtypes == {"id": np.dtype(object), "x": np.dtype(np.float64)}


def test_pandas_and_pickle_round_trips_give_the_same_table() -> None:
    t = _table()
    frame = t.to_pandas()
    assert frame["id"].dtype == object and frame["vessels"].dtype == np.int64
    assert Table.from_pandas(frame).equals(t)
    back = pickle.loads(pickle.dumps(t))
    assert back.equals(t) and not back["length_km"].flags.writeable
    assert not t.equals(t.with_column("vessels", np.array([1, 2, 4])))


def _links_csv(rows: list[tuple[float, bool, float | None]]) -> str:
    lines = [LINKS_HEADER]
    for i, (length, both, stop) in enumerate(rows):
        frm, to = _LINK_ENDS[i]
        stop_text = "" if stop is None else repr(stop)
        lines.append(f"l{i},{frm},{to},rail_1520,{length!r},50,{stop_text},inf,inf,1.0,A,"
                     f"{str(both).lower()},s1")  # fmt: skip
    return "\n".join(lines) + "\n"


_LENGTH = st.floats(min_value=1e-3, max_value=40_000, allow_nan=False)
_STOP = st.none() | st.floats(min_value=0, max_value=1000, allow_nan=False)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.tuples(_LENGTH, st.booleans(), _STOP), min_size=1, max_size=6))
def test_a_typed_column_reads_back_what_was_written(
    tiny_dataset: Callable[..., Path], rows: list[tuple[float, bool, float | None]]
) -> None:
    links = load_network(tiny_dataset(links=_links_csv(rows))).links
    assert links["length_km"].dtype == np.float64 and links["bidirectional"].dtype == bool
    assert links["length_km"].tolist() == [r[0] for r in rows]
    assert links["bidirectional"].tolist() == [r[1] for r in rows]
    # a blank optional cell takes the schema's default (0 stops per 1000 km)
    assert links["stop_h_per_1000km"].tolist() == [0.0 if r[2] is None else r[2] for r in rows]
    assert list(links["id"]) == [f"l{i}" for i in range(len(rows))]


_BAD = {"length_km": "-1", "bidirectional": "yes", "mode": "rail_1600", "to": "atlantis"}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(st.tuples(_LENGTH, st.booleans(), _STOP), min_size=1, max_size=6),
    data=st.data(),
)
def test_a_bad_cell_is_named_by_file_row_and_column(
    tiny_dataset: Callable[..., Path],
    rows: list[tuple[float, bool, float | None]],
    data: st.DataObject,
) -> None:
    bad_row = data.draw(st.integers(0, len(rows) - 1))
    column = data.draw(st.sampled_from(sorted(_BAD)))
    lines = _links_csv(rows).splitlines()
    header = LINKS_HEADER.split(",")
    cells = lines[bad_row + 1].split(",")
    cells[header.index(column)] = _BAD[column]
    lines[bad_row + 1] = ",".join(cells)
    with pytest.raises(DataError) as info:
        load_network(tiny_dataset(links="\n".join(lines) + "\n"))
    err = info.value
    assert err.file.endswith("links.csv")
    assert (err.row, err.column) == (bad_row + 2, column)  # line 1 is the header
    assert "\n" not in str(err) and f"'{_BAD[column]}'" in str(err)


def test_the_default_dataset_reads_the_same_as_through_pandas() -> None:
    """Control against an outside reader: every numeric column of the default dataset
    equals pandas' own reading of the CSV (blank cells aside, which take defaults)."""
    net = load_network()
    folder = Path(__file__).parents[2] / "src/corridor/datasets/eurasia-2024"
    for name in ("links", "borders", "services", "terminals", "demand"):
        theirs = pd.read_csv(folder / f"{name}.csv", keep_default_na=False, dtype=str)
        ours = net.tables[name]
        assert len(ours) == len(theirs)
        for col in theirs.columns:
            if ours[col].dtype.kind == "f":
                cells = theirs[col].tolist()
                written = [float(c) for c in cells if c.strip()]
                read = [v for v, c in zip(ours[col].tolist(), cells, strict=True) if c.strip()]
                assert read == written, (name, col)
            elif ours[col].dtype == object:
                assert ours[col].tolist() == [c.strip() for c in theirs[col]], (name, col)
