"""Least-cost search with constraints: avoided countries/nodes, closed edges, via nodes.

Via constraints are solved exactly with a layered search: the distances at the
platforms of one via group seed the next Dijkstra run, so the best way through
each group is found even when a group has alternatives (``aktau|kuryk``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from corridor.graph.compiled import CompiledNetwork
from corridor.graph.shortest import shortest_tree, trace_back
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
    edge_ok = np.ones(g.n_edges, dtype=bool)
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
) -> list[int] | None:
    """Least-weight path from ``source`` to ``target`` through one vertex of each group.

    The exact layered search can return a walk that doubles back (out to a via
    port and back the same way). Then a greedy search is used instead: stage by
    stage, to the nearest vertex of the next group, never re-entering a place
    the route has already left. Returns ``None`` if neither finds a route.
    """
    seeds = {source: 0.0}
    preds = []
    for group in [*groups, None]:
        dist, pred = shortest_tree(
            g.indptr,
            g.head,
            weight,
            seeds,
            n_gates=g.n_gates,
            edge_ok=edge_ok,
            vertex_ok=vertex_ok,
            targets=[target] if group is None else group,
        )
        preds.append(pred)
        if group is None:
            if not np.isfinite(dist[target]):
                return None
            break
        reach = group[np.isfinite(dist[group])]
        if reach.size == 0:
            return None
        seeds = {int(v): float(dist[v]) for v in reach}
    edges: list[int] = []
    v = target
    for pred in reversed(preds):
        segment, v = trace_back(g.tail, pred, v)
        edges[:0] = segment
    if _doubles_back(g, edges):
        return _greedy_path(g, weight, source, target, groups, vertex_ok, edge_ok)
    return edges


def _greedy_path(
    g: CompiledNetwork,
    weight: npt.NDArray[np.float64],
    source: int,
    target: int,
    groups: Sequence[npt.NDArray[np.intp]],
    vertex_ok: BoolArray,
    edge_ok: BoolArray,
) -> list[int] | None:
    edges: list[int] = []
    start = source
    left_nodes: set[int] = set()
    for group in [*groups, np.array([target])]:
        ok = vertex_ok & ~np.isin(g.vertex_node, list(left_nodes))
        ok[start] = True
        dist, pred = shortest_tree(
            g.indptr,
            g.head,
            weight,
            {start: 0.0},
            n_gates=g.n_gates,
            edge_ok=edge_ok,
            vertex_ok=ok,
            targets=group,
        )
        reach = group[np.isfinite(dist[group])]
        if reach.size == 0:
            return None
        end = int(reach[np.argmin(dist[reach])])
        segment, _ = trace_back(g.tail, pred, end)
        edges.extend(segment)
        for e in segment:
            left_nodes.add(int(g.vertex_node[g.tail[e]]))
        left_nodes.discard(int(g.vertex_node[end]))
        start = end
    return None if _doubles_back(g, edges) else edges


def _doubles_back(g: CompiledNetwork, edges: Sequence[int]) -> bool:
    """Whether a path leaves a node and comes back to it later.

    Via stages are solved independently, so their joined path can be a walk
    that returns to a place (out to a via port and back); such a walk does not
    count as a route of the corridor.
    """
    seen: set[int] = set()
    last = -1
    for e in edges:
        for v in (g.tail[e], g.head[e]):
            node = int(g.vertex_node[v])
            if node != last:
                if node in seen:
                    return True
                seen.add(node)
                last = node
    return False
