"""The embedded eurasia-2024 dataset: coverage, sources, and plausible outcomes."""

from __future__ import annotations

import math

import numpy as np
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
    assert all(len(m) > 10 for m in est["method"])
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
        np.isin(net.services["from"], ["aktau", "kuryk", "turkmenbashi"])
        | np.isin(net.services["to"], ["aktau", "kuryk", "turkmenbashi"])
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
    # TITR's own schedule: Xi'an→Duisburg 32–37 days (2025); the model adds the Kazakh entry
    # side at Dostyk (CPMM 2022: 78 h) and technical stops on standard-gauge rail
    assert 12 <= mid["time_days"] <= 45
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


# --- 2024 figures pinned to their published values -------------------------------------------


def _row(table, rid: str):  # type: ignore[no-untyped-def]
    rows = table[table["id"] == rid].to_dict("records")
    assert len(rows) == 1, rid
    return rows[0]


def _yearly_capacity(s) -> float:  # type: ignore[no-untyped-def]
    """Oracle: sailings a year the fleet can make x usable TEU a sailing."""
    round_trip = 2 * (s["crossing_h"] + s["port_turnaround_h"])
    return s["vessels"] * 8760 / round_trip * s["teu_per_sailing"] * s["load_factor"]


def test_caspian_container_feeders_are_the_2024_fleet(net: Network) -> None:
    # ASCO/KMTF (2025 plan): 4 KMTF + 2 ASCO feeders can carry about 89,000 TEU Aktau→Alyat
    feeders = _row(net.services, "s_kmtf_aktau_alat")
    assert feeders["vessels"] == 4 + 2
    assert feeders["teu_per_sailing"] == 225  # UIC 2019: 225 TEU per vessel
    assert _yearly_capacity(feeders) == pytest.approx(89_000, rel=0.02)
    # the fleet carried 55,000 TEU in 2024 (KMTF), so it was not full
    assert _yearly_capacity(feeders) > 55_000


def test_black_sea_services_match_the_observed_sailings(net: Network) -> None:
    titr = _row(net.services, "s_bs_poti_constanta")
    # one 210-TEU ship, three voyages a month / every 10 days (2022)
    assert (titr["vessels"], titr["teu_per_sailing"], titr["headway_h"]) == (1, 210, 240)
    assert _yearly_capacity(titr) == pytest.approx(3 * 12 * 210, rel=0.05)
    assert titr["crossing_h"] + titr["port_turnaround_h"] == 5 * 24  # 5 days one way (2019)
    varna = _row(net.services, "s_bs_poti_varna")  # Navibulgar: weekly, 108 wagons
    assert varna["teu_per_sailing"] == 108 * 2
    assert _yearly_capacity(varna) == pytest.approx(52 * 216, rel=0.02)
    # the one TITR ship calls Poti and Batumi: it is not counted twice
    black_sea = net.services[np.isin(net.services["to"], ["constanta", "varna"])]
    assert black_sea["vessels"].sum() == 2
    liners = _row(net.services, "s_liner_poti_ambarli")  # 313 calls at Poti in 2024
    assert 8760 / liners["headway_h"] == pytest.approx(313, rel=0.01)
    assert liners["vessels"] * 8760 / (
        2 * (liners["crossing_h"] + liners["port_turnaround_h"])
    ) == pytest.approx(313, rel=0.01)


def test_border_sides_are_summed_from_cpmm(net: Network) -> None:
    b = net.borders.to_pandas().set_index("id")
    # CPMM 2022: Alashankou out 30.5 h, Horgos out 34.8 h, Kazakhstan rail in 78.0 h
    assert b.loc["b_alashankou_dostyk", "dwell_h"] == pytest.approx(30.5 + 78.0)
    assert b.loc["b_khorgos_altynkol", "dwell_h"] == pytest.approx(34.8 + 78.0)
    # eastbound: Kazakhstan rail out 6.8 h, China rail in 53.7 h
    for rid in ("b_dostyk_alashankou", "b_altynkol_khorgos"):
        assert b.loc[rid, "dwell_h"] == pytest.approx(6.8 + 53.7)
        assert b.loc[rid, "fee_usd_per_feu"] == pytest.approx(185 + 130)
    assert b.loc["b_alashankou_dostyk", "fee_usd_per_feu"] == pytest.approx(53 + 313)
    # Red Bridge: AZ out 13.6 h / USD 43 + GE in 1.8 h / USD 44 (2022)
    red = b.loc["b_qirmizikorpu_tsitelikhidi"]
    assert (red["dwell_h"], red["fee_usd_per_feu"]) == (pytest.approx(13.6 + 1.8), 43 + 44)
    # GE out 45.3 h (CPMM 2023) / USD 92 + AZ in 3.1 h / USD 69 (2022)
    red = b.loc["b_tsitelikhidi_qirmizikorpu"]
    assert (red["dwell_h"], red["fee_usd_per_feu"]) == (pytest.approx(45.3 + 3.1), 92 + 69)
    assert b.loc["b_sarpi_sarp", "fee_usd_per_feu"] == 10  # CPMM 2022
    assert b.loc["b_sarpi_sarp", "dwell_h"] == pytest.approx(20.8)


def test_btk_reopened_in_2024_is_base_data(net: Network) -> None:
    from corridor.model.scenario import Intervention, load_scenario

    btk = _row(net.links, "r_marabda_akhalkalaki")
    assert btk["capacity_t_per_year"] == 5_000_000  # ADY, May 2024
    assert btk["capacity_teu_per_year"] == 5_000_000 / 10  # at 10 t per TEU
    # no intervention (so no scenario) rebuilds it again
    assert "r_marabda_akhalkalaki" not in set(net.interventions["target"])
    package = load_scenario("middle-corridor-package", net)
    ids = {c.id for c in package.changes if isinstance(c, Intervention)}
    assert ids and ids <= set(net.interventions["id"])


def test_pipelines_and_crude_flows_2024(net: Network) -> None:
    btc = _row(net.links, "p_btc")
    assert btc["capacity_t_per_year"] == pytest.approx(1.2e6 * 365 / 7.33, rel=0.01)  # bp
    assert btc["length_km"] == 1768  # bp
    cpc = _row(net.links, "p_cpc")
    assert 63.01e6 <= cpc["capacity_t_per_year"] < 72.5e6  # shipped 2024 ≤ cap < 2025 section
    demand = net.demand.to_pandas().set_index("id")["volume_per_year"]
    # Tokayev: above 1.4 Mt in 2024, to Europe and (a probe of two cargoes a year) to Japan
    assert demand["d_crude_btc"] + demand["d_crude_btc_japan"] == pytest.approx(1.4e6)
    # Ministry of Energy: 46.3 Mt through CPC in January–October 2024, to Europe, Korea, Japan
    kazakh_cpc = demand["d_crude_cpc"] + demand["d_crude_cpc_korea"] + demand["d_crude_cpc_japan"]
    assert kazakh_cpc == pytest.approx(46.3e6 * 12 / 10, rel=0.01)
    assert kazakh_cpc < 63.01e6  # CPC's 2024 total includes Russian crude
    # S&P 2024: Korea buys 2-5 million barrels of CPC Blend a month (7.6 bbl/t)
    assert 2e6 * 12 / 7.6 <= demand["d_crude_cpc_korea"] <= 5e6 * 12 / 7.6
    # Japan: one 135,000-t Suezmax cargo a month (Platts CPC-Far East), two by BTC a year
    assert demand["d_crude_cpc_japan"] == 12 * 135_000
    assert demand["d_crude_btc_japan"] == 2 * 135_000


def test_port_capacities_and_poti_trade_2024(net: Network) -> None:
    t = net.terminals.to_pandas().set_index("id")["capacity_teu_per_year"]
    assert 55_000 <= t["t_aktau"] < 140_000  # handled 55k TEU in 2024; hub from late 2025
    hub = _row(net.interventions, "i_aktau_hub")
    assert (hub["target"], float(hub["value"])) == ("t_aktau", 140_000)
    assert t["t_poti"] >= 545_297  # APM Terminals: handled in 2024
    own = net.demand[np.char.startswith(net.demand["id"].astype(str), "d_poti_")]
    assert all(c == "" for c in own["corridor"])
    assert own["volume_per_year"].sum() == pytest.approx(545_297 - 56_500, rel=0.001)


def test_standard_gauge_rail_has_commercial_speeds(net: Network) -> None:
    links = net.links.to_pandas().set_index("id")
    std = net.links[net.links["mode"] == "rail_1435"]
    assert (std["stop_h_per_1000km"] > 0).all()
    # Xi'an Railway Bureau: Xi'an→Alashankou in 52 h
    china = ["r_xian_lanzhou", "r_lanzhou_urumqi", "r_urumqi_jinghe", "r_jinghe_alashankou"]
    hours = sum(
        links.loc[i, "length_km"]
        * (1 / links.loc[i, "speed_kmh"] + links.loc[i, "stop_h_per_1000km"] / 1000)
        for i in china
    )
    assert hours == pytest.approx(52, rel=0.03)
    # European Court of Auditors: about 18 km/h on international routes
    w = links.loc["r_warsaw_duisburg"]
    assert w["condition"] == "A"
    assert 1000 / (1000 / w["speed_kmh"] + w["stop_h_per_1000km"]) == pytest.approx(18, rel=0.03)


def test_liner_port_to_port_time_via_suez(result: dict) -> None:  # type: ignore[type-arg]
    by = {(r["origin"], r["destination"], r["corridor"]): r for r in result["routes"]}
    legs = by[("shanghai", "rotterdam", "sea_suez")]["legs"]
    at_sea = [leg for leg in legs if leg["from"] != leg["to"]]
    assert {leg["mode"] for leg in at_sea} == {"sea"}
    days = sum(leg["hours_moving"] + leg["hours_waiting"] for leg in at_sea) / 24
    assert 30 <= days <= 35  # published Asia–North Europe schedules, with calls
