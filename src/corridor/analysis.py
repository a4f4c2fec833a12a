"""The main job: compare every corridor between origin–destination pairs on the loaded network.

Builds the ``corridor analyze --json`` contract (DESIGN.md) from one
:class:`~corridor.loaded.network.LoadedNetwork`: routes per corridor at the
loaded waits, leg breakdown, p10/p90 days, the capacity-limited elements
under the scenario's demand, what could not be carried and why, and which
corridors are no option for a pair (not applicable, closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from corridor.errors import NoRouteError
from corridor.loaded.calibration import Calibration
from corridor.loaded.network import LoadedNetwork
from corridor.loaded.prepare import prepare
from corridor.model.network import Network
from corridor.model.scenario import Scenario
from corridor.paths.plausible import corridor_applies, route_implausible
from corridor.paths.reliability import day_percentiles
from corridor.paths.routes import BEST, Route, route

Pair = tuple[str, str] | tuple[str, str, str]


def default_pairs(network: Network) -> list[tuple[str, str, str]]:
    """The dataset's default origin–destination pairs."""
    return [
        (r.origin, r.destination, r.commodity or "containers")
        for r in network.od_pairs.itertuples()
    ]


def loaded_network(
    network: Network | Scenario | LoadedNetwork,
    *,
    growth: float = 1.0,
    calibration: Calibration | None = None,
    scenario_name: str | None = None,
) -> LoadedNetwork:
    """``network`` if already loaded, else :func:`~corridor.loaded.prepare.prepare` of it."""
    if isinstance(network, LoadedNetwork):
        return network
    return prepare(network, growth=growth, calibration=calibration, scenario_name=scenario_name)


def route_record(loaded: LoadedNetwork, r: Route) -> dict[str, Any]:
    """One route in the JSON contract."""
    p10, p50, p90 = day_percentiles(r)
    com = loaded.network.row("commodities", r.commodity)
    assert com is not None
    unit = str(com["unit"])
    record = {
        "corridor": r.corridor,
        "origin": r.origin,
        "destination": r.destination,
        "commodity": r.commodity,
        "unit": unit,
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
        "bottlenecks": loaded.bottlenecks(r),
    }
    if unit == "t":
        # tariffs are per FEU; an FEU-equivalent of a bulk commodity holds two TEU's tonnes
        record["cost_usd_per_t"] = r.cost_usd / (2.0 * float(com["tonnes_per_teu"]))
    return record


def corridor_routes(
    loaded: LoadedNetwork,
    origin: str,
    destination: str,
    *,
    commodity: str = "containers",
    corridors: Iterable[str] | None = None,
) -> tuple[list[Route], list[dict[str, Any]]]:
    """Best route of each corridor on the loaded network, and the corridors that are no option.

    Returns the routes (cheapest generalised cost first) and, per corridor
    left out, ``{"corridor", "status", "reason"}`` with status
    ``not_applicable`` (the corridor does not serve the pair, its best route
    is no real option, or no route satisfies it even with nothing closed) or
    ``closed`` (the scenario's changes cut every route that satisfied it).
    """
    net = loaded.network
    net.require_node(origin)
    net.require_node(destination)
    names = list(net.corridors["id"]) if corridors is None else list(corridors)
    found: list[Route] = []
    left_out: list[dict[str, Any]] = []
    for name in names:
        why = None
        if name != BEST:
            why = corridor_applies(net, name, origin, destination, commodity=commodity)
        if why is not None:
            left_out.append({"corridor": name, "status": "not_applicable", "reason": why})
            continue
        r = route(loaded.graph, origin, destination, corridor=name, commodity=commodity)
        if r is None:
            left_out.append(_no_route(loaded, name, origin, destination, commodity))
            continue
        why = route_implausible(net, r) if name != BEST else None
        if why is not None:
            left_out.append({"corridor": name, "status": "not_applicable", "reason": why})
            continue
        found.append(r)
    found.sort(key=lambda r: r.generalised_cost_usd)
    return found, left_out


def _no_route(
    loaded: LoadedNetwork, name: str, origin: str, destination: str, commodity: str
) -> dict[str, Any]:
    """Why no route satisfies corridor ``name``: the scenario closed it, or it never could."""
    g0 = loaded.base_graph
    if g0 is not None:  # a scenario keeps every node of its base (a closure cuts links)
        r0 = route(g0, origin, destination, corridor=name, commodity=commodity)
        if r0 is not None and (name == BEST or route_implausible(g0.network, r0) is None):
            return {
                "corridor": name,
                "status": "closed",
                "reason": f"no route satisfies corridor '{name}' in this scenario",
            }
    return {
        "corridor": name,
        "status": "not_applicable",
        "reason": f"no route satisfies corridor '{name}' for {commodity} "
        f"from {origin} to {destination}, even with nothing closed",
    }


def analyze(
    network: Network | Scenario | LoadedNetwork,
    *,
    pairs: Sequence[Pair] | None = None,
    corridors: Iterable[str] | None = None,
    scenario_name: str | None = None,
    growth: float = 1.0,
    calibration: Calibration | None = None,
) -> dict[str, Any]:
    """Compare the corridors between origin–destination pairs on the loaded network.

    Parameters
    ----------
    network
        A network, a scenario (its base is the calibration year) or a network
        already loaded by :func:`~corridor.loaded.prepare.prepare`.
    pairs
        ``(origin, destination[, commodity])`` tuples; default: the dataset's od_pairs.
    corridors
        Corridor ids to compare (default: all in the dataset).
    scenario_name
        Recorded in the result (default: the scenario's name or ``base``).
    growth
        Factor on all demand when loading capacities.
    calibration
        The base year's calibration, when preparing many scenarios of one base.

    Examples
    --------
    >>> from corridor import load_network
    >>> out = analyze(load_network(), pairs=[("xian", "duisburg")])
    >>> {"dataset", "scenario", "routes", "capacities", "unrouted_demand"} <= set(out)
    True
    """
    loaded = loaded_network(
        network, growth=growth, calibration=calibration, scenario_name=scenario_name
    )
    net = loaded.network
    wanted = [
        (p[0], p[1], p[2] if len(p) > 2 else "containers")
        for p in (pairs if pairs is not None else default_pairs(net))
    ]
    records = []
    not_offered = []
    for origin, destination, commodity in wanted:
        found, left_out = corridor_routes(
            loaded, origin, destination, commodity=commodity, corridors=corridors
        )
        first_with: dict[tuple[int, ...], str] = {}
        for r in found:
            rec = route_record(loaded, r)
            # corridors are overlapping definitions: say when two give one route
            rec["same_route_as"] = first_with.setdefault(r.edges, r.corridor)
            if rec["same_route_as"] == r.corridor:
                rec["same_route_as"] = None
            records.append(rec)
        for item in left_out:
            not_offered.append(
                {"origin": origin, "destination": destination, "commodity": commodity, **item}
            )
    return {
        "dataset": net.name,
        "scenario": loaded.scenario,
        "demand_growth": loaded.growth,
        "routes": records,
        "not_offered": not_offered,
        "capacities": loaded.capacity_table(),
        "unrouted_demand": loaded.unrouted(),
        "loaded_network": loaded.summary(),
    }


def routes(
    network: Network | Scenario | LoadedNetwork,
    origin: str,
    destination: str,
    *,
    commodity: str = "containers",
    corridors: Iterable[str] | None = None,
) -> list[Route]:
    """Best route of each offered corridor between two nodes on the loaded network.

    The same routes, times and costs as :func:`analyze` gives for the pair.

    Raises
    ------
    NoRouteError
        If no corridor is offered for the pair.

    Examples
    --------
    >>> from corridor import load_network
    >>> rs = routes(load_network(), "xian", "duisburg", corridors=["middle"])
    >>> rs[0].corridor, "AZ" in rs[0].transits
    ('middle', True)
    """
    loaded = loaded_network(network)
    found, left_out = corridor_routes(
        loaded, origin, destination, commodity=commodity, corridors=corridors
    )
    if not found:
        why = "; ".join(f"{x['corridor']}: {x['reason']}" for x in left_out)
        raise NoRouteError(f"no route from '{origin}' to '{destination}' for {commodity} ({why})")
    return found


def difference_from_base(
    result: Mapping[str, Any], base: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Per pair and corridor, what a scenario changed against the base (both ``analyze`` dicts).

    One record per corridor offered or closed in either result: ``status``
    and ``status_base`` (``open``, ``closed`` or ``not_applicable``), days and
    cost in the route's own unit (USD per FEU, or per tonne for bulk) in both,
    and the differences ``delta_days`` / ``delta_cost`` (scenario minus base;
    ``None`` unless the corridor is open in both).

    Examples
    --------
    >>> r = {"corridor": "middle", "origin": "a", "destination": "b",
    ...      "commodity": "containers", "unit": "teu", "time_days": 30.0,
    ...      "cost_usd_per_feu": 9000.0}
    >>> d = difference_from_base({"routes": [dict(r, time_days=27.5)]}, {"routes": [r]})
    >>> d[0]["delta_days"], d[0]["delta_cost"], d[0]["status"]
    (-2.5, 0.0, 'open')
    """

    def index(res: Mapping[str, Any]) -> dict[tuple[str, str, str, str], Mapping[str, Any]]:
        out: dict[tuple[str, str, str, str], Mapping[str, Any]] = {}
        for x in res.get("not_offered") or []:
            out[(x["origin"], x["destination"], x["commodity"], x["corridor"])] = x
        for r in res.get("routes") or []:
            out[
                (r["origin"], r["destination"], r.get("commodity", "containers"), r["corridor"])
            ] = r
        return out

    def cost(r: Mapping[str, Any]) -> float | None:
        v = r.get("cost_usd_per_t" if r.get("unit") == "t" else "cost_usd_per_feu")
        return None if v is None else float(v)

    after, before = index(result), index(base)
    out = []
    for key in dict.fromkeys([*after, *before]):
        a, b = after.get(key), before.get(key)
        status = "open" if a is not None and "time_days" in a else (a or {}).get("status")
        status_base = "open" if b is not None and "time_days" in b else (b or {}).get("status")
        if status in (None, "not_applicable") and status_base in (None, "not_applicable"):
            continue
        days = float(a["time_days"]) if status == "open" and a else None
        days_base = float(b["time_days"]) if status_base == "open" and b else None
        c = cost(a) if status == "open" and a else None
        c_base = cost(b) if status_base == "open" and b else None
        unit = (a if status == "open" and a else b or {}).get("unit", "teu")
        out.append(
            {
                "origin": key[0],
                "destination": key[1],
                "commodity": key[2],
                "corridor": key[3],
                "unit": unit,
                "status": status or "not_applicable",
                "status_base": status_base or "not_applicable",
                "reason": None if status == "open" or a is None else a.get("reason"),
                "time_days": days,
                "time_days_base": days_base,
                "delta_days": (
                    days - days_base if days is not None and days_base is not None else None
                ),
                "cost": c,
                "cost_base": c_base,
                "delta_cost": c - c_base if c is not None and c_base is not None else None,
            }
        )
    return out
