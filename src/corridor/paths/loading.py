"""All-or-nothing loading of yearly demand and the utilisation of capacities.

Each demand row is routed on its observed corridor (or, with no corridor, on
the least generalised-cost route) and its volume, in TEU-equivalents and in
tonnes, is added to every edge of that route. Terminal capacity is shared by all the terminal's
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
    """Edge flows (TEU-equivalents and tonnes a year) and the routes the demand took."""

    edge_flow_teu: npt.NDArray[np.float64]
    edge_flow_t: npt.NDArray[np.float64]
    routed: tuple[tuple[str, Route], ...]
    unrouted: tuple[str, ...]


@dataclass(frozen=True)
class Load:
    """Yearly flow through one capacity, in both units it may be limited by."""

    teu: float
    t: float


def teu_per_year(volume: float, unit: str, tonnes_per_teu: float) -> float:
    """Convert a yearly volume in the commodity's unit to TEU-equivalents."""
    return volume if unit == "teu" else volume / tonnes_per_teu


def tonnes_per_year(volume: float, unit: str, tonnes_per_teu: float) -> float:
    """Convert a yearly volume in the commodity's unit to tonnes."""
    return volume * tonnes_per_teu if unit == "teu" else volume


def load_demand(g: CompiledNetwork, *, growth: float = 1.0) -> Loading:
    """Route every demand row of the network and add its TEU and tonnes to its edges."""
    net = g.network
    com = net.commodities.set_index("id")
    flow = np.zeros(g.n_edges)
    flow_t = np.zeros(g.n_edges)
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
        edges = list(r.edges)
        flow[edges] += growth * teu_per_year(d.volume_per_year, c["unit"], c["tonnes_per_teu"])
        flow_t[edges] += growth * tonnes_per_year(d.volume_per_year, c["unit"], c["tonnes_per_teu"])
        routed.append((d.id, r))
    return Loading(
        edge_flow_teu=flow, edge_flow_t=flow_t, routed=tuple(routed), unrouted=tuple(unrouted)
    )


def element_key(g: CompiledNetwork, edge: int) -> tuple[str, int, int]:
    """Key of the capacity an edge uses: terminals are shared, others per direction."""
    kind = EDGE_KINDS[int(g.kind[edge])]
    if kind in _TERMINAL_KINDS:
        return ("terminal", int(g.element[edge]), -1)
    return (kind, int(g.element[edge]), edge)


def element_flows(g: CompiledNetwork, loading: Loading) -> dict[tuple[str, int, int], Load]:
    """Yearly TEU and tonnes through each capacity (see :func:`element_key`)."""
    teu: dict[tuple[str, int, int], float] = {}
    t: dict[tuple[str, int, int], float] = {}
    for e in np.flatnonzero(g.element >= 0):
        key = element_key(g, int(e))
        teu[key] = teu.get(key, 0.0) + float(loading.edge_flow_teu[e])
        t[key] = t.get(key, 0.0) + float(loading.edge_flow_t[e])
    return {key: Load(teu[key], t[key]) for key in teu}


def _usage(cap_teu: float, cap_t: float, load: Load) -> dict[str, Any] | None:
    """Capacity fields of a record, or None when neither capacity is finite."""
    finite_teu = bool(np.isfinite(cap_teu) and cap_teu > 0)
    finite_t = bool(np.isfinite(cap_t) and cap_t > 0)
    if not (finite_teu or finite_t):
        return None
    u_teu = load.teu / cap_teu if finite_teu else 0.0
    u_t = load.t / cap_t if finite_t else 0.0
    return {
        "capacity_teu_per_year": cap_teu if finite_teu else None,
        "capacity_t_per_year": cap_t if finite_t else None,
        "flow_teu_per_year": load.teu,
        "flow_t_per_year": load.t,
        "utilisation": max(u_teu, u_t),
        "binding_unit": "t" if u_t > u_teu else "teu",
    }


def _describe(g: CompiledNetwork, key: tuple[str, int, int]) -> dict[str, Any]:
    kind, row, edge = key
    if kind == "terminal":
        t = g.network.terminals.iloc[row]
        return {
            "id": t["id"],
            "kind": "port" if t["kind"] == "port" else "terminal",
            "from": t["node"],
            "to": t["node"],
        }
    return {
        "id": g.element_id(edge),
        "kind": kind,
        "from": g.node_ids[int(g.vertex_node[g.tail[edge]])],
        "to": g.node_ids[int(g.vertex_node[g.head[edge]])],
    }


def bottlenecks(
    g: CompiledNetwork, r: Route, flows: dict[tuple[str, int, int], Load]
) -> list[dict[str, Any]]:
    """The route's capacity-limited elements, most utilised first (JSON contract).

    Utilisation is the larger of flow/capacity in TEU and in tonnes.
    """
    seen = set()
    out: list[dict[str, Any]] = []
    for leg in r.legs:
        key = element_key(g, leg.edge)
        if key in seen:
            continue
        seen.add(key)
        usage = _usage(
            leg.capacity_teu_per_year,
            float(g.capacity_t_per_year[leg.edge]),
            flows.get(key, Load(0.0, 0.0)),
        )
        if usage is not None:
            rec = _describe(g, key)
            rec["id"] = leg.element_id
            out.append({**rec, **usage})
    out.sort(key=lambda b: -b["utilisation"])
    return out


def utilisation_table(
    g: CompiledNetwork, flows: dict[tuple[str, int, int], Load]
) -> list[dict[str, Any]]:
    """Every capacity-limited element that carries demand, most utilised first.

    Links, borders and services are listed per direction (``from`` → ``to``).
    """
    edge_of: dict[tuple[str, int, int], int] = {}
    for edge in np.flatnonzero(g.element >= 0).tolist():
        edge_of.setdefault(element_key(g, edge), edge)
    out: list[dict[str, Any]] = []
    for key, load in flows.items():
        if load.teu <= 0 and load.t <= 0:
            continue
        e = edge_of[key]
        usage = _usage(float(g.capacity_teu_per_year[e]), float(g.capacity_t_per_year[e]), load)
        if usage is not None:
            out.append({**_describe(g, key), **usage})
    out.sort(key=lambda r: -r["utilisation"])
    return out


def service_flows(g: CompiledNetwork, edge_flow: npt.NDArray[np.float64]) -> dict[str, float]:
    """Flow per service id in its busier direction (TEU a year)."""
    out: dict[str, float] = {}
    for e in np.flatnonzero(g.kind == EDGE_KINDS.index("service")):
        sid = g.element_id(int(e))
        out[sid] = max(out.get(sid, 0.0), float(edge_flow[e]))
    return out
