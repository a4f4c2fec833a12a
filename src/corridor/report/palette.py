"""Colours and labels shared by the charts, the map and the dashboard.

One fixed colour per known corridor so that a corridor looks the same in
every picture; unknown corridors take the next colour of a fallback cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CORRIDOR_COLOURS: dict[str, str] = {
    "middle": "#d62728",
    "middle_btk": "#ff7f0e",
    "middle_black_sea": "#e377c2",
    "middle_road": "#8c1d40",
    "middle_turkey": "#ff7f0e",
    "northern": "#1f77b4",
    "northern_baltic": "#17becf",
    "southern": "#2ca02c",
    "sea_suez": "#9467bd",
    "sea_cape": "#8c564b",
    "china_sea": "#bcbd22",
    "cpc": "#393b79",
    "trans_caspian_btc": "#637939",
}
_FALLBACK = ("#7f7f7f", "#17becf", "#e377c2", "#bcbd22", "#ff7f0e", "#393b79", "#637939")

CORRIDOR_NAMES: dict[str, str] = {
    "middle": "Middle Corridor",
    "middle_btk": "Middle via BTK",
    "middle_black_sea": "Middle via Black Sea",
    "middle_road": "Middle, road via Red Bridge",
    "northern": "Northern (Russia)",
    "northern_baltic": "Russia to St Petersburg",
    "southern": "Southern (Iran)",
    "sea_suez": "Sea via Suez",
    "sea_cape": "Sea via the Cape",
    "china_sea": "China rail + sea",
    "cpc": "CPC pipeline",
    "trans_caspian_btc": "Caspian tanker + BTC",
}


def corridor_colours(corridors: Iterable[str]) -> dict[str, str]:
    """Map each corridor id to a colour: the fixed one if known, else the next fallback.

    Examples
    --------
    >>> corridor_colours(["middle", "polar", "arctic"])["middle"]
    '#d62728'
    >>> c = corridor_colours(["polar", "arctic"])
    >>> c["polar"] != c["arctic"]
    True
    """
    out: dict[str, str] = {}
    spare = iter(_FALLBACK * 8)
    for cid in corridors:
        if cid not in out:
            out[cid] = CORRIDOR_COLOURS.get(cid) or next(spare)
    return out


def corridor_label(corridor: str) -> str:
    """Human-readable name of a corridor id (the id itself when unknown).

    Examples
    --------
    >>> corridor_label("sea_suez")
    'Sea via Suez'
    >>> corridor_label("middle_poti")
    'middle poti'
    """
    return CORRIDOR_NAMES.get(corridor, corridor.replace("_", " "))


def same_route_as(route: Mapping[str, Any]) -> str | None:
    """The corridor this route duplicates (``same_route_as`` of the analysis), or ``None``.

    Examples
    --------
    >>> same_route_as({"corridor": "middle_black_sea", "same_route_as": "middle"})
    'middle'
    >>> same_route_as({"corridor": "middle"}) is None
    True
    """
    other = route.get("same_route_as")
    return str(other) if other else None


def distinct_routes(routes: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The routes to draw: those that are not the same route as another corridor's.

    A duplicate (a corridor whose definition gives the very route of a cheaper
    corridor of the same pair) would draw the same line twice; charts and the
    map show it as a note instead.

    Examples
    --------
    >>> rs = [{"corridor": "middle"}, {"corridor": "middle_black_sea", "same_route_as": "middle"}]
    >>> [r["corridor"] for r in distinct_routes(rs)]
    ['middle']
    """
    return [r for r in routes if same_route_as(r) is None]


def duplicates_of(route: Mapping[str, Any], routes: Iterable[Mapping[str, Any]]) -> list[str]:
    """Corridor ids of the routes of the same pair that duplicate ``route``.

    Examples
    --------
    >>> rs = [{"corridor": "middle", "origin": "a", "destination": "b"},
    ...       {"corridor": "middle_bs", "origin": "a", "destination": "b",
    ...        "same_route_as": "middle"}]
    >>> duplicates_of(rs[0], rs)
    ['middle_bs']
    """
    key = (route.get("origin"), route.get("destination"), route.get("commodity"))
    return [
        str(r.get("corridor", ""))
        for r in routes
        if same_route_as(r) == route.get("corridor")
        and (r.get("origin"), r.get("destination"), r.get("commodity")) == key
    ]
