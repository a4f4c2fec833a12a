"""Slow, obvious references for the assignment tests: pure Python and NetworkX only.

Nothing here imports corridor.assignment, so the checks do not share code with the
engine they check.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass
class Net:
    """A plain link list: 0-based tail/head, BPR data, zones 0..n_zones-1."""

    n_nodes: int
    n_zones: int
    first_thru: int  # 0-based: vertices below it are path ends only
    tail: NDArray[np.int64]
    head: NDArray[np.int64]
    fft: FloatArray
    cap: FloatArray
    b: FloatArray
    power: FloatArray


def bpr(net: Net, v: FloatArray) -> FloatArray:
    """BPR link time, written out directly (constant where b or power or capacity is 0)."""
    out = np.empty(len(v))
    for a in range(len(v)):
        if net.b[a] == 0 or net.cap[a] <= 0 or not math.isfinite(net.cap[a]):
            out[a] = net.fft[a] * (1 + net.b[a]) if net.power[a] == 0 else net.fft[a]
        else:
            out[a] = net.fft[a] * (1 + net.b[a] * (max(v[a], 0.0) / net.cap[a]) ** net.power[a])
    return out


def beckmann(net: Net, v: FloatArray) -> float:
    """Sum of link-time integrals from 0 to v."""
    total = 0.0
    for a in range(len(v)):
        if net.b[a] == 0 or net.cap[a] <= 0 or not math.isfinite(net.cap[a]):
            total += v[a] * net.fft[a] * ((1 + net.b[a]) if net.power[a] == 0 else 1.0)
        else:
            p = net.power[a]
            total += net.fft[a] * (
                v[a] + net.b[a] * net.cap[a] * (v[a] / net.cap[a]) ** (p + 1) / (p + 1)
            )
    return total


def split_digraph(net: Net, cost: FloatArray) -> nx.DiGraph:
    """A NetworkX graph where no path can pass through a vertex below first_thru.

    Vertex v below first_thru becomes ("out", v) for links leaving it and ("in", v)
    for links entering it, so it can only start or end a path.
    """
    g = nx.DiGraph()

    def src(v: int) -> object:
        return ("out", v) if v < net.first_thru else v

    def dst(v: int) -> object:
        return ("in", v) if v < net.first_thru else v

    for a in range(len(net.tail)):
        u, w = src(int(net.tail[a])), dst(int(net.head[a]))
        # parallel links: keep the cheaper one (enough for distances)
        if g.has_edge(u, w) and g[u][w]["weight"] <= cost[a]:
            continue
        g.add_edge(u, w, weight=float(cost[a]), link=a)
    return g


def zone_distances(net: Net, cost: FloatArray) -> FloatArray:
    """Least cost between every pair of zones (inf if none), honouring first_thru."""
    g = split_digraph(net, cost)
    z = net.n_zones
    out = np.full((z, z), np.inf)
    for o in range(z):
        s = ("out", o) if o < net.first_thru else o
        if s not in g:
            out[o, o] = 0.0
            continue
        lengths = nx.single_source_dijkstra_path_length(g, s, weight="weight")
        for d in range(z):
            t = ("in", d) if d < net.first_thru else d
            if d == o:
                out[o, d] = 0.0
            elif t in lengths:
                out[o, d] = lengths[t]
    return out


def aon(net: Net, cost: FloatArray, demand: FloatArray) -> tuple[FloatArray, float]:
    """All-or-nothing link flows on NetworkX shortest paths, and the shortest-path total."""
    g = split_digraph(net, cost)
    flow = np.zeros(len(net.tail))
    total = 0.0
    for o in range(net.n_zones):
        if not demand[o].any():
            continue
        s = ("out", o) if o < net.first_thru else o
        lengths, paths = nx.single_source_dijkstra(g, s, weight="weight")
        for d in range(net.n_zones):
            if d == o or demand[o, d] == 0:
                continue
            t = ("in", d) if d < net.first_thru else d
            path = paths[t]
            total += demand[o, d] * lengths[t]
            for u, w in itertools.pairwise(path):
                flow[g[u][w]["link"]] += demand[o, d]
    return flow, total


def frank_wolfe(
    net: Net, demand: FloatArray, *, gap: float = 1e-7, max_iter: int = 20000
) -> tuple[FloatArray, float]:
    """Textbook Frank-Wolfe with bisection line search; returns (flows, relative gap)."""
    x, _ = aon(net, net.fft.copy(), demand)
    rel = math.inf
    for _ in range(max_iter):
        t = bpr(net, x)
        y, sptt = aon(net, t, demand)
        tstt = float(t @ x)
        rel = (tstt - sptt) / tstt
        if rel <= gap:
            break
        d = y - x
        lo, hi = 0.0, 1.0
        if float(bpr(net, x + d) @ d) <= 0:
            lo = 1.0
        else:
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if float(bpr(net, x + mid * d) @ d) < 0:
                    lo = mid
                else:
                    hi = mid
        x = x + lo * d
    return x, rel


def node_balance(net: Net, flow: FloatArray) -> FloatArray:
    """Inflow minus outflow at every vertex."""
    bal = np.zeros(net.n_nodes)
    np.add.at(bal, net.head, flow)
    np.subtract.at(bal, net.tail, flow)
    return bal


def expected_balance(net: Net, demand: FloatArray) -> FloatArray:
    """Inflow minus outflow required by the demand: attracted minus produced trips."""
    d = demand.copy()
    np.fill_diagonal(d, 0.0)
    bal = np.zeros(net.n_nodes)
    bal[: net.n_zones] = d.sum(axis=0) - d.sum(axis=1)
    return bal


def random_grid(rng: np.random.Generator, side: int, n_zones: int) -> Net:
    """A side x side bidirectional grid with n_zones zone vertices (0..n_zones-1) attached.

    Each zone connects both ways to two random grid vertices; zones are path ends
    only (first_thru = n_zones). BPR with random capacities, b and (fractional) powers.
    """
    n_grid = side * side
    n_nodes = n_zones + n_grid
    tail: list[int] = []
    head: list[int] = []

    def gid(r: int, c: int) -> int:
        return n_zones + r * side + c

    for r in range(side):
        for c in range(side):
            if c + 1 < side:
                tail += [gid(r, c), gid(r, c + 1)]
                head += [gid(r, c + 1), gid(r, c)]
            if r + 1 < side:
                tail += [gid(r, c), gid(r + 1, c)]
                head += [gid(r + 1, c), gid(r, c)]
    n_road = len(tail)
    for z in range(n_zones):
        for g_node in rng.choice(n_grid, size=2, replace=False):
            tail += [z, n_zones + int(g_node)]
            head += [n_zones + int(g_node), z]
    m = len(tail)
    fft = np.empty(m)
    cap = np.empty(m)
    b = np.empty(m)
    power = np.empty(m)
    fft[:n_road] = rng.uniform(1.0, 5.0, n_road)
    cap[:n_road] = rng.uniform(500.0, 3000.0, n_road)
    b[:n_road] = rng.uniform(0.1, 1.0, n_road)
    power[:n_road] = rng.choice([1.0, 2.0, 2.5, 4.0, 4.4], n_road)
    fft[n_road:] = rng.uniform(0.1, 1.0, m - n_road)
    cap[n_road:] = 0.0  # connectors: constant cost
    b[n_road:] = 0.0
    power[n_road:] = 0.0
    return Net(
        n_nodes=n_nodes,
        n_zones=n_zones,
        first_thru=n_zones,
        tail=np.asarray(tail, dtype=np.int64),
        head=np.asarray(head, dtype=np.int64),
        fft=fft,
        cap=cap,
        b=b,
        power=power,
    )
