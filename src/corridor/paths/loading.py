"""All-or-nothing loading of yearly demand and the utilisation of capacities.

Each demand row is routed on its observed corridor (or, with no corridor, on
the least generalised-cost route) and its volume, in TEU-equivalents, is added
to every edge of that route. Terminal capacity is shared by all the terminal's
handling edges; link, border and service capacities are per direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork
from corridor.paths.routes import BEST, Route, route

_TERMINAL_KINDS = {"transfer", "access", "egress"}


@dataclass(frozen=True)
class Loading:
    """Edge flows (TEU a year) and the routes the demand took."""

    edge_flow_teu: npt.NDArray[np.float64]
    routed: tuple[tuple[str, Route], ...]
    unrouted: tuple[str, ...]


def teu_per_year(volume: float, unit: str, tonnes_per_teu: float) -> float:
    """Convert a yearly volume in the commodity's unit to TEU-equivalents."""
    return volume if unit == "teu" else volume / tonnes_per_teu


def load_demand(g: CompiledNetwork, *, growth: float = 1.0) -> Loading:
    """Route every demand row of the network and add its TEU to the edges it uses."""
    net = g.network
    com = net.commodities.set_index("id")
    flow = np.zeros(g.n_edges)
    cache: dict[tuple[str, str, str, str], Route | None] = {}
    routed = []
    unrouted = []
    for d in net.demand.itertuples(index=False):
        corridor = d.corridor or BEST
        key = (d.origin, d.destination, d.commodity, corridor)
        if key not in cache:
            r = route(g, d.origin, d.destination, corridor=corridor, commodity=d.commodity)
            if r is None and corridor != BEST:
                r = route(g, d.origin, d.destination, commodity=d.commodity)
            cache[key] = r
        r = cache[key]
        if r is None:
            unrouted.append(d.id)
            continue
        c = com.loc[d.commodity]
        teu = growth * teu_per_year(d.volume_per_year, c["unit"], c["tonnes_per_teu"])
        flow[list(r.edges)] += teu
        routed.append((d.id, r))
    return Loading(edge_flow_teu=flow, routed=tuple(routed), unrouted=tuple(unrouted))


def element_key(g: CompiledNetwork, edge: int) -> tuple[str, int, int]:
    """Key of the capacity an edge uses: terminals are shared, others per direction."""
    kind = EDGE_KINDS[int(g.kind[edge])]
    if kind in _TERMINAL_KINDS:
        return ("terminal", int(g.element[edge]), -1)
    return (kind, int(g.element[edge]), edge)


def element_flows(
    g: CompiledNetwork, edge_flow: npt.NDArray[np.float64]
) -> dict[tuple[str, int, int], float]:
    """Yearly TEU through each capacity (see :func:`element_key`)."""
    out: dict[tuple[str, int, int], float] = {}
    for e in np.flatnonzero(g.element >= 0):
        key = element_key(g, int(e))
        out[key] = out.get(key, 0.0) + float(edge_flow[e])
    return out


def bottlenecks(
    g: CompiledNetwork, r: Route, flows: dict[tuple[str, int, int], float]
) -> list[dict[str, Any]]:
    """The route's capacity-limited elements, most utilised first (JSON contract)."""
    seen = set()
    out: list[dict[str, Any]] = []
    terminals = g.network.terminals
    for leg in r.legs:
        cap = leg.capacity_teu_per_year
        if not np.isfinite(cap) or cap <= 0:
            continue
        key = element_key(g, leg.edge)
        if key in seen:
            continue
        seen.add(key)
        kind = key[0]
        if kind == "terminal":
            kind = "port" if terminals["kind"].iloc[key[1]] == "port" else "terminal"
        out.append(
            {
                "id": leg.element_id,
                "kind": kind,
                "capacity_teu_per_year": cap,
                "flow_teu_per_year": flows.get(key, 0.0),
                "utilisation": flows.get(key, 0.0) / cap,
            }
        )
    out.sort(key=lambda b: -b["utilisation"])
    return out


def utilisation_table(
    g: CompiledNetwork, flows: dict[tuple[str, int, int], float]
) -> list[dict[str, Any]]:
    """Every capacity-limited element that carries demand, most utilised first.

    Links, borders and services are listed per direction (``from`` → ``to``).
    """
    terminals = g.network.terminals
    out: list[dict[str, Any]] = []
    for key, flow in flows.items():
        kind, row, edge = key
        if flow <= 0:
            continue
        if kind == "terminal":
            t = terminals.iloc[row]
            cap = float(t["capacity_teu_per_year"])
            rec = {
                "id": t["id"],
                "kind": "port" if t["kind"] == "port" else "terminal",
                "from": t["node"],
                "to": t["node"],
            }
        else:
            cap = float(g.capacity_teu_per_year[edge])
            rec = {
                "id": g.element_id(edge),
                "kind": kind,
                "from": g.node_ids[int(g.vertex_node[g.tail[edge]])],
                "to": g.node_ids[int(g.vertex_node[g.head[edge]])],
            }
        if not np.isfinite(cap) or cap <= 0:
            continue
        rec.update(capacity_teu_per_year=cap, flow_teu_per_year=flow, utilisation=flow / cap)
        out.append(rec)
    out.sort(key=lambda r: -r["utilisation"])
    return out


def service_flows(g: CompiledNetwork, edge_flow: npt.NDArray[np.float64]) -> dict[str, float]:
    """Flow per service id in its busier direction (TEU a year)."""
    out: dict[str, float] = {}
    for e in np.flatnonzero(g.kind == EDGE_KINDS.index("service")):
        sid = g.element_id(int(e))
        out[sid] = max(out.get(sid, 0.0), float(edge_flow[e]))
    return out
