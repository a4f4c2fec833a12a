"""Least-cost search with constraints: avoided countries/nodes, modes, closed edges, via nodes.

All constraints are solved exactly in one search: masks remove what a route
may not use, and via groups (in order, each with alternatives such as
``aktau|kuryk``) are layers of the state space of the one kernel
(:mod:`corridor.graph.kernel`). Adding a constraint can therefore never give
a cheaper route.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corridor.graph.compiled import CompiledNetwork
from corridor.graph.shortest import best_walk
from corridor.model.schema import MODES

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Constraints:
    """What a route may and must use.

    ``via`` is a sequence of groups; the route passes one node of each group,
    in order. ``modes`` empty means every mode is allowed.
    """

    avoid_countries: frozenset[str] = frozenset()
    avoid_nodes: frozenset[str] = frozenset()
    via: tuple[tuple[str, ...], ...] = ()
    modes: frozenset[str] = frozenset()
    closed_edges: frozenset[int] = frozenset()


def masks(
    g: CompiledNetwork, c: Constraints, keep_nodes: Iterable[str] = ()
) -> tuple[BoolArray, BoolArray]:
    """Vertex and edge masks for constraints; ``keep_nodes`` are never masked."""
    keep = {g.gate(n) for n in keep_nodes}
    bad_node = np.array(
        [
            (nid in c.avoid_nodes or country in c.avoid_countries) and i not in keep
            for i, (nid, country) in enumerate(zip(g.node_ids, g.node_country, strict=True))
        ],
        dtype=bool,
    )
    vertex_ok = ~bad_node[g.vertex_node]
    if c.modes:
        allowed = np.array([m in c.modes for m in MODES], dtype=bool)
        platform = g.vertex_mode >= 0
        vertex_ok &= ~platform | allowed[np.maximum(g.vertex_mode, 0)]
    # an element with no capacity is closed (a future line, a structure closed all year)
    edge_ok = (np.asarray(g.capacity_teu_per_year) != 0) & (np.asarray(g.capacity_t_per_year) != 0)
    if c.closed_edges:
        edge_ok[list(c.closed_edges)] = False
    return vertex_ok, edge_ok


def best_path(
    g: CompiledNetwork,
    weight: npt.NDArray[np.float64],
    origin: str,
    destination: str,
    constraints: Constraints = Constraints(),
) -> list[int] | None:
    """Edges of the least-weight path from ``origin``'s gate to ``destination``'s gate.

    Returns ``None`` when no path satisfies the constraints.
    """
    return Search(g, origin, destination, constraints).path(weight)


class Search:
    """One constrained origin–destination search, prepared once for many weightings.

    The masks and via groups depend only on the constraints, so a caller that
    tries several weights (e.g. values of time) prepares them once.
    """

    def __init__(
        self, g: CompiledNetwork, origin: str, destination: str, constraints: Constraints
    ) -> None:
        via_nodes = [n for group in constraints.via for n in group]
        self.g = g
        self.source = g.gate(origin)
        self.target = g.gate(destination)
        self.groups = via_groups(g, constraints.via)
        self.vertex_ok, self.edge_ok = masks(
            g, constraints, keep_nodes=[origin, destination, *via_nodes]
        )

    def path(self, weight: npt.NDArray[np.float64]) -> list[int] | None:
        """Edges of the least-weight path under these constraints (``None`` if none)."""
        return layered_path(
            self.g, weight, self.source, self.target, self.groups, self.vertex_ok, self.edge_ok
        )


def via_groups(g: CompiledNetwork, via: Sequence[Sequence[str]]) -> list[npt.NDArray[np.intp]]:
    """Platform vertices of each via group."""
    out = []
    for group in via:
        idx = [g.gate(n) for n in group]
        out.append(np.flatnonzero(np.isin(g.vertex_node, idx) & (g.vertex_mode >= 0)))
    return out


def layered_path(
    g: CompiledNetwork,
    weight: npt.NDArray[np.float64],
    source: int,
    target: int,
    groups: Sequence[npt.NDArray[np.intp]],
    vertex_ok: BoolArray,
    edge_ok: BoolArray,
    *,
    max_branches: int = 20_000,
) -> list[int] | None:
    """Least-weight route from ``source`` to ``target`` through one vertex of each group, in order.

    A route never comes back to a place (node) it has left. The layered
    search (:func:`corridor.graph.shortest.best_walk`) is exact for walks;
    when its best walk returns to a node ``x``, best-first branch and bound
    finds the best route that does not. A route stays at ``x`` at most once,
    so it either never enters ``x`` from elsewhere, or enters it exactly once,
    at one vertex ``v`` in one layer ``k``: one branch for the first case and
    one per ``(k, v)`` for the second, each allowing ``x`` only that way. In
    such a branch a walk can no longer return to ``x`` (it would have to pass
    the state ``(k, v)`` twice), and every route lies in exactly one branch,
    whose best walk bounds it below. The first walk taken from the queue that
    never returns to a node is the optimum. Returns ``None`` if no route
    satisfies the constraints.
    """
    cost = np.where(edge_ok & vertex_ok[g.head], weight, np.inf)
    layers = len(groups) + 1
    n = g.n_vertices
    node_of = g.vertex_node
    counter = 0
    Rule = tuple[int, int, int]  # (node, layer, entry vertex); layer -1: no entry at all

    def solve(rules: tuple[Rule, ...]) -> tuple[float, list[int], list[int]] | None:
        c = cost
        state_ok = None
        if rules:
            c = cost.copy()
            ok = np.ones((layers, n), dtype=bool)
            for node, layer, entry in rules:
                into = (node_of[g.head] == node) & (node_of[g.tail] != node)
                if layer < 0:
                    c[into] = np.inf
                    continue
                c[into & (g.head != entry)] = np.inf
                others = np.array([k for k in range(layers) if k != layer], dtype=np.intp)
                ok[np.ix_(others, _vertices_of(g, node))] = False
            state_ok = ok.ravel()
        return best_walk(
            g.indptr, g.head, g.tail, c, source, target,
            n_gates=g.n_gates, groups=groups, state_ok=state_ok, masked=True,
        )  # fmt: skip

    first = solve(())
    if first is None:
        return None
    queue: list[tuple[float, int, tuple[Rule, ...], list[int]]] = [
        (first[0], counter, (), first[1])
    ]
    # the same rules reached in another order are the same branch
    seen: set[frozenset[Rule]] = {frozenset()}
    while queue:
        _total, _, rules, edges = heapq.heappop(queue)
        again = _first_return(g, edges)
        if again < 0:
            return edges
        into = (node_of[g.head] == again) & (node_of[g.tail] != again) & np.isfinite(cost)
        entries = np.unique(g.head[into])
        children: list[Rule] = [(again, -1, -1)]
        children += [(again, k, int(v)) for k in range(layers) for v in entries]
        for rule in children:
            child = (*rules, rule)
            key = frozenset(child)
            if key in seen:
                continue
            seen.add(key)
            found = solve(child)
            if found is not None:
                counter += 1
                heapq.heappush(queue, (found[0], counter, child, found[1]))
        if counter > max_branches:
            raise RuntimeError(
                f"route search gave up after {max_branches} branches "
                "(via groups force the route to double back many times)"
            )
    return None


def _vertices_of(g: CompiledNetwork, node: int) -> npt.NDArray[np.intp]:
    return np.flatnonzero(g.vertex_node == node)


def _first_return(g: CompiledNetwork, edges: Sequence[int]) -> int:
    """The first node a walk comes back to after leaving it (``-1`` if none)."""
    seen: set[int] = set()
    last = -1
    for e in edges:
        for v in (g.tail[e], g.head[e]):
            node = int(g.vertex_node[v])
            if node != last:
                if node in seen:
                    return node
                seen.add(node)
                last = node
    return -1
