"""The engine and its kernels against pure-Python Frank-Wolfe and NetworkX on small graphs.

The whole module also runs with ``NUMBA_DISABLE_JIT=1`` (see the last test), so
the kernels' Python semantics are checked, not only their compiled form.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from assign_oracles import (
    Net,
    aon,
    beckmann,
    bpr,
    expected_balance,
    frank_wolfe,
    node_balance,
    zone_distances,
)

from corridor.assignment import ALGORITHMS, AssignmentGraph, TrafficClass, assign, build_graph
from corridor.assignment.kernels import shortest_path_tree
from corridor.errors import NoRouteError


def to_graph(net: Net) -> AssignmentGraph:
    return build_graph(
        n_nodes=net.n_nodes,
        n_zones=net.n_zones,
        first_thru=net.first_thru,
        tail=net.tail,
        head=net.head,
        free_flow_time=net.fft,
        capacity=net.cap,
        alpha=net.b,
        beta=net.power,
    )


def small_random(seed: int, first_thru_is_zones: bool = True) -> tuple[Net, np.ndarray]:
    """6 zones, 8 thru vertices, ~40 links, random BPR; every zone pair connected."""
    rng = np.random.default_rng(seed)
    z, n = 6, 14
    tail, head = [], []
    for v in range(z, n):  # a ring of thru vertices, both ways: strongly connected
        w = z + (v - z + 1) % (n - z)
        tail += [v, w]
        head += [w, v]
    for _ in range(10):  # chords
        a, b = rng.choice(np.arange(z, n), 2, replace=False)
        tail.append(int(a))
        head.append(int(b))
    for zone in range(z):  # two connectors each way
        for v in rng.choice(np.arange(z, n), 2, replace=False):
            tail += [zone, int(v)]
            head += [int(v), zone]
    if not first_thru_is_zones:
        tail += [0, 1]  # zone-to-zone shortcuts usable only when zones may be passed
        head += [1, 2]
    m = len(tail)
    net = Net(
        n_nodes=n,
        n_zones=z,
        first_thru=z if first_thru_is_zones else 0,
        tail=np.array(tail),
        head=np.array(head),
        fft=rng.uniform(1, 4, m),
        cap=rng.uniform(20, 80, m),
        b=rng.uniform(0.15, 1.0, m),
        power=rng.choice([1.0, 2.0, 3.5, 4.0], m),
    )
    demand = rng.uniform(0, 30, (z, z)) * (rng.random((z, z)) < 0.7)
    np.fill_diagonal(demand, 0.0)
    return net, demand


def test_two_routes_closed_form() -> None:
    """t1 = 2 + v/10 and t2 = 3 + w/5 with v + w = 25 give v = 20, w = 5 exactly."""
    g = build_graph(
        n_nodes=4, n_zones=2, first_thru=2,
        tail=np.array([0, 2, 0, 3]), head=np.array([2, 1, 3, 1]),
        free_flow_time=np.array([1.0, 1.0, 1.0, 2.0]),
        capacity=np.array([10.0, np.inf, 10.0, np.inf]),
        alpha=np.array([1.0, 0.0, 2.0, 0.0]), beta=np.array([1.0, 0.0, 1.0, 0.0]),
    )  # fmt: skip
    result = assign(g, np.array([[0.0, 25.0], [0.0, 0.0]]), rgap=1e-12)
    np.testing.assert_allclose(result.link_flow, [20.0, 20.0, 5.0, 5.0], rtol=1e-9)
    np.testing.assert_allclose(result.link_time, [3.0, 1.0, 2.0, 2.0], rtol=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_shortest_path_tree_matches_networkx(seed: int) -> None:
    for first_thru_is_zones in (True, False):
        net, _ = small_random(seed, first_thru_is_zones)
        g = to_graph(net)
        cost = g.from_source_order(
            bpr(net, np.random.default_rng(seed).uniform(0, 60, len(net.fft)))
        )
        expected = zone_distances(net, g.to_source_order(cost))
        for o in range(net.n_zones):
            dist, pred = shortest_path_tree(g.indptr, g.head, cost, o, first_thru=g.first_thru)
            np.testing.assert_allclose(dist[: net.n_zones], expected[o], rtol=1e-12)
            # the tree is consistent: dist[head] = dist[tail] + cost along pred links
            reached = np.flatnonzero(pred >= 0)
            np.testing.assert_allclose(
                dist[reached], dist[g.tail[pred[reached]]] + cost[pred[reached]], rtol=1e-12
            )
            # no tree link leaves a zone other than the origin when zones are path ends
            assert all(g.tail[pred[v]] >= g.first_thru or g.tail[pred[v]] == o for v in reached)


def test_first_thru_node_changes_the_answer(braess: tuple[Net, np.ndarray]) -> None:
    """A zone shortcut is used only when the first thru node lets paths pass zones."""
    net, _ = small_random(7, first_thru_is_zones=False)
    demand = np.zeros((net.n_zones, net.n_zones))
    demand[0, 2] = 10.0
    open_result = assign(to_graph(net), demand, rgap=1e-10)
    closed = Net(**{**net.__dict__, "first_thru": net.n_zones})
    closed_result = assign(to_graph(closed), demand, rgap=1e-10)
    through_zone_1 = (net.head == 1) & (net.tail == 0)
    fft_path = zone_distances(net, net.fft)[0, 2]
    if net.fft[through_zone_1].sum() + net.fft[(net.tail == 1) & (net.head == 2)].sum() <= fft_path:
        assert open_result.link_flow[through_zone_1].sum() > 0
    assert closed_result.link_flow[through_zone_1].sum() == 0
    out_of_1 = closed_result.link_flow[closed.tail == 1].sum()
    assert out_of_1 == 0.0  # zone 1 produces nothing, so nothing may leave it


def fw_bracket(net: Net, demand: np.ndarray, gap: float) -> tuple[np.ndarray, float, float]:
    """Pure-Python FW flows and the bracket [lower, upper] it proves on the optimum.

    Convexity: the optimum lies between the FW objective and that objective minus
    the FW gap (total system cost minus the shortest-path total).
    """
    flow, _ = frank_wolfe(net, demand, gap=gap)
    t = bpr(net, flow)
    _, sptt = aon(net, t, demand)
    upper = beckmann(net, flow)
    return flow, upper - (float(t @ flow) - sptt), upper


def check_against_fw(net: Net, demand: np.ndarray, flow: np.ndarray, gap: float) -> None:
    ref_flow, lower, upper = fw_bracket(net, demand, gap)
    ours = beckmann(net, flow)
    assert lower - 1e-9 * upper <= ours <= upper + 1e-9 * upper
    # strictly increasing costs make link flows unique: the FW flows are close to ours
    np.testing.assert_allclose(flow, ref_flow, atol=0.05 * demand.sum())


@pytest.mark.parametrize("seed", [0, 3])
def test_matches_pure_python_frank_wolfe(seed: int) -> None:
    net, demand = small_random(seed)
    result = assign(to_graph(net), demand, algorithm="bfw", rgap=1e-10, max_iter=5000)
    assert result.relative_gap <= 1e-10
    check_against_fw(net, demand, result.link_flow, gap=1e-4)
    # The engine's gap equals a gap recomputed with NetworkX at the engine's flows.
    t = bpr(net, result.link_flow)
    _, sptt = aon(net, t, demand)
    tstt = float(t @ result.link_flow)
    assert (tstt - sptt) / tstt == pytest.approx(result.relative_gap, abs=1e-12)


@pytest.mark.parametrize("seed", [0, 3])
def test_gradient_projection_gap_is_the_frank_wolfe_gap(seed: int) -> None:
    """gp's reported gap, at its own flows, is the gap BFW's definition gives there:
    recomputed with NetworkX, and with the all-or-nothing kernel BFW measures it with."""
    from corridor.assignment import kernels, steps

    net, demand = small_random(seed)
    g = to_graph(net)
    result = assign(g, demand, algorithm="gp", rgap=1e-3)  # stops early: a non-zero gap
    assert result.algorithm == "gp" and result.relative_gap > 0
    t = bpr(net, result.link_flow)
    _, sptt = aon(net, t, demand)
    tstt = float(t @ result.link_flow)
    assert (tstt - sptt) / tstt == pytest.approx(result.relative_gap, rel=1e-9, abs=1e-14)
    # BFW's own measurement: aon_load at the costs of these flows
    d = demand.copy()
    np.fill_diagonal(d, 0.0)
    wanted = (d > 0).sum(axis=1).astype(np.int64)
    cost = g.from_source_order(t)
    y = np.empty(g.n_links)
    kg = kernels.Graph(g.indptr, g.head, g.tail, g.first_thru)
    ws = kernels.workspace(g.n_nodes, g.n_links, 1)
    origins = np.flatnonzero(wanted > 0).astype(np.int32)
    sp, bad = kernels.aon_load(kg, cost, origins, wanted, d, ws, y)
    x = g.from_source_order(result.link_flow)[None, :]
    total = steps.total_cost(x, cost[None, :], np.ones(1), np.ones((1, g.n_links), dtype=bool))
    assert bad == 0 and (total - sp) / total == pytest.approx(result.relative_gap, rel=1e-9)
    check_against_fw(net, demand, assign(g, demand, algorithm="gp", rgap=1e-10).link_flow, 1e-4)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
def test_matches_pure_python_frank_wolfe_tightly(seed: int) -> None:
    net, demand = small_random(seed)
    result = assign(to_graph(net), demand, algorithm="bfw", rgap=1e-10, max_iter=5000)
    ref_flow, lower, upper = fw_bracket(net, demand, 1e-6)
    assert lower - 1e-9 * upper <= beckmann(net, result.link_flow) <= upper
    np.testing.assert_allclose(result.link_flow, ref_flow, atol=2e-3 * demand.sum())


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_every_algorithm_converges(algorithm: str, braess: tuple[Net, np.ndarray]) -> None:
    net, demand = small_random(3)
    target = {"msa": 1e-3, "fw": 1e-4, "cfw": 1e-5, "bfw": 1e-7, "gp": 1e-9, "auto": 1e-9}[
        algorithm
    ]
    result = assign(to_graph(net), demand, algorithm=algorithm, rgap=target, max_iter=20000)
    assert result.converged and result.relative_gap <= target
    assert (result.link_flow >= 0).all()
    np.testing.assert_allclose(
        node_balance(net, result.link_flow), expected_balance(net, demand), atol=1e-9
    )
    if algorithm != "msa":
        _, lower, upper = fw_bracket(net, demand, 1e-4)
        # within the optimum's bracket, allowing for our own remaining gap
        assert lower * (1 - 1e-6) <= beckmann(net, result.link_flow) <= upper * (1 + target)


def test_braess_equilibrium(braess: tuple[Net, np.ndarray]) -> None:
    """0->2 and 3->1 cost 1 + v/10, 2->1 and 0->3 cost 5, 2->3 costs 0.5; 40 trips.

    With 35 on each congested link, 5 on each outer path and 30 across, every path
    costs 4.5 + 5 = 4.5 + 0.5 + 4.5 = 9.5: the (unique) equilibrium.
    """
    net, demand = braess
    result = assign(to_graph(net), demand, rgap=1e-12)
    np.testing.assert_allclose(result.link_flow, [35.0, 5.0, 5.0, 35.0, 30.0], atol=1e-8)
    assert result.skim_cost is not None
    assert result.skim_cost[0, 0, 1] == pytest.approx(9.5)


def test_multiclass_identities() -> None:
    """Splitting demand into identical classes, or scaling PCE, changes nothing."""
    net, demand = small_random(3)
    g = to_graph(net)
    single = assign(g, demand, rgap=1e-11)
    split = assign(
        g,
        classes=[TrafficClass("a", 0.3 * demand), TrafficClass("b", 0.7 * demand)],
        rgap=1e-11,
    )
    np.testing.assert_allclose(split.link_flow, single.link_flow, rtol=1e-6, atol=1e-6)
    heavy = assign(g, classes=[TrafficClass("teu", demand / 2.0, pce=2.0)], rgap=1e-11)
    np.testing.assert_allclose(heavy.link_flow, single.link_flow, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(heavy.class_flow[0], single.link_flow / 2.0, rtol=1e-6, atol=1e-6)


def test_multiclass_masks_costs_and_equilibrium() -> None:
    """Each class uses only its links and only its own least-cost paths."""
    net, demand = small_random(5)
    g = to_graph(net)
    rng = np.random.default_rng(0)
    m = len(net.fft)
    road_only = np.ones(m, dtype=bool)
    chords = np.flatnonzero((net.tail >= net.n_zones) & (net.head >= net.n_zones))[-4:]
    road_only[chords] = False  # class "b" may not use four chords
    fee = rng.uniform(0, 20, m)
    classes = [
        TrafficClass("a", demand, pce=1.0, value_of_time=10.0, fixed_cost=fee),
        TrafficClass("b", 0.5 * demand, pce=2.5, value_of_time=40.0, fixed_cost=fee,
                     link_mask=road_only),
    ]  # fmt: skip
    r = assign(g, classes=classes, rgap=1e-10, max_iter=10000)
    assert r.converged
    assert (r.class_flow[1][~road_only] == 0).all()
    np.testing.assert_allclose(r.link_flow, r.class_flow[0] + 2.5 * r.class_flow[1], rtol=1e-12)
    t = bpr(net, r.link_flow)
    np.testing.assert_allclose(r.link_time, t, rtol=1e-12)
    for k, cls in enumerate(classes):
        cost = t + fee / cls.value_of_time
        np.testing.assert_allclose(r.link_cost[k][road_only | (k == 0)], cost[road_only | (k == 0)])
        np.testing.assert_allclose(
            node_balance(net, r.class_flow[k]), expected_balance(net, cls.demand), atol=1e-9
        )
        # class equilibrium, recomputed with NetworkX on the class's own network
        masked = np.where(road_only | (k == 0), cost, np.inf)
        dist = zone_distances(net, masked)
        sptt = float((cls.demand * dist).sum())
        tstt = float(r.class_flow[k] @ np.where(np.isfinite(masked), masked, 0.0))
        assert (tstt - sptt) / tstt < 1e-6


def test_no_route_is_reported() -> None:
    g = build_graph(
        n_nodes=3, n_zones=3, first_thru=3,
        tail=np.array([0]), head=np.array([1]),
        free_flow_time=np.array([1.0]), capacity=np.array([1.0]),
        alpha=np.array([0.15]), beta=np.array([4.0]),
    )  # fmt: skip
    demand = np.zeros((3, 3))
    demand[0, 1] = 1.0
    assert assign(g, demand).link_flow.tolist() == [1.0]
    demand[0, 2] = 1.0
    with pytest.raises(NoRouteError, match="from zone 1 to zone 3"):
        assign(g, demand)


def test_bad_arguments() -> None:
    net, demand = small_random(0)
    g = to_graph(net)
    with pytest.raises(ValueError, match="algorithm"):
        assign(g, demand, algorithm="newton")
    with pytest.raises(ValueError, match="demand must be"):
        assign(g, demand[:3, :3])
    with pytest.raises(ValueError, match="not both"):
        assign(g, demand, classes=[TrafficClass("a", demand)])
    with pytest.raises(ValueError, match="pce"):
        TrafficClass("a", demand, pce=0.0)


@pytest.mark.skipif(os.environ.get("NUMBA_DISABLE_JIT") == "1", reason="already without JIT")
def test_module_passes_without_jit() -> None:
    """Rerun this module's oracle tests with NUMBA_DISABLE_JIT=1 (kernels as plain Python)."""
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    here = Path(__file__)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "-k", "closed_form or networkx or braess or multiclass_identities or no_route "
               "or first_thru or pure_python_frank_wolfe or parallel_and_serial "
               "or gradient_projection",
         str(here)],
        capture_output=True, text=True, env=env, cwd=here.parents[2], check=False, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert " passed" in proc.stdout


def test_parallel_and_serial_loading_agree() -> None:
    """Origins split over threads load the same flows as one thread."""
    net, demand = small_random(2)
    g = to_graph(net)
    serial = assign(g, demand, algorithm="bfw", rgap=1e-9, parallel=False)
    threaded = assign(g, demand, algorithm="bfw", rgap=1e-9, parallel=True)
    np.testing.assert_allclose(threaded.link_flow, serial.link_flow, rtol=1e-9, atol=1e-9)
    assert threaded.skim_cost is not None and serial.skim_cost is not None
    np.testing.assert_allclose(threaded.skim_cost, serial.skim_cost, rtol=1e-12)


def test_shared_capacity_group() -> None:
    """Two queue links sharing one capacity: both cost t(total), so all take the cheaper exit."""
    from corridor.assignment import VDF_QUEUE, queue_parameters
    from corridor.errors import DataError

    alpha, beta = queue_parameters(1, 2.0)
    kw = dict(
        n_nodes=4, n_zones=2, first_thru=2,
        tail=np.array([0, 0, 2, 3]), head=np.array([2, 3, 1, 1]),
        free_flow_time=np.array([1.0, 1.0, 3.0, 3.5]),
        capacity=np.array([100.0, 100.0, np.inf, np.inf]),
        alpha=np.array([alpha, alpha, 0.0, 0.0]), beta=np.array([beta, beta, 0.0, 0.0]),
        vdf=np.array([VDF_QUEUE, VDF_QUEUE, 0, 0]),
    )  # fmt: skip
    demand = np.array([[0.0, 60.0], [0.0, 0.0]])
    shared = assign(build_graph(**kw, capacity_group=np.array([7, 7, 0, 1])), demand, rgap=1e-12)
    np.testing.assert_allclose(shared.link_flow, [60.0, 0.0, 60.0, 0.0], atol=1e-9)
    t = 1.0 + 2.0 * 0.6 / 0.4  # M/M/1 wait at rho = 0.6, plus the dwell
    np.testing.assert_allclose(shared.link_time[:2], [t, t])
    np.testing.assert_allclose(shared.utilisation()[:2], [0.6, 0.6])
    assert shared.objective[-1] == pytest.approx(
        1.0 * 60 + 100 * 2.0 * (-0.6 - np.log(0.4)) + 3.0 * 60, rel=1e-9
    )
    # separate capacities: the flow splits so that 1 + w(v) + 3 = 1 + w(60 - v) + 3.5
    apart = assign(build_graph(**kw), demand, rgap=1e-12)
    v = apart.link_flow[0]
    w = lambda x: 2.0 * (x / 100) / (1 - x / 100)  # noqa: E731
    assert 0 < apart.link_flow[1] < 30 and w(v) + 3.0 == pytest.approx(w(60 - v) + 3.5)
    with pytest.raises(DataError, match="differ in 'capacity'"):
        build_graph(**{**kw, "capacity": np.array([100.0, 90.0, np.inf, np.inf])},
                    capacity_group=np.array([7, 7, 0, 1]))  # fmt: skip
