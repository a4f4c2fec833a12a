"""The analyze contract: totals built from legs, bottlenecks from loaded demand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from corridor.analysis import analyze
from corridor.graph import services as svc
from corridor.model.network import load_network

LEG_KEYS = {
    "from",
    "to",
    "mode",
    "distance_km",
    "hours_moving",
    "hours_waiting",
    "cost_usd",
    "capacity_teu_per_year",
}
ROUTE_KEYS = {
    "corridor",
    "origin",
    "destination",
    "distance_km",
    "time_days",
    "time_days_p10",
    "time_days_p90",
    "cost_usd_per_feu",
    "countries",
    "transits",
    "legs",
    "bottlenecks",
}


def check_contract(result: dict) -> None:  # type: ignore[type-arg]
    """Assert the DESIGN.md JSON contract and its internal sums."""
    assert {"dataset", "scenario", "routes"} <= set(result)
    for r in result["routes"]:
        assert set(r) >= ROUTE_KEYS
        legs = r["legs"]
        assert all(set(leg) >= LEG_KEYS for leg in legs)
        assert sum(x["distance_km"] for x in legs) == pytest.approx(r["distance_km"])
        hours = sum(x["hours_moving"] + x["hours_waiting"] for x in legs)
        assert hours / 24 == pytest.approx(r["time_days"])
        assert sum(x["cost_usd"] for x in legs) == pytest.approx(r["cost_usd_per_feu"])
        assert r["time_days_p10"] <= r["time_days"] * 1.05
        assert r["time_days_p10"] < r["time_days_p90"]
        assert legs[0]["from"] == r["origin"] and legs[-1]["to"] == r["destination"]
        utils = [b["utilisation"] for b in r["bottlenecks"]]
        assert utils == sorted(utils, reverse=True)
        for b in r["bottlenecks"]:
            assert b["kind"] in {"border", "terminal", "port", "service", "link"}
            ratios = [
                b["flow_teu_per_year"] / b["capacity_teu_per_year"]
                if b["capacity_teu_per_year"]
                else 0.0,
                b["flow_t_per_year"] / b["capacity_t_per_year"]
                if b["capacity_t_per_year"]
                else 0.0,
            ]
            if b["capacity_teu_per_year"] and b["capacity_t_per_year"]:
                # shared train paths or slots: containers' TEU + bulk tonnes, each
                # in its own unit, never more than both units' ratios added up
                assert b["utilisation"] <= sum(ratios) * (1 + 1e-9)
            else:
                assert b["utilisation"] == pytest.approx(max(ratios))
        for code in r["countries"] + r["transits"]:
            assert len(code) == 2 and code.isupper()


def test_tiny_analysis_contract_and_loads(tiny_dataset: Callable[..., Path]) -> None:
    net = load_network(tiny_dataset())
    result = analyze(net)
    check_contract(result)
    by = {r["corridor"]: r for r in result["routes"]}
    # middle carries demand d1 (10,000 TEU), northern d2 (20,000): the shared border sees both
    border = next(b for b in by["middle"]["bottlenecks"] if b["id"] == "bc")
    assert border["flow_teu_per_year"] == pytest.approx(30000)
    port = next(b for b in by["middle"]["bottlenecks"] if b["id"] == "td")
    assert port["kind"] == "port" and port["flow_teu_per_year"] == pytest.approx(10000)
    # the ferry's capacity is built from vessels, load and round trip
    ferry = next(b for b in by["middle"]["bottlenecks"] if b["id"] == "fe")
    assert ferry["capacity_teu_per_year"] == pytest.approx(3 * 100 * 0.7 * 8760 / (2 * (20 + 24)))


def test_when_full_wait_limits() -> None:
    common = dict(
        vessels=2,
        teu_per_sailing=100.0,
        load_factor=1.0,
        crossing_h=20.0,
        port_turnaround_h=4.0,
        headway_h=168.0,
        max_wait_h=200.0,
    )
    idle = svc.expected_wait(policy="when_full", flow_teu_per_year=0.0, **common)
    assert idle.mean_h == pytest.approx(100.0)  # sails at max wait: mean half of it
    cap = 2 * 100.0 * 8760 / (2 * (20.0 + 4.0))  # 2 ships of 100 TEU, 48 h round trip
    assert svc.capacity_teu_per_year(2, 100.0, 1.0, 20.0, 4.0) == pytest.approx(cap)
    busy = svc.expected_wait(policy="when_full", flow_teu_per_year=0.3 * cap, **common)
    fill_h = 100.0 / (0.3 * cap / 8760)
    assert busy.mean_h == pytest.approx(fill_h / 2)
    fuller = svc.expected_wait(policy="when_full", flow_teu_per_year=0.45 * cap, **common)
    assert fuller.mean_h < busy.mean_h  # ships fill faster
    near = svc.expected_wait(policy="when_full", flow_teu_per_year=0.95 * cap, **common)
    assert near.mean_h > fuller.mean_h and near.cv > busy.cv  # then cargo queues for ships


def test_capacity_table_lists_loaded_elements(tiny_dataset: Callable[..., Path]) -> None:
    result = analyze(load_network(tiny_dataset()))
    table = {(c["id"], c["from"], c["to"]): c for c in result["capacities"]}
    # border bc carries both flows westbound; the eastbound direction carries nothing
    assert table[("bc", "b", "c")]["flow_teu_per_year"] == pytest.approx(30000)
    assert ("bc", "c", "b") not in table
    assert table[("td", "d", "d")]["utilisation"] == pytest.approx(10000 / 80000)
    utils = [c["utilisation"] for c in result["capacities"]]
    assert utils == sorted(utils, reverse=True)


def test_identical_routes_are_flagged(tiny_dataset: Callable[..., Path]) -> None:
    from tiny_network import TINY

    corridors = TINY["corridors"] + "ferry,Ferry again,e,RU,,RU,same as middle\n"
    result = analyze(load_network(tiny_dataset(corridors=corridors)))
    by = {r["corridor"]: r for r in result["routes"]}
    assert by["middle"]["same_route_as"] is None
    assert by["ferry"]["same_route_as"] == "middle"
    assert by["ferry"]["legs"] == by["middle"]["legs"]


def test_tonnage_capacity_binds_too(tiny_dataset: Callable[..., Path]) -> None:
    """A 50,000 t/yr line takes 5,000 of the middle's 10,000 TEU (10 t each); the rest diverts.

    The line states tonnes only (a weight-limited line), so containers count there
    in tonnes at their ``tonnes_per_teu``.
    """
    from tiny_network import TINY

    links = TINY["links"].replace(
        "cd,c,d,rail_1520,1000,50,10,200000,inf", "cd,c,d,rail_1520,1000,50,10,inf,50000"
    )
    result = analyze(load_network(tiny_dataset(links=links)))
    check_contract(result)
    table = {(c["id"], c["from"], c["to"]): c for c in result["capacities"]}
    line = table[("cd", "c", "d")]
    assert line["binding_unit"] == "t"
    assert line["flow_t_per_year"] == pytest.approx(50000)
    assert line["utilisation"] == pytest.approx(1.0)
    assert max(c["utilisation"] for c in result["capacities"]) <= 1.0 + 1e-9
    # nothing is lost: 30,000 TEU of demand are all carried somewhere
    summary = result["loaded_network"]
    assert summary["carried_per_year"] == pytest.approx(30000)
    assert result["unrouted_demand"] == []
    # the ferry beyond the full line now carries only what the line let through
    assert table[("fe", "d", "e")]["flow_teu_per_year"] == pytest.approx(5000)


def test_closed_form_percentiles_match_monte_carlo(tiny_dataset: Callable[..., Path]) -> None:
    """Moment-matched gamma + Wilson–Hilferty quantiles against 200,000 sampled trips."""
    import numpy as np

    from corridor.graph.compiled import compile_network
    from corridor.paths.reliability import day_percentiles, sample_days
    from corridor.paths.routes import routes

    for r in routes(compile_network(load_network(tiny_dataset())), "a", "f"):
        days = sample_days(r, samples=200_000, seed=3)
        expected = np.percentile(days, [10, 50, 90])
        assert day_percentiles(r) == pytest.approx(expected, rel=0.005)


def test_closed_only_when_the_scenario_cut_the_corridor(
    tiny_dataset: Callable[..., Path],
) -> None:
    from corridor.model.scenario import Closure, Scenario
    from tiny_network import TINY

    # "never" passes z, a place no link reaches: no route satisfies it, closures or not
    corridors = TINY["corridors"] + "never,Never,z,,,,via a place off the network\n"
    nodes = TINY["nodes"] + "z,Zulu,TM,junction,38.0,58.0,est\n"
    net = load_network(tiny_dataset(corridors=corridors, nodes=nodes))

    def status(result: dict) -> dict[str, str]:  # type: ignore[type-arg]
        out = {r["corridor"]: "open" for r in result["routes"]}
        out.update({x["corridor"]: x["status"] for x in result["not_offered"]})
        return out

    base = status(analyze(net))
    assert base == {"middle": "open", "northern": "open", "never": "not_applicable"}
    # closing the only link into r cuts the northern corridor (via r); "never" stays what it was
    cut = status(analyze(Scenario("no-cr", net, (Closure("links", "cr"),))))
    assert cut == {"middle": "open", "northern": "closed", "never": "not_applicable"}
    # a scenario that changes the base but closes nothing the corridors use closes none
    other = status(analyze(Scenario("no-af", net, (Closure("links", "af"),))))
    assert other == base
