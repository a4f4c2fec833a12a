"""The embedded eurasia-2024 dataset: coverage, sources, and plausible outcomes."""

from __future__ import annotations

import math

import pytest
from test_analysis import check_contract

from corridor.analysis import analyze
from corridor.model.network import Network, load_network, split_list
from corridor.model.schema import schema

DEFAULT_PAIRS = {
    ("xian", "duisburg"),
    ("chongqing", "duisburg"),
    ("xian", "istanbul"),
    ("shanghai", "rotterdam"),
    ("almaty", "yokohama"),
}


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network()


@pytest.fixture(scope="module")
def result(net: Network) -> dict:  # type: ignore[type-arg]
    return analyze(net)


def test_every_row_cites_known_sources(net: Network) -> None:
    known = set(net.sources["id"])
    for component, attrs in schema().items():
        if not any(a.name == "source" for a in attrs):
            continue
        table = net.tables[component]
        for i, cell in enumerate(table["source"]):
            ids = split_list(cell)
            assert ids, f"{component}.csv row {i + 2} has no source"
            assert set(ids) <= known, f"{component}.csv row {i + 2}: {set(ids) - known}"


def test_estimates_state_their_method_and_all_sources_are_used(net: Network) -> None:
    est = net.sources[net.sources["reliability"] == "estimate"]
    assert (est["method"].str.len() > 10).all()
    used = {
        s
        for component, attrs in schema().items()
        if any(a.name == "source" for a in attrs)
        for cell in net.tables[component]["source"]
        for s in split_list(cell)
    }
    assert set(net.sources["id"]) - used == set(), "sources nobody cites"


def test_coverage_of_required_places(net: Network) -> None:
    ids = set(net.nodes["id"])
    required = {
        "xian",
        "chongqing",
        "urumqi",
        "shanghai",
        "lianyungang",
        "alashankou",
        "dostyk",
        "khorgos",
        "altynkol",
        "almaty",
        "aktau",
        "kuryk",
        "turkmenbashi",
        "alat",
        "tbilisi",
        "poti",
        "batumi",
        "constanta",
        "varna",
        "akhalkalaki",
        "kars",
        "istanbul",
        "kapikule",
        "budapest",
        "duisburg",
        "rotterdam",
        "yokohama",
        "malaszewicze",
        "st_petersburg",
    }
    assert required <= ids, required - ids
    gauge = net.borders[net.borders["gauge_change"]]
    assert {"alashankou", "khorgos"} <= set(gauge["from"]) | set(gauge["to"])
    caspian = net.services[
        net.services["from"].isin(["aktau", "kuryk", "turkmenbashi"])
        | net.services["to"].isin(["aktau", "kuryk", "turkmenbashi"])
    ]
    assert (caspian["policy"] == "when_full").all() and len(caspian) >= 3
    assert {"middle", "northern", "southern", "sea_suez", "sea_cape"} <= set(net.corridors["id"])


def test_default_pairs_compare_the_corridors(net: Network, result: dict) -> None:  # type: ignore[type-arg]
    check_contract(result)
    pairs = {(r["origin"], r["destination"]) for r in result["routes"]}
    assert pairs >= DEFAULT_PAIRS
    by = {(r["origin"], r["destination"], r["corridor"]): r for r in result["routes"]}
    for corridor in ("middle", "northern", "southern", "sea_suez", "sea_cape"):
        assert ("xian", "duisburg", corridor) in by, corridor
    mid = by[("xian", "duisburg", "middle")]
    assert {"KZ", "AZ", "GE"} <= set(mid["transits"]) and "RU" not in mid["countries"]
    assert "RU" in by[("xian", "duisburg", "northern")]["transits"]
    assert "IR" in by[("xian", "duisburg", "southern")]["transits"]
    assert mid["bottlenecks"], "the middle corridor has capacity-limited elements"
    assert all(math.isfinite(b["utilisation"]) for b in mid["bottlenecks"])


def test_outcomes_in_published_ranges(result: dict) -> None:  # type: ignore[type-arg]
    """Bottom-up totals land in the ranges the trade press reports (not fitted to them)."""
    by = {(r["origin"], r["destination"], r["corridor"]): r for r in result["routes"]}
    mid = by[("xian", "duisburg", "middle")]
    north = by[("xian", "duisburg", "northern")]
    suez = by[("shanghai", "rotterdam", "sea_suez")]
    cape = by[("shanghai", "rotterdam", "sea_cape")]
    assert 12 <= mid["time_days"] <= 40
    assert 10 <= north["time_days"] <= 25
    assert north["time_days"] < mid["time_days"]
    assert 25 <= suez["time_days"] <= 55
    assert cape["time_days"] > suez["time_days"] + 5
    assert cape["distance_km"] > suez["distance_km"]
    assert mid["cost_usd_per_feu"] > north["cost_usd_per_feu"]
    # the Caspian crossing's waiting dominates the middle corridor's spread
    assert (
        mid["time_days_p90"] - mid["time_days_p10"]
        > north["time_days_p90"] - north["time_days_p10"]
    )


def test_built_in_scenarios_change_what_they_should(net: Network) -> None:
    from corridor.model.scenario import load_scenario, scenario_names

    assert {"red-sea-closed", "russia-belarus-closed", "middle-corridor-package"} <= set(
        scenario_names(net)
    )

    def corridors(name: str, o: str, d: str) -> dict[str, dict]:  # type: ignore[type-arg]
        scen = load_scenario(name, net)
        out = analyze(scen.apply(), pairs=[(o, d)], scenario_name=scen.name)
        assert out["scenario"] == name
        return {r["corridor"]: r for r in out["routes"]}

    base = corridors("base", "xian", "duisburg")
    red = corridors("red-sea-closed", "shanghai", "rotterdam")
    assert "sea_suez" not in red and "sea_cape" in red
    no_ru = corridors("russia-belarus-closed", "xian", "duisburg")
    assert "northern" not in no_ru and "middle" in no_ru
    assert all("RU" not in r["countries"] for r in no_ru.values())
    package = corridors("middle-corridor-package", "xian", "duisburg")
    assert package["middle"]["time_days"] < base["middle"]["time_days"]
    # the package touches Middle Corridor elements only
    assert package["northern"]["cost_usd_per_feu"] == pytest.approx(
        base["northern"]["cost_usd_per_feu"]
    )
