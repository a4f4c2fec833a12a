"""k alternative routes (Yen's loopless k-shortest paths) over the compiled graph."""

from __future__ import annotations

import numpy as np

from corridor.graph.compiled import CompiledNetwork
from corridor.graph.shortest import best_walk
from corridor.paths.routes import Route, allowed_modes, build_route, commodity_row
from corridor.paths.search import Constraints, masks


def alternatives(
    g: CompiledNetwork,
    origin: str,
    destination: str,
    *,
    k: int = 3,
    commodity: str = "containers",
    constraints: Constraints = Constraints(),
) -> list[Route]:
    """Up to ``k`` loopless routes in increasing generalised cost (Yen, 1971).

    Each route is labelled ``alt1``, ``alt2``, ... Via constraints are not
    supported here (use corridors for that).

    Examples
    --------
    >>> from corridor import load_network, prepare
    >>> rs = alternatives(prepare(load_network()).graph, "xian", "duisburg", k=3)
    >>> [r.corridor for r in rs]
    ['alt1', 'alt2', 'alt3']
    >>> rs[0].generalised_cost_usd <= rs[1].generalised_cost_usd <= rs[2].generalised_cost_usd
    True
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    g.network.require_node(origin)
    g.network.require_node(destination)
    for code in constraints.avoid_countries:
        g.network.require_country(code)
    for node in constraints.avoid_nodes:
        g.network.require_node(node)
    com = commodity_row(g.network, commodity)
    vot = float(com["value_of_time_usd_per_feu_h"])
    c = Constraints(
        avoid_countries=constraints.avoid_countries,
        avoid_nodes=constraints.avoid_nodes,
        modes=allowed_modes(com, constraints.modes),
        closed_edges=constraints.closed_edges,
    )
    weight = g.generalised_cost(vot)
    vertex_ok, edge_ok = masks(g, c, keep_nodes=[origin, destination])
    source, target = g.gate(origin), g.gate(destination)

    def path(seed: int, v_ok: np.ndarray, e_ok: np.ndarray) -> list[int] | None:
        found = best_walk(
            g.indptr, g.head, g.tail, weight, seed, target,
            n_gates=g.n_gates, edge_ok=e_ok, vertex_ok=v_ok,
        )  # fmt: skip
        return None if found is None else found[1]

    first = path(source, vertex_ok, edge_ok)
    if first is None:
        return []
    found: list[list[int]] = [first]
    candidates: dict[tuple[int, ...], float] = {}
    while len(found) < k:
        prev = found[-1]
        for i in range(len(prev)):
            root = prev[:i]
            spur = source if i == 0 else int(g.head[prev[i - 1]])
            e_ok = edge_ok.copy()
            for p in found:
                if p[:i] == root and len(p) > i:
                    e_ok[p[i]] = False
            v_ok = vertex_ok.copy()
            for e in root:
                v_ok[g.tail[e]] = False
            v_ok[spur] = True
            tail = path(spur, v_ok, e_ok)
            if tail is not None:
                total = tuple(root + tail)
                if list(total) not in found:
                    candidates[total] = float(weight[list(total)].sum())
        if not candidates:
            break
        best = min(candidates, key=lambda p: candidates[p])
        del candidates[best]
        found.append(list(best))
    return [
        build_route(
            g,
            p,
            corridor=f"alt{i + 1}",
            origin=origin,
            destination=destination,
            commodity=commodity,
            value_of_time=vot,
        )
        for i, p in enumerate(found)
    ]
