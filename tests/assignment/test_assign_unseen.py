"""A TNTP network the engine has never seen: a random grid written, read back and solved."""

from __future__ import annotations

import numpy as np
import pytest
from assign_oracles import Net, beckmann, bpr, expected_balance, node_balance, random_grid
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.assignment import AssignmentResult, assign
from corridor.io.tntp import TntpNetwork, read_network, read_trips, write_network, write_trips


def zone_costs_scipy(net: Net, cost: np.ndarray) -> np.ndarray:
    """Zone-to-zone least costs with SciPy, zones split into source and sink copies."""
    n, z = net.n_nodes, net.n_zones
    tail = net.tail.copy()
    head = np.where(net.head < net.first_thru, n + net.head, net.head)  # into a zone: sink copy
    pairs = tail * (n + z) + head
    assert len(np.unique(pairs)) == len(pairs), "parallel links would be summed by scipy"
    graph = csr_matrix((cost, (tail, head)), shape=(n + z, n + z))
    dist = dijkstra(graph, directed=True, indices=np.arange(z))
    out = dist[:, n : n + z]
    np.fill_diagonal(out, 0.0)
    return out


@pytest.fixture(scope="module")
def unseen(tmp_path_factory: pytest.TempPathFactory) -> tuple[Net, np.ndarray, AssignmentResult]:
    rng = np.random.default_rng(20240601)
    net = random_grid(rng, side=25, n_zones=200)
    demand = rng.uniform(0.0, 12.0, (200, 200)) * (rng.random((200, 200)) < 0.35)
    np.fill_diagonal(demand, 0.0)
    folder = tmp_path_factory.mktemp("unseen")
    m = len(net.tail)
    write_network(
        folder / "Grid_net.tntp",
        TntpNetwork(
            n_zones=net.n_zones, n_nodes=net.n_nodes, first_thru_node=net.first_thru + 1,
            init_node=net.tail + 1, term_node=net.head + 1, capacity=net.cap,
            length=net.fft * 10.0, free_flow_time=net.fft, b=net.b, power=net.power,
            speed=np.zeros(m), toll=np.zeros(m), link_type=np.ones(m, dtype=np.int64),
        ),
    )  # fmt: skip
    write_trips(folder / "Grid_trips.tntp", demand)
    tntp = read_network(folder / "Grid_net.tntp")
    trips = read_trips(folder / "Grid_trips.tntp", zones=tntp.n_zones)
    assert tntp.n_links > 3000 and tntp.n_zones == 200
    result = assign(tntp, trips, algorithm="bfw", rgap=1e-5, max_iter=3000)
    return net, demand, result


def test_solved_to_target(unseen: tuple[Net, np.ndarray, AssignmentResult]) -> None:
    _, _, result = unseen
    assert result.converged and result.relative_gap <= 1e-5


def test_conservation_and_sign(unseen: tuple[Net, np.ndarray, AssignmentResult]) -> None:
    net, demand, result = unseen
    flow = result.link_flow
    assert (flow >= 0).all()
    np.testing.assert_allclose(
        node_balance(net, flow), expected_balance(net, demand), atol=1e-9 * demand.sum()
    )
    for z in range(net.n_zones):  # zones are path ends only
        assert flow[net.tail == z].sum() == pytest.approx(demand[z].sum(), rel=1e-9, abs=1e-6)
        assert flow[net.head == z].sum() == pytest.approx(demand[:, z].sum(), rel=1e-9, abs=1e-6)


def test_gap_recomputed_independently(unseen: tuple[Net, np.ndarray, AssignmentResult]) -> None:
    """Costs from our own BPR, shortest paths from SciPy: the same gap, below target."""
    net, demand, result = unseen
    cost = bpr(net, result.link_flow)
    tstt = float(cost @ result.link_flow)
    sptt = float((demand * zone_costs_scipy(net, cost)).sum())
    gap = (tstt - sptt) / tstt
    assert gap == pytest.approx(result.relative_gap, rel=1e-6, abs=1e-12)
    assert 0 <= gap <= 1e-5
    assert result.objective[-1] == pytest.approx(beckmann(net, result.link_flow), rel=1e-9)


def test_congestion_matters(unseen: tuple[Net, np.ndarray, AssignmentResult]) -> None:
    """The instance is congested: equilibrium spreads flow off the free-flow paths."""
    net, _, result = unseen
    t = bpr(net, result.link_flow)
    assert (t > 1.2 * net.fft).sum() > 50
