"""Door-to-door routes per corridor, with a leg-by-leg time and cost breakdown."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corridor.errors import NoRouteError, UnknownIdError
from corridor.graph.compiled import EDGE_KINDS, CompiledNetwork
from corridor.model.network import Network, split_list
from corridor.model.schema import MODES
from corridor.paths.search import Constraints, best_path

#: Pseudo-corridor id of the unconstrained least-cost route.
BEST = "best"
#: Bottleneck kind reported for each edge kind (terminals split by port/other).
_BOTTLENECK_KIND = {"link": "link", "border": "border", "service": "service"}


@dataclass(frozen=True)
class Leg:
    """One step of a route: a line-haul link, border, ship service or terminal handling."""

    kind: str
    element_id: str
    from_node: str
    to_node: str
    mode: str
    distance_km: float
    hours_moving: float
    hours_waiting: float
    hours_waiting_cv: float
    cost_usd: float
    capacity_teu_per_year: float
    capacity_t_per_year: float
    edge: int

    def to_dict(self) -> dict[str, Any]:
        """The leg in the JSON contract."""
        return {
            "from": self.from_node,
            "to": self.to_node,
            "mode": self.mode,
            "kind": self.kind,
            "id": self.element_id,
            "distance_km": self.distance_km,
            "hours_moving": self.hours_moving,
            "hours_waiting": self.hours_waiting,
            "cost_usd": self.cost_usd,
            "capacity_teu_per_year": _finite_or_none(self.capacity_teu_per_year),
            "capacity_t_per_year": _finite_or_none(self.capacity_t_per_year),
        }


@dataclass(frozen=True)
class Route:
    """The best route of one corridor between an origin and a destination."""

    corridor: str
    origin: str
    destination: str
    commodity: str
    legs: tuple[Leg, ...]
    countries: tuple[str, ...]
    value_of_time_usd_per_feu_h: float
    edges: tuple[int, ...] = field(repr=False)

    @property
    def distance_km(self) -> float:
        """Total distance (sum of legs)."""
        return sum(leg.distance_km for leg in self.legs)

    @property
    def hours_moving(self) -> float:
        """Total moving hours."""
        return sum(leg.hours_moving for leg in self.legs)

    @property
    def hours_waiting(self) -> float:
        """Total mean waiting hours (borders, terminals, ship departures)."""
        return sum(leg.hours_waiting for leg in self.legs)

    @property
    def time_days(self) -> float:
        """Mean door-to-door days."""
        return (self.hours_moving + self.hours_waiting) / 24.0

    @property
    def cost_usd(self) -> float:
        """Total money cost per FEU."""
        return sum(leg.cost_usd for leg in self.legs)

    @property
    def generalised_cost_usd(self) -> float:
        """Money plus value of time × hours, per FEU."""
        hours = self.hours_moving + self.hours_waiting
        return self.cost_usd + self.value_of_time_usd_per_feu_h * hours

    @property
    def transits(self) -> tuple[str, ...]:
        """Countries crossed, other than the origin's and the destination's."""
        ends = {self.countries[0], self.countries[-1]} if self.countries else set()
        return tuple(c for c in self.countries if c not in ends)


def _finite_or_none(x: float) -> float | None:
    return None if x == float("inf") else x


def corridor_constraints(network: Network, corridor: str) -> Constraints:
    """The constraints that define a corridor in the dataset's corridors table."""
    r = network.row("corridors", corridor)
    if r is None:
        known = ", ".join(network.corridors["id"])
        raise UnknownIdError(f"unknown corridor '{corridor}' (known: {known})")
    return Constraints(
        avoid_countries=frozenset(split_list(r["avoid_countries"])),
        avoid_nodes=frozenset(split_list(r["avoid_nodes"])),
        via=tuple(tuple(g.split("|")) for g in split_list(r["via"])),
    )


def commodity_row(network: Network, commodity: str) -> dict[str, Any]:
    """The commodities-table row of ``commodity`` as a dict."""
    row = network.row("commodities", commodity)
    if row is None:
        known = ", ".join(network.commodities["id"])
        raise UnknownIdError(f"unknown commodity '{commodity}' (known: {known})")
    return dict(row)


def build_route(
    g: CompiledNetwork,
    edges: Sequence[int],
    *,
    corridor: str,
    origin: str,
    destination: str,
    commodity: str,
    value_of_time: float,
) -> Route:
    """Turn a list of edges into a :class:`Route` with legs and countries."""
    legs = []
    countries: list[str] = []
    node_of = g.vertex_node
    for e in edges:
        a = g.node_ids[int(node_of[g.tail[e]])]
        z = g.node_ids[int(node_of[g.head[e]])]
        for v in (g.tail[e], g.head[e]):
            c = g.vertex_country[int(v)]
            if c != "XX" and (not countries or countries[-1] != c):
                countries.append(c)
        if g.element[e] < 0:
            continue  # free access/egress at a junction: no time, no cost
        legs.append(
            Leg(
                kind=EDGE_KINDS[int(g.kind[e])],
                element_id=g.element_id(e),
                from_node=a,
                to_node=z,
                mode=MODES[int(g.mode[e])],
                distance_km=float(g.length_km[e]),
                hours_moving=float(g.hours_moving[e]),
                hours_waiting=float(g.hours_waiting[e]),
                hours_waiting_cv=float(g.hours_waiting_cv[e]),
                cost_usd=float(g.cost_usd[e]),
                capacity_teu_per_year=float(g.capacity_teu_per_year[e]),
                capacity_t_per_year=float(g.capacity_t_per_year[e]),
                edge=int(e),
            )
        )
    unique: list[str] = []
    for c in countries:
        if c not in unique:
            unique.append(c)
    return Route(
        corridor=corridor,
        origin=origin,
        destination=destination,
        commodity=commodity,
        legs=tuple(legs),
        countries=tuple(unique),
        value_of_time_usd_per_feu_h=value_of_time,
        edges=tuple(int(e) for e in edges),
    )


def allowed_modes(commodity: dict[str, Any], also: frozenset[str]) -> frozenset[str]:
    """Modes a commodity may use, restricted further by ``also`` (empty: no restriction)."""
    modes = frozenset(split_list(commodity["modes"]))
    if not also:
        return modes
    return modes & also if modes else also


def route(
    g: CompiledNetwork,
    origin: str,
    destination: str,
    *,
    corridor: str = BEST,
    commodity: str = "containers",
    extra: Constraints = Constraints(),
) -> Route | None:
    """The least generalised-cost route of one corridor (``None`` if it cannot connect)."""
    net = g.network
    net.require_node(origin)
    net.require_node(destination)
    for code in extra.avoid_countries:
        net.require_country(code)
    for node in extra.avoid_nodes:
        net.require_node(node)
    if origin == destination:
        raise NoRouteError(f"origin and destination are both '{origin}'")
    com = commodity_row(net, commodity)
    base = Constraints() if corridor == BEST else corridor_constraints(net, corridor)
    constraints = Constraints(
        avoid_countries=base.avoid_countries | extra.avoid_countries,
        avoid_nodes=base.avoid_nodes | extra.avoid_nodes,
        via=base.via + extra.via,
        modes=allowed_modes(com, extra.modes),
        closed_edges=extra.closed_edges,
    )
    vot = float(com["value_of_time_usd_per_feu_h"])
    edges = best_path(g, g.generalised_cost(vot), origin, destination, constraints)
    if edges is None:
        return None
    return build_route(
        g,
        edges,
        corridor=corridor,
        origin=origin,
        destination=destination,
        commodity=commodity,
        value_of_time=vot,
    )


def routes(
    g: CompiledNetwork,
    origin: str,
    destination: str,
    *,
    commodity: str = "containers",
    corridors: Iterable[str] | None = None,
    avoid_countries: Iterable[str] = (),
    avoid_nodes: Iterable[str] = (),
    via: Iterable[str] = (),
) -> list[Route]:
    """Best route of each corridor between two nodes, cheapest generalised cost first.

    The waits are those of ``g``: pass the ``graph`` of a
    loaded network (:func:`corridor.loaded.prepare.prepare`) for the times
    every other command shows. Which corridors are a real option for the pair
    is judged by :func:`corridor.analysis.corridor_routes`; this function
    answers for the corridors asked, with the extra constraints given.

    Parameters
    ----------
    g
        A compiled network, usually ``prepare(...).graph`` (the loaded waits).
    origin, destination
        Node ids.
    commodity
        Commodity id: sets the value of time and the allowed modes.
    corridors
        Corridor ids to compare; ``None`` = every corridor in the dataset. The
        pseudo-corridor ``"best"`` is the unconstrained least-cost route.
    avoid_countries, avoid_nodes, via
        Extra constraints on every route (``via``: node ids passed in order).

    Raises
    ------
    NoRouteError
        If no corridor connects the pair.

    Examples
    --------
    >>> from corridor import load_network, prepare
    >>> g = prepare(load_network()).graph
    >>> rs = routes(g, "xian", "duisburg", corridors=["middle"], avoid_countries=["TR"])
    >>> rs[0].corridor, "TR" in rs[0].countries
    ('middle', False)
    """
    names = list(g.network.corridors["id"]) if corridors is None else list(corridors)
    extra = Constraints(
        avoid_countries=frozenset(avoid_countries),
        avoid_nodes=frozenset(avoid_nodes),
        via=tuple((v,) for v in via),
    )
    found = []
    for name in names:
        r = route(g, origin, destination, corridor=name, commodity=commodity, extra=extra)
        if r is not None:
            found.append(r)
    if not found:
        raise NoRouteError(
            f"no route from '{origin}' to '{destination}' for {commodity} "
            f"on corridors {', '.join(names)}"
        )
    found.sort(key=lambda r: r.generalised_cost_usd)
    return found
