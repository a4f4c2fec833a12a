"""Compile a :class:`~corridor.model.network.Network` into CSR arrays.

Vertices: one *gate* per node (origin/destination only, never passed through;
vertices ``0 .. n_gates-1`` in node order), then one *platform* per (node, mode)
in use. Edges:

======== ===================================================================
kind     meaning
======== ===================================================================
link     line-haul on one mode between two nodes
border   a border crossing, possibly with a gauge change (from/to modes differ)
service  a ship service: wait for a departure + crossing
transfer a change of mode at a terminal (port handling, transshipment)
access   loading at the origin terminal (gate → platform)
egress   unloading at the destination terminal (platform → gate)
======== ===================================================================

so one shortest path is the whole door-to-door chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt

from corridor.graph import services as svc
from corridor.graph.structures import NO_EFFECT, link_effects, scaled_capacity
from corridor.graph.weather import link_weather, service_weather, storm_wait_h
from corridor.model.network import Network, split_list
from corridor.model.schema import MODES

EDGE_KINDS = ("link", "border", "service", "transfer", "access", "egress")
#: Component table behind each edge kind (transfer/access/egress: terminals).
EDGE_TABLE = ("links", "borders", "services", "terminals", "terminals", "terminals")
#: Dwell CV on line-haul (moving) time: trains and ships keep to their speeds.
MOVING_CV = 0.05
#: CV of technical stops on a line (crew/locomotive changes): an estimate; they
#: are frequent and short, so their total varies less than a border's dwell.
STOP_CV = 0.3


@dataclass(frozen=True, eq=False)
class CompiledNetwork:
    """CSR arrays of the door-to-door graph (see module docs). Read-only by convention."""

    network: Network = field(repr=False)
    n_gates: int
    vertex_node: npt.NDArray[np.int32]
    vertex_mode: npt.NDArray[np.int8]
    indptr: npt.NDArray[np.int64]
    tail: npt.NDArray[np.int32]
    head: npt.NDArray[np.int32]
    kind: npt.NDArray[np.int8]
    mode: npt.NDArray[np.int8]
    element: npt.NDArray[np.int32]
    length_km: npt.NDArray[np.float64]
    hours_moving: npt.NDArray[np.float64]
    hours_waiting: npt.NDArray[np.float64]
    hours_waiting_cv: npt.NDArray[np.float64]
    cost_usd: npt.NDArray[np.float64]
    capacity_teu_per_year: npt.NDArray[np.float64]
    capacity_t_per_year: npt.NDArray[np.float64]
    node_ids: tuple[str, ...]
    node_country: tuple[str, ...]

    @property
    def n_vertices(self) -> int:
        """Number of vertices (gates + platforms)."""
        return int(self.vertex_node.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return int(self.head.shape[0])

    def gate(self, node_id: str) -> int:
        """Vertex index of a node's gate."""
        self.network.require_node(node_id)
        return self._gate_of[node_id]

    @cached_property
    def _gate_of(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.node_ids)}

    def element_id(self, edge: int) -> str:
        """Id of the table row behind an edge ('' if none)."""
        return self.element_ids[edge]

    @cached_property
    def element_ids(self) -> tuple[str, ...]:
        """Id of the table row behind each edge ('' if none)."""
        ids = {name: list(self.network.tables[name]["id"]) for name in set(EDGE_TABLE)}
        return tuple(
            ids[EDGE_TABLE[k]][row] if row >= 0 else ""
            for k, row in zip(self.kind.tolist(), self.element.tolist(), strict=True)
        )

    @cached_property
    def vertex_country(self) -> tuple[str, ...]:
        """ISO code of each vertex's node."""
        return tuple(self.node_country[n] for n in self.vertex_node.tolist())

    def hours(self) -> npt.NDArray[np.float64]:
        """Mean hours per edge (moving + waiting)."""
        return self.hours_moving + self.hours_waiting

    def generalised_cost(self, value_of_time_usd_per_h: float) -> npt.NDArray[np.float64]:
        """Money + value of time × hours, per FEU and edge."""
        return self.cost_usd + value_of_time_usd_per_h * self.hours()


class _Builder:
    """Collects vertices and edges before they are sorted into CSR."""

    def __init__(self, network: Network) -> None:
        self.node_ids = tuple(network.nodes["id"])
        self.node_pos = {n: i for i, n in enumerate(self.node_ids)}
        self.vertex_node = list(range(len(self.node_ids)))
        self.vertex_mode = [-1] * len(self.node_ids)
        self.platforms: dict[tuple[int, int], int] = {}
        self.cols: dict[str, list[float]] = {
            k: []
            for k in (
                "tail",
                "head",
                "kind",
                "mode",
                "element",
                "length_km",
                "hours_moving",
                "hours_waiting",
                "hours_waiting_cv",
                "cost_usd",
                "capacity_teu_per_year",
                "capacity_t_per_year",
            )
        }

    def platform(self, node: str, mode: str) -> int:
        key = (self.node_pos[node], MODES.index(mode))
        if key not in self.platforms:
            self.platforms[key] = len(self.vertex_node)
            self.vertex_node.append(key[0])
            self.vertex_mode.append(key[1])
        return self.platforms[key]

    def edge(
        self, tail: int, head: int, kind: str, mode: str, element: int, **values: float
    ) -> None:
        c = self.cols
        c["tail"].append(tail)
        c["head"].append(head)
        c["kind"].append(EDGE_KINDS.index(kind))
        c["mode"].append(MODES.index(mode))
        c["element"].append(element)
        for name in (
            "length_km",
            "hours_moving",
            "hours_waiting",
            "hours_waiting_cv",
            "cost_usd",
        ):
            c[name].append(values.get(name, 0.0))
        c["capacity_teu_per_year"].append(values.get("capacity_teu_per_year", np.inf))
        c["capacity_t_per_year"].append(values.get("capacity_t_per_year", np.inf))


def compile_network(network: Network) -> CompiledNetwork:
    """Compile a network into CSR arrays, with the waits of an unloaded network.

    Dwell inputs go in as given; a ship service's wait is that of a half-full
    service. These are placeholders: the loaded network
    (:func:`corridor.loaded.prepare.prepare` and its base-year calibration,
    the only callers) replaces
    every wait by the delay curves at its loads.

    Parameters
    ----------
    network
        The validated tables.

    Examples
    --------
    >>> from corridor import load_network
    >>> g = compile_network(load_network())
    >>> g.n_gates == len(g.network.nodes)
    True
    """
    b = _Builder(network)
    speed_factor = dict(
        zip(network.conditions["condition"], network.conditions["speed_factor"], strict=True)
    )

    # bridges, tunnels and passes: slower sections, closures, load limits
    # and weather: the expected wait for snow closures on roads (graph.weather)
    effects = link_effects(network)
    snow = link_weather(network)
    for row, r in enumerate(network.links.itertuples()):
        speed = r.speed_kmh * speed_factor.get(r.condition, 1.0)
        fx = effects.get(r.id, NO_EFFECT)
        w = snow.get(r.id)
        weather_h, weather_var = (w.expected_h, w.variance_h2) if w is not None else (0.0, 0.0)
        stops = r.stop_h_per_1000km * r.length_km / 1000.0
        waiting = stops + fx.expected_h + weather_h
        sd = math.sqrt((STOP_CV * stops) ** 2 + fx.variance_h2 + weather_var)
        plain = (fx.expected_h == 0 and fx.variance_h2 == 0 and w is None) or waiting <= 0
        values = {
            "length_km": r.length_km,
            "hours_moving": r.length_km / speed + fx.extra_moving_h if speed > 0 else np.inf,
            "hours_waiting": waiting,
            "hours_waiting_cv": STOP_CV if plain else sd / waiting,
            "cost_usd": r.tariff_usd_per_feu_km * r.length_km,
            "capacity_teu_per_year": scaled_capacity(r.capacity_teu_per_year, fx.capacity_factor),
            "capacity_t_per_year": scaled_capacity(r.capacity_t_per_year, fx.capacity_factor),
        }
        ends = [(r[1], r[2])] + ([(r[2], r[1])] if r.bidirectional else [])
        for a, z in ends:
            b.edge(b.platform(a, r.mode), b.platform(z, r.mode), "link", r.mode, row, **values)

    for row, r in enumerate(network.borders.itertuples()):
        values = {
            "hours_waiting": r.dwell_h,
            "hours_waiting_cv": r.dwell_cv,
            "cost_usd": r.fee_usd_per_feu,
            "capacity_teu_per_year": r.capacity_teu_per_year,
            "capacity_t_per_year": r.capacity_t_per_year,
        }
        frm, to = r[2], r[3]
        b.edge(
            b.platform(frm, r.from_mode),
            b.platform(to, r.to_mode),
            "border",
            r.to_mode,
            row,
            **values,
        )
        if r.bidirectional:
            b.edge(
                b.platform(to, r.to_mode),
                b.platform(frm, r.from_mode),
                "border",
                r.from_mode,
                row,
                **values,
            )

    storms = service_weather(network)
    for row, r in enumerate(network.services.itertuples()):
        cap = svc.capacity_teu_per_year(
            r.vessels, r.teu_per_sailing, r.load_factor, r.crossing_h, r.port_turnaround_h
        )
        wait = svc.expected_wait(
            policy=r.policy,
            vessels=r.vessels,
            teu_per_sailing=r.teu_per_sailing,
            load_factor=r.load_factor,
            crossing_h=r.crossing_h,
            port_turnaround_h=r.port_turnaround_h,
            headway_h=r.headway_h,
            max_wait_h=r.max_wait_h,
            flow_teu_per_year=0.5 * cap,
        )
        values = {
            "length_km": r.distance_km,
            "hours_moving": r.crossing_h,
            "hours_waiting": wait.mean_h + storm_wait_h(storms.get(r.id)),
            "hours_waiting_cv": wait.cv,
            "cost_usd": r.tariff_usd_per_feu,
            "capacity_teu_per_year": cap,
            # bulk is limited in tonnes where the dataset states tonnes per sailing
            "capacity_t_per_year": svc.capacity_teu_per_year(
                r.vessels,
                r.capacity_t_per_sailing,
                r.load_factor,
                r.crossing_h,
                r.port_turnaround_h,
            )
            if math.isfinite(r.capacity_t_per_sailing)
            else np.inf,
        }
        frm, to = r[2], r[3]
        b.edge(b.platform(frm, r.mode), b.platform(to, r.mode), "service", r.mode, row, **values)
        if r.bidirectional:
            b.edge(
                b.platform(to, r.mode), b.platform(frm, r.mode), "service", r.mode, row, **values
            )

    has_terminal: set[int] = set()
    for row, r in enumerate(network.terminals.itertuples()):
        modes = split_list(r.modes)
        node = r.node
        has_terminal.add(b.node_pos[node])
        values = {
            "hours_waiting": r.handling_h,
            "hours_waiting_cv": r.handling_cv,
            "cost_usd": r.fee_usd_per_feu,
            "capacity_teu_per_year": r.capacity_teu_per_year,
            "capacity_t_per_year": r.capacity_t_per_year,
        }
        gate = b.node_pos[node]
        for m in modes:
            p = b.platform(node, m)
            b.edge(gate, p, "access", m, row, **values)
            b.edge(p, gate, "egress", m, row, **values)
            for m2 in modes:
                if m2 != m:
                    b.edge(p, b.platform(node, m2), "transfer", m2, row, **values)

    # Places without a terminal (junctions, waypoints) can still start or end a
    # route on whatever mode passes them, at no handling time or cost.
    for (node_pos, mode_idx), p in list(b.platforms.items()):
        if node_pos not in has_terminal:
            mode = MODES[mode_idx]
            b.edge(node_pos, p, "access", mode, -1)
            b.edge(p, node_pos, "egress", mode, -1)

    return _to_csr(network, b)


def _to_csr(network: Network, b: _Builder) -> CompiledNetwork:
    tail = np.asarray(b.cols["tail"], dtype=np.int32)
    order = np.argsort(tail, kind="stable")
    n = len(b.vertex_node)
    counts = np.bincount(tail, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])

    def col(name: str, dtype: type) -> npt.NDArray[np.generic]:
        return np.ascontiguousarray(np.asarray(b.cols[name], dtype=dtype)[order])

    countries = dict(zip(network.nodes["id"], network.nodes["country"], strict=True))
    return CompiledNetwork(
        network=network,
        n_gates=len(b.node_ids),
        vertex_node=np.asarray(b.vertex_node, dtype=np.int32),
        vertex_mode=np.asarray(b.vertex_mode, dtype=np.int8),
        indptr=indptr,
        tail=col("tail", np.int32),  # type: ignore[arg-type]
        head=col("head", np.int32),  # type: ignore[arg-type]
        kind=col("kind", np.int8),  # type: ignore[arg-type]
        mode=col("mode", np.int8),  # type: ignore[arg-type]
        element=col("element", np.int32),  # type: ignore[arg-type]
        length_km=col("length_km", np.float64),  # type: ignore[arg-type]
        hours_moving=col("hours_moving", np.float64),  # type: ignore[arg-type]
        hours_waiting=col("hours_waiting", np.float64),  # type: ignore[arg-type]
        hours_waiting_cv=col("hours_waiting_cv", np.float64),  # type: ignore[arg-type]
        cost_usd=col("cost_usd", np.float64),  # type: ignore[arg-type]
        capacity_teu_per_year=col("capacity_teu_per_year", np.float64),  # type: ignore[arg-type]
        capacity_t_per_year=col("capacity_t_per_year", np.float64),  # type: ignore[arg-type]
        node_ids=b.node_ids,
        node_country=tuple(countries[n] for n in b.node_ids),
    )
