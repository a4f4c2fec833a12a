"""The main job: compare every corridor between origin–destination pairs.

Builds the ``corridor analyze --json`` contract (DESIGN.md) bottom-up from the
link, border, terminal and service tables: routes per corridor, leg breakdown,
p10/p90 days, and the capacity-limited elements under the 2024 demand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from corridor.graph.compiled import CompiledNetwork, compile_network
from corridor.model.network import Network
from corridor.paths.loading import (
    Load,
    Loading,
    bottlenecks,
    element_flows,
    load_demand,
    service_flows,
    utilisation_table,
)
from corridor.paths.reliability import day_percentiles
from corridor.paths.routes import Route, routes

Pair = tuple[str, str] | tuple[str, str, str]


def compile_loaded(network: Network, *, growth: float = 1.0) -> tuple[CompiledNetwork, Loading]:
    """Compile with ship waits set by the demand they carry (two passes).

    The first pass assumes ships half full, loads the demand, and the second
    pass recompiles with each service's loaded flow.
    """
    first = compile_network(network)
    flows = service_flows(first, load_demand(first, growth=growth).edge_flow_teu)
    g = compile_network(network, service_flow_teu_per_year=flows)
    return g, load_demand(g, growth=growth)


def default_pairs(network: Network) -> list[tuple[str, str, str]]:
    """The dataset's default origin–destination pairs."""
    return [
        (r.origin, r.destination, r.commodity or "containers")
        for r in network.od_pairs.itertuples(index=False)
    ]


def route_record(
    g: CompiledNetwork, r: Route, flows: dict[tuple[str, int, int], Load]
) -> dict[str, Any]:
    """One route in the JSON contract."""
    p10, p50, p90 = day_percentiles(r)
    return {
        "corridor": r.corridor,
        "origin": r.origin,
        "destination": r.destination,
        "commodity": r.commodity,
        "distance_km": r.distance_km,
        "time_days": r.time_days,
        "time_days_p10": p10,
        "time_days_p50": p50,
        "time_days_p90": p90,
        "percentiles_from": "analytic",
        "hours_moving": r.hours_moving,
        "hours_waiting": r.hours_waiting,
        "cost_usd_per_feu": r.cost_usd,
        "generalised_cost_usd_per_feu": r.generalised_cost_usd,
        "countries": list(r.countries),
        "transits": list(r.transits),
        "legs": [leg.to_dict() for leg in r.legs],
        "bottlenecks": bottlenecks(g, r, flows),
    }


def analyze(
    network: Network,
    *,
    pairs: Sequence[Pair] | None = None,
    corridors: Iterable[str] | None = None,
    scenario_name: str = "base",
    growth: float = 1.0,
) -> dict[str, Any]:
    """Compare the corridors between origin–destination pairs.

    Parameters
    ----------
    network
        The network (a scenario already applied, if any).
    pairs
        ``(origin, destination[, commodity])`` tuples; default: the dataset's od_pairs.
    corridors
        Corridor ids to compare (default: all in the dataset).
    scenario_name
        Recorded in the result.
    growth
        Factor on all demand when loading capacities.

    Examples
    --------
    >>> from corridor import load_network
    >>> out = analyze(load_network(), pairs=[("xian", "duisburg")])
    >>> {"dataset", "scenario", "routes", "capacities"} <= set(out)
    True
    """
    g, loading = compile_loaded(network, growth=growth)
    flows = element_flows(g, loading)
    wanted = [
        (p[0], p[1], p[2] if len(p) > 2 else "containers")
        for p in (pairs if pairs is not None else default_pairs(network))
    ]
    records = []
    for origin, destination, commodity in wanted:
        first_with: dict[tuple[int, ...], str] = {}
        for r in routes(g, origin, destination, commodity=commodity, corridors=corridors):
            rec = route_record(g, r, flows)
            # corridors are overlapping definitions: say when two give one route
            rec["same_route_as"] = first_with.setdefault(r.edges, r.corridor)
            if rec["same_route_as"] == r.corridor:
                rec["same_route_as"] = None
            records.append(rec)
    return {
        "dataset": network.name,
        "scenario": scenario_name,
        "demand_growth": growth,
        "routes": records,
        "capacities": utilisation_table(g, flows),
        "unrouted_demand": list(loading.unrouted),
    }
