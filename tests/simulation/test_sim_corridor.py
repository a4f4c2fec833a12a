"""Corridor simulation from a loaded network: flows, scenarios, API and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import DemandGrowth, Scenario, SetValue
from corridor.simulation.api import door_to_door_percentiles, simulate
from corridor.simulation.build import TRAIN_TEU, build_model
from corridor.simulation.results import SimulationResult


def test_build_follows_the_loaded_paths(sim_network: Network) -> None:
    loaded = prepare(sim_network)
    built = build_model(loaded)
    labels = {f.labels["corridor"] for f in built.model.flows}
    assert labels == {"middle", "northern"}
    # Every loaded path is a flow; its shipments are its TEU over the train size.
    carried = {
        f.segment.corridor: sum(v * f.segment.teu_per_unit for _, v in f.paths)
        for f in loaded.flows
    }
    for corridor, teu in carried.items():
        trains = sum(
            f.shipments_per_year for f in built.model.flows if f.labels["corridor"] == corridor
        )
        assert trains == pytest.approx(teu / TRAIN_TEU)
    middle = next(f for f in built.model.flows if f.labels["corridor"] == "middle")
    names = [getattr(leg, "name", "") for leg in middle.route]
    assert "service:fe:d>e" in names and "border:bc:b>c" in names
    assert built.unrouted == ()


def test_unserved_demand_is_reported_not_simulated(sim_network: Network) -> None:
    # The border takes 100,000 TEU a year; 4x demand (140,000) cannot all pass.
    loaded = prepare(sim_network, growth=4.0)
    unserved = sum(f.unserved * f.segment.teu_per_unit for f in loaded.flows)
    assert unserved > 0
    built = build_model(loaded)
    teu = sum(f.shipments_per_year * f.teu_per_shipment for f in built.model.flows)
    assert teu == pytest.approx(4.0 * 35000 - unserved, rel=1e-9)
    assert built.unrouted and all("unserved" in line for line in built.unrouted)


def test_simulated_dwell_reproduces_the_dataset_at_base_load(sim_network: Network) -> None:
    r = simulate(sim_network, days=365, replications=40, seed=1)
    nodes = {n.id: n for n in r.nodes}
    border, wagons = nodes["border:bc:b>c"], nodes["pool:border:bc:b>c"]
    # The curve gives the observed dwell at the observed (base) load; the season
    # and upstream closures make arrivals burstier than Poisson: a few per cent.
    assert border.mean_dwell_h + wagons.mean_wait_h == pytest.approx(30.0, rel=0.08)
    assert nodes["terminal:td"].mean_dwell_h == pytest.approx(12.0, rel=0.05)
    for n in r.nodes:
        assert n.mean_in_system == pytest.approx(n.littles_law_in_system, rel=0.05), n.id
    for t in r.transit:
        assert t.p10_days <= t.p50_days <= t.p90_days
        lo, hi = t.mean_days_ci95
        assert lo <= t.mean_days <= hi
    json.dumps(r.to_dict(), allow_nan=False)


def test_demand_growth_lengthens_queues_with_the_same_draws(sim_network: Network) -> None:
    base = Scenario("base", sim_network)
    grown = Scenario("x2", sim_network, (DemandGrowth(2.0),))
    a = simulate(base, days=365, replications=20, seed=3)
    b = simulate(grown, days=365, replications=20, seed=3)
    wa = next(n for n in a.nodes if n.id == "border:bc:b>c")
    wb = next(n for n in b.nodes if n.id == "border:bc:b>c")
    assert wb.mean_wait_h > 1.5 * wa.mean_wait_h
    assert wb.arrivals_per_year == pytest.approx(2 * wa.arrivals_per_year, rel=0.05)


def test_a_scanner_cuts_the_border_dwell_by_about_the_cut(sim_network: Network) -> None:
    # A scanner that cuts the border's dwell by 40 % (30 h -> 18 h) leaves its
    # load unchanged (both corridors cross it), so the delay curve's dwell at the
    # loaded utilisation falls by 12 h; the simulated border (with its wagon
    # pool) must fall by that, within the season's extra queueing.
    scanner = Scenario(
        "scanner", sim_network, (SetValue("borders", "bc", "dwell_h", "scale", 0.6),)
    )
    a = simulate(Scenario("base", sim_network), days=365, replications=20, seed=2)
    b = simulate(scanner, days=365, replications=20, seed=2)

    def border_h(r: SimulationResult) -> float:
        nodes = {n.id: n for n in r.nodes}
        return nodes["border:bc:b>c"].mean_dwell_h + nodes["pool:border:bc:b>c"].mean_wait_h

    cut = border_h(a) - border_h(b)
    assert cut == pytest.approx(0.4 * 30.0, rel=0.15)
    ma = next(t for t in a.transit if t.corridor == "middle")
    mb = next(t for t in b.transit if t.corridor == "middle")
    assert ma.mean_days - mb.mean_days > 0.5 * cut / 24.0


def test_percentiles_function_and_seed_determinism(sim_network: Network) -> None:
    p = door_to_door_percentiles(sim_network, days=120, replications=4, seed=5)
    assert set(p) == {("middle", "a", "f"), ("northern", "a", "f")}
    assert p == door_to_door_percentiles(sim_network, days=120, replications=4, seed=5)


def test_cli_simulate_writes_outputs_atomically(sim_network: Network, tmp_path: Path) -> None:
    from corridor.cli import build_app

    out = tmp_path / "out"
    res = CliRunner().invoke(
        build_app(),
        [
            "simulate",
            "--dataset",
            sim_network.path,
            "--replications",
            "4",
            "--days",
            "60",
            "--json",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert {"transit", "nodes", "worst_node"} <= set(data)
    assert (out / "simulation.json").exists() and (out / "door_to_door.png").exists()
    assert (out / "queue_worst_node.png").exists()
    assert not list(out.glob(".*.tmp"))
    bad = CliRunner().invoke(
        build_app(), ["simulate", "--dataset", sim_network.path, "--scenario", "nope"]
    )
    assert bad.exit_code == 2
