"""Hostile dataset and scenario input (issue 14): refused in one line naming the cell,
or given the right meaning; never accepted wrongly.

The intervals below are written out here, independently of ``components.csv``,
so a schema that loses a bound fails these tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import CorridorError, DataError, UnknownIdError
from corridor.loaded.prepare import prepare
from corridor.model.network import Network, load_network
from corridor.model.scenario import DemandGrowth, Scenario, SetValue, load_scenario
from corridor.model.table import Table
from tiny_network import TINY

Dataset = Callable[..., Path]
FN = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _cell(component: str, row: int, column: str, value: str) -> str:
    lines = TINY[component].splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def _refused(folder: Path, file: str, row: int, column: str) -> DataError:
    with pytest.raises(DataError) as info:
        load_network(folder)
    err = info.value
    assert (Path(err.file).name, err.row, err.column) == (file, row, column), str(err)
    assert "\n" not in str(err)
    return err


# (component, row, column, value): each was accepted, or crashed, before the schema's ranges
PHYSICALLY_WRONG = [
    ("links", 2, "speed_kmh", "0"),  # deleted the link in silence
    ("links", 2, "speed_kmh", "-5"),
    ("links", 2, "speed_kmh", "NaN"),
    ("links", 3, "length_km", "1e308"),  # deleted the link; hung the simulation
    ("links", 3, "length_km", "1e400"),
    ("links", 4, "tariff_usd_per_feu_km", "-1"),  # "Dijkstra needs non-negative weights"
    ("nodes", 2, "lat", "999"),
    ("nodes", 3, "lon", "-181"),
    ("services", 2, "vessels", "0"),  # analyze moved traffic, simulate refused
    ("services", 2, "vessels", str(2**70)),  # OverflowError
    ("services", 2, "headway_h", "0"),  # ZeroDivisionError in simulate
    ("services", 2, "load_factor", "1.5"),
    ("commodities", 2, "tonnes_per_teu", "0"),  # ZeroDivisionError
    ("borders", 2, "servers", "0"),
    ("demand", 2, "volume_per_year", "-10"),
]


@pytest.mark.parametrize(("component", "row", "column", "value"), PHYSICALLY_WRONG)
def test_physically_wrong_values_are_refused_at_their_cell(
    tiny_dataset: Dataset, component: str, row: int, column: str, value: str
) -> None:
    folder = tiny_dataset(**{component: _cell(component, row, column, value)})
    err = _refused(folder, f"{component}.csv", row, column)
    assert f"found '{value}'" in str(err)


@FN
@given(speed=st.floats(allow_nan=True, allow_infinity=True))
def test_a_speed_is_accepted_exactly_when_it_is_in_0_to_1000(
    tiny_dataset: Dataset, speed: float
) -> None:
    folder = tiny_dataset(links=_cell("links", 2, "speed_kmh", repr(speed)))
    if 0 < speed <= 1000:
        assert load_network(folder).links["speed_kmh"][0] == speed
    else:
        _refused(folder, "links.csv", 2, "speed_kmh")


@FN
@given(n=st.integers(min_value=-(2**80), max_value=2**80))
def test_whole_numbers_of_any_size_are_checked_not_overflowed(
    tiny_dataset: Dataset, n: int
) -> None:
    folder = tiny_dataset(borders=_cell("borders", 2, "servers", str(n)))
    if 1 <= n <= 10_000:
        assert load_network(folder).borders["servers"][0] == n
    else:
        _refused(folder, "borders.csv", 2, "servers")


def test_a_duplicated_header_is_refused_not_last_copy_wins(tiny_dataset: Dataset) -> None:
    lines = TINY["borders"].splitlines()
    lines[0] += ",dwell_h"
    lines[1] += ",999"
    folder = tiny_dataset(borders="\n".join(lines) + "\n")
    err = _refused(folder, "borders.csv", 1, "dwell_h")
    assert "twice" in str(err)


def test_a_byte_order_mark_is_not_part_of_the_first_column(tiny_dataset: Dataset) -> None:
    folder = tiny_dataset()
    nodes = folder / "nodes.csv"
    nodes.write_bytes(b"\xef\xbb\xbf" + nodes.read_bytes())
    assert list(load_network(folder).nodes["id"])[:2] == ["a", "b"]


def test_a_quoted_multiline_field_does_not_shift_the_reported_row(tiny_dataset: Dataset) -> None:
    lines = TINY["nodes"].splitlines()
    lines[1] = lines[1].replace("Alpha", '"Al\npha"')  # record 2 spans lines 2-3
    lines[3] = lines[3].replace(",KZ,", ",Kazakhstan,")  # record 4 starts on line 5
    folder = tiny_dataset(nodes="\n".join(lines) + "\n")
    _refused(folder, "nodes.csv", 5, "country")


def test_a_condition_missing_from_the_conditions_table_is_refused(tiny_dataset: Dataset) -> None:
    no_c = "\n".join(x for x in TINY["conditions"].splitlines() if not x.startswith("C,")) + "\n"
    # link ef (row 4) is in condition C: it used a speed factor of 1.0 in silence
    _refused(tiny_dataset(conditions=no_c), "links.csv", 4, "condition")


def test_capacity_zero_means_closed_not_unlimited() -> None:
    """A 0 in the capacity column that limits a link closes it (it once meant unlimited).

    A link limited in no unit counts everything against a TEU capacity once one
    is stated, so TEU 0 closes it to all freight; a pipeline limited in tonnes is
    closed by tonnes 0 (TEU 0 there only says no containers ride it).
    """
    net = load_network()
    loaded = prepare(net)
    caps = loaded.capacities
    links = [i for i, k in enumerate(caps.key) if k[0] == "links"]
    unlimited = [
        i for i in links if math.isinf(caps.capacity_teu[i]) and math.isinf(caps.capacity_t[i])
    ]
    busiest = max(unlimited, key=lambda i: loaded.element_teu[i])
    assert loaded.element_teu[busiest] > 0
    key = caps.key[busiest]
    table = net.links.to_pandas()
    table.loc[table["id"] == key[1], "capacity_teu_per_year"] = 0.0
    closed = prepare(net.with_tables(links=Table.from_pandas(table)))
    j = closed.capacities.key.index(key)
    assert closed.element_teu[j] == 0.0 and closed.element_t[j] == 0.0
    table.loc[table["id"] == key[1], "capacity_teu_per_year"] = 1000.0
    tight = prepare(net.with_tables(links=Table.from_pandas(table)))
    assert 0 < tight.element_teu[tight.capacities.key.index(key)] <= 1000.0 * (1 + 1e-9)
    # the CPC pipeline is limited in tonnes: tonnes 0 closes it
    pipe = net.links.to_pandas()
    pipe.loc[pipe["id"] == "p_cpc", "capacity_t_per_year"] = 0.0
    shut = prepare(net.with_tables(links=Table.from_pandas(pipe)))
    cpc = [i for i, k in enumerate(shut.capacities.key) if k[:2] == ("links", "p_cpc")]
    assert cpc and all(shut.element_t[i] == 0.0 for i in cpc)


# ---- scenarios ---------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Network:
    folder = tmp_path_factory.mktemp("tiny")
    for name, text in TINY.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return load_network(folder)


def _scenario_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ('{"changes": [{"type": "demand_growth", "factor": NaN}]}', "NaN"),
        ('{"changes": [{"type": "demand_growth", "factor": Infinity}]}', "Infinity"),
        ('{"changes": [{"type": "demand_growth", "factor": 1e400}]}', "1e400"),
        ('{"changes": [{"type": "demand_growth", "factor": -1}]}', "(0, 100]"),
        ('{"changes": [{"type": "demand_growth", "factor": "2"}]}', "must be a number"),
        ('{"changes": [{"type": "demand_growth", "factor": true}]}', "must be a number"),
        ('{"changes": [{"type": "demand_growth", "factor": 2, "commodity": "gold"}]}', "gold"),
        ('{"changes": [[1]]}', "expected an object"),
        ('{"name": 5, "changes": []}', "'name'"),
        (
            '{"changes": [{"type": "set", "component": "links", "id": "ab",'
            ' "attribute": "tariff_usd_per_feu_km", "value": -1}]}',
            "[0, 1000]",
        ),
        (
            '{"changes": [{"type": "set", "component": "services", "id": "fe",'
            ' "attribute": "vessels", "operation": "add", "value": -3}]}',
            "[1, 10000]",
        ),
        (
            '{"changes": [{"type": "set", "component": "services", "id": "fe",'
            ' "attribute": "draft_limited", "value": "no"}]}',
            "true or false",
        ),
        (
            '{"changes": [{"type": "set", "component": "links", "id": "ab",'
            ' "attribute": "speed_kmh", "operation": "scale", "value": 0}]}',
            "(0, 1000]",
        ),
    ],
)
def test_bad_scenarios_are_refused_in_one_line_naming_the_file(
    tiny: Network, tmp_path: Path, text: str, expect: str
) -> None:
    path = _scenario_file(tmp_path, text)
    with pytest.raises(CorridorError) as info:
        load_scenario(path, tiny)
    message = str(info.value)
    assert expect in message and "\n" not in message
    if not isinstance(info.value, UnknownIdError):
        assert str(path) in message


@pytest.mark.parametrize(("text", "value"), [("false", False), ("true", True), (False, False)])
def test_a_boolean_given_as_text_means_what_it_says(
    tiny: Network, text: object, value: bool
) -> None:
    change = SetValue("services", "fe", "draft_limited", "set", text)  # type: ignore[arg-type]
    net = Scenario("s", tiny, (change,)).apply()
    assert bool(net.services["draft_limited"][0]) is value


@FN
@given(factor=st.floats(allow_nan=True, allow_infinity=True))
def test_demand_growth_is_applied_exactly_when_it_is_in_0_to_100(
    tiny: Network, factor: float
) -> None:
    s = Scenario("g", tiny, (DemandGrowth(factor),))
    if 0 < factor <= 100:
        np.testing.assert_array_equal(
            s.apply().demand["volume_per_year"], tiny.demand["volume_per_year"] * factor
        )
    else:
        with pytest.raises(DataError, match="demand_growth"):
            s.apply()


def test_a_blank_set_clears_an_optional_column_and_refuses_a_required_one(tiny: Network) -> None:
    # a scenario may lift a speed limit (blank = none) but not blank a link's speed
    with pytest.raises(DataError, match="a value is required"):
        Scenario("s", tiny, (SetValue("links", "ab", "speed_kmh", "set", "nan"),)).apply()
    ok = Scenario("s", tiny, (SetValue("links", "ab", "stop_h_per_1000km", "set", "nan"),))
    assert ok.apply().links["stop_h_per_1000km"][0] == 0.0  # the column's default


def test_a_builtin_name_wins_over_a_folder_of_that_name(tmp_path: Path) -> None:
    """`analyze --scenario X --out X` run twice: the second run read the folder X."""
    base = load_network()
    (tmp_path / "red-sea-closed").mkdir()
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert load_scenario("red-sea-closed", base).name == "red-sea-closed"
    finally:
        os.chdir(cwd)


def test_a_change_whose_type_is_not_text_is_refused(tiny: Network, tmp_path: Path) -> None:
    path = _scenario_file(tmp_path, json.dumps({"changes": [{"type": {"a": [1] * 3}}]}))
    with pytest.raises(DataError, match="expected type closure"):
        load_scenario(path, tiny)


def test_a_scenario_cannot_set_a_condition_class_the_conditions_table_lacks(
    tiny: Network,
) -> None:
    with pytest.raises(DataError, match=r"conditions\.csv"):
        Scenario("s", tiny, (SetValue("links", "ab", "condition", "set", "Z"),)).apply()
    net = Scenario("s", tiny, (SetValue("links", "ab", "condition", "set", "D"),)).apply()
    assert net.links["condition"][0] == "D"
