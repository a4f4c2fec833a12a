"""A Chicago-Sketch-class TNTP network that no test has seen, made from a fixed seed.

The shared TNTP collection here holds SiouxFalls, Anaheim and Barcelona, all used by
the tests, and not Chicago-Sketch; the benchmarks need a network of its class that
the engine was never tuned on. This one has Chicago-Sketch's counts: 387 zones
(path ends only, first thru node 388), 933 nodes and 2,950 directed links: a 21 × 26
street grid (0.5 to 1 mile blocks, 25-35 mph, 1-3 lanes of 1,800 veh/h), 43 two-way
expressway links (55 mph, 4,000 veh/h per lane) between grid nodes 3-6 blocks apart,
and one two-way connector per zone (constant cost). BPR b = 0.15, power = 4, times in
minutes. Demand is a gravity model (log-normal zone sizes, exp(-0.08 x minutes)) scaled
so that the free-flow all-or-nothing load puts the busiest tenth of street links at
1.3 times capacity: congested, as a city sketch in the peak is.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from corridor.io.tntp import TntpNetwork, write_network, write_trips

ZONES, ROWS, COLS, EXPRESS = 387, 21, 26, 43
SEED = 20261129


def make(folder: Path, seed: int = SEED) -> tuple[Path, Path]:
    """Write ``Unseen_net.tntp`` and ``Unseen_trips.tntp`` into ``folder``; return both paths."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    rng = np.random.default_rng(seed)
    grid = ROWS * COLS
    n_nodes = ZONES + grid
    xs = np.cumsum(rng.uniform(0.5, 1.0, COLS))
    ys = np.cumsum(rng.uniform(0.5, 1.0, ROWS))
    gx, gy = np.meshgrid(xs, ys)
    x, y = gx.ravel(), gy.ravel()

    def node(r: int, c: int) -> int:
        return ZONES + r * COLS + c

    tail: list[int] = []
    head: list[int] = []
    speed: list[float] = []
    cap: list[float] = []
    for r in range(ROWS):
        for c in range(COLS):
            for r2, c2 in ((r, c + 1), (r + 1, c)):
                if r2 < ROWS and c2 < COLS:
                    mph, lanes = float(rng.choice([25.0, 30.0, 35.0])), int(rng.integers(1, 4))
                    for a, b in ((node(r, c), node(r2, c2)), (node(r2, c2), node(r, c))):
                        tail.append(a)
                        head.append(b)
                        speed.append(mph)
                        cap.append(1800.0 * lanes)
    made = 0
    while made < EXPRESS:
        a, b = rng.integers(0, grid, 2)
        d = abs(a // COLS - b // COLS) + abs(a % COLS - b % COLS)
        if not 3 <= d <= 6:
            continue
        for u, v in ((a, b), (b, a)):
            tail.append(ZONES + int(u))
            head.append(ZONES + int(v))
            speed.append(55.0)
            cap.append(4000.0 * int(rng.integers(2, 4)))
        made += 1
    n_road = len(tail)
    length = np.hypot(x[np.array(tail) - ZONES] - x[np.array(head) - ZONES],
                      y[np.array(tail) - ZONES] - y[np.array(head) - ZONES])  # fmt: skip
    attach = rng.choice(grid, size=ZONES, replace=False)
    for z in range(ZONES):
        tail += [z, ZONES + int(attach[z])]
        head += [ZONES + int(attach[z]), z]
    m = len(tail)
    connector_len = rng.uniform(0.1, 0.5, ZONES).repeat(2)
    length = np.concatenate([length, connector_len])
    mph = np.concatenate([np.array(speed), np.full(m - n_road, 25.0)])
    fft = length / mph * 60.0
    capacity = np.concatenate([np.array(cap), np.full(m - n_road, 100_000.0)])
    b = np.where(np.arange(m) < n_road, 0.15, 0.0)
    power = np.where(np.arange(m) < n_road, 4.0, 1.0)
    t, h = np.array(tail), np.array(head)

    # gravity demand on free-flow minutes (zones are path ends only: split source/sink copies)
    sink = np.where(h < ZONES, n_nodes + h, h)
    graph = csr_matrix((fft, (t, sink)), shape=(n_nodes + ZONES, n_nodes + ZONES))
    minutes = dijkstra(graph, directed=True, indices=np.arange(ZONES))[:, n_nodes:]
    size = rng.lognormal(0.0, 0.8, ZONES)
    demand = np.outer(size, size) * np.exp(-0.08 * minutes)
    np.fill_diagonal(demand, 0.0)
    demand = np.round(demand / demand.sum() * 1.0, 12)  # shape only; scaled below

    # scale: free-flow AON puts the busiest tenth of street links at 1.3 x capacity
    from corridor.assignment import assign, build_graph

    g = build_graph(n_nodes=n_nodes, n_zones=ZONES, first_thru=ZONES, tail=t, head=h,
                    free_flow_time=fft, capacity=capacity, alpha=b, beta=power)  # fmt: skip
    aon = assign(g, demand, max_iter=1, skims=False).link_flow
    vc = np.sort(aon[:n_road] / capacity[:n_road])
    scale = 1.3 / vc[int(0.9 * n_road)]
    demand = np.round(demand * scale, 2)

    folder.mkdir(parents=True, exist_ok=True)
    net_path, trips_path = folder / "Unseen_net.tntp", folder / "Unseen_trips.tntp"
    write_network(
        net_path,
        TntpNetwork(
            n_zones=ZONES, n_nodes=n_nodes, first_thru_node=ZONES + 1, init_node=t + 1,
            term_node=h + 1, capacity=capacity, length=np.round(length, 4),
            free_flow_time=np.round(fft, 4), b=b, power=power, speed=mph, toll=np.zeros(m),
            link_type=np.where(np.arange(m) < n_road, 1, 3).astype(np.int64),
        ),
    )  # fmt: skip
    write_trips(trips_path, demand)
    return net_path, trips_path


if __name__ == "__main__":
    import sys

    for p in make(Path(sys.argv[1] if len(sys.argv) > 1 else "unseen")):
        print(p)
