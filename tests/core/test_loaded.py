"""Invariants of the loaded network, for the base and every shipped scenario.

What must hold whatever the numbers: no element above its capacity, every TEU
of demand either carried or reported unserved, paths that are real paths of
the graph with their costs adding up, corridor shares summing to one, one
answer per question (``routes`` = ``analyze``), and the closures doing what a
closure must. Flows and utilisations are recomputed here from the paths and
the raw tables, not read back from the engine's own totals.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import corridor
from corridor.analysis import analyze
from corridor.analysis import routes as analysis_routes
from corridor.errors import NoRouteError
from corridor.loaded.calibration import Calibration, observed_edge_flows
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import load_scenario
from slot_oracle import element_use

SCENARIO_DIR = Path(corridor.__file__).parent / "datasets" / "eurasia-2024" / "scenarios"
SCENARIOS = ["base", *sorted(p.stem for p in SCENARIO_DIR.glob("*.json"))]


_LOADED: dict[str, LoadedNetwork] = {}


def loaded_for(name: str, net: Network, cal: Calibration) -> LoadedNetwork:
    if name not in _LOADED:
        _LOADED[name] = prepare(load_scenario(name, net), calibration=cal)
    return _LOADED[name]


@pytest.fixture(params=SCENARIOS)
def loaded(request: pytest.FixtureRequest, net: Network, calibration: Calibration) -> LoadedNetwork:
    return loaded_for(request.param, net, calibration)


def test_every_scenario_file_is_covered() -> None:
    assert len(SCENARIOS) >= 7
    assert {"demand-x2", "russia-belarus-closed", "caspian-low-water", "red-sea-closed"} <= set(
        SCENARIOS
    )


def edge_flows_from_paths(loaded: LoadedNetwork) -> tuple[np.ndarray, np.ndarray]:
    """TEU and tonnes a year per edge, summed from every segment's paths."""
    g = loaded.graph
    teu, t = np.zeros(g.n_edges), np.zeros(g.n_edges)
    for f in loaded.flows:
        s = f.segment
        for edges, volume in f.paths:
            for e in edges:
                teu[e] += volume * s.teu_per_unit
                t[e] += volume * s.t_per_unit
    return teu, t


def test_no_element_carries_more_than_its_capacity(loaded: LoadedNetwork) -> None:
    """Element use recomputed from the paths (tests/slot_oracle.py), against capacities
    read off the edges: containers' TEU and bulk tonnes share an element's capacity."""
    teu, _t = edge_flows_from_paths(loaded)
    use = element_use(loaded)
    over = [(loaded.capacities.key[i], u) for i, u in enumerate(use) if u > 1 + 1e-9]
    assert not over, over
    np.testing.assert_allclose(loaded.utilisation, use, rtol=1e-9, atol=1e-12)
    # the engine's own totals agree with the paths
    np.testing.assert_allclose(loaded.edge_flow_teu, teu, rtol=1e-9, atol=1e-6)
    assert loaded.utilisation.max() <= 1 + 1e-9


def test_demand_is_carried_or_reported_unserved(loaded: LoadedNetwork) -> None:
    """Per segment, carried + unserved = demand; segments partition the demand table."""
    demand = loaded.network.demand.to_pandas().set_index("id")["volume_per_year"]
    seen: list[str] = []
    for f in loaded.flows:
        s = f.segment
        carried = sum(v for _, v in f.paths)
        assert carried >= 0 and f.unserved >= -1e-9 * s.volume
        assert carried + f.unserved == pytest.approx(s.volume, rel=1e-9, abs=1e-6), s.name
        rows = float(demand[list(s.demand_ids)].sum())
        assert s.volume == pytest.approx(loaded.growth * rows, rel=1e-12)
        if f.unserved > 1e-6 * max(s.volume, 1.0):
            assert f.reason, s.name
        seen.extend(s.demand_ids)
    assert sorted(seen) == sorted(demand.index)


def test_paths_are_paths_of_the_graph_with_costs_adding_up(loaded: LoadedNetwork) -> None:
    g = loaded.graph
    for f in loaded.flows:
        s = f.segment
        for edges, volume in f.paths:
            assert volume > 0
            at = g.gate(s.origin)
            visited = [at]
            for e in edges:
                assert g.tail[e] == at, s.name
                assert s.edge_ok[e], f"{s.name} uses edge {e} outside its choice set"
                at = int(g.head[e])
                visited.append(at)
            assert at == g.gate(s.destination)
            assert len(visited) == len(set(visited)), f"{s.name}: a path visits a vertex twice"
            # the generalised cost, recomputed edge by edge, is finite
            cost = sum(
                g.cost_usd[e] + s.value_of_time * (g.hours_moving[e] + g.hours_waiting[e])
                for e in edges
            )
            assert math.isfinite(cost) and cost > 0


def test_corridor_shares_sum_to_one(loaded: LoadedNetwork) -> None:
    summary = loaded.summary()
    shares = summary["corridor_shares"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-9)
    assert all(v >= 0 for v in shares.values())
    carried = sum(
        v for f in loaded.flows if f.segment.commodity == "containers" for _, v in f.paths
    )
    assert summary["carried_per_year"] == pytest.approx(carried, rel=1e-9)
    assert sum(summary["corridor_volume_per_year"].values()) == pytest.approx(carried, rel=1e-9)


def test_relative_gap_is_small(loaded: LoadedNetwork) -> None:
    assert 0 <= loaded.relative_gap < 1e-2


def test_routes_and_analyze_give_one_answer(loaded: LoadedNetwork) -> None:
    result = analyze(loaded)
    by_pair: dict[tuple[str, str, str], dict[str, dict]] = {}
    for r in result["routes"]:
        by_pair.setdefault((r["origin"], r["destination"], r["commodity"]), {})[r["corridor"]] = r
    net = loaded.network
    for p in net.od_pairs.itertuples():
        commodity = p.commodity or "containers"
        expected = by_pair.get((p.origin, p.destination, commodity), {})
        try:
            found = analysis_routes(loaded, p.origin, p.destination, commodity=commodity)
        except NoRouteError:
            found = []
        assert {r.corridor for r in found} == set(expected), (p.origin, p.destination)
        for r in found:
            rec = expected[r.corridor]
            assert r.time_days == rec["time_days"]
            assert r.cost_usd == rec["cost_usd_per_feu"]
            assert r.generalised_cost_usd == rec["generalised_cost_usd_per_feu"]


def test_route_totals_recomputed_from_the_loaded_edges(loaded: LoadedNetwork) -> None:
    """A route's days and money are the sums over its edges of the loaded graph."""
    g = loaded.graph
    for p in loaded.network.od_pairs.itertuples():
        try:
            found = analysis_routes(loaded, p.origin, p.destination, commodity=p.commodity)
        except NoRouteError:
            continue
        for r in found:
            e = list(r.edges)
            hours = float(g.hours_moving[e].sum() + g.hours_waiting[e].sum())
            assert r.time_days == pytest.approx(hours / 24, rel=1e-12)
            assert r.cost_usd == pytest.approx(float(g.cost_usd[e].sum()), rel=1e-12)
            vot = r.value_of_time_usd_per_feu_h
            assert r.generalised_cost_usd == pytest.approx(
                float(g.cost_usd[e].sum()) + vot * hours, rel=1e-12
            )


# --- scenario facts -----------------------------------------------------------


def node_countries(net: Network) -> dict[str, str]:
    return dict(zip(net.nodes["id"], net.nodes["country"], strict=True))


def test_russia_belarus_closed(net: Network, calibration: Calibration) -> None:
    closed = loaded_for("russia-belarus-closed", net, calibration)
    g = closed.graph
    country = node_countries(net)
    # no carried path touches Russia or Belarus
    for f in closed.flows:
        for edges, _ in f.paths:
            nodes = {
                g.node_ids[int(g.vertex_node[v])] for e in edges for v in (g.tail[e], g.head[e])
            }
            assert not {country[n] for n in nodes} & {"RU", "BY"}, f.segment.name
    # Kazakh crude cannot all go round Russia: the rest is reported with a full element
    crude = [f for f in closed.flows if f.segment.commodity == "crude_oil"]
    assert sum(f.unserved for f in crude) > 0
    full = {closed.capacities.key[i][1] for i in np.flatnonzero(closed.utilisation >= 1 - 1e-6)}
    for f in crude:
        if f.unserved > 0:
            assert f.refused_by, f.segment.name
            assert set(f.refused_by) <= full, (f.refused_by, full)
    assert "s_kmtf_tankers_aktau_sangachal" in full  # the Caspian tankers fill up
    unrouted = {u["segment"]: u for u in closed.unrouted()}
    for f in crude:
        if f.unserved > 0:
            assert unrouted[f.segment.name]["refused_by"] == list(f.refused_by)
            assert unrouted[f.segment.name]["unit"] == "t"
    # the Northern containers are carried elsewhere, and where is reported
    northern = [
        f for f in closed.flows
        if f.segment.corridor == "northern" and f.segment.commodity == "containers"
    ]  # fmt: skip
    assert northern
    for f in northern:
        carried = sum(v for _, v in f.paths)
        assert carried == pytest.approx(f.segment.volume, rel=1e-6), f.segment.name
        assert all(closed.corridor_of(edges) != "northern" for edges, _ in f.paths)
    volumes = closed.summary()["corridor_volume_per_year"]
    assert volumes.get("northern", 0.0) == 0.0
    base = loaded_for("base", net, calibration).summary()["corridor_volume_per_year"]
    assert base["northern"] > 0  # control: the base does use the Northern route


def caspian_services() -> set[str]:
    """Services the low-water scenario changes, read from its file."""
    data = json.loads((SCENARIO_DIR / "caspian-low-water.json").read_text("utf-8"))
    return {c["id"] for c in data["changes"] if c.get("component") == "services"}


def test_caspian_low_water_never_speeds_a_caspian_route(
    net: Network, calibration: Calibration
) -> None:
    base = loaded_for("base", net, calibration)
    low = loaded_for("caspian-low-water", net, calibration)
    ships = caspian_services()
    checked = []
    faster = []
    for p in net.od_pairs.itertuples():
        try:
            before = analysis_routes(base, p.origin, p.destination, commodity=p.commodity)
        except NoRouteError:
            continue
        after = {
            r.corridor: r
            for r in analysis_routes(low, p.origin, p.destination, commodity=p.commodity)
        }
        for r in before:
            if not {leg.element_id for leg in r.legs} & ships:
                continue
            checked.append((p.origin, p.destination, r.corridor))
            if r.corridor in after and after[r.corridor].time_days < r.time_days - 1e-9:
                faster.append((*checked[-1], r.time_days, after[r.corridor].time_days))
    assert len(checked) >= 5  # the check is not vacuous: Caspian routes exist
    assert not faster, faster


def test_border_dwell_is_reproduced_at_the_observed_load(
    net: Network, calibration: Calibration
) -> None:
    """Where an element carries its base-year load, its wait is the dwell of borders.csv."""
    base = loaded_for("base", net, calibration)
    g = base.graph
    caps = base.capacities
    teu, t, missing = observed_edge_flows(calibration.graph)
    assert not missing
    observed_teu: dict[int, float] = {}
    observed_t: dict[int, float] = {}
    for e in np.flatnonzero(caps.element_of >= 0):
        i = int(caps.element_of[e])
        observed_teu[i] = observed_teu.get(i, 0.0) + teu[e]
        observed_t[i] = observed_t.get(i, 0.0) + t[e]
    borders = net.borders.to_pandas().set_index("id")
    checked_loaded = 0
    for e in range(g.n_edges):
        if g.element_id(e) not in borders.index or caps.element_of[e] < 0:
            continue
        if caps.key[int(caps.element_of[e])][0] != "borders":
            continue
        i = int(caps.element_of[e])
        same = math.isclose(
            base.element_teu[i], observed_teu.get(i, 0.0), rel_tol=1e-9, abs_tol=1e-6
        )
        same &= math.isclose(base.element_t[i], observed_t.get(i, 0.0), rel_tol=1e-9, abs_tol=1e-6)
        utilisation = base.utilisation[i]
        if not same or utilisation > 0.95:  # above 0.95 the observation is taken at 0.95
            continue
        dwell = float(borders.loc[g.element_id(e), "dwell_h"])
        assert g.hours_waiting[e] == pytest.approx(dwell, rel=1e-9), g.element_id(e)
        checked_loaded += utilisation > 0.05
    assert checked_loaded >= 2  # loaded borders (not just idle ones) were checked


def test_delay_grows_with_load_at_a_border(net: Network, calibration: Calibration) -> None:
    """Control for the test above: a border loaded above its base load waits longer."""
    base = loaded_for("base", net, calibration)
    doubled = loaded_for("demand-x2", net, calibration)
    g, g2 = base.graph, doubled.graph
    caps = base.capacities
    longer = 0
    for e in range(g.n_edges):
        i = int(caps.element_of[e])
        if i < 0 or caps.key[i][0] != "borders" or not np.isfinite(caps.capacity_teu[i]):
            continue
        assert doubled.capacities.key[i] == caps.key[i]
        if doubled.element_teu[i] > base.element_teu[i] * 1.01 and base.element_teu[i] > 0:
            assert g2.hours_waiting[e] > g.hours_waiting[e], caps.key[i]
            longer += 1
    assert longer >= 1
