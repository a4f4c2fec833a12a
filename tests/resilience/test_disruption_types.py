"""Typed disruptions on the tiny network, by hand, and properties no disruption may break."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_cases import BULK, tiny

from corridor.errors import CorridorError
from corridor.graph.compiled import compile_network
from corridor.loaded.prepare import prepare
from corridor.model.scenario import Closure
from corridor.resilience.disruptions import (
    BorderStrike,
    Close,
    DemandShock,
    Storms,
    WinterRoads,
    closure_days,
    outage,
    stress_scenario,
)
from corridor.resilience.exposure import exposure, hhi
from corridor.resilience.maxflow import region_cut


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return tiny(tmp_path_factory.mktemp("tiny"), **BULK)


def test_a_strike_by_hand(net) -> None:  # type: ignore[no-untyped-def]
    # border bc: 100,000 TEU, dwell 30 h; ten days in one spell: capacity x 355/365,
    # a unit meets the strike with probability 10/365 and then waits 120 h on average
    s = stress_scenario(net, disruptions=[BorderStrike("bc", 10)])
    bc = s.apply().borders.to_pandas().set_index("id").loc["bc"]
    assert bc["capacity_teu_per_year"] == pytest.approx(100_000 * 355 / 365)
    assert bc["dwell_h"] == pytest.approx(30 + 10 / 365 * 240 / 2)
    assert s.name == "strike bc 10 d"


def test_storms_set_the_weather_table_and_cut_the_sailings_beyond_the_base(net) -> None:  # type: ignore[no-untyped-def]
    # base: 14 storms x 30 h = 17.5 days; 36.5 days = 29.2 storms, 19 days more in port
    after = stress_scenario(net, disruptions=[Storms(36.5)]).apply()
    storm = after.tables["weather_closures"].to_pandas().set_index("id").loc["storm_ferries"]
    assert storm["closures_per_year"] == pytest.approx(36.5 * 24 / 30)
    fe = after.services.to_pandas().set_index("id").loc["fe", "load_factor"]
    assert fe == pytest.approx(0.7 * (365 - 19) / 365)
    calmer = stress_scenario(net, disruptions=[Storms(5)]).apply()
    assert calmer.row("services", "fe")["load_factor"] == pytest.approx(0.7)


def test_winter_roads_add_the_weather_models_wait_by_hand(net) -> None:  # type: ignore[no-untyped-def]
    # road af (CN-GE) takes Georgia's snow row (12 h, CV 1): 12 days = 24 closures;
    # expected wait n m / 8760 x m (1 + 1) / 2 rises from 4 to 24 closures: +0.3288 h
    def af_wait(network) -> float:  # type: ignore[no-untyped-def]
        g = compile_network(network)
        return float(g.hours_waiting[next(e for e in range(g.n_edges) if g.element_id(e) == "af")])

    after = stress_scenario(net, disruptions=[WinterRoads("GE", 12)]).apply()
    assert af_wait(after) - af_wait(net) == pytest.approx((24 - 4) * 12 / 8760 * 12)
    with pytest.raises(CorridorError, match="no winter road closures for RU"):
        stress_scenario(net, disruptions=[WinterRoads("RU", 3)])


def test_demand_shock_per_pair_and_per_commodity(net) -> None:  # type: ignore[no-untyped-def]
    by_pair = stress_scenario(
        net, disruptions=[DemandShock(2.0, origin="a", destination="f", commodity="ore")]
    ).apply()
    volumes = by_pair.demand.to_pandas().set_index("id")["volume_per_year"]
    assert volumes.to_dict() == {"d1": 10_000, "d2": 20_000, "d3": 160_000}
    everything = stress_scenario(net, disruptions=[DemandShock(0.5)]).apply()
    assert everything.demand["volume_per_year"].sum() == pytest.approx(55_000)
    with pytest.raises(CorridorError, match="no demand row from a to r"):
        stress_scenario(net, disruptions=[DemandShock(2.0, origin="a", destination="r")])


def test_disruptions_combine_in_order(net) -> None:  # type: ignore[no-untyped-def]
    s = stress_scenario(
        net, close=("RU",), disruptions=[BorderStrike("bc", 5), BorderStrike("bc", 5)]
    )
    bc = s.apply().borders.to_pandas().set_index("id").loc["bc"]
    assert bc["capacity_teu_per_year"] == pytest.approx(100_000 * (360 / 365) ** 2)
    assert not {"cr", "rf"} & set(s.apply().links["id"])


ELEMENTS = ["ab", "cd", "ef", "cr", "rf", "bc", "fe", "td", "te"]


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.sampled_from(ELEMENTS), max_size=3, unique=True),
    st.lists(st.tuples(st.sampled_from(["cd", "td", "fe"]), st.floats(0, 365)), max_size=2),
    st.floats(0, 365),
)
def test_a_disruption_never_raises_a_min_cut(net, closed, outages, strike) -> None:  # type: ignore[no-untyped-def]
    before = prepare(net)
    disruptions = [Close(c) for c in closed] + [BorderStrike("bc", strike)] * ("bc" not in closed)
    after = prepare(stress_scenario(net, outages=tuple(outages), disruptions=disruptions))
    for commodity in ("containers", "ore"):
        b = region_cut(before, "china", "caucasus", commodity).capacity
        a = region_cut(after, "china", "caucasus", commodity).capacity
        assert a <= b * (1 + 1e-9)


def test_closing_every_route_gives_zero_and_a_message(net) -> None:  # type: ignore[no-untyped-def]
    after = prepare(stress_scenario(net, close=("cd", "cr", "af")))
    cut = region_cut(after, "china", "caucasus", "containers")
    assert cut.capacity == 0 and cut.cut == ()
    assert "no open route" in cut.message
    x = exposure(after, "containers")
    assert x.carried == 0 and x.stranded == pytest.approx(30_000)
    assert x.corridor_shares == {} and x.hhi_routes == 0.0


@given(st.lists(st.floats(0, 1e9, allow_nan=False), min_size=1, max_size=12))
def test_hhi_bounds(weights: list[float]) -> None:
    positive = [w for w in weights if w > 0]
    h = hhi(weights)
    if not positive:
        assert h == 0.0
    else:
        assert 1 / len(positive) - 1e-12 <= h <= 1 + 1e-12


def test_shares_sum_to_one_and_closure_days_checks_its_input(net) -> None:  # type: ignore[no-untyped-def]
    x = exposure(prepare(net), "containers", ("china", "caucasus"))
    assert sum(x.corridor_shares.values()) == pytest.approx(1.0)
    assert x.carried + x.stranded == pytest.approx(30_000)
    with pytest.raises(CorridorError, match="days must be 0–365"):
        closure_days(net, "bc", 400)


@pytest.mark.parametrize("days", [365.0, 300.0])
def test_a_service_out_all_year_is_closed_not_given_a_zero_load_factor(net, days) -> None:  # type: ignore[no-untyped-def]
    # a load factor must stay in (0, 1]: a ferry out for the whole year is closed
    # (found by the min-cut property test with an outage of 365 days on 'fe')
    for changes in (outage(net, "fe", days), closure_days(net, "fe", days)):
        if days == 365.0:
            assert changes == (Closure("services", "fe"),)
        else:
            assert changes[0].value == pytest.approx(65 / 365)
        loaded = prepare(stress_scenario(net, outages=(("fe", days),)))
        assert loaded.relative_gap >= 0
