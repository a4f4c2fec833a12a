"""Routing checked against NetworkX and against costs recomputed from the tables."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.errors import NoRouteError, UnknownIdError
from corridor.graph.compiled import compile_network
from corridor.graph.shortest import shortest_tree
from corridor.model.network import load_network
from corridor.paths.routes import routes


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, int, list[tuple[int, int, float]]]:
    n = draw(st.integers(2, 25))
    gates = draw(st.integers(0, n))
    m = draw(st.integers(0, 4 * n))
    edges = [
        (
            draw(st.integers(0, n - 1)),
            draw(st.integers(0, n - 1)),
            draw(st.floats(0, 100, allow_nan=False)),
        )
        for _ in range(m)
    ]
    return n, gates, [e for e in edges if e[0] != e[1]]


def _csr(n: int, edges: list[tuple[int, int, float]]) -> tuple[np.ndarray, ...]:
    order = sorted(range(len(edges)), key=lambda i: edges[i][0])
    tail = np.array([edges[i][0] for i in order], dtype=np.int32)
    head = np.array([edges[i][1] for i in order], dtype=np.int32)
    w = np.array([edges[i][2] for i in order], dtype=np.float64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    return indptr, tail, head, w


def _oracle(n: int, gates: int, edges: list[tuple[int, int, float]], source: int) -> dict:
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    for a, b, w in edges:
        if a < gates and a != source:
            continue  # gates are never passed through
        if not g.has_edge(a, b) or g[a][b]["weight"] > w:
            g.add_edge(a, b, weight=w)
    return nx.single_source_dijkstra_path_length(g, source)


@pytest.mark.parametrize("method", ["jit", "python"])
@settings(max_examples=150, deadline=None)
@given(graphs(), st.data())
def test_dijkstra_matches_networkx(method: str, graph: tuple, data: st.DataObject) -> None:
    n, gates, edges = graph
    source = data.draw(st.integers(0, n - 1))
    indptr, tail, head, w = _csr(n, edges)
    dist, pred = shortest_tree(indptr, head, w, {source: 0.0}, n_gates=gates, method=method)
    expected = _oracle(n, gates, edges, source)
    for v in range(n):
        if v in expected:
            assert dist[v] == pytest.approx(expected[v], abs=1e-9)
        else:
            assert math.isinf(dist[v])
    # every predecessor chain re-adds to the distance
    for v in range(n):
        if np.isfinite(dist[v]):
            total, u = 0.0, v
            while pred[u] >= 0:
                total += w[pred[u]]
                u = int(tail[pred[u]])
            assert u == source
            assert total == pytest.approx(dist[v], abs=1e-9)


def test_dijkstra_kernel_without_jit() -> None:
    code = (
        "import numpy as np;from corridor.graph.shortest import shortest_tree;"
        "d,p=shortest_tree(np.array([0,2,3,3]),np.array([1,2,2],dtype=np.int32),"
        "np.array([1.0,5.0,1.0]),{0:0.0},method='jit');print(d.tolist(),p.tolist())"
    )
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[0.0, 1.0, 2.0] [-1, 0, 2]"


def _leg_from_tables(net, leg) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """Hours moving, hours waiting and USD of a leg recomputed from the raw tables."""
    if leg.kind == "link":
        r = net.links.set_index("id").loc[leg.element_id]
        f = net.conditions.set_index("condition").loc[r["condition"], "speed_factor"]
        return (
            r["length_km"] / (r["speed_kmh"] * f),
            r["stop_h_per_1000km"] * r["length_km"] / 1000,
            r["length_km"] * r["tariff_usd_per_feu_km"],
        )
    if leg.kind == "border":
        r = net.borders.set_index("id").loc[leg.element_id]
        return 0.0, r["dwell_h"], r["fee_usd_per_feu"]
    if leg.kind == "service":
        r = net.services.set_index("id").loc[leg.element_id]
        return r["crossing_h"], leg.hours_waiting, r["tariff_usd_per_feu"]
    r = net.terminals.set_index("id").loc[leg.element_id]
    return 0.0, r["handling_h"], r["fee_usd_per_feu"]


def test_route_costs_recomputed_from_tables(tiny_dataset: Callable[..., Path]) -> None:
    net = load_network(tiny_dataset())
    found = routes(net, "a", "f")
    assert {r.corridor for r in found} == {"middle", "northern"}
    for r in found:
        hm = hw = usd = 0.0
        for leg in r.legs:
            m, w, c = _leg_from_tables(net, leg)
            assert leg.hours_moving == pytest.approx(m)
            assert leg.hours_waiting == pytest.approx(w)
            assert leg.cost_usd == pytest.approx(c)
            hm, hw, usd = hm + m, hw + w, usd + c
        assert r.time_days == pytest.approx((hm + hw) / 24)
        assert r.cost_usd == pytest.approx(usd)
        # legs chain: each leg starts where the previous ended
        for x, y in zip(r.legs, r.legs[1:], strict=False):
            assert x.to_node == y.from_node
        assert r.legs[0].from_node == "a" and r.legs[-1].to_node == "f"


def test_corridor_constraints_hold(tiny_dataset: Callable[..., Path]) -> None:
    net = load_network(tiny_dataset())
    (middle,) = routes(net, "a", "f", corridors=["middle"])
    assert "RU" not in middle.countries and "AZ" in middle.transits
    assert any(leg.kind == "service" for leg in middle.legs)
    kinds = [leg.kind for leg in middle.legs]
    assert kinds[0] == "access" and kinds[-1] == "egress"
    border = next(leg for leg in middle.legs if leg.kind == "border")
    assert (border.from_node, border.to_node, border.mode) == ("b", "c", "rail_1520")
    (north,) = routes(net, "a", "f", corridors=["northern"])
    assert "RU" in north.transits and "AZ" not in north.countries
    with pytest.raises(NoRouteError):
        routes(net, "a", "f", corridors=["middle"], avoid_countries=["KZ"])
    with pytest.raises(UnknownIdError, match="unknown node id 'zz'"):
        routes(net, "a", "zz")


def test_via_layered_search_matches_brute_force(tiny_dataset: Callable[..., Path]) -> None:
    """Forcing a via node equals the best of o→v plus v→d found separately."""
    net = load_network(tiny_dataset())
    g = compile_network(net)
    (r,) = routes(g, "a", "f", corridors=["best"], via=["d"], avoid_countries=["RU"])
    w = g.generalised_cost(r.value_of_time_usd_per_feu_h)
    ok = np.array([g.node_country[n] != "RU" for n in g.vertex_node])
    platforms = np.flatnonzero((g.vertex_node == g.gate("d")) & (g.vertex_mode >= 0))

    def tree(seed: int) -> np.ndarray:
        return shortest_tree(g.indptr, g.head, w, {seed: 0.0}, n_gates=g.n_gates, vertex_ok=ok)[0]

    from_o = tree(g.gate("a"))
    best = min(from_o[p] + tree(int(p))[g.gate("f")] for p in platforms)
    assert r.generalised_cost_usd == pytest.approx(best)
    assert any(leg.from_node == "d" or leg.to_node == "d" for leg in r.legs)


def test_via_never_doubles_back(tiny_dataset: Callable[..., Path]) -> None:
    """The unconstrained best way via e is out to e and back; routes refuse that walk."""
    net = load_network(tiny_dataset())
    for r in routes(net, "a", "f", corridors=["best", "middle", "northern"], via=["e"]):
        nodes = [r.legs[0].from_node] + [leg.to_node for leg in r.legs]
        left = [n for i, n in enumerate(nodes) if i == 0 or n != nodes[i - 1]]
        assert len(left) == len(set(left)), left


def test_k_alternatives_match_networkx_simple_paths(tiny_dataset: Callable[..., Path]) -> None:
    """Yen's k routes equal the k cheapest simple paths NetworkX enumerates."""
    from itertools import islice

    from corridor.paths.alternatives import alternatives

    net = load_network(tiny_dataset())
    g = compile_network(net)
    k = 4
    alts = alternatives(g, "a", "f", k=k)
    w = g.generalised_cost(alts[0].value_of_time_usd_per_feu_h)
    dg = nx.DiGraph()
    src, dst = g.gate("a"), g.gate("f")
    for e in range(g.n_edges):
        a, b = int(g.tail[e]), int(g.head[e])
        if a < g.n_gates and a != src:
            continue
        if not dg.has_edge(a, b) or dg[a][b]["weight"] > w[e]:
            dg.add_edge(a, b, weight=float(w[e]))
    expected = [
        nx.path_weight(dg, p, "weight")
        for p in islice(nx.shortest_simple_paths(dg, src, dst, weight="weight"), k)
    ]
    assert [r.generalised_cost_usd for r in alts] == pytest.approx(expected)
    assert len({r.edges for r in alts}) == len(alts)


@settings(max_examples=60, deadline=None)
@given(graphs(), st.data())
def test_both_kernels_agree_with_masks_and_seeds(graph: tuple, data: st.DataObject) -> None:
    """The Python kernel is the compiled one's oracle, masks and several seeds included."""
    n, gates, edges = graph
    indptr, _, head, w = _csr(n, edges)
    seeds = {
        data.draw(st.integers(0, n - 1)): data.draw(st.floats(0, 10))
        for _ in range(data.draw(st.integers(1, 3)))
    }
    edge_ok = np.array(data.draw(st.lists(st.booleans(), min_size=len(w), max_size=len(w))), bool)
    vertex_ok = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    a = shortest_tree(
        indptr, head, w, seeds, n_gates=gates, edge_ok=edge_ok, vertex_ok=vertex_ok, method="jit"
    )
    b = shortest_tree(
        indptr, head, w, seeds, n_gates=gates, edge_ok=edge_ok, vertex_ok=vertex_ok, method="python"
    )
    np.testing.assert_array_equal(a[0], b[0])
    targets = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    for method in ("jit", "python"):
        early = shortest_tree(
            indptr,
            head,
            w,
            seeds,
            n_gates=gates,
            edge_ok=edge_ok,
            vertex_ok=vertex_ok,
            targets=targets,
            method=method,
        )
        np.testing.assert_array_equal(early[0][targets], a[0][targets])
    finite = np.isfinite(a[0])
    # equal-cost ties may pick different predecessors; both must be tight
    for dist, pred in (a, b):
        for v in np.flatnonzero(finite & (pred >= 0)):
            assert dist[v] == pytest.approx(dist[_csr_tail(indptr, pred[v])] + w[pred[v]])


def _csr_tail(indptr: np.ndarray, e: int) -> int:
    return int(np.searchsorted(indptr, e, side="right") - 1)


def test_routes_far_longer_than_the_crow_flies_are_left_out(
    tiny_dataset: Callable[..., Path],
) -> None:
    from corridor.paths.routes import great_circle_km

    net = load_network(tiny_dataset())
    every = routes(net, "a", "f", max_circuity=float("inf"))
    crow = great_circle_km(net, "a", "f")
    longest = max(r.distance_km for r in every) / crow
    shortest = min(r.distance_km for r in every) / crow
    assert len(every) == 2 and shortest < longest
    assert len(routes(net, "a", "f", max_circuity=longest * 1.001)) == 2
    kept = routes(net, "a", "f", max_circuity=longest * 0.999)
    assert [r.distance_km / crow for r in kept] == [pytest.approx(shortest)]
    with pytest.raises(NoRouteError, match="great-circle"):
        routes(net, "a", "f", max_circuity=shortest * 0.999)
