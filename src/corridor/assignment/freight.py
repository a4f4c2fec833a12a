"""Equilibrium freight assignment on the compiled Eurasian network.

:func:`corridor_graph` turns a :class:`~corridor.graph.compiled.CompiledNetwork`
into an :class:`AssignmentGraph` in hours and TEU a year: gates are zones that
no route passes through (``first_thru = n_gates``); line-haul links congest by
BPR; borders, ship services and terminals by the queue delay of
:mod:`corridor.assignment.vdf`, the edges of one terminal sharing its capacity.
:func:`equilibrium` loads the dataset's yearly demand (one traffic class per
commodity, with its value of time and allowed modes) to user equilibrium and
reports capacities, corridor volumes and OD times; :func:`growth_sweep` repeats
it for growing demand and names the first capacity to bind.

Generalised cost of a class = hours x value of time + money (USD per FEU); the
engine works in the equivalent hours + money / value of time.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from corridor.assignment.classes import TrafficClass
from corridor.assignment.engine import assign
from corridor.assignment.graph import VDF_BPR, VDF_QUEUE, AssignmentGraph, build_graph
from corridor.assignment.kernels import shortest_path_tree
from corridor.assignment.result import AssignmentResult
from corridor.assignment.segments import Segment, shipper_segments
from corridor.assignment.vdf import queue_parameters
from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork, compile_network
from corridor.model.network import Network, split_list
from corridor.model.schema import MODES
from corridor.paths.loading import teu_per_year

__all__ = [
    "CorridorEquilibrium",
    "FreightParameters",
    "GrowthSweep",
    "corridor_graph",
    "equilibrium",
    "equilibrium_report",
    "growth_sweep",
    "plot_growth_sweep",
]

FloatArray = NDArray[np.float64]
_LINK = EDGE_KINDS.index("link")
_TERMINAL_KINDS = tuple(EDGE_KINDS.index(k) for k in ("transfer", "access", "egress"))


@dataclass(frozen=True)
class FreightParameters:
    """Congestion settings of the corridor graph.

    Parameters
    ----------
    bpr_alpha, bpr_beta
        BPR on line-haul links with a finite capacity: ``t0 (1 + alpha (v/c)^beta)``.
    servers
        Parallel servers assumed at borders, services and terminals (queue shape).
    service_time_factor
        Service time of the queue = this x the element's base dwell (``hours_waiting``
        of the dataset), so the queue adds ``dwell x rho / (1 - rho)`` for one
        server at M/M/1 variability. An element without dwell does not congest.
    ca2, cs2
        Squared coefficients of variation of arrivals and service (Kingman).
    binding_utilisation
        Utilisation from which a capacity counts as binding (0.9: the M/M/1
        queue is then 9 service times long).
    value_of_time_factor
        Multiplies every value of time (a sensitivity knob).
    segments
        One traffic class per observed flow, with the choice set of its corridor
        and the value of time its 2024 choice reveals
        (:mod:`corridor.assignment.segments`); ``False``: one class per
        commodity with the commodity's value of time and free choice.
    """

    bpr_alpha: float = 0.15
    bpr_beta: float = 4.0
    servers: float = 1.0
    service_time_factor: float = 1.0
    ca2: float = 1.0
    cs2: float = 1.0
    binding_utilisation: float = 0.9
    value_of_time_factor: float = 1.0
    segments: bool = True


def _tonnes_per_teu_on_mode(network: Network) -> dict[int, float]:
    """Largest tonnes per TEU among the commodities allowed on each mode."""
    out: dict[int, float] = {}
    for r in network.commodities.itertuples(index=False):
        for mode in split_list(r.modes):
            m = MODES.index(mode)
            out[m] = max(out.get(m, 0.0), float(r.tonnes_per_teu))
    return out


def corridor_graph(
    compiled: CompiledNetwork, params: FreightParameters | None = None
) -> AssignmentGraph:
    """Assignment graph (hours, TEU a year) of a compiled network.

    Parameters
    ----------
    compiled
        From :func:`corridor.graph.compiled.compile_network`.
    params
        Congestion settings (defaults: :class:`FreightParameters`).

    Returns
    -------
    AssignmentGraph
        Same vertices and edges as ``compiled`` (source order = compiled edge
        order); zones are the gates. Free-flow time = ``hours_moving +
        hours_waiting``; edges with infinite time get time 0 and must be masked
        (as :func:`commodity_classes` does). A capacity in tonnes becomes TEU with
        the largest ``tonnes_per_teu`` of the commodities allowed on the mode.

    Examples
    --------
    >>> from corridor import load_network
    >>> from corridor.graph.compiled import compile_network
    >>> c = compile_network(load_network())
    >>> g = corridor_graph(c)
    >>> (g.n_zones, g.first_thru, g.n_links) == (c.n_gates, c.n_gates, c.n_edges)
    True
    """
    p = params or FreightParameters()
    m = compiled.n_edges
    hours = compiled.hours_moving + compiled.hours_waiting
    fft = np.where(np.isfinite(hours), hours, 0.0)
    per_mode = _tonnes_per_teu_on_mode(compiled.network)
    t_per_teu = np.array([per_mode.get(int(x), math.inf) for x in compiled.mode])
    cap = np.minimum(compiled.capacity_teu_per_year, compiled.capacity_t_per_year / t_per_teu)
    cap = np.where(cap > 0, cap, np.inf)  # 0 means "not given" here, not "closed"
    is_link = compiled.kind == _LINK
    alpha = np.zeros(m)
    beta = np.zeros(m)
    vdf = np.where(is_link, VDF_BPR, VDF_QUEUE).astype(np.int8)
    finite = np.isfinite(cap)
    alpha[is_link & finite] = p.bpr_alpha
    beta[is_link & finite] = p.bpr_beta
    for e in np.flatnonzero(~is_link & finite):
        service = p.service_time_factor * float(compiled.hours_waiting[e])
        if service > 0 and math.isfinite(service):
            alpha[e], beta[e] = queue_parameters(p.servers, service, p.ca2, p.cs2)
    # a terminal's loading, unloading and transfer edges share its capacity
    group = np.arange(m, dtype=np.int64)
    terminal = np.isin(compiled.kind, _TERMINAL_KINDS) & (compiled.element >= 0)
    group[terminal] = m + compiled.element[terminal].astype(np.int64)
    return build_graph(
        n_nodes=compiled.n_vertices,
        n_zones=compiled.n_gates,
        first_thru=compiled.n_gates,
        tail=compiled.tail,
        head=compiled.head,
        free_flow_time=fft,
        capacity=cap,
        alpha=alpha,
        beta=beta,
        vdf=vdf,
        length=compiled.length_km,
        node_ids=np.arange(compiled.n_vertices),
        capacity_group=group,
        source="compiled network",
    )


def segment_classes(
    compiled: CompiledNetwork,
    *,
    growth: float = 1.0,
    value_of_time_factor: float = 1.0,
    segments: Sequence[Segment] | None = None,
) -> tuple[list[TrafficClass], list[str]]:
    """Traffic classes of :func:`~corridor.assignment.segments.shipper_segments`
    (computed here unless given, at growth 1), with the commodity of each class."""
    z = compiled.n_gates
    gate = {n: i for i, n in enumerate(compiled.node_ids)}
    classes, commodities = [], []
    for seg in shipper_segments(compiled) if segments is None else segments:
        demand = np.zeros((z, z))
        demand[gate[seg.origin], gate[seg.destination]] = growth * seg.teu_per_year
        classes.append(
            TrafficClass(
                name=seg.name,
                demand=demand,
                value_of_time=value_of_time_factor * seg.value_of_time,
                fixed_cost=compiled.cost_usd,
                link_mask=seg.link_mask,
            )
        )
        commodities.append(seg.commodity)
    return classes, commodities


def commodity_classes(
    compiled: CompiledNetwork, *, growth: float = 1.0, value_of_time_factor: float = 1.0
) -> list[TrafficClass]:
    """One traffic class per commodity with demand: TEU a year between gates.

    Each class has value of time ``value_of_time_usd_per_feu_h``, money cost
    ``cost_usd`` (per FEU) on every edge, and may use only edges of its modes
    with a finite time. Volumes in tonnes become TEU with ``tonnes_per_teu``.
    """
    net = compiled.network
    commodities = net.commodities.set_index("id")
    z = compiled.n_gates
    gate = {n: i for i, n in enumerate(compiled.node_ids)}
    usable = np.isfinite(compiled.hours_moving + compiled.hours_waiting)
    classes = []
    for commodity, rows in net.demand.groupby("commodity", sort=False):
        c = commodities.loc[commodity]
        demand = np.zeros((z, z))
        for r in rows.itertuples(index=False):
            teu = teu_per_year(r.volume_per_year, c["unit"], c["tonnes_per_teu"])
            demand[gate[r.origin], gate[r.destination]] += growth * teu
        modes = [MODES.index(x) for x in split_list(c["modes"])]
        classes.append(
            TrafficClass(
                name=str(commodity),
                demand=demand,
                value_of_time=value_of_time_factor * float(c["value_of_time_usd_per_feu_h"]),
                fixed_cost=compiled.cost_usd,
                link_mask=usable & np.isin(compiled.mode, modes),
            )
        )
    return classes


@dataclass(frozen=True, eq=False)
class CorridorEquilibrium:
    """Equilibrium of one demand level on the compiled network.

    ``capacities``: one record per capacity element with finite capacity (id,
    kind, from, to, capacity, flow, utilisation), most utilised first.
    ``corridor_teu``: TEU a year of ``commodity`` passing through each corridor's
    first ``via`` group (not starting or ending there; corridors with the same
    group are counted once, under the first listed). ``od``: per demand pair and
    commodity, the least generalised cost path's days, USD per FEU and km at
    equilibrium. ``unrouted``: demand with no path on its commodity's modes (left
    out of the assignment).
    """

    growth: float
    commodity: str
    result: AssignmentResult = field(repr=False)
    capacities: list[dict[str, Any]]
    corridor_teu: dict[str, float]
    demand_teu: float
    od: list[dict[str, Any]]
    unrouted: list[dict[str, Any]] = field(default_factory=list)

    @property
    def corridor_shares(self) -> dict[str, float]:
        """Share of ``commodity`` demand through each corridor."""
        total = self.demand_teu
        return {k: (v / total if total > 0 else 0.0) for k, v in self.corridor_teu.items()}

    @property
    def bottleneck(self) -> dict[str, Any] | None:
        """The most utilised capacity."""
        return self.capacities[0] if self.capacities else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "demand_growth": self.growth,
            "relative_gap": self.result.relative_gap,
            "iterations": self.result.iterations,
            "converged": self.result.converged,
            "commodity": self.commodity,
            "corridor_teu_per_year": self.corridor_teu,
            "corridor_shares": self.corridor_shares,
            "capacities": self.capacities,
            "od": self.od,
            "unrouted": self.unrouted,
        }


def _element(compiled: CompiledNetwork, e: int) -> dict[str, Any]:
    kind = EDGE_KINDS[int(compiled.kind[e])]
    frm = compiled.node_ids[int(compiled.vertex_node[compiled.tail[e]])]
    to = compiled.node_ids[int(compiled.vertex_node[compiled.head[e]])]
    if int(compiled.kind[e]) in _TERMINAL_KINDS:
        row = compiled.network.terminals.iloc[int(compiled.element[e])]
        kind = "port" if row["kind"] == "port" else "terminal"
        frm = to = row["node"]
    return {"id": compiled.element_id(e) or f"edge{e}", "kind": kind, "from": frm, "to": to}


def _capacities(
    compiled: CompiledNetwork, graph: AssignmentGraph, result: AssignmentResult
) -> list[dict[str, Any]]:
    cap = graph.to_source_order(graph.capacity)
    flow = result.group_flow()
    util = result.utilisation()
    group = graph.to_source_order(graph.group)
    seen: set[int] = set()
    out = []
    for e in np.flatnonzero(np.isfinite(cap)):
        if int(group[e]) in seen:
            continue
        seen.add(int(group[e]))
        rec = _element(compiled, int(e))
        rec.update(
            capacity_teu_per_year=float(cap[e]),
            flow_teu_per_year=float(flow[e]),
            utilisation=float(util[e]),
            hours=float(result.link_time[e]),
        )
        out.append(rec)
    out.sort(key=lambda r: -r["utilisation"])
    return out


def _screens(compiled: CompiledNetwork) -> dict[str, FloatArray]:
    """Per corridor, edge weights whose flow-weighted sum is the flow passing through
    its first via group: +1 on moving edges entering the group from another node,
    -1 on unloading (egress) edges at the group's nodes (flow that ends there)."""
    vn = compiled.vertex_node
    out: dict[str, FloatArray] = {}
    taken: set[frozenset[str]] = set()
    moving = ~np.isin(compiled.kind, _TERMINAL_KINDS)
    egress = compiled.kind == EDGE_KINDS.index("egress")
    for r in compiled.network.corridors.itertuples(index=False):
        groups = split_list(r.via)
        if not groups:
            continue
        nodes = frozenset(groups[0].split("|"))
        if nodes in taken:
            continue
        taken.add(nodes)
        idx = np.array([i for i, n in enumerate(compiled.node_ids) if n in nodes])
        at_head = np.isin(vn[compiled.head], idx)
        into = at_head & ~np.isin(vn[compiled.tail], idx) & moving
        ends = at_head & egress & (compiled.head < compiled.n_gates)
        out[str(r.id)] = into.astype(np.float64) - ends.astype(np.float64)
    return out


def _drop_unroutable(
    compiled: CompiledNetwork, graph: AssignmentGraph, classes: list[TrafficClass]
) -> list[dict[str, Any]]:
    """Zero (in place) demand that has no path on its class's links; list what was dropped."""
    dropped = []
    for cls in classes:
        assert cls.link_mask is not None
        cost = np.where(graph.from_source_order(cls.link_mask), graph.free_flow_time, np.inf)
        for o in np.flatnonzero(cls.demand.sum(axis=1)):
            dist, _ = shortest_path_tree(
                graph.indptr, graph.head, cost, int(o), first_thru=graph.first_thru
            )
            for d in np.flatnonzero((cls.demand[o] > 0) & ~np.isfinite(dist[: graph.n_zones])):
                dropped.append(
                    {
                        "origin": compiled.node_ids[o],
                        "destination": compiled.node_ids[d],
                        "commodity": cls.name.split("/")[0],
                        "class": cls.name,
                        "teu_per_year": float(cls.demand[o, d]),
                    }
                )
                cls.demand[o, d] = 0.0
    return dropped


def equilibrium(
    network: Network | CompiledNetwork,
    *,
    growth: float = 1.0,
    commodity: str = "containers",
    params: FreightParameters | None = None,
    rgap: float = 1e-4,
    max_iter: int = 500,
    graph: AssignmentGraph | None = None,
    segments: Sequence[Segment] | None = None,
) -> CorridorEquilibrium:
    """User equilibrium of the dataset's demand (times ``growth``) with congestion.

    Parameters
    ----------
    network
        A network (compiled here) or a compiled network.
    growth
        Factor on every demand row.
    commodity
        Commodity whose corridor volumes are reported.
    params
        Congestion settings.
    rgap, max_iter
        Convergence target and iteration cap of the assignment.
    graph
        A prebuilt :func:`corridor_graph` of the same compiled network (saves
        rebuilding it in a sweep).
    segments
        Precomputed :func:`~corridor.assignment.segments.shipper_segments` of
        the same compiled network (saves calibrating them again in a sweep).

    Returns
    -------
    CorridorEquilibrium

    Examples
    --------
    >>> from corridor import load_network
    >>> eq = equilibrium(load_network())
    >>> eq.result.converged, eq.bottleneck is not None
    (True, True)
    """
    compiled = network if isinstance(network, CompiledNetwork) else compile_network(network)
    p = params or FreightParameters()
    g = graph if graph is not None else corridor_graph(compiled, p)
    if p.segments:
        classes, of = segment_classes(
            compiled, growth=growth, value_of_time_factor=p.value_of_time_factor,
            segments=segments,
        )  # fmt: skip
    else:
        classes = commodity_classes(
            compiled, growth=growth, value_of_time_factor=p.value_of_time_factor
        )
        of = [c.name for c in classes]
    unrouted = _drop_unroutable(compiled, g, classes)
    result = assign(g, classes=classes, rgap=rgap, max_iter=max_iter)
    ks = [i for i, c in enumerate(of) if c == commodity]
    flow = result.class_flow[ks].sum(axis=0) if ks else np.zeros(compiled.n_edges)
    corridor_teu = {
        name: max(float(flow @ weight), 0.0) for name, weight in _screens(compiled).items()
    }
    od = []
    assert result.skim_cost is not None and result.skim_time is not None
    assert result.skim_distance is not None
    for ci, cls in enumerate(classes):
        for o, d in zip(*np.nonzero(cls.demand), strict=True):
            hours = float(result.skim_time[ci, o, d])
            money = (float(result.skim_cost[ci, o, d]) - hours) * cls.value_of_time
            od.append(
                {
                    "origin": compiled.node_ids[o],
                    "destination": compiled.node_ids[d],
                    "commodity": cls.name,
                    "teu_per_year": float(cls.demand[o, d]),
                    "time_days": hours / 24.0,
                    "cost_usd_per_feu": money,
                    "distance_km": float(result.skim_distance[ci, o, d]),
                }
            )
    return CorridorEquilibrium(
        growth=growth,
        commodity=commodity,
        result=result,
        capacities=_capacities(compiled, g, result),
        corridor_teu=corridor_teu,
        demand_teu=float(sum(classes[i].demand.sum() for i in ks)),
        od=od,
        unrouted=unrouted,
    )


@dataclass(frozen=True, eq=False)
class GrowthSweep:
    """Equilibria for growing demand and the first capacity to bind."""

    factors: tuple[float, ...]
    runs: tuple[CorridorEquilibrium, ...]
    binding_utilisation: float

    @property
    def first_binding(self) -> dict[str, Any] | None:
        """First capacity reaching ``binding_utilisation``: its record and the factor."""
        for f, run in zip(self.factors, self.runs, strict=True):
            top = run.bottleneck
            if top is not None and top["utilisation"] >= self.binding_utilisation:
                return {"demand_growth": f, **top}
        return None

    def shares(self) -> dict[str, list[float]]:
        """Corridor share of the commodity's demand, one list entry per factor."""
        names = list(self.runs[0].corridor_teu) if self.runs else []
        return {n: [run.corridor_shares[n] for run in self.runs] for n in names}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary."""
        return {
            "demand_growth": list(self.factors),
            "corridor_shares": self.shares(),
            "bottleneck_per_growth": [run.bottleneck for run in self.runs],
            "first_binding": self.first_binding,
            "relative_gap": [run.result.relative_gap for run in self.runs],
        }


def growth_sweep(
    network: Network | CompiledNetwork,
    factors: Sequence[float] = (1.0, 1.5, 2.0, 3.0),
    *,
    commodity: str = "containers",
    params: FreightParameters | None = None,
    rgap: float = 1e-4,
    max_iter: int = 500,
) -> GrowthSweep:
    """Equilibria at each demand factor (default x1, x1.5, x2, x3 of the dataset year).

    Parameters
    ----------
    network
        A network or a compiled network.
    factors
        Demand growth factors, in the order to report.
    commodity, params, rgap, max_iter
        As for :func:`equilibrium`.

    Returns
    -------
    GrowthSweep
        Per factor: corridor shares, capacities; the first binding capacity.

    Examples
    --------
    >>> from corridor import load_network
    >>> sweep = growth_sweep(load_network(), (1.0, 3.0))
    >>> len(sweep.runs)
    2
    """
    p = params or FreightParameters()
    compiled = network if isinstance(network, CompiledNetwork) else compile_network(network)
    g = corridor_graph(compiled, p)
    segments = shipper_segments(compiled) if p.segments else None
    runs = tuple(
        equilibrium(
            compiled,
            growth=f,
            commodity=commodity,
            params=p,
            rgap=rgap,
            max_iter=max_iter,
            graph=g,
            segments=segments,
        )
        for f in factors
    )
    return GrowthSweep(tuple(float(f) for f in factors), runs, p.binding_utilisation)


def plot_growth_sweep(sweep: GrowthSweep, path: str | os.PathLike[str]) -> None:
    """Save a PNG of corridor shares against demand growth (atomically).

    Parameters
    ----------
    sweep
        From :func:`growth_sweep`.
    path
        Where to write the PNG.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from corridor.io.atomic import atomic_path

    fig, ax = plt.subplots(figsize=(7, 4))
    for name, values in sweep.shares().items():
        if max(values) > 0:
            ax.plot(sweep.factors, [100 * v for v in values], marker="o", label=name)
    first = sweep.first_binding
    if first is not None:
        ax.axvline(first["demand_growth"], color="grey", ls=":", lw=1)
        ax.annotate(
            f" first binding: {first['id']} ({first['utilisation']:.0%})",
            (first["demand_growth"], 0.5),
            xycoords=("data", "axes fraction"),
            fontsize=8,
            ha="left",
        )
    commodity = sweep.runs[0].commodity if sweep.runs else ""
    ax.set_xlabel("demand (x dataset year)")
    # ocean shipping carries most TEU: a log scale above 1 % keeps the land corridors legible
    ax.set_yscale("symlog", linthresh=1.0)
    ax.set_ylim(0, 100)
    ax.set_ylabel(f"share of {commodity} TEU (%, log above 1 %)")
    ax.set_title("Corridor shares at user equilibrium")
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)


def equilibrium_report(
    network: Network | CompiledNetwork,
    *,
    growth: float = 1.0,
    factors: Sequence[float] = (1.0, 1.5, 2.0, 3.0),
    commodity: str = "containers",
    params: FreightParameters | None = None,
    out_dir: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """Everything ``corridor analyze --equilibrium`` shows, as one JSON-ready dict.

    Parameters
    ----------
    network
        A network (a scenario already applied) or a compiled network.
    growth
        Demand factor of the headline equilibrium.
    factors
        Demand factors of the growth sweep (empty: no sweep).
    commodity
        Commodity whose corridor shares are reported.
    params
        Congestion settings.
    out_dir
        If given, the share-vs-demand plot is written there as
        ``equilibrium_corridor_shares.png`` (its path is in the result).

    Returns
    -------
    dict
        ``{"equilibrium": CorridorEquilibrium.to_dict(), "growth_sweep":
        GrowthSweep.to_dict() or None, "plot": path or None}``.
    """
    compiled = network if isinstance(network, CompiledNetwork) else compile_network(network)
    p = params or FreightParameters()
    sweep = growth_sweep(compiled, factors, commodity=commodity, params=p) if factors else None
    same = [r for r in sweep.runs if r.growth == growth] if sweep is not None else []
    headline = (
        same[0] if same else equilibrium(compiled, growth=growth, commodity=commodity, params=p)
    )
    plot = None
    if sweep is not None and out_dir is not None:
        from pathlib import Path

        path = Path(out_dir) / "equilibrium_corridor_shares.png"
        plot_growth_sweep(sweep, path)
        plot = str(path)
    return {
        "equilibrium": headline.to_dict(),
        "growth_sweep": sweep.to_dict() if sweep is not None else None,
        "plot": plot,
    }
