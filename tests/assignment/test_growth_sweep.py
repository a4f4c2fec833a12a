"""Demand growth on the loaded network (corridor.loaded.growth): only what must hold physically.

Whatever the numbers: every factor's demand is carried or reported, shares
and the unserved share make one, nothing runs above capacity, demand is left
behind only when every route of its choice set is full, and the 2024 demand
fits the 2024 network. Loads are recomputed here from the paths.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from corridor.loaded.growth import GrowthSweep, growth_sweep, plot_growth_sweep
from corridor.loaded.network import LoadedNetwork
from corridor.model.network import load_network
from slot_oracle import element_use, use_of_one_unit

FACTORS = (1.0, 1.5, 2.0, 3.0)


@pytest.fixture(scope="module")
def sweep() -> GrowthSweep:
    return growth_sweep(load_network(), FACTORS)


def test_demand_scales_with_the_factor(sweep: GrowthSweep) -> None:
    base = {f.segment.name: f.segment.volume for f in sweep.runs[0].flows}
    for factor, run in zip(FACTORS, sweep.runs, strict=True):
        assert run.growth == factor
        for f in run.flows:
            assert f.segment.volume == pytest.approx(factor * base[f.segment.name], rel=1e-12)


def test_shares_and_unserved_make_one_at_every_factor(sweep: GrowthSweep) -> None:
    shares = sweep.shares()
    assert "unserved" in shares
    for i, run in enumerate(sweep.runs):
        assert sum(v[i] for v in shares.values()) == pytest.approx(1.0, abs=1e-9)
        containers = [f for f in run.flows if f.segment.commodity == "containers"]
        demand = sum(f.segment.volume for f in containers)
        unserved = sum(f.unserved for f in containers)
        carried = sum(v for f in containers for _, v in f.paths)
        assert carried + unserved == pytest.approx(demand, rel=1e-9)
        assert shares["unserved"][i] == pytest.approx(unserved / demand, abs=1e-9)


def test_2024_demand_fits_the_2024_network(sweep: GrowthSweep) -> None:
    assert sweep.runs[0].unrouted() == []
    assert sweep.shares()["unserved"][0] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("i", range(len(FACTORS)))
def test_no_element_above_capacity(sweep: GrowthSweep, i: int) -> None:
    run = sweep.runs[i]
    use = element_use(run)
    assert max(use) <= 1 + 1e-9
    np.testing.assert_allclose(run.utilisation, use, rtol=1e-9, atol=1e-12)


def test_growth_binds_somewhere(sweep: GrowthSweep) -> None:
    """Control: by x3 an element is full and demand is left behind (else the checks idle)."""
    last = sweep.runs[-1]
    assert last.utilisation.max() == pytest.approx(1.0)
    assert last.unrouted()
    first = sweep.first_binding
    assert first is not None and first["utilisation"] >= sweep.binding_utilisation


def _blocked(run: LoadedNetwork, use: list[float], f) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Per edge: its element has no room left for segment ``f``."""
    s = f.segment
    g = run.graph
    first = run.capacities.first_edge
    per_unit = [
        use_of_one_unit(s, float(g.capacity_teu_per_year[e]), float(g.capacity_t_per_year[e]))
        for e in first
    ]
    full = np.array(
        [w > 0 and (1 - u) / w <= 1e-6 * s.volume for u, w in zip(use, per_unit, strict=True)],
        dtype=bool,
    )
    el = run.capacities.element_of
    return np.where(el >= 0, full[np.maximum(el, 0)], False)


@pytest.mark.parametrize("i", range(len(FACTORS)))
def test_demand_is_left_behind_only_when_every_route_is_full(sweep: GrowthSweep, i: int) -> None:
    """No path with room from origin to destination in the segment's choice set (NetworkX)."""
    run = sweep.runs[i]
    g = run.graph
    use = element_use(run)
    for f in run.flows:
        if f.unserved <= 1e-6 * f.segment.volume:
            continue
        s = f.segment
        ok = s.edge_ok & ~_blocked(run, use, f)
        src, dst = g.gate(s.origin), g.gate(s.destination)
        dg = nx.DiGraph()
        for e in np.flatnonzero(ok):
            a, b = int(g.tail[e]), int(g.head[e])
            if a < g.n_gates and a != src:
                continue  # gates end paths, they are not passed through
            dg.add_edge(a, b)
        assert not (src in dg and dst in dg and nx.has_path(dg, src, dst)), s.name
        # and the element named as refusing it is full
        full = {run.capacities.key[j][1] for j in np.flatnonzero(run.utilisation >= 1 - 1e-6)}
        assert f.refused_by and set(f.refused_by) <= full, (s.name, f.refused_by)


def test_plot_and_json(sweep: GrowthSweep, tmp_path: Path) -> None:
    import json

    out = tmp_path / "shares.png"
    plot_growth_sweep(sweep, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    back = json.loads(json.dumps(sweep.to_dict()))
    assert back["demand_growth"] == list(FACTORS)
    assert len(back["unrouted"]) == len(FACTORS)


def test_the_sweep_at_x1_is_the_network_analyze_answers_on(sweep: GrowthSweep) -> None:
    # one answer per question: the equilibrium at x1 and `analyze` share their waits,
    # so every route's days agree to the last digit
    from corridor.analysis import analyze

    run = sweep.runs[FACTORS.index(1.0)]
    direct = analyze(
        load_network(), pairs=[("xian", "duisburg"), ("tengiz", "trieste", "crude_oil")]
    )
    on_run = analyze(run, pairs=[("xian", "duisburg"), ("tengiz", "trieste", "crude_oil")])
    days = {(r["corridor"], r["commodity"]): r["time_days"] for r in direct["routes"]}
    assert days and days == {
        (r["corridor"], r["commodity"]): r["time_days"] for r in on_run["routes"]
    }
    np.testing.assert_array_equal(run.graph.hours_waiting, direct_waits())


def direct_waits() -> np.ndarray:
    from corridor.loaded.prepare import prepare

    return prepare(load_network()).graph.hours_waiting
