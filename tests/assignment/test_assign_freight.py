"""Equilibrium on the compiled Eurasian network: invariants, cost functions, growth sweep."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from corridor import load_network
from corridor.assignment.freight import (
    CorridorEquilibrium,
    FreightParameters,
    GrowthSweep,
    corridor_graph,
    equilibrium,
    growth_sweep,
    plot_growth_sweep,
    segment_classes,
)
from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork, compile_network


@pytest.fixture(scope="module")
def compiled() -> CompiledNetwork:
    return compile_network(load_network())


@pytest.fixture(scope="module")
def eq(compiled: CompiledNetwork) -> CorridorEquilibrium:
    return equilibrium(compiled, growth=2.0, rgap=1e-6, max_iter=2000)


@pytest.fixture(scope="module")
def sweep(compiled: CompiledNetwork) -> GrowthSweep:
    return growth_sweep(compiled, (1.0, 1.5, 2.0, 3.0))


def test_graph_mirrors_compiled_network(compiled: CompiledNetwork) -> None:
    g = corridor_graph(compiled)
    assert (g.n_nodes, g.n_zones, g.first_thru) == (
        compiled.n_vertices,
        compiled.n_gates,
        compiled.n_gates,
    )
    assert (g.to_source_order(g.tail) == compiled.tail).all()
    assert (g.to_source_order(g.head) == compiled.head).all()
    # a terminal's access, egress and transfer edges share one capacity group
    kinds = [EDGE_KINDS.index(k) for k in ("transfer", "access", "egress")]
    terminal = np.isin(compiled.kind, kinds) & (compiled.element >= 0)
    group = g.to_source_order(g.group)
    for t in np.unique(compiled.element[terminal]):
        members = np.flatnonzero(terminal & (compiled.element == t))
        assert len(set(group[members])) == 1
    assert g.n_groups == compiled.n_edges - terminal.sum() + len(
        np.unique(compiled.element[terminal])
    )


def test_equilibrium_invariants(compiled: CompiledNetwork, eq: CorridorEquilibrium) -> None:
    r = eq.result
    assert r.converged and r.relative_gap <= 1e-6
    classes, _ = segment_classes(compiled, growth=2.0)
    assert len(classes) == r.class_flow.shape[0]
    for k, cls in enumerate(classes):
        flow = r.class_flow[k]
        assert (flow >= -1e-9).all()
        assert (flow[~cls.link_mask] == 0).all()  # only the segment's choice set
        bal = np.zeros(compiled.n_vertices)
        np.add.at(bal, compiled.head, flow)
        np.subtract.at(bal, compiled.tail, flow)
        want = np.zeros(compiled.n_vertices)
        z = compiled.n_gates
        want[:z] = cls.demand.sum(axis=0) - cls.demand.sum(axis=1)
        np.testing.assert_allclose(bal, want, atol=1e-6 * max(1.0, cls.demand.sum()))
        # gates are path ends: what leaves a gate is what it ships
        out_of_gate = np.bincount(compiled.tail, weights=flow, minlength=compiled.n_vertices)
        np.testing.assert_allclose(
            out_of_gate[:z], cls.demand.sum(axis=1), atol=1e-6 * max(1.0, cls.demand.sum())
        )


def test_queue_and_bpr_times_from_their_formulas(
    compiled: CompiledNetwork, eq: CorridorEquilibrium
) -> None:
    """M/M/1 with service time = dwell: t = moving + dwell / (1 - rho); links: BPR 0.15, 4."""
    r = eq.result
    util = r.utilisation()
    base = compiled.hours_moving + compiled.hours_waiting
    link = compiled.kind == EDGE_KINDS.index("link")
    capped = util > 0
    checked = 0
    for e in np.flatnonzero(capped):
        rho = util[e]
        if link[e]:
            expected = base[e] * (1 + 0.15 * rho**4)
        elif rho < 0.95 and compiled.hours_waiting[e] > 0:
            expected = compiled.hours_moving[e] + compiled.hours_waiting[e] / (1 - rho)
        else:
            continue
        assert r.link_time[e] == pytest.approx(expected, rel=1e-9)
        checked += 1
    assert checked > 10


def test_gap_recomputed_with_networkx(compiled: CompiledNetwork, eq: CorridorEquilibrium) -> None:
    """Every class uses only least-cost paths (hours + USD / value of time) at its flows."""
    r = eq.result
    z = compiled.n_gates
    tstt = sptt = 0.0
    for k, cls in enumerate(segment_classes(compiled, growth=2.0)[0]):
        cost = r.link_time + compiled.cost_usd / cls.value_of_time
        g = nx.MultiDiGraph()
        for e in np.flatnonzero(cls.link_mask):
            u, v = int(compiled.tail[e]), int(compiled.head[e])
            g.add_edge(("out", u) if u < z else u, ("in", v) if v < z else v, weight=cost[e])
        for o in np.flatnonzero(cls.demand.sum(axis=1)):
            dist = nx.single_source_dijkstra_path_length(g, ("out", int(o)))
            for d in np.flatnonzero(cls.demand[o]):
                sptt += cls.demand[o, d] * dist[("in", int(d))]
        tstt += float(r.class_flow[k][cls.link_mask] @ cost[cls.link_mask])
    assert (tstt - sptt) / tstt == pytest.approx(r.relative_gap, abs=1e-9)


def test_od_records(eq: CorridorEquilibrium) -> None:
    assert eq.od and all(rec["time_days"] > 0 for rec in eq.od)
    assert all(rec["cost_usd_per_feu"] > 0 and rec["distance_km"] > 0 for rec in eq.od)
    d = eq.to_dict()
    assert set(d) >= {"corridor_shares", "capacities", "od", "relative_gap"}
    utils = [c["utilisation"] for c in eq.capacities]
    assert utils == sorted(utils, reverse=True)


def test_growth_sweep(sweep: GrowthSweep, tmp_path: Path) -> None:
    assert sweep.factors == (1.0, 1.5, 2.0, 3.0)
    demand = [run.demand_teu for run in sweep.runs]
    np.testing.assert_allclose(demand, np.array(sweep.factors) * demand[0])
    for run in sweep.runs:
        assert run.result.converged
        shares = run.corridor_shares
        assert all(0.0 <= s <= 1.0 + 1e-9 for s in shares.values())
    top = [run.bottleneck["utilisation"] for run in sweep.runs if run.bottleneck]
    assert top == sorted(top)  # more demand never relieves the busiest capacity here
    first = sweep.first_binding
    if first is not None:
        assert first["utilisation"] >= sweep.binding_utilisation
        earlier = [r for f, r in zip(sweep.factors, sweep.runs, strict=True)
                   if f < first["demand_growth"]]  # fmt: skip
        assert all(r.bottleneck["utilisation"] < sweep.binding_utilisation for r in earlier)
    out = tmp_path / "shares.png"
    plot_growth_sweep(sweep, out)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert set(sweep.to_dict()) >= {"corridor_shares", "first_binding"}


def test_value_of_time_moves_flows(compiled: CompiledNetwork) -> None:
    """Valuing time more makes congestion matter more: the equilibrium changes."""
    low = equilibrium(compiled, rgap=1e-5)
    high = equilibrium(compiled, rgap=1e-5, params=FreightParameters(value_of_time_factor=50.0))
    assert not np.allclose(low.result.link_flow, high.result.link_flow)


def test_equilibrium_report_is_json_ready(compiled: CompiledNetwork, tmp_path: Path) -> None:
    import json

    from corridor.assignment.freight import equilibrium_report

    report = equilibrium_report(compiled, factors=(1.0, 2.0), out_dir=tmp_path)
    text = json.dumps(report)  # plain types only
    back = json.loads(text)
    assert back["growth_sweep"]["demand_growth"] == [1.0, 2.0]
    assert Path(back["plot"]).read_bytes()[:4] == b"\x89PNG"
    assert back["equilibrium"]["converged"] is True


def test_demand_without_a_path_is_reported_not_assigned() -> None:
    net = load_network()
    com = net.commodities.copy()
    com.loc[com["id"] == "uranium", "modes"] = "pipeline"  # no pipeline reaches a uranium mine
    eq = equilibrium(net.with_tables(commodities=com))
    dropped = [u for u in eq.unrouted if u["commodity"] == "uranium"]
    rows = net.demand[net.demand["commodity"] == "uranium"]
    assert {(u["origin"], u["destination"]) for u in dropped} == set(
        zip(rows["origin"], rows["destination"], strict=True)
    )
    t_per_teu = float(com.loc[com["id"] == "uranium", "tonnes_per_teu"].iloc[0])
    assert sum(u["teu_per_year"] for u in dropped) == pytest.approx(
        rows["volume_per_year"].sum() / t_per_teu
    )
    ks = [i for i, n in enumerate(eq.result.class_names) if n.startswith("uranium/")]
    assert ks and eq.result.class_flow[ks].sum() == 0.0
    assert eq.result.converged
