"""Loading and validating component tables; scenarios."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import DataError, UnknownIdError
from corridor.model.network import load_network
from corridor.model.scenario import Closure, DemandGrowth, Intervention, Scenario, SetValue
from corridor.model.schema import COMPONENTS, schema
from tiny_network import TINY


def _replace_cell(component: str, row: int, column: str, value: str) -> str:
    lines = TINY[component].splitlines()
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    return "\n".join(lines) + "\n"


def test_tiny_dataset_loads_with_types(tiny_dataset: Callable[..., Path]) -> None:
    net = load_network(tiny_dataset())
    assert list(net.nodes["id"]) == ["a", "b", "c", "d", "e", "f", "r"]
    assert net.links["length_km"].dtype == "float64"
    assert net.borders["gauge_change"].dtype == bool
    assert net.services["vessels"].dtype == "int64"
    # defaults fill blank optional cells
    assert net.services["headway_h"][0] == 168.0


def test_schema_declares_every_component() -> None:
    decl = schema()
    assert set(decl) == set(COMPONENTS)
    for attrs in decl.values():
        names = [a.name for a in attrs]
        assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("component", "row", "column", "value", "expect"),
    [
        ("links", 3, "capacity_teu_per_year", "-5", "a number in [0, inf]"),
        ("links", 2, "length_km", "far", "expected a number"),
        ("links", 4, "speed_kmh", "nan", "NaN"),
        ("links", 2, "to", "atlantis", "an id defined in nodes.csv"),
        ("borders", 2, "from_mode", "rail_1600", "one of rail_1520"),
        ("nodes", 3, "country", "Kazakhstan", "ISO 3166-1"),
        ("services", 2, "vessels", "2.5", "a whole number"),
        ("links", 5, "source", "nowhere", "an id defined in sources.csv"),
        ("sources", 3, "method", "", "an estimate needs its method"),
        ("nodes", 4, "id", "b", "duplicate id"),
        ("links", 6, "bidirectional", "yes", "true or false"),
    ],
)
def test_bad_cell_names_file_row_column(
    tiny_dataset: Callable[..., Path],
    component: str,
    row: int,
    column: str,
    value: str,
    expect: str,
) -> None:
    folder = tiny_dataset(**{component: _replace_cell(component, row, column, value)})
    with pytest.raises(DataError) as info:
        load_network(folder)
    err = info.value
    assert err.file.endswith(f"{component}.csv")
    assert err.row == row
    assert err.column == column
    assert expect in str(err)
    assert "\n" not in str(err)


def test_missing_required_column(tiny_dataset: Callable[..., Path]) -> None:
    lines = TINY["links"].splitlines()
    cut = [",".join(c for i, c in enumerate(line.split(",")) if i != 4) for line in lines]
    with pytest.raises(DataError, match="required column is missing") as info:
        load_network(tiny_dataset(links="\n".join(cut) + "\n"))
    assert info.value.column == "length_km"


def test_unknown_column_and_short_row(tiny_dataset: Callable[..., Path]) -> None:
    bad = TINY["od_pairs"].replace("origin,", "orign,", 1)
    with pytest.raises(DataError, match="unknown column"):
        load_network(tiny_dataset(od_pairs=bad))
    with pytest.raises(DataError, match="expected 3 fields, found 2") as info:
        load_network(tiny_dataset(od_pairs="origin,destination,commodity\na,f\n"))
    assert info.value.row == 2


def test_missing_required_file(tiny_dataset: Callable[..., Path]) -> None:
    folder = tiny_dataset()
    (folder / "links.csv").unlink()
    with pytest.raises(DataError, match="file is missing"):
        load_network(folder)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters=',\n\r"'),
        max_size=12,
    )
)
def test_any_text_in_a_number_cell_is_parsed_or_rejected_cleanly(
    tiny_dataset: Callable[..., Path], text: str
) -> None:
    folder = tiny_dataset(links=_replace_cell("links", 2, "length_km", text))
    try:
        net = load_network(folder)
    except DataError as err:
        assert err.column == "length_km" and err.row == 2
        return
    value = float(text.strip())
    assert net.links["length_km"][0] == value and 0 < value <= 40_000


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.floats(min_value=0, max_value=1000, allow_nan=False, allow_infinity=False))
def test_numbers_round_trip(tiny_dataset: Callable[..., Path], value: float) -> None:
    folder = tiny_dataset(links=_replace_cell("links", 3, "tariff_usd_per_feu_km", repr(value)))
    assert load_network(folder).links["tariff_usd_per_feu_km"][1] == value


def test_scenario_changes_do_not_mutate_base(tiny_dataset: Callable[..., Path]) -> None:
    base = load_network(tiny_dataset())
    before = base.services.to_pandas()
    s = Scenario(
        "t",
        base,
        (
            SetValue("services", "fe", "vessels", "add", 2),
            Closure("countries", "RU"),
            DemandGrowth(2.0),
        ),
    )
    net = s.apply()
    assert net.services["vessels"][0] == 5
    assert base.services.to_pandas().equals(before)
    assert "cr" not in set(net.links["id"]) and "cr" in set(base.links["id"])
    assert net.demand["volume_per_year"].sum() == 2 * base.demand["volume_per_year"].sum()
    with pytest.raises(UnknownIdError):
        Scenario("t", base, (Closure("borders", "nope"),)).apply()
    with pytest.raises(UnknownIdError):
        Scenario("t", base, (Intervention("nope"),)).apply()


def test_binary_or_malformed_files_are_data_errors(tiny_dataset: Callable[..., Path]) -> None:
    folder = tiny_dataset()
    (folder / "links.csv").write_bytes(TINY["links"].encode() + b"\xff\xfe junk\n")
    with pytest.raises(DataError, match="not UTF-8 text"):
        load_network(folder)
    (folder / "links.csv").write_text(TINY["links"] + 'x,"a\0b",c\n')
    with pytest.raises(DataError):
        load_network(folder)


def test_an_unknown_node_suggests_the_id_by_name_or_case() -> None:
    from corridor.errors import UnknownIdError
    from corridor.model.network import load_network

    net = load_network()
    with pytest.raises(UnknownIdError, match=r"did you mean: almaty\?"):
        net.require_node("Almaty")
    with pytest.raises(UnknownIdError, match=r"did you mean: xian\?"):
        net.require_node("Xi'an")
