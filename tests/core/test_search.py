"""The one search kernel against slow, obvious references (tests/core/search_oracle.py).

* :func:`~corridor.graph.shortest.shortest_tree` equals a heapq Dijkstra and NetworkX;
* :func:`~corridor.graph.shortest.best_walk` through ordered via groups equals a
  plain Dijkstra on a layered graph built explicitly with NetworkX;
* :func:`~corridor.paths.search.layered_path` equals the best route found by
  enumerating every route that never returns to a node (brute force);
* a constraint (via group, avoided node, closed edge) never lowers an optimum.

Weights are small integers, so sums are exact and ties do not matter (only
costs are compared, and every returned path is checked to be a valid one).
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from search_oracle import (
    best_simple_route,
    dijkstra,
    node_sequence,
    passes_in_order,
)

from corridor.graph.shortest import best_walk, shortest_tree
from corridor.paths.search import layered_path

Edge = tuple[int, int, float]
WEIGHTS = st.integers(0, 20).map(float)


# --- plain CSR graphs -------------------------------------------------------


@st.composite
def csr_graphs(draw: st.DrawFn) -> tuple[int, int, list[Edge]]:
    """``(n, n_gates, edges)``, edges sorted by tail (edge index = CSR position)."""
    n = draw(st.integers(2, 12))
    gates = draw(st.integers(0, n))
    m = draw(st.integers(0, 3 * n))
    edges = [
        (draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1)), draw(WEIGHTS)) for _ in range(m)
    ]
    edges = [e for e in edges if e[0] != e[1]]
    edges.sort(key=lambda e: e[0])
    return n, gates, edges


def csr(n: int, edges: list[Edge]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``indptr, tail, head, weight`` of a tail-sorted edge list."""
    tail = np.array([e[0] for e in edges], dtype=np.int32)
    head = np.array([e[1] for e in edges], dtype=np.int32)
    w = np.array([e[2] for e in edges], dtype=np.float64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    return indptr, tail, head, w


def bools(data: st.DataObject, size: int, p_false: float = 0.2) -> np.ndarray:
    """A random mask, mostly open."""
    return np.array(
        [data.draw(st.integers(0, 99)) >= 100 * p_false for _ in range(size)], dtype=bool
    )


def networkx_distances(
    n: int, gates: int, edges: list[Edge], source: int, ok: list[bool]
) -> dict[int, float]:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for (a, b, w), open_ in zip(edges, ok, strict=True):
        if not open_ or (a < gates and a != source):
            continue
        if not g.has_edge(a, b) or g[a][b]["weight"] > w:
            g.add_edge(a, b, weight=w)
    return nx.single_source_dijkstra_path_length(g, source)


@settings(max_examples=120, deadline=None)
@given(csr_graphs(), st.data())
def test_shortest_tree_matches_plain_dijkstra_and_networkx(
    graph: tuple[int, int, list[Edge]], data: st.DataObject
) -> None:
    n, gates, edges = graph
    source = data.draw(st.integers(0, n - 1))
    edge_ok = bools(data, len(edges))
    vertex_ok = bools(data, n)
    indptr, tail, head, w = csr(n, edges)
    dist, pred = shortest_tree(
        indptr, head, w, source, n_gates=gates, edge_ok=edge_ok, vertex_ok=vertex_ok
    )
    plain = dijkstra(n, edges, source, n_gates=gates, edge_ok=edge_ok, vertex_ok=vertex_ok)
    ok = [bool(edge_ok[i] and vertex_ok[b]) for i, (_, b, _) in enumerate(edges)]
    reference = networkx_distances(n, gates, edges, source, ok)
    for v in range(n):
        assert dist[v] == plain[v]
        assert plain[v] == reference.get(v, math.inf)
    # every predecessor chain is a usable path whose weights add up to the distance
    for v in np.flatnonzero(np.isfinite(dist)):
        total, u, hops = 0.0, int(v), 0
        while pred[u] >= 0:
            e = int(pred[u])
            assert ok[e] and head[e] == u
            assert tail[e] >= gates or tail[e] == source  # never through a gate
            total += w[e]
            u = int(tail[e])
            hops += 1
            assert hops <= n
        assert u == source
        assert total == dist[v]


# --- ordered via groups: the layered graph built by hand ---------------------


def layered_reference(
    n: int,
    gates: int,
    edges: list[Edge],
    ok: list[bool],
    source: int,
    target: int,
    groups: list[set[int]],
) -> float:
    """Dijkstra on the state graph (groups passed, vertex), written out with NetworkX."""

    def advance(k: int, v: int) -> int:
        while k < len(groups) and v in groups[k]:
            k += 1
        return k

    g = nx.DiGraph()
    for (a, b, w), open_ in zip(edges, ok, strict=True):
        if not open_ or (a < gates and a != source):
            continue
        for k in range(len(groups) + 1):
            t = (advance(k, b), b)
            if not g.has_edge((k, a), t) or g[(k, a)][t]["weight"] > w:
                g.add_edge((k, a), t, weight=w)
    start, goal = (advance(0, source), source), (len(groups), target)
    if start == goal:
        return 0.0
    if start not in g or goal not in g:
        return math.inf
    try:
        return float(nx.dijkstra_path_length(g, start, goal))
    except nx.NetworkXNoPath:
        return math.inf


@settings(max_examples=120, deadline=None)
@given(csr_graphs(), st.data())
def test_best_walk_through_groups_matches_layered_networkx(
    graph: tuple[int, int, list[Edge]], data: st.DataObject
) -> None:
    n, gates, edges = graph
    source = data.draw(st.integers(0, n - 1))
    target = data.draw(st.integers(0, (gates or n) - 1))
    groups = data.draw(st.lists(st.sets(st.integers(0, n - 1), min_size=1, max_size=3), max_size=3))
    edge_ok = bools(data, len(edges))
    vertex_ok = bools(data, n, p_false=0.1)
    indptr, tail, head, w = csr(n, edges)
    found = best_walk(
        indptr, head, tail, w, source, target, n_gates=gates,
        groups=[np.array(sorted(gr), dtype=np.intp) for gr in groups],
        edge_ok=edge_ok, vertex_ok=vertex_ok,
    )  # fmt: skip
    ok = [bool(edge_ok[i] and vertex_ok[b]) for i, (_, b, _) in enumerate(edges)]
    expected = layered_reference(n, gates, edges, ok, source, target, groups)
    if found is None:
        assert expected == math.inf
        return
    cost, walk, _ = found
    assert cost == expected
    # the walk itself: usable edges chained from source to target, weights adding up,
    # never through a gate, groups passed in order
    assert sum(w[e] for e in walk) == cost
    vertices = [source]
    for e in walk:
        assert ok[e] and tail[e] == vertices[-1]
        assert tail[e] >= gates or tail[e] == source
        vertices.append(int(head[e]))
    assert vertices[-1] == target
    assert passes_in_order(vertices, groups)


# --- door-to-door graphs: gates, platforms, routes that never come back ------


@st.composite
def door_graphs(draw: st.DrawFn) -> tuple[SimpleNamespace, list[Edge]]:
    """A compiled-network-shaped graph: one gate per node, then 1–2 platforms per node.

    Gates connect to their own platforms (access, egress), platforms of one
    node to each other (transfers), platforms of different nodes by lines.
    """
    n_nodes = draw(st.integers(2, 6))
    vertex_node = list(range(n_nodes))
    platforms: list[list[int]] = []
    for node in range(n_nodes):
        mine = []
        for _ in range(draw(st.integers(1, 2))):
            mine.append(len(vertex_node))
            vertex_node.append(node)
        platforms.append(mine)
    edges: list[Edge] = []
    for node, mine in enumerate(platforms):
        for p in mine:
            edges.append((node, p, draw(WEIGHTS)))
            edges.append((p, node, draw(WEIGHTS)))
            edges.extend((p, q, draw(WEIGHTS)) for q in mine if q != p)
    everyone = [p for mine in platforms for p in mine]
    for _ in range(draw(st.integers(1, 3 * n_nodes))):
        a = draw(st.sampled_from(everyone))
        b = draw(st.sampled_from([p for p in everyone if vertex_node[p] != vertex_node[a]]))
        w = draw(WEIGHTS)
        edges.append((a, b, w))
        if draw(st.booleans()):
            edges.append((b, a, w))
    edges.sort(key=lambda e: e[0])
    indptr, tail, head, _ = csr(len(vertex_node), edges)
    g = SimpleNamespace(
        n_gates=n_nodes,
        n_vertices=len(vertex_node),
        vertex_node=np.array(vertex_node, dtype=np.int32),
        indptr=indptr,
        tail=tail,
        head=head,
    )
    return g, edges


def platforms_of(g: SimpleNamespace, nodes: set[int]) -> np.ndarray:
    """Platform vertices of ``nodes`` (what a via group is in the compiled network)."""
    v = np.arange(g.n_vertices)
    return v[(v >= g.n_gates) & np.isin(g.vertex_node, sorted(nodes))]


def solve(
    g: SimpleNamespace,
    edges: list[Edge],
    origin: int,
    destination: int,
    groups: list[set[int]],
    avoid: set[int],
    edge_ok: np.ndarray,
) -> float:
    """Cost of ``layered_path``'s route, after checking the route is a valid one."""
    w = np.array([e[2] for e in edges])
    vertex_ok = ~np.isin(g.vertex_node, sorted(avoid))
    route = layered_path(
        g, w, origin, destination, [platforms_of(g, gr) for gr in groups], vertex_ok, edge_ok
    )
    if route is None:
        return math.inf
    at = origin
    for e in route:
        assert g.tail[e] == at and edge_ok[e] and vertex_ok[g.head[e]]
        at = int(g.head[e])
    assert at == destination
    nodes = node_sequence(g.vertex_node.tolist(), edges, route)
    assert len(nodes) == len(set(nodes)), f"route returns to a node: {nodes}"
    assert passes_in_order(nodes, groups)
    return float(w[route].sum())


@st.composite
def door_problems(draw: st.DrawFn) -> tuple:
    g, edges = draw(door_graphs())
    n = g.n_gates
    origin, destination = draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2, unique=True))
    groups = draw(st.lists(st.sets(st.integers(0, n - 1), min_size=1, max_size=2), max_size=2))
    others = [v for v in range(n) if v not in (origin, destination)]
    avoid = draw(st.sets(st.sampled_from(others), max_size=2)) if others else set()
    edge_ok = np.array([draw(st.integers(0, 9)) > 0 for _ in edges], dtype=bool)
    return g, edges, origin, destination, groups, avoid, edge_ok


@settings(max_examples=200, deadline=None)
@given(door_problems())
def test_layered_path_is_the_best_route_that_never_returns(problem: tuple) -> None:
    g, edges, origin, destination, groups, avoid, edge_ok = problem
    got = solve(g, edges, origin, destination, groups, avoid, edge_ok)
    vertex_ok = [int(n) not in avoid for n in g.vertex_node]
    expected = best_simple_route(
        g.vertex_node.tolist(), g.n_gates, edges, origin, destination, groups,
        edge_ok=edge_ok.tolist(), vertex_ok=vertex_ok,
    )  # fmt: skip
    assert got == expected


@settings(max_examples=100, deadline=None)
@given(door_problems(), st.data())
def test_a_constraint_never_lowers_the_optimum(problem: tuple, data: st.DataObject) -> None:
    g, edges, origin, destination, groups, avoid, edge_ok = problem
    n = g.n_gates
    base = solve(g, edges, origin, destination, groups, avoid, edge_ok)
    # one more via group, anywhere in the order
    extra = data.draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=2))
    at = data.draw(st.integers(0, len(groups)))
    more = [*groups[:at], extra, *groups[at:]]
    assert solve(g, edges, origin, destination, more, avoid, edge_ok) >= base
    # one more avoided node
    others = [v for v in range(n) if v not in (origin, destination) and v not in avoid]
    if others:
        node = data.draw(st.sampled_from(others))
        assert solve(g, edges, origin, destination, groups, avoid | {node}, edge_ok) >= base
    # one more closed edge: no destination gets cheaper, at the same weights
    e = data.draw(st.integers(0, len(edges) - 1))
    closed = edge_ok.copy()
    closed[e] = False
    for d in range(n):
        if d != origin:
            before = solve(g, edges, origin, d, groups, avoid, edge_ok)
            assert solve(g, edges, origin, d, groups, avoid, closed) >= before


@settings(max_examples=100, deadline=None)
@given(csr_graphs(), st.data())
def test_closing_an_edge_never_shortens_a_tree_distance(
    graph: tuple[int, int, list[Edge]], data: st.DataObject
) -> None:
    n, gates, edges = graph
    if not edges:
        return
    source = data.draw(st.integers(0, n - 1))
    indptr, _, head, w = csr(n, edges)
    before, _ = shortest_tree(indptr, head, w, source, n_gates=gates)
    closed = np.ones(len(edges), dtype=bool)
    closed[data.draw(st.integers(0, len(edges) - 1))] = False
    after, _ = shortest_tree(indptr, head, w, source, n_gates=gates, edge_ok=closed)
    assert (after >= before).all()


def spur_graph() -> tuple[SimpleNamespace, list[Edge]]:
    """Nodes A(0), B(1), C(2); via B is a dead-end spur off A, B–C is dear.

    Platforms a=3, b=4, c=5; gate edges are free. The best walk via B is
    A→B→A→C (1 + 1 + 2 = 4); the best route that never returns is A→B→C (1 + 10 = 11).
    """
    edges: list[Edge] = [
        (0, 3, 0.0), (3, 0, 0.0), (1, 4, 0.0), (4, 1, 0.0), (2, 5, 0.0), (5, 2, 0.0),
        (3, 4, 1.0), (4, 3, 1.0), (3, 5, 2.0), (4, 5, 10.0),
    ]  # fmt: skip
    edges.sort(key=lambda e: e[0])
    indptr, tail, head, _ = csr(6, edges)
    g = SimpleNamespace(
        n_gates=3, n_vertices=6, vertex_node=np.array([0, 1, 2, 0, 1, 2], dtype=np.int32),
        indptr=indptr, tail=tail, head=head,
    )  # fmt: skip
    return g, edges


def test_control_a_walk_that_returns_is_cheaper_and_refused() -> None:
    """The brute force tells walks from routes: the spur's best walk is not a route."""
    g, edges = spur_graph()
    w = np.array([e[2] for e in edges])
    walk = best_walk(g.indptr, g.head, g.tail, w, 0, 2, n_gates=3, groups=[np.array([4])])
    assert walk is not None and walk[0] == 4.0  # out to B and back: A→B→A→C
    nodes = node_sequence(g.vertex_node.tolist(), edges, walk[1])
    assert len(nodes) != len(set(nodes))
    ok = np.ones(len(edges), dtype=bool)
    assert solve(g, edges, 0, 2, [{1}], set(), ok) == 11.0
    assert best_simple_route(g.vertex_node.tolist(), 3, edges, 0, 2, [{1}]) == 11.0


def test_kernel_without_jit_matches_the_oracle() -> None:
    """The kernel's Python body (NUMBA_DISABLE_JIT=1) against the oracle on seeded graphs."""
    here = Path(__file__).parent
    code = """
import random, numpy as np
from search_oracle import dijkstra, best_simple_route
from corridor.graph.shortest import shortest_tree
from corridor.paths.search import layered_path
from test_search import spur_graph
rng = random.Random(7)
for _ in range(40):
    n = rng.randint(2, 10); gates = rng.randint(0, n)
    edges = sorted(((rng.randrange(n), rng.randrange(n), float(rng.randint(0, 9)))
                    for _ in range(3 * n)), key=lambda e: e[0])
    edges = [e for e in edges if e[0] != e[1]]
    tail = np.array([e[0] for e in edges], dtype=np.int32)
    head = np.array([e[1] for e in edges], dtype=np.int32)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    s = rng.randrange(n)
    d, _ = shortest_tree(indptr, head, np.array([e[2] for e in edges]), s, n_gates=gates)
    assert d.tolist() == dijkstra(n, edges, s, n_gates=gates), (n, gates, edges, s)
g, edges = spur_graph()
w = np.array([e[2] for e in edges])
r = layered_path(g, w, 0, 2, [np.array([4])], np.ones(6, bool), np.ones(len(edges), bool))
assert float(w[r].sum()) == best_simple_route(g.vertex_node.tolist(), 3, edges, 0, 2, [{1}])
print("ok")
"""
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "PYTHONPATH": str(here)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=here
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.parametrize("groups", [[], [{1}], [{1}, {2}]])
def test_spur_graph_by_hand(groups: list[set[int]]) -> None:
    """Hand-computed optima of the spur graph (an oracle that is not code at all)."""
    g, edges = spur_graph()
    ok = np.ones(len(edges), dtype=bool)
    # A→C direct 2; via B without returning 1 + 10 = 11; B then C is the same route
    expected = {0: 2.0, 1: 11.0, 2: 11.0}[len(groups)]
    assert solve(g, edges, 0, 2, groups, set(), ok) == expected


def test_a_link_without_capacity_is_closed_to_routes(tiny_dataset: Callable[..., Path]) -> None:
    # A future line or a structure closed all year has capacity 0: no route may use it,
    # however cheap (the tiny network's middle corridor needs link cd to reach port d).
    from corridor.graph.compiled import compile_network
    from corridor.model.network import load_network
    from corridor.model.scenario import Scenario, SetValue
    from corridor.paths.routes import route

    base = load_network(tiny_dataset())
    assert route(compile_network(base), "a", "f", corridor="middle") is not None
    shut = Scenario("cd-zero", base, (SetValue("links", "cd", "capacity_teu_per_year", "set", 0),))
    g = compile_network(shut.apply())
    assert route(g, "a", "f", corridor="middle") is None
    best = route(g, "a", "f")
    assert best is not None and "cd" not in {leg.element_id for leg in best.legs}
