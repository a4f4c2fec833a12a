"""Corridor simulation from a network: calibration, scenarios, API and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.model.network import Network
from corridor.model.scenario import DemandGrowth, Scenario, SetValue
from corridor.simulation.api import door_to_door_percentiles, simulate
from corridor.simulation.build import TRAIN_TEU, build_model


def test_build_follows_the_routes_and_calibrates_dwell(sim_network: Network) -> None:
    built = build_model(sim_network)
    labels = {f.labels["corridor"] for f in built.model.flows}
    assert labels == {"middle", "northern"}
    middle = next(f for f in built.model.flows if f.labels["corridor"] == "middle")
    assert middle.shipments_per_year == pytest.approx(15000 / TRAIN_TEU)
    names = [getattr(leg, "name", "") for leg in middle.route]
    assert "service:fe:d>e" in names and "border:bc:b>c" in names
    cal = built.calibration["border:bc:b>c"]
    assert cal["service_h"] < cal["dwell_h"] == 30.0


def test_simulated_dwell_reproduces_the_dataset_at_base_load(sim_network: Network) -> None:
    r = simulate(sim_network, days=365, replications=40, seed=1)
    border = next(n for n in r.nodes if n.id == "border:bc:b>c")
    # Calibrated with Allen-Cunneen; seasonality and upstream closures make arrivals
    # burstier than Poisson, so allow a few per cent.
    assert border.mean_dwell_h == pytest.approx(30.0, rel=0.08)
    port = next(n for n in r.nodes if n.id == "terminal:td")
    assert port.mean_dwell_h == pytest.approx(12.0, rel=0.05)
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


def test_more_ferry_capacity_shortens_the_middle_corridor(sim_network: Network) -> None:
    more = Scenario("ships", sim_network, (SetValue("services", "fe", "vessels", "set", 8),))
    a = simulate(Scenario("base", sim_network), days=365, replications=20, seed=2)
    b = simulate(more, days=365, replications=20, seed=2)
    ma = next(t for t in a.transit if t.corridor == "middle")
    mb = next(t for t in b.transit if t.corridor == "middle")
    assert mb.mean_days <= ma.mean_days
    na = next(t for t in a.transit if t.corridor == "northern")
    nb = next(t for t in b.transit if t.corridor == "northern")
    assert na.mean_days == pytest.approx(nb.mean_days, rel=1e-9)  # same draws, same trips


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
