"""Which corridors make sense for an origin–destination pair, and which found routes do not.

Corridors are defined once for the whole network, so a search for "the Northern
route from Almaty to Yokohama" dutifully finds one (through Brest, Romania,
Türkiye and Suez). Two checks keep such alternatives out of an analysis:

- :func:`corridor_applies` reads the dataset: each corridor lists the region
  pairs it ``serves`` (regions are groups of countries in ``regions.csv``) and
  the commodities it carries.
- :func:`route_implausible` looks at the route a search found: it must not cross
  the same enclosed sea twice (``water_body`` of the nodes), leave a region or
  country and come back, turn back at a node, or miss a mode the corridor
  ``requires_mode_in`` a country (``rail_1435@CN``: rail through China).

Both are pure functions of a :class:`~corridor.model.network.Network` and return
``None`` when all is well, else a one-line reason for the user.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from corridor.errors import UnknownIdError
from corridor.model.network import Network, split_list

if TYPE_CHECKING:  # routes may import this module: no import cycle at run time
    from corridor.paths.routes import Route

#: Leg kinds that carry the load (the others are handling at one node).
_HAUL = ("link", "service")
_WATER_MODES = ("ferry", "sea")


@dataclass(frozen=True)
class _Place:
    name: str
    country: str
    kind: str
    water_body: str


def corridor_applies(
    network: Network,
    corridor_id: str,
    origin: str,
    destination: str,
    *,
    commodity: str | None = None,
) -> str | None:
    """Whether a corridor is an option at all between two nodes.

    A corridor applies when its ``serves`` list names the pair of regions of the
    origin and the destination (either direction; a blank list serves every pair)
    and, if ``commodity`` is given, its ``commodities`` list is blank or names it.

    Parameters
    ----------
    network
        The network whose ``corridors``, ``regions`` and ``nodes`` tables decide.
    corridor_id
        A corridor of the network's corridors table.
    origin, destination
        Node ids.
    commodity
        Commodity id, or ``None`` not to check the corridor's commodities.

    Returns
    -------
    str or None
        ``None`` if the corridor applies, else one line saying why not.

    Raises
    ------
    UnknownIdError
        If the corridor or a node is not in the network.

    Examples
    --------
    >>> from corridor import load_network
    >>> net = load_network()
    >>> corridor_applies(net, "middle", "xian", "duisburg") is None
    True
    >>> corridor_applies(net, "northern", "almaty", "yokohama")
    'Northern route through Russia and Belarus does not serve Central Asia → Japan and Korea'
    >>> corridor_applies(net, "cpc", "tengiz", "trieste", commodity="containers")
    'CPC pipeline to Novorossiysk carries crude_oil only, not containers'
    """
    row = network.row("corridors", corridor_id)
    if row is None:
        known = ", ".join(network.tables["corridors"]["id"])
        raise UnknownIdError(f"unknown corridor '{corridor_id}' (known: {known})")
    network.require_node(origin)
    network.require_node(destination)
    name = str(row["name"])
    carried = split_list(row.get("commodities"))
    if commodity is not None and carried and commodity not in carried:
        return f"{name} carries {', '.join(carried)} only, not {commodity}"
    pairs = set()
    for item in split_list(row.get("serves")):
        a, _, b = item.partition(">")
        pairs |= {(a.strip(), b.strip()), (b.strip(), a.strip())}
    if not pairs:
        return None
    regions = _regions(network)
    places = _places(network)
    ends = []
    for node in (origin, destination):
        country = places[node].country
        if country not in regions:
            return f"{name} serves listed regions only, and {node} ({country}) is in none of them"
        ends.append(regions[country])
    (ro, o_name), (rd, d_name) = ends
    if (ro, rd) in pairs:
        return None
    return f"{name} does not serve {o_name} → {d_name}"


def route_implausible(network: Network, route: Route) -> str | None:
    """Whether a route found for a corridor is no real option.

    The rules, in the order they are checked:

    1. It uses every mode its corridor ``requires_mode_in`` a country: a link or
       service of that mode with both ends in the country.
    2. It crosses an enclosed sea or lake (the nodes' ``water_body``) at most once:
       a ship or ferry leg whose both ends lie on the same water body is a crossing.
    3. It does not leave a region and come back (a ship passing a strait or canal
       does not enter the country: waypoints and international waters are skipped).
    4. It does not leave a country and come back.
    5. It passes no node twice (going somewhere and back to satisfy a ``via``).

    Parameters
    ----------
    network
        The network the route was found in (node countries, water bodies,
        regions and corridors).
    route
        A route of :mod:`corridor.paths.routes`; only its ``corridor`` and its
        legs' ``kind``, ``from_node``, ``to_node`` and ``mode`` are read. A
        corridor id that is not in the corridors table (the pseudo-corridor
        ``best``) has no required modes.

    Returns
    -------
    str or None
        ``None`` if the route is plausible, else one line naming the first
        rule it breaks.

    Examples
    --------
    Only the fields named above are read, so a stand-in shows the rules:

    >>> from types import SimpleNamespace as Obj
    >>> from corridor import load_network
    >>> net = load_network()
    >>> def leg(a, b, mode, kind="link"):
    ...     return Obj(kind=kind, from_node=a, to_node=b, mode=mode)
    >>> west = [leg("beyneu", "mangyshlak", "rail_1520"), leg("mangyshlak", "aktau", "rail_1520"),
    ...         leg("aktau", "alat", "sea", "service"), leg("alat", "boyuk_kesik", "rail_1520")]
    >>> route_implausible(net, Obj(corridor="middle", legs=west)) is None
    True
    >>> back = [*west[:3], leg("alat", "turkmenbashi", "ferry", "service")]
    >>> route_implausible(net, Obj(corridor="middle", legs=back))
    'crosses the Caspian Sea twice (aktau→alat, alat→turkmenbashi)'
    """
    places = _places(network)
    legs = [leg for leg in route.legs if leg.from_node in places and leg.to_node in places]
    row = network.row("corridors", route.corridor) or {}
    for item in split_list(row.get("requires_mode_in")):
        mode, _, country = item.partition("@")
        if not any(
            leg.kind in _HAUL
            and leg.mode == mode
            and places[leg.from_node].country == country == places[leg.to_node].country
            for leg in legs
        ):
            return f"uses no {mode} inside {country}, which corridor {route.corridor} requires"

    crossings: dict[str, list[str]] = {}
    for leg in legs:
        water = places[leg.from_node].water_body
        if (
            leg.mode in _WATER_MODES
            and leg.from_node != leg.to_node
            and water
            and water == places[leg.to_node].water_body
        ):
            crossings.setdefault(water, []).append(f"{leg.from_node}→{leg.to_node}")
    for water, hops in crossings.items():
        if len(hops) > 1:
            times = "twice" if len(hops) == 2 else f"{len(hops)} times"
            return f"crosses the {_title(water)} {times} ({', '.join(hops)})"

    countries = _collapse(
        places[n].country
        for leg in legs
        for n in (leg.from_node, leg.to_node)
        if places[n].kind != "waypoint" and places[n].country != "XX"
    )
    regions = _regions(network)
    names = dict(regions.values())
    in_regions = _collapse(regions[c][0] for c in countries if c in regions)
    back = _first_return(in_regions)
    if back is not None:
        path = " → ".join(names[r] for r in in_regions)
        return f"leaves {names[back]} and comes back ({path})"
    back = _first_return(countries)
    if back is not None:
        return f"leaves {back} and comes back ({' '.join(countries)})"

    nodes: list[str] = []
    for leg in legs:
        if leg.from_node == leg.to_node:
            continue
        if not nodes or nodes[-1] != leg.from_node:
            nodes.append(leg.from_node)
        nodes.append(leg.to_node)
    for before, here, after in zip(nodes, nodes[1:], nodes[2:], strict=False):
        if before == after:
            return f"goes to {places[here].name} and turns back"
    twice = [n for n, k in Counter(nodes).items() if k > 1]
    if twice:
        return f"passes {places[twice[0]].name} twice"
    return None


class _Places:
    """Node id → :class:`_Place`, read through the network's cached row index."""

    def __init__(self, network: Network) -> None:
        self.network = network

    def __contains__(self, node_id: object) -> bool:
        return isinstance(node_id, str) and self.network.row("nodes", node_id) is not None

    def __getitem__(self, node_id: str) -> _Place:
        r = self.network.row("nodes", node_id)
        if r is None:
            raise KeyError(node_id)
        water = r.get("water_body")
        water = water if isinstance(water, str) else ""
        return _Place(str(r["name"]), str(r["country"]), str(r["kind"]), water)


def _places(network: Network) -> _Places:
    return _Places(network)


def _regions(network: Network) -> dict[str, tuple[str, str]]:
    """Country code → (region id, region name)."""
    table = network.tables.get("regions")
    if table is None:
        return {}
    return {
        code: (str(rid), str(name))
        for rid, name, cell in zip(table["id"], table["name"], table["countries"], strict=True)
        for code in split_list(cell)
    }


def _collapse(items: Iterable[str]) -> list[str]:
    """The items without consecutive repeats."""
    out: list[str] = []
    for x in items:
        if not out or out[-1] != x:
            out.append(x)
    return out


def _first_return(seq: list[str]) -> str | None:
    """The first item that appears again after something else (``seq`` is collapsed)."""
    seen: set[str] = set()
    for x in seq:
        if x in seen:
            return x
        seen.add(x)
    return None


def _title(slug: str) -> str:
    return " ".join(w.capitalize() for w in slug.split("_"))
