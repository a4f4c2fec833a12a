"""Arrow tables built from buffers equal pyarrow's own, and ``analyze``'s routes read back
from the store as the DataFrame they were before."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corridor.store.arrow import arrow_table
from corridor.store.store import Store
from corridor.store.tables import routes_arrow, routes_table

_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
_FLOAT = st.floats(allow_nan=False) | st.just(float("inf"))
_INT = st.integers(-(2**63), 2**63 - 1)


@given(
    data=st.integers(0, 6).flatmap(
        lambda n: st.tuples(
            st.lists(_TEXT, min_size=n, max_size=n),
            st.lists(_FLOAT, min_size=n, max_size=n),
            st.lists(_INT, min_size=n, max_size=n),
        )
    )
)
def test_a_table_from_buffers_equals_pyarrows_own(
    data: tuple[list[str], list[float], list[int]],
) -> None:
    texts, floats, ints = data
    ours = arrow_table(
        {"name": np.array(texts, dtype=object), "x": np.array(floats, dtype=np.float64),
         "n": np.array(ints, dtype=np.int64)}
    )  # fmt: skip
    schema = pa.schema([("name", pa.string()), ("x", pa.float64()), ("n", pa.int64())])
    theirs = pa.table({"name": texts, "x": floats, "n": ints}, schema=schema)
    assert ours.equals(theirs)


def test_a_column_of_other_things_is_refused() -> None:
    with pytest.raises(TypeError, match="'ok'"):
        arrow_table({"ok": np.array(["a", None], dtype=object)})
    with pytest.raises(TypeError, match="'when'"):
        arrow_table({"when": np.array(["2024-01-01"], dtype="datetime64[D]")})


def _result() -> dict[str, Any]:
    box = {"origin": "xian", "destination": "duisburg", "corridor": "middle",
           "distance_km": 7100.5, "time_days": 18.25, "time_days_p10": 15.0,
           "time_days_p90": 24.75, "cost_usd_per_feu": 6400.0}  # fmt: skip
    bulk = {"origin": "atyrau", "destination": "trieste", "commodity": "crude_oil",
            "corridor": "cpc", "unit": "t", "distance_km": 3900.0, "time_days": 9.5,
            "time_days_p10": 8.0, "time_days_p90": 12.0, "cost_usd_per_t": 41.5,
            "cost_usd_per_feu": 0.0}  # fmt: skip
    return {"routes": [box, bulk, {**box, "destination": "İstanbul", "corridor": "southern"}]}


@pytest.mark.parametrize("result", [_result(), {"routes": []}], ids=["routes", "none"])
def test_analyzes_routes_read_back_as_the_dataframe_they_were(
    store_url: str, result: dict[str, Any]
) -> None:
    with Store.open(store_url) as store:
        before = store.start_run("analyze", {})
        store.finish_run(before, results={"routes": routes_table(result)})
        now = store.start_run("analyze", {})
        store.finish_run(now, results={"routes": routes_arrow(result)})
        old, new = store.result(before, "routes"), store.result(now, "routes")
    assert len(new) == len(result["routes"])
    if result["routes"]:
        pd.testing.assert_frame_equal(new, old)
        assert new["cost"].tolist() == [6400.0, 41.5, 6400.0]
        assert new["unit"].tolist() == ["teu", "t", "teu"]
    else:  # an empty DataFrame had no column types; the Arrow table keeps them
        assert list(new.columns) == list(old.columns)
        assert new["time_days"].dtype == np.float64
