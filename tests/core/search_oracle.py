"""Slow, obvious references for the search tests: plain Python only.

Nothing here imports corridor, so the checks share no code with the kernel
(:mod:`corridor.graph.kernel`) or the route search (:mod:`corridor.paths.search`)
they check. Graphs are edge lists ``[(tail, head, weight), ...]``; vertices
below ``n_gates`` are gates: a path may start or end at one but never pass
through it.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Sequence

Edge = tuple[int, int, float]


def usable(
    edges: Sequence[Edge],
    edge_ok: Sequence[bool] | None = None,
    vertex_ok: Sequence[bool] | None = None,
) -> list[bool]:
    """Per edge: open, and not entering a closed vertex."""
    return [
        (edge_ok is None or bool(edge_ok[i])) and (vertex_ok is None or bool(vertex_ok[b]))
        for i, (_, b, _) in enumerate(edges)
    ]


def dijkstra(
    n: int,
    edges: Sequence[Edge],
    source: int,
    *,
    n_gates: int = 0,
    edge_ok: Sequence[bool] | None = None,
    vertex_ok: Sequence[bool] | None = None,
) -> list[float]:
    """Textbook Dijkstra with a lazy-deletion heap; ``inf`` where unreachable."""
    ok = usable(edges, edge_ok, vertex_ok)
    out: list[list[tuple[int, float]]] = [[] for _ in range(n)]
    for i, (a, b, w) in enumerate(edges):
        if ok[i]:
            out[a].append((b, w))
    dist = [math.inf] * n
    dist[source] = 0.0
    done = [False] * n
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if done[u]:
            continue
        done[u] = True
        if u < n_gates and u != source:
            continue  # a gate ends a path, it does not pass one on
        for v, w in out[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist


def passes_in_order(places: Sequence[int], groups: Sequence[set[int]]) -> bool:
    """Whether ``places`` visits one member of each group, in order.

    One place may serve several consecutive groups (``i_1 <= i_2 <= ...``).
    """
    k = 0
    for p in places:
        while k < len(groups) and p in groups[k]:
            k += 1
    return k == len(groups)


def simple_routes(
    vertex_node: Sequence[int],
    n_gates: int,
    edges: Sequence[Edge],
    source: int,
    target: int,
    *,
    edge_ok: Sequence[bool] | None = None,
    vertex_ok: Sequence[bool] | None = None,
) -> Iterator[tuple[float, list[int]]]:
    """Every route from gate ``source`` to gate ``target`` that never returns to a node it left.

    Vertices belong to nodes (``vertex_node``); a route may move between the
    vertices of the node it is at, but once it has left a node it never comes
    back. Yields ``(weight, edge indices)``; exhaustive depth-first search.
    """
    ok = usable(edges, edge_ok, vertex_ok)
    out: list[list[int]] = [[] for _ in vertex_node]
    for i, (a, _, _) in enumerate(edges):
        if ok[i]:
            out[a].append(i)

    def walk(
        v: int, cost: float, path: list[int], seen_v: set[int], left: set[int]
    ) -> Iterator[tuple[float, list[int]]]:
        if v == target:
            yield cost, list(path)
            return
        if v < n_gates and v != source:
            return
        here = vertex_node[v]
        for i in out[v]:
            w = edges[i][1]
            there = vertex_node[w]
            if w in seen_v or there in left:
                continue
            if there != here:
                left.add(here)
            seen_v.add(w)
            path.append(i)
            yield from walk(w, cost + edges[i][2], path, seen_v, left)
            path.pop()
            seen_v.discard(w)
            if there != here:
                left.discard(here)

    yield from walk(source, 0.0, [], {source}, set())


def node_sequence(
    vertex_node: Sequence[int], edges: Sequence[Edge], route: Sequence[int]
) -> list[int]:
    """Nodes a route passes, consecutive repeats merged."""
    nodes: list[int] = []
    for i in route:
        for v in edges[i][:2]:
            node = vertex_node[int(v)]
            if not nodes or nodes[-1] != node:
                nodes.append(node)
    return nodes


def best_simple_route(
    vertex_node: Sequence[int],
    n_gates: int,
    edges: Sequence[Edge],
    source: int,
    target: int,
    groups: Sequence[set[int]] = (),
    *,
    edge_ok: Sequence[bool] | None = None,
    vertex_ok: Sequence[bool] | None = None,
) -> float:
    """Least weight of a route that never returns to a node and passes node ``groups`` in order."""
    best = math.inf
    for cost, route in simple_routes(
        vertex_node, n_gates, edges, source, target, edge_ok=edge_ok, vertex_ok=vertex_ok
    ):
        if cost < best and passes_in_order(node_sequence(vertex_node, edges, route), groups):
            best = cost
    return best
