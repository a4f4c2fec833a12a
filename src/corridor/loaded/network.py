"""The loaded network: one scenario's demand settled on its capacities, read by every consumer."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from corridor.capacity.delay import DelayCurves
from corridor.capacity.elements import Capacities
from corridor.graph.compiled import CompiledNetwork, compile_network
from corridor.loaded.segments import Segment
from corridor.model.network import Network
from corridor.paths.routes import Route, corridor_constraints
from corridor.paths.search import Constraints

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class SegmentFlow:
    """Where one segment's demand went: paths with their volumes, and what stayed behind.

    ``paths`` holds ``(edges, volume)`` in the segment's unit. ``unserved`` is
    the volume no open route could carry, ``refused_by`` the element ids that
    were full on the route it would have taken (empty when no route is open in
    the segment's choice set), and ``reason`` says which.
    """

    segment: Segment
    paths: tuple[tuple[tuple[int, ...], float], ...]
    unserved: float
    refused_by: tuple[str, ...]
    reason: str


@dataclass(frozen=True, eq=False)
class LoadedNetwork:
    """One scenario and its demand at the fixed point of loads and waits.

    ``graph`` carries the loaded waits (``hours_waiting``), so a route found on
    it has the times every other consumer sees. Element flows never exceed
    capacities; demand that could not be carried is in :attr:`unrouted`.
    ``relative_gap`` measures how far the routes are from equilibrium: the
    flow-weighted cost that flow could save by moving to the cheapest route
    that still has room, over the flow-weighted cost of the routes used
    (flow kept off a cheaper route by a full element counts as settled).
    ``settled`` says whether the last of the ``sweeps`` moved no flow (the
    fixed point of :func:`~corridor.loaded.prepare.prepare`'s sweeps).
    ``base`` is the network before the scenario's changes (``None``: not
    recorded), by which a corridor no route satisfies is told closed (the
    scenario cut it) from not applicable (it never connects the pair).
    """

    scenario: str
    growth: float
    network: Network = field(repr=False)
    graph: CompiledNetwork = field(repr=False)
    capacities: Capacities = field(repr=False)
    curves: DelayCurves = field(repr=False)
    edge_flow_teu: FloatArray = field(repr=False)
    edge_flow_t: FloatArray = field(repr=False)
    element_teu: FloatArray = field(repr=False)
    element_t: FloatArray = field(repr=False)
    element_box_teu: FloatArray = field(repr=False)
    element_bulk_t: FloatArray = field(repr=False)
    flows: tuple[SegmentFlow, ...] = field(repr=False)
    relative_gap: float
    sweeps: int
    settled: bool = False
    base: Network | None = field(default=None, repr=False)

    @cached_property
    def base_graph(self) -> CompiledNetwork | None:
        """:attr:`base` compiled without loads; ``None`` if the scenario changed nothing."""
        if self.base is None or self.base is self.network:
            return None
        return compile_network(self.base)

    @property
    def utilisation(self) -> FloatArray:
        """Per capacity element, the share of its capacity used (``capacity.elements``)."""
        return self.capacities.utilisation(*self.element_flows)

    @property
    def element_flows(self) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Per element: TEU and tonnes of all flows, TEU of containers, tonnes of bulk."""
        return self.element_teu, self.element_t, self.element_box_teu, self.element_bulk_t

    @cached_property
    def _names(self) -> dict[str, str]:
        """Plain name of every link, border, service and terminal id (JSON ``name``)."""
        return element_names(self.network)

    def capacity_table(self) -> list[dict[str, Any]]:
        """Every capacity-limited element carrying demand, most utilised first."""
        caps = self.capacities
        names = self._names
        limited = caps.limited()
        carrying = (self.element_teu > 0) | (self.element_t > 0)
        out = [
            caps.record(int(i), self.element_flows, names)
            for i in np.flatnonzero(limited & carrying)
        ]
        out.sort(key=lambda r: -r["utilisation"])
        return out

    def bottlenecks(self, r: Route) -> list[dict[str, Any]]:
        """The capacity-limited elements of a route, most utilised first (JSON contract)."""
        caps = self.capacities
        names = self._names
        limited = caps.limited()
        seen: set[int] = set()
        out = []
        for e in r.edges:
            i = int(caps.element_of[e])
            if i < 0 or i in seen or not limited[i]:
                continue
            seen.add(i)
            out.append(caps.record(i, self.element_flows, names))
        out.sort(key=lambda b: -b["utilisation"])
        return out

    def unrouted(self) -> list[dict[str, Any]]:
        """Demand that could not be carried, with the element that refused it and why."""
        out = []
        for f in self.flows:
            if f.unserved <= 0:
                continue
            s = f.segment
            out.append(
                {
                    "segment": s.name,
                    "demand_ids": list(s.demand_ids),
                    "origin": s.origin,
                    "destination": s.destination,
                    "commodity": s.commodity,
                    "corridor": s.corridor,
                    "volume_per_year": f.unserved,
                    "unit": s.unit,
                    "share_of_demand": f.unserved / s.volume if s.volume > 0 else 0.0,
                    "teu_per_year": f.unserved * s.teu_per_unit,
                    "t_per_year": f.unserved * s.t_per_unit,
                    "refused_by": list(f.refused_by),
                    "reason": f.reason,
                }
            )
        return out

    def corridor_of(self, edges: tuple[int, ...], prefer: str | None = None) -> str:
        """The corridor a path belongs to: ``prefer`` if the path satisfies it, else the
        first corridor of the dataset's table whose definition it satisfies.

        Corridors overlap (``middle`` contains ``middle_btk``); one answer per
        path counts every path once, so shares over corridors sum to one.
        """
        g = self.graph
        idx: list[int] = []
        for e in edges:
            for v in (g.tail[e], g.head[e]):
                i = int(g.vertex_node[v])
                if not idx or idx[-1] != i:
                    idx.append(i)
        nodes = [g.node_ids[i] for i in idx]
        countries = {g.node_country[i] for i in idx}
        definitions = sorted(self._corridors, key=lambda d: d[0] != prefer)
        for name, c in definitions:
            if countries & c.avoid_countries or set(nodes) & c.avoid_nodes:
                continue
            pos = 0
            ok = True
            for group in c.via:
                while pos < len(nodes) and nodes[pos] not in group:
                    pos += 1
                if pos == len(nodes):
                    ok = False
                    break
            if ok:
                return name
        return "other"

    @cached_property
    def _corridors(self) -> tuple[tuple[str, Constraints], ...]:
        """Every corridor of the dataset's table, in order, with its constraints."""
        return tuple(
            (str(c), corridor_constraints(self.network, str(c)))
            for c in self.network.corridors["id"]
        )

    @cached_property
    def _path_corridors(self) -> tuple[tuple[str, ...], ...]:
        """Per segment flow, the corridor of each of its paths (:meth:`corridor_of`)."""
        return tuple(
            tuple(self.corridor_of(edges, prefer=f.segment.corridor) for edges, _ in f.paths)
            for f in self.flows
        )

    def corridor_volumes(self, commodity: str = "containers") -> dict[str, float]:
        """Yearly volume of ``commodity`` carried per corridor, each path counted once."""
        out: dict[str, float] = {}
        for f, names in zip(self.flows, self._path_corridors, strict=True):
            if f.segment.commodity != commodity:
                continue
            for (_, volume), name in zip(f.paths, names, strict=True):
                out[name] = out.get(name, 0.0) + volume
        return out

    def segment_table(self) -> list[dict[str, Any]]:
        """Per shipper segment: its observed corridor, and where its demand went (its unit)."""
        out = []
        for f, names in zip(self.flows, self._path_corridors, strict=True):
            s = f.segment
            carried: dict[str, float] = {}
            for (_, volume), name in zip(f.paths, names, strict=True):
                carried[name] = carried.get(name, 0.0) + volume
            out.append(
                {
                    "segment": s.name,
                    "commodity": s.commodity,
                    "origin": s.origin,
                    "destination": s.destination,
                    "observed_corridor": s.corridor,
                    "unit": s.unit,
                    "demand_per_year": s.volume,
                    "carried_per_year_by_corridor": carried,
                    "unserved_per_year": f.unserved,
                }
            )
        return out

    @cached_property
    def generalised_cost_usd(self) -> float:
        """Yearly generalised cost of all carried demand: per segment, its paths'
        money plus value of time × hours at the loaded waits, per FEU (``volume ×
        teu_per_unit / 2``). :attr:`relative_gap` times this is what flow could
        still save by moving, in USD a year."""
        g = self.graph
        hours = g.hours_moving + g.hours_waiting
        total = 0.0
        for f in self.flows:
            s = f.segment
            per_feu = g.cost_usd + s.value_of_time * hours
            carried = sum(v * float(per_feu[list(edges)].sum()) for edges, v in f.paths)
            total += carried * s.teu_per_unit / 2.0
        return total

    def summary(self, commodity: str = "containers") -> dict[str, Any]:
        """JSON-ready summary of the fixed point: gap, corridor shares, top capacities."""
        volumes = self.corridor_volumes(commodity)
        carried = sum(volumes.values())
        demand = sum(f.segment.volume for f in self.flows if f.segment.commodity == commodity)
        return {
            "scenario": self.scenario,
            "demand_growth": self.growth,
            "relative_gap": self.relative_gap,
            "sweeps": self.sweeps,
            "commodity": commodity,
            "demand_per_year": demand,
            "carried_per_year": carried,
            "corridor_volume_per_year": volumes,
            "corridor_shares": {k: v / carried for k, v in volumes.items()} if carried else {},
            "unrouted": [u for u in self.unrouted() if u["commodity"] == commodity],
            "segments": self.segment_table(),
        }


#: Words for link modes and terminal kinds in plain element names.
_MODE_WORDS = {"rail_1435": "rail", "rail_1520": "rail", "inland_water": "river"}


def element_names(network: Any) -> dict[str, str]:
    """Plain name of every link, border, service and terminal id of ``network``.

    Borders and services have a ``name`` column; a link is named by its ends
    and mode (``Aktogay–Moyinty rail``), a terminal by its place and kind
    (``Alat port``).
    """
    nodes = network.nodes
    place = dict(zip(nodes["id"], nodes["name"], strict=True))
    out: dict[str, str] = {}
    for table in ("borders", "services"):
        t = network.tables[table]
        out.update(zip(t["id"], t["name"] if "name" in t else t["id"], strict=True))
    links = network.links
    for i, a, b, mode in zip(links["id"], links["from"], links["to"], links["mode"], strict=True):
        word = _MODE_WORDS.get(str(mode), str(mode).replace("_", " "))
        out[i] = f"{place.get(a, a)}–{place.get(b, b)} {word}"
    terms = network.terminals
    for i, node, kind in zip(terms["id"], terms["node"], terms["kind"], strict=True):
        name, word = str(place.get(node, node)), str(kind).replace("_", " ")
        out[i] = name if word.lower() in name.lower() else f"{name} {word}"
    return out
